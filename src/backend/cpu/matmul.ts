/**
 * Dense matrix products for the CPU backend: out = op(A)·op(B) with op = identity or transpose.
 *
 * Every output element is the plain ordered dot product s = 0; s += a[i,k]·b[k,j] for k = 0..K−1, rounded in
 * the output's precision after each multiply and each add (no FMA, no reassociation), whichever kernel runs:
 * the f64 result is bit-identical to a naive f64 triple loop, the f32 result to the same loop with
 * `Math.fround` after every operation. Large products run in a WebAssembly SIMD kernel (f32x4 / f64x2,
 * register-blocked 4×8 / 4×4, packed panels, cache-blocked over columns, k and rows); small ones, and engines
 * without SIMD, run the JavaScript loops below. Pass a `MatmulWorkspace`: without one each call compiles a
 * fresh kernel (about 2 ms).
 */
import { WasmGemm, type Blocking } from './wasm/gemm-runner.js';
import type { KernelShape } from './wasm/gemm-kernel.js';

/** One row-major matrix with contiguous rows inside a flat array, starting at `offset`. */
export interface MatView {
  data: Float32Array | Float64Array;
  offset: number;
  rows: number;
  cols: number;
}

/** Tuning of a workspace; the defaults suit a desktop x86-64 core. */
export interface MatmulWorkspaceOptions {
  /** Use the WebAssembly SIMD kernels when the engine supports them (default true). */
  wasm?: boolean;
  /** Products with fewer multiply-adds (M·N·K) than this run in JavaScript (default 512). */
  wasmThreshold?: number;
  /** Register block and cache blocking of the f32 kernel. */
  f32?: { shape?: Omit<KernelShape, 'lane'>; blocking?: Blocking };
  /** Register block and cache blocking of the f64 kernel. */
  f64?: { shape?: Omit<KernelShape, 'lane'>; blocking?: Blocking };
}

const DEFAULT_F32 = { shape: { mr: 4, nrVectors: 2 }, blocking: { kc: 256, mc: 128, nc: 512 } };
const DEFAULT_F64 = { shape: { mr: 4, nrVectors: 2 }, blocking: { kc: 256, mc: 128, nc: 512 } };

/**
 * Scratch state of the kernels (compiled WebAssembly instances and their packing memory), owned by the
 * caller and reused across calls; one per thread. Not safe to share between concurrent calls.
 */
export class MatmulWorkspace {
  /** Whether products at or above the threshold run in WebAssembly. */
  readonly useWasm: boolean;
  /** Multiply-add count from which WebAssembly is used. */
  readonly wasmThreshold: number;
  private readonly options: MatmulWorkspaceOptions;
  private f32Kernel: WasmGemm | undefined;
  private f64Kernel: WasmGemm | undefined;

  constructor(options: MatmulWorkspaceOptions = {}) {
    this.options = options;
    this.useWasm = (options.wasm ?? true) && WasmGemm.supported();
    this.wasmThreshold = options.wasmThreshold ?? 512;
  }

  /** The compiled kernel for a lane type, built at first use. */
  kernel(lane: 'f32' | 'f64'): WasmGemm {
    if (lane === 'f32') {
      const o = { ...DEFAULT_F32, ...this.options.f32 };
      return (this.f32Kernel ??= new WasmGemm({ lane, ...o.shape }, o.blocking));
    }
    const o = { ...DEFAULT_F64, ...this.options.f64 };
    return (this.f64Kernel ??= new WasmGemm({ lane, ...o.shape }, o.blocking));
  }
}

/** out = op(A)·op(B) (op = transpose when the flag is set). out must not alias A or B; it is overwritten. */
export function matmul(
  a: MatView, transA: boolean, b: MatView, transB: boolean, out: MatView, workspace?: MatmulWorkspace,
): void {
  matmulRows(a, transA, b, transB, out, 0, out.rows, workspace);
}

/**
 * Rows [rowStart, rowEnd) of out = op(A)·op(B); other rows of out are left untouched. Disjoint row ranges
 * can run in different threads, each with its own workspace. Consecutive calls with the same nonzero `stamp`
 * on one workspace promise unchanged operands, so the packed B panels are reused between row bands.
 */
