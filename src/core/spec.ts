/**
 * The experiment spec: one typed description of a training run (model, data, schedule, seeds), and the one
 * place where it is validated. The URL codec, the app controls and the CLI flags are thin layers over it.
 */
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type HiddenActivation, type OutputActivation } from './activations.js';
import { LOSSES, LOSS_INFO, type LossName } from './losses.js';
import { LR_SCHEDULES, LR_SCHEDULE_FIELDS, type LrScheduleSpec } from './lr-schedule.js';

/**
 * Weight initialisation schemes (std multiplied by the gain); `matched` picks He or Xavier per layer from the
 * activation of the layer's inputs (init.ts matchedInit), for stacks that mix activations.
 */
export const INITS = ['classic', 'lecun', 'xavier', 'xavier_uniform', 'he', 'orthogonal', 'matched'] as const;
export type InitName = (typeof INITS)[number];

/** Built-in data sets. */
export const DATASETS = ['xor', 'and', 'circle', 'spiral', 'gaussian', 'random'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Element types of the CPU backend (WebGPU is always f32). */
export const DTYPES = ['f64', 'f32'] as const;
export type DType = (typeof DTYPES)[number];

/** Optimizers. */
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Defaults of the optimizers' hyperparameters (as in PyTorch/Keras). */
export const OPTIMIZER_DEFAULTS = { momentum: 0.9, beta1: 0.9, beta2: 0.999, decay: 0.9, eps: 1e-8 } as const;

/** An optimizer and its hyperparameters; absent ones take OPTIMIZER_DEFAULTS. */
export interface OptimizerSpec {
  readonly kind: OptimizerName;
  /** Learning rate. */
  readonly lr: number;
  /** Momentum coefficient μ (momentum, nesterov). */
  readonly momentum?: number;
  /** Adam's first-moment decay β₁. */
  readonly beta1?: number;
  /** Adam's second-moment decay β₂. */
  readonly beta2?: number;
  /** RMSProp's decay ρ of the squared-gradient average. */
  readonly decay?: number;
  /** ε added to the denominator (rmsprop, adam). */
  readonly eps?: number;
  /** L2 weight decay of the weights (biases and γ are not decayed); absent: none. */
  readonly weightDecay?: WeightDecaySpec;
  /** How the learning rate changes with the step (lr is the base rate); absent: constant. */
  readonly schedule?: LrScheduleSpec;
}

/** Weight decay modes: added to the gradient (L2 regularisation), or applied to the weights apart from it (AdamW). */
export const WEIGHT_DECAY_KINDS = ['coupled', 'decoupled'] as const;

/**
 * L2 weight decay of the weight matrices, rate λ: coupled, g ← g + λ·W before the optimizer's rule (the gradient of
 * λ/2·‖W‖²); decoupled (Loshchilov & Hutter's AdamW), W ← W − lr·λ·W beside the rule's own step.
 */
export interface WeightDecaySpec {
  readonly kind: (typeof WEIGHT_DECAY_KINDS)[number];
  /** λ ≥ 0. */
  readonly lambda: number;
}

/** Gradient clipping modes. */
export const CLIP_KINDS = ['norm', 'value'] as const;

/** Gradient clipping: by the global L2 norm of all gradients, or elementwise by value. */
export interface ClipSpec {
  readonly kind: (typeof CLIP_KINDS)[number];
  /** Largest allowed global norm, or largest allowed |g| entry. */
  readonly max: number;
}

/** Hard limits of the spec; the resource budget is checked separately, against the chosen backend. */
export const LIMITS = {
  maxDepth: 1000,
  maxWidth: 16384,
  maxDim: 65536,
  maxSamples: 1_000_000,
  maxSteps: 1_000_000_000,
  maxLr: 1000,
  maxGain: 1000,
  maxNoise: 10,
  maxSeed: 4294967295,
  maxBiasStd: 1000,
  maxResidual: 200,
  maxWeightDecay: 10,
} as const;

/** A multilayer perceptron and how it is initialised and updated. */
export interface ModelSpec {
  /** Number of input features. */
  readonly inputDim: number;
  /** Widths of the hidden layers, input side first. */
  readonly hidden: readonly number[];
  /** Activation of each hidden layer (same length as `hidden`). */
  readonly activations: readonly HiddenActivation[];
  /** Number of outputs. */
  readonly outputDim: number;
  /** Activation of the output layer. */
  readonly outputActivation: OutputActivation;
  /** Training loss. */
  readonly loss: LossName;
  /** Weight initialisation scheme; biases start at zero unless `biasStd` is set. */
  readonly init: InitName;
  /** Multiplier of the initial weights' standard deviation. */
  readonly gain: number;
  /** Seed of the initial weights (np.random.seed before the draws, layer by layer). */
  readonly initSeed: number;
  /** Optimizer and learning rate. */
  readonly optimizer: OptimizerSpec;
  /** Gradient clipping before the update; absent: none. */
  readonly clip?: ClipSpec;
  /** Standard deviation of the initial biases (drawn after all the weights); absent or 0: zero biases. */
  readonly biasStd?: number;
  /**
   * Residual connections: every `residual` hidden layers the block's input is added to its output,
   * h_l = φ(…) + h_{l−k} for l = 1 + k, 1 + 2k, … (hidden layers numbered from 1), where the widths match;
   * absent or 0: none.
   */
  readonly residual?: number;
  /** Normalisation of every hidden layer's pre-activation (before the activation); absent or 'none': none. */
  readonly norm?: NormName;
  /**
   * Inverted dropout on every hidden layer's output during training: each unit is kept with probability 1 − p and
   * scaled by 1/(1 − p), so that its expected value is unchanged; off at evaluation. Absent or 0: none.
   */
  readonly dropout?: number;
  /** Seed of the dropout masks (a counter-based stream, src/core/dropout-mask.ts); absent: initSeed. */
  readonly dropoutSeed?: number;
}

/** Normalisation of the hidden layers. */
export const NORMS = ['none', 'batch', 'layer'] as const;
export type NormName = (typeof NORMS)[number];

/** Which data to train on. */
export interface DataSpec {
  readonly dataset: DatasetName;
  /** Number of samples (ignored by xor and and, which have the four truth-table rows). */
  readonly samples: number;
  /** Noise level of the generated data set (std of added Gaussian noise, in input units). */
  readonly noise: number;
  /** Input dimension of the `random` data set. */
  readonly inputDim: number;
  /** Output dimension of the `random` data set. */
  readonly outputDim: number;
  /** Seed of the data. */
  readonly seed: number;
}

/** How long and in which batches to train. */
export interface ScheduleSpec {
  /** Rows per step; 0 means the full data set every step (full-batch gradient descent). */
  readonly batchSize: number;
  /** Number of training steps (parameter updates). */
  readonly steps: number;
  /** Record metrics every this many steps (and at the first and last step). */
  readonly logEvery: number;
  /** Seed of the mini-batch order. */
  readonly batchSeed: number;
  /** Element type on the CPU backend. */
  readonly dtype: DType;
}

/** A whole experiment: one model trained on one data set with one schedule. */
export interface ExperimentSpec {
  readonly model: ModelSpec;
  readonly data: DataSpec;
  readonly schedule: ScheduleSpec;
}

/** A validation failure, naming the field, the bad value and what is allowed. */
export interface SpecIssue {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** A parse result: a value, or the list of what is wrong. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

/** One line for a spec issue: `field: value is not allowed; expected …`. */
export function formatIssue(issue: SpecIssue): string {
  return `${issue.field}: ${describeValue(issue.value)} is not allowed; expected ${issue.allowed}`;
}

/** A short, safe rendering of a bad value for messages (strings quoted and cut). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

/** Collects issues while validating one object. */
class Checker {
  readonly issues: SpecIssue[] = [];

  fail(field: string, value: unknown, allowed: string): void {
    this.issues.push({ field, value, allowed });
  }

  int(field: string, v: unknown, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, v, `an integer from ${min} to ${max}`);
      return min;
    }
    return v;
  }

  num(field: string, v: unknown, min: number, max: number, minExclusive = false): number {
    const bad = typeof v !== 'number' || !Number.isFinite(v) || v > max || (minExclusive ? v <= min : v < min);
    if (bad) {
      this.fail(field, v, `a finite number ${minExclusive ? 'above' : 'from'} ${min}${minExclusive ? ' and at most' : ' to'} ${max}`);
      return min;
    }
    return v as number;
  }

  /** Report every field of `input` that is not one of `fields` (a misspelt field would otherwise be ignored). */
  known(prefix: string, input: Record<string, unknown>, fields: readonly string[]): void {
    for (const k of Object.keys(input)) {
      if (!fields.includes(k)) this.fail(`${prefix}.${k}`, input[k], `no such field; expected one of ${fields.join(', ')}`);
    }
  }

  oneOf<T extends string>(field: string, v: unknown, choices: readonly T[]): T {
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      this.fail(field, v, `one of ${choices.join(', ')}`);
      return choices[0]!;
    }
    return v as T;
  }
}

