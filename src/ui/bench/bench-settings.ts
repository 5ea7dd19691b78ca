/**
 * The benchmark page's settings: what the form holds, read from and written to the URL query
 * (`?suites=matmul&sizes=16,32&backends=cpu,webgpu&reps=5`), and turned into a benchmark request.
 */
import { describeValue } from '../../core/spec.js';
import { parseGrid, formatGrid } from '../../bench/grid.js';
import { PAGE_DEFAULTS, type BenchRequest } from '../../bench/plan.js';
import { BENCH_SUITES, type BenchSuite } from '../../bench/report.js';
import { parseLayerShape } from '../../bench/shapes.js';

/** Backends the page can compare. */
export type PageBackend = 'cpu' | 'webgpu';

/** The form of the benchmark page. */
export interface BenchSettings {
  readonly suites: readonly BenchSuite[];
  readonly backends: readonly PageBackend[];
  /** matmul square sizes, "32,64,128". */
  readonly sizes: string;
  /** matmul layer shape batch×in×out, or ''. */
  readonly shape: string;
  /** train grid, "depth=2,8 width=32,128 batch=64". */
  readonly grid: string;
  readonly workloadBatch: number;
  readonly reps: number;
  /** Run GPU sizes above the software-adapter cap. */
  readonly allowLarge: boolean;
}

/** The page's defaults (small enough for SwiftShader). */
export const DEFAULT_SETTINGS: BenchSettings = {
  suites: PAGE_DEFAULTS.suites,
  backends: ['cpu', 'webgpu'],
  sizes: PAGE_DEFAULTS.sizes.join(','),
  shape: '',
  grid: formatGrid(PAGE_DEFAULTS.grid),
  workloadBatch: PAGE_DEFAULTS.workloadBatch,
  reps: PAGE_DEFAULTS.reps,
  allowLarge: false,
};

/** The URL parameters of the page, each with what it allows. */
export const QUERY_PARAMS = {
  suites: `a comma-separated list of ${BENCH_SUITES.join(', ')}`,
  backends: 'a comma-separated list of cpu, webgpu',
  sizes: 'comma-separated whole numbers from 1 to 8192',
  shape: 'batch×in×out like 64x784x256',
  grid: 'depth=…, width=… and batch=… with comma-separated whole numbers (depth up to 1000, width up to 16384), like depth=2,8 width=32 batch=64',
  batch: 'a whole number from 1 to 65536',
  reps: 'a whole number from 5 to 1000',
  large: '1 (or nothing) for on, 0 for off',
} as const;

/** A URL parameter the page could not use: its name, the value given and what is allowed. */
export interface QueryIssue {
  readonly param: string;
  readonly value: string;
  readonly allowed: string;
}

/** A query issue as one line: `reps: "2" is not allowed; expected a whole number from 5 to 1000`. */
export function formatQueryIssue(i: QueryIssue): string {
  if (Object.hasOwn(QUERY_PARAMS, i.param)) return `${i.param}: ${describeValue(i.value)} is not allowed; expected ${i.allowed}`;
  return `${describeValue(i.param)} (value ${describeValue(i.value)}): unknown parameter; expected one of ${i.allowed}`;
}

function list<T extends string>(text: string, allowed: readonly T[]): T[] | null {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 && items.every((s) => (allowed as readonly string[]).includes(s)) ? [...new Set(items)] as T[] : null;
}

function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const v = Number(text);
  return v >= min && v <= max ? v : null;
}

function sizesList(text: string): number[] | null {
  const sizes = text.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  return sizes.every((v) => Number.isInteger(v) && v >= 1 && v <= 8192) ? sizes : null;
}

/** Reads each known parameter's value, or null when it is malformed (the caller keeps the default). */
const READERS: { readonly [K in keyof typeof QUERY_PARAMS]: (text: string) => Partial<BenchSettings> | null } = {
  suites: (t) => {
    const suites = list(t, BENCH_SUITES);
    return suites && { suites };
  },
  backends: (t) => {
    const backends = list(t, ['cpu', 'webgpu'] as const);
    return backends && { backends };
  },
  sizes: (t) => (sizesList(t) ? { sizes: t } : null),
  shape: (t) => (t.trim() === '' || parseLayerShape(t) ? { shape: t } : null),
  grid: (t) => (typeof parseGrid(t, PAGE_DEFAULTS.grid) === 'string' ? null : { grid: t }),
  batch: (t) => {
    const workloadBatch = wholeNumber(t, 1, 65536);
    return workloadBatch === null ? null : { workloadBatch };
  },
  reps: (t) => {
    const reps = wholeNumber(t, 5, 1000);
    return reps === null ? null : { reps };
  },
  large: (t) => (t === '' || t === '1' ? { allowLarge: true } : t === '0' ? { allowLarge: false } : null),
};

