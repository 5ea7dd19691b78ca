/**
 * Downloads of a lab's results: the records of every run as CSV (one row per run and logged step, one
 * column per layer metric) or JSON, and trained weights as JSON. Text builders are pure; `download` saves a
 * text through a blob: URL (the page's CSP allows blob:, and nothing leaves the origin).
 */
import type { Parameters } from '../core/init.js';
import type { LabSpec } from '../core/lab-spec.js';
import { npzBytes } from '../core/npz.js';
import { parameterArrays } from '../train/checkpoint.js';
import type { StepRecord } from '../train/records.js';
import type { RunView } from './run-view.js';

const LAYER_METRICS = ['gradNorms', 'biasGradNorms', 'weightNorms', 'updateRatios', 'actMean', 'actStd', 'saturation'] as const;

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Records of all runs as CSV: run, label, step, epoch, loss, accuracy, then `<metric>_<layer>` columns, then lr (the scheduled rate) where records carry it. */
export function recordsToCsv(runs: readonly RunView[]): string {
  const layers = Math.max(0, ...runs.flatMap((r) => r.records.slice(0, 1).map((x) => x.gradNorms.length)));
  const head = ['run', 'label', 'step', 'epoch', 'loss', 'accuracy'];
  for (const m of LAYER_METRICS) for (let l = 0; l < layers; l++) head.push(`${m}_${l}`);
  const withLr = runs.some((r) => r.records.some((x) => x.lr !== undefined));
  if (withLr) head.push('lr');
  const lines = [head.join(',')];
  for (const run of runs) {
    for (const rec of run.records) {
      const row: (string | number | null)[] = [run.id, run.label, rec.step, rec.epoch, rec.loss, rec.accuracy];
      for (const m of LAYER_METRICS) for (let l = 0; l < layers; l++) row.push((rec[m] as readonly number[])[l] ?? null);
      if (withLr) row.push(rec.lr ?? null);
      lines.push(row.map(csvCell).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** JSON-safe number: NaN and ±Infinity become strings (JSON has no such numbers). */
function jsonNumber(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** Records of all runs and the lab they came from, as JSON. */
export function recordsToJson(lab: LabSpec, runs: readonly RunView[]): string {
  const out = {
    lab,
    runs: runs.map((r) => ({ id: r.id, label: r.label, divergedAt: r.divergedAt, records: r.records as readonly StepRecord[] })),
  };
  return JSON.stringify(out, jsonNumber);
}

/** Trained weights of each run as JSON: per layer a fan_in × fan_out matrix (rows) and a bias vector. */
export function weightsToJson(lab: LabSpec, runs: readonly { id: string; label: string; step: number; params: Parameters }[], sizes: readonly number[]): string {
  const out = {
    lab,
    layerSizes: sizes,
    runs: runs.map((r) => ({
      id: r.id,
      label: r.label,
      step: r.step,
      layers: r.params.weights.map((w, l) => {
        const fanOut = sizes[l + 1]!;
        const rows: number[][] = [];
        for (let i = 0; i < w.length; i += fanOut) rows.push(Array.from(w.subarray(i, i + fanOut)));
        return { weights: rows, biases: Array.from(r.params.biases[l]!) };
      }),
    })),
  };
  return JSON.stringify(out, jsonNumber);
}

/** Save `text` as a file named `name` through a temporary blob: URL. */
export function download(name: string, content: string | Uint8Array<ArrayBuffer>, mime: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Every run's trained weights as one NumPy `.npz` archive (`np.load` reads it): the CLI's arrays (W0 of shape
 * (inputs, outputs), b0, W1, …, and gamma/running_mean/running_var with normalisation) prefixed with the run,
 * `run1_W0`, `run1_b0`, …, `run2_W0`, ….
 */
export function weightsToNpz(runs: readonly { params: Parameters }[], sizes: readonly number[]): Uint8Array<ArrayBuffer> {
  return npzBytes(runs.flatMap((r, i) => parameterArrays(r.params, sizes).map((a) => ({ ...a, name: `run${i + 1}_${a.name}` })))) as Uint8Array<ArrayBuffer>;
}
