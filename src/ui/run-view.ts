/**
 * What a chart element is given about one run: its label, colour and the records so far. Charts read only
 * this; the lab controller owns the trainers and appends records.
 */
import type { ClipSpec } from '../core/spec.js';
import type { StepRecord } from '../train/records.js';

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; one per run. */
export const RUN_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'] as const;

/** One run as the charts see it. */
export interface RunView {
  /** Stable id (position in the lab, "run0".."run3"). */
  readonly id: string;
  /** Human label, e.g. "sigmoid · xavier". */
  readonly label: string;
  /** Line colour. */
  readonly color: string;
  /** Records of the logged steps, oldest first (appended to in place while training). */
  readonly records: readonly StepRecord[];
  /** Step at which the run diverged (NaN/Inf), or null. */
  readonly divergedAt: number | null;
  /** Hidden activation of the run (for the saturation chart's label: saturated vs dead); its first layer's in a per-layer run. */
  readonly activation: string;
  /** Per-layer runs: the activation of each hidden layer (absent when every layer has `activation`). */
  readonly activations?: readonly string[];
  /** Decision-boundary grid for 2-D data sets: `size × size` outputs over [-extent, extent]², row 0 at the top; null if not 2-D. */
  readonly boundary: { readonly size: number; readonly extent: number; readonly values: Float32Array } | null;
  /** Gradient clipping of the run (the loss chart marks the steps where it acted); absent or null: none. */
  readonly clip?: ClipSpec | null;
}

/** The activation of hidden layer `layer` (0-based) of a run: its per-layer list's where it has one. */
export function layerActivation(run: RunView, layer: number): string {
  return run.activations?.[layer] ?? run.activation;
}

/** Charts redraw when this changes: the number of records of every run plus a reset counter. */
export function runsVersion(runs: readonly RunView[], resets: number): string {
  return `${resets}:${runs.map((r) => r.records.length).join(',')}`;
}
