/**
 * Training-step benchmark: steps/s, samples/s and GFLOP/s of one full training step (forward, backward,
 * update) of an MLP on a backend, after a warm-up step (pipeline compilation, reported apart). The gradients of
 * the warm-up step — taken at the initial weights, the same on every backend — are returned for the
 * agreement check.
 */
import type { Backend } from '../backend/backend.js';
import type { HiddenActivation } from '../core/activations.js';
import { makeDataset, type Dataset } from '../core/datasets.js';
import type { Parameters } from '../core/init.js';
import { NumpyRandom } from '../core/rng.js';
import type { ExperimentSpec } from '../core/spec.js';
import { flopsPerStep, Trainer } from '../train/trainer.js';
import type { Agreement } from './agreement.js';
import type { TimingStats } from './stats.js';
import { timeReps, timeRepsPaired, type RepOptions, type RepTimings } from './timing.js';

/** Output layer and loss: linear + MSE on random targets, or softmax + cross-entropy on random labels. */
export type TrainHead = 'mse' | 'bce' | 'softmax_ce';

/** The heads `--head` takes. */
export const TRAIN_HEADS: readonly TrainHead[] = ['mse', 'bce', 'softmax_ce'];

/** The update rule of a training benchmark (default sgd). */
export type TrainOptimizer = 'sgd' | 'adam';

/** Shape of the benchmarked MLP: input → hidden… → output on random data, full batch of `batch` rows, SGD. */
export interface TrainBenchShape {
  readonly inputDim: number;
  readonly hidden: readonly number[];
  readonly outputDim: number;
  readonly activation: HiddenActivation;
  readonly batch: number;
  /** Steps per timed repetition; 0: as many as last about `minRepMs`. */
  readonly stepsPerRep: number;
  /** Log metrics every this many steps (0: never). */
  readonly logEvery: number;
  /** Output layer and loss (default mse; bce: one sigmoid output, as the lab's two-class data). */
  readonly head?: TrainHead;
  /** Update rule (default sgd at 0.01; adam at 0.003, the lab's default). */
  readonly optimizer?: TrainOptimizer;
  /** Also record per-layer quantiles of a, ∂L/∂z and W at each logged step (the trainer's distributions option). */
  readonly distributions?: boolean;
}

/** One training benchmark point: one model on one backend. */
export interface TrainPoint extends RepTimings {
  readonly suite: 'train' | 'workload';
  /** Identifies the model across backends ("train 4-32x2-2 batch 16"). */
  readonly key: string;
  readonly label: string;
  readonly backend: string;
  readonly backendKind: 'cpu' | 'webgpu';
  readonly shape: TrainBenchShape;
  /** Number of hidden layers. */
  readonly depth: number;
  /** Width of the first hidden layer. */
  readonly width: number;
  readonly batch: number;
  /** Matmul FLOPs of one step. */
  readonly flopsPerStep: number;
  readonly stepsPerSecond: number;
  readonly samplesPerSecond: number;
  /** Median GFLOP/s of the step's matrix products. */
  readonly gflops: number;
  /** Agreement of the first step's gradients with the other backend (set by the suite runner). */
  readonly agreement?: Agreement;
  /**
   * With distributions: the same model without them, timed side by side with this one (repetitions alternating), the
   * baseline of the extra share of a step the distributions cost.
   */
  readonly interleavedPlain?: TimingStats;
}

/** "784-256x4-10": layer sizes with runs of equal widths folded. */
export function modelLabel(s: TrainBenchShape): string {
  const runs: string[] = [];
  for (let i = 0; i < s.hidden.length; ) {
    let j = i;
    while (j < s.hidden.length && s.hidden[j] === s.hidden[i]) j++;
    runs.push(j - i > 1 ? `${s.hidden[i]}x${j - i}` : `${s.hidden[i]}`);
    i = j;
  }
  return [s.inputDim, ...runs, s.outputDim].join('-');
}

