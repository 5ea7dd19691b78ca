/**
 * Lesson 7's questions: the course text's five questions to ponder, each with our answer to reveal and the lab
 * experiments that show it, then eight further questions of our own.
 */
import type { LabExperiment } from './lab-links.js';

/** One of the course text's five questions, with the experiments that show its answer. */
export interface TextQuestion {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  /** Where the course text's own answer is loose, what we say instead (shown as a note), else null. */
  readonly correction: string | null;
  /** Links into the lab: words and the prepared experiment. */
  readonly experiments: readonly { readonly label: string; readonly experiment: LabExperiment }[];
}

/** The course text's five questions, in its order. */
export const TEXT_QUESTIONS: readonly TextQuestion[] = [
  {
    id: 'why-activation',
    question: 'Why do we need an activation function?',
    answer:
      'Without one, every layer is a matrix product plus a shift, and stacking such maps gives another map of the same kind: the whole network, however many layers it has, computes one linear function of its inputs. With a sigmoid on the output that is logistic regression, which draws one straight boundary, so XOR stays out of reach. A non-linear activation between the layers lets each layer bend what the previous one made, and that is what lets a hidden layer solve XOR.',
    correction: null,
    experiments: [{ label: 'Ten linear layers vs ten tanh layers on XOR', experiment: 'linearXor' }],
  },
  {
    id: 'activation-vanishing',
    question: 'How does the choice of activation function affect vanishing gradients?',
    answer:
      'On the way back, every layer multiplies the gradient by its activation\'s slope. The sigmoid\'s slope is 0.25 at best and close to 0 once a unit saturates (|z| large); tanh\'s is 1 at best but it saturates too. ReLU\'s slope is exactly 1 for every positive input, so an active unit passes the gradient back unshrunk (and a unit that is off passes nothing: a dead ReLU). Compare the first layer\'s gradient of the two stacks in the lab\'s gradient chart.',
    correction: null,
    experiments: [{ label: 'Sigmoid vs ReLU, 20 layers: the first layer\'s gradient', experiment: 'sigmoidVsRelu' }],
  },
  {
    id: 'learning-rate',
    question: 'How does the learning rate influence training?',
    answer:
      'It sets the size of every step against the gradient. Too small, and each step changes little: the loss creeps down over thousands of steps. Too large, and steps jump past the bottom of the valley to the other side, so the loss swings or grows and training can diverge. Between them is a range that works, and where it lies depends on the network and the data, so it is found by trying (or adapted as training goes, see question 5). In the lab, the same network at 0.001, 0.3 and 30: after 1 000 steps the first is still near chance, the second gets over 90 % right, the third bounces around chance with a loss larger than at the start.',
    correction: null,
    experiments: [{ label: 'One network at learning rates 0.001, 0.3 and 30', experiment: 'learningRates' }],
  },
  {
    id: 'mitigate',
    question: 'How do we mitigate vanishing gradient problems?',
    answer:
      'Four fixes, each attacking one factor of the product: activations whose slope does not shrink (ReLU and its relatives); initial weights scaled to the layer (Xavier for sigmoid and tanh, He for ReLU) so that each layer neither shrinks nor grows the signal; batch normalisation, which keeps every layer\'s sums in the range where the slope is large; and skip (residual) connections, which give the gradient a path around the layers. Recurrent networks add gates (LSTM, GRU); adaptive optimizers such as Adam make up for small gradients partly.',
    correction: null,
    experiments: [
      { label: 'ReLU: sigmoid vs tanh vs ReLU', experiment: 'threeActivations' },
      { label: 'Initialisation: std 1 vs Xavier', experiment: 'sigmoidInit' },
      { label: 'Batch normalisation', experiment: 'batchNorm' },
      { label: 'Skip connections', experiment: 'residual' },
    ],
  },
  {
    id: 'optimizers',
    question: 'What are alternative optimizers to vanilla gradient descent?',
    answer:
      'Momentum keeps a running sum of past gradients, so steps grow along directions the gradient keeps pointing in and cancel where it flips. RMSProp divides each weight\'s gradient by the root of its recent mean square, so every weight gets a step of a useful size however small its gradient is. Adam does both (with a correction for the first steps). All of them still follow the gradient; what changes is how a gradient becomes a step. On a six-layer sigmoid network, plain SGD and momentum stay at chance for hundreds of steps while RMSProp and Adam learn.',
    correction:
      'The course text says these optimizers "handle varying learning rates". More exactly: RMSProp and Adam scale the step of each weight by that weight\'s own gradient history (a per-weight step size); momentum does not, it smooths the direction.',
    experiments: [{ label: 'SGD vs momentum vs RMSProp vs Adam', experiment: 'optimizers' }],
  },
];

/** One further question to ponder. */
export interface Question {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  /** The prepared lab experiment, or null. */
  readonly experiment: LabExperiment | null;
}

/** The further questions, easiest first. */
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
