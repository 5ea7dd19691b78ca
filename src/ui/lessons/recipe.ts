/**
 * The course text's seven-step recipe for a real problem (collect data … predict on new data), each step with
 * the lab control that performs it and a link that opens the lab set up for that step.
 */
import type { ControlName } from '../../core/lab-spec.js';
import type { LabLinkPatch } from './lab-links.js';

/** One step of the recipe. */
export interface RecipeStep {
  readonly id: string;
  readonly title: string;
  /** What to do, in the lab's terms. */
  readonly text: string;
  /** The lab control that performs the step. */
  readonly control: ControlName;
  /** Words for the link. */
  readonly link: string;
  /** The lab for that step, or null where the step happens in the lesson itself. */
  readonly lab: LabLinkPatch | null;
}

/** A small network on the circle: the lab the recipe builds up. */
const small = { dataset: 'circle', samples: 400, depth: 3, width: 8 } as const satisfies LabLinkPatch;

/** The seven steps, in order; the last one runs in the lesson (predictions on points the network never saw). */
export const RECIPE: readonly RecipeStep[] = [
  { id: 'data', title: 'Collect data', text: 'Inputs with their correct outputs. In the lab, pick a data set in the Data panel, or load your own CSV file (two numeric columns and a label).', control: 'dataset', link: 'Choose the data', lab: { dataset: 'circle', samples: 400 } },
  { id: 'design', title: 'Design the network', text: 'How many hidden layers, how wide, and which activation. Set the depth and width, and each run\'s activation.', control: 'depth', link: 'Set depth and width', lab: small },
  { id: 'init', title: 'Initialise the weights', text: 'Random, with a spread matched to the activation: compare He and Xavier for ReLU in the runs\' initialisation menus.', control: 'init', link: 'Pick the initialisation', lab: { ...small, runs: [{ activation: 'relu', init: 'he' }, { activation: 'relu', init: 'xavier' }] } },
  { id: 'forward', title: 'Forward pass, then the loss', text: 'Press Step once: the network answers every training point and the loss chart gets its first point.', control: 'step', link: 'Take one step', lab: small },
  { id: 'backward', title: 'Backpropagate and update', text: 'The same step computes every gradient and moves each weight against it, by the learning rate. Change the learning rate and step again.', control: 'lr', link: 'Set the learning rate', lab: { ...small, lr: 0.3 } },
  { id: 'repeat', title: 'Repeat until the loss is low enough', text: 'Press Play. The stop condition ends the run by itself, here at a loss of 0.05.', control: 'stop', link: 'Play until the loss is 0.05', lab: { ...small, lr: 0.3, stop: { kind: 'loss', value: 0.05 } } },
  { id: 'predict', title: 'Predict on new data', text: 'Use the trained network on points it never saw. Train the network above, then ask it about new points here; in the lab, the decision-boundary chart shows its answer for every point of the plane.', control: 'play', link: 'Train, then look at the boundary', lab: { ...small, lr: 0.3 } },
];
