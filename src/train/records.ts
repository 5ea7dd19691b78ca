/**
 * What the trainer reports per logged step, per model, and how the flat metrics row a backend fills is laid out.
 */

/** Metrics of one model at one logged step. Per-layer arrays run from the input side (layer 0) to the output layer. */
export interface StepRecord {
  /** Index of the training step; step k's gradients are taken at the weights before update k (step 0: initial weights). */
  readonly step: number;
  /** Epochs of data seen before this step (fractional for mini-batches). */
  readonly epoch: number;
  /** Loss on this step's batch. */
  readonly loss: number;
  /** Share of this step's batch classified right, or null for regression. */
  readonly accuracy: number | null;
  /** ‖∂L/∂W_l‖_F per layer. */
  readonly gradNorms: readonly number[];
  /** ‖∂L/∂b_l‖₂ per layer. */
  readonly biasGradNorms: readonly number[];
  /** ‖W_l‖_F per layer, before the update. */
  readonly weightNorms: readonly number[];
  /**
   * Relative size of the plain gradient step per layer, lr·‖∂L/∂W_l‖_F / ‖W_l‖_F — exactly this step's
   * ‖ΔW_l‖/‖W_l‖ for SGD without clipping; for the other optimizers and clipping, the step before their scaling.
   */
  readonly updateRatios: readonly number[];
  /** The learning rate of this step's update, after the schedule (absent in records saved before schedules). */
  readonly lr?: number;
  /** Global L2 norm of all gradients of this step, before clipping. */
  readonly gradNormTotal: number;
  /** Factor norm clipping scaled the gradients by (1: untouched), or the share of entries value clipping changed (0: none). */
  readonly clipFactor: number;
  /** Mean of layer l's outputs on this batch. */
  readonly actMean: readonly number[];
  /** Standard deviation of layer l's outputs on this batch. */
  readonly actStd: readonly number[];
  /** Share of saturated (sigmoid/tanh) entries or dead (ReLU) units of layer l. */
  readonly saturation: readonly number[];
  /**
   * Only when the trainer records distributions: quantiles of each layer's activations a, gradients ∂L/∂z, weights W
   * and pre-activations z (the activation's input: x·W + b, or γ ⊙ x̂ + β with normalisation; NaN for the output
   * layer, whose z is not kept) at QUANTILE_LEVELS, value (l·4 + quantity)·9 + level (DISTRIBUTION_QUANTITIES
   * order), each within one histogram bin ((max − min)/256) of np.quantile.
   */
  readonly distributions?: Float32Array;
}

/**
 * The tensors whose distributions are recorded per layer, in their order within a record's `distributions`
 * (z last, so that a, ∂L/∂z and W keep their places within a layer's block).
 */
export const DISTRIBUTION_QUANTITIES = ['a', 'dz', 'w', 'z'] as const;

/** Values recorded per layer and quantity: the quantile levels (min, 7/16/31/50/69/84/93 %, max). */
export const DISTRIBUTION_LEVELS = 9;

/** Column layout of the metrics row of one model with `layers` weight layers. */
export interface MetricsLayout {
  readonly loss: number;
  readonly accuracy: number;
  readonly gradNorms: number;
  readonly biasGradNorms: number;
  readonly weightNorms: number;
  /** Start of (mean, std, saturation) triples, one per layer. */
  readonly actStats: number;
  /** Start of the distributions (4 quantities × 9 levels per layer), or −1 when they are not recorded. */
  readonly distributions: number;
  /** Columns in all. */
  readonly width: number;
}

/** The metrics row layout for a model of `layers` weight layers, with room for the distributions when asked. */
export function metricsLayout(layers: number, distributions = false): MetricsLayout {
  const gradNorms = 2;
  const biasGradNorms = gradNorms + layers;
  const weightNorms = biasGradNorms + layers;
  const actStats = weightNorms + layers;
  const stats = actStats + 3 * layers;
  const per = DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS;
  return { loss: 0, accuracy: 1, gradNorms, biasGradNorms, weightNorms, actStats, distributions: distributions ? stats : -1, width: stats + (distributions ? per * layers : 0) };
}

/** Turn one model's metrics row into a record. */
export function decodeRecord(
  row: ArrayLike<number>,
  layout: MetricsLayout,
  layers: number,
  step: number,
  epoch: number,
  classification: boolean,
  lr: number,
  gradNormTotal: number,
  clipFactor: number,
): StepRecord {
  const slice = (start: number) => Array.from({ length: layers }, (_, l) => row[start + l]!);
  const gradNorms = slice(layout.gradNorms);
  const weightNorms = slice(layout.weightNorms);
  const stat = (k: number) => Array.from({ length: layers }, (_, l) => row[layout.actStats + 3 * l + k]!);
  return {
    step,
    epoch,
    loss: row[layout.loss]!,
    accuracy: classification ? row[layout.accuracy]! : null,
    gradNorms,
    biasGradNorms: slice(layout.biasGradNorms),
    weightNorms,
    updateRatios: gradNorms.map((g, l) => (weightNorms[l]! > 0 ? (lr * g) / weightNorms[l]! : 0)),
    lr,
    gradNormTotal,
    clipFactor,
    actMean: stat(0),
    actStd: stat(1),
    saturation: stat(2),
    ...(layout.distributions >= 0 ? { distributions: Float32Array.from(distributionSlice(row, layout.distributions, layers)) } : {}),
  };
}

function distributionSlice(row: ArrayLike<number>, start: number, layers: number): number[] {
  const per = DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS;
  const z = DISTRIBUTION_QUANTITIES.indexOf('z') * DISTRIBUTION_LEVELS;
  // The output layer's z is not kept: its slots read NaN, not the zeros the metrics row holds there.
  return Array.from({ length: layers * per }, (_, i) => (i >= (layers - 1) * per + z && i < (layers - 1) * per + z + DISTRIBUTION_LEVELS ? NaN : row[start + i]!));
}

/** Whether any figure of a record is NaN or infinite (the run diverged). */
export function isDiverged(r: StepRecord): boolean {
  const all = [r.loss, ...r.gradNorms, ...r.biasGradNorms, ...r.weightNorms];
  return all.some((v) => !Number.isFinite(v));
}
