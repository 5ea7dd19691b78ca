/**
 * The backend interface the trainer talks to, GPU-first: tensors live in the backend, operations are
 * enqueued (on the GPU, encoded into the current command encoder) and nothing comes back to JavaScript
 * except through the asynchronous `read`.
 *
 * Every tensor is a stack of `batch` row-major matrices of `rows × cols`: the batch dimension holds several
 * same-shape models trained in lockstep (the sigmoid and ReLU stacks of a comparison). An operand whose
 * batch is 1 is broadcast over the batch of the output (one data set feeding every model).
 */
import type { ActivationName, HiddenActivation, OutputActivation } from '../core/activations.js';
import type { LossName } from '../core/losses.js';

/** Shape of a tensor: `batch` matrices of `rows × cols`. */
export interface Shape {
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
}

/** An opaque handle to a tensor owned by a backend. */
export interface Tensor {
  readonly shape: Shape;
}

/** What the matmul writes after the product P = op(A)·op(B). Activation lists hold one entry per batch entry of the output. */
export type Epilogue =
  /** out = P */
  | { readonly kind: 'none' }
  /** out = φ_b(P + bias[b]) with bias of shape [batch, 1, cols]; φ_b is the activation of batch entry b. */
  | { readonly kind: 'bias_act'; readonly bias: Tensor; readonly activations: readonly ActivationName[] }
  /**
   * out = P ⊙ φ_b′ expressed through the stored activations `act` (same shape as out); with `fromInput`, `act` holds
   * the pre-activations z and φ_b′(z) is used (layers whose activation is GELU or SiLU keep z).
   */
  | { readonly kind: 'act_grad'; readonly act: Tensor; readonly activations: readonly HiddenActivation[]; readonly fromInput?: boolean };

/** Which normalisation a hidden layer has: over the batch (per unit) or over the layer (per sample). */
export type NormKind = 'batch' | 'layer';

/** Options of `normForward`. */
export interface NormOptions {
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** x̂, same shape as z. */
  readonly xhat: Tensor;
  /** 1/√(σ² + eps): [B, 1, cols] for batch norm, [B, rows, 1] for layer norm. */
  readonly invStd: Tensor;
  /** Batch norm: running mean and variance ([B, 1, cols]) and the momentum m of their update. */
  readonly running?: { readonly mean: Tensor; readonly variance: Tensor; readonly momentum: number };
  /** Batch norm: normalise with the running statistics (evaluation); nothing is updated. */
  readonly evaluate?: boolean;
}

/** Options of one (batched) matrix product. */
export interface MatmulOptions {
  /** Use Aᵀ instead of A (read transposed inside the kernel, no transpose pass). */
  readonly transA?: boolean;
  /** Use Bᵀ instead of B. */
  readonly transB?: boolean;
  /** Fused epilogue; defaults to `none`. */
  readonly epilogue?: Epilogue;
}

/**
 * Gradient clipping before the update, per batch entry (model): by the global L2 norm over all the gradients
 * passed to `update` (g ← g·min(1, max/‖g‖)), or elementwise by value (g ← clamp(g, −max, max)).
 */
export type ClipRule = { readonly kind: 'norm' | 'value'; readonly max: readonly number[] };

/**
 * A parameter update rule. Arrays hold one entry per batch entry (model), one value each.
 * - sgd:      θ ← θ − lr·g
 * - momentum: v ← μ·v + g;  θ ← θ − lr·v                (nesterov: θ ← θ − lr·(g + μ·v))
 * - rmsprop:  s ← ρ·s + (1−ρ)·g²;  θ ← θ − lr·g/(√s + ε)
 * - adam:     m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  θ ← θ − lr·m̂/(√v̂ + ε),
 *             t = `step` (1 for the first update)
 * Optimizer state (v, s, m) lives in the backend, zero-initialised on the first update of a parameter list and
 * kept per list of parameter tensors; `resetOptimizerState(params)` zeroes it.
 * `clip` is applied to the gradients first. With `report`, the update writes, per batch entry, the global
 * gradient norm before clipping to metrics[b, 0, col] and the factor applied by norm clipping (1 = untouched;
 * for value clipping, the share of entries clipped) to metrics[b, 0, col + 1].
 */
export type UpdateRule = (
  | { readonly kind: 'sgd'; readonly lr: readonly number[] }
  | { readonly kind: 'momentum'; readonly lr: readonly number[]; readonly momentum: readonly number[]; readonly nesterov: boolean }
  | { readonly kind: 'rmsprop'; readonly lr: readonly number[]; readonly decay: readonly number[]; readonly eps: number }
  | {
      readonly kind: 'adam';
      readonly lr: readonly number[];
      readonly beta1: readonly number[];
      readonly beta2: readonly number[];
      readonly eps: number;
      readonly step: number;
    }
) & { readonly clip?: ClipRule; readonly report?: { readonly metrics: Tensor; readonly col: number }; readonly weightDecay?: WeightDecayRule };

