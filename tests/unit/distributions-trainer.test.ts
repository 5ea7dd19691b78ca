// The trainer's distribution records: off by default (no columns, no field), and when on, per layer 4 × 9 quantiles
// (a, ∂L/∂z, W, z) at the logged step: the weights' against exact quantiles of the weights read before the update, the
// activations inside sigmoid's range, z against the logit of a (sigmoid is monotonic: quantiles commute with it) and
// against exact quantiles of z recomputed from the weights, NaN for the output layer's z, and every quantity's levels
// non-decreasing.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { QUANTILE_LEVELS } from '../../src/backend/cpu/quantiles.js';
import { makeDataset } from '../../src/core/datasets.js';
import { deepStack } from '../../src/core/presets.js';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES, metricsLayout } from '../../src/train/records.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';

/** np.quantile(x, q), method 'linear'. */
function quantile(x: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(x).sort();
  const h = (s.length - 1) * q;
  const k = Math.floor(h);
  return s[k]! + (h - k) * (s[Math.min(k + 1, s.length - 1)]! - s[k]!);
}

describe('trainer distributions', () => {
  const spec = deepStack('sigmoid', 3, 16);
  const data = makeDataset(spec.data);

  it('are off by default: the metrics row has no room for them and records carry none', async () => {
    expect(metricsLayout(4).distributions).toBe(-1);
    expect(DISTRIBUTION_QUANTITIES).toEqual(['a', 'dz', 'w', 'z']);
    expect(metricsLayout(4, true).width - metricsLayout(4).width).toBe(4 * 36);
    const backend = createCpuBackend({ dtype: 'f64' });
    const trainer = new Trainer(backend, { models: [spec.model], data, schedule: spec.schedule });
    const [rec] = (await trainer.stepOnce(true))!;
    expect(rec!.distributions).toBeUndefined();
    trainer.dispose();
    backend.destroy();
  });

  it('when on, hold 4 × 9 quantiles per layer; the weights match exact quantiles within one bin', async () => {
    const backend = createCpuBackend({ dtype: 'f64' });
    const trainer = new Trainer(backend, { models: [spec.model, spec.model], data, schedule: spec.schedule, distributions: true });
    const before = await trainer.readParameters();
    const recs = (await trainer.stepOnce(true))!;
    const L = trainer.layers;
    for (const [b, rec] of recs.entries()) {
      const d = rec.distributions!;
      expect(d.length).toBe(L * DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS);
      for (let l = 0; l < L; l++) {
        const w = before[b]!.weights[l]!;
        const base = (l * 4 + DISTRIBUTION_QUANTITIES.indexOf('w')) * DISTRIBUTION_LEVELS;
        const width = (Math.max(...w) - Math.min(...w)) / 256;
        QUANTILE_LEVELS.forEach((q, i) => expect(Math.abs(d[base + i]! - quantile(w, q))).toBeLessThanOrEqual(width * 1.001 + 1e-6));
        // Sigmoid activations lie in (0, 1), and each quantity's levels are non-decreasing.
        const a = (l * 4) * DISTRIBUTION_LEVELS;
        const z = (l * 4 + 3) * DISTRIBUTION_LEVELS;
        if (l < L - 1) {
          expect(d[a]! > 0 && d[a + 8]! < 1).toBe(true);
          // Min and max are exact: z's are the logits of a's (within f32 rounding of the record).
          for (const i of [0, 8]) expect(d[z + i]!).toBeCloseTo(Math.log(d[a + i]! / (1 - d[a + i]!)), 4);
        } else {
          for (let i = 0; i < DISTRIBUTION_LEVELS; i++) expect(d[z + i]).toBeNaN();
        }
        for (let k = 0; k < (l < L - 1 ? 4 : 3) * DISTRIBUTION_LEVELS; k++) {
          if (k % DISTRIBUTION_LEVELS) expect(d[l * 36 + k]!).toBeGreaterThanOrEqual(d[l * 36 + k - 1]!);
        }
      }
    }
    trainer.dispose();
    backend.destroy();
  });

  it('z of the first hidden layer matches exact quantiles of x·W₀ + b₀ within one bin, also for a GELU stack', async () => {
    for (const act of ['sigmoid', 'gelu'] as const) {
      const model = { ...spec.model, activations: spec.model.activations.map(() => act) };
      const backend = createCpuBackend({ dtype: 'f64' });
      const trainer = new Trainer(backend, { models: [model], data, schedule: { ...spec.schedule, batchSize: 0 }, distributions: true });
      const [p] = await trainer.readParameters();
      const [rec] = (await trainer.stepOnce(true))!;
      const [n, k, m] = [data.n, data.inputDim, model.hidden[0]!];
      const z = new Float64Array(n * m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          let s = p!.biases[0]![j]!;
          for (let c = 0; c < k; c++) s += data.x[i * k + c]! * p!.weights[0]![c * m + j]!;
          z[i * m + j] = s;
        }
      }
      const width = (Math.max(...z) - Math.min(...z)) / 256;
      const base = 3 * DISTRIBUTION_LEVELS;
      QUANTILE_LEVELS.forEach((q, i) => expect(Math.abs(rec!.distributions![base + i]! - quantile(z, q)), `${act} level ${q}`).toBeLessThanOrEqual(width * 1.001 + 1e-6));
      trainer.dispose();
      backend.destroy();
    }
  });

  it('change nothing else: with them on, every record and the weights equal the run without them (CPU f64, logged and unlogged steps, ReLU and GELU)', async () => {
    for (const act of ['relu', 'gelu'] as const) {
      const base = deepStack('relu', 4, 12);
      const s = { ...base, model: { ...base.model, activations: base.model.activations.map(() => act) } };
      const d = makeDataset(s.data);
      const schedule = { ...s.schedule, logEvery: 3, batchSize: 16 };
      const run = async (distributions: boolean) => {
        const backend = createCpuBackend({ dtype: 'f64' });
        const trainer = new Trainer(backend, { models: [s.model], data: d, schedule, distributions });
        const records: StepRecord[][] = [];
        await trainer.run(10, (r) => records.push(r), 10);
        const params = await trainer.readParameters();
        trainer.dispose();
        backend.destroy();
        return { records: records.map((step) => step.map(({ distributions: _, ...r }) => r)), weights: params[0]!.weights.map((w) => Array.from(w)) };
      };
      const off = await run(false);
      const on = await run(true);
      expect(on.records.length).toBe(off.records.length);
      expect(on.records.length).toBeGreaterThan(2);
      expect(on).toEqual(off);
    }
  });
});
