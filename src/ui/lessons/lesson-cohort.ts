/**
 * A trainer and the runs it trains as the chart elements see them (RunView): the lessons' small wrapper over
 * Trainer. Records are appended in place at the logged steps; the step a run diverged at is kept.
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../core/datasets.js';
import type { ModelSpec, ScheduleSpec } from '../../core/spec.js';
import type { StepRecord } from '../../train/records.js';
import { Trainer } from '../../train/trainer.js';
import { computeBoundaries } from '../lab/boundary.js';
import type { RunView } from '../run-view.js';

/** A run as a lesson shows it: label and colour fixed, records growing. */
export interface LessonRunView extends RunView {
  records: StepRecord[];
  divergedAt: number | null;
  boundary: RunView['boundary'];
}

/** Label, colour and activation of a run. */
export interface RunMeta {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly activation: string;
}

/** One trainer (one or more same-shape models) and its runs. */
export class LessonCohort {
  readonly trainer: Trainer;
  readonly views: LessonRunView[];
  /** The first model's outputs on the data in the last step's forward pass (before its update), once taken; kept only with `keepLastPass`. */
  lastPass: Float64Array | null = null;

  /** `models[i]` is shown as `meta[i]`; `logEvery` is how often records are kept (and the last of `total` steps). */
  constructor(
    backend: Backend,
    readonly data: Dataset,
    models: readonly ModelSpec[],
    meta: readonly RunMeta[],
    readonly schedule: ScheduleSpec,
    private readonly keepLastPass = false,
  ) {
    this.trainer = new Trainer(backend, { models, data, schedule });
    this.views = meta.map((m) => ({ ...m, records: [], divergedAt: null, boundary: null }));
  }

  /** Steps taken so far. */
  get step(): number {
    return this.trainer.step;
  }

  /** Whether the schedule's steps are all done. */
  get done(): boolean {
    return this.trainer.step >= this.schedule.steps;
  }

  /** Take up to `count` steps (never past the schedule's end), keeping the records of the logged ones. */
  async advance(count: number): Promise<void> {
    const pending: Promise<StepRecord[]>[] = [];
    let last: Promise<Float64Array[]> | null = null;
    for (let i = 0; i < count && !this.done; i++) {
      // predict() snapshots the outputs now, before the last step's update.
      if (this.keepLastPass && this.trainer.step === this.schedule.steps - 1) last = this.trainer.predict(this.data.x, this.data.n);
      const r = this.trainer.stepOnce(this.trainer.shouldLog(this.trainer.step));
      if (r) pending.push(r);
    }
    for (const p of pending) this.keep(await p);
    if (last) this.lastPass = (await last)[0]!;
  }

  /** Append one logged step's records (one per model). */
  keep(records: readonly StepRecord[]): void {
    const status = this.trainer.memberStatus();
    records.forEach((rec, i) => {
      const v = this.views[i]!;
      v.records.push(rec);
      if (v.divergedAt === null) v.divergedAt = status[i]!.divergedAt;
    });
  }

  /** Recompute the decision boundaries (2-D inputs only). */
  async refreshBoundaries(): Promise<void> {
    if (this.data.inputDim !== 2) return;
    const grids = await computeBoundaries(this.trainer);
    grids.forEach((g, i) => (this.views[i]!.boundary = g));
  }

  /** Release the trainer's tensors. */
  dispose(): void {
    this.trainer.dispose();
  }
}

/** A version string for charts: changes whenever any run gets a record or a boundary. */
export function cohortsVersion(cohorts: readonly LessonCohort[], revision: number): string {
  return `${revision}:${cohorts.map((c) => c.views.map((v) => `${v.records.length}${v.boundary ? 'b' : ''}`).join(',')).join(';')}`;
}