/**
 * L2 weight decay in an update, per batch entry b, of the first `tensors` parameters passed to `update` (the weights;
 * biases and γ come after them and are not decayed), after clipping, with θ the parameter before this update:
 *   coupled[b] = λ:   g ← g + λ·θ (the rule then runs on this g; the stored gradient is left as it was)
 *   decoupled[b] = λ: θ ← θ − (lr·λ)·θ, then the rule's step is subtracted (AdamW; lr·λ computed in f64)
 * A 0 turns that part off.
 */
export interface WeightDecayRule {
  readonly tensors: number;
  readonly coupled: readonly number[];
  readonly decoupled: readonly number[];
}

/**
 * Inverted dropout of one layer's output [B, rows, cols], per batch entry b: the element at row-major index i of
 * entry b is kept iff dropoutKeeps(keys[b], i, dropoutThreshold(rates[b])) (src/core/dropout-mask.ts) and then
 * multiplied by 1/(1 − rates[b]); otherwise set to 0. A rate of 0 keeps everything unchanged.
 */
export interface DropoutMask {
  readonly keys: readonly number[];
  readonly rates: readonly number[];
}

/**
 * The optimizer state of one parameter list, one flat array per parameter (values as f64): `first` is the velocity
 * (momentum) or first moment (Adam), `second` the mean square (RMSProp) or second moment (Adam); null where the
 * rules used so far need none (equivalent to zeros).
 */
export interface OptimizerSnapshot {
  readonly first: readonly Float64Array[] | null;
  readonly second: readonly Float64Array[] | null;
}

/** Where and how a backend runs, for badges and benchmark records. */
export interface BackendInfo {
  /** 'cpu' or 'webgpu'. */
  readonly kind: 'cpu' | 'webgpu';
  /** Element type of the tensors. */
  readonly dtype: 'f32' | 'f64';
  /** Human description: "CPU f64 (1 thread)", "WebGPU: google swiftshader". */
  readonly description: string;
  /** Adapter details on WebGPU (vendor, architecture, device, description, isFallbackAdapter). */
  readonly adapter?: Readonly<Record<string, string | boolean>>;
}

/** Why a backend stopped working (device lost, out of memory, validation error). */
export interface BackendFault {
  readonly reason: 'device-lost' | 'out-of-memory' | 'validation' | 'internal';
  readonly message: string;
}

/** The operations a trainer needs. Shapes are checked by the implementation; a mismatch throws. */
export interface Backend {
  readonly info: BackendInfo;
  /** Largest single tensor in bytes this backend accepts (device buffer binding limit, or a CPU budget). */
  readonly maxTensorBytes: number;
  /** Bytes per element. */
  readonly bytesPerElement: number;
  /** Total bytes a trainer may allocate on this backend; absent: the trainer's default budget. */
  readonly budgetBytes?: number;

  /** A zero-filled tensor, or one filled from `data` (row-major, batch-major, length batch·rows·cols). */
  tensor(shape: Shape, data?: ArrayLike<number>): Tensor;
  /** Several tensors allocated together (parameters, gradients), so that one dispatch can update them all. */
  tensors(shapes: readonly Shape[]): Tensor[];
  /** Overwrite a tensor's contents (length batch·rows·cols). */
  write(t: Tensor, data: ArrayLike<number>): void;
  /** Read a tensor back after all work enqueued before this call; values converted to f64. */
  read(t: Tensor): Promise<Float64Array>;
  /** Release a tensor. */
  dispose(t: Tensor): void;

  /** out[b] = epilogue(op(A[b])·op(B[b])), A or B broadcast when its batch is 1. */
  matmul(a: Tensor, b: Tensor, out: Tensor, opts?: MatmulOptions): void;
  /** out[b] = rows `rows[i]` of src (src batch 1 or out's batch); used to draw mini-batches. */
  gatherRows(src: Tensor, rows: Uint32Array, out: Tensor): void;
  /** Row-wise softmax in place (output layer of a classifier). */
  softmaxRows(t: Tensor): void;
  /** δ = ∂L/∂z of the output layer, from predictions ŷ = φ_out(z) and targets (target batch may be 1). */
  outputDelta(loss: LossName, outAct: OutputActivation, pred: Tensor, target: Tensor, delta: Tensor): void;
  /** out[b, 0, col] = column sums of src[b] (bias gradient); out has shape [batch, 1, cols]. */
  columnSums(src: Tensor, out: Tensor): void;
  /** Apply one update step to every parameter tensor from its gradient (gradients may be clipped in place). */
  update(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule): void;
  /** Zero the optimizer state kept for this parameter list (after new weights are set). */
  resetOptimizerState(params: readonly Tensor[]): void;
  /** The optimizer state kept for this parameter list, read after all work enqueued before this call. */
  readOptimizerState(params: readonly Tensor[]): Promise<OptimizerSnapshot>;
  /** Overwrite the optimizer state of this parameter list (a null part is zeroed); lengths must match the parameters. */
  writeOptimizerState(params: readonly Tensor[], state: OptimizerSnapshot): void;

