/**
 * Built-in data sets, seeded and deterministic. Inputs are rows of x (n × inputDim), targets rows of y
 * (n × outputDim); 2-D sets live roughly in [-1, 1]² so that the decision boundary can be drawn there.
 */
import { NumpyRandom } from './rng.js';
import type { DataSpec, DatasetName } from './spec.js';
import { datasetDims } from './spec.js';

/** What kind of task the targets describe. */
export type Task = 'binary' | 'multiclass' | 'regression';

/** A data set in memory. */
export interface Dataset {
  readonly name: DatasetName | 'csv';
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly task: Task;
  /** Class names for classification (index = class), else empty. */
  readonly classes: readonly string[];
}

/** Radius of the `circle` set's disc: half of the square [-1, 1]² lies inside it. */
export const CIRCLE_RADIUS = Math.sqrt(2 / Math.PI);

/** Generate the data a spec describes. */
export function makeDataset(spec: DataSpec): Dataset {
  const rng = new NumpyRandom(spec.seed);
  const { inputDim, outputDim, samples: n } = datasetDims(spec);
  const x = new Float64Array(n * inputDim);
  const y = new Float64Array(n * outputDim);
  const binary = (name: DatasetName): Dataset => ({ name, x, y, n, inputDim, outputDim, task: 'binary', classes: ['0', '1'] });
  switch (spec.dataset) {
    case 'xor':
    case 'and': {
      x.set([0, 0, 0, 1, 1, 0, 1, 1]);
      y.set(spec.dataset === 'xor' ? [0, 1, 1, 0] : [0, 0, 0, 1]);
      return binary(spec.dataset);
    }
    case 'circle':
      for (let i = 0; i < n; i++) {
        const px = rng.uniform(-1, 1);
        const py = rng.uniform(-1, 1);
        y[i] = px * px + py * py < CIRCLE_RADIUS * CIRCLE_RADIUS ? 1 : 0;
        x[2 * i] = px + spec.noise * rng.standardNormal();
        x[2 * i + 1] = py + spec.noise * rng.standardNormal();
      }
      return binary('circle');
    case 'spiral': {
      // Two interleaved arms (as in TensorFlow Playground), scaled into [-1, 1]².
      const half = Math.ceil(n / 2);
      for (let i = 0; i < n; i++) {
        const arm = i < half ? 0 : 1;
        const j = arm === 0 ? i : i - half;
        const count = arm === 0 ? half : n - half;
        const r = (j / Math.max(count, 1)) * 0.95;
        const t = 1.75 * (j / Math.max(count, 1)) * 2 * Math.PI + arm * Math.PI;
        x[2 * i] = r * Math.sin(t) + spec.noise * rng.standardNormal();
        x[2 * i + 1] = r * Math.cos(t) + spec.noise * rng.standardNormal();
        y[i] = arm;
      }
      return binary('spiral');
    }
    case 'gaussian':
      for (let i = 0; i < n; i++) {
        const label = i % 2;
        const c = label === 1 ? 0.5 : -0.5;
        const s = 0.25 + spec.noise;
        x[2 * i] = c + s * rng.standardNormal();
        x[2 * i + 1] = c + s * rng.standardNormal();
        y[i] = label;
      }
      return binary('gaussian');
    case 'random':
      rng.randn(n * inputDim, x);
      rng.randn(n * outputDim, y);
      return { name: 'random', x, y, n, inputDim, outputDim, task: 'regression', classes: [] };
  }
}
