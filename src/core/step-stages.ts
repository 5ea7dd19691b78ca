/**
 * One training step cut into the stages a student walks through: the forward pass layer by layer, the loss, the
 * backward pass layer by layer, and the update. Each stage names the tensors it reads and writes (for highlighting
 * in the network view), its equation, and its numbers for the current step (from a BatchTrace). Pure, no DOM.
 */
import type { Parameters } from './init.js';
import { clippedGradients, type BatchTrace, type InspectModel } from './inspect.js';
import type { ClipSpec } from './spec.js';

/** A tensor of the step: activations a / pre-activations z / ∂L/∂a / ∂L/∂z of node layer `layer` (0 = input), or W, b, ∂L/∂W, ∂L/∂b of weight layer `layer`, or the targets and the loss. */
export interface TensorRef {
  readonly what: 'x' | 'y' | 'z' | 'a' | 'dZ' | 'W' | 'b' | 'dW' | 'dB' | 'loss';
  /** Node layer (x, z, a, dZ: 0 = input, 1…L) or weight layer (W, b, dW, dB: 0 = input side); −1 for y and the loss. */
  readonly layer: number;
}

/** A named vector of the stage's numbers. */
export interface StageValues {
  readonly label: string;
  readonly values: Float64Array;
}

/** One stage of a step. */
export interface Stage {
  readonly kind: 'forward' | 'loss' | 'backward' | 'update';
  /** Weight layer (forward, backward), −1 for the loss and the update. */
  readonly layer: number;
  readonly title: string;
  /** The formula, in plain text. */
  readonly equation: string;
  readonly reads: readonly TensorRef[];
  readonly writes: readonly TensorRef[];
  /** Its numbers: vectors of the first row of the batch, or whole small matrices (row-major). */
  readonly values: readonly StageValues[];
}

/** Whether a model is small enough for the step-through: at most 4 hidden layers of at most 8 units. */
export function stepThroughFits(sizes: readonly number[]): boolean {
  const hidden = sizes.slice(1, -1);
  return hidden.length <= 4 && hidden.every((w) => w <= 8) && sizes[0]! <= 8 && sizes[sizes.length - 1]! <= 8;
}

/** How the update stage applies the gradients: the optimizer's name, learning rate and clipping. */
export interface UpdateInfo {
  readonly optimizer: string;
  readonly lr: number;
  readonly clip?: ClipSpec;
}

/** Row `r` of a rows × cols array. */
function row(v: Float64Array, cols: number, r = 0): Float64Array {
  return v.slice(r * cols, (r + 1) * cols);
}

/**
 * The 2L + 2 stages of one step of `model` at parameters `p` on the traced batch. The update stage holds
 * θ − lr·g (g after clipping) for SGD; for other optimizers it holds lr·g and says that their state scales it.
 */
