/**
 * The cohort: several same-shape models trained in lockstep as the batch dimension of every tensor. Whether
 * specs can share one trainer, and the backend update rule that applies each model's own optimizer settings.
 */
import type { Tensor, UpdateRule, WeightDecayRule } from '../backend/backend.js';
import { isVaryingSchedule, scheduledRate } from '../core/lr-schedule.js';
import { OPTIMIZER_DEFAULTS, layerSizes, type ModelSpec } from '../core/spec.js';

/** Check that several model specs can share one batched trainer. */
export function checkCohort(models: readonly ModelSpec[]): string | null {
  const first = models[0];
  if (!first) return 'at least one model is needed';
  const key = (m: ModelSpec) =>
    `${layerSizes(m).join(',')}|${m.outputActivation}|${m.loss}|${m.optimizer.kind}|${m.clip?.kind ?? 'no clip'}|norm ${m.norm ?? 'none'}|residual ${m.residual ?? 0}`;
  for (const m of models) {
    if (key(m) !== key(first)) {
      return `models trained together need the same layer sizes, output activation, loss, optimizer, clipping, normalisation and residual connections (${key(first)} vs ${key(m)})`;
    }
  }
  return null;
}

/** The learning rate of each model at update number t (1 for the first), after its schedule. */
export function cohortRates(models: readonly ModelSpec[], t: number): number[] {
  return models.map((m) => scheduledRate(m.optimizer.lr, m.optimizer.schedule, t - 1));
}

/** The weight decay of a cohort whose first `weightTensors` parameters are the weights, or null when no model decays. */
export function weightDecayRule(models: readonly ModelSpec[], weightTensors: number): WeightDecayRule | null {
  if (!models.some((m) => (m.optimizer.weightDecay?.lambda ?? 0) > 0)) return null;
  const of = (kind: 'coupled' | 'decoupled') => models.map((m) => (m.optimizer.weightDecay?.kind === kind ? m.optimizer.weightDecay.lambda : 0));
  return { tensors: weightTensors, coupled: of('coupled'), decoupled: of('decoupled') };
}

/**
 * The backend update rule of a cohort at update number t (1 for the first): each model's scheduled rate, and with
 * `weightTensors` (the number of weight matrices, which come first among the parameters) its weight decay.
 */
export function updateRule(models: readonly ModelSpec[], t: number, weightTensors = 0): UpdateRule {
  const decay = weightTensors > 0 ? weightDecayRule(models, weightTensors) : null;
  return decay ? { ...baseRule(models, t), weightDecay: decay } : baseRule(models, t);
}

function baseRule(models: readonly ModelSpec[], t: number): UpdateRule {
  const first = models[0]!;
  const lr = cohortRates(models, t);
  const pick = (k: 'momentum' | 'beta1' | 'beta2' | 'decay') => models.map((m) => m.optimizer[k] ?? OPTIMIZER_DEFAULTS[k]);
  const eps = first.optimizer.eps ?? OPTIMIZER_DEFAULTS.eps;
  const clip = first.clip ? { clip: { kind: first.clip.kind, max: models.map((m) => m.clip?.max ?? Infinity) } } : {};
  switch (first.optimizer.kind) {
    case 'sgd':
      return { kind: 'sgd', lr, ...clip };
    case 'momentum':
    case 'nesterov':
      return { kind: 'momentum', lr, momentum: pick('momentum'), nesterov: first.optimizer.kind === 'nesterov', ...clip };
    case 'rmsprop':
      return { kind: 'rmsprop', lr, decay: pick('decay'), eps, ...clip };
    case 'adam':
      return { kind: 'adam', lr, beta1: pick('beta1'), beta2: pick('beta2'), eps, step: t, ...clip };
  }
}

/**
 * A cohort's update rules, each reporting its global gradient norm and clip factor into one slot of a watch ring.
 * Rules of optimizers without a step count are built once per slot and reused, so the step loop allocates nothing.
 */
export class SlotRules {
  private readonly bySlot: UpdateRule[] = [];
  private readonly counted: boolean;

  constructor(
    private readonly models: readonly ModelSpec[],
    private readonly watch: Tensor,
    private readonly weightTensors = 0,
  ) {
    this.counted = models[0]!.optimizer.kind === 'adam' || models.some((m) => isVaryingSchedule(m.optimizer.schedule));
  }

  /** The update rule of update number t (1 for the first), reporting into watch slot `slot`. */
  ruleFor(slot: number, t: number): UpdateRule {
    if (this.counted) return { ...updateRule(this.models, t, this.weightTensors), report: { metrics: this.watch, col: 2 * slot } };
    return (this.bySlot[slot] ??= { ...updateRule(this.models, t, this.weightTensors), report: { metrics: this.watch, col: 2 * slot } });
  }
}
