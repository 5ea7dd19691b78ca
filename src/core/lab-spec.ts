/**
 * The lab spec: everything a lab page shows (shared data/model/schedule settings, up to four runs that differ
 * in activation, init, gain, learning rate and the mitigation switches — optimizer, gradient clipping, bias std,
 * residual connections, normalisation —, the backend, speed, stop condition and hidden controls), its
 * defaults, the model/data/schedule specs it stands for, and which runs a change resets. Its validation is in
 * lab-parse.ts.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation, type OutputActivation } from './activations.js';
import type { Task } from './datasets.js';
import type { LossName } from './losses.js';
import { matchedInit } from './init.js';
import { formatSchedule, type LrScheduleSpec } from './lr-schedule.js';
import { deepStack } from './presets.js';
import {
  OPTIMIZER_DEFAULTS,
  datasetDims,
  formatActivationList,
  isRecord,
  type DataSpec,
  type DatasetName,
  type DType,
  type ClipSpec,
  type InitName,
  type ModelSpec,
  type NormName,
  type OptimizerName,
  type OptimizerSpec,
  type ScheduleSpec,
  type WeightDecaySpec,
} from './spec.js';

/** Backend choices of the lab. */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Kinds of stop condition: never, after a number of epochs, or once the loss reaches a target. */
export const STOP_KINDS = ['none', 'epochs', 'loss'] as const;

/** Names of the controls a `hide=` list can hide. */
export const CONTROL_NAMES = [
  'dataset', 'samples', 'noise', 'depth', 'width', 'lr', 'batch', 'seeds', 'activation', 'init', 'gain', 'runLr',
  'runs', 'backend', 'speed', 'stop', 'play', 'step', 'reset', 'weights', 'export', 'csv', 'dtype', 'logEvery',
  'mitigations', 'sweep',
] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

/** Limits of the lab, tighter than the spec's hard limits so that a page stays interactive. */
export const LAB_LIMITS = {
  minRuns: 1,
  maxRuns: 4,
  maxDepth: 200,
  maxWidth: 1024,
  maxSamples: 20000,
  maxSpeed: 1000,
  maxEpochs: 1_000_000,
  maxBiasStd: 10,
} as const;

/** When a run stops by itself. */
export type StopCondition =
  | { readonly kind: 'none' }
  | { readonly kind: 'epochs'; readonly value: number }
  | { readonly kind: 'loss'; readonly value: number };

/**
 * What differs between the runs of a lab. The mitigation switches (optimizer … norm) are optional: absent means
 * the plain default (SGD, no clipping, zero biases, no residual connections, no normalisation), and parseLab
 * leaves out every one that is at its default, so that each run has one canonical form.
 */
export interface RunSpec {
  /** Activation of every hidden layer (with `activations`, of the first hidden layer). */
  readonly activation: HiddenActivation;
  /**
   * Activation of each hidden layer (one per layer, the lab's depth), present only when they differ
   * (`sigmoid×10,relu×10`); absent: `activation` everywhere.
   */
  readonly activations?: readonly HiddenActivation[];
  readonly init: InitName;
  /** Multiplier of the initial weights' standard deviation. */
  readonly gain: number;
  /** Learning rate of this run, or null to use the lab's. */
  readonly lr: number | null;
  /** Optimizer; absent: plain SGD. */
  readonly optimizer?: OptimizerName;
  /** Momentum coefficient μ (momentum, nesterov); absent: OPTIMIZER_DEFAULTS. */
  readonly momentum?: number;
  /** Adam's β₁; absent: OPTIMIZER_DEFAULTS. */
  readonly beta1?: number;
  /** Adam's β₂; absent: OPTIMIZER_DEFAULTS. */
  readonly beta2?: number;
  /** RMSProp's decay ρ; absent: OPTIMIZER_DEFAULTS. */
  readonly decay?: number;
  /** Gradient clipping; absent: none. */
  readonly clip?: ClipSpec;
  /** Standard deviation σ_b of the initial biases; absent: 0 (zero biases). */
  readonly biasStd?: number;
  /** A residual connection every this many hidden layers; absent: none. */
  readonly residual?: number;
  /** Normalisation of the hidden pre-activations; absent: none. */
  readonly norm?: NormName;
  /** Inverted dropout rate of every hidden layer while training; absent: none. */
  readonly dropout?: number;
  /** Seed of the run's dropout masks; absent: the lab's weights seed (initSeed). */
  readonly dropoutSeed?: number;
  /** L2 weight decay of the weights (coupled or decoupled); absent: none. */
  readonly weightDecay?: WeightDecaySpec;
  /** Learning-rate schedule (with its warm-up) from the run's rate; absent: constant. */
  readonly schedule?: LrScheduleSpec;
}

