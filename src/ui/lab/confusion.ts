/** Confusion matrices of a classifier: counts of (true class, predicted class) over a data set. */

/** Class of row i: ŷ ≥ 0.5 for one output, argmax for several. */
export function rowClass(v: ArrayLike<number>, i: number, k: number): number {
  if (k === 1) return v[i]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < k; j++) if (v[i * k + j]! > v[i * k + best]!) best = j;
  return best;
}

/** counts[t][p] = rows of true class t predicted as p, for n rows of k outputs (k = 1: two classes). */
export function confusionMatrix(pred: ArrayLike<number>, target: ArrayLike<number>, n: number, k: number): number[][] {
  const classes = k === 1 ? 2 : k;
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) m[rowClass(target, i, k)]![rowClass(pred, i, k)]!++;
  return m;
}
