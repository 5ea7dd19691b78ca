/**
 * Training-step benchmark: steps/s and samples/s of an MLP on a backend, timed over chunks of steps that end
 * with the backend's work finished, after a warm-up step (pipeline compilation, reported apart).
 */
import type { Backend } from '../backend/backend.js';
import { makeDataset } from '../core/datasets.js';
import type { HiddenActivation } from '../core/activations.js';
import type { ExperimentSpec } from '../core/spec.js';
import { Trainer } from '../train/trainer.js';
import { timingStats, type TimingStats } from './stats.js';

/** Shape of the benchmarked MLP: input → hidden… → output on random regression data, MSE, SGD. */
export interface TrainBenchShape {
  readonly inputDim: number;
  readonly hidden: readonly number[];
  readonly outputDim: number;
  readonly activation: HiddenActivation;
  readonly batch: number;
  /** Steps per timed repetition. */
  readonly stepsPerRep: number;
  /** Log metrics every this many steps (0: never). */
  readonly logEvery: number;
}

/** One training benchmark point. */
export interface TrainPoint extends TimingStats {
  readonly backend: string;
  readonly shape: TrainBenchShape;
  readonly warmupMs: number;
  readonly stepsPerSecond: number;
  readonly samplesPerSecond: number;
  readonly gflops: number;
}

/** The experiment a training benchmark runs. */
export function trainBenchSpec(s: TrainBenchShape): ExperimentSpec {
  return {
    model: {
      inputDim: s.inputDim,
      hidden: s.hidden,
      activations: s.hidden.map(() => s.activation),
      outputDim: s.outputDim,
      outputActivation: 'linear',
      loss: 'mse',
      init: s.activation === 'relu' ? 'he' : 'xavier',
      gain: 1,
      initSeed: 0,
      optimizer: { kind: 'sgd', lr: 0.01 },
    },
    data: { dataset: 'random', samples: s.batch, noise: 0, inputDim: s.inputDim, outputDim: s.outputDim, seed: 0 },
    schedule: { batchSize: 0, steps: 1_000_000, logEvery: s.logEvery || 1_000_000, batchSeed: 0, dtype: 'f32' },
  };
}

/** Time training steps of one MLP on a backend. */
export async function benchTrain(backend: Backend, s: TrainBenchShape, reps: number): Promise<TrainPoint> {
  const spec = trainBenchSpec(s);
  const trainer = new Trainer(backend, { models: [spec.model], data: makeDataset(spec.data), schedule: spec.schedule });
  const steps = async (count: number) => {
    const t0 = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const r = trainer.stepOnce(s.logEvery > 0 && trainer.step % s.logEvery === 0);
      if (r) pending.push(r);
    }
    await Promise.all(pending);
    await backend.sync();
    return performance.now() - t0;
  };
  const warmupMs = await steps(1);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) times.push((await steps(s.stepsPerRep)) / s.stepsPerRep);
  const stats = timingStats(times);
  const flops = trainer.flopsPerStep;
  trainer.dispose();
  const sps = 1000 / stats.medianMs;
  return { backend: backend.info.description, shape: s, warmupMs, ...stats, stepsPerSecond: sps, samplesPerSecond: sps * s.batch, gflops: (flops * sps) / 1e9 };
}
