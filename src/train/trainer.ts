/**
 * The trainer: forward pass, loss, backward pass by the chain rule layer by layer, and the update, for one
 * or more same-shape models trained in lockstep on one backend (the models are the batch dimension of every
 * tensor). Everything stays in the backend; metrics come back asynchronously at the logging interval.
 */
import type { Backend, NormOptions, Tensor, UpdateRule } from '../backend/backend.js';
import { shape } from '../backend/backend.js';
import type { HiddenActivation, OutputActivation } from '../core/activations.js';
import type { Dataset } from '../core/datasets.js';
import { initParameters, type Parameters } from '../core/init.js';
import { NumpyRandom } from '../core/rng.js';
import { OPTIMIZER_DEFAULTS, layerSizes, residualSources, type ModelSpec, type NormName, type ScheduleSpec } from '../core/spec.js';
import { DEFAULT_BUDGET_BYTES, checkPlan, planMemory } from './memory.js';
import { decodeRecord, isDiverged, metricsLayout, type MetricsLayout, type StepRecord } from './records.js';

/** Updates whose global gradient norm is kept for divergence detection between logged steps. */
const WATCH_SLOTS = 64;

/** Metric reads in flight at most during `run` before it waits for the oldest. */
const MAX_PENDING_READS = 4;

/** ε added to the variance by batch and layer norm (PyTorch's default). */
export const NORM_EPS = 1e-5;

/** Momentum of batch norm's running statistics (PyTorch's default). */
export const BN_MOMENTUM = 0.1;

/** How the forward pass normalises with batch norm: training (batch statistics, running ones updated), evaluation (running statistics), or batch statistics alone. */
type ForwardMode = 'train' | 'evaluate' | 'batch-stats';

/** What to train: models of one shape, one data set, one schedule. */
export interface TrainerConfig {
  readonly models: readonly ModelSpec[];
  readonly data: Dataset;
  readonly schedule: ScheduleSpec;
}

/** State of one model of the cohort. */
export interface MemberStatus {
  /** Step at which a NaN or infinity first showed in its records, or null. */
  readonly divergedAt: number | null;
}

