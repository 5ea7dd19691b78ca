// Initialisation schemes against their closed-form statistics and NumPy's draws; data sets' shapes and labels.
import { describe, expect, it } from 'vitest';
import { CIRCLE_RADIUS, makeDataset } from '../../src/core/datasets.js';
import { drawWeights, initParameters, initStd } from '../../src/core/init.js';
import { NumpyRandom } from '../../src/core/rng.js';
import { preset } from '../../src/core/presets.js';
import { DATASETS, type InitName } from '../../src/core/spec.js';

function std(w: Float64Array): number {
  const m = w.reduce((a, b) => a + b, 0) / w.length;
  return Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / w.length);
}

describe('init', () => {
  it('classic init draws W1 = randn(2,2), W2 = randn(2,1) after np.random.seed', () => {
    const rng = new NumpyRandom(42);
    const expected = rng.randn(6);
    const p = initParameters(preset('xor-classic').model);
    expect([...p.weights[0]!, ...p.weights[1]!]).toEqual([...expected]);
    expect([...p.biases[0]!, ...p.biases[1]!]).toEqual([0, 0, 0]);
  });

  it.each<[InitName, number]>([
    ['lecun', Math.sqrt(1 / 400)],
    ['xavier', Math.sqrt(2 / 700)],
    ['xavier_uniform', Math.sqrt(2 / 700)],
    ['he', Math.sqrt(2 / 400)],
  ])('%s has the closed-form standard deviation, times the gain', (init, expected) => {
    expect(initStd(init, 400, 300)).toBeCloseTo(init === 'xavier_uniform' ? Math.sqrt(2 / 700) : expected, 15);
    const w = drawWeights(init, 400, 300, 2, new NumpyRandom(1));
    expect(std(w) / (2 * expected)).toBeGreaterThan(0.98);
    expect(std(w) / (2 * expected)).toBeLessThan(1.02);
  });

  it('orthogonal gives orthonormal columns (tall) and rows (wide), times the gain', () => {
    for (const [fi, fo] of [
      [12, 5],
      [5, 12],
    ] as const) {
      const w = drawWeights('orthogonal', fi, fo, 1.5, new NumpyRandom(3));
      const small = Math.min(fi, fo);
      for (let p = 0; p < small; p++) {
        for (let q = 0; q < small; q++) {
          let dot = 0;
          for (let i = 0; i < Math.max(fi, fo); i++) {
            dot += fi >= fo ? w[i * fo + p]! * w[i * fo + q]! : w[p * fo + i]! * w[q * fo + i]!;
          }
          expect(dot).toBeCloseTo(p === q ? 2.25 : 0, 10);
        }
      }
    }
  });
});

describe('data sets', () => {
  it.each(DATASETS)('%s is deterministic for a seed and has the declared shape', (dataset) => {
    const spec = { dataset, samples: 50, noise: 0, inputDim: 3, outputDim: 2, seed: 5 };
    const a = makeDataset(spec);
    const b = makeDataset(spec);
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    expect(a.x.length).toBe(a.n * a.inputDim);
    expect(a.y.length).toBe(a.n * a.outputDim);
    const other = makeDataset({ ...spec, seed: 6 }).x;
    const seeded = dataset === 'circle' || dataset === 'gaussian' || dataset === 'random';
    expect(other.some((v, i) => v !== a.x[i])).toBe(seeded);
  });

  it('labels circle points by the disc of half the square', () => {
    const d = makeDataset({ dataset: 'circle', samples: 4000, noise: 0, inputDim: 2, outputDim: 1, seed: 1 });
    let inside = 0;
    for (let i = 0; i < d.n; i++) {
      const r2 = d.x[2 * i]! ** 2 + d.x[2 * i + 1]! ** 2;
      expect(d.y[i]).toBe(r2 < CIRCLE_RADIUS ** 2 ? 1 : 0);
      inside += d.y[i]!;
    }
    expect(inside / d.n).toBeGreaterThan(0.46);
    expect(inside / d.n).toBeLessThan(0.54);
  });

  it('xor and and hold the truth tables', () => {
    expect([...makeDataset({ dataset: 'xor', samples: 4, noise: 0, inputDim: 2, outputDim: 1, seed: 0 }).y]).toEqual([0, 1, 1, 0]);
    expect([...makeDataset({ dataset: 'and', samples: 4, noise: 0, inputDim: 2, outputDim: 1, seed: 0 }).y]).toEqual([0, 0, 0, 1]);
  });
});
