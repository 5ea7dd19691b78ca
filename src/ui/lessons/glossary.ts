/**
 * The glossary of the course: every term with a short plain definition for a first-year student. Lessons link
 * a term with `<bp-term term="id">`; the glossary lesson lists them all (anchor `#/8/id`).
 */

/** One glossary entry. */
export interface GlossaryEntry {
  /** URL-safe id (`vanishing-gradient`). */
  readonly id: string;
  /** The term as printed. */
  readonly term: string;
  /** The definition, one to three plain sentences. */
  readonly definition: string;
  /** Ids of related entries. */
  readonly see?: readonly string[];
}

/** All entries (the glossary lesson shows them sorted by `term`). */
export const GLOSSARY: readonly GlossaryEntry[] = [
  { id: 'accuracy', term: 'accuracy', definition: 'The share of examples a classifier gets right. 0.9 means nine out of ten.', see: ['test-set'] },
  { id: 'activation', term: 'activation function', definition: 'The function a neuron applies to its weighted sum z, such as the sigmoid or ReLU. Without it, a stack of layers would be no more powerful than one layer.', see: ['sigmoid', 'relu', 'tanh'] },
  { id: 'adam', term: 'Adam', definition: 'An optimizer (Kingma and Ba, 2014) that keeps a running average of each gradient and of its square, and divides one by the square root of the other, so that every weight takes steps of a sensible size.', see: ['optimizer', 'rmsprop', 'momentum'] },
  { id: 'backpropagation', term: 'backpropagation', definition: 'The way to compute the gradient of the loss with respect to every weight of a network: apply the chain rule layer by layer, from the output back to the input, reusing the numbers of the layer above.', see: ['chain-rule', 'gradient', 'backward-pass'] },
  { id: 'backward-pass', term: 'backward pass', definition: 'The second half of a training step: starting from the loss, the error signal travels back through the layers and every weight gets its gradient.', see: ['forward-pass', 'backpropagation'] },
  { id: 'batch', term: 'batch (mini-batch)', definition: 'The examples used for one training step. Full batch: all of them. A mini-batch is a small random handful, which makes each step cheaper and a little noisy.', see: ['epoch', 'step'] },
  { id: 'batch-norm', term: 'batch normalisation', definition: 'A layer (Ioffe and Szegedy, 2015) that rescales each unit\'s values over the batch to mean 0 and spread 1, then lets the network learn a scale and shift. It keeps signals in a healthy range in deep networks.' },
  { id: 'bias', term: 'bias', definition: 'A number added to a neuron\'s weighted sum, z = w·x + b. It shifts where the neuron switches on. It is learned like a weight.', see: ['weight'] },
  { id: 'chain-rule', term: 'chain rule', definition: 'The rule for the derivative of a function of a function: if y depends on u and u on x, then dy/dx = dy/du · du/dx. Backpropagation is the chain rule applied many times.', see: ['derivative', 'backpropagation'] },
  { id: 'cross-entropy', term: 'cross-entropy', definition: 'A loss for classification: minus the logarithm of the probability the network gave to the right answer. It is large when the network is confidently wrong.', see: ['loss', 'softmax'] },
  { id: 'dead-relu', term: 'dead ReLU', definition: 'A ReLU unit whose weighted sum is negative for every input. Its output and its slope are always 0, so it gets no gradient and stops learning.', see: ['relu'] },
  { id: 'decision-boundary', term: 'decision boundary', definition: 'The line or curve in the input space where a classifier changes its answer from one class to the other.' },
  { id: 'deep-network', term: 'deep network', definition: 'A network with many hidden layers. Depth lets it build complex features from simple ones, but makes the gradient a long product of factors.', see: ['vanishing-gradient'] },
  { id: 'derivative', term: 'derivative', definition: 'How fast a function\'s output changes when its input changes a little: the slope of its graph at a point.', see: ['gradient'] },
  { id: 'epoch', term: 'epoch', definition: 'One pass over the whole training set. With full-batch training, one epoch is one step.', see: ['batch', 'step'] },
  { id: 'gradient-clipping', term: 'gradient clipping', definition: 'Shrinking the gradient before a step when it is too large: scaled down so that its total length is at most a chosen maximum (clipping by norm), or each entry cut off at ± a maximum (clipping by value). It keeps one huge gradient from throwing the weights far away.', see: ['exploding-gradient'] },
  { id: 'exploding-gradient', term: 'exploding gradient', definition: 'The opposite of the vanishing gradient: when the factors multiplied along the layers are larger than 1, the gradient grows exponentially with depth and the weights jump wildly or become infinite.', see: ['vanishing-gradient'] },
  { id: 'forward-pass', term: 'forward pass', definition: 'The first half of a training step: inputs flow through the layers to produce the prediction, and the loss is computed.', see: ['backward-pass'] },
  { id: 'gpu', term: 'GPU', definition: 'A graphics processor: a chip with thousands of small cores that do the same arithmetic on many numbers at once. Matrix products, the heart of a network, run much faster there.' },
  { id: 'gradient', term: 'gradient', definition: 'The list of derivatives of the loss with respect to every weight. It points in the direction in which the loss grows fastest, so training steps the other way.', see: ['derivative', 'gradient-descent'] },
  { id: 'gradient-descent', term: 'gradient descent', definition: 'Training by small steps downhill: every weight moves by minus the learning rate times its gradient, w ← w − η·∂L/∂w.', see: ['learning-rate', 'gradient'] },
  { id: 'hidden-layer', term: 'hidden layer', definition: 'A layer between the input and the output. Its values are not given by the data; the network invents them.', see: ['layer'] },
  { id: 'init', term: 'initialisation', definition: 'How the weights are chosen before training: random numbers whose spread matters a lot. Xavier (Glorot) initialisation suits sigmoid and tanh, He initialisation suits ReLU.', see: ['xavier', 'he-init'] },
  { id: 'he-init', term: 'He initialisation', definition: 'Random initial weights with spread √(2 / inputs) (He et al., 2015). The factor 2 makes up for ReLU zeroing half of the signal, so signals keep their size through many ReLU layers.', see: ['init', 'relu'] },
  { id: 'layer', term: 'layer', definition: 'A group of neurons that all read the same inputs. A layer computes a = φ(x·W + b) for a whole batch at once.' },
  { id: 'learning-rate', term: 'learning rate', definition: 'The step size η of gradient descent. Too small and learning crawls; too large and the loss jumps around or blows up.', see: ['gradient-descent'] },
  { id: 'loss', term: 'loss', definition: 'One number that says how wrong the network is on the data. Training changes the weights to make it smaller.', see: ['mse', 'cross-entropy'] },
  { id: 'momentum', term: 'momentum', definition: 'An optimizer that keeps a running sum of past gradients, like a ball rolling downhill, so steps build up speed along a steady slope.', see: ['optimizer'] },
  { id: 'mse', term: 'mean squared error (MSE)', definition: 'A loss: the average of (prediction − target)². Lesson 3 uses ½(y − ŷ)² for one example; the ½ makes the derivative simpler.', see: ['loss'] },
  { id: 'neuron', term: 'neuron', definition: 'The basic unit of a network: it multiplies its inputs by weights, adds a bias, and applies an activation function: ŷ = φ(w·x + b).', see: ['weight', 'bias', 'activation'] },
  { id: 'optimizer', term: 'optimizer', definition: 'The rule that turns gradients into weight changes. Plain gradient descent (SGD) is the simplest; momentum, RMSProp and Adam are common improvements.', see: ['gradient-descent', 'adam'] },
  { id: 'relu', term: 'ReLU', definition: 'The rectified linear unit, max(0, z). Its slope is 1 for positive z and 0 for negative z, so it passes the gradient on unchanged wherever the unit is active.', see: ['activation', 'dead-relu'] },
  { id: 'layer-norm', term: 'layer normalisation', definition: 'Like batch normalisation, but each sample\'s values in a layer are rescaled to mean 0 and spread 1 across the layer\'s units (Ba, Kiros and Hinton, 2016), so it does not depend on the other samples in the batch.', see: ['batch-norm'] },
  { id: 'orthogonal-init', term: 'orthogonal initialisation', definition: 'Initial weights whose matrix has orthonormal columns (a random matrix made orthogonal), times a gain. At the start each layer rotates the signal without stretching or shrinking it (Saxe, McClelland and Ganguli, 2014).', see: ['init', 'xavier', 'he-init'] },
  { id: 'residual', term: 'residual connection', definition: 'A shortcut that adds a layer\'s input to its output, a + f(a) (He et al., 2015). The gradient can flow back along the shortcut without shrinking, so networks with hundreds of layers train.' },
  { id: 'rmsprop', term: 'RMSProp', definition: 'An optimizer that divides each gradient by the square root of a running average of its recent squares, so weights with tiny gradients still take reasonable steps.', see: ['optimizer', 'adam'] },
  { id: 'saturation', term: 'saturation', definition: 'A sigmoid or tanh unit is saturated when its input is far from 0: its output is stuck near a limit and its slope is nearly 0, so almost no gradient passes through it.', see: ['sigmoid', 'vanishing-gradient'] },
  { id: 'sigmoid', term: 'sigmoid', definition: 'The S-shaped activation σ(z) = 1 / (1 + e^(−z)), between 0 and 1. Its slope σ′(z) = σ(z)(1 − σ(z)) is at most 0.25 and almost 0 for large |z|.', see: ['activation', 'saturation'] },
  { id: 'softmax', term: 'softmax', definition: 'Turns a list of scores into probabilities that add up to 1: e^(score) divided by the sum of all e^(score). Used at the output of a classifier with several classes.', see: ['cross-entropy'] },
  { id: 'step', term: 'training step', definition: 'One forward pass, one backward pass and one update of the weights, on one batch.', see: ['epoch', 'batch'] },
  { id: 'tanh', term: 'tanh', definition: 'The hyperbolic tangent, an S-shaped activation between −1 and 1. Its slope is at most 1 (at z = 0), four times the sigmoid\'s best.', see: ['activation', 'sigmoid'] },
  { id: 'test-set', term: 'test set (held-out data)', definition: 'Examples kept away from training and used only to measure how well the network does on data it has never seen.', see: ['accuracy'] },
  { id: 'underflow', term: 'underflow', definition: 'A number too small for the computer\'s floating-point format becomes exactly 0. A vanishing gradient can underflow, and then that layer learns nothing at all.' },
  { id: 'vanishing-gradient', term: 'vanishing gradient', definition: 'In a deep network the gradient of an early layer is a product of one factor per layer above it. When those factors are below 1 (a sigmoid\'s slope is at most 0.25) the product shrinks exponentially, and the early layers barely learn.', see: ['chain-rule', 'sigmoid', 'exploding-gradient'] },
  { id: 'weight', term: 'weight', definition: 'A number on a connection between two neurons: how strongly one neuron\'s output counts in the next one\'s sum. Training adjusts the weights.', see: ['bias'] },
  { id: 'xavier', term: 'Xavier (Glorot) initialisation', definition: 'Random initial weights with spread √(2 / (inputs + outputs)) (Glorot and Bengio, 2010), chosen so that signals keep roughly the same size going forward and backward.', see: ['init', 'he-init'] },
  { id: 'xor', term: 'XOR', definition: 'Exclusive or: 1 when exactly one of two inputs is 1. No single straight line separates its classes, so it needs a hidden layer — the classic first test of backpropagation.' },
];

/** The entry with this id, or undefined. */
export function glossaryEntry(id: string): GlossaryEntry | undefined {
  return GLOSSARY.find((e) => e.id === id);
}
