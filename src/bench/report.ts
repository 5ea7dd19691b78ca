/**
 * The benchmark report: one JSON format for the CLI and the page (environment, backends, every point with
 * its timings, rates and agreement, the crossover), and its CSV form (one row per point and backend).
 */
import type { BackendInfo } from '../backend/backend.js';
import { crossover, speedups, type Crossover } from './crossover.js';
import type { MatmulPoint } from './matmul-bench.js';
import type { TrainPoint } from './train-bench.js';

/** Identifies the JSON format (bump on incompatible changes). */
export const BENCH_FORMAT = 'backprop-lab-bench/1';

/** The benchmark suites. */
export const BENCH_SUITES = ['matmul', 'train', 'workload'] as const;
/** A benchmark suite name. */
export type BenchSuite = (typeof BENCH_SUITES)[number];

/** A point of any suite. */
export type BenchPoint = MatmulPoint | TrainPoint;

/** Where a benchmark ran. */
export interface BenchEnvironment {
  readonly runtime: 'node' | 'browser';
  /** "node v20.19.0" or "Chrome 131.0.6778.204". */
  readonly version: string;
  /** process.version (Node only). */
  readonly node?: string;
  /** navigator.userAgent (browser only). */
  readonly userAgent?: string;
  readonly platform: string;
  readonly cpuModel?: string;
  /** os.cpus().length or navigator.hardwareConcurrency. */
  readonly cpuThreads: number;
}

/** A backend as recorded in a report: its info and how its time was measured. */
export interface BackendRecord extends BackendInfo {
  /** Whether the device has `timestamp-query` (null: not a GPU, or not visible through the backend). */
  readonly timestampQuery: boolean | null;
  /** How times were taken. */
  readonly timing: string;
}

/** A point that was not run, and why. */
export interface SkippedPoint {
  readonly key: string;
  readonly backend: string;
  readonly reason: string;
}

/** A whole benchmark run. */
export interface BenchReport {
  readonly format: typeof BENCH_FORMAT;
  /** The suite, or the suites joined by '+'. */
  readonly suite: string;
  readonly suites: readonly BenchSuite[];
  readonly createdAt: string;
  readonly environment: BenchEnvironment;
  readonly backends: readonly BackendRecord[];
  /** The settings the run used (repetitions, sizes, grid …). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly points: readonly BenchPoint[];
  readonly skipped: readonly SkippedPoint[];
  /** GPU/CPU crossover of the square matmul (over n) and of the training steps (over FLOPs per step). */
  readonly crossover: { readonly matmul: Crossover; readonly train: Crossover };
  /** True when the run was cancelled before the end (the points are those finished). */
  readonly cancelled: boolean;
}

/** How a backend's points were timed. */
export function backendRecord(info: BackendInfo, timestampQuery: boolean | null): BackendRecord {
  const timing =
    info.kind === 'webgpu'
      ? `wall clock around submit + onSubmittedWorkDone; ${
          timestampQuery
            ? 'matmul points also carry GPU time from timestamp queries (gpuMedianMs, gpuGflops; quantised to 100 µs by Dawn, under 1% of a 20 ms repetition)'
            : 'no GPU timestamps (the device has no timestamp-query)'
        }`
      : 'wall clock (synchronous kernels)';
  return { ...info, timestampQuery, timing };
}

/** Whether the device behind a backend has `timestamp-query` (null when the backend does not expose a device). */
export function hasTimestampQuery(backend: object): boolean | null {
  const device = (backend as { device?: { features?: { has(name: string): boolean } } }).device;
  return device?.features ? device.features.has('timestamp-query') : null;
}

/** Square AB matmul speed-ups (GFLOP/s) over n. */
export function matmulCrossover(points: readonly BenchPoint[]): Crossover {
  const sq = points.filter((p): p is MatmulPoint => p.suite === 'matmul' && p.square !== null && p.variant === 'AB');
  const at = (kind: string) => sq.filter((p) => p.backendKind === kind).map((p) => ({ x: p.square!, rate: p.gflops }));
  return crossover(speedups(at('cpu'), at('webgpu')));
}

/** Training speed-ups (steps/s) over FLOPs per step. */
export function trainCrossover(points: readonly BenchPoint[]): Crossover {
  const tr = points.filter((p): p is TrainPoint => p.suite !== 'matmul');
  const at = (kind: string) => tr.filter((p) => p.backendKind === kind).map((p) => ({ x: p.flopsPerStep, rate: p.stepsPerSecond, key: p.key }));
  return crossover(speedups(at('cpu'), at('webgpu')));
}

/** Assemble a report from finished points. */
export function buildReport(args: {
  suites: readonly BenchSuite[];
  environment: BenchEnvironment;
  backends: readonly BackendRecord[];
  settings: Readonly<Record<string, unknown>>;
  points: readonly BenchPoint[];
  skipped: readonly SkippedPoint[];
  cancelled: boolean;
  createdAt?: Date;
}): BenchReport {
  return {
    format: BENCH_FORMAT,
    suite: args.suites.join('+'),
    suites: args.suites,
    createdAt: (args.createdAt ?? new Date()).toISOString(),
    environment: args.environment,
    backends: args.backends,
    settings: args.settings,
    points: args.points,
    skipped: args.skipped,
    crossover: { matmul: matmulCrossover(args.points), train: trainCrossover(args.points) },
    cancelled: args.cancelled,
  };
}

/** Columns of the CSV form, in order. */
export const CSV_COLUMNS = [
  'suite', 'key', 'label', 'backend', 'backendKind', 'runtime', 'cpuThreads',
  'm', 'k', 'n', 'variant', 'depth', 'width', 'batch', 'flops',
  'warmupMs', 'medianMs', 'minMs', 'maxMs', 'reps', 'callsPerRep',
  'gflops', 'samplesPerSecond', 'stepsPerSecond', 'maxAbsError', 'gpuMedianMs', 'gpuGflops',
  'agreementAgainst', 'agreementMaxAbsDiff', 'agreementMaxAbsValue',
] as const;

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV row per point (header first; numbers in full precision, empty cells where a column does not apply). */
export function reportToCsv(report: BenchReport): string {
  const env = report.environment;
  const rows = report.points.map((p) => {
    const mm = p.suite === 'matmul' ? p : null;
    const tr = p.suite !== 'matmul' ? p : null;
    const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      suite: p.suite, key: p.key, label: p.label, backend: p.backend, backendKind: p.backendKind,
      runtime: env.version, cpuThreads: env.cpuThreads,
      m: mm?.m, k: mm?.k, n: mm?.n, variant: mm?.variant, depth: tr?.depth, width: tr?.width, batch: tr?.batch,
      flops: mm ? mm.flops : tr!.flopsPerStep,
      warmupMs: p.warmupMs, medianMs: p.medianMs, minMs: p.minMs, maxMs: p.maxMs, reps: p.reps, callsPerRep: p.callsPerRep,
      gflops: p.gflops, samplesPerSecond: p.samplesPerSecond, stepsPerSecond: tr?.stepsPerSecond, maxAbsError: mm?.maxAbsError,
      gpuMedianMs: mm?.gpuMedianMs, gpuGflops: mm?.gpuGflops,
      agreementAgainst: p.agreement?.against, agreementMaxAbsDiff: p.agreement?.maxAbsDiff, agreementMaxAbsValue: p.agreement?.maxAbsValue,
    };
    return CSV_COLUMNS.map((c) => cell(values[c])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
