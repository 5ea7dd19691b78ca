// The activation table (src/core/activations.ts) and the CPU kernels (src/backend/cpu/elementwise.ts): values against
// closed forms, derivatives against central finite differences, derivative-from-output against derivative-from-input;
// the mean-field statistics of the new activations against closed forms and Monte Carlo; the matched init.
import { describe, expect, it } from 'vitest';
import { applyActivation, multiplyByDerivative, multiplyByDerivativeFromInput } from '../../src/backend/cpu/elementwise.js';
import { ACTIVATIONS, GELU_C, GELU_K, HIDDEN_ACTIVATIONS, needsPreActivation, type HiddenActivation } from '../../src/core/activations.js';
import { initParameters, matchedActivation, matchedInit } from '../../src/core/init.js';
import { NumpyRandom } from '../../src/core/rng.js';
import type { ModelSpec } from '../../src/core/spec.js';
import { chi, chiAt, meanSquare, signalPropagation } from '../../src/core/theory.js';

/** erfc(x), Numerical Recipes' erfcc (relative error below 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
/** Φ(x), the standard normal distribution function. */
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);

/** Closed forms written out independently of the table. */
const CLOSED: Record<HiddenActivation, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => (Math.exp(z) - Math.exp(-z)) / (Math.exp(z) + Math.exp(-z)),
  relu: (z) => Math.max(0, z),
  leaky_relu: (z) => (z > 0 ? z : 0.01 * z),
  linear: (z) => z,
  gelu: (z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3))),
  silu: (z) => z / (1 + Math.exp(-z)),
  elu: (z) => (z > 0 ? z : Math.exp(z) - 1),
  softplus: (z) => Math.log(1 + Math.exp(z)),
};

const NEW: HiddenActivation[] = ['gelu', 'silu', 'elu', 'softplus'];
/** A grid over [−8, 8] that avoids the kinks at 0. */
const GRID = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1 + 0.0371);

describe('activation table', () => {
  it('lists the new activations as hidden activations with their own codes', () => {
    for (const a of NEW) expect(HIDDEN_ACTIVATIONS).toContain(a);
    expect(HIDDEN_ACTIVATIONS.filter(needsPreActivation)).toEqual(['gelu', 'silu']);
  });

  for (const act of HIDDEN_ACTIVATIONS) {
    it(`${act}: value matches the closed form, φ′ matches central differences and the output form`, () => {
      const f = ACTIVATIONS[act];
      for (const z of GRID) {
        expect(f.value(z)).toBeCloseTo(CLOSED[act](z), 12);
        const h = 1e-5;
        const fd = (CLOSED[act](z + h) - CLOSED[act](z - h)) / (2 * h);
        expect(Math.abs(f.derivative(z) - fd)).toBeLessThan(1e-8);
        if (f.derivativeFromOutput) expect(f.derivativeFromOutput(f.value(z))).toBeCloseTo(f.derivative(z), 12);
      }
    });
  }

  it('keeps the new activations finite and exact far out (no overflow)', () => {
    for (const z of [-800, -40, 40, 800]) {
      for (const a of NEW) {
        expect(Number.isFinite(ACTIVATIONS[a].value(z))).toBe(true);
        expect(Number.isFinite(ACTIVATIONS[a].derivative(z))).toBe(true);
      }
    }
    expect(ACTIVATIONS.softplus.value(800)).toBe(800);
    expect(ACTIVATIONS.softplus.value(-40)).toBeCloseTo(Math.exp(-40), 30);
    expect(ACTIVATIONS.elu.value(-800)).toBe(-1);
    expect(ACTIVATIONS.silu.value(-800)).toBe(-0);
    // softplus′ from the output stays accurate where a is tiny (1 − e^(−a) would cancel).
    const a = ACTIVATIONS.softplus.value(-30);
    expect(ACTIVATIONS.softplus.derivativeFromOutput!(a) / ACTIVATIONS.softplus.derivative(-30)).toBeCloseTo(1, 12);
  });

  it('GELU is the tanh form: within 5e-4 of the erf form z·Φ(z), with the published constants', () => {
    expect(GELU_C).toBeCloseTo(Math.sqrt(2 / Math.PI), 15);
    expect(GELU_K).toBe(0.044715);
    let worst = 0;
    for (let z = -6; z <= 6; z += 0.01) worst = Math.max(worst, Math.abs(ACTIVATIONS.gelu.value(z) - z * Phi(z)));
    expect(worst).toBeLessThan(5e-4);
    expect(worst).toBeGreaterThan(1e-5); // it is an approximation, not the erf form
  });
});

