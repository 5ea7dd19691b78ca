// The Distributions card's pure helpers: the record layout it reads, z as recorded (or from a's quantiles through φ⁻¹), and the
// saturation zones (sigmoid's 0.01 / 0.99 and their logits).
import { describe, expect, it } from 'vitest';
import { inverseActivation, recordQuantiles, saturationZones } from '../../src/ui/charts/distribution-series.js';
import type { StepRecord } from '../../src/train/records.js';

const rec = (d: number[]) => ({ step: 0, distributions: Float32Array.from(d) }) as unknown as StepRecord;

describe('distribution series', () => {
  // Two layers × (a, dz, w, z) × 9 levels, value = layer·100 + quantity·10 + level / 10.
  const values = Array.from({ length: 72 }, (_, i) => Math.floor(i / 36) * 100 + (Math.floor(i / 9) % 4) * 10 + (i % 9) / 10);

  it('reads a, ∂L/∂z and W of a layer', () => {
    expect(recordQuantiles(rec(values), 1, 'a', 'sigmoid', 2)![0]).toBeCloseTo(100);
    expect(recordQuantiles(rec(values), 1, 'dz', 'sigmoid', 2)![8]).toBeCloseTo(110.8, 4);
    expect(recordQuantiles(rec(values), 0, 'w', 'sigmoid', 2)![4]).toBeCloseTo(20.4, 5);
    expect(recordQuantiles({ step: 0 } as unknown as StepRecord, 0, 'a', 'sigmoid', 2)).toBeNull();
  });

  it('reads the recorded z of a hidden layer (ReLU too), none for the output layer', () => {
    expect(recordQuantiles(rec(values), 0, 'z', 'relu', 2)).toEqual(Array.from({ length: 9 }, (_, l) => Math.fround(30 + l / 10)));
    expect(recordQuantiles(rec(values), 1, 'z', 'sigmoid', 2)).toBeNull();
  });

  it('recovers z through the inverse activation from a record without z (NaN there), not for ReLU', () => {
    const a = [0.5, 0.7310586, 0.1192029, 0, 0, 0, 0, 0, 0];
    const withoutZ = [...a, ...new Array(18).fill(0), ...new Array(9).fill(Number.NaN), ...new Array(36).fill(0)];
    const z = recordQuantiles(rec(withoutZ), 0, 'z', 'sigmoid', 2)!;
    expect(z[0]).toBeCloseTo(0, 6);
    expect(z[1]).toBeCloseTo(1, 5);
    expect(z[2]).toBeCloseTo(-2, 5);
    expect(recordQuantiles(rec(withoutZ), 0, 'z', 'relu', 2)).toBeNull();
    expect(inverseActivation('leaky_relu')!(-0.02)).toBeCloseTo(-2);
    expect(inverseActivation('tanh')!(Math.tanh(0.3))).toBeCloseTo(0.3, 10);
  });

  it('marks sigmoid and tanh saturation on a and z, nothing for ReLU or the gradients', () => {
    expect(saturationZones('a', 'sigmoid')).toEqual([[0, 0.01], [0.99, 1]]);
    const [lo, hi] = saturationZones('z', 'sigmoid');
    expect(hi![0]).toBeCloseTo(Math.log(99), 10);
    expect(lo![1]).toBeCloseTo(-Math.log(99), 10);
    expect(saturationZones('a', 'tanh')[1]).toEqual([0.99, 1]);
    expect(saturationZones('a', 'relu')).toEqual([]);
    expect(saturationZones('dz', 'sigmoid')).toEqual([]);
  });
});
