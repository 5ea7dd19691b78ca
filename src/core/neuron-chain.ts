/**
 * The chain rule of one unit on one batch, as lesson 3 writes it for a single neuron: ∂L/∂a_j from the layer above
 * (its largest terms δ_k·W_jk), φ′(z_j), ∂L/∂z_j = ∂L/∂a_j·φ′(z_j), and ∂L/∂w_ij = Σ_rows a_i·∂L/∂z_j for its largest
 * incoming weights — the numbers of one row and the sums over the batch. Pure, from a BatchTrace.
 */
import type { Parameters } from './init.js';
import type { BatchTrace } from './inspect.js';

/** One term δ_k·W_jk of ∂L/∂a_j (row `row`). */
export interface AboveTerm {
  readonly unit: number;
  readonly delta: number;
  readonly weight: number;
  readonly product: number;
}

/** One incoming weight w_ij of the unit and its gradient. */
export interface IncomingWeight {
  readonly from: number;
  /** a_i of row `row` (x_i for the first layer). */
  readonly input: number;
  readonly weight: number;
  /** a_i·∂L/∂z_j of row `row`: that row's share of ∂L/∂w_ij. */
  readonly rowTerm: number;
  /** ∂L/∂w_ij, summed over the batch. */
  readonly grad: number;
}

/** The chain of unit `unit` of node layer `layer` (1 … L) on row `row`. */
export interface NeuronChain {
  readonly layer: number;
  readonly unit: number;
  readonly row: number;
  readonly rows: number;
  /** Whether this is an output unit (∂L/∂z comes from the loss directly). */
  readonly output: boolean;
  readonly z: number;
  readonly a: number;
  readonly slope: number;
  /** ∂L/∂a_j of the row (hidden units); for output units ∂L/∂z_j. */
  readonly dA: number;
  readonly dZ: number;
  /** The largest terms of ∂L/∂a_j = Σ_k δ_k·W_jk (empty for output units), and how many terms there are. */
  readonly above: readonly AboveTerm[];
  readonly aboveCount: number;
  /** The incoming weights with the largest |∂L/∂w_ij|, and how many there are. */
  readonly weights: readonly IncomingWeight[];
  readonly weightCount: number;
  /** ∂L/∂b_j (summed over the batch). */
  readonly biasGrad: number;
  /** Over the batch: mean |∂L/∂z_j| and mean φ′(z_j). */
  readonly meanAbsDz: number;
  readonly meanSlope: number;
}

/** The chain of one unit (layer ≥ 1), its `top` largest terms above and incoming weights. */
export function neuronChain(sizes: readonly number[], p: Parameters, t: BatchTrace, layer: number, unit: number, row = 0, top = 4): NeuronChain {
  const L = sizes.length - 1;
  if (!(layer >= 1 && layer <= L)) throw new RangeError(`layer: ${layer} is not a layer with weights in; expected 1 to ${L}`);
  const m = sizes[layer]!;
  if (!(unit >= 0 && unit < m)) throw new RangeError(`unit: ${unit} is not in layer ${layer}; expected 0 to ${m - 1}`);
  if (!(row >= 0 && row < t.rows)) throw new RangeError(`row: ${row} is not in the batch; expected 0 to ${t.rows - 1}`);
  const tr = t.layers[layer - 1]!;
  const at = row * m + unit;
  const output = layer === L;
  const above: AboveTerm[] = [];
  if (!output) {
    const up = t.layers[layer]!;
    const k = sizes[layer + 1]!;
    const W = p.weights[layer]!;
    for (let c = 0; c < k; c++) {
      const delta = up.dZ[row * k + c]!;
      const weight = W[unit * k + c]!;
      above.push({ unit: c, delta, weight, product: delta * weight });
    }
    above.sort((u, v) => Math.abs(v.product) - Math.abs(u.product));
  }
  const n = sizes[layer - 1]!;
  const input = layer === 1 ? t.x : t.layers[layer - 2]!.a;
  const W = p.weights[layer - 1]!;
  const weights: IncomingWeight[] = [];
  for (let i = 0; i < n; i++) {
    weights.push({ from: i, input: input[row * n + i]!, weight: W[i * m + unit]!, rowTerm: input[row * n + i]! * tr.dZ[at]!, grad: tr.dW[i * m + unit]! });
  }
  weights.sort((u, v) => Math.abs(v.grad) - Math.abs(u.grad));
  let sAbs = 0;
  let sSlope = 0;
  for (let r = 0; r < t.rows; r++) {
    sAbs += Math.abs(tr.dZ[r * m + unit]!);
    sSlope += tr.slope[r * m + unit]!;
  }
  return {
    layer,
    unit,
    row,
    rows: t.rows,
    output,
    z: tr.z[at]!,
    a: tr.a[at]!,
    slope: tr.slope[at]!,
    dA: tr.dA[at]!,
    dZ: tr.dZ[at]!,
    above: above.slice(0, top),
    aboveCount: above.length,
    weights: weights.slice(0, top),
    weightCount: n,
    biasGrad: tr.dB[unit]!,
    meanAbsDz: sAbs / t.rows,
    meanSlope: sSlope / t.rows,
  };
}