export function stepStages(model: InspectModel, p: Parameters, t: BatchTrace, update: UpdateInfo): Stage[] {
  const sizes = model.sizes;
  const L = sizes.length - 1;
  const stages: Stage[] = [];
  const sub = (l: number) => String(l).replace(/[0-9]/g, (c) => '₀₁₂₃₄₅₆₇₈₉'[Number(c)]!);
  const first = t.rows > 1 ? ` (row 1 of the ${t.rows} of the batch)` : '';
  for (let l = 0; l < L; l++) {
    const k = l + 1;
    const act = l === L - 1 ? model.outputActivation : model.activations[l]!;
    const input = l === 0 ? t.x : t.layers[l - 1]!.a;
    stages.push({
      kind: 'forward',
      layer: l,
      title: `Forward, layer ${k}${l === L - 1 ? ' (output)' : ''}`,
      equation: `z${sub(k)} = a${sub(l)} · W${sub(k)} + b${sub(k)},  a${sub(k)} = ${act}(z${sub(k)})${first}`,
      reads: [{ what: l === 0 ? 'x' : 'a', layer: l }, { what: 'W', layer: l }, { what: 'b', layer: l }],
      writes: [{ what: 'z', layer: k }, { what: 'a', layer: k }],
      values: [
        { label: `a${sub(l)}${l === 0 ? ' = x' : ''}`, values: row(input, sizes[l]!) },
        { label: `b${sub(k)}`, values: p.biases[l]!.slice() },
        { label: `z${sub(k)}`, values: row(t.layers[l]!.z, sizes[k]!) },
        { label: `a${sub(k)}`, values: row(t.layers[l]!.a, sizes[k]!) },
      ],
    });
  }
  const lossText: Record<string, string> = {
    mse: 'L = mean over all N·K entries of (ŷ − y)²',
    bce: 'L = −mean over all N·K entries of [y·log ŷ + (1 − y)·log(1 − ŷ)]',
    softmax_ce: 'L = −(1/N) Σ_rows Σ_classes y·log ŷ',
  };
  stages.push({
    kind: 'loss',
    layer: -1,
    title: 'Loss',
    equation: `${lossText[model.loss] ?? 'L'},  ŷ = a${sub(L)}, over the ${t.rows} rows`,
    reads: [{ what: 'a', layer: L }, { what: 'y', layer: -1 }],
    writes: [{ what: 'loss', layer: -1 }],
    values: [
      { label: `ŷ = a${sub(L)}`, values: row(t.layers[L - 1]!.a, sizes[L]!) },
      { label: 'y', values: row(t.y, sizes[L]!) },
      { label: 'L', values: Float64Array.of(t.loss) },
    ],
  });
  for (let l = L - 1; l >= 0; l--) {
    const k = l + 1;
    const layer = t.layers[l]!;
    const top = l === L - 1;
    const head = top
      ? `δ${sub(k)} = ∂L/∂z${sub(k)} (the loss gradient through ${model.outputActivation}, fused)`
      : `δ${sub(k)} = ∂L/∂z${sub(k)} (from the stage before)`;
    const below = l > 0 ? `,  δ${sub(l)} = (δ${sub(k)} · W${sub(k)}ᵀ) ⊙ φ′(z${sub(l)})` : '';
    const values: StageValues[] = [
      { label: `δ${sub(k)}`, values: row(layer.dZ, sizes[k]!) },
      { label: `∂L/∂W${sub(k)} (${sizes[l]}×${sizes[k]}, row-major)`, values: layer.dW.slice() },
      { label: `∂L/∂b${sub(k)}`, values: layer.dB.slice() },
    ];
    if (l > 0) {
      const lower = t.layers[l - 1]!;
      values.push(
        { label: `∂L/∂a${sub(l)} = δ${sub(k)} · W${sub(k)}ᵀ`, values: row(lower.dA, sizes[l]!) },
        { label: `φ′(z${sub(l)})`, values: row(lower.slope, sizes[l]!) },
        { label: `δ${sub(l)}`, values: row(lower.dZ, sizes[l]!) },
      );
    }
    const reads: TensorRef[] = [top ? { what: 'a', layer: k } : { what: 'dZ', layer: k }, { what: l === 0 ? 'x' : 'a', layer: l }];
    if (top) reads.push({ what: 'y', layer: -1 });
    if (l > 0) reads.push({ what: 'W', layer: l }, { what: 'z', layer: l });
    const writes: TensorRef[] = [{ what: 'dZ', layer: k }, { what: 'dW', layer: l }, { what: 'dB', layer: l }];
    if (l > 0) writes.push({ what: 'dZ', layer: l });
    stages.push({
      kind: 'backward',
      layer: l,
      title: `Backward, layer ${k}${top ? ' (output)' : ''}`,
      equation: `${head},  ∂L/∂W${sub(k)} = a${sub(l)}ᵀ · δ${sub(k)},  ∂L/∂b${sub(k)} = Σ_rows δ${sub(k)}${below}${first ? ' (vectors: row 1; ∂L/∂W and ∂L/∂b sum the batch)' : ''}`,
      reads,
      writes,
      values,
    });
  }
  const g = clippedGradients(t, update.clip);
  const sgd = update.optimizer === 'sgd';
  const clipText = update.clip
    ? update.clip.kind === 'norm'
      ? `, g clipped to global norm ≤ ${update.clip.max} (‖g‖ = ${g.norm.toPrecision(4)}, factor ${g.factor.toPrecision(4)})`
      : `, g clipped to |g| ≤ ${update.clip.max} entrywise (${(100 * g.factor).toFixed(1)} % of entries)`
    : '';
  const values: StageValues[] = [];
  for (let l = 0; l < L; l++) {
    const k = l + 1;
    values.push(
      sgd
        ? { label: `W${sub(k)} after`, values: p.weights[l]!.map((w, i) => w - update.lr * g.weights[l]![i]!) }
        : { label: `lr·g for W${sub(k)}`, values: g.weights[l]!.map((v) => update.lr * v) },
      sgd
        ? { label: `b${sub(k)} after`, values: p.biases[l]!.map((b, i) => b - update.lr * g.biases[l]![i]!) }
        : { label: `lr·g for b${sub(k)}`, values: g.biases[l]!.map((v) => update.lr * v) },
    );
  }
  stages.push({
    kind: 'update',
    layer: -1,
    title: 'Update',
    equation: sgd
      ? `θ ← θ − lr·g for every W and b, lr = ${update.lr}${clipText}`
      : `${update.optimizer} scales g = ∂L/∂θ by its running averages (not read back); shown: the plain step lr·g, lr = ${update.lr}${clipText}`,
    reads: Array.from({ length: L }, (_, l) => [{ what: 'dW', layer: l } as const, { what: 'dB', layer: l } as const]).flat(),
    writes: Array.from({ length: L }, (_, l) => [{ what: 'W', layer: l } as const, { what: 'b', layer: l } as const]).flat(),
    values,
  });
  return stages;
}
