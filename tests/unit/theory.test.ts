// Mean-field signal propagation (src/core/theory.ts): the quadrature against polynomial moments and an independent
// Simpson integral, χ against its closed forms, σ_w² against drawn weights, and the predicted per-layer gradient
// ratio against a measured one on wide random networks (CPU backend, f32).
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { ACTIVATIONS, type HiddenActivation } from '../../src/core/activations.js';
import type { Dataset } from '../../src/core/datasets.js';
import { drawWeights } from '../../src/core/init.js';
import { NumpyRandom } from '../../src/core/rng.js';
import { INITS, type InitName, type ModelSpec } from '../../src/core/spec.js';
import {
  chi,
  chiAt,
  fixedPoint,
  gaussHermite,
  gaussianExpectation,
  meanSquare,
  meanSquareSlope,
  predictedGradProfile,
  sigmaW2For,
  signalPropagation,
} from '../../src/core/theory.js';
import { Trainer } from '../../src/train/trainer.js';

const SQRT_PI = Math.sqrt(Math.PI);

/** Independent oracle: E[f(√q·z)] by composite Simpson in z on [−12, 12] with `panels` panels. */
function simpson(f: (h: number) => number, q: number, panels = 200_000): number {
  const a = 12;
  const h = (2 * a) / panels;
  const s = Math.sqrt(q);
  let sum = 0;
  for (let i = 0; i <= panels; i++) {
    const z = -a + i * h;
    const c = i === 0 || i === panels ? 1 : i % 2 ? 4 : 2;
    sum += c * f(s * z) * Math.exp(-0.5 * z * z);
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

const slope = (act: HiddenActivation) => (h: number) => ACTIVATIONS[act].derivative(h) ** 2;
const square = (act: HiddenActivation) => (h: number) => ACTIVATIONS[act].value(h) ** 2;

function doubleFactorial(k: number): number {
  let p = 1;
  for (let i = k; i > 1; i -= 2) p *= i;
  return p;
}

describe('Gauss–Hermite quadrature', () => {
  it('matches the textbook rules for n = 2 and n = 3', () => {
    const r2 = gaussHermite(2);
    expect(r2.nodes[0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(r2.weights[0]).toBeCloseTo(SQRT_PI / 2, 14);
    const r3 = gaussHermite(3);
    expect(r3.nodes[0]).toBeCloseTo(Math.sqrt(1.5), 14);
    expect(Math.abs(r3.nodes[1]!)).toBe(0);
    expect(r3.nodes[2]).toBeCloseTo(-Math.sqrt(1.5), 14);
    expect(r3.weights[1]).toBeCloseTo((2 * SQRT_PI) / 3, 14);
    expect(r3.weights[0]).toBeCloseTo(SQRT_PI / 6, 14);
  });

  for (const n of [1, 5, 20, 64, 96, 100]) {
    it(`n = ${n}: Σw = √π and every moment of degree < 2n is exact`, () => {
      const { nodes, weights } = gaussHermite(n);
      expect(nodes).toHaveLength(n);
      const moment = (k: number) => nodes.reduce((s, x, i) => s + weights[i]! * x ** k, 0);
      expect(Math.abs(moment(0) - SQRT_PI)).toBeLessThan(1e-13);
      // ∫ e^{−x²} x^{2k} dx = √π (2k−1)!! / 2^k; odd moments vanish. Checked up to degree 2n−1 (or 40).
      for (let k = 1; 2 * k < Math.min(2 * n, 40); k++) {
        const exact = (SQRT_PI * doubleFactorial(2 * k - 1)) / 2 ** k;
        expect(Math.abs(moment(2 * k) - exact) / exact, `degree ${2 * k}`).toBeLessThan(1e-11);
        expect(Math.abs(moment(2 * k - 1)) / exact).toBeLessThan(1e-12);
      }
      for (let i = 1; i < n; i++) expect(nodes[i]!).toBeLessThan(nodes[i - 1]!);
    });
  }

  it('is not exact beyond degree 2n − 1 (the check above can fail)', () => {
    const { nodes, weights } = gaussHermite(3);
    const m6 = nodes.reduce((s, x, i) => s + weights[i]! * x ** 6, 0);
    expect(Math.abs(m6 - (SQRT_PI * 15) / 8)).toBeGreaterThan(0.1);
  });

  it('rejects a bad point count', () => {
    expect(() => gaussHermite(0)).toThrow(RangeError);
    expect(() => gaussHermite(2.5)).toThrow(RangeError);
  });
});

describe('Gaussian expectations of the activations against Simpson', () => {
  for (const act of ['sigmoid', 'tanh'] as const) {
    for (const q of [0.01, 0.3, 0.49, 0.51, 1, 3.9, 30, 1000, 1e4]) {
      it(`${act}: E[φ′²] and E[φ²] at q = ${q}`, () => {
        const panels = q > 100 ? 400_000 : 20_000;
        const refSlope = simpson(slope(act), q, panels);
        const refSquare = simpson(square(act), q, panels);
        expect(Math.abs(meanSquareSlope(act, q) / refSlope - 1)).toBeLessThan(1e-7);
        expect(Math.abs(meanSquare(act, q) / refSquare - 1)).toBeLessThan(1e-7);
      });
    }
  }

  it('Gauss–Hermite alone would be wrong for a sharp tanh (the Simpson fallback matters)', () => {
    const q = 1e4;
    const gh = gaussianExpectation(slope('tanh'), q); // not marked sharp: pure Gauss–Hermite
    expect(Math.abs(gh / simpson(slope('tanh'), q, 400_000) - 1)).toBeGreaterThan(0.05);
  });
});

describe('χ against closed forms', () => {
  it('linear: χ = σ_w² at any q', () => {
    for (const s2 of [0.25, 1, 2, 7]) {
      expect(chi('linear', s2)).toBeCloseTo(s2, 12);
      expect(chiAt('linear', s2, 123)).toBeCloseTo(s2, 12);
    }
  });

  it('ReLU: χ = σ_w²/2 at any q (also the limit q* = 0 of σ_w² < 2); leaky ReLU: σ_w²(1 + s²)/2', () => {
    for (const q of [1e-8, 1, 1e6]) expect(chiAt('relu', 3, q)).toBeCloseTo(1.5, 12);
    expect(chi('relu', 2)).toBeCloseTo(1, 12);
    expect(chi('relu', 1)).toBeCloseTo(0.5, 12);
    expect(fixedPoint('relu', 1, 0, 1).q).toBe(0);
    expect(chi('leaky_relu', 2)).toBeCloseTo(1 + 0.01 ** 2, 12);
  });

  it('ReLU length map: q → σ_w²·q/2, and q* = σ_b²/(1 − σ_w²/2) with biases', () => {
    expect(meanSquare('relu', 3.5)).toBeCloseTo(1.75, 12);
    const fp = fixedPoint('relu', 1, 0.3, 1);
    expect(fp.converged).toBe(true);
    expect(fp.q).toBeCloseTo(0.6, 9);
  });

  it('tanh at small σ_w: χ ≈ σ_w², and χ(q) = σ_w²(1 − 2q + 7q² − …) for small q', () => {
    expect(fixedPoint('tanh', 0.01, 0, 1).q).toBe(0);
    expect(chi('tanh', 0.01)).toBeCloseTo(0.01, 12);
    const q = 1e-3;
    expect(Math.abs(chiAt('tanh', 0.5, q) - 0.5 * (1 - 2 * q + 7 * q * q))).toBeLessThan(1e-7);
  });

  it('sigmoid: E[σ′²] → 1/16 as q → 0, and χ at its fixed point matches Simpson', () => {
    expect(meanSquareSlope('sigmoid', 0)).toBeCloseTo(1 / 16, 12);
    const fp = fixedPoint('sigmoid', 1, 0, 1);
    expect(fp.converged).toBe(true);
    expect(Math.abs(fp.q - simpson(square('sigmoid'), fp.q))).toBeLessThan(1e-10);
    expect(Math.abs(chi('sigmoid', 1) / simpson(slope('sigmoid'), fp.q) - 1)).toBeLessThan(1e-9);
    expect(chi('sigmoid', 1)).toBeCloseTo(0.05572, 4);
  });

  it('tanh in the chaotic phase: q* > 0 solves q = σ_w²·E[tanh²], and χ > 1', () => {
    const fp = fixedPoint('tanh', 2, 0, 1);
    expect(fp.converged).toBe(true);
    expect(Math.abs(fp.q - 2 * simpson(square('tanh'), fp.q)) / fp.q).toBeLessThan(1e-9);
    expect(chi('tanh', 2)).toBeGreaterThan(1);
  });

  it('linear with σ_w² > 1 has no finite fixed point', () => {
    const fp = fixedPoint('linear', 2, 0, 1);
    expect(fp.q).toBe(Infinity);
    expect(fp.converged).toBe(false);
  });
});

describe('σ_w² of the init schemes', () => {
  it('closed forms: classic fan_in, lecun 1, xavier 2·fan_in/(fan_in+fan_out), he 2, times gain²', () => {
    expect(sigmaW2For('classic', 1, 512, 512)).toBe(512);
    expect(sigmaW2For('lecun', 2, 300, 7)).toBeCloseTo(4, 12);
    expect(sigmaW2For('xavier', 1, 64, 64)).toBeCloseTo(1, 12);
    expect(sigmaW2For('xavier', 1, 2, 32)).toBeCloseTo(4 / 34, 12);
    expect(sigmaW2For('he', 1.5, 10, 99)).toBeCloseTo(4.5, 12);
    expect(sigmaW2For('orthogonal', 1, 64, 64)).toBe(1);
  });

  for (const init of INITS) {
    it(`${init}: fan_in × the mean square of drawn weights`, () => {
      const rng = new NumpyRandom(5);
      for (const [fi, fo] of [
        [256, 128],
        [96, 192],
      ] as const) {
        const w = drawWeights(init, fi, fo, 1.3, rng);
        const ms = w.reduce((s, v) => s + v * v, 0) / w.length;
        expect(Math.abs((fi * ms) / sigmaW2For(init, 1.3, fi, fo) - 1), `${fi}×${fo}`).toBeLessThan(0.02);
      }
    });
  }
});

describe('signal propagation through a model', () => {
  const model = (act: HiddenActivation, init: InitName, depth: number, width: number): ModelSpec => ({
    inputDim: width,
    hidden: Array<number>(depth).fill(width),
    activations: Array<HiddenActivation>(depth).fill(act),
    outputDim: width,
    outputActivation: 'linear',
    loss: 'mse',
    init,
    gain: 1,
    initSeed: 1,
    optimizer: { kind: 'sgd', lr: 0.01 },
  });

  it('follows the length map layer by layer and anchors the profile at the output layer', () => {
    const m = model('sigmoid', 'xavier', 6, 16);
    const layers = signalPropagation(m, 1);
    expect(layers).toHaveLength(7);
    expect(layers[0]!.q).toBeCloseTo(1, 12);
    for (let l = 1; l < 7; l++) {
      expect(layers[l]!.q).toBeCloseTo(meanSquare('sigmoid', layers[l - 1]!.q), 12);
      expect(layers[l]!.chi).toBeCloseTo(chiAt('sigmoid', 1, layers[l - 1]!.q), 12);
    }
    const profile = predictedGradProfile(m, 0.7, 1);
    expect(profile[6]).toBeCloseTo(0.7, 12);
    // ReLU with He init: every factor is 1 past the first layer (whose input is the data, mean square 1 vs q/2 = 1).
    const flat = predictedGradProfile(model('relu', 'he', 5, 8), 2, 1);
    for (const v of flat) expect(v).toBeCloseTo(2, 12);
  });
});

/** Measured ‖∂L/∂W_l‖ and ‖∂L/∂b_l‖ of one step of a deep, wide net at initialisation (f32 CPU). */
async function measure(act: HiddenActivation, init: InitName, depth: number, width: number, rows: number, targetScale: number) {
  const rng = new NumpyRandom(123);
  const x = rng.randn(rows * width);
  const y = rng.randn(rows * width).map((v) => v * targetScale);
  const data: Dataset = { name: 'random', x, y, n: rows, inputDim: width, outputDim: width, task: 'regression', classes: [] };
  const m: ModelSpec = {
    inputDim: width,
    hidden: Array<number>(depth).fill(width),
    activations: Array<HiddenActivation>(depth).fill(act),
    outputDim: width,
    outputActivation: 'linear',
    loss: 'mse',
    init,
    gain: 1,
    initSeed: 1,
    optimizer: { kind: 'sgd', lr: 0.01 },
  };
  const backend = createCpuBackend({ dtype: 'f32', threads: 1 });
  const trainer = new Trainer(backend, { models: [m], data, schedule: { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 0, dtype: 'f32' } });
  const [rec] = await trainer.stepOnce(true)!;
  trainer.dispose();
  backend.destroy();
  return { rec: rec!, model: m };
}

/** Geometric mean of a[l]/a[l+1] over the middle layers l = skip … L−1−skip−1. */
function meanRatio(a: readonly number[], skip: number): number {
  let s = 0;
  let n = 0;
  for (let l = skip; l + 1 < a.length - skip; l++, n++) s += Math.log(a[l]! / a[l + 1]!);
  return Math.exp(s / n);
}

describe('measured gradients of a 30 × 512 network at initialisation vs mean-field theory', () => {
  // Targets are 100 × N(0,1): the output error is then (almost) independent of the weights, as the theory's
  // gradient-independence assumption needs. With unit targets the error's component along ŷ = x·W₀⋯W_L is
  // correlated with the weights and grows going back (products of random matrices), e.g. linear/xavier then
  // measures 1.014 per layer against the predicted 1.000.
  const cases: [HiddenActivation, InitName][] = [
    ['sigmoid', 'xavier'],
    ['tanh', 'xavier'],
    ['relu', 'he'],
    ['linear', 'xavier'],
  ];
  for (const [act, init] of cases) {
    it(`${act} / ${init}: per-layer ratios of ‖∂L/∂b‖ (= √χ_l) and ‖∂L/∂W‖ agree to 2.5%`, async () => {
      const { rec, model } = await measure(act, init, 30, 512, 64, 100);
      const layers = signalPropagation(model, 1);
      const predicted = predictedGradProfile(model, rec.gradNorms[30]!, 1);
      // ‖∂L/∂b_l‖ = ‖Σ_rows δ_l‖ follows ‖δ_l‖, whose ratio is √χ_{l+1} (layer-wise, since q_l may still move).
      const sqrtChi = Math.exp(layers.slice(6, 26).reduce((s, t) => s + 0.5 * Math.log(t.chi), 0) / 20);
      const bRatio = meanRatio(rec.biasGradNorms, 5);
      const wRatio = meanRatio(rec.gradNorms, 5);
      const wPred = meanRatio(predicted, 5);
      console.log(`${act}/${init}: ‖∂L/∂b‖ ratio ${bRatio.toFixed(4)} vs √χ ${sqrtChi.toFixed(4)}; ‖∂L/∂W‖ ratio ${wRatio.toFixed(4)} vs ${wPred.toFixed(4)}; first layer measured/predicted ${(rec.gradNorms[0]! / predicted[0]!).toFixed(3)}`);
      expect(Math.abs(bRatio / sqrtChi - 1)).toBeLessThan(0.025);
      expect(Math.abs(wRatio / wPred - 1)).toBeLessThan(0.025);
      // Across the whole stack (31 layers; for sigmoid 19 orders of magnitude) the prediction holds within 35%.
      expect(Math.abs(Math.log(rec.gradNorms[0]! / predicted[0]!))).toBeLessThan(Math.log(1.35));
    });
  }
});
