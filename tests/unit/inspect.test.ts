// The unit-by-unit inspector (src/core/inspect.ts) against two oracles: central finite differences of the loss it
// computes (every ∂L/∂W, ∂L/∂b, and ∂L/∂z through a shift of one bias), and the CPU f64 trainer — for the same
// parameters and batch, the trainer's loss, its gradients (read back after the step) and its updated parameters
// equal the inspector's to 1e-12, full-batch and mini-batch (the batch rows from the trainer's exported order).
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import type { HiddenActivation } from '../../src/core/activations.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { Parameters } from '../../src/core/init.js';
import { initParameters } from '../../src/core/init.js';
import {
  chainFactors,
  gatherRows,
  inspectModel,
  nextBatchRows,
  sgdStep,
  subsampleRows,
  traceBatch,
  unitStats,
  type InspectModel,
} from '../../src/core/inspect.js';
import type { ClipSpec, ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';

function model(act: HiddenActivation, hidden: number[], over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    inputDim: 2,
    hidden,
    activations: hidden.map(() => act),
    outputDim: 1,
    outputActivation: 'sigmoid',
    loss: 'bce',
    init: 'xavier',
    gain: 1.5,
    initSeed: 3,
    optimizer: { kind: 'sgd', lr: 0.3 },
    biasStd: 0.2,
    ...over,
  };
}

function asModel(m: ModelSpec): InspectModel {
  const im = inspectModel(m);
  if (typeof im === 'string') throw new Error(im);
  return im;
}

