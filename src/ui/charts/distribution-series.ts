/**
 * Pure helpers of the Distributions card: which quantity of a record to draw (z as recorded, or recovered through
 * the inverse activation from a record without it), and the saturation zones of sigmoid and tanh on each quantity's axis.
 */
import { LEAKY_SLOPE, SIGMOID_SATURATION, TANH_SATURATION } from '../../core/activations.js';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES, type StepRecord } from '../../train/records.js';

/** What the card can draw per layer: pre-activations, activations, ∂L/∂z, weights. */
export const DISTRIBUTION_VIEWS = ['z', 'a', 'dz', 'w'] as const;
/** One of DISTRIBUTION_VIEWS. */
export type DistributionView = (typeof DISTRIBUTION_VIEWS)[number];

/** Display names of the views. */
export const VIEW_LABELS: Readonly<Record<DistributionView, string>> = {
  z: 'pre-activation z',
  a: 'activation a',
  dz: 'gradient ∂L/∂z',
  w: 'weights W',
};

/**
 * z = φ⁻¹(a) for a strictly increasing hidden activation, null where a does not determine z (ReLU, softmax).
 * Quantiles commute with increasing maps, so φ⁻¹ of a's quantiles are z's (up to the interpolation between ranks).
 */
export function inverseActivation(activation: string): ((a: number) => number) | null {
  const eps = 1e-7;
  switch (activation) {
    case 'sigmoid':
      return (a) => {
        const p = Math.min(1 - eps, Math.max(eps, a));
        return Math.log(p / (1 - p));
      };
    case 'tanh':
      return (a) => Math.atanh(Math.min(1 - eps, Math.max(-1 + eps, a)));
    case 'leaky_relu':
      return (a) => (a >= 0 ? a : a / LEAKY_SLOPE);
    case 'linear':
      return (a) => a;
    default:
      return null;
  }
}

/**
 * The 9 quantiles of `view` at layer `layer` of a record (min … max), or null when the record has none or the view
 * cannot be shown there (z of the output layer or of a ReLU layer).
 */
export function recordQuantiles(rec: StepRecord, layer: number, view: DistributionView, activation: string, layers: number): number[] | null {
  const d = rec.distributions;
  if (!d) return null;
  const slice = (quantity: (typeof DISTRIBUTION_QUANTITIES)[number]): number[] | null => {
    const start = (layer * DISTRIBUTION_QUANTITIES.length + DISTRIBUTION_QUANTITIES.indexOf(quantity)) * DISTRIBUTION_LEVELS;
    return start + DISTRIBUTION_LEVELS > d.length ? null : Array.from(d.subarray(start, start + DISTRIBUTION_LEVELS));
  };
  if (view !== 'z') return slice(view);
  if (layer >= layers - 1) return null;
  // The trainer records every hidden layer's z; a record without it (an older run file) falls back to φ⁻¹ of a.
  const z = slice('z');
  if (z && z.every(Number.isFinite)) return z;
  const a = slice('a');
  const inv = inverseActivation(activation);
  return a && inv ? a.map(inv) : null;
}

/** Saturation zones [lo, hi] on the axis of `view` for a hidden activation (empty when it has none). */
export function saturationZones(view: DistributionView, activation: string): [number, number][] {
  const far = 1e9;
  if (activation === 'sigmoid') {
    if (view === 'a') return [[0, SIGMOID_SATURATION], [1 - SIGMOID_SATURATION, 1]];
    if (view === 'z') {
      const z = Math.log((1 - SIGMOID_SATURATION) / SIGMOID_SATURATION);
      return [[-far, -z], [z, far]];
    }
  }
  if (activation === 'tanh') {
    if (view === 'a') return [[-1, -TANH_SATURATION], [TANH_SATURATION, 1]];
    if (view === 'z') {
      const z = Math.atanh(TANH_SATURATION);
      return [[-far, -z], [z, far]];
    }
  }
  return [];
}