/** Activations and deltas for one row count. */
interface Workspace {
  readonly rows: number;
  /** acts[0] is the input; acts[l+1] the output h_l of layer l (the sum, where a residual connection ends there). */
  readonly acts: Tensor[];
  /** deltas[l] = ∂L/∂z of layer l (∂L/∂h_l on the way there). */
  readonly deltas: Tensor[];
  /** Hidden layers where a residual connection ends: the activations a_l = φ(…) before the sum; null elsewhere. */
  readonly post: (Tensor | null)[];
  /** Where a residual connection ends: ∂L/∂h_l saved for the skip's first layer (training only); null elsewhere. */
  readonly saved: (Tensor | null)[];
  /** Normalised hidden layers: the pre-activations z_l, x̂_l and 1/σ_l. */
  readonly z: Tensor[];
  readonly xhat: Tensor[];
  readonly invStd: Tensor[];
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

/** Check that several model specs can share one batched trainer. */
export function checkCohort(models: readonly ModelSpec[]): string | null {
  const first = models[0];
  if (!first) return 'at least one model is needed';
  const key = (m: ModelSpec) =>
    `${layerSizes(m).join(',')}|${m.outputActivation}|${m.loss}|${m.optimizer.kind}|${m.clip?.kind ?? 'no clip'}|norm ${m.norm ?? 'none'}|residual ${m.residual ?? 0}`;
  for (const m of models) {
    if (key(m) !== key(first)) {
      return `models trained together need the same layer sizes, output activation, loss, optimizer, clipping, normalisation and residual connections (${key(first)} vs ${key(m)})`;
    }
  }
  return null;
}

/** The backend update rule of a cohort at update number t (1 for the first). */
export function updateRule(models: readonly ModelSpec[], t: number): UpdateRule {
  const first = models[0]!;
  const lr = models.map((m) => m.optimizer.lr);
  const pick = (k: 'momentum' | 'beta1' | 'beta2' | 'decay') => models.map((m) => m.optimizer[k] ?? OPTIMIZER_DEFAULTS[k]);
  const eps = first.optimizer.eps ?? OPTIMIZER_DEFAULTS.eps;
  const clip = first.clip ? { clip: { kind: first.clip.kind, max: models.map((m) => m.clip?.max ?? Infinity) } } : {};
  switch (first.optimizer.kind) {
    case 'sgd':
      return { kind: 'sgd', lr, ...clip };
    case 'momentum':
    case 'nesterov':
      return { kind: 'momentum', lr, momentum: pick('momentum'), nesterov: first.optimizer.kind === 'nesterov', ...clip };
    case 'rmsprop':
      return { kind: 'rmsprop', lr, decay: pick('decay'), eps, ...clip };
    case 'adam':
      return { kind: 'adam', lr, beta1: pick('beta1'), beta2: pick('beta2'), eps, step: t, ...clip };
  }
}

/** Trains a cohort of same-shape models. */
export class Trainer {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  /** Number of weight layers. */
  readonly layers: number;
  /** Rows per training step. */
  readonly rowsPerStep: number;
  /** Metrics row layout. */
  readonly layout: MetricsLayout;
  private readonly models: readonly ModelSpec[];
  private readonly weights: Tensor[];
  private readonly biases: Tensor[];
  private readonly wGrads: Tensor[];
  private readonly bGrads: Tensor[];
  /** Scale γ of each normalised hidden layer (empty without normalisation) and its gradient. */
  private readonly gammas: Tensor[];
  private readonly gGrads: Tensor[];
  /** Batch norm's running mean and variance per hidden layer (empty otherwise). */
  private readonly runMean: Tensor[];
  private readonly runVar: Tensor[];
  private readonly norm: NormName;
  /** Per hidden layer: the hidden layer its residual connection starts from, or −1. */
  private readonly sources: readonly number[];
  /** Per hidden layer: the hidden layer whose residual connection starts here, or −1. */
  private readonly targets: readonly number[];
  /** Per hidden layer: whether its backward pass is unfused (normalised, or a residual connection starts or ends there). */
  private readonly unfused: readonly boolean[];
  private readonly identities = new Map<number, Uint32Array>();
  /** Every parameter tensor (weights, biases, γ) and its gradient, in update order. */
  private readonly params: readonly Tensor[];
  private readonly grads: readonly Tensor[];
  /** Activations per model of each hidden layer, and of the output layer (built once: the step loop allocates nothing). */
  private readonly hiddenActs: readonly HiddenActivation[][];
  private readonly outActs: OutputActivation[];
  /** Update rules by watch slot (optimizers without a step count), built on first use. */
  private readonly slotRules: UpdateRule[] = [];
  private readonly xAll: Tensor;
  private readonly yAll: Tensor;
  private readonly xBatch: Tensor | null;
  private readonly yBatch: Tensor | null;
  private readonly train: Workspace;
  private readonly evalSpaces = new Map<number, Workspace>();
  private readonly metrics: Tensor;
  /** Ring of (global gradient norm, clip factor) of the last `watchSlots` updates, per model. */
  private readonly watch: Tensor;
  private readonly watchSlots: number;
  private lastLogged = -1;
  private readonly batchRng: NumpyRandom;
  private readonly batchRows: Uint32Array;
  private order: Uint32Array = new Uint32Array(0);
  private orderPos = 0;
  private stepIndex = 0;
  private readonly status: { divergedAt: number | null }[];

