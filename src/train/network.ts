/**
 * The network's passes on a backend: the activations and deltas of one row count (a workspace), the forward pass
 * (with batch or layer norm and residual connections), and the backward pass by the chain rule layer by layer.
 */
import type { Backend, DropoutMask, NormOptions, Tensor } from '../backend/backend.js';
import { shape } from '../backend/backend.js';
import { needsPreActivation, type HiddenActivation, type OutputActivation } from '../core/activations.js';
import { dropoutKey } from '../core/dropout-mask.js';
import type { LossName } from '../core/losses.js';
import { residualSources, type ModelSpec, type NormName } from '../core/spec.js';
import type { ParameterTensors } from './parameters.js';

/** ε added to the variance by batch and layer norm (PyTorch's default). */
export const NORM_EPS = 1e-5;

/** Momentum of batch norm's running statistics (PyTorch's default). */
export const BN_MOMENTUM = 0.1;

/** How the forward pass normalises with batch norm: training (batch statistics, running ones updated), evaluation (running statistics), or batch statistics alone. */
export type ForwardMode = 'train' | 'evaluate' | 'batch-stats';

/** Activations and deltas for one row count. */
export interface Workspace {
  readonly rows: number;
  /** acts[0] is the input; acts[l+1] the output h_l of layer l (the sum, where a residual connection ends there). */
  readonly acts: Tensor[];
  /** deltas[l] = ∂L/∂z of layer l (∂L/∂h_l on the way there). */
  readonly deltas: Tensor[];
  /** Hidden layers where a residual connection ends: the activations a_l = φ(…) before the sum; null elsewhere. */
  readonly post: (Tensor | null)[];
  /** Where a residual connection ends: ∂L/∂h_l saved for the skip's first layer (training only); null elsewhere. */
  readonly saved: (Tensor | null)[];
  /**
   * Hidden layers where some model's activation needs its input for φ′ (GELU, SiLU; keepsPreActivations), and every
   * hidden layer of a trainer that records distributions: the activation's input (z_l = a_{l−1}W_l + b_l, or
   * γ ⊙ x̂_l + β with normalisation), which the backward pass then reads φ′ from; null elsewhere.
   */
  readonly pre: (Tensor | null)[];
  /** Normalised hidden layers: the pre-activations z_l, x̂_l and 1/σ_l. */
  readonly z: Tensor[];
  readonly xhat: Tensor[];
  readonly invStd: Tensor[];
  /** Training workspaces with dropout: h̃_l = mask ⊙ h_l/(1 − p) of each hidden layer, what the layers above read; null elsewhere. */
  readonly dropped: (Tensor | null)[];
}

/** Per hidden layer: whether the activation's input is kept for the backward pass (some model's activation there is GELU or SiLU). */
export function keepsPreActivations(models: readonly Pick<ModelSpec, 'activations'>[]): boolean[] {
  const first = models[0];
  if (!first) return [];
  return first.activations.map((_, l) => models.some((m) => needsPreActivation(m.activations[l]!)));
}

/** Matmul FLOPs of one training step (forward, weight gradients, input gradients of layers above the first). */
export function flopsPerStep(sizes: readonly number[], rows: number, models = 1): number {
  let f = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const mk = sizes[l]! * sizes[l + 1]!;
    f += 2 * rows * mk * (l === 0 ? 2 : 3);
  }
  return f * models;
}

/** The forward and backward passes of a cohort of same-shape models over its parameter tensors. */
export class Network {
  /** Number of weight layers. */
  readonly layers: number;
  /** Number of models trained together. */
  readonly members: number;
  /** Activations per model of each hidden layer, and of the output layer (built once: the step loop allocates nothing). */
  readonly hiddenActs: readonly HiddenActivation[][];
  readonly outActs: OutputActivation[];
  private readonly loss: LossName;
  private readonly outputActivation: OutputActivation;
  private readonly norm: NormName;
  /** Per hidden layer: the hidden layer its residual connection starts from, or −1. */
  private readonly sources: readonly number[];
  /** Per hidden layer: the hidden layer whose residual connection starts here, or −1. */
  private readonly targets: readonly number[];
  /** Per hidden layer: whether its backward pass is unfused (normalised, or a residual connection starts or ends there). */
  private readonly unfused: readonly boolean[];
  /** Per hidden layer: whether it has a buffer for the activation's input (Workspace.pre). */
  private readonly keepsPre: readonly boolean[];
  /** Per hidden layer: whether its backward pass reads the activation's input (GELU, SiLU): written at every step. */
  private readonly needsPre: readonly boolean[];
  /** 'linear' for every model: the epilogue that writes the activation's input alone. */
  private readonly linears: readonly HiddenActivation[];
  private readonly identities = new Map<number, Uint32Array>();
  private readonly weights: readonly Tensor[];
  private readonly biases: readonly Tensor[];
  private readonly gammas: readonly Tensor[];
  private readonly wGrads: readonly Tensor[];
  private readonly bGrads: readonly Tensor[];
  private readonly gGrads: readonly Tensor[];
  private readonly runMean: readonly Tensor[];
  private readonly runVar: readonly Tensor[];
  /** Whether any model drops units (dropout rate above 0). */
  readonly dropout: boolean;
  /** Dropout seed per model. */
  private readonly dropSeeds: readonly number[];
  /** Per hidden layer, the dropout mask of the current step (keys per model; see setDropoutStep). */
  private readonly masks: readonly { readonly keys: number[]; readonly rates: readonly number[] }[];