/** Whether v is a plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields a model spec may have. */
const MODEL_FIELDS = [
  'inputDim', 'hidden', 'activations', 'outputDim', 'outputActivation', 'loss', 'init', 'gain', 'initSeed', 'optimizer', 'clip',
  'biasStd', 'residual', 'norm', 'dropout', 'dropoutSeed',
] as const;

/** Validate a model spec (as parsed from JSON, flags or a URL). */
export function parseModel(input: unknown, prefix = 'model'): Parsed<ModelSpec> {
  const c = new Checker();
  if (!isRecord(input)) return { ok: false, issues: [{ field: prefix, value: input, allowed: 'an object' }] };
  const inputDim = c.int(`${prefix}.inputDim`, input.inputDim, 1, LIMITS.maxDim);
  const outputDim = c.int(`${prefix}.outputDim`, input.outputDim, 1, LIMITS.maxDim);
  const hidden: number[] = [];
  if (!Array.isArray(input.hidden) || input.hidden.length > LIMITS.maxDepth) {
    c.fail(`${prefix}.hidden`, input.hidden, `a list of at most ${LIMITS.maxDepth} layer widths`);
  } else {
    // An index loop, not forEach: a sparse list's holes are reported, not skipped.
    for (let i = 0; i < input.hidden.length; i++) hidden.push(c.int(`${prefix}.hidden[${i}]`, input.hidden[i], 1, LIMITS.maxWidth));
  }
  const activations: HiddenActivation[] = [];
  const acts = input.activations;
  if (!Array.isArray(acts) || acts.length !== hidden.length) {
    c.fail(`${prefix}.activations`, acts, `a list of ${hidden.length} hidden activations (${HIDDEN_ACTIVATIONS.join(', ')})`);
  } else {
    for (let i = 0; i < acts.length; i++) activations.push(c.oneOf(`${prefix}.activations[${i}]`, acts[i], HIDDEN_ACTIVATIONS));
  }
  const outputActivation = c.oneOf(`${prefix}.outputActivation`, input.outputActivation, OUTPUT_ACTIVATIONS);
  const loss = c.oneOf(`${prefix}.loss`, input.loss, LOSSES);
  if (c.issues.every((i) => i.field !== `${prefix}.loss` && i.field !== `${prefix}.outputActivation`)) {
    const allowedOuts = LOSS_INFO[loss].outputs;
    if (!allowedOuts.includes(outputActivation)) {
      c.fail(`${prefix}.outputActivation`, outputActivation, `${allowedOuts.join(' or ')} with loss ${loss}`);
    } else if (outputActivation === 'softmax' && outputDim < 2) {
      c.fail(`${prefix}.outputDim`, outputDim, 'at least 2 with a softmax output');
    }
  }
  const init = c.oneOf(`${prefix}.init`, input.init, INITS);
  const gain = c.num(`${prefix}.gain`, input.gain, 0, LIMITS.maxGain);
  const initSeed = c.int(`${prefix}.initSeed`, input.initSeed, 0, LIMITS.maxSeed);
  let optimizer: OptimizerSpec = { kind: 'sgd', lr: 0.1 };
  if (!isRecord(input.optimizer)) {
    c.fail(`${prefix}.optimizer`, input.optimizer, 'an object { kind, lr }');
  } else {
    const o = input.optimizer;
    const opt: { -readonly [K in keyof OptimizerSpec]: OptimizerSpec[K] } = {
      kind: c.oneOf(`${prefix}.optimizer.kind`, o.kind, OPTIMIZERS),
      lr: c.num(`${prefix}.optimizer.lr`, o.lr, 0, LIMITS.maxLr, true),
    };
    for (const k of ['momentum', 'beta1', 'beta2', 'decay'] as const) {
      if (o[k] === undefined) continue;
      const v = o[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) c.fail(`${prefix}.optimizer.${k}`, v, 'a number from 0 up to (not including) 1');
      else opt[k] = v;
    }
    if (o.eps !== undefined) opt.eps = c.num(`${prefix}.optimizer.eps`, o.eps, 0, 1, true);
    if (o.weightDecay !== undefined && o.weightDecay !== null) {
      const wd = parseWeightDecay(o.weightDecay, `${prefix}.optimizer.weightDecay`);
      if (wd.ok) opt.weightDecay = wd.value;
      else c.issues.push(...wd.issues);
    }
    if (o.schedule !== undefined && o.schedule !== null) {
      const sch = parseLrSchedule(o.schedule, `${prefix}.optimizer.schedule`);
      if (sch.ok) opt.schedule = sch.value;
      else c.issues.push(...sch.issues);
    }
    const known = new Set(['kind', 'lr', 'momentum', 'beta1', 'beta2', 'decay', 'eps', 'weightDecay', 'schedule']);
    for (const k of Object.keys(o)) if (!known.has(k)) c.fail(`${prefix}.optimizer.${k}`, o[k], `no such field; the optimizer has ${[...known].join(', ')}`);
    optimizer = opt;
  }
  let clip: ClipSpec | undefined;
  if (input.clip !== undefined && input.clip !== null) {
    if (!isRecord(input.clip)) c.fail(`${prefix}.clip`, input.clip, 'an object { kind: norm|value, max }');
    else clip = { kind: c.oneOf(`${prefix}.clip.kind`, input.clip.kind, CLIP_KINDS), max: c.num(`${prefix}.clip.max`, input.clip.max, 0, 1e30, true) };
  }
  const extra: { biasStd?: number; residual?: number; norm?: NormName; dropout?: number; dropoutSeed?: number } = {};
  if (input.biasStd !== undefined) extra.biasStd = c.num(`${prefix}.biasStd`, input.biasStd, 0, LIMITS.maxBiasStd);
  if (input.residual !== undefined) extra.residual = c.int(`${prefix}.residual`, input.residual, 0, LIMITS.maxResidual);
  if (input.norm !== undefined) extra.norm = c.oneOf(`${prefix}.norm`, input.norm, NORMS);
  if (input.dropout !== undefined) {
    const p = input.dropout;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p >= 1) c.fail(`${prefix}.dropout`, p, 'a dropout rate from 0 up to (not including) 1');
    else extra.dropout = p;
  }
  if (input.dropoutSeed !== undefined) extra.dropoutSeed = c.int(`${prefix}.dropoutSeed`, input.dropoutSeed, 0, LIMITS.maxSeed);
  c.known(prefix, input, MODEL_FIELDS);
  if (c.issues.length) return { ok: false, issues: c.issues };
  const value: ModelSpec = { inputDim, hidden, activations, outputDim, outputActivation, loss, init, gain, initSeed, optimizer, ...extra };
  return { ok: true, value: clip ? { ...value, clip } : value };
}

