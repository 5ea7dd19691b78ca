// The trainer's distribution records: off by default (no columns, no field), and when on, per layer 3 × 9 quantiles
// (a, ∂L/∂z, W) at the logged step: the weights' against exact quantiles of the weights read before the update, the
// activations inside sigmoid's range, and every quantity's levels non-decreasing.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { QUANTILE_LEVELS } from '../../src/backend/cpu/quantiles.js';
import { makeDataset } from '../../src/core/datasets.js';
import { deepStack } from '../../src/core/presets.js';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES, metricsLayout } from '../../src/train/records.js';
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
    expect(metricsLayout(4, true).width - metricsLayout(4).width).toBe(4 * 27);
    const backend = createCpuBackend({ dtype: 'f64' });
    const trainer = new Trainer(backend, { models: [spec.model], data, schedule: spec.schedule });
    const [rec] = (await trainer.stepOnce(true))!;
    expect(rec!.distributions).toBeUndefined();
    trainer.dispose();
    backend.destroy();
  });

  it('when on, hold 3 × 9 quantiles per layer; the weights match exact quantiles within one bin', async () => {
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
        const base = (l * 3 + DISTRIBUTION_QUANTITIES.indexOf('w')) * DISTRIBUTION_LEVELS;
        const width = (Math.max(...w) - Math.min(...w)) / 256;
        QUANTILE_LEVELS.forEach((q, i) => expect(Math.abs(d[base + i]! - quantile(w, q))).toBeLessThanOrEqual(width * 1.001 + 1e-6));
        // Sigmoid activations lie in (0, 1), and each quantity's levels are non-decreasing.
        const a = (l * 3) * DISTRIBUTION_LEVELS;
        if (l < L - 1) expect(d[a]! > 0 && d[a + 8]! < 1).toBe(true);
        for (let k = 0; k < 3 * DISTRIBUTION_LEVELS; k++) {
          if (k % DISTRIBUTION_LEVELS) expect(d[l * 27 + k]!).toBeGreaterThanOrEqual(d[l * 27 + k - 1]!);
        }
      }
    }
    trainer.dispose();
    backend.destroy();
  });
});
