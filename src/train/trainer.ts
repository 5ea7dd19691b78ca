/**
 * The trainer: forward pass, loss, backward pass by the chain rule layer by layer, and the update, for one
 * or more same-shape models trained in lockstep on one backend (the models are the batch dimension of every
 * tensor). Everything stays in the backend; metrics come back asynchronously at the logging interval.
 * The passes live in network.ts, the parameter tensors in parameters.ts, the cohort's update rules in cohort.ts.
 */
import type { Backend, OptimizerSnapshot, Tensor } from '../backend/backend.js';
import { shape, shapeSize } from '../backend/backend.js';
import type { Dataset } from '../core/datasets.js';
import { nextBatchRows } from '../core/inspect.js';
import { initParameters, type Parameters } from '../core/init.js';
import { NumpyRandom, type RngState } from '../core/rng.js';
import { layerSizes, type ModelSpec, type ScheduleSpec } from '../core/spec.js';
import { SlotRules, checkCohort, cohortRates } from './cohort.js';
import { DEFAULT_BUDGET_BYTES, checkPlan, planMemory } from './memory.js';
import { Network, flopsPerStep, keepsPreActivations, type Workspace } from './network.js';
import { ParameterTensors } from './parameters.js';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES, decodeRecord, isDiverged, metricsLayout, type MetricsLayout, type StepRecord } from './records.js';

export { checkCohort, updateRule } from './cohort.js';
export { BN_MOMENTUM, NORM_EPS, flopsPerStep } from './network.js';

/**
 * Updates whose global gradient norm is kept for divergence detection between logged steps; the ring is read back
 * at the latest when it is full, so the step a run diverged at is known exactly whatever the logging interval.
 */
const WATCH_SLOTS = 64;

/** Metric reads in flight at most during `run` before it waits for the oldest. */
const MAX_PENDING_READS = 4;

/** What to train: models of one shape, one data set, one schedule. */
export interface TrainerConfig {
  readonly models: readonly ModelSpec[];
  readonly data: Dataset;
  readonly schedule: ScheduleSpec;
  /** Record per-layer quantiles of a, ∂L/∂z and W at logged steps (StepRecord.distributions); off by default. */
  readonly distributions?: boolean;
}

/** State of one model of the cohort. */
export interface MemberStatus {
  /** Step at which a NaN or infinity first showed (in an update's gradient norm or a record), or null. */
  readonly divergedAt: number | null;
}

/**
 * Everything a trainer carries from one step to the next, for save and resume: the steps taken, each model's
 * parameters, the optimizer state (one flat array per parameter tensor in update order — weights, biases, γ —
 * models stacked), the mini-batch order stream (generator, current permutation and position) and divergence.
 */
export interface TrainerState {
  readonly step: number;
  readonly parameters: readonly Parameters[];
  readonly optimizer: OptimizerSnapshot;
  readonly batchRng: RngState;
  readonly order: Uint32Array;
  readonly orderPos: number;
  readonly divergedAt: readonly (number | null)[];
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
  /** Weights, biases, γ, their gradients and batch norm's running statistics. */
  private readonly parameters: ParameterTensors;
  /** The forward and backward passes over `parameters`. */
  private readonly net: Network;
  /** Update rules by watch slot. */
  private readonly rules: SlotRules;
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
  /** Last step whose watch slot has been queued for reading. */
  private watchedTo: number;
  /** Reads of the watch ring, scanned in the order they were queued; rejected once one failed. */
  private watchScans: Promise<unknown> = Promise.resolve();
  /** Watch reads queued and not yet scanned. */
  private watchBacklog = 0;
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
    this.watchedTo = startStep - 1;
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
    this.layout = metricsLayout(this.layers, config.distributions === true);
    this.status = this.models.map(() => ({ divergedAt: null }));
    // Recording distributions gives every hidden layer a buffer for z (its quantiles are one of the quantities), written
    // at logged steps only.
    const keepsPre = keepsPreActivations(this.models).map((k) => k || config.distributions === true);
    const dropout = Math.max(...this.models.map((m) => m.dropout ?? 0));
    const plan = planMemory(this.sizes, this.rowsPerStep, data.n, B, backend.bytesPerElement, bs !== 0, this.layout.width, { ...first, dropout }, keepsPre);
    checkPlan(plan, backend.info.description, backend.maxTensorBytes, backend.budgetBytes ?? DEFAULT_BUDGET_BYTES);

    const params = initial ?? this.models.map((m) => initParameters(m));
    this.parameters = new ParameterTensors(backend, this.sizes, B, first.norm ?? 'none');
    this.net = new Network(backend, this.models, this.sizes, this.parameters, config.distributions === true);
    this.setParameters(params);