  constructor(
    private readonly backend: Backend,
    private readonly config: TrainerConfig,
    initial?: readonly Parameters[],
    startStep = 0,
  ) {
    this.stepIndex = startStep;
    const problem = checkCohort(config.models);
    if (problem) throw new Error(problem);
    this.models = config.models;
    const B = this.models.length;
    const first = this.models[0]!;
    this.sizes = layerSizes(first);
    this.layers = this.sizes.length - 1;
    const data = config.data;
    if (data.inputDim !== first.inputDim || data.outputDim !== first.outputDim) {
      throw new Error(`data set ${data.name} is ${data.inputDim} → ${data.outputDim}, the model ${first.inputDim} → ${first.outputDim}`);
    }
    const bs = config.schedule.batchSize;
    this.rowsPerStep = bs === 0 ? data.n : Math.min(bs, data.n);
    this.layout = metricsLayout(this.layers);
    this.status = this.models.map(() => ({ divergedAt: null }));
    this.norm = first.norm ?? 'none';
    this.sources = residualSources(first);
    const targets = first.hidden.map(() => -1);
    this.sources.forEach((src, l) => src >= 0 && (targets[src] = l));
    this.targets = targets;
    this.unfused = first.hidden.map((_, l) => this.norm !== 'none' || this.sources[l]! >= 0 || targets[l]! >= 0);
    const plan = planMemory(this.sizes, this.rowsPerStep, data.n, B, backend.bytesPerElement, bs !== 0, this.layout.width, first);
    checkPlan(plan, backend.info.description, backend.maxTensorBytes, backend.budgetBytes ?? DEFAULT_BUDGET_BYTES);

    const params = initial ?? this.models.map((m) => initParameters(m));
    const wShapes = [];
    const bShapes = [];
    for (let l = 0; l < this.layers; l++) {
      wShapes.push(shape(B, this.sizes[l]!, this.sizes[l + 1]!));
      bShapes.push(shape(B, 1, this.sizes[l + 1]!));
    }
    const gShapes = this.norm === 'none' ? [] : first.hidden.map((w) => shape(B, 1, w));
    const L = this.layers;
    const all = backend.tensors([...wShapes, ...bShapes, ...gShapes]);
    this.params = all;
    this.hiddenActs = first.hidden.map((_, l) => this.models.map((m) => m.activations[l]!));
    this.outActs = this.models.map((m) => m.outputActivation);
    this.weights = all.slice(0, L);
    this.biases = all.slice(L, 2 * L);
    this.gammas = all.slice(2 * L);
    const grads = backend.tensors([...wShapes, ...bShapes, ...gShapes]);
    this.grads = grads;
    this.wGrads = grads.slice(0, L);
    this.bGrads = grads.slice(L, 2 * L);
    this.gGrads = grads.slice(2 * L);
    const running = this.norm === 'batch' ? backend.tensors([...gShapes, ...gShapes]) : [];
    this.runMean = running.slice(0, gShapes.length);
    this.runVar = running.slice(gShapes.length);
    this.setParameters(params);

    this.xAll = backend.tensor(shape(1, data.n, data.inputDim), data.x);
    this.yAll = backend.tensor(shape(1, data.n, data.outputDim), data.y);
    const full = this.rowsPerStep === data.n && bs === 0;
    this.xBatch = full ? null : backend.tensor(shape(1, this.rowsPerStep, data.inputDim));
    this.yBatch = full ? null : backend.tensor(shape(1, this.rowsPerStep, data.outputDim));
    this.train = this.workspace(this.rowsPerStep, this.xBatch ?? this.xAll, true);
    this.metrics = backend.tensor(shape(B, 1, this.layout.width));
    this.watchSlots = Math.min(WATCH_SLOTS, config.schedule.logEvery);
    this.watch = backend.tensor(shape(B, 1, 2 * this.watchSlots));
    this.batchRng = new NumpyRandom(config.schedule.batchSeed);
    this.batchRows = new Uint32Array(this.rowsPerStep);
  }

  /** Number of models trained together. */
  get members(): number {
    return this.models.length;
  }

  /** The next step's index (steps taken so far). */
  get step(): number {
    return this.stepIndex;
  }

  /** Per-model status (divergence). */
  memberStatus(): readonly MemberStatus[] {
    return this.status.map((s) => ({ ...s }));
  }

  /** Matmul FLOPs of one step of the whole cohort. */
  get flopsPerStep(): number {
    return flopsPerStep(this.sizes, this.rowsPerStep, this.members);
  }

  private workspace(rows: number, input: Tensor, withDeltas: boolean): Workspace {
    const B = this.members;
    const ws: Workspace = { rows, acts: [input], deltas: [], post: [], saved: [], z: [], xhat: [], invStd: [] };
    const make = (cols: number, r = rows) => this.backend.tensor(shape(B, r, cols));
    for (let l = 0; l < this.layers; l++) {
      const w = this.sizes[l + 1]!;
      ws.acts.push(make(w));
      if (withDeltas) ws.deltas.push(make(w));
      if (l === this.layers - 1) continue;
      const ends = this.sources[l]! >= 0;
      ws.post.push(ends ? make(w) : null);
      ws.saved.push(ends && withDeltas ? make(w) : null);
      if (this.norm === 'none') continue;
      ws.z.push(make(w));
      ws.xhat.push(make(w));
      ws.invStd.push(this.norm === 'batch' ? make(w, 1) : make(1));
    }
    return ws;
  }

  /** Activation of hidden layer l, per model. */
  private activationsOf(l: number): HiddenActivation[] {
    return this.hiddenActs[l]!;
  }

