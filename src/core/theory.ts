/**
 * Signal propagation at initialisation (mean-field theory: Poole et al. 2016, Schoenholz et al. 2017) for the
 * plain MLPs of the spec. With weights of variance σ_w²/fan_in and biases of variance σ_b², the pre-activations
 * z_l of a wide layer are Gaussian with variance q_l, following the length map
 *   q_l = σ_w²·E[φ(√q_{l−1}·z)²] + σ_b²        (z standard normal),
 * and going backward the squared norm of δ_l = ∂L/∂z_l shrinks or grows by
 *   χ_l = σ_w,l²·E[φ′(√q_{l−1}·z)²]            per layer,
 * so gradient norms scale by √χ per layer. Expectations are Gauss–Hermite quadrature (nodes computed here by
 * Newton's method on the normalised Hermite recursion), with a composite Simpson rule for sharp integrands.
 */
import { ACTIVATIONS, type HiddenActivation } from './activations.js';
import { initStd, matchedActivation } from './init.js';
import type { InitName, ModelSpec } from './spec.js';
import { layerSizes } from './spec.js';

/** Gauss–Hermite rule for ∫ e^{−x²} f(x) dx ≈ Σ wᵢ f(xᵢ) (physicists' weight), nodes in decreasing order. */
export interface GaussHermiteRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/** π^(−1/4), the value of the normalised Hermite function h₀. */
const PI_M4 = 0.7511255444649425;