/** The point's key: the same model and batch on every backend. */
export function trainKey(suite: 'train' | 'workload', s: TrainBenchShape): string {
  return `${suite} ${modelLabel(s)} ${s.activation} ${s.head ?? 'mse'}${s.optimizer === 'adam' ? ' adam' : ''} batch ${s.batch}${s.distributions ? ' +dist' : ''}`;
}

/** Matmul FLOPs of one step of the model. */
export function trainFlops(s: TrainBenchShape): number {
  return flopsPerStep([s.inputDim, ...s.hidden, s.outputDim], s.batch);
}

/** The experiment a training benchmark runs. */
export function trainBenchSpec(s: TrainBenchShape): ExperimentSpec {
  const ce = s.head === 'softmax_ce';
  const bce = s.head === 'bce';
  return {
    model: {
      inputDim: s.inputDim,
      hidden: s.hidden,
      activations: s.hidden.map(() => s.activation),
      outputDim: s.outputDim,
      outputActivation: ce ? 'softmax' : bce ? 'sigmoid' : 'linear',
      loss: ce ? 'softmax_ce' : bce ? 'bce' : 'mse',
      init: s.activation === 'relu' || s.activation === 'leaky_relu' ? 'he' : 'xavier',
      gain: 1,
      initSeed: 0,
      optimizer: s.optimizer === 'adam' ? { kind: 'adam', lr: 0.003 } : { kind: 'sgd', lr: 0.01 },
    },
    data: { dataset: 'random', samples: s.batch, noise: 0, inputDim: s.inputDim, outputDim: s.outputDim, seed: 0 },
    schedule: { batchSize: 0, steps: 1_000_000, logEvery: s.logEvery || 1_000_000, batchSeed: 0, dtype: 'f32' },
  };
}

/** Random data of the benchmark's shape: Gaussian inputs, Gaussian targets (mse), 0/1 labels (bce) or one-hot labels (softmax_ce). */
export function trainBenchData(s: TrainBenchShape): Dataset {
  const spec = trainBenchSpec(s);
  if (s.head === 'bce') {
    const d = makeDataset(spec.data);
    const rng = new NumpyRandom(1);
    const y = new Float64Array(d.y.length);
    for (let i = 0; i < y.length; i++) y[i] = rng.randint(0, 2);
    return { ...d, y };
  }
  if (s.head !== 'softmax_ce') return makeDataset(spec.data);
  const rng = new NumpyRandom(0);
  const x = rng.randn(s.batch * s.inputDim);
  const y = new Float64Array(s.batch * s.outputDim);
  for (let i = 0; i < s.batch; i++) y[i * s.outputDim + rng.randint(0, s.outputDim)] = 1;
  const classes = Array.from({ length: s.outputDim }, (_, k) => String(k));
  return { name: 'random', x, y, n: s.batch, inputDim: s.inputDim, outputDim: s.outputDim, task: 'multiclass', classes };
}

/** A trainer of the benchmark model on a backend (the caller disposes it). */
function benchTrainer(backend: Backend, s: TrainBenchShape): Trainer {
  const spec = trainBenchSpec(s);
  return new Trainer(backend, { models: [spec.model], data: trainBenchData(s), schedule: spec.schedule, distributions: s.distributions === true });
}

/** Gradients of one step from the initial weights on a backend (untimed): the reference of an agreement check. */
export async function initialGradients(backend: Backend, s: TrainBenchShape): Promise<Parameters> {
  const trainer = benchTrainer(backend, s);
  try {
    trainer.stepOnce(false);
    return (await trainer.readGradients())[0]!;
  } finally {
    trainer.dispose();
  }
}

