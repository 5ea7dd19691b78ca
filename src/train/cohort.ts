/**
 * The cohort: several same-shape models trained in lockstep as the batch dimension of every tensor. Whether
 * specs can share one trainer, and the backend update rule that applies each model's own optimizer settings.
 */
import type { Tensor, UpdateRule } from '../backend/backend.js';
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

/** The backend update rule of a cohort at update number t (1 for the first). */
export function updateRule(models: readonly ModelSpec[], t: number): UpdateRule {
  const first = models[0]!;
  const lr = models.map((m) => m.optimizer.lr);
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
  ) {
    this.counted = models[0]!.optimizer.kind === 'adam';
  }

  /** The update rule of update number t (1 for the first), reporting into watch slot `slot`. */
  ruleFor(slot: number, t: number): UpdateRule {
    if (this.counted) return { ...updateRule(this.models, t), report: { metrics: this.watch, col: 2 * slot } };
    return (this.bySlot[slot] ??= { ...updateRule(this.models, t), report: { metrics: this.watch, col: 2 * slot } });
  }
}