    this.xAll = backend.tensor(shape(1, data.n, data.inputDim), data.x);
    this.yAll = backend.tensor(shape(1, data.n, data.outputDim), data.y);
    const full = this.rowsPerStep === data.n && bs === 0;
    this.xBatch = full ? null : backend.tensor(shape(1, this.rowsPerStep, data.inputDim));
    this.yBatch = full ? null : backend.tensor(shape(1, this.rowsPerStep, data.outputDim));
    this.train = this.net.workspace(this.rowsPerStep, this.xBatch ?? this.xAll, true);
    this.metrics = backend.tensor(shape(B, 1, this.layout.width));
    this.watchSlots = Math.min(WATCH_SLOTS, config.schedule.logEvery);
    this.watch = backend.tensor(shape(B, 1, 2 * this.watchSlots));
    this.rules = new SlotRules(this.models, this.watch, this.layers);
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

  /**
   * The step at which model `member` first showed a NaN or infinity, if that is `asOf` or earlier: once the records of
   * step `asOf` have resolved, every step up to it has been checked (not only the logged ones).
   */
  divergedAt(member: number, asOf: number): number | null {
    const at = this.status[member]?.divergedAt ?? null;
    return at !== null && at <= asOf ? at : null;
  }

  /** Matmul FLOPs of one step of the whole cohort. */
  get flopsPerStep(): number {
    return flopsPerStep(this.sizes, this.rowsPerStep, this.members);
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
    if (this.xBatch) this.nextBatch();
    const target = this.yBatch ?? this.yAll;
    this.net.setDropoutStep(this.stepIndex);
    // z is written apart from a only where it is needed: for φ′ (GELU, SiLU), or for a logged step's distributions.
    this.net.forward(ws, 'train', log && this.layout.distributions >= 0);
    this.net.backward(ws, target);
    if (log) this.metricsInto(ws, target);
    // Every update reports its global gradient norm into this step's slot of the watch ring, so that the step a
    // run diverged at is known exactly when the ring is read at the next logged step.
    const slot = this.stepIndex % this.watchSlots;
    backend.update(this.parameters.params, this.parameters.grads, this.rules.ruleFor(slot, this.stepIndex + 1));
    const result = log ? this.readRecords(this.metrics, this.stepIndex) : null;
    if (!log && this.stepIndex - this.watchedTo >= this.watchSlots) {
      // The ring is full: read it now (not at the next logged step), so that no update goes unchecked.
      this.queueWatch(this.stepIndex).catch(() => undefined);
    }
    backend.flush();
    this.stepIndex++;
    return result;
  }

  /** Queue the metrics of the step just taken (loss, accuracy, norms, activation statistics) into `metrics`. */
  private metricsInto(ws: Workspace, target: Tensor): void {
    const { backend, metrics, layout: lay, layers: L, parameters: p, net } = this;
    const pred = ws.acts[L]!;
    backend.lossInto(this.models[0]!.loss, pred, target, metrics, lay.loss);
    if (this.config.data.task !== 'regression') backend.accuracyInto(pred, target, metrics, lay.accuracy);
    backend.normsInto(p.wGrads, metrics, lay.gradNorms);
    backend.normsInto(p.bGrads, metrics, lay.biasGradNorms);
    backend.normsInto(p.weights, metrics, lay.weightNorms);
    for (let l = 0; l < L; l++) {
      const acts = l === L - 1 ? net.outActs : net.hiddenActs[l]!;
      backend.activationStatsInto(ws.post[l] ?? ws.acts[l + 1]!, acts, metrics, lay.actStats + 3 * l);
    }
    if (lay.distributions < 0) return;
    const per = DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS;
    for (let l = 0; l < L; l++) {
      const col = lay.distributions + per * l;
      backend.quantilesInto(ws.post[l] ?? ws.acts[l + 1]!, metrics, col);
      backend.quantilesInto(ws.deltas[l]!, metrics, col + DISTRIBUTION_LEVELS);
      backend.quantilesInto(p.weights[l]!, metrics, col + 2 * DISTRIBUTION_LEVELS);
      const z = ws.pre[l];
      if (z) backend.quantilesInto(z, metrics, col + 3 * DISTRIBUTION_LEVELS);
    }
  }