/** Validate a weight decay { kind: coupled | decoupled, lambda ≥ 0 }. */
export function parseWeightDecay(input: unknown, prefix = 'weightDecay'): Parsed<WeightDecaySpec> {
  const c = new Checker();
  if (!isRecord(input)) return { ok: false, issues: [{ field: prefix, value: input, allowed: `an object { kind: ${WEIGHT_DECAY_KINDS.join('|')}, lambda }` }] };
  const kind = c.oneOf(`${prefix}.kind`, input.kind, WEIGHT_DECAY_KINDS);
  const lambda = c.num(`${prefix}.lambda`, input.lambda, 0, LIMITS.maxWeightDecay);
  c.known(prefix, input, ['kind', 'lambda']);
  return c.issues.length ? { ok: false, issues: c.issues } : { ok: true, value: { kind, lambda } };
}

/**
 * Validate a learning-rate schedule: a known kind with exactly its fields (lr-schedule.ts), a finite warm-up, and
 * parameters that end (a cosine needs its length in steps; step and exponential factors in (0, 1]).
 */
export function parseLrSchedule(input: unknown, prefix = 'schedule'): Parsed<LrScheduleSpec> {
  const c = new Checker();
  if (!isRecord(input)) return { ok: false, issues: [{ field: prefix, value: input, allowed: `an object { kind: ${LR_SCHEDULES.join('|')}, … }` }] };
  const kind = c.oneOf(`${prefix}.kind`, input.kind, LR_SCHEDULES);
  if (c.issues.length) return { ok: false, issues: c.issues };
  const fields = LR_SCHEDULE_FIELDS[kind];
  const out: { -readonly [K in keyof LrScheduleSpec]: LrScheduleSpec[K] } = { kind };
  for (const f of fields.required) {
    if (input[f] === undefined) c.fail(`${prefix}.${f}`, input[f], `a value: a ${kind} schedule needs ${fields.required.join(' and ')}${kind === 'cosine' ? ' (a schedule must end)' : ''}`);
  }
  if (input.every !== undefined && fields.required.includes('every')) out.every = c.int(`${prefix}.every`, input.every, 1, LIMITS.maxSteps);
  if (input.factor !== undefined && fields.required.includes('factor')) {
    const v = input.factor;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) c.fail(`${prefix}.factor`, v, 'a finite number above 0 and at most 1');
    else out.factor = v;
  }
  if (input.steps !== undefined && fields.required.includes('steps')) out.steps = c.int(`${prefix}.steps`, input.steps, 1, LIMITS.maxSteps);
  if (input.floor !== undefined && fields.optional.includes('floor')) {
    const v = input.floor;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) c.fail(`${prefix}.floor`, v, 'a share of the base rate from 0 up to (not including) 1');
    else if (v !== 0) out.floor = v;
  }
  if (input.warmup !== undefined) {
    const w = c.int(`${prefix}.warmup`, input.warmup, 0, LIMITS.maxSteps);
    if (w > 0) out.warmup = w;
  }
  c.known(prefix, input, ['kind', 'warmup', ...fields.required, ...fields.optional]);
  return c.issues.length ? { ok: false, issues: c.issues } : { ok: true, value: out };
}

