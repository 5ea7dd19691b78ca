/**
 * The decision-boundary grid of 2-D data: the network's output on a size × size grid of points over
 * [-extent, extent]², row 0 at the top (y = +extent), computed with Trainer.predict for every model at once.
 */
import type { Trainer } from '../../train/trainer.js';
import type { RunView } from '../run-view.js';

/** Default grid: 48 × 48 points over [-1.2, 1.2]². */
export const BOUNDARY_SIZE = 48;
export const BOUNDARY_EXTENT = 1.2;

/** Grid points as rows of (x, y), row-major with row 0 at y = +extent; `out` reused when long enough. */
export function boundaryInputs(size: number, extent: number, out?: Float64Array): Float64Array {
  const x = out && out.length >= 2 * size * size ? out : new Float64Array(2 * size * size);
  const step = size > 1 ? (2 * extent) / (size - 1) : 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      x[2 * i] = -extent + c * step;
      x[2 * i + 1] = extent - r * step;
    }
  }
  return x;
}

/**
 * The grid values the chart draws: the outputs themselves as f32, `points × k` (k = 1: the probability of
 * class 1 or the regression value; k > 1: the softmax probabilities of every class, for argmax colours).
 */
export function boundaryValues(outputs: Float64Array, points: number, k: number, out?: Float32Array): Float32Array {
  const n = points * k;
  const v = out && out.length === n ? out : new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = outputs[i]!;
  return v;
}

/** Grid rows per prediction of computeBoundaries: a 50-layer pair's 48 × 48 grid is 6 tasks of a few ms, not one. */
export const BOUNDARY_CHUNK_ROWS = 8;

/**
 * The boundary of every model of a trainer, in model order. The grid is predicted a few rows at a time, with
 * `between()` awaited between the parts (the lab's zero sleep: a command queued meanwhile, such as Pause, is
 * answered at once rather than after the whole grid); each point's output is the same either way.
 */
export async function computeBoundaries(
  trainer: Trainer,
  size = BOUNDARY_SIZE,
  extent = BOUNDARY_EXTENT,
  between: () => Promise<void> = () => Promise.resolve(),
): Promise<NonNullable<RunView['boundary']>[]> {
  const points = size * size;
  const x = boundaryInputs(size, extent);
  const k = trainer.sizes[trainer.sizes.length - 1]!;
  const outs: Float64Array[] = [];
  for (let r0 = 0; r0 < size; r0 += BOUNDARY_CHUNK_ROWS) {
    if (r0 > 0) await between();
    const rows = Math.min(BOUNDARY_CHUNK_ROWS, size - r0);
    const part = await trainer.predict(x.subarray(2 * r0 * size, 2 * (r0 + rows) * size), rows * size);
    part.forEach((o, m) => {
      outs[m] ??= new Float64Array(points * k);
      outs[m]!.set(o, r0 * size * k);
    });
  }
  return outs.map((o) => ({ size, extent, values: boundaryValues(o, points, k) }));
}
