/**
 * Activation functions as a table keyed by URL-safe names. Each entry gives the value φ(z), the derivative
 * φ′(z) from the pre-activation z, and, where the output determines it, φ′ expressed through the *output*
 * a = φ(z), so backprop needs only the stored activations. GELU and SiLU are not monotonic (a does not
 * determine z): a layer that uses them keeps its pre-activations z for the backward pass.
 */

/** Hidden-layer activations. */
export const HIDDEN_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'gelu', 'silu', 'elu', 'softplus'] as const;
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
  /** φ′(z) written as a function of a = φ(z); null where a does not determine φ′ (GELU, SiLU: the layer keeps z). */
  derivativeFromOutput: ((a: number) => number) | null;
  /** φ′(z) from the pre-activation z. */
  derivative(z: number): number;
  /** Whether a unit with output a counts as saturated (sigmoid/tanh) or dead (ReLU); null when the notion does not apply. */
  saturated: ((a: number) => boolean) | null;
  /** Human label for the saturation statistic. */
  saturationLabel: 'saturated' | 'dead' | null;
}

/** Sigmoid units with output within this distance of 0 or 1 count as saturated (σ′ < 0.0099). */
export const SIGMOID_SATURATION = 0.01;
/** Tanh units with |a| above this count as saturated (tanh′ < 0.0199). */
export const TANH_SATURATION = 0.99;

/** Scale of ELU's negative branch, α in α(eᶻ − 1). */
export const ELU_ALPHA = 1;
/** √(2/π), GELU's tanh form. */
export const GELU_C = 0.7978845608028654;
/** The cubic coefficient of GELU's tanh form. */
export const GELU_K = 0.044715;

/**
 * GELU in the tanh form (Hendrycks & Gimpel 2016, as GPT-2 and PyTorch's approximate='tanh'):
 * ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))). The tanh form, not the erf form, because WGSL has no erf: CPU and
 * GPU then compute the same formula (it differs from z·Φ(z) by less than 5e-4).
 */
export function gelu(z: number): number {
  return 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_K * z * z * z)));
}

/** GELU′(z) of the tanh form: ½(1 + t) + ½·z·(1 − t²)·√(2/π)·(1 + 3·0.044715·z²), t = tanh(√(2/π)(z + 0.044715 z³)). */
export function geluDerivative(z: number): number {
  const t = Math.tanh(GELU_C * (z + GELU_K * z * z * z));
  return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * z * z);
}

/** SiLU′(z) = σ(z)·(1 + z·(1 − σ(z))). */
export function siluDerivative(z: number): number {
  const s = sigmoid(z);
  return s * (1 + z * (1 - s));
}

/** softplus(z) = ln(1 + eᶻ), written so that neither branch overflows. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic sigmoid σ(z) = 1/(1 + e^(−z)). */
export function sigmoid(z: number): number {
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
    derivative: (z) => {
      const s = sigmoid(z);
      return s * (1 - s);
    },
    saturated: (a) => a < SIGMOID_SATURATION || a > 1 - SIGMOID_SATURATION,
    saturationLabel: 'saturated',
  },
  tanh: {
    value: Math.tanh,
    derivativeFromOutput: (a) => 1 - a * a,
    derivative: (z) => 1 - Math.tanh(z) ** 2,
    saturated: (a) => Math.abs(a) > TANH_SATURATION,
    saturationLabel: 'saturated',
  },
  relu: {
    value: (z) => (z > 0 ? z : 0),
    derivativeFromOutput: (a) => (a > 0 ? 1 : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
    saturated: (a) => a <= 0,
    saturationLabel: 'dead',
  },
  leaky_relu: {
    value: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    derivativeFromOutput: (a) => (a > 0 ? 1 : LEAKY_SLOPE),
    derivative: (z) => (z > 0 ? 1 : LEAKY_SLOPE),
    saturated: (a) => a <= 0,
    saturationLabel: 'dead',
  },
  linear: {
    value: (z) => z,
    derivativeFromOutput: () => 1,
    derivative: () => 1,
    saturated: null,
    saturationLabel: null,
  },
  gelu: {
    value: gelu,
    derivativeFromOutput: null,
    derivative: geluDerivative,
    saturated: null,
    saturationLabel: null,
  },
  silu: {
    value: (z) => z * sigmoid(z),
    derivativeFromOutput: null,
    derivative: siluDerivative,
    saturated: null,
    saturationLabel: null,
  },
  elu: {
    value: (z) => (z > 0 ? z : ELU_ALPHA * Math.expm1(z)),
    // z ≤ 0: φ′ = α·eᶻ = a + α.
    derivativeFromOutput: (a) => (a > 0 ? 1 : a + ELU_ALPHA),
    derivative: (z) => (z > 0 ? 1 : ELU_ALPHA * Math.exp(z)),
    saturated: null,
    saturationLabel: null,
  },
  softplus: {
    value: softplus,
    // φ′ = σ(z) = 1 − e^(−a), since e^a = 1 + eᶻ.
    derivativeFromOutput: (a) => -Math.expm1(-a),
    derivative: sigmoid,
    saturated: null,
    saturationLabel: null,
  },
};

/** Whether a layer with this activation must keep its pre-activations z for the backward pass (φ′ is not a function of a). */
export function needsPreActivation(act: ActivationName): boolean {
  return act !== 'softmax' && ACTIVATIONS[act].derivativeFromOutput === null;
}

/**
 * Flag added to an activation code (CPU matmul jobs and the WGSL uniforms) when the stored tensor the derivative
 * reads holds the pre-activations z rather than the outputs a.
 */
export const FROM_INPUT_FLAG = 32;

/** Numeric code of each activation, shared by the CPU backend and the WGSL kernels (uniform `act` field). */
export const ACTIVATION_CODE: Record<ActivationName, number> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leaky_relu: 4,
  softmax: 5,
  gelu: 6,
  silu: 7,
  elu: 8,
  softplus: 9,
};
