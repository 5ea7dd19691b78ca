/**
 * Inside one step of a plain MLP, in f64 and unit by unit: the forward pass (z and a of every unit and row), the
 * loss, the backward pass (∂L/∂a, ∂L/∂z of every unit and row, ∂L/∂W and ∂L/∂b of every weight), and the plain
 * gradient step — the numbers the trainer computes in its tensors, recomputed from a parameter snapshot and the
 * batch so that the page can show each one. Pure functions: no DOM, no backend.
 */
import { ACTIVATIONS, type HiddenActivation, type OutputActivation } from './activations.js';
import type { Parameters } from './init.js';
import { lossValue, outputGradient, type LossName } from './losses.js';
import { NumpyRandom, type RngState } from './rng.js';
import { layerSizes, type ClipSpec, type ModelSpec } from './spec.js';

/** What the inspector needs of a model: layer sizes, activations and loss. */
export interface InspectModel {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  /** Activation of each hidden layer. */
  readonly activations: readonly HiddenActivation[];
  readonly outputActivation: OutputActivation;
  readonly loss: LossName;
}

/** The inspector's model of a spec, or a sentence saying why it cannot inspect it (normalisation, residual connections). */
export function inspectModel(m: ModelSpec): InspectModel | string {
  if ((m.norm ?? 'none') !== 'none') return `${m.norm} normalisation is not drawn unit by unit (only plain networks are)`;
  if ((m.residual ?? 0) > 0) return 'residual connections are not drawn unit by unit (only plain networks are)';
  return { sizes: layerSizes(m), activations: m.activations, outputActivation: m.outputActivation, loss: m.loss };
}

/** One weight layer l (0 = input side) on a batch: rows × width arrays, row-major. */
export interface LayerTrace {
  /** Pre-activations z = a_prev · W + b. */
  readonly z: Float64Array;
  /** Activations a = φ(z). */
  readonly a: Float64Array;
  /** φ′(z) per entry (1 for the output layer, whose ∂L/∂z is fused with the loss). */
  readonly slope: Float64Array;
  /** ∂L/∂a (hidden layers; for the output layer, ∂L/∂z, the loss gradient fused with its activation). */
  readonly dA: Float64Array;
  /** ∂L/∂z = ∂L/∂a ⊙ φ′(z). */
  readonly dZ: Float64Array;
  /** ∂L/∂W = a_prevᵀ · ∂L/∂z, fan_in × fan_out row-major. */
  readonly dW: Float64Array;
  /** ∂L/∂b = Σ_rows ∂L/∂z. */
  readonly dB: Float64Array;
}

/** Forward and backward pass of one batch. */
export interface BatchTrace {
  readonly rows: number;
  /** Input rows (rows × sizes[0]). */
  readonly x: Float64Array;
  /** Targets (rows × outputDim). */
  readonly y: Float64Array;
  readonly layers: readonly LayerTrace[];
  /** Loss of the batch. */
  readonly loss: number;
}

/** Rows of `data` picked by `rows` (all of them when null), as one array. */
export function gatherRows(data: Float64Array, cols: number, rows: ArrayLike<number> | null): Float64Array {
  if (!rows) return data.slice();
  const out = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i]! * cols, (rows[i]! + 1) * cols), i * cols);
  return out;
}

function softmaxRows(z: Float64Array, rows: number, k: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[r * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += out[r * k + j] = Math.exp(z[r * k + j]! - max);
    for (let j = 0; j < k; j++) out[r * k + j]! /= s;
  }
}

/**
 * Forward and backward pass of `model` with parameters `p` on the batch x (rows × inputDim), y (rows × outputDim),
 * in f64 — what one training step computes before its update.
 */
