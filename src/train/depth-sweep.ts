/**
 * The depth sweep: the first layer's gradient norm ‖∂L/∂W_0‖ at initialisation against depth, measured (one logged
 * step per depth, every init seed trained together as one cohort) beside the mean-field prediction anchored at the
 * measured output layer's norm. Pure with respect to the backend passed in.
 */
import type { Backend } from '../backend/backend.js';
import type { HiddenActivation, OutputActivation } from '../core/activations.js';
import type { Dataset } from '../core/datasets.js';
import type { LossName } from '../core/losses.js';
import type { InitName, ModelSpec } from '../core/spec.js';
import { chi, dataMeanSquare, predictedGradProfile, sigmaW2For } from '../core/theory.js';
import { Trainer } from './trainer.js';

/** One activation with one initialisation scheme. */
export interface SweepPair {
  readonly activation: HiddenActivation;
  readonly init: InitName;
}

/** What to sweep. */
export interface DepthSweepOptions {
  readonly pairs: readonly SweepPair[];
  /** Numbers of hidden layers (0 allowed: then the first layer is the output layer). */
  readonly depths: readonly number[];
  /** Width of every hidden layer. */
  readonly width: number;
  readonly data: Dataset;
  /** Init seeds averaged over. */
  readonly seeds: readonly number[];
  /** Multiplier of the init std (default 1). */
  readonly gain?: number;
}

/** One point of the sweep: means over the seeds. */
export interface SweepPoint {
  readonly activation: HiddenActivation;
  readonly init: InitName;
  /** Number of hidden layers. */
  readonly depth: number;
  /** Mean over seeds of the measured ‖∂L/∂W_0‖_F at initialisation. */
  readonly measured: number;
  /** Mean over seeds of the predicted ‖∂L/∂W_0‖_F (each seed anchored at its own output layer's norm). */
  readonly predicted: number;
  /** Mean over seeds of the measured output layer's ‖∂L/∂W_L‖_F (the anchor). */
  readonly outputNorm: number;
  /** χ of a width × width hidden layer of this pair at the length map's fixed point (per-layer factor of ‖δ‖²). */
  readonly chi: number;
}

/** Output activation and loss that fit a data set's task. */
export function headFor(data: Dataset): { outputActivation: OutputActivation; loss: LossName } {
  if (data.task === 'regression') return { outputActivation: 'linear', loss: 'mse' };
  if (data.task === 'multiclass') return { outputActivation: 'softmax', loss: 'softmax_ce' };
  return { outputActivation: 'sigmoid', loss: 'bce' };
}

/** The model of one sweep point: `depth` hidden layers of `width`, the pair's activation and init. */
export function sweepModel(pair: SweepPair, depth: number, width: number, data: Dataset, seed: number, gain = 1): ModelSpec {
  return {
    inputDim: data.inputDim,
    hidden: Array<number>(depth).fill(width),
    activations: Array<HiddenActivation>(depth).fill(pair.activation),
    outputDim: data.outputDim,
    ...headFor(data),
    init: pair.init,
    gain,
    initSeed: seed,
    optimizer: { kind: 'sgd', lr: 0.1 },
  };
}

/** χ of a pair's width × width hidden layers at the fixed point reached from the data's first hidden layer. */
export function pairChi(pair: SweepPair, width: number, data: Dataset, gain = 1): number {
  const q1 = sigmaW2For(pair.init, gain, data.inputDim, width, pair.activation) * dataMeanSquare(data.x);
  return chi(pair.activation, sigmaW2For(pair.init, gain, width, width, pair.activation), 0, q1);
}

/** Run the sweep: for every pair and depth, one logged full-batch step of a cohort of one model per seed. */
export async function depthSweep(backend: Backend, opts: DepthSweepOptions): Promise<SweepPoint[]> {
  if (opts.seeds.length === 0) throw new Error('depthSweep needs at least one seed');
  const gain = opts.gain ?? 1;
  const m0 = dataMeanSquare(opts.data.x);
  const points: SweepPoint[] = [];
  for (const pair of opts.pairs) {
    const c = pairChi(pair, opts.width, opts.data, gain);
    for (const depth of opts.depths) {
      const models = opts.seeds.map((s) => sweepModel(pair, depth, opts.width, opts.data, s, gain));
      const trainer = new Trainer(backend, {
        models,
        data: opts.data,
        schedule: { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 0, dtype: backend.info.dtype },
      });
      const records = await trainer.stepOnce(true)!;
      trainer.dispose();
      // The predicted profile is linear in its anchor, so one unit-anchored profile serves every seed.
      const factor = predictedGradProfile(models[0]!, 1, m0)[0]!;
      let measured = 0;
      let outputNorm = 0;
      for (const r of records) {
        measured += r.gradNorms[0]!;
        outputNorm += r.gradNorms[r.gradNorms.length - 1]!;
      }
      const n = records.length;
      points.push({ ...pair, depth, measured: measured / n, predicted: (factor * outputNorm) / n, outputNorm: outputNorm / n, chi: c });
    }
  }
  return points;
}
