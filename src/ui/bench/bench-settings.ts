/**
 * The benchmark page's settings: what the form holds, read from and written to the URL query
 * (`?suites=matmul&sizes=16,32&backends=cpu,webgpu&reps=5`), and turned into a benchmark request.
 */
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

function list<T extends string>(text: string | null, allowed: readonly T[]): T[] | null {
  if (text === null) return null;
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 && items.every((s) => (allowed as readonly string[]).includes(s)) ? [...new Set(items)] as T[] : null;
}

function wholeNumber(text: string | null, min: number, max: number): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  const v = Number(text);
  return v >= min && v <= max ? v : null;
}

/** Settings from a URL query; a missing or malformed field keeps its default. */
export function settingsFromQuery(q: URLSearchParams, base: BenchSettings = DEFAULT_SETTINGS): BenchSettings {
  return {
    suites: list(q.get('suites'), BENCH_SUITES) ?? base.suites,
    backends: list(q.get('backends'), ['cpu', 'webgpu'] as const) ?? base.backends,
    sizes: q.get('sizes') ?? base.sizes,
    shape: q.get('shape') ?? base.shape,
    grid: q.get('grid') ?? base.grid,
    workloadBatch: wholeNumber(q.get('batch'), 1, 1_000_000) ?? base.workloadBatch,
    reps: wholeNumber(q.get('reps'), 5, 1000) ?? base.reps,
    allowLarge: q.has('large') ? q.get('large') !== '0' : base.allowLarge,
  };
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
  const sizes = s.sizes.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  if (s.suites.includes('matmul') && sizes.some((v) => !Number.isInteger(v) || v < 1 || v > 8192)) {
    errors.push(`sizes: ${JSON.stringify(s.sizes)} is not allowed; expected comma-separated whole numbers from 1 to 8192`);
  }
  const layer = s.shape.trim() === '' ? null : parseLayerShape(s.shape);
  if (s.shape.trim() !== '' && !layer) errors.push(`layer shape: ${JSON.stringify(s.shape)} is not allowed; expected batch×in×out like 64x784x256`);
  const grid = parseGrid(s.grid, PAGE_DEFAULTS.grid);
  if (typeof grid === 'string') errors.push(`grid: ${grid}`);
  if (!Number.isInteger(s.reps) || s.reps < 5 || s.reps > 1000) errors.push(`repetitions: ${s.reps} is not allowed; expected a whole number from 5 to 1000`);
  if (!Number.isInteger(s.workloadBatch) || s.workloadBatch < 1 || s.workloadBatch > 65536) errors.push(`workload batch: ${s.workloadBatch} is not allowed; expected 1 to 65536`);
  if (errors.length > 0 || typeof grid === 'string') return { errors };
  return { request: { ...PAGE_DEFAULTS, suites: s.suites, sizes, layer, grid, workloadBatch: s.workloadBatch, reps: s.reps } };
}
