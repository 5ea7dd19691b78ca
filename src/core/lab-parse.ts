/**
 * Validation of a lab (src/core/lab-spec.ts) from a plain object decoded from a URL or JSON: every model, data
 * and schedule value goes through the parsers of spec.ts (the one place of validation); a bad field falls back
 * to its default and is reported by name, with its value and what is allowed.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from './activations.js';
import { SCHEDULE_TEXT_FORMS, formatSchedule, isVaryingSchedule, parseScheduleText, type LrScheduleSpec } from './lr-schedule.js';
import {
  BACKEND_CHOICES,
  CONTROL_NAMES,
  LAB_LIMITS,
  OPTIMIZER_HYPERS,
  builtinShape,
  dataSpec,
  defaultLab,
  hypersOf,
  modelSpec,
  scheduleSpec,
  standardInit,
  type LabSpec,
  type OptimizerHyper,
  type RunSpec,
} from './lab-spec.js';
import {
  CLIP_KINDS,
  NORMS,
  OPTIMIZER_DEFAULTS,
  OPTIMIZERS,
  activationListAllowed,
  datasetDims,
  formatActivationList,
  parseActivationList,
  describeValue,
  isRecord,
  parseData,
  parseExperiment,
  parseLrSchedule,
  parseModel,
  parseSchedule,
  type ClipSpec,
  type DataSpec,
  type InitName,
  type ModelSpec,
  type NormName,
  type OptimizerName,
  type ScheduleSpec,
  type SpecIssue,
  type WeightDecaySpec,
} from './spec.js';

/** A lab and what was wrong with the input it came from (each bad field replaced by its default). */
export interface ParsedLab {
  readonly value: LabSpec;
  readonly issues: readonly SpecIssue[];
}

type Input = Record<string, unknown>;

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
  const speed = pick('speed', (v) => c.range('speed', v, 0, LAB_LIMITS.maxSpeed));
  const stop = pick('stop', (v) => checkStop(c, v));
  const hide = pick('hide', (v) => checkHide(c, v));
  const runs = parseRuns(c, input.runs, d.runs, model, base.hidden.length, depth);

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
  labDepth: number,
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
    const perLayer = parsePerLayer(c, at('activation'), raw, labDepth);
    const activation =
      perLayer !== undefined
        ? (perLayer?.[0] ?? fallback.activations?.[0] ?? fallback.activation)
        : raw.activation !== undefined && model(at('activation'), raw.activation, { activations: Array(depth).fill(raw.activation) })
          ? (raw.activation as HiddenActivation)
          : fallback.activation;
    const kept = perLayer === null && fallback.activations?.length === labDepth ? fallback.activations : null;
    const list = perLayer ?? kept;
    const layers = list && list.some((a) => a !== list[0]) ? { activations: list } : {};
    const init = raw.init !== undefined && model(at('init'), raw.init, { init: raw.init }) ? (raw.init as InitName) : standardInit(activation);
    const gain = raw.gain !== undefined && model(at('gain'), raw.gain, { gain: raw.gain }) ? (raw.gain as number) : fallback.gain;
    const lr =
      raw.lr === undefined || raw.lr === null
        ? null
        : model(at('lr'), raw.lr, { optimizer: { kind: 'sgd', lr: raw.lr } })
          ? (raw.lr as number)
          : null;
    return { activation, ...layers, init, gain, lr, ...parseMitigations(c, raw, fallback, at, model) };
  });
}

/**
 * A run's per-layer activations, from an `activations` list (JSON, or a run of the app) or from per-layer text
 * in `activation` ("sigmoid×10,relu×10"); undefined when the run names one activation (parsed as before); null,
 * with an issue under `field`, when the list is bad or does not match the depth (the run keeps its fallback).
 */
function parsePerLayer(c: LabChecker, field: string, raw: Input, depth: number): HiddenActivation[] | null | undefined {
  const list = raw.activations;
  const text = typeof raw.activation === 'string' ? raw.activation.trim() : null;
  const named = text !== null && (HIDDEN_ACTIVATIONS as readonly string[]).includes(text);
  if (list === undefined || list === null) {
    if (text === null || named || !/[,+;\s×*]/.test(text)) return undefined;
    const parsed = parseActivationList(text, depth);
    if (!parsed) c.issues.push({ field, value: text, allowed: activationListAllowed(depth) });
    return parsed;
  }
  const ok = Array.isArray(list) && list.every((a) => typeof a === 'string' && (HIDDEN_ACTIVATIONS as readonly string[]).includes(a));
  if (ok && list.length === depth) return list as HiddenActivation[];
  c.issues.push({ field, value: Array.isArray(list) && ok ? formatActivationList(list as HiddenActivation[]) : list, allowed: activationListAllowed(depth) });
  return null;
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
  Object.assign(out, parseRegularisation(c, raw, fallback, at, kind, model));
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
  if (m.dropout) out.dropout = m.dropout;
  // Kept while dropout is off (its field greyed out), so that turning dropout on again brings the same masks back.
  if (m.dropoutSeed !== undefined) out.dropoutSeed = m.dropoutSeed;
  if (m.weightDecay && m.weightDecay.lambda > 0) out.weightDecay = m.weightDecay;
  if (isVaryingSchedule(m.schedule)) out.schedule = m.schedule;
  return out;
}

