/** How closely two backends agree: the largest absolute difference between their results. */
import type { Parameters } from '../core/init.js';

/** Agreement of one benchmark point with another backend's (or the f64 reference's) result. */
export interface Agreement {
  /** Description of the backend compared against. */
  readonly against: string;
  /** max |a − b| over every entry (NaN when either side has a NaN). */
  readonly maxAbsDiff: number;
  /** max |b| of the compared-against result, the scale of the difference. */
  readonly maxAbsValue: number;
}

/** max |a − b| and max |b| over two equal-length arrays; NaN when lengths differ or a value is NaN. */
export function compareArrays(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbsDiff: number; maxAbsValue: number } {
  if (a.length !== b.length) return { maxAbsDiff: NaN, maxAbsValue: NaN };
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return { maxAbsDiff: NaN, maxAbsValue: NaN };
    if (d > diff) diff = d;
    const v = Math.abs(b[i]!);
    if (v > scale) scale = v;
  }
  return { maxAbsDiff: diff, maxAbsValue: scale };
}

/** Agreement of two models' gradients (every weight and bias), layer by layer. */
export function compareParameters(a: Parameters, b: Parameters): { maxAbsDiff: number; maxAbsValue: number } {
  let maxAbsDiff = 0;
  let maxAbsValue = 0;
  const pairs = [...a.weights.map((w, l) => [w, b.weights[l]] as const), ...a.biases.map((v, l) => [v, b.biases[l]] as const)];
  if (a.weights.length !== b.weights.length || a.biases.length !== b.biases.length) return { maxAbsDiff: NaN, maxAbsValue: NaN };
  for (const [x, y] of pairs) {
    if (!y) return { maxAbsDiff: NaN, maxAbsValue: NaN };
    const c = compareArrays(x, y);
    if (Number.isNaN(c.maxAbsDiff)) return c;
    maxAbsDiff = Math.max(maxAbsDiff, c.maxAbsDiff);
    maxAbsValue = Math.max(maxAbsValue, c.maxAbsValue);
  }
  return { maxAbsDiff, maxAbsValue };
}
