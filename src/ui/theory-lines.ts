/**
 * The mean-field theory lines of the gradient-profile chart: for a plain MLP at initialisation, the predicted
 * ‖∂L/∂W_l‖ per layer (src/core/theory.ts), anchored at the measured norm of the last hidden layer's weights and
 * falling or rising by about √χ per layer towards the input, and χ itself for the label.
 */
import type { ModelSpec } from '../core/spec.js';
import { chi, predictedGradProfile, sigmaW2For } from '../core/theory.js';

/** The theory line of one run. */
export interface RunTheory {
  /** Predicted ‖∂L/∂W_l‖ per weight layer, input side first. */
  readonly profile: readonly number[];
  /** χ of the hidden layers at the length map's fixed point (‖δ‖² shrinks by χ per layer where χ < 1). */
  readonly chi: number;
  /** Index of the weight layer the line is anchored at (the last hidden layer's weights). */
  readonly anchorLayer: number;
}

/** Whether mean-field theory describes a model: a plain MLP with hidden layers, without normalisation or residuals. */
export function theoryApplies(model: ModelSpec): boolean {
  return model.hidden.length > 0 && (model.norm ?? 'none') === 'none' && !model.residual;
}

/**
 * χ of a model's hidden layers at the fixed point of the length map started from its first hidden layer's
 * variance q₁ = σ_w,0²·E[x²] + σ_b² (as the depth sweep's pairChi, with the model's bias std).
 */
export function hiddenChi(model: ModelSpec, inputMeanSquare: number): number {
  const w = model.hidden[0]!;
  const sb2 = (model.biasStd ?? 0) ** 2;
  const act = model.activations[0]!;
  const q1 = sigmaW2For(model.init, model.gain, model.inputDim, w, act) * inputMeanSquare + sb2;
  return chi(act, sigmaW2For(model.init, model.gain, w, w, act), sb2, q1);
}

/**
 * The theory line of a model given the measured gradient norms of its initial weights (gradNorms of its first
 * record), or null where theory does not apply or the anchor is not a positive finite number.
 */
export function runTheory(model: ModelSpec, measured: readonly number[], inputMeanSquare: number): RunTheory | null {
  if (!theoryApplies(model)) return null;
  const unit = predictedGradProfile(model, 1, inputMeanSquare, (model.biasStd ?? 0) ** 2);
  const anchorLayer = unit.length - 2;
  const anchor = measured[anchorLayer];
  const u = unit[anchorLayer]!;
  if (anchor === undefined || !(anchor > 0) || !Number.isFinite(anchor) || !(u > 0) || !Number.isFinite(u)) return null;
  const k = anchor / u;
  return { profile: unit.map((v) => v * k), chi: hiddenChi(model, inputMeanSquare), anchorLayer };
}

/** The label of a theory line: "theory, χ = 0.056" (two significant digits). */
export function theoryLabel(chiValue: number): string {
  return `theory, χ = ${Number(chiValue.toPrecision(2))}`;
}

/** Theory lines by run id, recomputed only when a run's model, anchor record or data change. */
export class TheoryCache {
  private readonly entries = new Map<string, { key: string; theory: RunTheory | null }>();

  /** The theory line of run `id` (cached by its model, its first record's norms and the data's mean square). */
  get(id: string, model: ModelSpec, measured: readonly number[], inputMeanSquare: number): RunTheory | null {
    const key = `${JSON.stringify(model)}|${measured.join(',')}|${inputMeanSquare}`;
    const hit = this.entries.get(id);
    if (hit && hit.key === key) return hit.theory;
    const theory = runTheory(model, measured, inputMeanSquare);
    this.entries.set(id, { key, theory });
    return theory;
  }
}
