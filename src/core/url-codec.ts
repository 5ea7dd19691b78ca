/**
 * A lab spec ⇄ URL query parameters. Shared settings are one parameter each; the runs are parallel comma
 * lists (`act=sigmoid,relu&init=xavier,he&gain=1,1`); a run with per-layer activations writes them as
 * `sigmoid*10+relu*10` (a '+' typed into a link arrives as a space, which reads the same). Decoding turns text into plain values and leaves all
 * validation to lab-spec's parseLab (and through it spec.ts); it adds the issues only a URL can have:
 * unknown, duplicated and mismatched parameters.
 */
import { formatWeightDecay, parseLab, type ParsedLab } from './lab-parse.js';
import { formatSchedule } from './lr-schedule.js';
import { defaultLab, runActivationText, type LabSpec, type RunSpec, type StopCondition } from './lab-spec.js';
import type { ClipSpec, SpecIssue } from './spec.js';

/** URL keys of the scalar lab fields (the key is the field name). */
export const SCALAR_KEYS = [
  'dataset', 'samples', 'noise', 'dataSeed', 'depth', 'width', 'lr', 'batch', 'initSeed', 'batchSeed', 'logEvery', 'dtype',
  'backend', 'speed',
] as const satisfies readonly (keyof LabSpec)[];

/** URL keys of the per-run lists and the run field each holds. */
export const RUN_KEYS = {
  act: 'activation', init: 'init', gain: 'gain', runLr: 'lr',
  opt: 'optimizer', mom: 'momentum', beta1: 'beta1', beta2: 'beta2', decay: 'decay', clip: 'clip', biasStd: 'biasStd', res: 'residual', norm: 'norm',
  drop: 'dropout', dropSeed: 'dropoutSeed', wd: 'weightDecay', sched: 'schedule', warmup: 'warmup',
} as const;

/** Run fields whose URL entries are numbers. */
const RUN_NUMERIC = new Set<string>(['gain', 'lr', 'momentum', 'beta1', 'beta2', 'decay', 'biasStd', 'residual', 'dropout', 'dropoutSeed', 'warmup']);

/**
 * Every key a lab URL may carry (`theme` and `autoplay` are the page's, not the experiment's: decodeTheme and
 * decodeAutoplay read them, decodeLab checks them).
 */
export const URL_KEYS: readonly string[] = [...SCALAR_KEYS, ...Object.keys(RUN_KEYS), 'stop', 'hide', 'theme', 'autoplay'];

/** The page's looks: `auto` follows the system's light or dark preference; `projector` is high contrast on white. */
export const THEMES = ['auto', 'projector'] as const;
/** One of THEMES. */
export type Theme = (typeof THEMES)[number];

/** The theme a link asks for (`theme=projector`; none: auto), with an issue naming a value that is no theme. */
export function decodeTheme(params: URLSearchParams): { value: Theme; issues: SpecIssue[] } {
  const text = params.get('theme');
  if (text === null) return { value: 'auto', issues: [] };
  const value = THEMES.find((t) => t === text);
  return value ? { value, issues: [] } : { value: 'auto', issues: [{ field: 'theme', value: text, allowed: `one of ${THEMES.join(', ')}` }] };
}

/** Whether a link asks the lab to start training on load (`autoplay=1`; `0` or none: no), with an issue for other values. */
export function decodeAutoplay(params: URLSearchParams): { value: boolean; issues: SpecIssue[] } {
  const text = params.get('autoplay');
  if (text === null || text === '0') return { value: false, issues: [] };
  if (text === '1') return { value: true, issues: [] };
  return { value: false, issues: [{ field: 'autoplay', value: text, allowed: '1 (start training on load) or 0' }] };
}

/** Write autoplay into a link's parameters (off, the default, is left out). */
export function encodeAutoplay(on: boolean, params: URLSearchParams): URLSearchParams {
  if (on) params.set('autoplay', '1');
  return params;
}

/** Write the theme into a link's parameters (auto, the default, is left out). */
export function encodeTheme(theme: Theme, params: URLSearchParams): URLSearchParams {
  if (theme !== 'auto') params.set('theme', theme);
  return params;
}

/** Distinct unknown parameters named one by one in the notices; the rest are summed up in one line. */
export const MAX_UNKNOWN_NAMED = 10;

/** How a parameter with an empty name (`?=x` or `&&`) is named in a notice. */
export const EMPTY_KEY = '(a parameter without a name)';

const NUMERIC = new Set<string>(['samples', 'noise', 'dataSeed', 'depth', 'width', 'lr', 'batch', 'initSeed', 'batchSeed', 'logEvery', 'speed']);

/** A number when the text is a finite decimal number, else the text itself (so that messages show what was typed). */
export function numberOrText(text: string): number | string {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return text;
  const v = Number(t);
  return Number.isFinite(v) ? v : text;
}