  private async readRecords(metrics: Tensor, step: number): Promise<StepRecord[]> {
    // read() snapshots the tensors as of now, so the next steps may overwrite them while these reads are in flight.
    const [flat, watch] = await Promise.all([this.backend.read(metrics), this.queueWatch(step)]);
    const W = this.layout.width;
    const epoch = (step * this.rowsPerStep) / this.config.data.n;
    const classification = this.config.data.task !== 'regression';
    const slots = this.watchSlots;
    const rates = cohortRates(this.models, step + 1);
    return this.models.map((_, b) => {
      const wrow = watch.subarray(b * 2 * slots, (b + 1) * 2 * slots);
      const slot = step % slots;
      const rec = decodeRecord(flat.subarray(b * W, (b + 1) * W), this.layout, this.layers, step, epoch, classification, rates[b]!, wrow[2 * slot]!, wrow[2 * slot + 1]!);
      const st = this.status[b]!;
      if (st.divergedAt === null && isDiverged(rec)) st.divergedAt = step;
      return rec;
    });
  }

  /**
   * Read the watch ring as of step `to` and, after every earlier read, mark the first update since the previous read
   * whose global gradient norm was not finite. Resolves to the ring.
   */
  private queueWatch(to: number): Promise<Float64Array> {
    const from = this.watchedTo + 1;
    this.watchedTo = to;
    const read = this.backend.read(this.watch);
    // A failed read is reported through the scans; this only keeps it from counting as unhandled while earlier ones wait.
    read.catch(() => undefined);
    this.watchBacklog++;
    const scanned = this.watchScans.then(async () => {
      const ring = await read;
      this.watchBacklog--;
      this.scanWatch(ring, from, to);
      return ring;
    });
    this.watchScans = scanned;
    return scanned;
  }

