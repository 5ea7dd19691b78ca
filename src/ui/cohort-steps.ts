/**
 * Training steps of the lab's cohorts: which cohorts still train, the epoch stop condition, when to log, and how
 * many steps fit in an animation frame.
 */
import type { LabSpec } from '../core/lab-spec.js';
import type { StepRecord } from '../train/records.js';
import { cohortStep, type Cohort } from './run-state.js';

/** CPU milliseconds of stepping per animation frame at most. */
export const FRAME_BUDGET_MS = 12;

/** One step of every active cohort, its records' promises pushed to `pending`; false when none is active. */
export type StepAll = (pending: Promise<void>[], forceLog: boolean) => boolean;

/** The cohorts with at least one active run. */
export function activeCohorts(cohorts: readonly Cohort[]): Cohort[] {
  return cohorts.filter((c) => c.members.some((r) => r.status === 'active'));
}

/**
 * One step of every cohort with an active run (`rows`: rows of the data set; runs past the epoch stop condition
 * stop instead), logged every `lab.logEvery` steps or when `forceLog`; each logged step's records go to `take`,
 * its promise to `pending`. False when no cohort is active.
 */
export function stepCohorts(
  cohorts: readonly Cohort[],
  lab: LabSpec,
  rows: number,
  pending: Promise<void>[],
  forceLog: boolean,
  take: (c: Cohort, recs: StepRecord[]) => void,
): boolean {
  const active = activeCohorts(cohorts);
  for (const c of active) {
    const step = cohortStep(c);
    const stop = lab.stop;
    if (stop.kind === 'epochs' && (step * c.trainer.rowsPerStep) / rows >= stop.value) {
      for (const r of c.members) if (r.status === 'active') Object.assign(r, { status: 'stopped', message: `reached ${stop.value} epochs` });
      continue;
    }
    const p = c.trainer.stepOnce(forceLog || step % lab.logEvery === 0);
    if (p) pending.push(p.then((recs) => take(c, recs)));
  }
  return active.length > 0;
}

/**
 * The steps of one animation frame: up to `speed`, within FRAME_BUDGET_MS on the CPU (on WebGPU, `gpu`, steps are
 * only submitted, so all `speed` are). Returns how many were taken; their records' promises are in `pending`.
 */
export function frameSteps(speed: number, gpu: boolean, pending: Promise<void>[], step: StepAll): number {
  const t0 = performance.now();
  let steps = 0;
  while (steps < speed && (gpu || steps === 0 || performance.now() - t0 < FRAME_BUDGET_MS)) {
    if (!step(pending, false)) break;
    steps++;
  }
  return steps;
}

/**
 * Take `n` steps (stopping early when no cohort is active), every one logged when `logAll`, else the usual ones and
 * the last; yields to the page after every FRAME_BUDGET_MS of stepping. Resolves when all records are taken.
 */
export async function stepMany(n: number, logAll: boolean, step: StepAll): Promise<void> {
  let t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    if (!step(pending, logAll || i === n - 1)) break;
    if (performance.now() - t0 > FRAME_BUDGET_MS) {
      await Promise.all(pending.splice(0));
      await new Promise((r) => setTimeout(r, 0));
      t0 = performance.now();
    }
  }
  await Promise.all(pending);
}
