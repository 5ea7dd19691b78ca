/**
 * Runs a benchmark plan on several backends: every task (a product or a training model) on every backend,
 * then the agreement check of the task — the other backend's result, or an f64 CPU reference when only one
 * backend ran it — and a report. Shared by the `lab bench` command and the benchmark page.
 */
import type { Backend } from '../backend/backend.js';
import { createCpuBackend } from '../backend/cpu/cpu-backend.js';
import type { Parameters } from '../core/init.js';
import { compareArrays, compareParameters, type Agreement } from './agreement.js';
import { benchMatmulShape, computeMatmul, matmulKey } from './matmul-bench.js';
import { backendRecord, buildReport, hasTimestampQuery, type BenchEnvironment, type BenchPoint, type BenchReport, type BenchSuite, type SkippedPoint } from './report.js';
import type { MatmulShape } from './shapes.js';
import { BenchCancelled, checkCancelled } from './timing.js';
import { benchTrainShape, initialGradients, trainFlops, trainKey, modelLabel, type TrainBenchShape } from './train-bench.js';

/** One thing to time on every backend. */
export type BenchTask =
  | { readonly suite: 'matmul'; readonly key: string; readonly label: string; readonly matmul: MatmulShape }
  | { readonly suite: 'train' | 'workload'; readonly key: string; readonly label: string; readonly train: TrainBenchShape };

/** Points not run: too large for the GPU cap, over the FLOP budget, or over a backend's tensor limit. */
export interface BenchLimits {
  /** Largest matmul dimension run on WebGPU (SwiftShader: 256), null: no cap. */
  readonly maxGpuMatmulSize?: number | null;
  /** Largest FLOPs per training step run on any backend, null: no cap. */
  readonly maxStepFlops?: number | null;
  /** Largest FLOPs per training step run on WebGPU, null: no cap. */
  readonly maxGpuStepFlops?: number | null;
}