/** Validate a data spec. */
export function parseData(input: unknown, prefix = 'data'): Parsed<DataSpec> {
  const c = new Checker();
  if (!isRecord(input)) return { ok: false, issues: [{ field: prefix, value: input, allowed: 'an object' }] };
  const value: DataSpec = {
    dataset: c.oneOf(`${prefix}.dataset`, input.dataset, DATASETS),
    samples: c.int(`${prefix}.samples`, input.samples, 1, LIMITS.maxSamples),
    noise: c.num(`${prefix}.noise`, input.noise, 0, LIMITS.maxNoise),
    inputDim: c.int(`${prefix}.inputDim`, input.inputDim, 1, LIMITS.maxDim),
    outputDim: c.int(`${prefix}.outputDim`, input.outputDim, 1, LIMITS.maxDim),
    seed: c.int(`${prefix}.seed`, input.seed, 0, LIMITS.maxSeed),
  };
  c.known(prefix, input, Object.keys(value));
  return c.issues.length ? { ok: false, issues: c.issues } : { ok: true, value };
}

/** Validate a schedule. */
export function parseSchedule(input: unknown, prefix = 'schedule'): Parsed<ScheduleSpec> {
  const c = new Checker();
  if (!isRecord(input)) return { ok: false, issues: [{ field: prefix, value: input, allowed: 'an object' }] };
  const value: ScheduleSpec = {
    batchSize: c.int(`${prefix}.batchSize`, input.batchSize, 0, LIMITS.maxSamples),
    steps: c.int(`${prefix}.steps`, input.steps, 0, LIMITS.maxSteps),
    logEvery: c.int(`${prefix}.logEvery`, input.logEvery, 1, LIMITS.maxSteps),
    batchSeed: c.int(`${prefix}.batchSeed`, input.batchSeed, 0, LIMITS.maxSeed),
    dtype: c.oneOf(`${prefix}.dtype`, input.dtype, DTYPES),
  };
  c.known(prefix, input, Object.keys(value));
  return c.issues.length ? { ok: false, issues: c.issues } : { ok: true, value };
}

