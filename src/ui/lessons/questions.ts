/** Lesson 7's questions: each with an answer to reveal and the lab experiment that shows it. */
import type { LabExperiment } from './lab-links.js';

/** One question to ponder. */
export interface Question {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  /** The prepared lab experiment, or null. */
  readonly experiment: LabExperiment | null;
}

/** The questions, easiest first. */
export const QUESTIONS: readonly Question[] = [
  {
    id: 'ten-layers',
    question: 'A sigmoid\'s slope is at most 0.25. Through how many sigmoid layers can the error signal pass before it is at most a millionth of what it was?',
    answer: 'About ten: 0.25¹⁰ ≈ 9.5 × 10⁻⁷. And 0.25 is the best case — a saturated unit passes on far less. The weights also multiply the signal, which is why good initialisation matters.',
    experiment: 'tenSigmoid',
  },
  {
    id: 'relu-flat',
    question: 'Why does the first layer of the ReLU stack get a gradient about as large as the last layer\'s?',
    answer: 'Where a ReLU unit is active its slope is exactly 1, so it passes the signal back unchanged; He initialisation chooses the weights\' size so that, on average, each layer neither shrinks nor grows the signal.',
    experiment: 'sigmoidVsRelu',
  },
  {
    id: 'big-init',
    question: 'What happens to a deep sigmoid network whose initial weights are large (standard deviation 1 instead of Xavier\'s)?',
    answer: 'The weighted sums z become large, most units saturate near 0 or 1, and their slopes are nearly 0: the gradient vanishes even faster. Look at the saturation chart in the lab.',
    experiment: 'sigmoidInit',
  },
  {
    id: 'relu-explode',
    question: 'Can a ReLU network have the opposite problem?',
    answer: 'Yes. If each layer multiplies the signal by more than 1 on average — for example He initialisation with double the spread (gain 2) — the signal and the gradient grow exponentially with depth and training blows up. With Xavier initialisation instead, each ReLU layer halves the signal\'s variance and the gradient shrinks.',
    experiment: 'reluInit',
  },
  {
    id: 'bigger-lr',
    question: 'Why not simply use a larger learning rate to make up for the tiny gradients?',
    answer: 'The learning rate scales every layer by the same amount. The first layers\' gradients are many orders of magnitude smaller than the last layers\' — a rate large enough for the first layers makes the last layers jump around wildly.',
    experiment: 'sigmoidLr',
  },
  {
    id: 'tanh',
    question: 'tanh is also S-shaped. Why does it do better than the sigmoid in deep networks?',
    answer: 'Its slope at 0 is 1 rather than 0.25, and its output is centred on 0, so the next layer\'s sums are not all pushed in one direction. It still saturates for large |z|.',
    experiment: 'threeActivations',
  },
  {
    id: 'dead-relu',
    question: 'A ReLU unit whose sum is negative for every input has slope 0 everywhere. What happens to it, and what is a fix?',
    answer: 'It gets no gradient and never recovers: a dead unit. Leaky ReLU keeps a small slope (0.01) for negative inputs, so the unit can come back.',
    experiment: 'leaky',
  },
  {
    id: 'shallow',
    question: 'If sigmoids are so bad, why did networks work in 1986?',
    answer: 'Those networks were shallow: one or two hidden layers. With three sigmoid layers the product of slopes is still large enough to learn. The trouble starts with depth.',
    experiment: 'shallowSigmoid',
  },
];
