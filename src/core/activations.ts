/**
 * Activation functions as a table keyed by URL-safe names. Each entry gives the value φ(z) and the
 * derivative φ′ expressed through the *output* a = φ(z), so backprop needs only the stored activations.
 */

/** Hidden-layer activations. */
export const HIDDEN_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'] as const;
/** Output-layer activations. */
export const OUTPUT_ACTIVATIONS = ['sigmoid', 'softmax', 'linear'] as const;

export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];
export type ActivationName = HiddenActivation | OutputActivation;

/** Slope of leaky ReLU for z < 0. */
export const LEAKY_SLOPE = 0.01;

/** A pointwise activation: value, derivative from the output, and what "saturated"/"dead" means for it. */
export interface PointwiseActivation {
  /** φ(z). */
  value(z: number): number;
  /** φ′(z) written as a function of a = φ(z). */
  derivativeFromOutput(a: number): number;
  /** Whether a unit with output a counts as saturated (sigmoid/tanh) or dead (ReLU); null when the notion does not apply. */
  saturated: ((a: number) => boolean) | null;
  /** Human label for the saturation statistic. */
  saturationLabel: 'saturated' | 'dead' | null;
}

/** Sigmoid units with output within this distance of 0 or 1 count as saturated (σ′ < 0.0099). */
export const SIGMOID_SATURATION = 0.01;
/** Tanh units with |a| above this count as saturated (tanh′ < 0.0199). */
export const TANH_SATURATION = 0.99;

function sigmoid(z: number): number {
  // Branch keeps exp() from overflowing for large |z|; both forms are exact rearrangements.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The pointwise activations (softmax is a row-wise function and lives in the losses module). */
export const ACTIVATIONS: Record<Exclude<ActivationName, 'softmax'>, PointwiseActivation> = {
  sigmoid: {
    value: sigmoid,
    derivativeFromOutput: (a) => a * (1 - a),
    saturated: (a) => a < SIGMOID_SATURATION || a > 1 - SIGMOID_SATURATION,
    saturationLabel: 'saturated',
  },
  tanh: {
    value: Math.tanh,
    derivativeFromOutput: (a) => 1 - a * a,
    saturated: (a) => Math.abs(a) > TANH_SATURATION,
    saturationLabel: 'saturated',
  },
  relu: {
    value: (z) => (z > 0 ? z : 0),
    derivativeFromOutput: (a) => (a > 0 ? 1 : 0),
    saturated: (a) => a <= 0,
    saturationLabel: 'dead',
  },
  leaky_relu: {
    value: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    derivativeFromOutput: (a) => (a > 0 ? 1 : LEAKY_SLOPE),
    saturated: (a) => a <= 0,
    saturationLabel: 'dead',
  },
  linear: {
    value: (z) => z,
    derivativeFromOutput: () => 1,
    saturated: null,
    saturationLabel: null,
  },
};

/** Numeric code of each activation, shared by the CPU backend and the WGSL kernels (uniform `act` field). */
export const ACTIVATION_CODE: Record<ActivationName, number> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leaky_relu: 4,
  softmax: 5,
};
