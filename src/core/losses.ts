/**
 * Losses as a table keyed by URL-safe names. Every loss is a mean over the N·K elements of a batch
 * (N rows, K outputs), except softmax cross-entropy, which sums over the K classes and averages over N.
 * `outputGradient` is ∂L/∂z for the output layer's pre-activation z, fused with the output activation.
 */
import type { OutputActivation } from './activations.js';

export const LOSSES = ['mse', 'bce', 'softmax_ce'] as const;
export type LossName = (typeof LOSSES)[number];

/** Probabilities are clamped to [EPS, 1−EPS] inside logarithms so a saturated output gives a finite loss. */
export const LOG_EPS = 1e-12;

export interface LossInfo {
  /** One-line meaning, for help texts. */
  description: string;
  /** Output activations this loss is defined with. */
  outputs: readonly OutputActivation[];
}

/** Which output activations each loss pairs with. */
export const LOSS_INFO: Record<LossName, LossInfo> = {
  mse: { description: 'mean squared error, mean of (ŷ−y)² over all N·K elements', outputs: ['linear', 'sigmoid'] },
  bce: { description: 'binary cross-entropy on sigmoid outputs, mean over all N·K elements', outputs: ['sigmoid'] },
  softmax_ce: { description: 'softmax cross-entropy, sum over classes, mean over the N rows', outputs: ['softmax'] },
};

/** Loss of a batch: pred and target are row-major N×K. */
export function lossValue(loss: LossName, pred: ArrayLike<number>, target: ArrayLike<number>, n: number, k: number): number {
  let s = 0;
  const m = n * k;
  if (loss === 'mse') {
    for (let i = 0; i < m; i++) {
      const d = pred[i]! - target[i]!;
      s += d * d;
    }
    return s / m;
  }
  if (loss === 'bce') {
    for (let i = 0; i < m; i++) {
      const p = Math.min(Math.max(pred[i]!, LOG_EPS), 1 - LOG_EPS);
      const y = target[i]!;
      s -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    }
    return s / m;
  }
  for (let i = 0; i < m; i++) {
    const y = target[i]!;
    if (y !== 0) s -= y * Math.log(Math.max(pred[i]!, LOG_EPS));
  }
  return s / n;
}

/**
 * Gradient of the loss with respect to the output pre-activation z (the δ of the output layer),
 * written into `out` (row-major N×K). pred holds ŷ = φ_out(z).
 */
export function outputGradient(
  loss: LossName,
  outAct: OutputActivation,
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  n: number,
  k: number,
  out: { [i: number]: number },
): void {
  const m = n * k;
  if (loss === 'mse') {
    const c = 2 / m;
    for (let i = 0; i < m; i++) {
      const a = pred[i]!;
      const dA = c * (a - target[i]!);
      out[i] = outAct === 'sigmoid' ? dA * a * (1 - a) : dA;
    }
    return;
  }
  // bce with sigmoid and softmax_ce with softmax both fuse to (ŷ − y) / count.
  const c = loss === 'bce' ? 1 / m : 1 / n;
  for (let i = 0; i < m; i++) out[i] = c * (pred[i]! - target[i]!);
}