export function traceBatch(model: InspectModel, p: Parameters, x: Float64Array, y: Float64Array, rows: number): BatchTrace {
  const sizes = model.sizes;
  const L = sizes.length - 1;
  if (x.length !== rows * sizes[0]!) throw new RangeError(`x: expected ${rows}×${sizes[0]} = ${rows * sizes[0]!} values, got ${x.length}`);
  if (y.length !== rows * sizes[L]!) throw new RangeError(`y: expected ${rows}×${sizes[L]} = ${rows * sizes[L]!} values, got ${y.length}`);
  if (p.weights.length !== L || p.biases.length !== L) throw new RangeError(`parameters: expected ${L} weight layers, got ${p.weights.length}`);
  const zs: Float64Array[] = [];
  const as: Float64Array[] = [];
  let prev = x;
  for (let l = 0; l < L; l++) {
    const n = sizes[l]!;
    const m = sizes[l + 1]!;
    const W = p.weights[l]!;
    const b = p.biases[l]!;
    if (W.length !== n * m) throw new RangeError(`parameters: weights[${l}] should hold ${n}×${m} = ${n * m} values, got ${W.length}`);
    const z = new Float64Array(rows * m);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += prev[r * n + i]! * W[i * m + j]!;
        z[r * m + j] = s + b[j]!;
      }
    }
    const a = new Float64Array(rows * m);
    if (l === L - 1 && model.outputActivation === 'softmax') softmaxRows(z, rows, m, a);
    else {
      const act = ACTIVATIONS[l === L - 1 ? (model.outputActivation as Exclude<OutputActivation, 'softmax'>) : model.activations[l]!];
      for (let k = 0; k < z.length; k++) a[k] = act.value(z[k]!);
    }
    zs.push(z);
    as.push(a);
    prev = a;
  }
  const K = sizes[L]!;
  const loss = lossValue(model.loss, as[L - 1]!, y, rows, K);
  const layers: LayerTrace[] = new Array(L);
  let dZ = new Float64Array(rows * K);
  outputGradient(model.loss, model.outputActivation, as[L - 1]!, y, rows, K, dZ);
  let dA = dZ;
  let slope = new Float64Array(rows * K).fill(1);
  for (let l = L - 1; l >= 0; l--) {
    const n = sizes[l]!;
    const m = sizes[l + 1]!;
    const below = l === 0 ? x : as[l - 1]!;
    const dW = new Float64Array(n * m);
    const dB = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) {
        const d = dZ[r * m + j]!;
        dB[j]! += d;
        for (let i = 0; i < n; i++) dW[i * m + j]! += below[r * n + i]! * d;
      }
    }
    layers[l] = { z: zs[l]!, a: as[l]!, slope, dA, dZ, dW, dB };
    if (l === 0) break;
    const W = p.weights[l]!;
    const nextDA = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += dZ[r * m + j]! * W[i * m + j]!;
        nextDA[r * n + i] = s;
      }
    }
    const act = ACTIVATIONS[model.activations[l - 1]!];
    const a = as[l - 1]!;
    const z = zs[l - 1]!;
    slope = new Float64Array(rows * n);
    const nextDZ = new Float64Array(rows * n);
    // φ′ as the trainer takes it: through the output where it determines the slope, else through z (GELU, SiLU).
    const fromOutput = act.derivativeFromOutput;
    for (let k = 0; k < nextDZ.length; k++) {
      slope[k] = fromOutput ? fromOutput(a[k]!) : act.derivative(z[k]!);
      nextDZ[k] = nextDA[k]! * slope[k]!;
    }
    dA = nextDA;
    dZ = nextDZ;
  }
  return { rows, x, y, layers, loss };
}

/** The global L2 norm of every ∂L/∂W and ∂L/∂b of a trace (in update order: weights, then biases). */
export function gradientNorm(t: BatchTrace): number {
  let s = 0;
  for (const l of t.layers) for (const g of [l.dW, l.dB]) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/** The gradients a plain step applies after clipping (a copy), and the clip factor (norm) or share clipped (value). */
export function clippedGradients(t: BatchTrace, clip?: ClipSpec): { weights: Float64Array[]; biases: Float64Array[]; norm: number; factor: number } {
  const weights = t.layers.map((l) => l.dW.slice());
  const biases = t.layers.map((l) => l.dB.slice());
  const norm = gradientNorm(t);
  if (!clip) return { weights, biases, norm, factor: 1 };
  const all = [...weights, ...biases];
  if (clip.kind === 'norm') {
    if (!(norm > clip.max) || !Number.isFinite(norm)) return { weights, biases, norm, factor: 1 };
    const f = clip.max / norm;
    for (const g of all) for (let i = 0; i < g.length; i++) g[i]! *= f;
    return { weights, biases, norm, factor: f };
  }
  let clipped = 0;
  let count = 0;
  for (const g of all) {
    count += g.length;
    for (let i = 0; i < g.length; i++) {
      if (g[i]! > clip.max || g[i]! < -clip.max) {
        g[i] = Math.sign(g[i]!) * clip.max;
        clipped++;
      }
    }
  }
  return { weights, biases, norm, factor: count ? clipped / count : 0 };
}

/** Parameters after one plain gradient step θ − lr·g (g clipped as `clip` says), as SGD takes it. */
export function sgdStep(p: Parameters, t: BatchTrace, lr: number, clip?: ClipSpec): Parameters {
  const g = clippedGradients(t, clip);
  const step = (theta: Float64Array, grad: Float64Array) => theta.map((v, i) => v - lr * grad[i]!);
  return { weights: p.weights.map((w, l) => step(w, g.weights[l]!)), biases: p.biases.map((b, l) => step(b, g.biases[l]!)) };
}

/** Mean of |v| over the rows of column j of a rows × cols array. */
export function columnMeanAbs(v: Float64Array, rows: number, cols: number, j: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += Math.abs(v[r * cols + j]!);
  return rows ? s / rows : 0;
}

/** Euclidean norm of an array (for the Frobenius norm of a flattened matrix; no spread, so any length). */
export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** Root mean square of an array (0 when empty). */
export function rms(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return v.length ? Math.sqrt(s / v.length) : 0;
}

/** Mean of an array (0 when empty). */
export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : 0;
}