/** The optimizer hyperparameters a run may set, and the optimizers each one applies to. */
export const OPTIMIZER_HYPERS = {
  momentum: ['momentum', 'nesterov'],
  beta1: ['adam'],
  beta2: ['adam'],
  decay: ['rmsprop'],
} as const satisfies Record<string, readonly OptimizerName[]>;
export type OptimizerHyper = keyof typeof OPTIMIZER_HYPERS;

/** The run fields that are mitigation switches (a change of any resets only that run). */
export const MITIGATION_FIELDS = [
  'optimizer', 'momentum', 'beta1', 'beta2', 'decay', 'clip', 'biasStd', 'residual', 'norm', 'dropout', 'dropoutSeed', 'weightDecay', 'schedule',
] as const;

/** Whether a run is a plain MLP (no normalisation, no residual connections), the case mean-field theory describes. */
export function isPlainRun(run: RunSpec): boolean {
  return (run.norm ?? 'none') === 'none' && (run.residual ?? 0) === 0 && (run.dropout ?? 0) === 0;
}

/** The hyperparameters that apply to an optimizer (momentum for momentum/nesterov, β₁ β₂ for adam, ρ for rmsprop). */
export function hypersOf(kind: OptimizerName): OptimizerHyper[] {
  return (Object.keys(OPTIMIZER_HYPERS) as OptimizerHyper[]).filter((h) => (OPTIMIZER_HYPERS[h] as readonly string[]).includes(kind));
}

/** The optimizer spec of a run with learning rate `lr` (hyperparameters left at their defaults are left out). */
export function runOptimizer(run: RunSpec, lr: number): OptimizerSpec {
  const kind = run.optimizer ?? 'sgd';
  const opt: { -readonly [K in keyof OptimizerSpec]: OptimizerSpec[K] } = { kind, lr };
  for (const h of hypersOf(kind)) if (run[h] !== undefined) opt[h] = run[h];
  if (run.weightDecay) opt.weightDecay = run.weightDecay;
  if (run.schedule) opt.schedule = run.schedule;
  return opt;
}

/** A whole lab page's experiment. */
export interface LabSpec {
  readonly dataset: DatasetName;
  readonly samples: number;
  readonly noise: number;
  readonly dataSeed: number;
  /** Number of hidden layers. */
  readonly depth: number;
  /** Width of every hidden layer. */
  readonly width: number;
  /** Shared learning rate. */
  readonly lr: number;
  /** Rows per step, 0 for full batch. */
  readonly batch: number;
  readonly initSeed: number;
  readonly batchSeed: number;
  /** Record metrics every this many steps. */
  readonly logEvery: number;
  /** Element type on the CPU backend. */
  readonly dtype: DType;
  readonly runs: readonly RunSpec[];
  readonly backend: BackendChoice;
  /** Training speed: 0 = as fast as possible; N ≥ 1 = slow motion, N steps per second. */
  readonly speed: number;
  readonly stop: StopCondition;
  /** Controls hidden from the page. */
  readonly hide: readonly ControlName[];
}

/** Shared optimizer and learning rate of the default lab: Adam at 0.003 (the ReLU stack learns the spirals in ~150 steps). */
export const DEFAULT_OPTIMIZER = { optimizer: 'adam', lr: 0.003 } as const;

/**
 * The default lab: the deep sigmoid (Xavier) vs deep ReLU (He) stacks of presets.deepStack on the two spirals, both
 * trained by Adam at 0.003, so that they differ only in the activation and its matched initialisation. Within a
 * few hundred steps the ReLU run classifies every point while the sigmoid run stays at chance, its first layer's
 * gradient some 10⁷ times smaller than its last layer's.
 */