/** The text of a number in a URL: String(v), except that -0 stays "-0" (String(-0) is "0"). */
export function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** The text form of a stop condition: `none`, `epochs:N` or `loss:T`. */
export function formatStop(stop: StopCondition): string {
  return stop.kind === 'none' ? 'none' : `${stop.kind}:${formatNumber(stop.value)}`;
}

/** The text form of a run's clipping: `none`, `norm:MAX` or `value:MAX`. */
export function formatClip(clip: ClipSpec | undefined): string {
  return clip ? `${clip.kind}:${formatNumber(clip.max)}` : 'none';
}

/** Parse `none`, `norm:MAX` or `value:MAX` into a plain value for validation (null: none; text that fits none stays text). */
export function parseClip(text: string): unknown {
  if (text === 'none') return null;
  const m = /^(\w+):(.*)$/.exec(text);
  if (!m) return text;
  const max = numberOrText(m[2]!);
  return typeof max === 'number' ? { kind: m[1], max } : text;
}

/** Parse `none`, `epochs:N` or `loss:T` into a plain object for validation (text that fits none stays text). */
export function parseStop(text: string): unknown {
  if (text === 'none') return { kind: 'none' };
  const m = /^(epochs|loss):(.*)$/.exec(text);
  if (!m) return text;
  const value = numberOrText(m[2]!);
  return typeof value === 'number' ? { kind: m[1], value } : text;
}

/** The query parameters of a lab: every setting, so that a link restores the experiment exactly. */
export function encodeLab(lab: LabSpec): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of SCALAR_KEYS) {
    const v = lab[k];
    p.set(k, typeof v === 'number' ? formatNumber(v) : v);
  }
  // Per-layer activations join their segments with '+' (runs are comma-separated): sigmoid*10+relu*10.
  p.set('act', lab.runs.map((r) => runActivationText(r, true).replaceAll(',', '+')).join(','));
  p.set('init', lab.runs.map((r) => r.init).join(','));
  p.set('gain', lab.runs.map((r) => formatNumber(r.gain)).join(','));
  if (lab.runs.some((r) => r.lr !== null)) p.set('runLr', lab.runs.map((r) => (r.lr === null ? '' : formatNumber(r.lr))).join(','));
  encodeMitigations(lab, p);
  p.set('stop', formatStop(lab.stop));
  if (lab.hide.length) p.set('hide', lab.hide.join(','));
  return p;
}

/** The runs' mitigation switches: one list per switch, written only when some run leaves its default. */
function encodeMitigations(lab: LabSpec, p: URLSearchParams): void {
  const list = (key: string, has: (r: RunSpec) => boolean, text: (r: RunSpec) => string) => {
    if (lab.runs.some(has)) p.set(key, lab.runs.map(text).join(','));
  };
  const num = (v: number | undefined) => (v === undefined ? '' : formatNumber(v));
  list('opt', (r) => r.optimizer !== undefined, (r) => r.optimizer ?? 'sgd');
  list('mom', (r) => r.momentum !== undefined, (r) => num(r.momentum));
  list('beta1', (r) => r.beta1 !== undefined, (r) => num(r.beta1));
  list('beta2', (r) => r.beta2 !== undefined, (r) => num(r.beta2));
  list('decay', (r) => r.decay !== undefined, (r) => num(r.decay));
  list('clip', (r) => r.clip !== undefined, (r) => formatClip(r.clip));
  list('biasStd', (r) => r.biasStd !== undefined, (r) => formatNumber(r.biasStd ?? 0));
  list('res', (r) => r.residual !== undefined, (r) => String(r.residual ?? 0));
  list('norm', (r) => r.norm !== undefined, (r) => r.norm ?? 'none');
  list('drop', (r) => r.dropout !== undefined, (r) => formatNumber(r.dropout ?? 0));
  list('dropSeed', (r) => r.dropoutSeed !== undefined, (r) => num(r.dropoutSeed));
  list('wd', (r) => r.weightDecay !== undefined, (r) => formatWeightDecay(r.weightDecay));
  list('sched', (r) => r.schedule !== undefined, (r) => (r.schedule ? formatSchedule(r.schedule) : 'constant'));
  list('warmup', (r) => r.schedule?.warmup !== undefined, (r) => String(r.schedule?.warmup ?? 0));
}

/** The URL-facing name of a lab field: `runs[1].activation` → `act (run 2)`. */
export function urlField(field: string): string {
  const m = /^runs\[(\d+)\]\.(\w+)$/.exec(field);
  if (!m) return field;
  const key = Object.entries(RUN_KEYS).find(([, f]) => f === m[2])?.[0] ?? m[2];
  return `${key} (run ${Number(m[1]) + 1})`;
}

/** What each run field is called on the page. */
const RUN_FIELD_NAMES: Record<string, string> = {
  activation: 'activation', init: 'init', gain: 'gain', lr: 'learning rate', optimizer: 'optimizer', momentum: 'momentum',
  beta1: 'β₁', beta2: 'β₂', decay: 'decay', clip: 'clipping', biasStd: 'bias std', residual: 'residual', norm: 'normalisation',
  dropout: 'dropout', dropoutSeed: 'dropout mask seed', weightDecay: 'weight decay', schedule: 'learning-rate schedule', warmup: 'warm-up',
};

