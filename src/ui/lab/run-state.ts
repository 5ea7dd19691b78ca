/**
 * The state of one run of the lab (a RunView plus its spec and status), and the trainers that step the runs:
 * runs of one shape and batch that are in step are trained together in ONE batched Trainer (a "cohort");
 * a run reset on its own gets a trainer of its own until every run is reset again.
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../core/datasets.js';
import { modelSpec, runLabel, scheduleSpec, type DataShape, type LabSpec, type RunSpec } from '../../core/lab-spec.js';
import type { ModelSpec } from '../../core/spec.js';
import type { StepRecord } from '../../train/records.js';
import { checkCohort, Trainer } from '../../train/trainer.js';
import { RUN_COLORS, type RunView } from '../run-view.js';

/** Whether a run is still training, diverged, or stopped by the stop condition. */
export type RunStatus = 'active' | 'diverged' | 'stopped';

/** One run as the lab holds it. */
export interface RunState extends RunView {
  id: string;
  label: string;
  color: string;
  spec: RunSpec;
  records: StepRecord[];
  divergedAt: number | null;
  activation: string;
  activations?: RunSpec['activations'];
  boundary: RunView['boundary'];
  status: RunStatus;
  /** Why the run is not active ("diverged at step 120"), or null. */
  message: string | null;
  /** Confusion matrix on the training data for several classes (counts[true][predicted]), else null. */
  confusion: number[][] | null;
  clip: RunSpec['clip'] | null;
}

/** A fresh run state at position `index`. */
export function newRunState(spec: RunSpec, index: number): RunState {
  return {
    id: `run${index}`,
    label: runLabel(spec),
    color: RUN_COLORS[index % RUN_COLORS.length]!,
    spec,
    records: [],
    divergedAt: null,
    activation: spec.activation,
    ...(spec.activations ? { activations: spec.activations } : {}),
    boundary: null,
    status: 'active',
    message: null,
    confusion: null,
    clip: spec.clip ?? null,
  };
}

/** Give runs their position's id and colour again (after one is removed). */
export function renumber(runs: RunState[]): void {
  runs.forEach((r, i) => {
    r.id = `run${i}`;
    r.color = RUN_COLORS[i % RUN_COLORS.length]!;
  });
}

/** A trainer and the runs it trains, in model order; `offset` is the global step of its step 0. */
export interface Cohort {
  readonly trainer: Trainer;
  readonly members: readonly RunState[];
  readonly offset: number;
}

/** Where the cohorts train: the backend, the data and its shape, and the lab. */
export interface CohortContext {
  readonly backend: Backend;
  readonly data: Dataset;
  readonly shape: DataShape;
  readonly lab: LabSpec;
}

/** The model spec of a run in a context. */
export function runModel(ctx: CohortContext, run: RunState): ModelSpec {
  return modelSpec(ctx.lab, run.spec, ctx.shape);
}

/**
 * Most entries (activations, ∂L/∂z and weights, summed over the layers) whose quantiles a logged step records for the
 * Distributions card: about 20 ms of histogram per logged step on the CPU. Larger networks train without them.
 */
export const MAX_DISTRIBUTION_ENTRIES = 1_000_000;

/** Whether the lab's trainers record per-layer distributions (only for networks small enough to do it cheaply). */
export function recordsDistributions(ctx: CohortContext): boolean {
  const rows = ctx.lab.batch > 0 ? Math.min(ctx.lab.batch, ctx.data.n) : ctx.data.n;
  const w = ctx.lab.width;
  return ctx.lab.depth * (2 * rows * w + w * w) <= MAX_DISTRIBUTION_ENTRIES;
}

/** Group runs into batched trainers starting from their initial weights (runs that cannot share get their own). */
export function buildCohorts(ctx: CohortContext, runs: readonly RunState[]): Cohort[] {
  const groups: RunState[][] = [];
  for (const run of runs) {
    const m = runModel(ctx, run);
    const g = groups.find((g) => checkCohort([...g.map((r) => runModel(ctx, r)), m]) === null);
    if (g) g.push(run);
    else groups.push([run]);
  }
  const schedule = scheduleSpec(ctx.lab);
  return groups.map((members) => ({
    trainer: new Trainer(ctx.backend, { models: members.map((r) => runModel(ctx, r)), data: ctx.data, schedule, distributions: recordsDistributions(ctx) }),
    members,
    offset: 0,
  }));
}

/**
 * A cohort without the runs in `leaving`: the others keep their current weights and step count in a new trainer
 * (null when nobody stays). The old trainer is disposed.
 */
export async function withoutRuns(ctx: CohortContext, cohort: Cohort, leaving: ReadonlySet<RunState>): Promise<Cohort | null> {
  const keep = cohort.members.map((r, i) => [r, i] as const).filter(([r]) => !leaving.has(r));
  if (keep.length === cohort.members.length) return cohort;
  let next: Cohort | null = null;
  if (keep.length) {
    const params = await cohort.trainer.readParameters();
    const trainer = new Trainer(
      ctx.backend,
      { models: keep.map(([r]) => runModel(ctx, r)), data: ctx.data, schedule: scheduleSpec(ctx.lab), distributions: recordsDistributions(ctx) },
      keep.map(([, i]) => params[i]!),
    );
    next = { trainer, members: keep.map(([r]) => r), offset: cohort.offset + cohort.trainer.step };
  }
  cohort.trainer.dispose();
  return next;
}

/** The global step a cohort will take next. */
export function cohortStep(c: Cohort): number {
  return c.offset + c.trainer.step;
}

/** A trainer's record moved to the global step count of its cohort. */
export function globalRecord(rec: StepRecord, offset: number, rowsPerStep: number, rows: number): StepRecord {
  if (offset === 0) return rec;
  const step = rec.step + offset;
  return { ...rec, step, epoch: (step * rowsPerStep) / rows };
}