  constructor(
    private readonly backend: Backend,
    models: readonly ModelSpec[],
    private readonly sizes: readonly number[],
    p: ParameterTensors,
    /** Keep every hidden layer's pre-activations (for their distributions), not only those GELU and SiLU need. */
    keepAllPre = false,
  ) {
    const first = models[0]!;
    this.layers = sizes.length - 1;
    this.loss = first.loss;
    this.outputActivation = first.outputActivation;
    this.norm = first.norm ?? 'none';
    this.sources = residualSources(first);
    const targets = first.hidden.map(() => -1);
    this.sources.forEach((src, l) => src >= 0 && (targets[src] = l));
    this.targets = targets;
    this.unfused = first.hidden.map((_, l) => this.norm !== 'none' || this.sources[l]! >= 0 || targets[l]! >= 0);
    this.hiddenActs = first.hidden.map((_, l) => models.map((m) => m.activations[l]!));
    this.outActs = models.map((m) => m.outputActivation);
    this.members = models.length;
    this.needsPre = keepsPreActivations(models);
    this.keepsPre = this.needsPre.map((k) => k || keepAllPre);
    this.linears = models.map(() => 'linear' as const);
    this.weights = p.weights;
    this.biases = p.biases;
    this.gammas = p.gammas;
    this.runMean = p.runMean;
    this.runVar = p.runVar;
    this.wGrads = p.wGrads;
    this.bGrads = p.bGrads;
    this.gGrads = p.gGrads;
    const rates = models.map((m) => m.dropout ?? 0);
    this.dropout = rates.some((r) => r > 0);
    this.dropSeeds = models.map((m) => m.dropoutSeed ?? m.initSeed);
    this.masks = first.hidden.map(() => ({ keys: models.map(() => 0), rates }));
  }

  /** Draw the dropout masks of training step `step` (0 for the first update): the key of each hidden layer and model. */
  setDropoutStep(step: number): void {
    if (!this.dropout) return;
    this.masks.forEach((mask, l) => {
      for (let b = 0; b < mask.keys.length; b++) mask.keys[b] = dropoutKey(this.dropSeeds[b]!, step, l);
    });
  }

  /** The dropout mask of hidden layer l at the current step. */
  maskOf(l: number): DropoutMask {
    return this.masks[l]!;
  }

  /** The output of hidden layer l as the layers above see it: dropped in a training pass with dropout. */
  private seen(ws: Workspace, l: number, train: boolean): Tensor {
    return (train ? ws.dropped[l] : null) ?? ws.acts[l + 1]!;
  }

  /** The input of weight layer l. */
  private inputOf(ws: Workspace, l: number, train: boolean): Tensor {
    return l === 0 ? ws.acts[0]! : this.seen(ws, l - 1, train);
  }

  /** Activations (and with `withDeltas` deltas) of `rows` rows of every model, reading `input`. */
  workspace(rows: number, input: Tensor, withDeltas: boolean): Workspace {
    const B = this.members;
    const ws: Workspace = { rows, acts: [input], deltas: [], post: [], saved: [], pre: [], z: [], xhat: [], invStd: [], dropped: [] };
    const make = (cols: number, r = rows) => this.backend.tensor(shape(B, r, cols));
    for (let l = 0; l < this.layers; l++) {
      const w = this.sizes[l + 1]!;
      ws.acts.push(make(w));
      if (withDeltas) ws.deltas.push(make(w));
      if (l === this.layers - 1) continue;
      const ends = this.sources[l]! >= 0;
      ws.post.push(ends ? make(w) : null);
      ws.saved.push(ends && withDeltas ? make(w) : null);
      ws.pre.push(this.keepsPre[l] ? make(w) : null);
      ws.dropped.push(this.dropout && withDeltas ? make(w) : null);
      if (this.norm === 'none') continue;
      ws.z.push(make(w));
      ws.xhat.push(make(w));
      ws.invStd.push(this.norm === 'batch' ? make(w, 1) : make(1));
    }
    return ws;
  }

  /** Every tensor a workspace allocated (its input excluded), for release. */
  workspaceTensors(ws: Workspace): Tensor[] {
    const all = [...ws.acts.slice(1), ...ws.deltas, ...ws.z, ...ws.xhat, ...ws.invStd];
    for (const t of [...ws.post, ...ws.saved, ...ws.pre, ...ws.dropped]) if (t) all.push(t);
    return all;
  }

  /** Activation of hidden layer l, per model. */
  private activationsOf(l: number): HiddenActivation[] {
    return this.hiddenActs[l]!;
  }

