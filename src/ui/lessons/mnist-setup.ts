/**
 * Lesson 6's networks: a deep sigmoid (Xavier) and a deep ReLU (He) classifier for 14×14 digits, trained together
 * with mini-batch SGD, and the result the lesson states (checked by the browser test on the CPU path).
 */
import type { ModelSpec, ScheduleSpec } from '../../core/spec.js';

/** Hidden layers of each network. */
export const MNIST_DEPTH = 6;
/** Units per hidden layer. */
export const MNIST_WIDTH = 64;
/** Training steps of the lesson (mini-batches of MNIST_BATCH). */
export const MNIST_STEPS = 600;
/** Digits per mini-batch. */
export const MNIST_BATCH = 50;
/** Held-out accuracy is measured every this many steps. */
export const MNIST_EVAL_EVERY = 50;

/** What the lesson promises: after MNIST_STEPS steps on the CPU, ReLU above `reluAbove` and sigmoid below `sigmoidBelow` on the test digits. */
export const MNIST_CLAIM = { steps: MNIST_STEPS, reluAbove: 0.85, sigmoidBelow: 0.2 } as const;

/** The classifier with `activation` in every hidden layer (input: side² pixels). */
export function mnistModel(activation: 'sigmoid' | 'relu', inputDim: number): ModelSpec {
  return {
    inputDim,
    hidden: Array<number>(MNIST_DEPTH).fill(MNIST_WIDTH),
    activations: Array<'sigmoid' | 'relu'>(MNIST_DEPTH).fill(activation),
    outputDim: 10,
    outputActivation: 'softmax',
    loss: 'softmax_ce',
    init: activation === 'relu' ? 'he' : 'xavier',
    gain: 1,
    initSeed: 1,
    optimizer: { kind: 'sgd', lr: 0.1 },
  };
}

/** The schedule: mini-batches of 50, MNIST_STEPS steps, records every 10 steps, f32. */
export function mnistSchedule(): ScheduleSpec {
  return { batchSize: MNIST_BATCH, steps: MNIST_STEPS, logEvery: 10, batchSeed: 1, dtype: 'f32' };
}
