// The CPU twin of the quantile kernel against NumPy (tests/fixtures/make_quantile_fixtures.py): every level within
// one histogram bin width of np.quantile, min and max exact, histogram counts equal to np.histogram's; then the
// backend method's layout, its NaN rule and its field-named error.
import { describe, expect, it } from 'vitest';
import { shape } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { HISTOGRAM_BINS, QUANTILE_COUNT, QUANTILE_LEVELS, histogramCounts, histogramQuantiles } from '../../src/backend/cpu/quantiles.js';
import fixture from '../fixtures/quantiles.json';

describe('histogram quantiles vs NumPy', () => {
  it('uses the fixture levels and bins', () => {
    expect(fixture.levels).toEqual(QUANTILE_LEVELS);
    expect(fixture.bins).toBe(HISTOGRAM_BINS);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: within one bin width of np.quantile', (_name, c) => {
    const [batch, rows, cols] = c.shape as [number, number, number];
    const n = rows * cols;
    for (let b = 0; b < batch; b++) {
      const out = new Float64Array(QUANTILE_COUNT);
      histogramQuantiles(c.data, b * n, n, out, 0);
      const e = c.entries[b]!;
      expect(out[0]).toBe(e.quantiles[0]);
      expect(out[QUANTILE_COUNT - 1]).toBe(e.quantiles[QUANTILE_COUNT - 1]);
      for (let i = 0; i < QUANTILE_COUNT; i++) {
        const err = Math.abs(out[i]! - e.quantiles[i]!);
        if (!(err <= e.binWidth)) expect.fail(`${c.name}[${b}] level ${QUANTILE_LEVELS[i]}: got ${out[i]}, np ${e.quantiles[i]}, bin width ${e.binWidth}`);
      }
    }
  });

  it.each(fixture.cases.filter((c) => c.entries.every((e) => e.binWidth > 0)).map((c) => [c.name, c] as const))(
    '%s: histogram counts equal np.histogram',
    (_name, c) => {
      const [batch, rows, cols] = c.shape as [number, number, number];
      const n = rows * cols;
      const counts = new Uint32Array(HISTOGRAM_BINS + 1);
      for (let b = 0; b < batch; b++) {
        const slice = c.data.slice(b * n, (b + 1) * n);
        histogramCounts(c.data, b * n, n, Math.min(...slice), c.entries[b]!.binWidth, counts);
        expect(Array.from(counts.subarray(0, HISTOGRAM_BINS))).toEqual(c.entries[b]!.histogram);
      }
    },
  );

  it('is sharper than the bound where a bin holds one entry: a uniform grid is exact', () => {
    const x = Array.from({ length: 257 }, (_, i) => i);
    const out = new Float64Array(QUANTILE_COUNT);
    histogramQuantiles(x, 0, x.length, out, 0);
    QUANTILE_LEVELS.forEach((q, i) => expect(Math.abs(out[i]! - 256 * q)).toBeLessThanOrEqual(1));
  });
});

describe('CpuBackend.quantilesInto', () => {
  it('writes 9 levels per batch entry at the column, NaN for an entry with a NaN, and leaves the rest alone', () => {
    const be = createCpuBackend({ dtype: 'f32' });
    const t = be.tensor(shape(2, 2, 2), [1, 2, 3, 4, 0, NaN, 1, 1]);
    const metrics = be.tensor(shape(2, 1, 12), new Array(24).fill(-9));
    be.quantilesInto(t, metrics, 2);
    return be.read(metrics).then((m) => {
      expect(Array.from(m.subarray(0, 2))).toEqual([-9, -9]);
      expect(m[2]).toBe(1);
      expect(m[6]).toBeCloseTo(2.5, 1);
      expect(m[10]).toBe(4);
      expect(m[11]).toBe(-9);
      expect(Array.from(m.subarray(14, 23)).every(Number.isNaN)).toBe(true);
      be.destroy();
    });
  });

  it('names the metrics shape and column when there is no room', () => {
    const be = createCpuBackend({ dtype: 'f64' });
    const t = be.tensor(shape(1, 3, 3));
    const metrics = be.tensor(shape(1, 1, 10));
    expect(() => be.quantilesInto(t, metrics, 2)).toThrow(/quantilesInto: metrics \[1, 1, 10\] has no room for 9 values at column 2/);
    be.destroy();
  });
});
