/**
 * Generates the WebAssembly SIMD GEMM macro-kernel: C[mPanels·MR × nPanels·NR] (+)= Ap · Bp over `kc` steps,
 * from packed panels (A: [panel][k][MR], B: [panel][k][NR]) with MR × NR accumulators held in v128 locals.
 * Each accumulator starts from 0 (or from C when `accumulate` ≠ 0) and adds a[i,k]·b[k,j] for k in increasing
 * order with a separately rounded multiply and add, so every output element is the naive ordered dot product.
 */
import { CodeWriter, encodeModule, I32, Simd, V128 } from './assembler.js';

/** Element type of a kernel: f32 (4 lanes per v128) or f64 (2 lanes). */
export type Lane = 'f32' | 'f64';

/** Register-block shape of a kernel. */
export interface KernelShape {
  /** Element type. */
  lane: Lane;
  /** Rows of the register block (MR). */
  mr: number;
  /** Vectors per row of the register block (NR = nrVectors · lanes). */
  nrVectors: number;
}

/** Bytes per element of a lane type. */
export function laneBytes(lane: Lane): number {
  return lane === 'f32' ? 4 : 8;
}

/** Elements per v128 of a lane type. */
export function laneCount(lane: Lane): number {
  return lane === 'f32' ? 4 : 2;
}

/**
 * Module bytes exporting `gemm(aBase, aPanelStride, bBase, bPanelStride, c, ldc, mPanels, nPanels, kc,
 * accumulate)` and `pack(src, rowStride, kStride, panels, width, k, valid, dst)` (see `packBody`); pointers,
 * strides and ldc are in bytes; counts must be ≥ 1.
 */
export function buildGemmModule(shape: KernelShape): Uint8Array<ArrayBuffer> {
  const { lane, mr, nrVectors: nv } = shape;
  const eb = laneBytes(lane);
  const nr = nv * laneCount(lane);
  const splat = lane === 'f32' ? Simd.load32Splat : Simd.load64Splat;
  const mul = lane === 'f32' ? Simd.f32x4Mul : Simd.f64x2Mul;
  const addV = lane === 'f32' ? Simd.f32x4Add : Simd.f64x2Add;
  const alignSplat = lane === 'f32' ? 2 : 3;

  const [aBase, aStride, bBase, bStride, c, ldc, mPanels, nPanels, kc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [jr, ir, aPanel, bPanel, cCol, cTile, ap, bp, k, cr, tileStep] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const acc = (r: number, v: number): number => 21 + r * nv + v;
  const bv = (v: number): number => 21 + mr * nv + v;
  const av = 21 + mr * nv + nv;

  const w = new CodeWriter();
  w.get(ldc).i32(mr).mul().set(tileStep);
  w.get(bBase).set(bPanel).get(c).set(cCol).get(nPanels).set(jr);
  w.loop(); // over column panels
  w.get(aBase).set(aPanel).get(cCol).set(cTile).get(mPanels).set(ir);
  w.loop(); // over row panels
  w.get(accumulate).if();
  w.get(cTile).set(cr);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) w.get(cr).simd(Simd.load, { align: 4, offset: 16 * v }).set(acc(r, v));
    if (r + 1 < mr) w.addLocal(cr, ldc);
  }
  w.else();
  for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) w.zeroV128().set(acc(r, v));
  w.end();
  w.get(aPanel).set(ap).get(bPanel).set(bp).get(kc).set(k);
  w.loop(); // over k
  for (let v = 0; v < nv; v++) w.get(bp).simd(Simd.load, { align: 4, offset: 16 * v }).set(bv(v));
  for (let r = 0; r < mr; r++) {
    w.get(ap).simd(splat, { align: alignSplat, offset: r * eb }).set(av);
    for (let v = 0; v < nv; v++) {
      w.get(acc(r, v)).get(av).get(bv(v)).simd(mul).simd(addV).set(acc(r, v));
    }
  }
  w.addConst(ap, mr * eb).addConst(bp, nr * eb);
  w.get(k).i32(1).sub().set(k).get(k).brIf(0);
  w.end();
  w.get(cTile).set(cr);
  for (let r = 0; r < mr; r++) {
    for (let v = 0; v < nv; v++) w.get(cr).get(acc(r, v)).simd(Simd.store, { align: 4, offset: 16 * v });
    if (r + 1 < mr) w.addLocal(cr, ldc);
  }
  w.addLocal(aPanel, aStride).addLocal(cTile, tileStep);
  w.get(ir).i32(1).sub().set(ir).get(ir).brIf(0);
  w.end();
  w.addLocal(bPanel, bStride).addConst(cCol, nr * eb);
  w.get(jr).i32(1).sub().set(jr).get(jr).brIf(0);
  w.end();

  return encodeModule([
    { name: 'pack', params: 8, locals: [{ count: 8, type: I32 }], body: packBody(lane) },
    {
      name: 'gemm',
      params: 10,
      locals: [
        { count: 11, type: I32 },
        { count: mr * nv + nv + 1, type: V128 },
      ],
      body: w,
    },
  ]);
}

/**
 * `pack(src, rowStride, kStride, panels, width, k, valid, dst)`: for row = p·width + r (r < width) of a strided
 * matrix, dst[p][kk][r] = src[row·rowStride + kk·kStride] for row < valid and 0 past it (panel layout of
 * the kernel; rows of op(A) with width MR, columns of op(B) with width NR).
 */
function packBody(lane: Lane): CodeWriter {
  const eb = laneBytes(lane);
  const [load, store, align] = lane === 'f32' ? [0x2a, 0x38, 2] : [0x2b, 0x39, 3];
  const zero = lane === 'f32' ? [0x43, 0, 0, 0, 0] : [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
  const [src, rowStride, kStride, panels, width, k, valid, dst] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [row, r, d, s, kk, panelBase, dStep, pLeft] = [8, 9, 10, 11, 12, 13, 14, 15];
  const w = new CodeWriter();
  w.get(width).i32(eb).mul().set(dStep);
  w.get(dst).set(panelBase).get(panels).set(pLeft);
  w.loop(); // panels
  w.i32(0).set(r);
  w.loop(); // rows of the panel
  w.get(r).i32(eb).mul().get(panelBase).add().set(d);
  w.get(k).set(kk);
  w.get(row).get(valid).ltU().if();
  w.get(row).get(rowStride).mul().get(src).add().set(s);
  w.loop();
  w.get(d).get(s).op(load, align, 0).op(store, align, 0);
  w.addLocal(d, dStep).addLocal(s, kStride);
  w.get(kk).i32(1).sub().set(kk).get(kk).brIf(0);
  w.end();
  w.else();
  w.loop();
  w.get(d).op(...zero).op(store, align, 0);
  w.addLocal(d, dStep);
  w.get(kk).i32(1).sub().set(kk).get(kk).brIf(0);
  w.end();
  w.end();
  w.addConst(row, 1).addConst(r, 1);
  w.get(r).get(width).ne().brIf(0);
  w.end();
  w.get(panelBase).get(dStep).get(k).mul().add().set(panelBase);
  w.get(pLeft).i32(1).sub().set(pLeft).get(pLeft).brIf(0);
  w.end();
  return w;
}
