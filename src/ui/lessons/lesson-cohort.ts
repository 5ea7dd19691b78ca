/**
 * A trainer and the runs it trains as the chart elements see them (RunView): the lessons' small wrapper over a
 * LessonTrainer (in the training worker on the browser path, lesson-trainer.ts). Records are appended in place at the
 * logged steps; the step a run diverged at is kept.
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../core/datasets.js';
import type { ModelSpec, ScheduleSpec } from '../../core/spec.js';
import type { StepRecord } from '../../train/records.js';
import { BOUNDARY_EXTENT, BOUNDARY_SIZE, boundaryInputs, boundaryValues } from '../lab/boundary.js';
import type { RunView } from '../run-view.js';
import { LocalLessonTrainer, type LessonTrainer, type TrainerSource } from './lesson-trainer.js';

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
  readonly trainer: LessonTrainer;
  readonly views: LessonRunView[];
  /** The first model's outputs on the data in the last step's forward pass (before its update), once taken; kept only with `keepLastPass`. */
  lastPass: Float64Array | null = null;

  /**
   * `models[i]` is shown as `meta[i]`; `logEvery` is how often records are kept (and the last of `total` steps). The
   * trainer comes from `source` (the lesson's worker), or is made in the page on a backend.
   */
  constructor(
    source: Backend | TrainerSource,
    readonly data: Dataset,
    models: readonly ModelSpec[],
    meta: readonly RunMeta[],
    readonly schedule: ScheduleSpec,
    private readonly keepLastPass = false,
  ) {
    const setup = { models, data, schedule };
    this.trainer = typeof (source as TrainerSource).trainer === 'function' ? (source as TrainerSource).trainer(setup) : new LocalLessonTrainer(source as Backend, setup);
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
    if (count <= 0 || this.done) return;
    const r = await this.trainer.advance(count, this.keepLastPass);
    for (const recs of r.records) this.keep(recs);
    if (r.lastPass) this.lastPass = r.lastPass;
  }

  /** Append one logged step's records (one per model). */
  keep(records: readonly StepRecord[]): void {
    const diverged = this.trainer.divergedAt;
    records.forEach((rec, i) => {
      const v = this.views[i]!;
      v.records.push(rec);
      if (v.divergedAt === null) v.divergedAt = diverged[i] ?? null;
    });
  }

  /** Recompute the decision boundaries (2-D inputs only). */
  async refreshBoundaries(): Promise<void> {
    if (this.data.inputDim !== 2) return;
    const size = BOUNDARY_SIZE;
    const points = size * size;
    const outs = await this.trainer.predict(boundaryInputs(size, BOUNDARY_EXTENT), points);
    const k = this.data.outputDim;
    outs.forEach((o, i) => (this.views[i]!.boundary = { size, extent: BOUNDARY_EXTENT, values: boundaryValues(o, points, k) }));
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
