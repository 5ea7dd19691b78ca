/**
 * Lesson 4's network: the classic 2-2-1 tutorial network (presets `xor-classic`, `and-classic`) with the
 * settings a student may change, the experiment spec it becomes, and the "try this" experiments the lesson
 * text makes claims about (tests/unit/lessons.test.ts checks those claims with the trainer).
 */
import type { HiddenActivation } from '../../core/activations.js';
import { preset } from '../../core/presets.js';
import type { ExperimentSpec, InitName } from '../../core/spec.js';

/** The data sets of lesson 4. */
export const CLASSIC_DATASETS = ['xor', 'and', 'circle'] as const;
/** The hidden activations offered. */
export const CLASSIC_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'linear'] as const satisfies readonly HiddenActivation[];
/** The initialisations offered. */
export const CLASSIC_INITS = ['classic', 'xavier', 'he'] as const satisfies readonly InitName[];

/** What the student can change. */
export interface ClassicSettings {
  readonly dataset: (typeof CLASSIC_DATASETS)[number];
  readonly hidden: number;
  readonly activation: (typeof CLASSIC_ACTIVATIONS)[number];
  readonly init: (typeof CLASSIC_INITS)[number];
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
}

/** The settings of a preset: `xor-classic` (seed 42, 10 000 epochs) or `and-classic` (seed 0, 5 000 epochs). */
export function classicSettings(name: 'xor-classic' | 'and-classic'): ClassicSettings {
  const s = preset(name);
  return {
    dataset: s.data.dataset as 'xor' | 'and',
    hidden: s.model.hidden[0]!,
    activation: 'sigmoid',
    init: 'classic',
    lr: s.model.optimizer.lr,
    epochs: s.schedule.steps,
    seed: s.model.initSeed,
  };
}

/** Points of the circle data set in lesson 4. */
export const CIRCLE_SAMPLES = 200;

/** The experiment of a setting: the preset with the changes applied (MSE, sigmoid output, full batch, f64). */
export function classicSpec(s: ClassicSettings): ExperimentSpec {
  const base = preset(s.dataset === 'and' ? 'and-classic' : 'xor-classic');
  return {
    model: {
      ...base.model,
      hidden: [s.hidden],
      activations: [s.activation],
      init: s.init,
      initSeed: s.seed,
      optimizer: { kind: 'sgd', lr: s.lr },
    },
    data: { ...base.data, dataset: s.dataset, samples: s.dataset === 'circle' ? CIRCLE_SAMPLES : 4, seed: s.seed },
    schedule: { ...base.schedule, steps: s.epochs, batchSeed: s.seed, logEvery: s.dataset === 'and' ? 1000 : 2000 },
  };
}

/** An experiment the lesson suggests, and what the text says happens. */
export interface ClassicHint {
  readonly id: string;
  /** Button text. */
  readonly label: string;
  readonly settings: ClassicSettings;
  /** What the student should see (the claim the unit test checks). */
  readonly outcome: string;
  /** The final loss is below this… */
  readonly lossBelow?: number;
  /** …or above this. */
  readonly lossAbove?: number;
}

/** The experiments of lesson 4's "what fixes it" step. */
export function classicHints(): ClassicHint[] {
  const xor = classicSettings('xor-classic');
  return [
    { id: 'slow', label: 'The classic run', settings: xor, outcome: 'After 10 000 epochs the loss is still about 0.14 and two of the four answers are wrong: learning is slow.', lossAbove: 0.13 },
    { id: 'fast-stuck', label: 'Learning rate 1', settings: { ...xor, lr: 1 }, outcome: 'Faster at first, then the loss sits near 0.125 with two answers at about 0.5. This is not a valley: the 2-2-1 XOR network has no strict local minima (Hamey, 1998). It is a plateau. Both hidden units saturate for the inputs (0, 1) and (1, 1): their outputs are pinned near 1, where the sigmoid is almost flat, so the output unit cannot tell those two points apart and answers 0.5 for both. The weights keep drifting outwards and the loss still creeps down (0.1282 at epoch 2000, 0.1254 at 9999), far too slowly to help.', lossAbove: 0.12 },
    { id: 'seed', label: 'Learning rate 1, other start (seed 1)', settings: { ...xor, lr: 1, seed: 1 }, outcome: 'The same network from other random weights solves XOR: the loss falls below 0.001.', lossBelow: 0.001 },
    { id: 'width', label: 'Three hidden units', settings: { ...xor, hidden: 3 }, outcome: 'One more hidden unit gives the network room: even at learning rate 0.1 the loss falls to about 0.01.', lossBelow: 0.011 },
    { id: 'relu', label: 'Eight ReLU units, He init', settings: { ...xor, hidden: 8, activation: 'relu', init: 'he' }, outcome: 'ReLU units with He initialisation learn quickly: the loss ends below 0.001.', lossBelow: 0.001 },
  ];
}
