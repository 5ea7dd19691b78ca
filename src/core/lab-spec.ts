/**
 * The lab spec: everything a lab page shows (shared data/model/schedule settings, up to four runs that differ
 * in activation, init, gain, learning rate and the mitigation switches — optimizer, gradient clipping, bias std,
 * residual connections, normalisation —, the backend, speed, stop condition and hidden controls), its
 * defaults, and its validation. Every model/data/schedule value is checked by the parsers of spec.ts (the one
 * place of validation); a bad field falls back to its default and is reported by name.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation, type OutputActivation } from './activations.js';
import type { Task } from './datasets.js';
import type { LossName } from './losses.js';
import { deepStack } from './presets.js';
import {
  CLIP_KINDS,
  NORMS,
  OPTIMIZER_DEFAULTS,
  OPTIMIZERS,
  datasetDims,
  describeValue,
  parseData,
  parseExperiment,
  parseModel,
  parseSchedule,
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
  type SpecIssue,
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
  /** Activation of every hidden layer. */
  readonly activation: HiddenActivation;
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
export const MITIGATION_FIELDS = ['optimizer', 'momentum', 'beta1', 'beta2', 'decay', 'clip', 'biasStd', 'residual', 'norm'] as const;

/** Whether a run is a plain MLP (no normalisation, no residual connections), the case mean-field theory describes. */
export function isPlainRun(run: RunSpec): boolean {
  return (run.norm ?? 'none') === 'none' && (run.residual ?? 0) === 0;
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
  /** Most training steps per animation frame. */
  readonly speed: number;
  readonly stop: StopCondition;
  /** Controls hidden from the page. */
  readonly hide: readonly ControlName[];
}

/** The default lab: the deep sigmoid (Xavier) vs deep ReLU (He) comparison of presets.deepStack. */
export function defaultLab(): LabSpec {
  const s = deepStack('sigmoid');
  const r = deepStack('relu');
  return {
    dataset: s.data.dataset,
    samples: s.data.samples,
    noise: s.data.noise,
    dataSeed: s.data.seed,
    depth: s.model.hidden.length,
    width: s.model.hidden[0]!,
    lr: s.model.optimizer.lr,
    batch: s.schedule.batchSize,
    initSeed: s.model.initSeed,
    batchSeed: s.schedule.batchSeed,
    logEvery: s.schedule.logEvery,
    dtype: s.schedule.dtype,
    runs: [
      { activation: 'sigmoid', init: s.model.init, gain: s.model.gain, lr: null },
      { activation: 'relu', init: r.model.init, gain: r.model.gain, lr: null },
    ],
    backend: 'auto',
    speed: 1,
    stop: { kind: 'none' },
    hide: [],
  };
}

/** The standard init of an activation (He for the ReLU family, Xavier otherwise), for new runs. */
export function standardInit(activation: HiddenActivation): InitName {
  return activation === 'relu' || activation === 'leaky_relu' ? 'he' : 'xavier';
}

/** A new run to add to a lab: the first activation not used yet, with its standard init. */
export function nextRun(lab: LabSpec): RunSpec {
  const used = new Set(lab.runs.map((r) => r.activation));
  const activation = HIDDEN_ACTIVATIONS.find((a) => !used.has(a)) ?? 'tanh';
  return { activation, init: standardInit(activation), gain: 1, lr: null };
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
    activations: Array<HiddenActivation>(lab.depth).fill(run.activation),
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
  };
}

/** The schedule of a lab (steps are open-ended: the lab decides when to stop). */
export function scheduleSpec(lab: LabSpec): ScheduleSpec {
  return { batchSize: lab.batch, steps: LAB_LIMITS.maxEpochs, logEvery: lab.logEvery, batchSeed: lab.batchSeed, dtype: lab.dtype };
}

/** A short human label of a run: "sigmoid · xavier", plus gain, learning rate and mitigations when they differ. */
export function runLabel(run: RunSpec): string {
  const parts: string[] = [run.activation, run.init];
  if (run.gain !== 1) parts.push(`gain ${run.gain}`);
  if (run.lr !== null) parts.push(`lr ${run.lr}`);
  const m = mitigationLabel(run);
  if (m) parts.push(m);
  return parts.join(' · ');
}

/** The run's mitigations in a few words ("adam · clip norm 1 · σb 0.1"), or '' when it has none. */
export function mitigationLabel(run: RunSpec): string {
  const parts: string[] = [];
  if (run.optimizer && run.optimizer !== 'sgd') parts.push(run.optimizer);
  if (run.clip) parts.push(`clip ${run.clip.kind} ${run.clip.max}`);
  if (run.biasStd) parts.push(`σb ${run.biasStd}`);
  if (run.residual) parts.push(`residual every ${run.residual}`);
  if (run.norm && run.norm !== 'none') parts.push(`${run.norm} norm`);
  return parts.join(' · ');
}