  private scanWatch(ring: Float64Array, from: number, to: number): void {
    const slots = this.watchSlots;
    this.status.forEach((st, b) => {
      if (st.divergedAt !== null) return;
      for (let k = Math.max(from, to - slots + 1); k <= to; k++) {
        if (!Number.isFinite(ring[b * 2 * slots + 2 * (k % slots)]!)) {
          st.divergedAt = k;
          return;
        }
      }
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
      if (this.watchBacklog > MAX_PENDING_READS) await this.watchScans;
    }
    for (const r of pending) onRecords(await r);
    await this.watchScans;
  }

  /**
   * Network outputs for the rows of x (n × inputDim), one array (n × outputDim) per model. Batch norm uses its
   * running statistics (evaluation), or with `batchStatistics` those of these n rows (as a training step does,
   * without updating the running ones).
   */
  async predict(x: Float64Array, n: number, opts: { readonly batchStatistics?: boolean } = {}): Promise<Float64Array[]> {
    let ws = this.evalSpaces.get(n);
    if (!ws) {
      ws = this.net.workspace(n, this.backend.tensor(shape(1, n, this.sizes[0]!)), false);
      this.evalSpaces.set(n, ws);
    }
    this.backend.write(ws.acts[0]!, x);
    this.net.forward(ws, opts.batchStatistics ? 'batch-stats' : 'evaluate');
    this.backend.flush();
    const flat = await this.backend.read(ws.acts[this.layers]!);
    const per = n * this.sizes[this.layers]!;
    return this.models.map((_, b) => flat.slice(b * per, (b + 1) * per));
  }

  /** Current parameters of each model, read back from the backend (with γ and batch norm's running statistics). */
  readParameters(): Promise<Parameters[]> {
    return this.parameters.read();
  }

  /** Gradients of the last step (∂L/∂W, ∂L/∂b and ∂L/∂γ at the parameters before its update), per model. */
  readGradients(): Promise<Parameters[]> {
    return this.parameters.readGradients();
  }

  /**
   * Overwrite the parameters of every model (the optimizer state starts afresh). Absent γ start at 1, absent
   * running statistics at mean 0 and variance 1.
   */
  setParameters(params: readonly Parameters[]): void {
    this.parameters.set(params);
  }

  /**
   * The rows of the data the next step trains on (mini-batches: the order's next rows, drawing a new permutation
   * with a copy of the batch stream where the epoch ends; the trainer's own stream is untouched), or null when every
   * step trains on the whole data in order.
   */
  upcomingBatchRows(): Uint32Array | null {
    if (!this.xBatch) return null;
    return nextBatchRows({ batchRng: this.batchRng.getState(), order: this.order, orderPos: this.orderPos }, this.config.data.n, this.rowsPerStep);
  }

  /** A snapshot of the trainer's state after all work enqueued so far (see TrainerState). */
  async exportState(): Promise<TrainerState> {
    await this.watchScans;
    const step = this.stepIndex;
    const batchRng = this.batchRng.getState();
    const order = this.order.slice();
    const orderPos = this.orderPos;
    const divergedAt = this.status.map((s) => s.divergedAt);
    const [parameters, optimizer] = await Promise.all([this.parameters.read(), this.backend.readOptimizerState(this.parameters.params)]);
    return { step, parameters, optimizer, batchRng, order, orderPos, divergedAt };
  }

  /**
   * Continue from a state of `exportState` of a trainer of the same models and data. Every part is checked first
   * (a mismatch throws an error naming the part, expected and found) and nothing changes unless all fit.
   */
  restoreState(state: TrainerState): void {
    const problem = this.checkState(state);
    if (problem) throw new RangeError(problem);
    this.parameters.set(state.parameters);
    this.backend.writeOptimizerState(this.parameters.params, state.optimizer);
    this.batchRng.setState(state.batchRng);
    this.order = state.order.slice();
    this.orderPos = state.orderPos;
    this.stepIndex = state.step;
    this.watchedTo = state.step - 1;
    state.divergedAt.forEach((d, b) => (this.status[b]!.divergedAt = d));
  }

  /** What in `state` does not fit this trainer, or null. */
  private checkState(state: TrainerState): string | null {
    const B = this.members;
    const sizes = this.sizes;
    const L = this.layers;
    const norm = this.models[0]!.norm ?? 'none';
    const wrong = (what: string, want: number, got: number | undefined) => (got === want ? null : `${what}: expected ${want}, got ${got ?? 'none'}`);
    const checks: (string | null)[] = [
      Number.isInteger(state.step) && state.step >= 0 ? null : `step: expected a whole number ≥ 0, got ${state.step}`,
      wrong('number of models', B, state.parameters.length),
      wrong('number of models with a divergence status', B, state.divergedAt.length),
    ];
    state.parameters.forEach((p, m) => {
      checks.push(wrong(`model ${m}: number of weight matrices`, L, p.weights.length), wrong(`model ${m}: number of bias vectors`, L, p.biases.length));
      for (let l = 0; l < L; l++) {
        checks.push(wrong(`model ${m}: weights[${l}] length (${sizes[l]}×${sizes[l + 1]})`, sizes[l]! * sizes[l + 1]!, p.weights[l]?.length));
        checks.push(wrong(`model ${m}: biases[${l}] length`, sizes[l + 1]!, p.biases[l]?.length));
      }
      const vectors = (name: string, vs: readonly Float64Array[] | undefined, present: boolean) => {
        if (!present) return;
        checks.push(wrong(`model ${m}: number of ${name} vectors`, L - 1, vs?.length ?? 0));
        vs?.forEach((v, l) => checks.push(wrong(`model ${m}: ${name}[${l}] length`, sizes[l + 1]!, v.length)));
      };
      vectors('gammas', p.gammas, norm !== 'none');
      vectors('runningMean', p.runningMean, norm === 'batch');
      vectors('runningVar', p.runningVar, norm === 'batch');
    });
    for (const k of ['first', 'second'] as const) {
      const part = state.optimizer[k];
      if (!part) continue;
      const params = this.parameters.params;
      checks.push(wrong(`optimizer ${k} moment: number of arrays`, params.length, part.length));
      part.forEach((a, i) => checks.push(wrong(`optimizer ${k} moment[${i}] length`, params[i] ? shapeSize(params[i]!.shape) : -1, a.length)));
    }
    const n = this.config.data.n;
    if (state.order.length !== 0) checks.push(wrong('mini-batch order length (samples)', n, state.order.length));
    if (state.order.some((r) => r >= n)) checks.push(`mini-batch order: a row index is ≥ the ${n} samples`);
    if (!Number.isInteger(state.orderPos) || state.orderPos < 0 || state.orderPos > state.order.length) {
      checks.push(`mini-batch order position: expected 0 to ${state.order.length}, got ${state.orderPos}`);
    }
    if (state.batchRng.mt.length !== 624) checks.push(wrong('batch generator key words', 624, state.batchRng.mt.length));
    if (!Number.isInteger(state.batchRng.pos) || state.batchRng.pos < 0 || state.batchRng.pos > 624) checks.push(`batch generator position: expected 0 to 624, got ${state.batchRng.pos}`);
    return checks.find((c) => c !== null) ?? null;
  }

  /** Release the trainer's tensors (the backend stays). */
  dispose(): void {
    const all = this.parameters.tensors();
    all.push(this.xAll, this.yAll, this.metrics, this.watch);
    if (this.xBatch) all.push(this.xBatch);
    if (this.yBatch) all.push(this.yBatch);
    for (const ws of [this.train, ...this.evalSpaces.values()]) all.push(...this.net.workspaceTensors(ws));
    for (const ws of this.evalSpaces.values()) all.push(ws.acts[0]!);
    for (const t of all) this.backend.dispose(t);
  }
}
