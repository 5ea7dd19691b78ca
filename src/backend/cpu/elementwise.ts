/**
 * Element-wise kernels of the CPU backend on row bands of typed arrays: the matmul epilogues (bias +
 * activation, multiply by the activation's derivative), softmax rows, and column sums. Each is
 * one tight loop per case over an explicit index range, so a band of rows can run in any thread and give the
 * same bits as the whole matrix in one thread.
 */
import { ACTIVATIONS, ELU_ALPHA, LEAKY_SLOPE, gelu, softplus, type ActivationName, type HiddenActivation } from '../../core/activations.js';
import { dropoutKeeps } from '../../core/dropout-mask.js';

/** A tensor's storage: f64 (exact reference) or f32 (fast path). */
export type Buf = Float32Array | Float64Array;

/** Apply a pointwise activation in place to o[from, to), with one tight loop per activation. */
export function applyActivation(act: Exclude<ActivationName, 'softmax'>, o: Buf, from: number, to: number): void {
  switch (act) {
    case 'sigmoid':
      for (let i = from; i < to; i++) {
        const z = o[i]!;
        if (z >= 0) o[i] = 1 / (1 + Math.exp(-z));
        else {
          const e = Math.exp(z);
          o[i] = e / (1 + e);
        }
      }
      return;
    case 'tanh':
      for (let i = from; i < to; i++) o[i] = Math.tanh(o[i]!);
      return;
    case 'relu':
      for (let i = from; i < to; i++) if (!(o[i]! > 0)) o[i] = o[i]! === o[i]! ? 0 : o[i]!;
      return;
    case 'leaky_relu':
      for (let i = from; i < to; i++) if (o[i]! < 0) o[i]! *= LEAKY_SLOPE;
      return;
    case 'linear':
      return;
    case 'gelu':
      for (let i = from; i < to; i++) o[i] = gelu(o[i]!);
      return;
    case 'silu':
      for (let i = from; i < to; i++) {
        const z = o[i]!;
        o[i] = z >= 0 ? z / (1 + Math.exp(-z)) : (z * Math.exp(z)) / (1 + Math.exp(z));
      }
      return;
    case 'elu':
      for (let i = from; i < to; i++) if (o[i]! < 0) o[i] = ELU_ALPHA * Math.expm1(o[i]!);
      return;
    case 'softplus':
      for (let i = from; i < to; i++) o[i] = softplus(o[i]!);
      return;
  }
}

/** o[base + i] *= φ′(z[zbase + i]), the derivative from the stored pre-activations z, for i < n (every hidden activation). */
export function multiplyByDerivativeFromInput(act: HiddenActivation, o: Buf, base: number, z: Buf, zbase: number, n: number): void {
  const d = ACTIVATIONS[act].derivative;
  for (let i = 0; i < n; i++) o[base + i]! *= d(z[zbase + i]!);
}

/** o[base + i] *= φ′ expressed through the activations a[abase + i], for i < n (GELU and SiLU need z: see multiplyByDerivativeFromInput). */
export function multiplyByDerivative(act: HiddenActivation, o: Buf, base: number, a: Buf, abase: number, n: number): void {
  switch (act) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = a[abase + i]!;
        o[base + i]! *= v * (1 - v);
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const v = a[abase + i]!;
        o[base + i]! *= 1 - v * v;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (!(a[abase + i]! > 0)) o[base + i] = 0;
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) if (!(a[abase + i]! > 0)) o[base + i]! *= LEAKY_SLOPE;
      return;
    case 'linear':
      return;
    case 'elu':
      for (let i = 0; i < n; i++) {
        const v = a[abase + i]!;
        if (!(v > 0)) o[base + i]! *= v + ELU_ALPHA;
      }
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) o[base + i]! *= -Math.expm1(-a[abase + i]!);
      return;
    case 'gelu':
    case 'silu':
      throw new Error(`${act}′ is not a function of the output: the layer keeps its pre-activations (multiplyByDerivativeFromInput)`);
  }
}

/** o[base + r·cols + c] += bias[bbase + c] for rows r of [rowStart, rowEnd). */
export function addBiasRows(o: Buf, base: number, cols: number, rowStart: number, rowEnd: number, bias: Buf, bbase: number): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const ro = base + r * cols - bbase;
    for (let c = bbase, end = bbase + cols; c < end; c++) o[ro + c] = o[ro + c]! + bias[c]!;
  }
}

/** Softmax in place of rows [rowStart, rowEnd) of the rows × cols block at `base`. */
export function softmaxRowBand(o: Buf, base: number, cols: number, rowStart: number, rowEnd: number): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const ro = base + r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, o[ro + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(o[ro + c]! - max);
      o[ro + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) o[ro + c]! /= sum;
  }
}

/**
 * out[obase + c] = Σ_r src[base + r·cols + c] over all rows, for columns c in [colStart, colEnd), summed in
 * f64 in row order (then rounded once to out's type); `sum` is scratch of at least colEnd − colStart entries.
 */
export function columnSumsBand(
  src: Buf, base: number, rows: number, cols: number, colStart: number, colEnd: number, out: Buf, obase: number, sum: Float64Array,
): void {
  const w = colEnd - colStart;
  sum.fill(0, 0, w);
  for (let r = 0; r < rows; r++) {
    const ro = base + r * cols + colStart;
    for (let c = 0; c < w; c++) sum[c] = sum[c]! + src[ro + c]!;
  }
  for (let c = 0; c < w; c++) out[obase + colStart + c] = sum[c]!;
}

/**
 * Inverted dropout of one batch entry, o[base + i] = x[base + i]·(kept ? scale : 0) for i < n, the mask drawn from
 * the counter-based stream of src/core/dropout-mask.ts (the twin of `dropout` in shaders/elementwise.wgsl).
 */
export function applyDropout(x: Buf, o: Buf, base: number, n: number, key: number, threshold: number, scale: number): void {
  for (let i = 0; i < n; i++) o[base + i] = dropoutKeeps(key, i, threshold) ? x[base + i]! * scale : x[base + i]! * 0;
}