/** Per unit of every layer: mean |a| over the batch and the share of the batch where it is saturated or dead. */
export interface UnitStats {
  /** meanAbs[l][j]: mean |a| of unit j of weight layer l (l = −1 is not included: inputs are the data). */
  readonly meanAbs: Float64Array[];
  /** saturated[l][j]: share of rows where unit j is saturated (sigmoid/tanh) or dead (ReLU); 0 where the notion does not apply. */
  readonly saturated: Float64Array[];
}

/** Unit statistics of a trace. */
export function unitStats(model: InspectModel, t: BatchTrace): UnitStats {
  const L = model.sizes.length - 1;
  const meanAbs: Float64Array[] = [];
  const saturated: Float64Array[] = [];
  t.layers.forEach((layer, l) => {
    const m = model.sizes[l + 1]!;
    const test = l < L - 1 ? ACTIVATIONS[model.activations[l]!].saturated : null;
    const ma = new Float64Array(m);
    const sat = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      ma[j] = columnMeanAbs(layer.a, t.rows, m, j);
      if (!test) continue;
      let c = 0;
      for (let r = 0; r < t.rows; r++) if (test(layer.a[r * m + j]!)) c++;
      sat[j] = t.rows ? c / t.rows : 0;
    }
    meanAbs.push(ma);
    saturated.push(sat);
  });
  return { meanAbs, saturated };
}

/**
 * One factor of the chain from the output down to layer l: rms ∂L/∂z of layer l, the mean φ′(z) of its units, and the
 * ratio to the layer above (rms ∂L/∂z_l / rms ∂L/∂z_{l+1}), which backprop multiplies in at each layer.
 */
export interface ChainFactor {
  readonly layer: number;
  readonly rmsDz: number;
  readonly meanSlope: number;
  /** rms ∂L/∂z_l / rms ∂L/∂z_{l+1} (1 for the output layer). */
  readonly ratio: number;
  /** rms ∂L/∂z_l / rms ∂L/∂z of the output layer: the product of the ratios so far. */
  readonly product: number;
}

/** The chain factors of every layer, output first, down to layer 0. */
export function chainFactors(t: BatchTrace): ChainFactor[] {
  const L = t.layers.length;
  const out: ChainFactor[] = [];
  const top = rms(t.layers[L - 1]!.dZ);
  let above = top;
  for (let l = L - 1; l >= 0; l--) {
    const layer = t.layers[l]!;
    const r = rms(layer.dZ);
    out.push({ layer: l, rmsDz: r, meanSlope: mean(layer.slope), ratio: l === L - 1 ? 1 : above > 0 ? r / above : 0, product: top > 0 ? r / top : 0 });
    above = r;
  }
  return out;
}

/** Evenly spread row indices: all n when n ≤ max, else max of them. */
export function subsampleRows(n: number, max: number): Uint32Array {
  const k = Math.min(n, Math.max(1, max));
  return Uint32Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

/**
 * The rows of the next mini-batch a trainer draws from its batch order state (generator, current permutation and
 * position, as in TrainerState): a fresh permutation of the n rows each time the current one runs out.
 */
export function nextBatchRows(state: { readonly batchRng: RngState; readonly order: Uint32Array; readonly orderPos: number }, n: number, rows: number): Uint32Array {
  const rng = new NumpyRandom(0);
  rng.setState(state.batchRng);
  let order = state.order;
  let pos = state.orderPos;
  const out = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (pos >= order.length) {
      order = rng.permutation(n);
      pos = 0;
    }
    out[i] = order[pos++]!;
  }
  return out;
}