/** Validate a whole experiment, including the agreement between the model and the data. */
export function parseExperiment(input: unknown): Parsed<ExperimentSpec> {
  if (!isRecord(input)) return { ok: false, issues: [{ field: 'experiment', value: input, allowed: 'an object' }] };
  const m = parseModel(input.model);
  const d = parseData(input.data);
  const s = parseSchedule(input.schedule);
  const top = new Checker();
  top.known('experiment', input, ['model', 'data', 'schedule']);
  const issues = [...(m.ok ? [] : m.issues), ...(d.ok ? [] : d.issues), ...(s.ok ? [] : s.issues), ...top.issues];
  if (!m.ok || !d.ok || !s.ok || issues.length) return { ok: false, issues };
  const dims = datasetDims(d.value);
  if (m.value.inputDim !== dims.inputDim) {
    issues.push({ field: 'model.inputDim', value: m.value.inputDim, allowed: `${dims.inputDim}, the input dimension of data set ${d.value.dataset}` });
  }
  if (m.value.outputDim !== dims.outputDim) {
    issues.push({ field: 'model.outputDim', value: m.value.outputDim, allowed: `${dims.outputDim}, the output dimension of data set ${d.value.dataset}` });
  }
  const rows = dims.samples;
  if (s.value.batchSize > rows) {
    issues.push({ field: 'schedule.batchSize', value: s.value.batchSize, allowed: `0 (full batch) or at most ${rows}, the number of samples` });
  }
  const stepRows = s.value.batchSize === 0 ? rows : s.value.batchSize;
  if (m.value.norm === 'batch' && stepRows < 2) {
    issues.push({ field: 'schedule.batchSize', value: s.value.batchSize, allowed: 'at least 2 rows per step with batch norm (its statistics are over the batch)' });
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { model: m.value, data: d.value, schedule: s.value } };
}