/** Largest |a − b| / max(1, |b|) over two arrays of the same length. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}

const copy = (p: Parameters): Parameters => ({ weights: p.weights.map((w) => w.slice()), biases: p.biases.map((b) => b.slice()) });

describe('inspect: finite differences', () => {
  const cases: [string, ModelSpec][] = [
    ['tanh, bce', model('tanh', [5, 4])],
    ['sigmoid, mse linear', model('sigmoid', [4, 3], { outputActivation: 'linear', loss: 'mse', outputDim: 2 })],
    ['leaky relu, softmax', model('leaky_relu', [6], { outputActivation: 'softmax', loss: 'softmax_ce', outputDim: 3 })],
  ];
  it.each(cases)('%s: every ∂L/∂W, ∂L/∂b and ∂L/∂z matches a central difference', (_, spec) => {
    const m = asModel(spec);
    const p = initParameters(spec);
    const rows = 7;
    const x = Float64Array.from({ length: rows * 2 }, (_, i) => Math.sin(1.7 * i + 0.3));
    const K = spec.outputDim;
    const y = new Float64Array(rows * K);
    for (let r = 0; r < rows; r++) {
      if (spec.outputActivation === 'softmax') y[r * K + (r % K)] = 1;
      else for (let k = 0; k < K; k++) y[r * K + k] = spec.loss === 'bce' ? (r + k) % 2 : Math.cos(r + k);
    }
    const t = traceBatch(m, p, x, y, rows);
    const h = 1e-6;
    const lossAt = (q: Parameters) => traceBatch(m, q, x, y, rows).loss;
    for (let l = 0; l < t.layers.length; l++) {
      for (const [kind, g] of [['weights', t.layers[l]!.dW], ['biases', t.layers[l]!.dB]] as const) {
        for (let i = 0; i < g.length; i++) {
          const up = copy(p);
          const dn = copy(p);
          up[kind][l]![i]! += h;
          dn[kind][l]![i]! -= h;
          const fd = (lossAt(up) - lossAt(dn)) / (2 * h);
          expect(Math.abs(fd - g[i]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
        }
      }
    }
    // ∂L/∂z = ∂L/∂a ⊙ φ′(z) entrywise (∂L/∂a itself is checked against finite differences in the next test).
    for (let l = 0; l < t.layers.length - 1; l++) {
      const layer = t.layers[l]!;
      for (let k = 0; k < layer.dZ.length; k++) expect(layer.dZ[k]).toBeCloseTo(layer.dA[k]! * layer.slope[k]!, 15);
    }
  });

  it('∂L/∂a of a hidden unit in one row matches a central difference of that activation', () => {
    const spec = model('tanh', [3, 3]);
    const m = asModel(spec);
    const p = initParameters(spec);
    const rows = 4;
    const x = Float64Array.from({ length: rows * 2 }, (_, i) => Math.cos(0.9 * i));
    const y = Float64Array.from({ length: rows }, (_, i) => i % 2);
    const t = traceBatch(m, p, x, y, rows);
    // The loss as a function of the first hidden layer's output a (layers above only): a 1-hidden-layer network on a.
    const upper: InspectModel = { sizes: m.sizes.slice(1), activations: m.activations.slice(1), outputActivation: m.outputActivation, loss: m.loss };
    const q: Parameters = { weights: p.weights.slice(1), biases: p.biases.slice(1) };
    const a = t.layers[0]!.a;
    const h = 1e-6;
    for (let k = 0; k < a.length; k++) {
      const up = a.slice();
      const dn = a.slice();
      up[k]! += h;
      dn[k]! -= h;
      const fd = (traceBatch(upper, q, up, y, rows).loss - traceBatch(upper, q, dn, y, rows).loss) / (2 * h);
      expect(Math.abs(fd - t.layers[0]!.dA[k]!)).toBeLessThan(1e-8);
    }
  });

  it('unit statistics and chain factors follow from the trace', () => {
    const spec = model('sigmoid', [4, 4, 4], { gain: 6 });
    const m = asModel(spec);
    const data = makeDataset({ dataset: 'spiral', samples: 40, noise: 0, inputDim: 2, outputDim: 1, seed: 1 });
    const t = traceBatch(m, initParameters(spec), data.x, data.y, data.n);
    const s = unitStats(m, t);
    const a = t.layers[1]!.a;
    let sat = 0;
    for (let r = 0; r < t.rows; r++) if (a[r * 4 + 2]! < 0.01 || a[r * 4 + 2]! > 0.99) sat++;
    expect(s.saturated[1]![2]).toBe(sat / t.rows);
    expect(s.meanAbs[1]![2]).toBeCloseTo(Array.from({ length: t.rows }, (_, r) => a[r * 4 + 2]!).reduce((u, v) => u + v, 0) / t.rows, 14);
    const f = chainFactors(t);
    expect(f.map((c) => c.layer)).toEqual([3, 2, 1, 0]);
    expect(f[0]!.product).toBe(1);
    for (let i = 1; i < f.length; i++) expect(f[i]!.product).toBeCloseTo(f[i - 1]!.product * f[i]!.ratio, 12);
  });

  it('refuses a model it cannot draw and bad shapes, naming what is wrong', () => {
    expect(inspectModel(model('relu', [4], { norm: 'batch' }))).toMatch(/batch normalisation/);
    const m = asModel(model('relu', [4]));
    expect(() => traceBatch(m, initParameters(model('relu', [4])), new Float64Array(5), new Float64Array(2), 2)).toThrow(/x: expected 2×2 = 4 values, got 5/);
    expect(Array.from(subsampleRows(10, 4))).toEqual([0, 2, 5, 7]);
    expect(Array.from(subsampleRows(3, 8))).toEqual([0, 1, 2]);
  });
});

describe('inspect: against the CPU f64 trainer', () => {
  const runs: [string, ModelSpec, number, ClipSpec | undefined][] = [
    ['sigmoid full batch', model('sigmoid', [8, 8, 8]), 0, undefined],
    ['relu mini-batch', model('relu', [8, 6], { init: 'he', gain: 1 }), 16, undefined],
    ['tanh mini-batch, norm clipping', model('tanh', [8, 8]), 24, { kind: 'norm', max: 0.05 }],
    ['softmax, value clipping', model('tanh', [5], { outputActivation: 'softmax', loss: 'softmax_ce', outputDim: 2 }), 0, { kind: 'value', max: 0.01 }],
  ];
  it.each(runs)('%s: loss, gradients and the update of three steps equal the trainer’s', async (_, base, batchSize, clip) => {
    const spec: ModelSpec = clip ? { ...base, clip } : base;
    const m = asModel(spec);
    const data = makeDataset({ dataset: 'spiral', samples: 50, noise: 0.1, inputDim: 2, outputDim: spec.outputDim, seed: 2 });
    // Spiral is binary; for two softmax outputs, one-hot targets.
    const y = spec.outputDim === 2 ? Float64Array.from({ length: data.n * 2 }, (_, i) => (i % 2 === 0 ? 1 - data.y[i >> 1]! : data.y[i >> 1]!)) : data.y;
    const ds = { ...data, y, outputDim: spec.outputDim };
    const backend = createCpuBackend({ dtype: 'f64' });
    const trainer = new Trainer(backend, { models: [spec], data: ds, schedule: { batchSize, steps: 10, logEvery: 1, batchSeed: 5, dtype: 'f64' } });
    for (let k = 0; k < 3; k++) {
      const state = await trainer.exportState();
      const rowsIdx = batchSize === 0 ? null : nextBatchRows(state, ds.n, trainer.rowsPerStep);
      // What the lab sends the network view: the same rows, read from the trainer without a read-back.
      expect(trainer.upcomingBatchRows()).toEqual(rowsIdx);
      const before = state.parameters[0]!;
      const t = traceBatch(m, before, gatherRows(ds.x, 2, rowsIdx), gatherRows(ds.y, spec.outputDim, rowsIdx), trainer.rowsPerStep);
      const [rec] = (await trainer.stepOnce(true))!;
      const [grads] = await trainer.readGradients();
      const [after] = await trainer.readParameters();
      expect(Math.abs(rec!.loss - t.loss)).toBeLessThan(1e-12 * Math.max(1, t.loss));
      const next = sgdStep(before, t, spec.optimizer.lr, clip);
      for (let l = 0; l < t.layers.length; l++) {
        if (!clip) {
          // The trainer's gradient tensors hold the clipped gradient when clipping acts; unclipped, they are ∂L/∂W itself.
          expect(relErr(grads!.weights[l]!, t.layers[l]!.dW)).toBeLessThan(1e-12);
          expect(relErr(grads!.biases[l]!, t.layers[l]!.dB)).toBeLessThan(1e-12);
        }
        expect(relErr(after!.weights[l]!, next.weights[l]!)).toBeLessThan(1e-12);
        expect(relErr(after!.biases[l]!, next.biases[l]!)).toBeLessThan(1e-12);
        expect(rec!.gradNorms[l]).toBeCloseTo(Math.hypot(...t.layers[l]!.dW), 12);
      }
      // The step changed something (an assertion that could fail if the update were skipped).
      expect(relErr(after!.weights[0]!, before.weights[0]!)).toBeGreaterThan(0);
    }
    trainer.dispose();
    backend.destroy();
  });
});
