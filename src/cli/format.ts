/** Human-readable output of the CLI: a table of logged steps and a progress bar on stderr. */
import type { StepRecord } from '../train/records.js';

/** A number in a fixed width: plain for moderate magnitudes, exponent form otherwise. */
export function fmt(v: number | null, digits = 4): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? v.toFixed(digits) : v.toExponential(2);
}

/** Header of the step table. */
export function tableHeader(layers: number): string {
  const cols = ['step', 'epoch', 'loss', 'accuracy', '|dL/dW| in', '|dL/dW| out', 'ratio in/out'];
  return `${cols.map((c, i) => (i === 0 ? c.padStart(8) : c.padStart(13))).join('')}   (${layers} weight layers)`;
}

/** One row of the step table. */
export function tableRow(r: StepRecord): string {
  const first = r.gradNorms[0] ?? 0;
  const last = r.gradNorms[r.gradNorms.length - 1] ?? 0;
  const cells = [fmt(r.epoch, 2), fmt(r.loss, 6), fmt(r.accuracy, 3), fmt(first), fmt(last), fmt(last > 0 ? first / last : null)];
  return String(r.step).padStart(8) + cells.map((c) => c.padStart(13)).join('');
}

/** A one-line progress bar ("[#####-----] 50% 5000/10000"). */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'-'.repeat(width - n)}] ${Math.round(f * 100)}% ${done}/${total}`;
}