/** Input/output dimensions and sample count a data spec produces. */
export function datasetDims(d: DataSpec): { inputDim: number; outputDim: number; samples: number } {
  switch (d.dataset) {
    case 'xor':
    case 'and':
      return { inputDim: 2, outputDim: 1, samples: 4 };
    case 'random':
      return { inputDim: d.inputDim, outputDim: d.outputDim, samples: d.samples };
    default:
      return { inputDim: 2, outputDim: 1, samples: d.samples };
  }
}

/** Number of rows a training step uses. */
export function rowsPerStep(spec: ExperimentSpec): number {
  const n = datasetDims(spec.data).samples;
  return spec.schedule.batchSize === 0 ? n : spec.schedule.batchSize;
}

/** Layer sizes of a model, input first: [inputDim, ...hidden, outputDim]. */
export function layerSizes(m: ModelSpec): number[] {
  return [m.inputDim, ...m.hidden, m.outputDim];
}

/**
 * The residual connections of a model: entry i (hidden layer i + 1, counting from 1) is the 0-based index of the
 * hidden layer whose output is added to layer i's, or −1. Layer i ends a skip of k = `residual` layers when
 * i ≥ k, i is a multiple of k and both layers have the same width.
 */
export function residualSources(m: Pick<ModelSpec, 'hidden' | 'residual'>): number[] {
  const k = m.residual ?? 0;
  return m.hidden.map((w, i) => (k > 0 && i >= k && i % k === 0 && m.hidden[i - k] === w ? i - k : -1));
}

/** Parse a hidden-layer list: "2", "16,16", "256x20" (twenty layers of 256), "64x3,10". */
export function parseLayers(text: string): number[] | null {
  const out: number[] = [];
  if (text.trim() === '' || text.trim() === '0' || text.trim() === 'none') return [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:[x×*]\s*(\d+))?\s*$/.exec(part);
    if (!m) return null;
    const width = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (count > LIMITS.maxDepth || out.length + count > LIMITS.maxDepth) return null;
    for (let i = 0; i < count; i++) out.push(width);
  }
  return out;
}

/** Render hidden widths compactly ("256x20", "16,8"). Inverse of parseLayers. */
export function formatLayers(hidden: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < hidden.length; ) {
    let j = i;
    while (j < hidden.length && hidden[j] === hidden[i]) j++;
    parts.push(j - i > 1 ? `${hidden[i]}x${j - i}` : String(hidden[i]));
    i = j;
  }
  return parts.join(',');
}

