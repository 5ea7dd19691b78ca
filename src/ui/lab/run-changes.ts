/** Changes to the lab's runs while the others train on: new specs, some runs reset or removed, parameters read. */
import type { Parameters } from '../../core/init.js';
import { runLabel, type RunSpec } from '../../core/lab-spec.js';
import { buildCohorts, cohortStep, newRunState, withoutRuns, type Cohort, type CohortContext, type RunState } from './run-state.js';

/** Give the runs their new specs (label, activation and clip follow) and append runs for the extra specs; returns those. */
export function respecRuns(runs: RunState[], specs: readonly RunSpec[]): RunState[] {
  specs.forEach((spec, i) => {
    const run = runs[i];
    if (run) {
      run.spec = spec;
      run.activations = spec.activations;
      run.label = runLabel(spec);
      run.activation = spec.activation;
      run.clip = spec.clip ?? null;
    }
  });
  const added = specs.slice(runs.length).map((spec, j) => newRunState(spec, runs.length + j));
  runs.push(...added);
  return added;
}

/** Whether resetting `which` resets every run in effect (the others have no records yet). */
export function resetsAll(runs: readonly RunState[], which: readonly RunState[]): boolean {
  return which.length === runs.length || runs.every((r) => r.records.length === 0 || which.includes(r));
}

/** The cohorts without the runs in `leaving` (the others keep their weights and steps; old trainers are disposed). */
export async function cohortsWithout(ctx: CohortContext, cohorts: readonly Cohort[], leaving: ReadonlySet<RunState>): Promise<Cohort[]> {
  const kept: Cohort[] = [];
  for (const c of cohorts) {
    const next = await withoutRuns(ctx, c, leaving);
    if (next) kept.push(next);
  }
  return kept;
}

/** The cohorts after the runs in `which` (among `runs`) go back to their initial weights in trainers of their own. */
export async function resetSome(ctx: CohortContext, runs: readonly RunState[], cohorts: readonly Cohort[], which: readonly RunState[]): Promise<Cohort[]> {
  const kept = await cohortsWithout(ctx, cohorts, new Set(which));
  for (const r of which) Object.assign(r, newRunState(r.spec, runs.indexOf(r)));
  return [...kept, ...buildCohorts(ctx, which)];
}

/** Trained parameters of every run, ordered by run id, for the weights export. */
export async function cohortParameters(cohorts: readonly Cohort[]): Promise<{ id: string; label: string; step: number; params: Parameters; batchRows?: Uint32Array }[]> {
  const out = [];
  for (const c of cohorts) {
    const ps = await c.trainer.readParameters();
    // The rows of the next mini-batch (the network view traces that exact batch); none for full-batch training.
    const rows = c.trainer.upcomingBatchRows();
    out.push(...c.members.map((r, i) => ({ id: r.id, label: r.label, step: cohortStep(c), params: ps[i]!, ...(rows ? { batchRows: rows } : {}) })));
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