/**
 * A raw run's dropout, weight decay and learning-rate schedule (with its warm-up, given apart as `warmup`),
 * each checked by spec.ts; a bad one is reported under its run field and the fallback run's value kept.
 */
function parseRegularisation(
  c: LabChecker,
  raw: Input,
  fallback: RunSpec,
  at: (k: string) => string,
  kind: OptimizerName,
  model: (field: string, v: unknown, patch: Partial<Record<keyof ModelSpec, unknown>>) => boolean,
): Partial<RunSpec> {
  const given = (k: string) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '';
  const out: { -readonly [K in keyof RunSpec]?: RunSpec[K] } = {};
  if (given('dropout')) out.dropout = model(at('dropout'), raw.dropout, { dropout: raw.dropout }) ? (raw.dropout as number) : fallback.dropout;
  if (given('dropoutSeed')) {
    out.dropoutSeed = model(at('dropoutSeed'), raw.dropoutSeed, { dropoutSeed: raw.dropoutSeed }) ? (raw.dropoutSeed as number) : fallback.dropoutSeed;
  }
  if (given('weightDecay') && raw.weightDecay !== 'none') {
    const v = typeof raw.weightDecay === 'string' ? parseWeightDecayText(raw.weightDecay) : raw.weightDecay;
    const shown = typeof raw.weightDecay === 'string' ? raw.weightDecay : isRecord(v) ? `${String(v.kind)}:${describeValue(v.lambda)}` : v;
    const ok = isRecord(v) && model(at('weightDecay'), shown, { optimizer: { kind, lr: 0.1, weightDecay: v } });
    if (!isRecord(v)) c.issues.push({ field: at('weightDecay'), value: shown, allowed: 'none, a decay λ ≥ 0, or coupled:λ or decoupled:λ' });
    out.weightDecay = ok ? (v as unknown as WeightDecaySpec) : fallback.weightDecay;
  }
  let warmupOk = given('warmup');
  if (warmupOk) {
    const w = parseLrSchedule({ kind: 'constant', warmup: raw.warmup }, 'schedule');
    if (!w.ok) {
      c.issues.push({ field: at('warmup'), value: raw.warmup, allowed: `a whole number of warm-up steps (${w.issues[0]!.allowed})` });
      warmupOk = false;
    }
  }
  if (given('schedule') || warmupOk) {
    const text = typeof raw.schedule === 'string' ? raw.schedule : null;
    const base = !given('schedule') ? (fallback.schedule ?? { kind: 'constant' }) : text !== null ? parseScheduleText(text) : raw.schedule;
    const shown = text ?? (isRecord(raw.schedule) && typeof raw.schedule.kind === 'string' ? formatSchedule(raw.schedule as unknown as LrScheduleSpec) : raw.schedule);
    if (!isRecord(base)) {
      c.issues.push({ field: at('schedule'), value: shown, allowed: SCHEDULE_TEXT_FORMS });
      out.schedule = fallback.schedule;
    } else {
      const { warmup: _, ...rest } = base;
      const candidate = warmupOk ? { ...rest, warmup: raw.warmup } : text !== null ? rest : given('schedule') ? base : rest;
      const parsed = parseLrSchedule(candidate, 'schedule');
      if (parsed.ok) out.schedule = parsed.value;
      else {
        const issue = parsed.issues[0]!;
        const warm = issue.field === 'schedule.warmup';
        c.issues.push({ field: at(warm ? 'warmup' : 'schedule'), value: warm ? issue.value : shown, allowed: `${issue.field.replace(/^schedule\.?/, '') || 'a schedule'}: ${issue.allowed}` });
        out.schedule = fallback.schedule;
      }
    }
  }
  return out;
}

/** The text form of a weight decay: `none`, `coupled:λ` or `decoupled:λ`. */
export function formatWeightDecay(wd: WeightDecaySpec | undefined): string {
  return wd ? `${wd.kind}:${wd.lambda}` : 'none';
}

/** Parse `none`, `λ` (coupled), `coupled:λ` or `decoupled:λ` into a plain value for validation (text that fits none stays text). */
export function parseWeightDecayText(text: string): unknown {
  if (text === 'none') return null;
  const m = /^(?:(\w+):)?([-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?)$/i.exec(text.trim());
  return m ? { kind: m[1] ?? 'coupled', lambda: Number(m[2]) } : text;
}

/** A run's schedule without the fields of other kinds, for controls that switch kinds (unused fields dropped). */
export function scheduleOf(kind: LrScheduleSpec['kind'], from: Partial<LrScheduleSpec> = {}): Record<string, unknown> {
  const keep: Record<LrScheduleSpec['kind'], readonly string[]> = { constant: [], step: ['every', 'factor'], exponential: ['factor'], cosine: ['steps', 'floor'] };
  const out: Record<string, unknown> = { kind };
  for (const k of [...keep[kind], 'warmup']) if ((from as Record<string, unknown>)[k] !== undefined) out[k] = (from as Record<string, unknown>)[k];
  return out;
}