describe('CPU elementwise kernels', () => {
  for (const dtype of ['f64', 'f32'] as const) {
    it(`applyActivation and both derivative kernels agree with the table (${dtype})`, () => {
      const tol = dtype === 'f64' ? 1e-14 : 1e-6;
      const make = (v: ArrayLike<number>) => (dtype === 'f64' ? Float64Array.from(v) : Float32Array.from(v));
      const z = make(GRID);
      for (const act of HIDDEN_ACTIVATIONS) {
        const f = ACTIVATIONS[act];
        const a = make(z);
        applyActivation(act, a, 0, a.length);
        const g = make(GRID.map((_, i) => 1 + (i % 7) * 0.1));
        const fromZ = make(g);
        multiplyByDerivativeFromInput(act, fromZ, 0, z, 0, z.length);
        for (let i = 0; i < z.length; i++) {
          expect(Math.abs(a[i]! - f.value(z[i]!))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(f.value(z[i]!))));
          expect(Math.abs(fromZ[i]! - g[i]! * f.derivative(z[i]!))).toBeLessThanOrEqual(tol * 2);
        }
        if (needsPreActivation(act)) {
          expect(() => multiplyByDerivative(act, make(g), 0, a, 0, a.length)).toThrow(/pre-activations/);
          continue;
        }
        const fromA = make(g);
        multiplyByDerivative(act, fromA, 0, a, 0, a.length);
        for (let i = 0; i < z.length; i++) expect(Math.abs(fromA[i]! - g[i]! * f.derivative(z[i]!))).toBeLessThanOrEqual(dtype === 'f64' ? 1e-12 : 1e-5);
      }
    });
  }
});

describe('mean-field statistics of the new activations', () => {
  it('E[φ²] and χ match Monte Carlo over 200 000 Gaussian draws (within 4 standard errors)', () => {
    const rng = new NumpyRandom(2024);
    const n = 200_000;
    const draws = rng.randn(n);
    for (const act of NEW) {
      for (const q of [0.3, 1, 4]) {
        const s = Math.sqrt(q);
        const f = ACTIVATIONS[act];
        for (const [name, g, exact] of [
          ['E[φ²]', (h: number) => f.value(h) ** 2, meanSquare(act, q)],
          ['χ/σ_w²', (h: number) => f.derivative(h) ** 2, chiAt(act, 1, q)],
        ] as const) {
          let sum = 0;
          let sum2 = 0;
          for (let i = 0; i < n; i++) {
            const v = g(s * draws[i]!);
            sum += v;
            sum2 += v * v;
          }
          const mean = sum / n;
          const se = Math.sqrt((sum2 / n - mean * mean) / n);
          expect(Math.abs(exact - mean), `${act} ${name} at q = ${q}: ${exact} vs ${mean} ± ${se}`).toBeLessThan(4 * se);
        }
      }
    }
  });

  it('ELU: E[φ²] and E[φ′²] match their closed forms (through Φ; erfc good to 1.2e-7 relative)', () => {
    for (const q of [0.25, 1, 4, 9]) {
      const s = Math.sqrt(q);
      const slope = 0.5 + Math.exp(2 * q) * Phi(-2 * s);
      const square = q / 2 + Math.exp(2 * q) * Phi(-2 * s) - 2 * Math.exp(q / 2) * Phi(-s) + 0.5;
      expect(chiAt('elu', 2, q) / (2 * slope)).toBeCloseTo(1, 6);
      expect(meanSquare('elu', q) / square).toBeCloseTo(1, 5);
    }
  });

  it('GELU and SiLU: with zero biases the length map dies out and χ tends to σ_w²/4 (slope ½ at 0)', () => {
    for (const act of ['gelu', 'silu'] as const) {
      expect(chi(act, 2)).toBeCloseTo(0.5, 6);
      expect(chi(act, 1)).toBeCloseTo(0.25, 6);
    }
  });

  it('the figures that choose the matched init: He beats Xavier for GELU, SiLU and softplus; ELU is near 1 with both', () => {
    const he = (a: HiddenActivation) => chi(a, 2);
    const xavier = (a: HiddenActivation) => chi(a, 1);
    expect(he('softplus')).toBeGreaterThan(0.85);
    expect(he('softplus')).toBeLessThan(1);
    expect(xavier('softplus')).toBeCloseTo(0.289, 2);
    expect(he('elu')).toBeGreaterThan(1);
    expect(he('elu')).toBeLessThan(1.05);
    expect(xavier('elu')).toBeGreaterThan(0.99);
    expect(chiAt('gelu', 2, 1)).toBeCloseTo(0.912, 2);
    for (const a of NEW) expect(matchedInit(a)).toBe('he');
    for (const a of ['sigmoid', 'tanh', 'linear'] as const) expect(matchedInit(a)).toBe('xavier');
    expect(matchedInit('relu')).toBe('he');
  });
});

describe('matched initialisation per layer', () => {
  const model: ModelSpec = {
    inputDim: 400,
    hidden: [400, 400, 400],
    activations: ['sigmoid', 'gelu', 'tanh'],
    outputDim: 400,
    outputActivation: 'linear',
    loss: 'mse',
    init: 'matched',
    gain: 1,
    initSeed: 5,
    optimizer: { kind: 'sgd', lr: 0.1 },
  };

  it('follows the activation of each layer’s inputs (the first layer its own)', () => {
    expect([0, 1, 2, 3].map((l) => matchedActivation(model, l))).toEqual(['sigmoid', 'sigmoid', 'gelu', 'tanh']);
    const p = initParameters(model);
    const std = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    const expected = [Math.sqrt(2 / 800), Math.sqrt(2 / 800), Math.sqrt(2 / 400), Math.sqrt(2 / 800)]; // Xavier, Xavier, He, Xavier
    p.weights.forEach((w, l) => expect(std(w) / expected[l]!).toBeCloseTo(1, 1));
  });

  it('gives the mean-field pass the same per-layer σ_w²', () => {
    signalPropagation(model).forEach((l, i) => expect(l.sigmaW2).toBeCloseTo([1, 1, 2, 1][i]!, 12));
  });
});
