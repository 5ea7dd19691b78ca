/**
 * Links from the lessons into the lab app (index.html): a lab spec built from the default comparison with a few
 * changes, written with the lab's own URL codec so that the lab restores it exactly.
 */
import { sgdLab, type ControlName, type LabSpec, type RunSpec } from '../../core/lab-spec.js';
import { encodeLab } from '../../core/url-codec.js';

/** Changes to the default lab; runs given as partial specs fill in gain 1 and the shared learning rate. */
export interface LabLinkPatch extends Partial<Omit<LabSpec, 'runs'>> {
  readonly runs?: readonly (Pick<RunSpec, 'activation' | 'init'> & Partial<RunSpec>)[];
}

/** The lab spec of a patch. */
export function labFor(patch: LabLinkPatch): LabSpec {
  // The lessons' experiments are written for plain SGD at 0.1 (the lab's own default is Adam at 0.003).
  const base = sgdLab();
  const runs = patch.runs?.map((r) => ({ gain: 1, lr: null, ...r })) ?? base.runs;
  return { ...base, ...patch, runs };
}

/** A relative URL of the lab page set up for this experiment. */
export function labLink(patch: LabLinkPatch): string {
  return `./index.html?${encodeLab(labFor(patch)).toString()}`;
}

/** Controls a lesson link hides so that the student looks at what matters. */
export const LESSON_HIDE: readonly ControlName[] = ['csv', 'export', 'weights', 'dtype', 'logEvery', 'seeds'];

/** The experiments the lessons link to, by name. */
export const LAB_EXPERIMENTS = {
  /** The headline: 20 sigmoid layers (Xavier) vs 20 ReLU layers (He). */
  sigmoidVsRelu: { hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** Ten sigmoid layers: about a millionth (0.25¹⁰) at best. */
  tenSigmoid: { depth: 10, runs: [{ activation: 'sigmoid', init: 'xavier' }, { activation: 'relu', init: 'he' }], hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** Sigmoid with the classic std-1 init vs Xavier: saturation. */
  sigmoidInit: { runs: [{ activation: 'sigmoid', init: 'classic' }, { activation: 'sigmoid', init: 'xavier' }], hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** ReLU with He init vs Xavier init vs He at gain 2: vanishing, healthy, exploding. */
  reluInit: {
    runs: [{ activation: 'relu', init: 'xavier' }, { activation: 'relu', init: 'he' }, { activation: 'relu', init: 'he', gain: 2 }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** Sigmoid vs tanh vs ReLU. */
  threeActivations: {
    runs: [{ activation: 'sigmoid', init: 'xavier' }, { activation: 'tanh', init: 'xavier' }, { activation: 'relu', init: 'he' }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** A larger learning rate for the sigmoid stack: the last layers jump, the first still crawl. */
  sigmoidLr: {
    runs: [{ activation: 'sigmoid', init: 'xavier' }, { activation: 'sigmoid', init: 'xavier', lr: 2 }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** ReLU vs leaky ReLU: dead units. */
  leaky: { runs: [{ activation: 'relu', init: 'he' }, { activation: 'leaky_relu', init: 'he' }], hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** Sigmoid with the classic std-1 init, without and with batch norm, on the circle (the fix-batchnorm preset). */
  batchNorm: {
    dataset: 'circle',
    runs: [{ activation: 'sigmoid', init: 'classic' }, { activation: 'sigmoid', init: 'classic', norm: 'batch' }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** Sigmoid with the classic init, without and with a residual connection every 3 layers (the fix-residual preset). */
  residual: {
    dataset: 'circle',
    runs: [{ activation: 'sigmoid', init: 'classic' }, { activation: 'sigmoid', init: 'classic', residual: 3 }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** A deep linear stack at gain 1.6 explodes; the same clipped to a global gradient norm of 1 stays finite. */
  exploding: {
    dataset: 'circle',
    lr: 0.05,
    runs: [{ activation: 'linear', init: 'xavier', gain: 1.6 }, { activation: 'linear', init: 'xavier', gain: 1.6, clip: { kind: 'norm', max: 1 } }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** Question 1: on XOR a deep linear network stays a straight-line rule however deep; the same depth with tanh learns it. */
  linearXor: { dataset: 'xor', depth: 10, width: 8, runs: [{ activation: 'linear', init: 'xavier' }, { activation: 'tanh', init: 'xavier' }], hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** Question 3: one network at a learning rate too small, about right and too large. */
  learningRates: {
    dataset: 'circle',
    depth: 3,
    width: 16,
    runs: [{ activation: 'relu', init: 'he', lr: 0.001 }, { activation: 'relu', init: 'he', lr: 0.3 }, { activation: 'relu', init: 'he', lr: 30 }],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** Question 5: the same sigmoid stack trained by SGD, momentum, RMSProp and Adam. */
  optimizers: {
    dataset: 'circle',
    depth: 6,
    width: 16,
    runs: [
      { activation: 'sigmoid', init: 'xavier' },
      { activation: 'sigmoid', init: 'xavier', optimizer: 'momentum' },
      { activation: 'sigmoid', init: 'xavier', optimizer: 'rmsprop', lr: 0.003 },
      { activation: 'sigmoid', init: 'xavier', optimizer: 'adam', lr: 0.003 },
    ],
    hide: LESSON_HIDE,
  } satisfies LabLinkPatch,
  /** Deep networks: ReLU with He (Gaussian) vs orthogonal initialisation at He's gain √2. */
  orthogonal: { runs: [{ activation: 'relu', init: 'he' }, { activation: 'relu', init: 'orthogonal', gain: Math.SQRT2 }], hide: LESSON_HIDE } satisfies LabLinkPatch,
  /** A shallow network: three sigmoid layers train fine. */
  shallowSigmoid: { depth: 3, runs: [{ activation: 'sigmoid', init: 'xavier' }, { activation: 'relu', init: 'he' }], hide: LESSON_HIDE } satisfies LabLinkPatch,
} as const;

/** Names of the prepared lab experiments. */
export type LabExperiment = keyof typeof LAB_EXPERIMENTS;
