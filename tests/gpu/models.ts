// Models and comparisons the GPU training tests share.
import type { HiddenActivation } from '../../src/core/activations.js';
import type { ModelSpec } from '../../src/core/spec.js';

/** A 2-input, 1-output classifier (sigmoid + bce) with the activation's standard init and SGD at lr 0.2. */
export function spiralModel(act: HiddenActivation, hidden: number[], over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    inputDim: 2,
    hidden,
    activations: hidden.map(() => act),
    outputDim: 1,
    outputActivation: 'sigmoid',
    loss: 'bce',
    init: act === 'relu' || act === 'leaky_relu' ? 'he' : 'xavier',
    gain: 1,
    initSeed: 11,
    optimizer: { kind: 'sgd', lr: 0.2 },
    ...over,
  };
}

/** |a − b| relative to the larger of the two. */
export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
}
