/** Lesson 2's timeline: the ideas that made deep networks trainable, with who and when. */

/** One event of the timeline. */
export interface HistoryEvent {
  /** Year or span, as printed. */
  readonly when: string;
  readonly title: string;
  /** Who, and where it appeared. */
  readonly who: string;
  /** What it means for this course, in two or three plain sentences. */
  readonly text: string;
  /** Glossary id the event is about, if any. */
  readonly term?: string;
}

/** The timeline, oldest first. */
export const HISTORY: readonly HistoryEvent[] = [
  {
    when: '1676 – 1970',
    title: 'The chain rule, and computing it backwards',
    who: 'Leibniz (chain rule); Seppo Linnainmaa, master\'s thesis, 1970 (reverse-mode automatic differentiation)',
    text: 'The chain rule is old calculus. Linnainmaa showed how to get the derivatives of a long computation with respect to all its inputs in one backward sweep, at about the cost of the computation itself. Paul Werbos proposed using it to train neural networks in his 1974 PhD thesis.',
    term: 'chain-rule',
  },
  {
    when: '1986',
    title: 'Backpropagation becomes famous',
    who: 'David Rumelhart, Geoffrey Hinton, Ronald Williams — "Learning representations by back-propagating errors", Nature 323',
    text: 'A four-page letter showing that hidden units trained by backpropagation learn useful inner features of their own — for example, of family trees and of mirror symmetry. The same idea had been described before (Werbos 1974, Parker 1985, Le Cun 1985); this paper made it widely known.',
    term: 'backpropagation',
  },
  {
    when: '1986',
    title: 'XOR, solved by a hidden layer',
    who: 'The same authors — "Learning internal representations by error propagation", chapter 8 of Parallel Distributed Processing, volume 1 (MIT Press)',
    text: 'The long chapter of the same year works through XOR, parity, the encoder problem and more: a network with a hidden layer, trained by backpropagation, learns XOR, which no single-layer network can represent. This is the network of lesson 4.',
    term: 'xor',
  },
  {
    when: '1991, 1994',
    title: 'The vanishing gradient is found',
    who: 'Sepp Hochreiter, diploma thesis, 1991; Yoshua Bengio, Patrice Simard, Paolo Frasconi, IEEE Transactions on Neural Networks, 1994',
    text: 'Hochreiter analysed why error signals shrink (or blow up) exponentially as they travel back through many layers or many time steps. Bengio and colleagues showed that learning long-range dependencies with gradient descent is hard for this reason.',
    term: 'vanishing-gradient',
  },
  {
    when: '1997',
    title: 'LSTM',
    who: 'Sepp Hochreiter and Jürgen Schmidhuber, Neural Computation',
    text: 'Long short-term memory networks carry information through a cell whose self-connection has weight 1, so the error signal can flow back across many time steps without vanishing.',
  },
  {
    when: '2010',
    title: 'Xavier (Glorot) initialisation',
    who: 'Xavier Glorot and Yoshua Bengio, "Understanding the difficulty of training deep feedforward neural networks", AISTATS',
    text: 'They measured activations and gradients layer by layer in deep networks, saw sigmoid layers saturate, and proposed scaling the random initial weights so that signals keep their size going forward and backward.',
    term: 'xavier',
  },
  {
    when: '2010 – 2011',
    title: 'ReLU',
    who: 'Vinod Nair and Geoffrey Hinton, ICML 2010; Xavier Glorot, Antoine Bordes, Yoshua Bengio, "Deep sparse rectifier neural networks", AISTATS 2011',
    text: 'The rectifier max(0, z) has slope exactly 1 where it is active, so it does not shrink the gradient there. Deep ReLU networks trained well without any special pre-training.',
    term: 'relu',
  },
  {
    when: '2015',
    title: 'He initialisation',
    who: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun, "Delving deep into rectifiers"',
    text: 'ReLU zeroes about half of its inputs, which halves the signal\'s power at every layer. He initialisation makes up for it with weight variance 2/fan-in: twice LeCun\'s 1/fan-in (and twice Xavier\'s 2/(fan-in + fan-out) when fan-in equals fan-out), so the spread (standard deviation) is √2 ≈ 1.41 times larger, not twice. With it, very deep ReLU networks start training.',
    term: 'he-init',
  },
  {
    when: '2015',
    title: 'Batch normalisation',
    who: 'Sergey Ioffe and Christian Szegedy, ICML',
    text: 'Normalising each layer\'s values over the mini-batch keeps them in a healthy range during training, allows larger learning rates and makes deep networks much less sensitive to initialisation.',
    term: 'batch-norm',
  },
  {
    when: '2015',
    title: 'Residual networks',
    who: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun, "Deep residual learning for image recognition" (CVPR 2016)',
    text: 'Shortcuts that add a block\'s input to its output give the gradient a path back that does not shrink. Networks with over a hundred layers won the ImageNet competition.',
    term: 'residual',
  },
  {
    when: '2009 – today',
    title: 'The GPU era',
    who: 'Rajat Raina, Anand Madhavan, Andrew Ng (2009); Alex Krizhevsky, Ilya Sutskever, Geoffrey Hinton, AlexNet (2012)',
    text: 'Graphics processors made the huge matrix products of training tens of times faster. AlexNet, trained on two GPUs, won ImageNet 2012 by a wide margin and started the deep-learning boom. This lab trains on your GPU too, through WebGPU.',
    term: 'gpu',
  },
];
