/**
 * Named experiments. `xor-classic` and `and-classic` reproduce the classic from-scratch NumPy tutorial:
 * a 2-2-1 sigmoid network, MSE, full batch, learning rate 0.1, `np.random.seed(s)` then `randn` weights.
 */
import type { ExperimentSpec, ModelSpec } from './spec.js';

/** The preset names. */
export const PRESETS = [
  'xor-classic',
  'and-classic',
  'deep-sigmoid',
  'deep-relu',
  'vanishing-sigmoid',
  'fix-relu-he',
  'fix-tanh-xavier',
  'exploding-linear',
  'exploding-clipped',
  'fix-batchnorm',
  'fix-residual',
  'vanishing-tanh',
  'fix-layernorm',
] as const;
export type PresetName = (typeof PRESETS)[number];

function classic(dataset: 'xor' | 'and', seed: number, steps: number, logEvery: number): ExperimentSpec {
  return {
    model: {
      inputDim: 2,
      hidden: [2],
      activations: ['sigmoid'],
      outputDim: 1,
      outputActivation: 'sigmoid',
      loss: 'mse',
      init: 'classic',
      gain: 1,
      initSeed: seed,
      optimizer: { kind: 'sgd', lr: 0.1 },
    },
    data: { dataset, samples: 4, noise: 0, inputDim: 2, outputDim: 1, seed },
    schedule: { batchSize: 0, steps, logEvery, batchSeed: seed, dtype: 'f64' },
  };
}

/** A deep stack of `depth` layers of `width` on the spiral, with the activation's standard init. */
export function deepStack(activation: 'sigmoid' | 'relu', depth = 20, width = 32): ExperimentSpec {
  const model: ModelSpec = {
    inputDim: 2,
    hidden: Array(depth).fill(width),
    activations: Array(depth).fill(activation),
    outputDim: 1,
    outputActivation: 'sigmoid',
    loss: 'bce',
    init: activation === 'relu' ? 'he' : 'xavier',
    gain: 1,
    initSeed: 1,
    optimizer: { kind: 'sgd', lr: 0.1 },
  };
  return {
    model,
    data: { dataset: 'spiral', samples: 200, noise: 0.05, inputDim: 2, outputDim: 1, seed: 1 },
    schedule: { batchSize: 0, steps: 1000, logEvery: 10, batchSeed: 1, dtype: 'f32' },
  };
}

/**
 * A 20-layer stack of 32 on the circle data (full batch of 200, bce): the vanishing-gradient demonstration and
 * its mitigations. `classic` sigmoid does not learn in 600 steps; ReLU with He init and tanh with Xavier do, and so
 * does the same classic sigmoid stack with batch norm or with residual connections every 3 layers.
 */
function circleStack(
  activation: 'sigmoid' | 'relu' | 'tanh' | 'linear', init: ModelSpec['init'], lr: number, steps: number, extra: Partial<ModelSpec> = {}, dataset: 'circle' | 'gaussian' = 'circle',
): ExperimentSpec {
  const base = deepStack('sigmoid');
  return {
    model: { ...base.model, activations: Array(20).fill(activation), init, optimizer: { kind: 'sgd', lr }, ...extra },
    data: { ...base.data, dataset, noise: 0 },
    schedule: { ...base.schedule, steps, logEvery: Math.max(1, steps / 20) },
  };
}

/** The spec of a named preset. */
export function preset(name: PresetName): ExperimentSpec {
  switch (name) {
    case 'xor-classic':
      return classic('xor', 42, 10000, 2000);
    case 'and-classic':
      return classic('and', 0, 5000, 1000);
    case 'deep-sigmoid':
      return deepStack('sigmoid');
    case 'deep-relu':
      return deepStack('relu');
    case 'vanishing-sigmoid':
      return circleStack('sigmoid', 'classic', 0.1, 600);
    case 'fix-relu-he':
      return circleStack('relu', 'he', 0.05, 600);
    case 'fix-tanh-xavier':
      return circleStack('tanh', 'xavier', 0.05, 600);
    case 'exploding-linear':
      return circleStack('linear', 'xavier', 0.05, 300, { gain: 1.6 });
    case 'exploding-clipped':
      return circleStack('linear', 'xavier', 0.05, 300, { gain: 1.6, clip: { kind: 'norm', max: 1 } });
    case 'fix-batchnorm':
      return circleStack('sigmoid', 'classic', 0.1, 600, { norm: 'batch' });
    case 'fix-residual':
      return circleStack('sigmoid', 'classic', 0.1, 600, { residual: 3 });
    // Layer norm is scale-invariant per sample: on a 2-input first layer it keeps only the input's direction (the
    // circle's radius is lost), and it leaves the common offset of sigmoid outputs in place; its demonstration is
    // the saturated classic tanh stack on two Gaussian blobs, which lie apart in direction.
    case 'vanishing-tanh':
      return circleStack('tanh', 'classic', 0.1, 600, {}, 'gaussian');
    case 'fix-layernorm':
      return circleStack('tanh', 'classic', 0.1, 600, { norm: 'layer' }, 'gaussian');
  }
}
