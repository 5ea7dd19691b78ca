/**
 * What the network view is given about one run: a parameter snapshot and the batch it was traced on, with the
 * forward/backward trace, per-unit statistics and the chain factors computed from them (src/core/inspect.ts).
 */
import type { Parameters } from '../../core/init.js';
import { chainFactors, traceBatch, unitStats, type BatchTrace, type ChainFactor, type InspectModel, type UnitStats } from '../../core/inspect.js';
import type { UpdateInfo } from '../../core/step-stages.js';

/** One run's step as the page recomputes it in f64. */
export interface RunInspection {
  /** Run id ("run0"…). */
  readonly id: string;
  /** The step these parameters take next (steps taken so far). */
  readonly step: number;
  /** The model, or null when it cannot be drawn unit by unit (then `reason` says why). */
  readonly model: InspectModel | null;
  readonly reason: string | null;
  readonly params: Parameters | null;
  readonly trace: BatchTrace | null;
  readonly stats: UnitStats | null;
  /** Chain factors, output layer first. */
  readonly chain: readonly ChainFactor[];
  /** Which rows were traced, in words ("the full batch of 200 rows", "12 of the 200 rows, evenly spread …"). */
  readonly batch: string;
  /** Whether the traced rows are exactly the batch the trainer's next step uses. */
  readonly exact: boolean;
  /** How the update applies the gradients (optimizer, learning rate, clipping). */
  readonly update: UpdateInfo;
}

/** What an inspection is made from. */
export interface InspectionInput {
  readonly id: string;
  readonly step: number;
  readonly model: InspectModel;
  readonly params: Parameters;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly batch: string;
  readonly exact: boolean;
  readonly update: UpdateInfo;
}

/** Trace a snapshot and summarise it. */
export function inspectRun(i: InspectionInput): RunInspection {
  const trace = traceBatch(i.model, i.params, i.x, i.y, i.rows);
  return { ...i, reason: null, trace, stats: unitStats(i.model, trace), chain: chainFactors(trace) };
}

/** An inspection of a run that cannot be traced, saying why. */
export function notInspected(id: string, step: number, reason: string, update: UpdateInfo): RunInspection {
  return { id, step, model: null, reason, params: null, trace: null, stats: null, chain: [], batch: '', exact: false, update };
}

/** Reads every run's current step as the network view draws it (the lab supplies one: src/ui/lab/inspect-source.ts). */
export type InspectSource = () => Promise<RunInspection[]>;
