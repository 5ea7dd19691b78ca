/**
 * The lab's memory budget, checked before anything is built or any data replaced: the trainers the runs need
 * (grouped as run-state.buildCohorts groups them), whether each fits the backend, and, when one does not, the
 * largest depth, width, batch and data that would fit with the other settings unchanged.
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../core/datasets.js';
import { modelSpec, type DataShape, type LabSpec } from '../../core/lab-spec.js';
import type { ModelSpec } from '../../core/spec.js';
import { checkCohort } from '../../train/cohort.js';
import { DEFAULT_BUDGET_BYTES, planProblem, planTrainer, type ResourceError } from '../../train/memory.js';

/** What a budget check needs to know of a backend. */
export type BudgetBackend = Pick<Backend, 'bytesPerElement' | 'maxTensorBytes' | 'budgetBytes' | 'info'>;

/** Where the data comes from: a built-in data set (its `samples` setting) or a CSV file (its rows). */
export type DataSource = 'samples' | 'file';

/** The first trainer of `lab` on data of `shape` that does not fit `backend` (with the numbers), or null when all fit. */
export function labBudgetProblem(backend: BudgetBackend, lab: LabSpec, shape: DataShape): ResourceError | null {
  const groups: ModelSpec[][] = [];
  for (const run of lab.runs) {
    const m = modelSpec(lab, run, shape);
    const g = groups.find((g) => checkCohort([...g, m]) === null);
    if (g) g.push(m);
    else groups.push([m]);
  }
  for (const g of groups) {
    const plan = planTrainer(g, shape.samples, lab.batch, backend.bytesPerElement);
    const problem = planProblem(plan, backend.info.description, backend.maxTensorBytes, backend.budgetBytes ?? DEFAULT_BUDGET_BYTES);
    if (problem) return problem;
  }
  return null;
}

/** The largest integer in [lo, hi] for which `fits` holds (it holds for every smaller one), or null when none does. */
export function largestFitting(lo: number, hi: number, fits: (v: number) => boolean): number | null {
  if (hi < lo || !fits(lo)) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The settings that would make `lab` fit, each changed alone, one line per setting: "depth at most 12 (now 200)",
 * or "batch: no value fits unless other settings change too (now full batch, 200 rows)".
 */
export function budgetFixes(backend: BudgetBackend, lab: LabSpec, shape: DataShape, source: DataSource): string[] {
  const fits = (l: LabSpec, s: DataShape = shape) => labBudgetProblem(backend, l, s) === null;
  const n = shape.samples;
  const line = (name: string, best: number | null, unit: string, now: string) =>
    best === null ? `${name}: no value fits unless other settings change too (now ${now})` : `${name} at most ${best}${unit} (now ${now})`;
  const rows = lab.batch === 0 ? n : Math.min(lab.batch, n);
  const samples = largestFitting(1, n - 1, (samples) => fits({ ...lab, samples }, { ...shape, samples }));
  return [
    line('depth', largestFitting(1, lab.depth - 1, (depth) => fits({ ...lab, depth })), '', String(lab.depth)),
    line('width', largestFitting(1, lab.width - 1, (width) => fits({ ...lab, width })), '', String(lab.width)),
    line('batch', largestFitting(1, rows - 1, (batch) => fits({ ...lab, batch })), ' rows per step', lab.batch === 0 ? `full batch, ${n} rows` : String(lab.batch)),
    source === 'samples' ? line('samples', samples, '', String(n)) : line('rows of the file', samples, '', String(n)),
  ];
}

/** A notice: its text and one detail line per setting to change. */
export interface BudgetNotice {
  readonly text: string;
  readonly details: readonly string[];
}

/** Why the lab's networks cannot be built on data of `shape` (and what to change), or null when they fit. */
export function buildRefusal(backend: BudgetBackend, lab: LabSpec, shape: DataShape, source: DataSource): BudgetNotice | null {
  const over = labBudgetProblem(backend, lab, shape);
  if (!over) return null;
  return { text: `Cannot build the networks: ${over.reason}. Play stays off until they fit; change one of these settings:`, details: budgetFixes(backend, lab, shape, source) };
}

/** Why the lab cannot train on a loaded CSV (it is not taken; `kept`, the data in use, stays), or null when it fits. */
export function csvRefusal(backend: BudgetBackend, lab: LabSpec, csv: { readonly dataset: Dataset; readonly name: string }, kept: string): BudgetNotice | null {
  const d = csv.dataset;
  const shape: DataShape = { inputDim: d.inputDim, outputDim: d.outputDim, task: d.task, samples: d.n };
  const over = labBudgetProblem(backend, lab, shape);
  if (!over) return null;
  return {
    text: `${csv.name} was not loaded: with its ${d.n} rows, ${over.reason}; ${kept} stays in use. To train on this file, change one of:`,
    details: budgetFixes(backend, lab, shape, 'file'),
  };
}