/** Nodes and weights of the n-point Gauss–Hermite rule (exact for polynomials of degree < 2n); n from 1 to 400. */
export function gaussHermite(n: number): GaussHermiteRule {
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new RangeError(`gaussHermite: n must be a whole number from 1 to 400, not ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < half; i++) {
    // Initial guesses for the largest roots first (Numerical Recipes' gauher), then Newton.
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * nodes[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * nodes[1]!;
    else z = 2 * z - nodes[i - 2]!;
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      // Orthonormal Hermite functions: p_{j+1} = z·√(2/(j+1))·p_j − √(j/(j+1))·p_{j−1}.
      let p1 = PI_M4;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      dp = Math.sqrt(2 * n) * p2;
      const step = p1 / dp;
      z -= step;
      if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    if (n % 2 === 1 && i === half - 1) z = 0;
    nodes[i] = z;
    nodes[n - 1 - i] = z === 0 ? 0 : -z;
    weights[i] = 2 / (dp * dp);
    weights[n - 1 - i] = weights[i]!;
  }
  return { nodes, weights };
}

/** Points of the default Gauss–Hermite rule. */
export const GH_POINTS = 96;

/**
 * Above this variance, tanh/sigmoid integrands are too sharp for Gauss–Hermite (their poles near the real axis
 * come closer as √q grows: 96 points give 1e-9 relative error for tanh′² at q = 1, 3e-4 at q = 4) and use Simpson.
 */
export const GH_MAX_Q = 0.5;

/** Half-width of the region where the sharp activations bend (beyond it they are linear or constant up to e^(−30)). */
const SHARP_CORE = 30;

/** Composite Simpson rule for ∫_lo^hi g over `panels` panels (rounded up to even). */
function simpson(g: (x: number) => number, lo: number, hi: number, panels: number): number {
  const n = panels + (panels & 1);
  const h = (hi - lo) / n;
  let sum = g(lo) + g(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * g(lo + i * h);
  return (sum * h) / 3;
}

/** How an expectation over a centred Gaussian is computed. */
export interface ExpectationOptions {
  /** A precomputed Gauss–Hermite rule (default: GH_POINTS points). */
  readonly rule?: GaussHermiteRule;
  /** Whether f is smooth but may be sharp on the Gaussian's scale (tanh, sigmoid): above GH_MAX_Q use Simpson. */
  readonly sharp?: boolean;
  /** Whether f has a kink at 0 that Gauss–Hermite converges on slowly (ELU′ has a corner): Simpson at every q. */
  readonly kinked?: boolean;
}

/** E[f(h)] for h ~ N(0, q) (q = 0: the limit q → 0⁺): Gauss–Hermite, or composite Simpson on ±12√q when `sharp` and q > GH_MAX_Q. */
export function gaussianExpectation(f: (h: number) => number, q: number, opts: ExpectationOptions = {}): number {
  if (!(q >= 0)) throw new RangeError(`gaussianExpectation: variance must be ≥ 0, not ${q}`);
  if (!Number.isFinite(q)) return NaN;
  // q = 0 is taken as the limit q → 0⁺ (so that a step such as ReLU′ averages to ½, not to its value at 0).
  const s = Math.sqrt(Math.max(q, 1e-300));
  if ((opts.sharp && q > GH_MAX_Q) || opts.kinked) {
    const a = 12 * s;
    const g = (x: number) => f(x) * Math.exp((-0.5 * x * x) / q);
    // The bends of these activations lie within |h| ≤ SHARP_CORE: fine panels there; beyond it the integrand is a
    // low-degree polynomial (or constant) times the Gaussian plus exponentially small terms, smooth on the scale √q.
    // A multiple of 4 panels puts 0 between two Simpson pairs, where a kink does no harm.
    if (a <= SHARP_CORE) return simpson(g, -a, a, Math.min(40_000, Math.max(400, 4 * Math.ceil(a / 0.04)))) / (s * Math.sqrt(2 * Math.PI));
    const core = simpson(g, -SHARP_CORE, SHARP_CORE, Math.ceil((2 * SHARP_CORE) / 0.05));
    const outer = Math.max(400, Math.ceil((a - SHARP_CORE) / (s / 100)));
    return (core + simpson(g, -a, -SHARP_CORE, outer) + simpson(g, SHARP_CORE, a, outer)) / (s * Math.sqrt(2 * Math.PI));
  }
  const rule = opts.rule ?? gaussHermite(GH_POINTS);
  let sum = 0;
  for (let i = 0; i < rule.nodes.length; i++) sum += rule.weights[i]! * f(Math.SQRT2 * s * rule.nodes[i]!);
  return sum / Math.sqrt(Math.PI);
}

/** φ′(h) of a hidden activation, from the pre-activation. */
function derivative(act: HiddenActivation): (h: number) => number {
  return ACTIVATIONS[act].derivative;
}

/** Smooth activations whose bend is sharp on the Gaussian's scale once q is large (Simpson above GH_MAX_Q). */
function isSharp(act: HiddenActivation): boolean {
  return act === 'sigmoid' || act === 'tanh' || act === 'gelu' || act === 'silu' || act === 'elu' || act === 'softplus';
}

/** E[φ(√q·z)²]: the mean square of a layer's outputs when its pre-activations have variance q. */
export function meanSquare(act: HiddenActivation, q: number, rule?: GaussHermiteRule): number {
  const v = ACTIVATIONS[act].value;
  return gaussianExpectation((h) => v(h) ** 2, q, { rule, sharp: isSharp(act), kinked: act === 'elu' });
}

/** E[φ′(√q·z)²]: the mean squared slope of a layer whose pre-activations have variance q. */
export function meanSquareSlope(act: HiddenActivation, q: number, rule?: GaussHermiteRule): number {
  const d = derivative(act);
  return gaussianExpectation((h) => d(h) ** 2, q, { rule, sharp: isSharp(act), kinked: act === 'elu' });
}

/** The length map: variance of the next layer's pre-activations, σ_w²·E[φ(√q·z)²] + σ_b². */
export function lengthMap(act: HiddenActivation, sigmaW2: number, sigmaB2: number, q: number, rule?: GaussHermiteRule): number {
  return sigmaW2 * meanSquare(act, q, rule) + sigmaB2;
}

/** χ at a given pre-activation variance q: σ_w²·E[φ′(√q·z)²], the backward factor of ‖δ‖² per layer. */
export function chiAt(act: HiddenActivation, sigmaW2: number, q: number, rule?: GaussHermiteRule): number {
  return sigmaW2 * meanSquareSlope(act, q, rule);
}

/** Where the length map settles: q*, the iterations taken, and whether it converged (else q is the last iterate). */
export interface FixedPoint {
  readonly q: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * The fixed point q* of the length map reached by iterating from q0 (relative tolerance 1e-12, at most maxIter
 * steps). q* may be 0 (e.g. tanh with σ_w² ≤ 1, σ_b = 0, approached only like 1/(2l)) or ∞ (linear, σ_w² > 1).
 * A map still growing after `growingFor` steps stops there (not converged, q the last iterate).
 */
export function fixedPoint(act: HiddenActivation, sigmaW2: number, sigmaB2: number, q0 = 1, maxIter = 10_000, growingFor = Infinity): FixedPoint {
  const rule = gaussHermite(GH_POINTS);
  let q = q0;
  for (let it = 1; it <= maxIter; it++) {
    const next = lengthMap(act, sigmaW2, sigmaB2, q, rule);
    if (!Number.isFinite(next)) return { q: Infinity, iterations: it, converged: false };
    if (it >= growingFor && next > q) return { q: next, iterations: it, converged: false };
    const done = Math.abs(next - q) <= 1e-12 * Math.max(next, 1e-300) || next < 1e-300;
    q = next < 1e-300 ? 0 : next;
    if (done) return { q, iterations: it, converged: true };
  }
  return { q, iterations: maxIter, converged: false };
}

/**
 * Layers after which chi stops following a length map that still grows: the lab's deepest model. ELU and
 * softplus under He initialisation grow q by about a constant per layer forever (their positive half is ReLU's,
 * their negative half adds a little), so their χ is the one at that depth (it creeps towards σ_w²/2 like 1/√q).
 */
export const CHI_MAX_LAYERS = 200;

/**
 * χ = σ_w²·E[φ′(√q*·z)²] at the fixed point reached from q0 (see fixedPoint), or at q after CHI_MAX_LAYERS layers
 * when the map still grows there: < 1 vanishing, > 1 exploding.
 */
export function chi(act: HiddenActivation, sigmaW2: number, sigmaB2 = 0, q0 = 1): number {
  const fp = fixedPoint(act, sigmaW2, sigmaB2, q0, 10_000, CHI_MAX_LAYERS);
  if (!Number.isFinite(fp.q)) {
    // Only homogeneous maps diverge; their slope statistics do not depend on q.
    return chiAt(act, sigmaW2, 1);
  }
  return chiAt(act, sigmaW2, fp.q);
}

/**
 * Effective σ_w² = fan_in·Var(W) of a scheme (initStd² · gain² · fan_in): classic N(0,1) gives fan_in (it grows with
 * width), lecun 1, xavier 2·fan_in/(fan_in+fan_out), he 2. Orthogonal matrices are not Gaussian; they are matched by
 * their second moment, gain²·min(1, fan_in/fan_out) (an approximation; square orthogonal layers preserve norms exactly).
 */
export function sigmaW2For(init: InitName, gain: number, fanIn: number, fanOut: number, inputActivation?: HiddenActivation): number {
  if (init === 'orthogonal') return gain * gain * Math.min(1, fanIn / fanOut);
  const std = initStd(init, fanIn, fanOut, inputActivation);
  return gain * gain * std * std * fanIn;
}

/** Mean-field state of one weight layer l (z_l = a_l·W_l + b_l) at initialisation. */
export interface LayerTheory {
  /** Weight layer index, 0 = the input layer. */
  readonly layer: number;
  /** fan_in·Var(W_l). */
  readonly sigmaW2: number;
  /** Mean square of the layer's input entries a_l (the data's for l = 0). */
  readonly inputMeanSquare: number;
  /** Variance q_l of the layer's pre-activations z_l. */
  readonly q: number;
  /**
   * Backward factor of ‖δ‖² from this layer to the one below: ‖δ_{l−1}‖² ≈ chi·‖δ_l‖², chi = σ_w,l²·E[φ′_{l−1}(√q_{l−1}·z)²];
   * 1 for layer 0 (nothing below it).
   */
  readonly chi: number;
}

/**
 * Mean-field pass through a model at initialisation: per weight layer its σ_w², input mean square, pre-activation
 * variance and backward factor χ. inputMeanSquare is the mean of x² over the data's entries; sigmaB2 is 0 for
 * this project's initialisation (biases start at zero).
 */
export function signalPropagation(model: ModelSpec, inputMeanSquare = 1, sigmaB2 = 0): LayerTheory[] {
  const sizes = layerSizes(model);
  const rule = gaussHermite(GH_POINTS);
  const out: LayerTheory[] = [];
  let m = inputMeanSquare;
  let prevQ = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const sigmaW2 = sigmaW2For(model.init, model.gain, sizes[l]!, sizes[l + 1]!, matchedActivation(model, l));
    if (l > 0) m = meanSquare(model.activations[l - 1]!, prevQ, rule);
    const q = sigmaW2 * m + sigmaB2;
    const c = l === 0 ? 1 : chiAt(model.activations[l - 1]!, sigmaW2, prevQ, rule);
    out.push({ layer: l, sigmaW2, inputMeanSquare: m, q, chi: c });
    prevQ = q;
  }
  return out;
}

/**
 * Predicted ‖∂L/∂W_l‖_F for every layer, anchored at the measured output layer's norm. Per input row ∂L/∂W_l = a_lᵀδ_l,
 * so ‖∂L/∂W_l‖ ≈ √(n_l·E[a_l²])·‖δ_l‖ with ‖δ_{l−1}‖ = √χ_l·‖δ_l‖: the profile is the output norm times the products
 * of √χ and the ratio of input norms. This ignores cross-row terms of a batch (see the tests for how well it holds).
 */
export function predictedGradProfile(model: ModelSpec, outputLayerNorm: number, inputMeanSquare = 1, sigmaB2 = 0): number[] {
  const sizes = layerSizes(model);
  const layers = signalPropagation(model, inputMeanSquare, sigmaB2);
  const L = layers.length;
  const inputNorm = (l: number) => Math.sqrt(sizes[l]! * layers[l]!.inputMeanSquare);
  const out = new Array<number>(L);
  let delta = 1; // ‖δ_l‖ relative to ‖δ_{L−1}‖
  for (let l = L - 1; l >= 0; l--) {
    if (l < L - 1) delta *= Math.sqrt(layers[l + 1]!.chi);
    out[l] = (outputLayerNorm * delta * inputNorm(l)) / inputNorm(L - 1);
  }
  return out;
}

/** Mean of x² over all entries of a data matrix (the q0 scale of the input layer). */
export function dataMeanSquare(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length ? s / x.length : 0;
}
