/**
 * Record intake of the lab's runs: each step's records go to their runs, which are judged for divergence and for
 * the loss stop condition, and a run's history is thinned so that memory and chart drawing stay bounded.
 */
import type { LabSpec } from '../../core/lab-spec.js';
import type { StepRecord } from '../../train/records.js';
import { globalRecord, type Cohort, type RunState } from './run-state.js';

/** Records kept per run at most: beyond it every other older record is dropped (the charts keep their shape). */
export const MAX_RECORDS = 5000;

/** Per-layer numbers kept per run at most (a record holds about 8 per layer): deep runs keep fewer records. */
export const MAX_RECORD_NUMBERS = 1_000_000;

/** How many records a run of `layers` weight layers keeps: MAX_RECORDS, fewer for deep nets, never below 500. */
export function recordCap(layers: number): number {
  return Math.max(500, Math.min(MAX_RECORDS, Math.floor(MAX_RECORD_NUMBERS / (8 * Math.max(1, layers)))));
}

/**
 * Every other record, keeping the first and the last: a run that trains for hours keeps at most recordCap
 * records (memory and chart drawing stay bounded), evenly thinned over its whole history.
 */
export function thinRecords<T>(records: readonly T[]): T[] {
  return records.filter((_, i) => i % 2 === 0 || i === records.length - 1);
}

/**
 * Hand one step's records of cohort `c` to its members that are active and still among `runs` (`rows`: rows of
 * the data set): a run whose trainer saw a NaN or infinity at this step or before (in any update, logged or not)
 * is marked diverged at that exact step and the record is not kept (`onDiverged` then says so); a loss at or below
 * the stop condition's stops its run.
 */
export function takeRecords(
  c: Cohort,
  recs: readonly StepRecord[],
  runs: readonly RunState[],
  rows: number,
  stop: LabSpec['stop'],
  onDiverged: (run: RunState) => void,
): void {
  c.members.forEach((run, i) => {
    if (run.status !== 'active' || !runs.includes(run)) return;
    const rec = globalRecord(recs[i]!, c.offset, c.trainer.rowsPerStep, rows);
    // The trainer's verdict as of this record (it may already know of a later step's NaN, which is not judged yet).
    const at = c.trainer.divergedAt(i, recs[i]!.step);
    if (at !== null) {
      run.status = 'diverged';
      run.divergedAt = at + c.offset;
      run.message = `diverged at step ${run.divergedAt}`;
      onDiverged(run);
      return;
    }
    run.records.push(rec);
    if (run.records.length > recordCap(rec.gradNorms.length)) run.records = thinRecords(run.records);
    if (stop.kind === 'loss' && rec.loss <= stop.value) {
      run.status = 'stopped';
      run.message = `reached loss ${stop.value} at step ${rec.step}`;
    }
  });
}