export function matmulRows(
  a: MatView, transA: boolean, b: MatView, transB: boolean, out: MatView,
  rowStart: number, rowEnd: number, workspace?: MatmulWorkspace, stamp = 0,
): void {
  const k = checkShapes(a, transA, b, transB, out, rowStart, rowEnd);
  const m = rowEnd - rowStart;
  const n = out.cols;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.data.fill(0, out.offset + rowStart * n, out.offset + rowEnd * n);
    return;
  }
  const ws = workspace ?? new MatmulWorkspace();
  if (ws.useWasm && m * n * k >= ws.wasmThreshold) {
    ws.kernel(out.data instanceof Float32Array ? 'f32' : 'f64').run(a, transA, b, transB, out, rowStart, rowEnd, stamp);
  } else {
    matmulRowsJs(a, transA, b, transB, out, rowStart, rowEnd);
  }
}

/** The JavaScript kernel (same results as the WebAssembly one): rows [rowStart, rowEnd) of op(A)·op(B). */
export function matmulRowsJs(
  a: MatView, transA: boolean, b: MatView, transB: boolean, out: MatView, rowStart: number, rowEnd: number,
): void {
  const k = checkShapes(a, transA, b, transB, out, rowStart, rowEnd);
  const n = out.cols;
  const f32 = out.data instanceof Float32Array;
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  const aRowStep = transA ? 1 : a.cols;
  const aKStep = transA ? a.cols : 1;
  if (transB) {
    for (let i = rowStart; i < rowEnd; i++) {
      const o = out.offset + i * n;
      for (let j = 0; j < n; j++) {
        let ai = a.offset + i * aRowStep;
        let bj = b.offset + j * b.cols;
        let s = 0;
        if (f32) {
          for (let kk = 0; kk < k; kk++, ai += aKStep, bj++) {
            s = Math.fround(s + Math.fround(Math.fround(ad[ai]!) * Math.fround(bd[bj]!)));
          }
        } else {
          for (let kk = 0; kk < k; kk++, ai += aKStep, bj++) s += ad[ai]! * bd[bj]!;
        }
        od[o + j] = s;
      }
    }
    return;
  }
  for (let i = rowStart; i < rowEnd; i++) {
    const o = out.offset + i * n;
    od.fill(0, o, o + n);
    let ai = a.offset + i * aRowStep;
    for (let kk = 0; kk < k; kk++, ai += aKStep) {
      const bk = b.offset + kk * b.cols;
      if (f32) {
        const aik = Math.fround(ad[ai]!);
        for (let j = 0; j < n; j++) od[o + j] = od[o + j]! + Math.fround(aik * Math.fround(bd[bk + j]!));
      } else {
        const aik = ad[ai]!;
        for (let j = 0; j < n; j++) od[o + j] = od[o + j]! + aik * bd[bk + j]!;
      }
    }
  }
}

/** Checks that op(A) is M×K, op(B) is K×N, out is M×N, the views fit their arrays and the row range is valid; returns K. */
function checkShapes(
  a: MatView, transA: boolean, b: MatView, transB: boolean, out: MatView, rowStart: number, rowEnd: number,
): number {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb || out.rows !== m || out.cols !== n) {
    throw new Error(`matmul: op(A) is ${m}×${k}, op(B) is ${kb}×${n}, out is ${out.rows}×${out.cols}`);
  }
  checkFits('A', a);
  checkFits('B', b);
  checkFits('out', out);
  if (!(rowStart >= 0 && rowStart <= rowEnd && rowEnd <= m)) {
    throw new Error(`matmul: row range [${rowStart}, ${rowEnd}) outside 0..${m}`);
  }
  return k;
}

function checkFits(label: string, v: MatView): void {
  if (v.offset < 0 || v.offset + v.rows * v.cols > v.data.length) {
    throw new Error(`matmul: ${label} view (offset ${v.offset}, ${v.rows}×${v.cols}) exceeds its array`);
  }
}
