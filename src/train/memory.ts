/**
 * The memory a trainer needs, computed before anything is allocated, so that a model too big for the backend
 * is refused with the numbers instead of failing half-way (or freezing a tab) on an out-of-memory error.
 */
import type { Shape } from '../backend/backend.js';
import { shape, shapeSize } from '../backend/backend.js';
import { layerSizes, residualSources, type ModelSpec } from '../core/spec.js';
import { keepsPreActivations } from './network.js';
import { metricsLayout } from './records.js';

/** Total bytes a trainer may allocate when the backend states no budget of its own (1 GiB: a browser tab stays usable). */
export const DEFAULT_BUDGET_BYTES = 1024 ** 3;

/** The tensors of a trainer and their total size. */
export interface MemoryPlan {
  readonly shapes: readonly Shape[];
  readonly totalBytes: number;
  readonly largestBytes: number;
}

/** What to change when a model does not fit, in the words of a spec (the lab and the CLI name their own settings). */
export const RESOURCE_ADVICE = 'use fewer or narrower layers, a smaller batch or less data';

/** A model refused before allocation, with the numbers. */
export class ResourceError extends Error {
  constructor(
    /** What does not fit, with the numbers ("this model needs 9.1 GiB in all, over the 1 GiB budget of CPU"). */
    readonly reason: string,
    readonly neededBytes: number,
    readonly limitBytes: number,
  ) {
    super(`${reason}; ${RESOURCE_ADVICE}`);
    this.name = 'ResourceError';
  }
}

/**
 * Shapes of every tensor a trainer allocates: parameters, gradients, data, batch, activations, deltas, metrics;
 * with normalisation also γ, its gradient, the pre-activations, x̂, 1/σ (and batch norm's running statistics) of
 * each hidden layer; with residual connections, the activations and the saved gradient of each skip's last layer;
 * for each hidden layer with `keepsPre[l]` (GELU, SiLU: network.ts keepsPreActivations), the activation's input;
 * with dropout (of any member), the dropped output of each hidden layer.
 */
export function planMemory(
  sizes: readonly number[],
  rowsPerStep: number,
  dataRows: number,
  members: number,
  bytesPerElement: number,
  miniBatch: boolean,
  metricsWidth: number,
  mitigations: Pick<ModelSpec, 'norm' | 'residual' | 'dropout'> = {},
  keepsPre: readonly boolean[] = [],
): MemoryPlan {
  const shapes: Shape[] = [];
  const layers = sizes.length - 1;
  for (let copy = 0; copy < 2; copy++) {
    for (let l = 0; l < layers; l++) shapes.push(shape(members, sizes[l]!, sizes[l + 1]!), shape(members, 1, sizes[l + 1]!));
  }
  shapes.push(shape(1, dataRows, sizes[0]!), shape(1, dataRows, sizes[layers]!));
  if (miniBatch) shapes.push(shape(1, rowsPerStep, sizes[0]!), shape(1, rowsPerStep, sizes[layers]!));
  for (let l = 0; l < layers; l++) shapes.push(shape(members, rowsPerStep, sizes[l + 1]!), shape(members, rowsPerStep, sizes[l + 1]!));
  shapes.push(shape(members, 1, metricsWidth));
  const hidden = sizes.slice(1, -1);
  const norm = mitigations.norm ?? 'none';
  for (const w of norm === 'none' ? [] : hidden) {
    shapes.push(shape(members, 1, w), shape(members, 1, w), shape(members, rowsPerStep, w), shape(members, rowsPerStep, w));
    shapes.push(norm === 'batch' ? shape(members, 1, w) : shape(members, rowsPerStep, 1));
    if (norm === 'batch') shapes.push(shape(members, 1, w), shape(members, 1, w));
  }
  residualSources({ hidden, residual: mitigations.residual }).forEach((src, i) => {
    if (src >= 0) shapes.push(shape(members, rowsPerStep, hidden[i]!), shape(members, rowsPerStep, hidden[i]!));
  });
  keepsPre.forEach((keep, i) => {
    if (keep && i < hidden.length) shapes.push(shape(members, rowsPerStep, hidden[i]!));
  });
  if (mitigations.dropout) for (const w of hidden) shapes.push(shape(members, rowsPerStep, w));
  let totalBytes = 0;
  let largestBytes = 0;
  for (const s of shapes) {
    const b = shapeSize(s) * bytesPerElement;
    totalBytes += b;
    largestBytes = Math.max(largestBytes, b);
  }
  return { shapes, totalBytes, largestBytes };
}

/** Human size: "1.5 GiB", "320 MiB", "12 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** The ResourceError of a plan that does not fit the backend's per-tensor limit or the total budget, or null when it fits. */
export function planProblem(plan: MemoryPlan, backendName: string, maxTensorBytes: number, budgetBytes: number): ResourceError | null {
  if (plan.largestBytes > maxTensorBytes) {
    return new ResourceError(
      `this model needs a ${formatBytes(plan.largestBytes)} tensor, but ${backendName} allows at most ${formatBytes(maxTensorBytes)} per tensor`,
      plan.largestBytes,
      maxTensorBytes,
    );
  }
  if (plan.totalBytes > budgetBytes) {
    return new ResourceError(`this model needs ${formatBytes(plan.totalBytes)} in all, over the ${formatBytes(budgetBytes)} budget of ${backendName}`, plan.totalBytes, budgetBytes);
  }
  return null;
}

/** Throw a ResourceError if the plan does not fit the backend's per-tensor limit or the total budget. */
export function checkPlan(plan: MemoryPlan, backendName: string, maxTensorBytes: number, budgetBytes: number): void {
  const problem = planProblem(plan, backendName, maxTensorBytes, budgetBytes);
  if (problem) throw problem;
}

/** The memory plan of a Trainer of `models` (one shape, trained together) on `dataRows` rows, `batchSize` rows per step (0: all). */
export function planTrainer(models: readonly ModelSpec[], dataRows: number, batchSize: number, bytesPerElement: number): MemoryPlan {
  const first = models[0]!;
  const sizes = layerSizes(first);
  const rowsPerStep = batchSize === 0 ? dataRows : Math.min(batchSize, dataRows);
  const dropout = Math.max(...models.map((m) => m.dropout ?? 0));
  return planMemory(sizes, rowsPerStep, dataRows, models.length, bytesPerElement, batchSize !== 0, metricsLayout(sizes.length - 1).width, { ...first, dropout }, keepsPreActivations(models));
}