/** A lab and what was wrong with the input it came from (each bad field replaced by its default). */
export interface ParsedLab {
  readonly value: LabSpec;
  readonly issues: readonly SpecIssue[];
}

type Input = Record<string, unknown>;

function isRecord(v: unknown): v is Input {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects field-named issues, keeping the default where a value is bad. */
class LabChecker {
  readonly issues: SpecIssue[] = [];

  /** The issues of a spec parse, renamed to the lab field. */
  take(field: string, value: unknown, issues: readonly SpecIssue[] | null): boolean {
    if (!issues || issues.length === 0) return true;
    this.issues.push({ field, value, allowed: issues[0]!.allowed });
    return false;
  }

  range(field: string, v: unknown, min: number, max: number): boolean {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return true;
    this.issues.push({ field, value: v, allowed: `an integer from ${min} to ${max}` });
    return false;
  }
}

function issuesOf<T>(r: { ok: true; value: T } | { ok: false; issues: readonly SpecIssue[] }): readonly SpecIssue[] | null {
  return r.ok ? null : r.issues;
}

/**
 * Validate a lab from a plain object (decoded from a URL or JSON). Missing fields take their defaults; bad
 * ones take their defaults too and are listed in `issues`, each naming the field, the value and what is allowed.
 */
export function parseLab(input: unknown, defaults: LabSpec = defaultLab()): ParsedLab {
  const c = new LabChecker();
  if (!isRecord(input)) return { value: defaults, issues: [{ field: 'lab', value: input, allowed: 'an object' }] };
  const d = defaults;
  const base = modelSpec(d, d.runs[0]!, builtinShape(d));
  const baseData = dataSpec(d);
  const baseSchedule = scheduleSpec(d);
  const model = (field: string, v: unknown, patch: Partial<Record<keyof ModelSpec, unknown>>) =>
    c.take(field, v, issuesOf(parseModel({ ...base, ...patch })));
  const data = (field: string, v: unknown, patch: Partial<Record<keyof DataSpec, unknown>>) =>
    c.take(field, v, issuesOf(parseData({ ...baseData, ...patch })));
  const sched = (field: string, v: unknown, patch: Partial<Record<keyof ScheduleSpec, unknown>>) =>
    c.take(field, v, issuesOf(parseSchedule({ ...baseSchedule, ...patch })));
  /** The input's value of a field when present and accepted by `check`, else the default. */
  const pick = <K extends keyof LabSpec>(key: K, check: (v: unknown) => boolean): LabSpec[K] => {
    if (!(key in input) || input[key] === undefined) return d[key];
    const v = input[key];
    return check(v) ? (v as LabSpec[K]) : d[key];
  };

  const dataset = pick('dataset', (v) => data('dataset', v, { dataset: v }));
  const samples = pick('samples', (v) => c.range('samples', v, 1, LAB_LIMITS.maxSamples) && data('samples', v, { samples: v }));
  const noise = pick('noise', (v) => data('noise', v, { noise: v }));
  const dataSeed = pick('dataSeed', (v) => data('dataSeed', v, { seed: v }));
  const depth = pick('depth', (v) => c.range('depth', v, 1, LAB_LIMITS.maxDepth));
  const width = pick('width', (v) => c.range('width', v, 1, LAB_LIMITS.maxWidth) && model('width', v, { hidden: Array(base.hidden.length).fill(v) }));
  const lr = pick('lr', (v) => model('lr', v, { optimizer: { kind: 'sgd', lr: v } }));
  const initSeed = pick('initSeed', (v) => model('initSeed', v, { initSeed: v }));
  let batch = pick('batch', (v) => sched('batch', v, { batchSize: v }));
  const batchSeed = pick('batchSeed', (v) => sched('batchSeed', v, { batchSeed: v }));
  const logEvery = pick('logEvery', (v) => c.range('logEvery', v, 1, 100000));
  const dtype = pick('dtype', (v) => sched('dtype', v, { dtype: v }));
  const backend = pick('backend', (v) => oneOf(c, 'backend', v, BACKEND_CHOICES));
  const speed = pick('speed', (v) => c.range('speed', v, 1, LAB_LIMITS.maxSpeed));
  const stop = pick('stop', (v) => checkStop(c, v));
  const hide = pick('hide', (v) => checkHide(c, v));
  const runs = parseRuns(c, input.runs, d.runs, model, base.hidden.length);

  // Agreement between the fields, checked by spec.parseExperiment on the assembled experiment.
  const draft: LabSpec = { dataset, samples, noise, dataSeed, depth, width, lr, batch, initSeed, batchSeed, logEvery, dtype, runs, backend, speed, stop, hide };
  let batchBad = false;
  const checked = runs.map((run, i) => {
    const whole = parseExperiment({ model: modelSpec(draft, run, builtinShape(draft)), data: dataSpec(draft), schedule: scheduleSpec(draft) });
    if (whole.ok) return run;
    let out = run;
    for (const issue of whole.issues) {
      if (issue.field !== 'schedule.batchSize') continue;
      if (run.norm === 'batch' && /batch norm/.test(issue.allowed)) {
        // Batch norm needs two rows per step: the run loses its batch norm, the lab keeps its batch.
        c.issues.push({ field: `runs[${i}].norm`, value: 'batch', allowed: `none or layer with ${batch === 1 ? 'batch 1' : 'one row per step'} (${issue.allowed})` });
        const { norm: _norm, ...rest } = run;
        out = rest;
      } else if (!batchBad) {
        batchBad = true;
        c.issues.push({ field: 'batch', value: batch, allowed: issue.allowed });
      }
    }
    return out;
  });
  if (batchBad) batch = d.batch <= datasetDims(dataSpec(draft)).samples ? d.batch : 0;
  return { value: { ...draft, runs: checked, batch }, issues: c.issues };
}

function oneOf<T extends string>(c: LabChecker, field: string, v: unknown, choices: readonly T[]): boolean {
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return true;
  c.issues.push({ field, value: v, allowed: `one of ${choices.join(', ')}` });
  return false;
}

function checkStop(c: LabChecker, v: unknown): boolean {
  const allowed = `none, epochs:N (N from 1 to ${LAB_LIMITS.maxEpochs}) or loss:T (T a finite number above 0)`;
  const ok =
    isRecord(v) &&
    (v.kind === 'none' ||
      (v.kind === 'epochs' && typeof v.value === 'number' && Number.isInteger(v.value) && v.value >= 1 && v.value <= LAB_LIMITS.maxEpochs) ||
      (v.kind === 'loss' && typeof v.value === 'number' && Number.isFinite(v.value) && v.value > 0));
  if (!ok) c.issues.push({ field: 'stop', value: v, allowed });
  return ok;
}

function checkHide(c: LabChecker, v: unknown): boolean {
  if (!Array.isArray(v)) {
    c.issues.push({ field: 'hide', value: v, allowed: `a list of control names (${CONTROL_NAMES.join(', ')})` });
    return false;
  }
  const bad = v.filter((n) => typeof n !== 'string' || !(CONTROL_NAMES as readonly string[]).includes(n));
  if (bad.length) c.issues.push({ field: 'hide', value: bad.join(','), allowed: `control names: ${CONTROL_NAMES.join(', ')}` });
  return bad.length === 0;
}

function parseRuns(
  c: LabChecker,
  v: unknown,
  defaults: readonly RunSpec[],
  model: (field: string, v: unknown, patch: Partial<Record<keyof ModelSpec, unknown>>) => boolean,
  depth: number,
): RunSpec[] {
  if (v === undefined) return [...defaults];
  if (!Array.isArray(v) || v.length < LAB_LIMITS.minRuns || v.length > LAB_LIMITS.maxRuns) {
    c.issues.push({ field: 'runs', value: Array.isArray(v) ? `${v.length} runs` : v, allowed: `${LAB_LIMITS.minRuns} to ${LAB_LIMITS.maxRuns} runs` });
    return [...defaults];
  }
  return v.map((raw: unknown, i) => {
    const fallback = defaults[i] ?? defaults[defaults.length - 1]!;
    if (!isRecord(raw)) {
      c.issues.push({ field: `runs[${i}]`, value: raw, allowed: 'an object { activation, init, gain, lr }' });
      return fallback;
    }
    const at = (k: string) => `runs[${i}].${k}`;
    const activation =
      raw.activation !== undefined && model(at('activation'), raw.activation, { activations: Array(depth).fill(raw.activation) })
        ? (raw.activation as HiddenActivation)
        : fallback.activation;
    const init = raw.init !== undefined && model(at('init'), raw.init, { init: raw.init }) ? (raw.init as InitName) : standardInit(activation);
    const gain = raw.gain !== undefined && model(at('gain'), raw.gain, { gain: raw.gain }) ? (raw.gain as number) : fallback.gain;
    const lr =
      raw.lr === undefined || raw.lr === null
        ? null
        : model(at('lr'), raw.lr, { optimizer: { kind: 'sgd', lr: raw.lr } })
          ? (raw.lr as number)
          : null;
    return { activation, init, gain, lr, ...parseMitigations(c, raw, fallback, at, model) };
  });
}

/**
 * The mitigation switches of one raw run in canonical form (defaults left out). A bad value is reported and the
 * fallback run's value is kept (the current run's for a change in the app, the default run's for a URL).
 */
function parseMitigations(
  c: LabChecker,
  raw: Input,
  fallback: RunSpec,
  at: (k: string) => string,
  model: (field: string, v: unknown, patch: Partial<Record<keyof ModelSpec, unknown>>) => boolean,
): Partial<RunSpec> {
  const given = (k: string) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '';
  const kind: OptimizerName = !given('optimizer') ? 'sgd' : oneOf(c, at('optimizer'), raw.optimizer, OPTIMIZERS) ? (raw.optimizer as OptimizerName) : (fallback.optimizer ?? 'sgd');
  const out: { -readonly [K in keyof RunSpec]?: RunSpec[K] } = {};
  for (const h of Object.keys(OPTIMIZER_HYPERS) as OptimizerHyper[]) {
    const applies = OPTIMIZER_HYPERS[h] as readonly OptimizerName[];
    if (!given(h)) continue;
    const v = raw[h];
    if (!applies.includes(kind)) c.issues.push({ field: at(h), value: v, allowed: `no value with optimizer ${kind}; it applies to ${applies.join(', ')}` });
    else out[h] = model(at(h), v, { optimizer: { kind, lr: 0.1, [h]: v } }) ? (v as number) : kind === fallback.optimizer ? fallback[h] : undefined;
  }
  if (given('clip') && raw.clip !== 'none') {
    const v = raw.clip;
    const ok = isRecord(v) && Object.keys(v).every((k) => k === 'kind' || k === 'max');
    const allowed = `none, or ${CLIP_KINDS.map((k) => `${k}:MAX`).join(' or ')} with MAX a finite number above 0`;
    if (!ok) c.issues.push({ field: at('clip'), value: v, allowed });
    out.clip = ok && model(at('clip'), `${String(v.kind)}:${describeValue(v.max)}`, { clip: v }) ? { kind: v.kind as ClipSpec['kind'], max: v.max as number } : fallback.clip;
  }
  if (given('biasStd')) {
    const v = raw.biasStd;
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= LAB_LIMITS.maxBiasStd;
    if (!ok) c.issues.push({ field: at('biasStd'), value: v, allowed: `a finite number from 0 to ${LAB_LIMITS.maxBiasStd}` });
    out.biasStd = ok && model(at('biasStd'), v, { biasStd: v }) ? v : fallback.biasStd;
  }
  if (given('residual')) {
    const v = raw.residual;
    out.residual = c.range(at('residual'), v, 0, LAB_LIMITS.maxDepth) && model(at('residual'), v, { residual: v }) ? (v as number) : fallback.residual;
  }
  if (given('norm')) out.norm = oneOf(c, at('norm'), raw.norm, NORMS) && model(at('norm'), raw.norm, { norm: raw.norm }) ? (raw.norm as NormName) : fallback.norm;
  return canonicalMitigations(kind, out);
}

/** The switches with every default left out (sgd, default hyperparameters, no clip, σ_b 0, residual 0, norm none). */
function canonicalMitigations(kind: OptimizerName, m: Partial<RunSpec>): Partial<RunSpec> {
  const out: { -readonly [K in keyof RunSpec]?: RunSpec[K] } = {};
  if (kind !== 'sgd') out.optimizer = kind;
  for (const h of hypersOf(kind)) if (m[h] !== undefined && m[h] !== OPTIMIZER_DEFAULTS[h]) out[h] = m[h];
  if (m.clip) out.clip = m.clip;
  if (m.biasStd) out.biasStd = m.biasStd;
  if (m.residual) out.residual = m.residual;
  if (m.norm && m.norm !== 'none') out.norm = m.norm;
  return out;
}

/** Whether two run field values are equal (clip objects by kind and max). */
function sameValue(x: unknown, y: unknown): boolean {
  if (isRecord(x) && isRecord(y)) return x.kind === y.kind && x.max === y.max;
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
    if ((o.lr ?? a.lr) !== (r.lr ?? b.lr)) changed.push('lr');
    for (const k of MITIGATION_FIELDS) if (!sameValue(o[k], r[k])) changed.push(k);
    if (changed.length) {
      runs.push(i);
      changed.forEach((k) => reasons.add(k));
    }
  });
  return { all: false, runs, why: [...reasons] };
}

