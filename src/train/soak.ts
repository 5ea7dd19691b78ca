/**
 * A soak run: train one model for many steps and measure what must not grow — the JavaScript heap (after a
 * garbage collection, when the host can force one) and the number of live backend tensors — and the speed.
 * The heap and the collector come from the host (Node's process.memoryUsage, a browser's performance.memory),
 * so this module stays free of Node and DOM imports.
 */
import type { Backend, Shape, Tensor } from '../backend/backend.js';
import type { Dataset } from '../core/datasets.js';
import type { ExperimentSpec } from '../core/spec.js';
import type { StepRecord } from './records.js';
import { Trainer } from './trainer.js';

/** Counts of tensors a backend has handed out and taken back. */
export interface TensorCounts {
  /** Tensors created so far. */
  readonly created: number;
  /** Tensors disposed so far. */
  readonly disposed: number;
  /** Created and not yet disposed. */
  readonly live: number;
}

/** A backend that counts its tensors, and the counts. */
export interface CountingBackend {
  readonly backend: Backend;
  counts(): TensorCounts;
}

/** Wrap a backend so that every tensor created and disposed through it is counted (the backend is otherwise unchanged). */
export function countTensors(inner: Backend): CountingBackend {
  let created = 0;
  let disposed = 0;
  const alive = new WeakSet<Tensor>();
  const backend = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'tensor') {
        return (s: Shape, data?: ArrayLike<number>) => {
          const t = target.tensor(s, data);
          alive.add(t);
          created++;
          return t;
        };
      }
      if (prop === 'tensors') {
        return (shapes: readonly Shape[]) => {
          const ts = target.tensors(shapes);
          for (const t of ts) alive.add(t);
          created += ts.length;
          return ts;
        };
      }
      if (prop === 'dispose') {
        return (t: Tensor) => {
          if (alive.delete(t)) disposed++;
          target.dispose(t);
        };
      }
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { backend, counts: () => ({ created, disposed, live: created - disposed }) };
}

/** What the host offers to measure memory. */
export interface SoakHost {
  /** Bytes of JavaScript heap in use now. */
  heapUsed(): number;
  /** Force a full garbage collection, or null when the host cannot (then heap figures include garbage). */
  readonly gc: (() => void) | null;
  /** Milliseconds, monotonic. */
  now(): number;
}

/** Options of a soak run. */
export interface SoakOptions {
  readonly spec: ExperimentSpec;
  readonly data: Dataset;
  readonly backend: Backend;
  readonly host: SoakHost;
  /** Steps before the start figures are taken (warm-up: caches, pipelines, pools). */
  readonly warmupSteps?: number;
  /** Heap/tensor samples taken along the run (the first after warm-up, the last at the end). */
  readonly checkpoints?: number;
}

/** One measurement along the run. */
export interface SoakSample {
  readonly step: number;
  readonly heapBytes: number;
  readonly liveTensors: number;
}

/** The figures of a soak run. */
export interface SoakReport {
  readonly backend: string;
  readonly layers: readonly number[];
  readonly rowsPerStep: number;
  /** Steps timed (after warm-up) and their wall time. */
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSec: number;
  readonly warmupSteps: number;
  /** Whether heap figures were taken after a forced garbage collection. */
  readonly gc: boolean;
  /** A caveat about the heap figures, or null. */
  readonly note: string | null;
  readonly heapStartBytes: number;
  readonly heapEndBytes: number;
  readonly heapGrowthBytes: number;
  readonly tensorsStart: number;
  readonly tensorsEnd: number;
  /** Live tensors once the trainer is disposed (0 when nothing leaks). */
  readonly tensorsAfterDispose: number;
  readonly samples: readonly SoakSample[];
  /** Loss at the last logged step, and the step a NaN or infinity appeared at (null if none). */
  readonly finalLoss: number | null;
  readonly divergedAt: number | null;
}

/** Train `spec.schedule.steps` steps after a warm-up and report heap, tensor counts and steps/s. */
export async function runSoakBenchmark(opts: SoakOptions): Promise<SoakReport> {
  const { spec, host } = opts;
  const counting = countTensors(opts.backend);
  const warmupSteps = Math.max(0, Math.floor(opts.warmupSteps ?? Math.min(200, spec.schedule.steps)));
  const checkpoints = Math.max(2, Math.floor(opts.checkpoints ?? 10));
  const trainer = new Trainer(counting.backend, { models: [spec.model], data: opts.data, schedule: spec.schedule });
  let last: StepRecord | null = null;
  // Only the latest record is kept: a soak run must not hold its own history.
  const onRecords = (rs: StepRecord[]) => (last = rs[0]!);
  const total = spec.schedule.steps + warmupSteps;
  const measure = async (): Promise<SoakSample> => {
    await counting.backend.sync();
    host.gc?.();
    return { step: trainer.step, heapBytes: host.heapUsed(), liveTensors: counting.counts().live };
  };

  await trainer.run(warmupSteps, onRecords, total);
  const samples: SoakSample[] = [await measure()];
  const t0 = host.now();
  let measuredMs = 0;
  for (let c = 1; c < checkpoints; c++) {
    const target = warmupSteps + Math.round((spec.schedule.steps * c) / (checkpoints - 1));
    await trainer.run(target - trainer.step, onRecords, total);
    if (trainer.memberStatus()[0]!.divergedAt !== null) break;
    const m0 = host.now();
    samples.push(await measure());
    measuredMs += host.now() - m0;
  }
  await counting.backend.sync();
  const seconds = Math.max(1e-9, (host.now() - t0 - measuredMs) / 1000);
  const end = samples.at(-1)!;
  const start = samples[0]!;
  const steps = trainer.step - warmupSteps;
  const divergedAt = trainer.memberStatus()[0]!.divergedAt;
  const layers = trainer.sizes;
  const rowsPerStep = trainer.rowsPerStep;
  trainer.dispose();
  const lastRecord = last as StepRecord | null;
  return {
    backend: opts.backend.info.description,
    layers,
    rowsPerStep,
    steps,
    seconds,
    stepsPerSec: steps / seconds,
    warmupSteps,
    gc: host.gc !== null,
    note: host.gc ? null : 'no forced garbage collection (run node with --expose-gc): heap figures include uncollected garbage',
    heapStartBytes: start.heapBytes,
    heapEndBytes: end.heapBytes,
    heapGrowthBytes: end.heapBytes - start.heapBytes,
    tensorsStart: start.liveTensors,
    tensorsEnd: end.liveTensors,
    tensorsAfterDispose: counting.counts().live,
    samples,
    finalLoss: lastRecord ? lastRecord.loss : null,
    divergedAt,
  };
}