  /** The update rule of update number t (1 for the first), reporting into watch slot `slot`. */
  private ruleFor(slot: number, t: number): UpdateRule {
    const report = { metrics: this.watch, col: 2 * slot };
    if (this.models[0]!.optimizer.kind === 'adam') return { ...updateRule(this.models, t), report };
    return (this.slotRules[slot] ??= { ...updateRule(this.models, t), report });
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

  private forward(ws: Workspace, mode: ForwardMode): void {
    const backend = this.backend;
    const L = this.layers;
    for (let l = 0; l < L; l++) {
      if (l === L - 1) {
        backend.matmul(ws.acts[l]!, this.weights[l]!, ws.acts[l + 1]!, { epilogue: { kind: 'bias_act', bias: this.biases[l]!, activations: this.outActs } });
        continue;
      }
      const activations = this.activationsOf(l);
      const a = ws.post[l] ?? ws.acts[l + 1]!;
      if (this.norm === 'none') {
        backend.matmul(ws.acts[l]!, this.weights[l]!, a, { epilogue: { kind: 'bias_act', bias: this.biases[l]!, activations } });
      } else {
        backend.matmul(ws.acts[l]!, this.weights[l]!, ws.z[l]!);
        const opts: NormOptions = { eps: NORM_EPS, xhat: ws.xhat[l]!, invStd: ws.invStd[l]! };
        const running = { mean: this.runMean[l]!, variance: this.runVar[l]!, momentum: BN_MOMENTUM };
        const extra = this.norm !== 'batch' || mode === 'batch-stats' ? {} : mode === 'train' ? { running } : { running, evaluate: true };
        backend.normForward(this.norm, ws.z[l]!, this.gammas[l]!, this.biases[l]!, a, activations, { ...opts, ...extra });
      }
      const src = this.sources[l]!;
      if (src >= 0) {
        this.copy(a, ws.acts[l + 1]!, ws.rows);
        backend.addInto(ws.acts[l + 1]!, ws.acts[src + 1]!);
      }
    }
  }

  private nextBatch(): void {
    const n = this.config.data.n;
    for (let i = 0; i < this.rowsPerStep; i++) {
      if (this.orderPos >= this.order.length) {
        this.order = this.batchRng.permutation(n);
        this.orderPos = 0;
      }
      this.batchRows[i] = this.order[this.orderPos++]!;
    }
    this.backend.gatherRows(this.xAll, this.batchRows, this.xBatch!);
    this.backend.gatherRows(this.yAll, this.batchRows, this.yBatch!);
  }

  /**
   * Take one training step. When `log` is true the step's metrics are computed and a promise of one record per
   * model is returned (it resolves once the backend has read them back); otherwise null.
   */
  stepOnce(log: boolean): Promise<StepRecord[]> | null {
    const { backend, train: ws } = this;
    const first = this.models[0]!;
    const L = this.layers;
    if (this.xBatch) this.nextBatch();
    const target = this.yBatch ?? this.yAll;
    this.forward(ws, 'train');
    const pred = ws.acts[L]!;
    backend.outputDelta(first.loss, first.outputActivation, pred, target, ws.deltas[L - 1]!);
    for (let l = L - 1; l >= 0; l--) {
      const d = ws.deltas[l]!;
      const unfused = l < L - 1 && this.unfused[l]!;
      if (unfused) {
        // d holds ∂L/∂h_l: keep it for the skip's first layer, then take it through φ′ and the normalisation.
        if (ws.saved[l]) this.copy(d, ws.saved[l]!, ws.rows);
        backend.actGradInPlace(d, ws.post[l] ?? ws.acts[l + 1]!, this.activationsOf(l));
        if (this.norm === 'none') backend.columnSums(d, this.bGrads[l]!);
        else backend.normBackward(this.norm, d, ws.xhat[l]!, ws.invStd[l]!, this.gammas[l]!, d, this.gGrads[l]!, this.bGrads[l]!);
      }
      backend.matmul(ws.acts[l]!, d, this.wGrads[l]!, { transA: true });
      if (!unfused) backend.columnSums(d, this.bGrads[l]!);
      if (l > 0) {
        const below = l - 1;
        const epilogue = this.unfused[below]
          ? ({ kind: 'none' } as const)
          : ({ kind: 'act_grad', act: ws.acts[l]!, activations: this.activationsOf(below) } as const);
        backend.matmul(d, this.weights[l]!, ws.deltas[below]!, { transB: true, epilogue });
        const target = this.targets[below]!;
        if (target >= 0) backend.addInto(ws.deltas[below]!, ws.saved[target]!);
      }
    }
    let result: Promise<StepRecord[]> | null = null;
    if (log) {
      const metrics = this.metrics;
      const lay = this.layout;
      backend.lossInto(first.loss, pred, target, metrics, lay.loss);
      if (this.config.data.task !== 'regression') backend.accuracyInto(pred, target, metrics, lay.accuracy);
      backend.normsInto(this.wGrads, metrics, lay.gradNorms);
      backend.normsInto(this.bGrads, metrics, lay.biasGradNorms);
      backend.normsInto(this.weights, metrics, lay.weightNorms);
      for (let l = 0; l < L; l++) {
        const acts = l === L - 1 ? this.outActs : this.hiddenActs[l]!;
        backend.activationStatsInto(ws.post[l] ?? ws.acts[l + 1]!, acts, metrics, lay.actStats + 3 * l);
      }
    }
    // Every update reports its global gradient norm into this step's slot of the watch ring, so that the step a
    // run diverged at is known exactly when the ring is read at the next logged step.
    const slot = this.stepIndex % this.watchSlots;
    backend.update(this.params, this.grads, this.ruleFor(slot, this.stepIndex + 1));
    if (log) result = this.readRecords(this.metrics, this.stepIndex);
    backend.flush();
    this.stepIndex++;
    return result;
  }

  private async readRecords(metrics: Tensor, step: number): Promise<StepRecord[]> {
    // read() snapshots the tensors as of now, so the next steps may overwrite them while these reads are in flight.
    const [flat, watch] = await Promise.all([this.backend.read(metrics), this.backend.read(this.watch)]);
    const W = this.layout.width;
    const epoch = (step * this.rowsPerStep) / this.config.data.n;
    const classification = this.config.data.task !== 'regression';
    const slots = this.watchSlots;
    const since = this.lastLogged;
    this.lastLogged = step;
    return this.models.map((m, b) => {
      const wrow = watch.subarray(b * 2 * slots, (b + 1) * 2 * slots);
      const slot = step % slots;
      const rec = decodeRecord(flat.subarray(b * W, (b + 1) * W), this.layout, this.layers, step, epoch, classification, m.optimizer.lr, wrow[2 * slot]!, wrow[2 * slot + 1]!);
      const st = this.status[b]!;
      if (st.divergedAt === null) {
        // The first step since the previous record whose gradient norm was not finite (exact within the ring).
        for (let k = Math.max(since + 1, step - slots + 1); k <= step; k++) {
          if (!Number.isFinite(wrow[2 * (k % slots)]!)) {
            st.divergedAt = k;
            break;
          }
        }
        if (st.divergedAt === null && isDiverged(rec)) st.divergedAt = step;
      }
      return rec;
    });
  }

  /** Whether step `step` of a run of `total` steps is logged: every logEvery steps, and the last. */
  shouldLog(step: number, total = this.config.schedule.steps): boolean {
    return step % this.config.schedule.logEvery === 0 || step === total - 1;
  }

  /** Run `count` steps, calling onRecords for every logged step (in order). */
  async run(count: number, onRecords: (records: StepRecord[]) => void, total = this.config.schedule.steps): Promise<void> {
    const pending: Promise<StepRecord[]>[] = [];
    for (let i = 0; i < count; i++) {
      const r = this.stepOnce(this.shouldLog(this.stepIndex, total));
      if (r) pending.push(r);
      if (pending.length > MAX_PENDING_READS) onRecords(await pending.shift()!);
    }
    for (const r of pending) onRecords(await r);
  }

  /**
   * Network outputs for the rows of x (n × inputDim), one array (n × outputDim) per model. Batch norm uses its
   * running statistics (evaluation), or with `batchStatistics` those of these n rows (as a training step does,
   * without updating the running ones).
   */
  async predict(x: Float64Array, n: number, opts: { readonly batchStatistics?: boolean } = {}): Promise<Float64Array[]> {
    let ws = this.evalSpaces.get(n);
    if (!ws) {
      ws = this.workspace(n, this.backend.tensor(shape(1, n, this.sizes[0]!)), false);
      this.evalSpaces.set(n, ws);
    }
    this.backend.write(ws.acts[0]!, x);
    this.forward(ws, opts.batchStatistics ? 'batch-stats' : 'evaluate');
    this.backend.flush();
    const flat = await this.backend.read(ws.acts[this.layers]!);
    const per = n * this.sizes[this.layers]!;
    return this.models.map((_, b) => flat.slice(b * per, (b + 1) * per));
  }

  /** Current parameters of each model, read back from the backend (with γ and batch norm's running statistics). */
  async readParameters(): Promise<Parameters[]> {
    const [pairs, gammas, means, vars] = await Promise.all([
      this.readPairs(this.weights, this.biases),
      this.readVectors(this.gammas),
      this.readVectors(this.runMean),
      this.readVectors(this.runVar),
    ]);
    return pairs.map((p, b) => ({
      ...p,
      ...(this.norm === 'none' ? {} : { gammas: gammas[b]! }),
      ...(this.norm === 'batch' ? { runningMean: means[b]!, runningVar: vars[b]! } : {}),
    }));
  }

  /** Gradients of the last step (∂L/∂W, ∂L/∂b and ∂L/∂γ at the parameters before its update), per model. */
  async readGradients(): Promise<Parameters[]> {
    const [pairs, gammas] = await Promise.all([this.readPairs(this.wGrads, this.bGrads), this.readVectors(this.gGrads)]);
    return this.norm === 'none' ? pairs : pairs.map((p, b) => ({ ...p, gammas: gammas[b]! }));
  }

  private async readPairs(wt: readonly Tensor[], bt: readonly Tensor[]): Promise<Parameters[]> {
    const ws = await Promise.all(wt.map((t) => this.backend.read(t)));
    const bs = await Promise.all(bt.map((t) => this.backend.read(t)));
    return this.models.map((_, b) => ({
      weights: ws.map((w, l) => w.slice(b * this.sizes[l]! * this.sizes[l + 1]!, (b + 1) * this.sizes[l]! * this.sizes[l + 1]!)),
      biases: bs.map((v, l) => v.slice(b * this.sizes[l + 1]!, (b + 1) * this.sizes[l + 1]!)),
    }));
  }

  /** Per-hidden-layer [B, 1, width] tensors read back, split per model. */
  private async readVectors(ts: readonly Tensor[]): Promise<Float64Array[][]> {
    const flat = await Promise.all(ts.map((t) => this.backend.read(t)));
    return this.models.map((_, b) => flat.map((v, l) => v.slice(b * this.sizes[l + 1]!, (b + 1) * this.sizes[l + 1]!)));
  }

  /**
   * Overwrite the parameters of every model (the optimizer state starts afresh). Absent γ start at 1, absent
   * running statistics at mean 0 and variance 1.
   */
  setParameters(params: readonly Parameters[]): void {
    this.backend.resetOptimizerState([...this.weights, ...this.biases, ...this.gammas]);
    for (let l = 0; l < this.layers; l++) {
      const fan = this.sizes[l]! * this.sizes[l + 1]!;
      const w = new Float64Array(this.members * fan);
      const b = new Float64Array(this.members * this.sizes[l + 1]!);
      params.forEach((p, m) => {
        w.set(p.weights[l]!, m * fan);
        b.set(p.biases[l]!, m * this.sizes[l + 1]!);
      });
      this.backend.write(this.weights[l]!, w);
      this.backend.write(this.biases[l]!, b);
    }
    const fill = (ts: readonly Tensor[], pick: (p: Parameters) => Float64Array[] | undefined, dflt: number) => {
      ts.forEach((t, l) => {
        const width = this.sizes[l + 1]!;
        const v = new Float64Array(this.members * width).fill(dflt);
        params.forEach((p, m) => {
          const given = pick(p)?.[l];
          if (given) v.set(given, m * width);
        });
        this.backend.write(t, v);
      });
    };
    fill(this.gammas, (p) => p.gammas, 1);
    fill(this.runMean, (p) => p.runningMean, 0);
    fill(this.runVar, (p) => p.runningVar, 1);
  }

  /** Release the trainer's tensors (the backend stays). */
  dispose(): void {
    const all = [...this.weights, ...this.biases, ...this.gammas, ...this.wGrads, ...this.bGrads, ...this.gGrads, ...this.runMean, ...this.runVar];
    all.push(this.xAll, this.yAll, this.metrics, this.watch);
    if (this.xBatch) all.push(this.xBatch);
    if (this.yBatch) all.push(this.yBatch);
    for (const ws of [this.train, ...this.evalSpaces.values()]) {
      all.push(...ws.acts.slice(1), ...ws.deltas, ...ws.z, ...ws.xhat, ...ws.invStd);
      for (const t of [...ws.post, ...ws.saved]) if (t) all.push(t);
    }
    for (const ws of this.evalSpaces.values()) all.push(ws.acts[0]!);
    for (const t of all) this.backend.dispose(t);
  }
}
