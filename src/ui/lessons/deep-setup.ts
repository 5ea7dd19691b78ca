/**
 * Lesson 5's experiments: a sigmoid stack beside a ReLU stack (the gradient profile), and one medium-deep sigmoid
 * network trained with each optimizer. The outcomes the lesson text states are checked by tests/unit/lessons.test.ts.
 */
import { deepStack } from '../../core/presets.js';
import type { ExperimentSpec, OptimizerSpec } from '../../core/spec.js';

/** Width of the lesson's stacks (narrower than the lab's 32, so that they train fast anywhere). */
export const DEEP_WIDTH = 16;
/** Depth of the gradient-profile stacks at first. */
export const PROFILE_DEPTH = 12;
/** Steps of the optimizer race. */
export const RACE_STEPS = 800;

/** A sigmoid (Xavier) or ReLU (He) stack of `depth` layers of 16 on the spiral, full batch, SGD 0.1. */
export function profileSpec(activation: 'sigmoid' | 'relu', depth: number): ExperimentSpec {
  const s = deepStack(activation, depth, DEEP_WIDTH);
  return { ...s, schedule: { ...s.schedule, steps: 2000, logEvery: 10 } };
}

/** One entry of the optimizer race. */
export interface RaceEntry {
  readonly id: string;
  readonly label: string;
  readonly spec: ExperimentSpec;
}

/** Six sigmoid layers of 16 on the circle (200 points), trained for RACE_STEPS full-batch steps by `optimizer`. */
export function raceSpec(optimizer: OptimizerSpec, activation: 'sigmoid' | 'relu' = 'sigmoid'): ExperimentSpec {
  const s = deepStack(activation, 6, DEEP_WIDTH);
  return {
    model: { ...s.model, optimizer },
    data: { ...s.data, dataset: 'circle', samples: 200, noise: 0.05 },
    schedule: { ...s.schedule, steps: RACE_STEPS, logEvery: 20 },
  };
}

/** The race: plain SGD, momentum, RMSProp and Adam on the same six-layer sigmoid network. */
export function raceEntries(): RaceEntry[] {
  return [
    { id: 'sgd', label: 'SGD, lr 0.1', spec: raceSpec({ kind: 'sgd', lr: 0.1 }) },
    { id: 'momentum', label: 'momentum 0.9, lr 0.1', spec: raceSpec({ kind: 'momentum', lr: 0.1 }) },
    { id: 'rmsprop', label: 'RMSProp, lr 0.003', spec: raceSpec({ kind: 'rmsprop', lr: 0.003 }) },
    { id: 'adam', label: 'Adam, lr 0.003', spec: raceSpec({ kind: 'adam', lr: 0.003 }) },
  ];
}

/** What the lesson says about the race at its last step (accuracy on the training points). */
export const RACE_CLAIMS = {
  /** SGD and momentum stay at chance: accuracy at most this. */
  stuckBelow: 0.55,
  /** Adam ends above this. */
  adamAbove: 0.95,
  /** RMSProp is between: above chance, below Adam. */
  rmspropAbove: 0.6,
  /** A ReLU stack of the same shape with plain SGD ends above this. */
  reluAbove: 0.9,
} as const;

/** Weights and biases of a fully connected network with these layer sizes (inputs, hidden…, outputs). */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  return n;
}

/** The cost of one full gradient, counted in passes over the data: finite differences vs backpropagation. */
export function gradientCost(params: number): { readonly forwardDifferences: number; readonly centralDifferences: number; readonly backprop: number } {
  // Forward differences: one pass at the weights, one more per weight nudged. Central: two per weight.
  // Backprop: one forward and one backward pass (a backward pass costs about two forward passes).
  return { forwardDifferences: params + 1, centralDifferences: 2 * params, backprop: 3 };
}