/** The page-facing name of a lab field, for a setting changed in the controls: `runs[1].lr` → `Run 2's learning rate (runLr)`. */
export function controlField(field: string): string {
  const m = /^runs\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (!m) return field;
  const run = `Run ${Number(m[1]) + 1}`;
  if (m[2] === undefined) return run;
  const key = Object.entries(RUN_KEYS).find(([, f]) => f === m[2])?.[0] ?? m[2];
  return `${run}'s ${RUN_FIELD_NAMES[m[2]] ?? m[2]} (${key})`;
}

/**
 * Decode query parameters into a lab. Missing parameters take the defaults; bad, unknown, duplicated or
 * mismatched ones are reported as issues, each naming the parameter, its value and what is allowed.
 */
export function decodeLab(params: URLSearchParams, defaults: LabSpec = defaultLab()): ParsedLab {
  const issues: SpecIssue[] = [];
  const first = new Map<string, string>();
  const unknown = new Map<string, { value: string; count: number }>();
  const repeated = new Set<string>();
  for (const [key, value] of params) {
    if (!URL_KEYS.includes(key)) {
      const seen = unknown.get(key);
      if (seen) seen.count++;
      else unknown.set(key, { value, count: 1 });
    } else if (first.has(key)) {
      repeated.add(key);
    } else {
      first.set(key, value);
    }
  }
  // One issue per distinct parameter (not per repetition), and a summary past MAX_UNKNOWN_NAMED distinct names,
  // so that a link with thousands of parameters gives a short notice.
  const allowedKeys = `a known parameter (${URL_KEYS.join(', ')})`;
  let named = 0;
  for (const [key, { value, count }] of unknown) {
    if (named++ === MAX_UNKNOWN_NAMED) {
      issues.push({ field: `${unknown.size - MAX_UNKNOWN_NAMED} more unknown parameters`, value: [...unknown.keys()].slice(MAX_UNKNOWN_NAMED, MAX_UNKNOWN_NAMED + 5).join(', '), allowed: allowedKeys });
      break;
    }
    issues.push({ field: key === '' ? EMPTY_KEY : key, value: count > 1 ? `${value} (given ${count} times)` : value, allowed: allowedKeys });
  }
  for (const key of repeated) {
    const all = params.getAll(key);
    const shown = all.length > 4 ? [...all.slice(0, 4), `… ${all.length} values in all`] : all;
    issues.push({ field: key, value: shown.join(' | '), allowed: 'one value (the first is used)' });
  }
  issues.push(...decodeTheme(params).issues, ...decodeAutoplay(params).issues);
  const input: Record<string, unknown> = {};
  for (const k of SCALAR_KEYS) {
    const text = first.get(k);
    if (text !== undefined) input[k] = NUMERIC.has(k) ? numberOrText(text) : text;
  }
  const stop = first.get('stop');
  if (stop !== undefined) input['stop'] = parseStop(stop);
  const hide = first.get('hide');
  if (hide !== undefined) input['hide'] = hide === '' ? [] : hide.split(',');
  const runs = decodeRuns(first, defaults, issues);
  if (runs) input['runs'] = runs;
  const parsed = parseLab(input, defaults);
  return { value: parsed.value, issues: [...issues, ...parsed.issues.map((i) => ({ ...i, field: urlField(i.field) }))] };
}

function decodeRuns(first: Map<string, string>, defaults: LabSpec, issues: SpecIssue[]): Record<string, unknown>[] | null {
  const lists = new Map<string, string[]>();
  for (const key of Object.keys(RUN_KEYS)) {
    const text = first.get(key);
    if (text !== undefined) lists.set(key, text.split(','));
  }
  if (lists.size === 0) return null;
  const act = lists.get('act');
  const count = act?.length ?? Math.max(...[...lists.values()].map((l) => l.length));
  const source = act ? `act has ${count}` : `the longest run list has ${count}`;
  // A list of the wrong length is ignored as a whole: no run takes part of it (the runs keep their defaults).
  for (const [key, list] of lists) {
    if (list.length === count) continue;
    issues.push({ field: key, value: list.join(','), allowed: `${count} comma-separated entries, one per run (${source})` });
    lists.delete(key);
  }
  return Array.from({ length: count }, (_, i) => {
    const run: Record<string, unknown> = {};
    const base = defaults.runs[i];
    if (base && !lists.has('act')) run['activation'] = base.activation;
    if (base && !lists.has('act') && !lists.has('init')) run['init'] = base.init;
    for (const [key, field] of Object.entries(RUN_KEYS)) {
      const text = lists.get(key)?.[i];
      if (text === undefined) continue;
      if (field === 'lr') run[field] = text === '' ? null : numberOrText(text);
      else if (field === 'clip') run[field] = text === '' ? undefined : parseClip(text);
      else run[field] = RUN_NUMERIC.has(field) && text !== '' ? numberOrText(text) : text;
    }
    return run;
  });
}
