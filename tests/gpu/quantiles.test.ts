/**
 * The quantile kernel (shaders/quantiles.wgsl) on WebGPU (Dawn) against its CPU twin and NumPy's np.quantile
 * (tests/fixtures/quantiles.json): every level within one histogram bin width of both (bins may differ by f32
 * rounding at an edge, never by more than one bin), min and max exact, NaN rows, a shared metrics row, a dispatch
 * grid beyond the per-dimension limit, and the field-named error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape } from '../../src/backend/backend.js';
import { QUANTILE_COUNT, QUANTILE_LEVELS, histogramQuantiles } from '../../src/backend/cpu/quantiles.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import fixture from '../fixtures/quantiles.json';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => be?.destroy());

describe('quantilesInto on WebGPU', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s: within one bin width of the CPU twin and np.quantile', async (_name, c) => {
    const [batch, rows, cols] = c.shape as [number, number, number];
    const t = be.tensor(shape(batch, rows, cols), c.data);
    const metrics = be.tensor(shape(batch, 1, QUANTILE_COUNT + 3));
    be.quantilesInto(t, metrics, 3);
    const got = await be.read(metrics);
    const n = rows * cols;
    for (let b = 0; b < batch; b++) {
      const twin = new Float64Array(QUANTILE_COUNT);
      histogramQuantiles(c.data, b * n, n, twin, 0);
      const e = c.entries[b]!;
      const row = got.subarray(b * (QUANTILE_COUNT + 3) + 3, (b + 1) * (QUANTILE_COUNT + 3));
      expect(row[0]).toBe(e.quantiles[0]);
      expect(row[QUANTILE_COUNT - 1]).toBe(e.quantiles[QUANTILE_COUNT - 1]);
      // f32 arithmetic in the estimate adds a few ulps of the range on top of the bin width.
      const tol = e.binWidth * (1 + 1e-4) + 1e-6 * Math.max(Math.abs(e.quantiles[0]!), Math.abs(e.quantiles[8]!));
      for (let i = 0; i < QUANTILE_COUNT; i++) {
        for (const [who, want] of [['np', e.quantiles[i]!], ['cpu', twin[i]!]] as const) {
          if (!(Math.abs(row[i]! - want) <= tol)) {
            expect.fail(`${c.name}[${b}] level ${QUANTILE_LEVELS[i]}: gpu ${row[i]}, ${who} ${want}, bin width ${e.binWidth}`);
          }
        }
      }
    }
    be.dispose(t);
    be.dispose(metrics);
  });

  test('a NaN or infinity makes its batch entry NaN; other entries and columns are untouched', async () => {
    const t = be.tensor(shape(3, 1, 4), [1, 2, 3, 4, 1, Infinity, 0, 0, NaN, 1, 2, 3]);
    const metrics = be.tensor(shape(3, 1, 10), new Array(30).fill(-9));
    be.quantilesInto(t, metrics, 1);
    const m = await be.read(metrics);
    expect(m[0]).toBe(-9);
    expect(m[1]).toBe(1);
    expect(m[9]).toBe(4);
    for (const b of [1, 2]) {
      expect(m[b * 10]).toBe(-9);
      expect(Array.from(m.subarray(b * 10 + 1, b * 10 + 10)).every(Number.isNaN)).toBe(true);
    }
  });

  test('batch entries beyond the per-dimension workgroup limit (2-D grid)', async () => {
    const small = await createWebGPUBackend({ gpu: await getTestGPU(), maxWorkgroupsPerDimension: 3 });
    try {
      const batch = 7; // a 3 × 3 grid with two idle workgroups
      const data = Array.from({ length: batch * 6 }, (_, i) => Math.floor(i / 6) * 10 + (i % 6));
      const t = small.tensor(shape(batch, 2, 3), data);
      const metrics = small.tensor(shape(batch, 1, QUANTILE_COUNT));
      small.quantilesInto(t, metrics, 0);
      const m = await small.read(metrics);
      for (let b = 0; b < batch; b++) {
        expect(m[b * QUANTILE_COUNT]).toBe(b * 10);
        expect(m[b * QUANTILE_COUNT + 8]).toBe(b * 10 + 5);
      }
    } finally {
      small.destroy();
    }
  });

  test('names the metrics shape and column when there is no room', () => {
    const t = be.tensor(shape(1, 3, 3));
    const metrics = be.tensor(shape(1, 1, 10));
    expect(() => be.quantilesInto(t, metrics, 2)).toThrow(/quantilesInto: metrics \[1, 1, 10\] has no room for 9 value\(s\) at column 2/);
  });
});