export function defaultLab(): LabSpec {
  const s = deepStack('sigmoid');
  const r = deepStack('relu');
  const optimizer = DEFAULT_OPTIMIZER.optimizer;
  return {
    dataset: s.data.dataset,
    samples: s.data.samples,
    noise: s.data.noise,
    dataSeed: s.data.seed,
    depth: s.model.hidden.length,
    width: s.model.hidden[0]!,
    lr: DEFAULT_OPTIMIZER.lr,
    batch: s.schedule.batchSize,
    initSeed: s.model.initSeed,
    batchSeed: s.schedule.batchSeed,
    logEvery: s.schedule.logEvery,
    dtype: s.schedule.dtype,
    runs: [
      { activation: 'sigmoid', init: s.model.init, gain: s.model.gain, lr: null, optimizer },
      { activation: 'relu', init: r.model.init, gain: r.model.gain, lr: null, optimizer },
    ],
    backend: 'auto',
    speed: 0,
    stop: { kind: 'none' },
    hide: [],
  };
}

/**
 * The default comparison trained by plain SGD at `lr`: the base the lessons' experiments are written for, and the
 * plain case against which a run's mitigation switches (optimizer, clipping, …) are described.
 */
export function sgdLab(lr = 0.1): LabSpec {
  const lab = defaultLab();
  return { ...lab, lr, runs: lab.runs.map(({ optimizer: _, ...run }) => run) };
}

/** The standard init of an activation (He for the ReLU family, ELU, GELU, SiLU and softplus, Xavier otherwise: init.ts matchedInit), for new runs. */
export function standardInit(activation: HiddenActivation): InitName {
  return matchedInit(activation);
}

/** A new run to add to a lab: the first activation not used yet, with its standard init and the first run's optimizer. */
export function nextRun(lab: LabSpec): RunSpec {
  const used = new Set(lab.runs.map((r) => r.activation));
  const activation = HIDDEN_ACTIVATIONS.find((a) => !used.has(a)) ?? 'tanh';
  const optimizer = lab.runs[0]?.optimizer;
  return { activation, init: standardInit(activation), gain: 1, lr: null, ...(optimizer ? { optimizer } : {}) };
}

/** Shape of the data the models see: dimensions, task and rows. */
export interface DataShape {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly task: Task;
  readonly samples: number;
}

/** Output activation and loss for a task. */
export function outputHead(task: Task): { outputActivation: OutputActivation; loss: LossName } {
  if (task === 'multiclass') return { outputActivation: 'softmax', loss: 'softmax_ce' };
  if (task === 'regression') return { outputActivation: 'linear', loss: 'mse' };
  return { outputActivation: 'sigmoid', loss: 'bce' };
}

/** Data shape of a built-in data set. */
export function builtinShape(lab: Pick<LabSpec, 'dataset' | 'samples' | 'noise' | 'dataSeed'>): DataShape {
  const dims = datasetDims(dataSpec(lab));
  return { ...dims, task: lab.dataset === 'random' ? 'regression' : 'binary' };
}

/** The data spec of a lab (its built-in data set). */
export function dataSpec(lab: Pick<LabSpec, 'dataset' | 'samples' | 'noise' | 'dataSeed'>): DataSpec {
  return { dataset: lab.dataset, samples: lab.samples, noise: lab.noise, inputDim: 2, outputDim: 1, seed: lab.dataSeed };
}

/** The model spec of run `i` of a lab, for data of the given shape. */
export function modelSpec(lab: LabSpec, run: RunSpec, shape: DataShape): ModelSpec {
  return {
    inputDim: shape.inputDim,
    hidden: Array<number>(lab.depth).fill(lab.width),
    activations: run.activations && run.activations.length === lab.depth ? [...run.activations] : Array<HiddenActivation>(lab.depth).fill(run.activation),
    outputDim: shape.outputDim,
    ...outputHead(shape.task),
    init: run.init,
    gain: run.gain,
    initSeed: lab.initSeed,
    optimizer: runOptimizer(run, run.lr ?? lab.lr),
    ...(run.clip ? { clip: run.clip } : {}),
    ...(run.biasStd ? { biasStd: run.biasStd } : {}),
    ...(run.residual ? { residual: run.residual } : {}),
    ...(run.norm && run.norm !== 'none' ? { norm: run.norm } : {}),
    ...(run.dropout ? { dropout: run.dropout } : {}),
    ...(run.dropout && run.dropoutSeed !== undefined ? { dropoutSeed: run.dropoutSeed } : {}),
  };
}