  /**
   * Normalisation of a hidden layer's pre-activations z [B, rows, cols], then scale, shift and activation:
   *   batch: mean μ and biased variance σ² (1/rows) of each column over the rows; layer: of each row over the columns;
   *   x̂ = (z − μ)/√(σ² + eps);  out = φ_b(γ ⊙ x̂ + β),  γ and β of shape [B, 1, cols].
   * Writes x̂ to `xhat` (shape of z) and 1/√(σ² + eps) to `invStd` ([B, 1, cols] for batch, [B, rows, 1] for layer).
   * Batch norm with `running` (training) also updates the running statistics, PyTorch's convention:
   *   mean ← (1 − m)·mean + m·μ;  var ← (1 − m)·var + m·σ²·rows/(rows − 1)   (running tensors [B, 1, cols]).
   * Batch norm with `evaluate` uses the running statistics instead of the batch's and updates nothing.
   */
  normForward(kind: NormKind, z: Tensor, gamma: Tensor, beta: Tensor, out: Tensor, activations: readonly HiddenActivation[], opts: NormOptions): void;
  /**
   * Backward of `normForward` (training mode) from g = ∂L/∂u, u = γ ⊙ x̂ + β (the activation derivative already
   * applied): dGamma = Σ_rows g ⊙ x̂ and dBeta = Σ_rows g ([B, 1, cols]), and dz = ∂L/∂z:
   *   batch, per column over its N = rows entries: dz = invStd/N · (N·gγ − Σ gγ − x̂ · Σ (gγ ⊙ x̂));
   *   layer, per row over its N = cols entries: the same formula with the row's sums.
   * `dz` may be `g` itself (computed in place).
   */
  normBackward(kind: NormKind, g: Tensor, xhat: Tensor, invStd: Tensor, gamma: Tensor, dz: Tensor, dGamma: Tensor, dBeta: Tensor): void;
  /** dst ← dst + src, same shape (a residual connection's sum, and its gradient flowing back). */
  addInto(dst: Tensor, src: Tensor): void;
  /** t ← t ⊙ φ_b′, the derivative expressed through the stored activations `act` (same shape as t); with `fromInput`, `act` holds z. */
  actGradInPlace(t: Tensor, act: Tensor, activations: readonly HiddenActivation[], fromInput?: boolean): void;
  /** out ← φ_b(z) elementwise, same shape (a layer that keeps its pre-activations z applies its activation apart). */
  activateInto(z: Tensor, out: Tensor, activations: readonly HiddenActivation[]): void;
  /** dst ← src ⊙ mask (inverted dropout, see DropoutMask); dst may be src (in place: the backward pass). */
  dropout(src: Tensor, dst: Tensor, mask: DropoutMask): void;

  /** metrics[b, 0, col] = loss of batch entry b. */
  lossInto(loss: LossName, pred: Tensor, target: Tensor, metrics: Tensor, col: number): void;
  /** metrics[b, 0, col] = share of rows classified right (argmax for several outputs, ŷ ≥ 0.5 for one). */
  accuracyInto(pred: Tensor, target: Tensor, metrics: Tensor, col: number): void;
  /**
   * metrics[b, 0, col + i] = ‖tensors[i][b]‖₂ (Frobenius), computed with power-of-two scaling so that
   * norms stay accurate for entries down to the smallest normal number; a tensor of zeros gives 0.
   */
  normsInto(tensors: readonly Tensor[], metrics: Tensor, col: number): void;
  /**
   * metrics[b, 0, col..col+2] = mean, standard deviation and saturated share of the activations a[b]:
   * sigmoid/tanh: share of entries with a saturated unit; relu/leaky_relu: share of units (columns)
   * inactive on every row ("dead"); linear: 0.
   */
  activationStatsInto(a: Tensor, activations: readonly ActivationName[], metrics: Tensor, col: number): void;
  /**
   * metrics[b, 0, col + i] = quantile QUANTILE_LEVELS[i] (min, 7/16/31/50/69/84/93 %, max) of t[b], read off a
   * 256-bin histogram over [min, max] as np.quantile's 'linear' method would: |error| < (max − min)/256
   * (src/backend/cpu/quantiles.ts); min and max exact; NaN at every level when t[b] holds a NaN or infinity.
   */
  quantilesInto(t: Tensor, metrics: Tensor, col: number): void;

  /**
   * End of a step: the work enqueued so far may be submitted now or batched with the next steps' work (the GPU
   * backend may keep several steps in one command buffer); `read` and `sync` always submit first. A no-op on the CPU.
   */
  flush(): void;
  /** Resolve when all submitted work has finished. */
  sync(): Promise<void>;
  /** Resolves when the backend can no longer run (device lost); never resolves otherwise. */
  readonly fault: Promise<BackendFault>;
  /** Release every resource. */
  destroy(): void;
}

/** Number of elements of a shape. */
export function shapeSize(s: Shape): number {
  return s.batch * s.rows * s.cols;
}

/** A shape literal. */
export function shape(batch: number, rows: number, cols: number): Shape {
  return { batch, rows, cols };
}