  /** Copy src into dst (same shape) through a gather of every row in order. */
  private copy(src: Tensor, dst: Tensor, rows: number): void {
    let identity = this.identities.get(rows);
    if (!identity) {
      identity = Uint32Array.from({ length: rows }, (_, i) => i);
      this.identities.set(rows, identity);
    }
    this.backend.gatherRows(src, identity, dst);
  }

  /**
   * Forward pass from ws.acts[0] to ws.acts[layers] (the prediction). With `keepZ`, every layer that has a buffer for
   * it writes the activation's input z into Workspace.pre (for the distributions of a logged step); otherwise only the
   * layers whose backward pass needs z do, and the others apply their activation in the matmul's epilogue.
   */
  forward(ws: Workspace, mode: ForwardMode, keepZ = false): void {
    const backend = this.backend;
    const L = this.layers;
    const train = mode === 'train';
    for (let l = 0; l < L; l++) {
      const input = this.inputOf(ws, l, train);
      if (l === L - 1) {
        backend.matmul(input, this.weights[l]!, ws.acts[l + 1]!, { epilogue: { kind: 'bias_act', bias: this.biases[l]!, activations: this.outActs } });
        continue;
      }
      const pre = this.needsPre[l] || keepZ ? (ws.pre[l] ?? null) : null;
      // A layer that keeps z writes it first (linear epilogue) and applies its activation apart (the same values).
      const activations = pre ? this.linears : this.activationsOf(l);
      const a = pre ?? ws.post[l] ?? ws.acts[l + 1]!;
      if (this.norm === 'none') {
        backend.matmul(input, this.weights[l]!, a, { epilogue: { kind: 'bias_act', bias: this.biases[l]!, activations } });
      } else {
        backend.matmul(input, this.weights[l]!, ws.z[l]!);
        const opts: NormOptions = { eps: NORM_EPS, xhat: ws.xhat[l]!, invStd: ws.invStd[l]! };
        const running = { mean: this.runMean[l]!, variance: this.runVar[l]!, momentum: BN_MOMENTUM };
        const extra = this.norm !== 'batch' || mode === 'batch-stats' ? {} : mode === 'train' ? { running } : { running, evaluate: true };
        backend.normForward(this.norm, ws.z[l]!, this.gammas[l]!, this.biases[l]!, a, activations, { ...opts, ...extra });
      }
      const out = ws.post[l] ?? ws.acts[l + 1]!;
      if (pre) backend.activateInto(pre, out, this.activationsOf(l));
      const src = this.sources[l]!;
      if (src >= 0) {
        this.copy(out, ws.acts[l + 1]!, ws.rows);
        backend.addInto(ws.acts[l + 1]!, this.seen(ws, src, train));
      }
      if (train && ws.dropped[l]) backend.dropout(ws.acts[l + 1]!, ws.dropped[l]!, this.masks[l]!);
    }
  }

  /** Backward pass after `forward(ws, 'train')`: the loss gradient against `target`, then ∂L/∂W, ∂L/∂b, ∂L/∂γ of every layer. */
  backward(ws: Workspace, target: Tensor): void {
    const backend = this.backend;
    const L = this.layers;
    backend.outputDelta(this.loss, this.outputActivation, ws.acts[L]!, target, ws.deltas[L - 1]!);
    for (let l = L - 1; l >= 0; l--) {
      const d = ws.deltas[l]!;
      const unfused = l < L - 1 && this.unfused[l]!;
      if (unfused) {
        // d holds ∂L/∂h_l: keep it for the skip's first layer, then take it through φ′ and the normalisation.
        if (ws.saved[l]) this.copy(d, ws.saved[l]!, ws.rows);
        const pre = this.needsPre[l] ? (ws.pre[l] ?? null) : null;
        backend.actGradInPlace(d, pre ?? ws.post[l] ?? ws.acts[l + 1]!, this.activationsOf(l), pre !== null);
        if (this.norm === 'none') backend.columnSums(d, this.bGrads[l]!);
        else backend.normBackward(this.norm, d, ws.xhat[l]!, ws.invStd[l]!, this.gammas[l]!, d, this.gGrads[l]!, this.bGrads[l]!);
      }
      backend.matmul(this.inputOf(ws, l, true), d, this.wGrads[l]!, { transA: true });
      if (!unfused) backend.columnSums(d, this.bGrads[l]!);
      if (l > 0) {
        const below = l - 1;
        const pre = this.needsPre[below] ? (ws.pre[below] ?? null) : null;
        const epilogue = this.unfused[below]
          ? ({ kind: 'none' } as const)
          : ({ kind: 'act_grad', act: pre ?? ws.acts[l]!, activations: this.activationsOf(below), fromInput: pre !== null } as const);
        backend.matmul(d, this.weights[l]!, ws.deltas[below]!, { transB: true, epilogue });
        const target = this.targets[below]!;
        if (target >= 0) backend.addInto(ws.deltas[below]!, ws.saved[target]!);
        // ∂L/∂h̃ → ∂L/∂h: the same mask (it commutes with the φ′ the fused epilogue applied).
        if (ws.dropped[below]) backend.dropout(ws.deltas[below]!, ws.deltas[below]!, this.masks[below]!);
      }
    }
  }
}