/** What a per-layer activation list may be, for messages. */
export function activationListAllowed(depth: number): string {
  return `one of ${HIDDEN_ACTIVATIONS.join(', ')}, or a per-layer list such as sigmoid×10,relu×10 (or sigmoid*10,relu*10) whose counts add up to the depth, ${depth}`;
}

/**
 * Parse hidden activations given as one name ("relu") or per layer ("sigmoid×10,relu×10", ASCII "sigmoid*10,relu*10";
 * segments separated by `,`, `+`, `;` or spaces, a count of 1 may be left out) into one name per hidden layer;
 * a single name stands for every one of `depth` layers. Returns null when the text is not of that form (an unknown
 * name, a count that is not a whole number from 1 to the depth) or its counts do not add up to `depth`.
 */
export function parseActivationList(text: string, depth: number): HiddenActivation[] | null {
  const t = text.trim();
  if ((HIDDEN_ACTIVATIONS as readonly string[]).includes(t)) return Array<HiddenActivation>(depth).fill(t as HiddenActivation);
  const out: HiddenActivation[] = [];
  for (const part of t.split(/[,+;\s]+/)) {
    const m = /^([a-z_]+)(?:[×*](\d+))?$/.exec(part);
    if (!m || !(HIDDEN_ACTIVATIONS as readonly string[]).includes(m[1]!)) return null;
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (count < 1 || out.length + count > depth) return null;
    for (let i = 0; i < count; i++) out.push(m[1] as HiddenActivation);
  }
  return out.length === depth ? out : null;
}

/**
 * Per-layer activations carried over to a new depth, keeping their order and proportions: each run of equal
 * activations ("sigmoid×10") gets its share of the new depth, rounded by largest remainder so that the counts add up
 * to `depth`, and keeps at least one layer while the depth allows one per run ("sigmoid×10,relu×10" at depth 30 is
 * "sigmoid×15,relu×15"; "relu×9,sigmoid,relu×10" at depth 10 is "relu×4,sigmoid,relu×5"). Below one layer per run, layer j of the
 * new stack takes the activation found at the same relative height of the old one.
 */
export function rescaleActivations(acts: readonly HiddenActivation[], depth: number): HiddenActivation[] {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth: ${depth} is not allowed; expected a whole number ≥ 1`);
  const n = acts.length;
  if (n === 0) throw new RangeError('activations: an empty list cannot be rescaled');
  if (depth === n) return [...acts];
  const runs: { act: HiddenActivation; count: number }[] = [];
  for (const a of acts) {
    const last = runs[runs.length - 1];
    if (last && last.act === a) last.count++;
    else runs.push({ act: a, count: 1 });
  }
  if (depth < runs.length) return Array.from({ length: depth }, (_, j) => acts[Math.min(n - 1, Math.floor(((j + 0.5) * n) / depth))]!);
  const exact = runs.map((r) => (r.count * depth) / n);
  const counts = exact.map((e) => Math.max(1, Math.floor(e)));
  let left = depth - counts.reduce((a, b) => a + b, 0);
  // Largest remainders first (ties: the earlier run); a surplus from the one-layer minimum comes off the largest runs.
  const byRemainder = exact.map((e, k) => k).sort((a, b) => exact[b]! - Math.floor(exact[b]!) - (exact[a]! - Math.floor(exact[a]!)) || a - b);
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) counts[byRemainder[i]!] = counts[byRemainder[i]!]! + 1;
  while (left < 0) {
    let k = 0;
    for (let m = 1; m < counts.length; m++) if (counts[m]! > counts[k]!) k = m;
    counts[k] = counts[k]! - 1;
    left++;
  }
  return runs.flatMap((r, k) => Array<HiddenActivation>(counts[k]!).fill(r.act));
}

/** Render per-layer activations compactly: "relu" when all are the same, else "sigmoid×10,relu×10" (`ascii`: `*`). Inverse of parseActivationList. */
export function formatActivationList(acts: readonly HiddenActivation[], ascii = false): string {
  if (acts.length > 0 && acts.every((a) => a === acts[0])) return acts[0]!;
  const parts: string[] = [];
  for (let i = 0; i < acts.length; ) {
    let j = i;
    while (j < acts.length && acts[j] === acts[i]) j++;
    parts.push(j - i > 1 ? `${acts[i]}${ascii ? '*' : '×'}${j - i}` : acts[i]!);
    i = j;
  }
  return parts.join(',');
}
