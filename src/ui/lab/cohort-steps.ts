/**
 * Training steps of the lab's cohorts: which cohorts still train, the epoch stop condition, when to log, how many
 * steps fit in an animation frame, and multi-steps that pause now and then (for the page, and for a checkpoint).
 */
import type { LabSpec } from '../../core/lab-spec.js';
import type { StepRecord } from '../../train/records.js';
import type { LabClock } from './lab-clock.js';
import { cohortStep, type Cohort } from './run-state.js';

/** CPU milliseconds of stepping per animation frame at most. */
export const FRAME_BUDGET_MS = 12;

/** Milliseconds of GPU work a WebGPU frame queues at most, judged by how long the steps of the last frame took. */
export const GPU_FRAME_BUDGET_MS = 250;

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
 * Wait for every promise in `pending` (emptying it); the first failure is rethrown once all have settled, so that no
 * later failure goes unhandled.
 */
export async function settle(pending: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(pending.splice(0));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Mark the promises in `pending` handled without waiting for them (a step threw; the error that ends the task is that one). */
function abandon(pending: readonly Promise<void>[]): void {
  for (const p of pending) p.catch(() => undefined);
}

/**
 * The steps of one animation frame: up to `maxSteps`, and when `timeBoxed` (the CPU, which computes as it steps) only
 * while under FRAME_BUDGET_MS of `now`. Returns how many were taken; their records' promises are in `pending`.
 */
export function frameSteps(maxSteps: number, timeBoxed: boolean, pending: Promise<void>[], step: StepAll, now: () => number): number {
  const t0 = now();
  let steps = 0;
  try {
    while (steps < maxSteps && (!timeBoxed || steps === 0 || now() - t0 < FRAME_BUDGET_MS)) {
      if (!step(pending, false)) break;
      steps++;
    }
  } catch (e) {
    abandon(pending);
    throw e;
  }
  return steps;
}

/**
 * How many steps a WebGPU frame takes. Its steps are only queued, and the frame ends when their records are back; so
 * a slow adapter with a high speed would hold seconds of work per frame, and read back (and redraw) only that often.
 * A frame takes up to `speed` steps, but no more than took `budgetMs` at the rate of the last frame (one at first).
 */
export class GpuPace {
  private msPerStep: number | null = null;

  constructor(private readonly budgetMs = GPU_FRAME_BUDGET_MS) {}

  /** Steps for the next frame at `speed` steps per frame. */
  steps(speed: number): number {
    if (this.msPerStep === null) return Math.min(1, speed);
    const fit = this.msPerStep > 0 ? Math.floor(this.budgetMs / this.msPerStep) : speed;
    return Math.max(1, Math.min(speed, fit));
  }

  /** A frame took `steps` steps in `ms` milliseconds (from its first step to its records back). */
  measured(steps: number, ms: number): void {
    if (steps > 0) this.msPerStep = ms / steps;
  }

  /** Forget the rate (new networks or a new backend). */
  reset(): void {
    this.msPerStep = null;
  }
}

/** What a multi-step needs besides the steps: the clock, and a checkpoint run at every pause. */
export interface StepManyHooks {
  readonly clock: LabClock;
  /** Run at every pause once the records so far are in (waiting for queued GPU work, reading parameters back). */
  checkpoint(): Promise<void>;
}

/**
 * Take `n` steps (stopping early when no cohort is active), every one logged when `logAll`, else the usual ones and
 * the last. After every FRAME_BUDGET_MS of stepping it waits for the records so far, runs the checkpoint and yields
 * to the page. Resolves when all records are taken.
 */
export async function stepMany(n: number, logAll: boolean, step: StepAll, hooks: StepManyHooks): Promise<void> {
  const { clock } = hooks;
  let t0 = clock.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    let more: boolean;
    try {
      more = step(pending, logAll || i === n - 1);
    } catch (e) {
      abandon(pending);
      throw e;
    }
    if (!more) break;
    if (clock.now() - t0 > FRAME_BUDGET_MS) {
      await settle(pending);
      await hooks.checkpoint();
      await clock.sleep(0);
      t0 = clock.now();
    }
  }
  await settle(pending);
}

/** Steps a frame takes at most at full speed (speed 0); the CPU's time box or the GPU's pace usually ends it sooner. */
export const FASTEST_FRAME_STEPS = 1000;

/**
 * The lab's speed: at 0 as fast as possible (FASTEST_FRAME_STEPS a frame at most), at N ≥ 1 slow motion, N steps per
 * second of the clock: the first step at once on play, step k at k/N s; after a stall it never takes more than one
 * second's worth at once.
 */
export class StepPacer {
  private start = 0;
  private taken = 0;
  /** The speed counted at since the last restart, or -1 when none yet. */
  private speed = -1;

  constructor(private readonly now: () => number) {}

  /** Start counting again now (on play; the speed changing restarts it too). */
  restart(): void {
    this.start = this.now();
    this.taken = 0;
    this.speed = -1;
  }

  /** How many steps are due now at `speed` (0: as fast as possible). */
  allowance(speed: number): number {
    if (this.speed !== -1 && speed !== this.speed) this.restart();
    this.speed = speed;
    if (speed <= 0) return FASTEST_FRAME_STEPS;
    const dueTotal = Math.floor(((this.now() - this.start) * speed) / 1000) + 1;
    if (dueTotal - this.taken > speed) this.taken = dueTotal - speed;
    return Math.max(0, dueTotal - this.taken);
  }

  /** `steps` steps were taken. */
  took(steps: number): void {
    this.taken += steps;
  }
}