/** Time training steps of one MLP on a backend; also returns the gradients of its first step. */
export async function benchTrainShape(
  backend: Backend,
  s: TrainBenchShape,
  opts: RepOptions,
  suite: 'train' | 'workload' = 'train',
): Promise<{ point: TrainPoint; gradients: Parameters }> {
  const trainer = benchTrainer(backend, s);
  // With distributions, the plain model is timed beside it, repetition for repetition (timeRepsPaired).
  const twin = s.distributions ? benchTrainer(backend, { ...s, distributions: false }) : null;
  let gradients: Parameters | undefined;
  try {
    await backend.sync();
    const stepsOf = (t: Trainer) => async (count: number) => {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const r = t.stepOnce(s.logEvery > 0 && t.step % s.logEvery === 0);
        if (r) pending.push(r);
      }
      await Promise.all(pending);
      await backend.sync();
    };
    // A fixed stepsPerRep: an unbounded target duration capped at exactly that many steps per repetition.
    const repOpts = s.stepsPerRep > 0 ? { ...opts, minRepMs: Number.POSITIVE_INFINITY, maxCallsPerRep: s.stepsPerRep } : opts;
    const afterWarmup = async () => {
      gradients = (await trainer.readGradients())[0]!;
    };
    let interleavedPlain: TimingStats | undefined;
    let timings: RepTimings;
    if (twin) {
      const paired = await timeRepsPaired(stepsOf(trainer), stepsOf(twin), repOpts, afterWarmup);
      timings = paired.a;
      interleavedPlain = { medianMs: paired.b.medianMs, minMs: paired.b.minMs, maxMs: paired.b.maxMs, reps: paired.b.reps };
    } else timings = await timeReps(stepsOf(trainer), repOpts, afterWarmup);
    const flops = trainFlops(s);
    const sps = 1000 / timings.medianMs;
    const point: TrainPoint = {
      suite,
      key: trainKey(suite, s),
      label: `${modelLabel(s)} b${s.batch}${s.distributions ? ' +dist' : ''}`,
      backend: backend.info.description,
      backendKind: backend.info.kind,
      shape: s,
      depth: s.hidden.length,
      width: s.hidden[0] ?? 0,
      batch: s.batch,
      flopsPerStep: flops,
      ...timings,
      stepsPerSecond: sps,
      samplesPerSecond: sps * s.batch,
      gflops: (flops * sps) / 1e9,
      ...(interleavedPlain ? { interleavedPlain } : {}),
    };
    return { point, gradients: gradients! };
  } finally {
    trainer.dispose();
    twin?.dispose();
  }
}

/** Time training steps of one MLP on a backend (`reps` timed repetitions). */
export async function benchTrain(backend: Backend, s: TrainBenchShape, reps: number | RepOptions): Promise<TrainPoint> {
  const opts = typeof reps === 'number' ? { reps, minRepMs: 20 } : reps;
  return (await benchTrainShape(backend, s, opts)).point;
}

/**
 * One line per model timed with and without distributions on one backend: the median step times and the extra
 * share of a step the distributions cost ("+4.2 % of a step"). The baseline is the plain model timed side by side
 * with the distributions run (`interleavedPlain`, min/median/max of both given) where the point has it, else the
 * plain model's own point.
 */
export function distributionOverheads(points: readonly TrainPoint[]): string[] {
  const lines: string[] = [];
  const ms = (t: TimingStats) => `${t.medianMs.toFixed(3)} ms (min ${t.minMs.toFixed(3)}, max ${t.maxMs.toFixed(3)})`;
  for (const withDist of points) {
    if (!withDist.shape.distributions) continue;
    const plain = points.find((p) => p.backend === withDist.backend && p.key === withDist.key.replace(/ \+dist$/, ''));
    const label = withDist.label.replace(/ \+dist$/, '');
    const every = withDist.shape.logEvery;
    if (withDist.interleavedPlain) {
      const base = withDist.interleavedPlain;
      const extra = ((withDist.medianMs - base.medianMs) / base.medianMs) * 100;
      lines.push(
        `distributions ${withDist.backend} ${label} (log every ${every}; ${base.reps} repetitions each, alternating): ${ms(base)} → ${ms(withDist)} per step, ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} % of a step`,
      );
      continue;
    }
    if (!plain) continue;
    const extra = ((withDist.medianMs - plain.medianMs) / plain.medianMs) * 100;
    lines.push(
      `distributions ${plain.backend} ${plain.label} (log every ${plain.shape.logEvery}): ${plain.medianMs.toFixed(3)} ms → ${withDist.medianMs.toFixed(3)} ms per step, ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} % of a step`,
    );
  }
  return lines;
}