/**
 * Settings from a URL query, and the parameters it could not use: an unknown, repeated or malformed parameter is
 * reported (name, value, what is allowed) and leaves its field at the default; every other field is applied.
 */
export function readSettingsQuery(q: URLSearchParams, base: BenchSettings = DEFAULT_SETTINGS): { settings: BenchSettings; issues: QueryIssue[] } {
  let settings = base;
  const issues: QueryIssue[] = [];
  const known = Object.keys(QUERY_PARAMS) as (keyof typeof QUERY_PARAMS)[];
  for (const param of new Set(q.keys())) {
    const values = q.getAll(param);
    if (!(known as string[]).includes(param)) {
      issues.push({ param, value: values[0]!, allowed: known.join(', ') });
      continue;
    }
    const key = param as keyof typeof QUERY_PARAMS;
    const allowed = QUERY_PARAMS[key];
    if (values.length > 1) {
      issues.push({ param, value: values.join(' and '), allowed: `${allowed}, given once` });
      continue;
    }
    const patch = READERS[key](values[0]!);
    if (patch) settings = { ...settings, ...patch };
    else issues.push({ param, value: values[0]!, allowed });
  }
  return { settings, issues };
}

/** Settings from a URL query; a missing or malformed field keeps its default. */
export function settingsFromQuery(q: URLSearchParams, base: BenchSettings = DEFAULT_SETTINGS): BenchSettings {
  return readSettingsQuery(q, base).settings;
}

/** The URL query of settings (only fields that differ from the defaults). */
export function settingsToQuery(s: BenchSettings): string {
  const q = new URLSearchParams();
  const d = DEFAULT_SETTINGS;
  if (s.suites.join() !== d.suites.join()) q.set('suites', s.suites.join(','));
  if (s.backends.join() !== d.backends.join()) q.set('backends', s.backends.join(','));
  if (s.sizes !== d.sizes) q.set('sizes', s.sizes);
  if (s.shape !== d.shape) q.set('shape', s.shape);
  if (s.grid !== d.grid) q.set('grid', s.grid);
  if (s.workloadBatch !== d.workloadBatch) q.set('batch', String(s.workloadBatch));
  if (s.reps !== d.reps) q.set('reps', String(s.reps));
  if (s.allowLarge) q.set('large', '1');
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** The benchmark request of the settings, or the problems, each naming its field. */
export function settingsToRequest(s: BenchSettings): { request: BenchRequest } | { errors: string[] } {
  const errors: string[] = [];
  if (s.suites.length === 0) errors.push('suites: choose at least one suite');
  if (s.backends.length === 0) errors.push('backends: choose at least one backend');
  const sizes = sizesList(s.sizes);
  if (s.suites.includes('matmul') && !sizes) errors.push(`sizes: ${JSON.stringify(s.sizes)} is not allowed; expected ${QUERY_PARAMS.sizes}`);
  const layer = s.shape.trim() === '' ? null : parseLayerShape(s.shape);
  if (s.shape.trim() !== '' && !layer) errors.push(`layer shape: ${JSON.stringify(s.shape)} is not allowed; expected batch×in×out like 64x784x256`);
  const grid = parseGrid(s.grid, PAGE_DEFAULTS.grid);
  if (typeof grid === 'string') errors.push(`grid: ${grid}`);
  if (!Number.isInteger(s.reps) || s.reps < 5 || s.reps > 1000) errors.push(`repetitions: ${s.reps} is not allowed; expected a whole number from 5 to 1000`);
  if (!Number.isInteger(s.workloadBatch) || s.workloadBatch < 1 || s.workloadBatch > 65536) errors.push(`workload batch: ${s.workloadBatch} is not allowed; expected 1 to 65536`);
  if (errors.length > 0 || typeof grid === 'string') return { errors };
  return { request: { ...PAGE_DEFAULTS, suites: s.suites, sizes: sizes ?? [], layer, grid, workloadBatch: s.workloadBatch, reps: s.reps } };
}
