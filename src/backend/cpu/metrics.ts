/**
 * Metric kernels of the CPU backend (run at logging steps only): norms with scaling, saturation shares and
 * argmax, on a flat array at an offset.
 */
import { ACTIVATIONS, type ActivationName } from '../../core/activations.js';

/** Index (0-based, first on ties) of the largest of d[off, off + n). */
export function argmax(d: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (d[off + i]! > d[off + best]!) best = i;
  return best;
}

/**
 * Plain sums of squares at or above this (and at most PLAIN_MAX) lose nothing to underflow or overflow: each
 * square that underflows is below 2.3e-308, so even 1e9 of them are under 1e-19 of the sum.
 */
export const PLAIN_MIN = 1e-280;
export const PLAIN_MAX = 1e300;

/** Euclidean norm with scaling by the largest magnitude, exact for tiny and huge entries alike. */
export function safeNorm(d: ArrayLike<number>, off: number, n: number): number {
  // One plain pass first: exact whenever its sum is in range (see PLAIN_MIN); otherwise scale by the largest entry.
  let plain = 0;
  for (let i = 0; i < n; i++) {
    const v = d[off + i]!;
    plain += v * v;
  }
  if (plain >= PLAIN_MIN && plain <= PLAIN_MAX) return Math.sqrt(plain);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(d[off + i]!);
    if (v > max || Number.isNaN(v)) max = v;
  }
  if (max === 0 || !Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = d[off + i]! / max;
    s += v * v;
  }
  return max * Math.sqrt(s);
}

/** Share of saturated entries (sigmoid/tanh), of dead columns (relu/leaky_relu), or 0 (linear, softmax). */
export function saturatedShare(d: ArrayLike<number>, off: number, rows: number, cols: number, act: ActivationName): number {
  if (act === 'softmax') return 0;
  const info = ACTIVATIONS[act];
  if (!info.saturated) return 0;
  if (info.saturationLabel === 'dead') {
    let dead = 0;
    for (let c = 0; c < cols; c++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) alive = d[off + r * cols + c]! > 0;
      if (!alive) dead++;
    }
    return dead / cols;
  }
  let sat = 0;
  const n = rows * cols;
  for (let i = 0; i < n; i++) if (info.saturated(d[off + i]!)) sat++;
  return sat / n;
}
