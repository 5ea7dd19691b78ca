/**
 * Pure helpers that turn runs' records into uPlot's column layout: one shared x column (the union of the
 * runs' logged steps) and one y column per run with gaps (null) where a run has no record at that step.
 */

/** The sorted union of several ascending step sequences. */
export function unionSteps(stepsPerRun: readonly ArrayLike<number>[]): number[] {
  const all: number[] = [];
  for (const steps of stepsPerRun) for (let i = 0; i < steps.length; i++) all.push(steps[i]!);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const s of all) if (out.length === 0 || out[out.length - 1] !== s) out.push(s);
  return out;
}

/** Values of one run placed on the shared x column `x`; null where the run has no record (steps ascending). */
export function alignToSteps(
  x: readonly number[],
  steps: ArrayLike<number>,
  values: ArrayLike<number | null>,
  out: (number | null)[] = [],
): (number | null)[] {
  out.length = x.length;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    while (j < steps.length && steps[j]! < x[i]!) j++;
    out[i] = j < steps.length && steps[j] === x[i] ? values[j]! : null;
  }
  return out;
}

/** Whether all sequences are element-wise equal (the common case: runs logged on the same steps). */
export function sameSteps(stepsPerRun: readonly ArrayLike<number>[]): boolean {
  const first = stepsPerRun[0];
  if (!first) return true;
  for (const s of stepsPerRun) {
    if (s.length !== first.length) return false;
    for (let i = 0; i < s.length; i++) if (s[i] !== first[i]) return false;
  }
  return true;
}

/** Record indices to show in `columns` columns of a heatmap of `count` records: the last record of each bucket. */
export function columnSamples(count: number, columns: number, out: number[] = []): number[] {
  const n = Math.max(0, Math.min(count, Math.floor(columns)));
  out.length = n;
  for (let j = 0; j < n; j++) out[j] = Math.floor(((j + 1) * count) / n) - 1;
  return out;
}

/** Layer-number ticks from 1 to `count` that fit `pixels` at `spacing` px apart: 1, then multiples of 1, 2, 5, 10, … */
export function layerTicks(count: number, pixels: number, spacing = 22): number[] {
  const fit = Math.max(1, Math.floor(pixels / spacing));
  let step = 1;
  for (const s of [1, 2, 5, 10, 20, 50, 100, 200, 500]) {
    step = s;
    if (Math.ceil(count / s) <= fit) break;
  }
  const ticks = [1];
  for (let v = step; v <= count; v += step) if (v > 1) ticks.push(v);
  return ticks;
}
