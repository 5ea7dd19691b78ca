/**
 * Runs the WebAssembly SIMD GEMM kernel on matrices held in JavaScript typed arrays: copies A and B into the
 * instance's own linear memory, packs op(A) and op(B) there into zero-padded panels, runs the cache-blocked
 * macro-kernel and copies the product rows out. One runner owns one memory and grows it to the largest product seen.
 */
import { buildGemmModule, laneBytes, laneCount, type KernelShape } from './gemm-kernel.js';

/** One row-major matrix inside a flat array (same shape as the public `MatView`). */
export interface GemmView {
  data: Float32Array | Float64Array;
  offset: number;
  rows: number;
  cols: number;
}

/** Cache-blocking sizes in elements: the k-slice of a kernel call and the rows of A per call. */
export interface Blocking {
  /** Depth of one k-slice (packed panels of this depth stay in L1/L2). */
  kc: number;
  /** Rows of A per macro-kernel call (a multiple of MR after rounding). */
  mc: number;
  /** Columns of B per macro-kernel call (a multiple of NR after rounding). */
  nc: number;
}

type PackFn = (
  src: number, rowStride: number, kStride: number, panels: number, width: number, k: number, valid: number,
  dst: number,
) => void;

type GemmFn = (
  aBase: number, aStride: number, bBase: number, bStride: number, c: number, ldc: number,
  mPanels: number, nPanels: number, kc: number, accumulate: number,
) => void;

const PAGE = 65536;

/** Rounds `n` up to a multiple of `m`. */
function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** A compiled kernel with its memory; computes rows [rowStart, rowEnd) of op(A)·op(B). */
export class WasmGemm {
  readonly shape: KernelShape;
  readonly blocking: Blocking;
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: GemmFn;
  private readonly pack: PackFn;
  private view: Float32Array | Float64Array;
  /** Operands of the previous call, for reuse within one stamped job. */
  private readonly last = {
    stamp: 0, a: null as unknown, aOffset: 0, aRows: 0, aCols: 0, transA: false,
    b: null as unknown, bOffset: 0, bRows: 0, bCols: 0, transB: false,
  };

  constructor(shape: KernelShape, blocking: Blocking) {
    this.shape = shape;
    this.blocking = blocking;
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const module = new WebAssembly.Module(buildGemmModule(shape));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.gemm = instance.exports['gemm'] as GemmFn;
    this.pack = instance.exports['pack'] as PackFn;
    this.view = this.makeView();
  }

  /** Whether this engine supports the fixed-width SIMD instructions the kernel uses. */
  static supported(): boolean {
    try {
      return typeof WebAssembly === 'object' &&
        WebAssembly.validate(buildGemmModule({ lane: 'f32', mr: 1, nrVectors: 1 }));
    } catch {
      return false;
    }
  }

  /**
   * out rows [rowStart, rowEnd) = rows of op(A)·op(B); shapes are checked by the caller; K ≥ 1. A nonzero
   * `stamp` equal to the previous call's promises that operands with the same views are unchanged since that
   * call (one job split into row bands), so packed B (and a transposed A, copied whole) are reused.
   */
  run(
    a: GemmView, transA: boolean, b: GemmView, transB: boolean, out: GemmView, rowStart: number, rowEnd: number, stamp = 0,
  ): void {
    const { mr } = this.shape;
    const eb = laneBytes(this.shape.lane);
    const nr = this.shape.nrVectors * laneCount(this.shape.lane);
    const m = rowEnd - rowStart;
    const k = transA ? a.rows : a.cols;
    const n = out.cols;
    const mp = roundUp(m, mr);
    const np = roundUp(n, nr);
    // op(A) rows [rowStart, rowEnd): a row band of A, or all of A when transposed (its columns are the rows).
    const aFirst = transA ? a.offset : a.offset + rowStart * a.cols;
    const aCount = transA ? a.rows * a.cols : m * a.cols;
    const packB = 0;
    const rawB = roundUp(packB + np * k * eb, 64);
    const rawA = roundUp(rawB + b.rows * b.cols * eb, 64);
    const packA = roundUp(rawA + aCount * eb, 64);
    const cOff = roundUp(packA + mp * k * eb, 64);
    this.ensureBytes(cOff + mp * np * eb);
    const mem = this.view;
    const last = this.last;
    const same = stamp !== 0 && stamp === last.stamp;
    const reuseB = same && last.b === b.data && last.bOffset === b.offset && last.bRows === b.rows && last.bCols === b.cols && last.transB === transB;
    const reuseA = reuseB && transA && last.transA && last.a === a.data && last.aOffset === a.offset && last.aRows === a.rows && last.aCols === a.cols;
    const lda = a.cols * eb;
    const ldb = b.cols * eb;
    if (!reuseB) {
      mem.set(b.data.subarray(b.offset, b.offset + b.rows * b.cols), rawB / eb);
      if (transB) this.pack(rawB, ldb, eb, np / nr, nr, k, n, packB);
      else this.pack(rawB, eb, ldb, np / nr, nr, k, n, packB);
    }
    if (!reuseA) mem.set(a.data.subarray(aFirst, aFirst + aCount), rawA / eb);
    if (transA) this.pack(rawA + rowStart * eb, eb, lda, mp / mr, mr, k, m, packA);
    else this.pack(rawA, lda, eb, mp / mr, mr, k, m, packA);
    last.stamp = stamp;
    last.a = a.data; last.aOffset = a.offset; last.aRows = a.rows; last.aCols = a.cols; last.transA = transA;
    last.b = b.data; last.bOffset = b.offset; last.bRows = b.rows; last.bCols = b.cols; last.transB = transB;

    const kcMax = this.blocking.kc;
    const mcMax = Math.max(mr, Math.floor(this.blocking.mc / mr) * mr);
    const ncMax = Math.max(nr, Math.floor(this.blocking.nc / nr) * nr);
    for (let jc = 0; jc < np; jc += ncMax) {
      const nc = Math.min(ncMax, np - jc);
      for (let pc = 0; pc < k; pc += kcMax) {
        const kc = Math.min(kcMax, k - pc);
        for (let ic = 0; ic < mp; ic += mcMax) {
          const mc = Math.min(mcMax, mp - ic);
          this.gemm(
            packA + (ic * k + pc * mr) * eb, mr * k * eb,
            packB + (jc * k + pc * nr) * eb, nr * k * eb,
            cOff + (ic * np + jc) * eb, np * eb,
            mc / mr, nc / nr, kc, pc > 0 ? 1 : 0,
          );
        }
      }
    }
    copyOut(mem, cOff / eb, np, out, rowStart, m);
  }

  private makeView(): Float32Array | Float64Array {
    return this.shape.lane === 'f32' ? new Float32Array(this.memory.buffer) : new Float64Array(this.memory.buffer);
  }

  private ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.view.buffer !== this.memory.buffer) this.view = this.makeView();
  }
}

/** Copies the first out.cols columns of m rows of C (row stride ldc) into out rows [rowStart, rowStart+m). */
function copyOut(
  src: Float32Array | Float64Array, base: number, ldc: number, out: GemmView, rowStart: number, m: number,
): void {
  const n = out.cols;
  const dst = out.data;
  const d0 = out.offset + rowStart * n;
  if (ldc === n) {
    dst.set(src.subarray(base, base + m * n), d0);
    return;
  }
  for (let i = 0; i < m; i++) {
    const s = base + i * ldc;
    const d = d0 + i * n;
    for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
  }
}