/** The schedule of a lab (steps are open-ended: the lab decides when to stop). */
export function scheduleSpec(lab: LabSpec): ScheduleSpec {
  return { batchSize: lab.batch, steps: LAB_LIMITS.maxEpochs, logEvery: lab.logEvery, batchSeed: lab.batchSeed, dtype: lab.dtype };
}

/** A short human label of a run: "sigmoid · xavier", plus gain, learning rate and mitigations when they differ. */
export function runLabel(run: RunSpec): string {
  const parts: string[] = [runActivationText(run), run.init];
  if (run.gain !== 1) parts.push(`gain ${run.gain}`);
  if (run.lr !== null) parts.push(`lr ${run.lr}`);
  const m = mitigationLabel(run);
  if (m) parts.push(m);
  return parts.join(' · ');
}

/** A run's hidden activations as text: "relu", or per layer "sigmoid×10,relu×10" (`ascii`: `*` for ×). */
export function runActivationText(run: Pick<RunSpec, 'activation' | 'activations'>, ascii = false): string {
  return run.activations ? formatActivationList(run.activations, ascii) : run.activation;
}

/** The run's mitigations in a few words ("adam · clip norm 1 · σb 0.1"), or '' when it has none. */
export function mitigationLabel(run: RunSpec): string {
  const parts: string[] = [];
  if (run.optimizer && run.optimizer !== 'sgd') parts.push(run.optimizer);
  if (run.clip) parts.push(`clip ${run.clip.kind} ${run.clip.max}`);
  if (run.biasStd) parts.push(`σb ${run.biasStd}`);
  if (run.residual) parts.push(`residual every ${run.residual}`);
  if (run.norm && run.norm !== 'none') parts.push(`${run.norm} norm`);
  if (run.dropout) parts.push(`dropout ${run.dropout}${run.dropoutSeed !== undefined ? ` (mask seed ${run.dropoutSeed})` : ''}`);
  if (run.weightDecay) parts.push(`${run.weightDecay.kind === 'decoupled' ? 'decoupled ' : ''}weight decay ${run.weightDecay.lambda}`);
  if (run.schedule) parts.push(scheduleLabel(run.schedule));
  return parts.join(' · ');
}

/** A schedule in a few words: "cosine:1000 after 100 warm-up steps". */
export function scheduleLabel(s: LrScheduleSpec): string {
  const warm = s.warmup ? `${s.warmup} warm-up steps` : '';
  if (s.kind === 'constant') return warm ? `lr warm-up ${s.warmup}` : 'constant lr';
  return warm ? `lr ${formatSchedule(s)} after ${warm}` : `lr ${formatSchedule(s)}`;
}

/** Whether two run field values are equal (clip, weight decay and schedule objects field by field). */
function sameValue(x: unknown, y: unknown): boolean {
  if (isRecord(x) && isRecord(y)) {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    return [...keys].every((k) => x[k] === y[k]);
  }
  return x === y;
}

/** The lab fields whose change resets every run (the data, the shape, the schedule, the seeds, the backend). */
export const SHARED_MODEL_FIELDS = ['dataset', 'samples', 'noise', 'dataSeed', 'depth', 'width', 'batch', 'initSeed', 'batchSeed', 'dtype', 'backend'] as const;

/** Which runs a change from `a` to `b` resets: 'all', or the indices of runs whose model changed. */
export function resetScope(a: LabSpec, b: LabSpec): { all: boolean; runs: number[]; why: string[] } {
  const why = SHARED_MODEL_FIELDS.filter((k) => a[k] !== b[k]).map(String);
  if (why.length) return { all: true, runs: b.runs.map((_, i) => i), why };
  const runs: number[] = [];
  const reasons = new Set<string>();
  b.runs.forEach((r, i) => {
    const o = a.runs[i];
    if (!o) return;
    const changed = (['activation', 'init', 'gain'] as const).filter((k) => o[k] !== r[k]).map(String);
    if (!changed.includes('activation') && runActivationText(o) !== runActivationText(r)) changed.push('activation');
    if ((o.lr ?? a.lr) !== (r.lr ?? b.lr)) changed.push('lr');
    for (const k of MITIGATION_FIELDS) if (!sameValue(o[k], r[k])) changed.push(k);
    if (changed.length) {
      runs.push(i);
      changed.forEach((k) => reasons.add(k));
    }
  });
  return { all: false, runs, why: [...reasons] };
}