/** What to run. */
export interface BenchPlan {
  readonly suites: readonly BenchSuite[];
  readonly tasks: readonly BenchTask[];
  /** Timed repetitions per point. */
  readonly reps: number;
  /** Each repetition lasts at least about this long (ms) by repeating the operation. */
  readonly minRepMs: number;
  readonly limits: BenchLimits;
  /** Echoed into the report. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Callbacks and controls of a run. */
export interface BenchHooks {
  readonly signal?: AbortSignal;
  /** Awaited between repetitions and points (a page yields to the event loop). */
  readonly pause?: () => Promise<void>;
  /** After each (task, backend): units done of the total, and what runs next. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Each finished point, with its agreement. */
  readonly onPoint?: (point: BenchPoint) => void;
  /** One line of progress text. */
  readonly log?: (line: string) => void;
}

/** A matmul task. */
export function matmulTask(s: MatmulShape): BenchTask {
  return { suite: 'matmul', key: matmulKey(s), label: s.label, matmul: s };
}

/** A training task of the `train` or `workload` suite. */
export function trainTask(suite: 'train' | 'workload', s: TrainBenchShape): BenchTask {
  return { suite, key: trainKey(suite, s), label: `${modelLabel(s)} b${s.batch}${s.distributions ? ' +dist' : ''}`, train: s };
}

/** Largest tensor of a task, in elements. */
export function largestTensor(task: BenchTask): number {
  if (task.suite === 'matmul') {
    const { m, k, n } = task.matmul;
    return Math.max(m * k, k * n, m * n);
  }
  const s = task.train;
  const sizes = [s.inputDim, ...s.hidden, s.outputDim];
  let big = 0;
  for (let l = 0; l + 1 < sizes.length; l++) big = Math.max(big, sizes[l]! * sizes[l + 1]!, s.batch * sizes[l + 1]!);
  return Math.max(big, s.batch * s.inputDim);
}

/** Why a task is not run on a backend, or null to run it. */
export function skipReason(task: BenchTask, backend: Pick<Backend, 'info' | 'maxTensorBytes' | 'bytesPerElement'>, limits: BenchLimits): string | null {
  const gpu = backend.info.kind === 'webgpu';
  const bytes = largestTensor(task) * backend.bytesPerElement;
  if (bytes > backend.maxTensorBytes) return `a tensor of ${bytes} bytes exceeds the backend's limit of ${backend.maxTensorBytes}`;
  if (task.suite === 'matmul') {
    const size = Math.max(task.matmul.m, task.matmul.k, task.matmul.n);
    if (gpu && limits.maxGpuMatmulSize != null && size > limits.maxGpuMatmulSize) return `size ${size} is above the GPU cap of ${limits.maxGpuMatmulSize}`;
    return null;
  }
  const flops = trainFlops(task.train);
  if (limits.maxStepFlops != null && flops > limits.maxStepFlops) return `${(flops / 1e9).toPrecision(3)} GFLOP per step is above the budget of ${limits.maxStepFlops / 1e9} GFLOP`;
  if (gpu && limits.maxGpuStepFlops != null && flops > limits.maxGpuStepFlops) return `${(flops / 1e9).toPrecision(3)} GFLOP per step is above the GPU budget of ${limits.maxGpuStepFlops / 1e9} GFLOP`;
  return null;
}

type Result = { backend: Backend; point: BenchPoint; output: Float64Array | Parameters };

function compare(a: Float64Array | Parameters, b: Float64Array | Parameters): { maxAbsDiff: number; maxAbsValue: number } {
  if (a instanceof Float64Array && b instanceof Float64Array) return compareArrays(a, b);
  if (!(a instanceof Float64Array) && !(b instanceof Float64Array)) return compareParameters(a, b);
  return { maxAbsDiff: NaN, maxAbsValue: NaN };
}

/** Run a plan on the backends; a cancelled run resolves with the points finished so far (`cancelled: true`). */
export async function runBenchPlan(plan: BenchPlan, backends: readonly Backend[], environment: BenchEnvironment, hooks: BenchHooks = {}): Promise<BenchReport> {
  const points: BenchPoint[] = [];
  const skipped: SkippedPoint[] = [];
  const total = plan.tasks.length * backends.length;
  const opts = { reps: plan.reps, minRepMs: plan.minRepMs, signal: hooks.signal, pause: hooks.pause };
  let done = 0;
  let cancelled = false;
  let reference: Backend | null = null;
  try {
    for (const task of plan.tasks) {
      const results: Result[] = [];
      for (const backend of backends) {
        checkCancelled(hooks.signal);
        hooks.onProgress?.(done, total, `${task.suite} ${task.label} on ${backend.info.description}`);
        await hooks.pause?.();
        const reason = skipReason(task, backend, plan.limits);
        if (reason) {
          skipped.push({ key: task.key, backend: backend.info.description, reason });
          hooks.log?.(`skipped ${task.suite} ${task.label} on ${backend.info.description}: ${reason}`);
        } else {
          hooks.log?.(`${task.suite} ${task.label} on ${backend.info.description} …`);
          try {
            if (task.suite === 'matmul') {
              const r = await benchMatmulShape(backend, task.matmul, opts);
              results.push({ backend, point: r.point, output: r.output });
            } else {
              const r = await benchTrainShape(backend, task.train, opts, task.suite);
              results.push({ backend, point: r.point, output: r.gradients });
            }
          } catch (e) {
            if (e instanceof BenchCancelled) throw e;
            skipped.push({ key: task.key, backend: backend.info.description, reason: `failed: ${(e as Error).message}` });
            hooks.log?.(`${task.suite} ${task.label} on ${backend.info.description} failed: ${(e as Error).message}`);
          }
        }
        done++;
      }
      let against: { name: string; output: Float64Array | Parameters }[];
      if (results.length >= 2) {
        against = results.map((_, i) => ({ name: results[i === 0 ? 1 : 0]!.backend.info.description, output: results[i === 0 ? 1 : 0]!.output }));
      } else if (results.length === 1) {
        reference ??= createCpuBackend({ dtype: 'f64' });
        const output = task.suite === 'matmul' ? await computeMatmul(reference, task.matmul) : await initialGradients(reference, task.train);
        against = [{ name: `${reference.info.description} (reference)`, output }];
      } else against = [];
      results.forEach((r, i) => {
        const other = against[i]!;
        const agreement: Agreement = { against: other.name, ...compare(r.output, other.output) };
        const point = { ...r.point, agreement } as BenchPoint;
        points.push(point);
        hooks.onPoint?.(point);
      });
    }
    hooks.onProgress?.(done, total, 'done');
  } catch (e) {
    if (!(e instanceof BenchCancelled)) throw e;
    cancelled = true;
  } finally {
    reference?.destroy();
  }
  return buildReport({
    suites: plan.suites,
    environment,
    backends: backends.map((b) => backendRecord(b.info, hasTimestampQuery(b))),
    settings: { reps: plan.reps, minRepMs: plan.minRepMs, ...plan.limits, ...plan.settings },
    points,
    skipped,
    cancelled,
  });
}
