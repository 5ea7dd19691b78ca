// The CPU's L2 norms (per-layer metrics and the global gradient norm of the update): one plain pass where its
// sum of squares is in range, scaled by the largest entry where it is not; checked against closed forms.
import { describe, expect, it } from 'vitest';
import { PLAIN_MAX, PLAIN_MIN, safeNorm } from '../../src/backend/cpu/metrics.js';
import { globalNorm } from '../../src/backend/cpu/optimizers.js';

const norms = (values: number[], Kind: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array) => {
  const d = new Kind([7, ...values, 7]);
  // Two slices (the first entry alone, then the rest) must give the same global norm as one.
  return {
    safe: safeNorm(d, 1, values.length),
    global: globalNorm([{ data: d, off: 1, n: values.length }]),
    split: globalNorm([
      { data: d, off: 1, n: 1 },
      { data: d, off: 2, n: values.length - 1 },
    ]),
  };
};

describe('CPU norms', () => {
  it.each([
    ['3-4-5', [3, -4], 5],
    ['tiny f64 entries whose squares underflow', [3e-200, -4e-200], 5e-200],
    ['huge f64 entries whose squares overflow', [3e200, 4e200], 5e200],
    ['entries around the plain range limits', [Math.sqrt(PLAIN_MIN) * 3, Math.sqrt(PLAIN_MIN) * 4], Math.sqrt(PLAIN_MIN) * 5],
    ['just above the plain range', [Math.sqrt(PLAIN_MAX) * 3, Math.sqrt(PLAIN_MAX) * 4], Math.sqrt(PLAIN_MAX) * 5],
    ['zeros', [0, 0, 0], 0],
  ])('%s', (_name, values, want) => {
    const r = norms(values);
    for (const v of [r.safe, r.global, r.split]) {
      if (want === 0) expect(v).toBe(0);
      else expect(Math.abs(v - want) / want).toBeLessThan(1e-15);
    }
  });

  it('f32 gradients of 1e-30 (squares 1e-60) are exact in the plain pass', () => {
    const r = norms([3e-30, 4e-30], Float32Array);
    const want = Math.hypot(Math.fround(3e-30), Math.fround(4e-30));
    expect(Math.abs(r.safe - want) / want).toBeLessThan(1e-15);
    expect(Math.abs(r.global - want) / want).toBeLessThan(1e-15);
  });

  it('NaN and infinity are reported, not hidden', () => {
    expect(norms([1, NaN, 2]).safe).toBeNaN();
    expect(norms([1, NaN, 2]).global).toBeNaN();
    expect(norms([1, Infinity]).safe).toBe(Infinity);
    expect(norms([1, -Infinity]).global).toBe(Infinity);
  });
});

describe('CPU SGD update with its report', () => {
  it('updates θ − lr·g per model and reports each model\'s global gradient norm (plain and scaled cases)', async () => {
    const { createCpuBackend } = await import('../../src/backend/cpu/cpu-backend.js');
    const { shape } = await import('../../src/backend/backend.js');
    const be = createCpuBackend({ dtype: 'f64' });
    // Two models: model 0's gradients are ordinary, model 1's so small that their squares underflow.
    const w = be.tensor(shape(2, 1, 2), [1, 2, 3, 4]);
    const b = be.tensor(shape(2, 1, 1), [5, 6]);
    const gw = be.tensor(shape(2, 1, 2), [3, 0, 3e-200, 0]);
    const gb = be.tensor(shape(2, 1, 1), [4, 4e-200]);
    const metrics = be.tensor(shape(2, 1, 4));
    be.update([w, b], [gw, gb], { kind: 'sgd', lr: [0.5, 1e190], report: { metrics, col: 2 } });
    expect(Array.from(await be.read(w))).toEqual([1 - 1.5, 2, 3 - 3e-10, 4]);
    const bias = await be.read(b);
    expect(bias[0]).toBe(5 - 2);
    expect(Math.abs(bias[1]! - (6 - 4e-10))).toBeLessThan(1e-15);
    const m = await be.read(metrics);
    expect(m[2]).toBe(5);
    expect(m[3]).toBe(1);
    expect(Math.abs(m[6]! - 5e-200) / 5e-200).toBeLessThan(1e-15);
    expect(m[7]).toBe(1);
    be.destroy();
  });
});
