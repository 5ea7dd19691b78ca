/**
 * Weight initialisation. Weights of layer l form a fan_in × fan_out matrix (as in z = x·W), drawn in layer
 * order from one generator seeded with the model's init seed, each filled row by row — so `classic` with
 * seed s gives exactly NumPy's `np.random.seed(s); W1 = randn(n_in, n_h); W2 = randn(n_h, n_out); …`.
 * Biases start at zero, or are drawn N(0, σ_b²) after all the weights from the same generator (`biasStd`), so
 * that the weights do not depend on σ_b. Normalised hidden layers also get a scale γ, starting at 1.
 */
import type { HiddenActivation } from './activations.js';
import { NumpyRandom } from './rng.js';
import type { InitName, ModelSpec } from './spec.js';
import { layerSizes } from './spec.js';

/**
 * The init matched to a layer whose inputs come from `act` (used by the scheme `matched` and for new runs): He
 * (σ_w² = 2) for the ReLU family and its smooth relatives ELU, GELU, SiLU and softplus, whose positive half is
 * ReLU's; Xavier for sigmoid, tanh and linear. Mean-field χ (theory.ts chi, σ_b = 0, from q = 1; Xavier on a square
 * layer is σ_w² = 1) decides it: GELU 0.50 with He vs 0.25 with Xavier (0.91 vs 0.46 at q = 1), SiLU 0.50 vs 0.25,
 * softplus 0.90 vs 0.29 (with Xavier it vanishes like a sigmoid stack), ELU 1.03 vs 1.00 (both near 1; He keeps
 * the forward signal from dying out, as for ReLU). tests/unit/activations.test.ts checks these figures.
 */
export function matchedInit(act: HiddenActivation): Exclude<InitName, 'matched'> {
  return act === 'sigmoid' || act === 'tanh' || act === 'linear' ? 'xavier' : 'he';
}

/**
 * The activation a weight layer's `matched` init follows: that of the layer's inputs (hidden activation l − 1 for
 * weight layer l), since its input mean square and χ depend on it; the first layer (its inputs are the data)
 * follows its own activation, as He initialisation of a ReLU stack does; no hidden layers: linear.
 */
export function matchedActivation(model: Pick<ModelSpec, 'activations'>, layer: number): HiddenActivation {
  return model.activations[Math.max(0, layer - 1)] ?? 'linear';
}

/** Standard deviation of each scheme for a fan_in × fan_out layer, before the gain (`matched`: for inputs from `inputActivation`). */
export function initStd(init: InitName, fanIn: number, fanOut: number, inputActivation: HiddenActivation = 'linear'): number {
  switch (init) {
    case 'matched':
      return initStd(matchedInit(inputActivation), fanIn, fanOut);
    case 'classic':
    case 'orthogonal':
      return 1;
    case 'lecun':
      return Math.sqrt(1 / fanIn);
    case 'xavier':
    case 'xavier_uniform':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'he':
      return Math.sqrt(2 / fanIn);
  }
}

/**
 * Parameters of a model: weights[l] is fan_in × fan_out row-major, biases[l] has fan_out entries (the shift β of a
 * normalised layer). With normalisation, gammas[l] is the scale γ of hidden layer l (one per hidden layer); with
 * batch norm, runningMean[l] and runningVar[l] are its running statistics (state used for evaluation, not trained).
 */
export interface Parameters {
  readonly weights: Float64Array[];
  readonly biases: Float64Array[];
  readonly gammas?: Float64Array[];
  readonly runningMean?: Float64Array[];
  readonly runningVar?: Float64Array[];
}

/** Draw the initial parameters of a model. */
export function initParameters(model: ModelSpec): Parameters {
  const rng = new NumpyRandom(model.initSeed);
  const sizes = layerSizes(model);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    weights.push(drawWeights(model.init, fanIn, fanOut, model.gain, rng, matchedActivation(model, l)));
    biases.push(new Float64Array(fanOut));
  }
  const biasStd = model.biasStd ?? 0;
  if (biasStd > 0) {
    for (const b of biases) {
      const draw = rng.randn(b.length);
      for (let i = 0; i < b.length; i++) b[i] = biasStd * draw[i]!;
    }
  }
  const norm = model.norm ?? 'none';
  if (norm === 'none') return { weights, biases };
  const gammas = model.hidden.map((w) => new Float64Array(w).fill(1));
  if (norm === 'layer') return { weights, biases, gammas };
  return { weights, biases, gammas, runningMean: model.hidden.map((w) => new Float64Array(w)), runningVar: model.hidden.map((w) => new Float64Array(w).fill(1)) };
}

/** Draw one fan_in × fan_out weight matrix. */
export function drawWeights(init: InitName, fanIn: number, fanOut: number, gain: number, rng: NumpyRandom, inputActivation: HiddenActivation = 'linear'): Float64Array {
  if (init === 'matched') return drawWeights(matchedInit(inputActivation), fanIn, fanOut, gain, rng);
  const n = fanIn * fanOut;
  if (init === 'xavier_uniform') {
    const a = gain * Math.sqrt(3) * initStd(init, fanIn, fanOut);
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = rng.uniform(-a, a);
    return w;
  }
  if (init === 'orthogonal') return orthogonal(fanIn, fanOut, gain, rng);
  const w = rng.randn(n);
  const s = gain * initStd(init, fanIn, fanOut);
  if (s !== 1) for (let i = 0; i < n; i++) w[i]! *= s;
  return w;
}

/**
 * A fan_in × fan_out matrix with orthonormal columns (fan_in ≥ fan_out) or rows (fan_in < fan_out), times the gain:
 * QR of a standard normal matrix with the signs of R's diagonal folded into Q (as Saxe et al. and PyTorch do).
 */
export function orthogonal(fanIn: number, fanOut: number, gain: number, rng: NumpyRandom): Float64Array {
  const tall = fanIn >= fanOut;
  const rows = tall ? fanIn : fanOut;
  const cols = tall ? fanOut : fanIn;
  const a = rng.randn(rows * cols); // rows × cols, row-major
  // Modified Gram–Schmidt on the columns of a (twice, for numerical orthogonality).
  for (let j = 0; j < cols; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += a[i * cols + p]! * a[i * cols + j]!;
        for (let i = 0; i < rows; i++) a[i * cols + j]! -= dot * a[i * cols + p]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += a[i * cols + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < rows; i++) a[i * cols + j]! /= norm;
  }
  const w = new Float64Array(fanIn * fanOut);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = gain * a[i * cols + j]!;
      if (tall) w[i * fanOut + j] = v;
      else w[j * fanOut + i] = v;
    }
  }
  return w;
}
