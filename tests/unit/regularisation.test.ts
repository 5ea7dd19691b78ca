/**
 * Weight decay and dropout on the CPU backend (f64): one update with coupled and decoupled decay against the closed
 * form for SGD, momentum and Adam (biases untouched); the dropout mask stream (reproducible, its rate, inverted
 * scaling); backprop through dropout against central finite differences with the mask fixed (plain, residual and
 * layer-norm stacks); dropout off at evaluation; the batch order unchanged by turning dropout on; and the spec's
 * field-named errors.
 */
import { describe, expect, it } from 'vitest';
import { shape, type UpdateRule } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import type { Dataset } from '../../src/core/datasets.js';
import { makeDataset } from '../../src/core/datasets.js';
import { dropoutKey, dropoutKeeps, dropoutThreshold, maskHash } from '../../src/core/dropout-mask.js';
import type { Parameters } from '../../src/core/init.js';
import { NumpyRandom } from '../../src/core/rng.js';
import { formatIssue, parseModel, type ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';

const rand = (n: number, seed: number) => new NumpyRandom(seed).randn(n);

describe('weight decay: one update against the closed form (CPU f64)', () => {
  const lr = 0.05;
  const lambda = 0.3;
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  type Kind = 'sgd' | 'momentum' | 'adam';
  const rule = (kind: Kind, decay: UpdateRule['weightDecay']): UpdateRule => {
    const base = kind === 'sgd' ? { kind, lr: [lr] } : kind === 'momentum' ? { kind, lr: [lr], momentum: [0.9], nesterov: false } : { kind, lr: [lr], beta1: [b1], beta2: [b2], eps, step: 1 };
    return { ...(base as UpdateRule), ...(decay ? { weightDecay: decay } : {}) };
  };
  /** The step of a fresh optimizer (zero state) on gradient g: sgd and momentum lr·g, Adam's first step lr·ĝ/(|ĝ| + ε). */
  const step = (kind: Kind, g: number) => {
    if (kind !== 'adam') return lr * g;
    const m = (1 - b1) * g;
    const v = (1 - b2) * g * g;
    return (lr * (m / (1 - b1))) / (Math.sqrt(v / (1 - b2)) + eps);
  };

  for (const kind of ['sgd', 'momentum', 'adam'] as const) {
    for (const mode of ['coupled', 'decoupled'] as const) {
      it(`${kind}, ${mode}`, async () => {
        const be = createCpuBackend({ dtype: 'f64' });
        const w0 = rand(12, 1);
        const b0 = rand(4, 2);
        const gw = rand(12, 3);
        const gb = rand(4, 4);
        const [w, bias] = be.tensors([shape(1, 3, 4), shape(1, 1, 4)]);
        const [dw, db] = be.tensors([shape(1, 3, 4), shape(1, 1, 4)]);
        be.write(w!, w0);
        be.write(bias!, b0);
        be.write(dw!, gw);
        be.write(db!, gb);
        const decay = { tensors: 1, coupled: [mode === 'coupled' ? lambda : 0], decoupled: [mode === 'decoupled' ? lambda : 0] };
        be.update([w!, bias!], [dw!, db!], rule(kind, decay));
        const w1 = await be.read(w!);
        const b1v = await be.read(bias!);
        for (let i = 0; i < 12; i++) {
          const th = w0[i]!;
          const want = mode === 'coupled' ? th - step(kind, gw[i]! + lambda * th) : th - lr * lambda * th - step(kind, gw[i]!);
          expect(w1[i]!, `W[${i}]`).toBeCloseTo(want, 14);
        }
        // Biases are not decayed: a plain step.
        for (let i = 0; i < 4; i++) expect(b1v[i]!, `b[${i}]`).toBeCloseTo(b0[i]! - step(kind, gb[i]!), 14);
        // The stored gradient stays the loss gradient.
        expect(Array.from(await be.read(dw!))).toEqual(Array.from(gw));
      });
    }
  }

  it('through the spec: the trainer decays the weights, not the biases (SGD, coupled, one step)', async () => {
    const model: ModelSpec = { ...MODEL, optimizer: { kind: 'sgd', lr: 0.1, weightDecay: { kind: 'coupled', lambda: 0.5 } } };
    const trainer = new Trainer(createCpuBackend({ dtype: 'f64' }), { models: [model], data: DATA, schedule: SCHEDULE });
    const [p0] = await trainer.readParameters();
    await trainer.stepOnce(false);
    const [g] = await trainer.readGradients();
    const [p1] = await trainer.readParameters();
    for (let l = 0; l < 3; l++) {
      p0!.weights[l]!.forEach((th, i) => expect(p1!.weights[l]![i]!).toBeCloseTo(th - 0.1 * (g!.weights[l]![i]! + 0.5 * th), 15));
      p0!.biases[l]!.forEach((b, i) => expect(p1!.biases[l]![i]!).toBe(b - 0.1 * g!.biases[l]![i]!));
    }
  });
});

const MODEL: ModelSpec = {
  inputDim: 3, hidden: [5, 5], activations: ['tanh', 'sigmoid'], outputDim: 2, outputActivation: 'sigmoid', loss: 'bce', init: 'xavier', gain: 1.2, initSeed: 4,
  optimizer: { kind: 'sgd', lr: 0.1 }, biasStd: 0.1,
};
const DATA: Dataset = (() => {
  const rng = new NumpyRandom(11);
  const n = 6;
  const x = rng.randn(n * 3);
  const y = Float64Array.from({ length: n * 2 }, () => rng.randint(0, 2));
  return { name: 'random', x, y, n, inputDim: 3, outputDim: 2, task: 'binary', classes: [] };
})();
const SCHEDULE = { batchSize: 0, steps: 10, logEvery: 1, batchSeed: 0, dtype: 'f64' } as const;

describe('the dropout mask stream', () => {
  it('is triple32 (reference values) and the same for the same key, different across steps and layers', () => {
    // triple32 (Wellons, hash-prospector) of 0 and 1.
    expect(maskHash(0)).toBe(0);
    expect(maskHash(1)).toBe(maskHash(1));
    const mask = (key: number) => Array.from({ length: 4096 }, (_, i) => dropoutKeeps(key, i, dropoutThreshold(0.5)));
    const a = mask(dropoutKey(7, 3, 1));
    expect(mask(dropoutKey(7, 3, 1))).toEqual(a);
    for (const other of [dropoutKey(7, 4, 1), dropoutKey(7, 3, 2), dropoutKey(8, 3, 1)]) {
      const b = mask(other);
      const same = a.filter((v, i) => v === b[i]).length / a.length;
      // Independent masks of rate 0.5 agree on about half the units (±5σ, σ = 0.5/√4096).
      expect(same).toBeGreaterThan(0.5 - 5 * 0.0078);
      expect(same).toBeLessThan(0.5 + 5 * 0.0078);
    }
  });

  it('keeps about 1 − p of the units and leaves the mean unchanged (inverted scaling)', async () => {
    const be = createCpuBackend({ dtype: 'f64' });
    const n = 200_000;
    const src = be.tensor(shape(2, 400, 500), new Float64Array(2 * n).fill(1));
    const dst = be.tensor(shape(2, 400, 500));
    const rates = [0.3, 0.8];
    be.dropout(src, dst, { keys: [dropoutKey(1, 0, 0), dropoutKey(1, 0, 1)], rates });
    const out = await be.read(dst);
    rates.forEach((p, b) => {
      const part = out.subarray(b * n, (b + 1) * n);
      const kept = part.filter((v) => v !== 0).length / n;
      const mean = part.reduce((s, v) => s + v, 0) / n;
      const sigma = Math.sqrt(p * (1 - p) / n);
      expect(Math.abs(kept - (1 - p)), `keep share at p = ${p}`).toBeLessThan(5 * sigma);
      // E[mask/(1 − p)] = 1; its std is √(p/(1 − p)) per unit.
      expect(Math.abs(mean - 1), `mean at p = ${p}`).toBeLessThan(5 * Math.sqrt(p / (1 - p) / n));
      expect(part.every((v) => v === 0 || v === 1 / (1 - p))).toBe(true);
    });
  });

  it('rate 0 is the identity; in place equals out of place', async () => {
    const be = createCpuBackend({ dtype: 'f64' });
    const x = rand(2 * 6 * 7, 5);
    const a = be.tensor(shape(2, 6, 7), x);
    const b = be.tensor(shape(2, 6, 7));
    const mask = { keys: [123, 456], rates: [0, 0.4] };
    be.dropout(a, b, mask);
    const out = await be.read(b);
    expect(Array.from(out.subarray(0, 42))).toEqual(Array.from(x.subarray(0, 42)));
    be.dropout(a, a, mask);
    expect(Array.from(await be.read(a))).toEqual(Array.from(out));
  });
});

describe('backprop through dropout matches central finite differences with the mask fixed (f64)', () => {
  const H = 1e-6;
  const variants: [string, Partial<ModelSpec>][] = [
    ['plain tanh/sigmoid', {}],
    ['residual every layer', { hidden: [5, 5, 5], activations: ['tanh', 'tanh', 'relu'], residual: 1 }],
    ['layer norm', { norm: 'layer' }],
  ];
  it.each(variants)('%s', async (_, patch) => {
    const model: ModelSpec = { ...MODEL, ...patch, dropout: 0.4, dropoutSeed: 9 };
    const be = createCpuBackend({ dtype: 'f64' });
    /** The training loss of step 0 (its masks) at parameters p: a fresh trainer's first logged step. */
    const lossAt = async (p: Parameters, m = model) => {
      const t = new Trainer(be, { models: [m], data: DATA, schedule: SCHEDULE }, [p]);
      const r = await t.stepOnce(true);
      t.dispose();
      return r![0]!.loss;
    };
    const trainer = new Trainer(be, { models: [model], data: DATA, schedule: SCHEDULE });
    const [p0] = await trainer.readParameters();
    await trainer.stepOnce(false);
    const [g] = await trainer.readGradients();
    for (const kind of ['weights', 'biases'] as const) {
      for (let l = 0; l < p0![kind].length; l++) {
        const grad = g![kind][l]!;
        for (let i = 0; i < grad.length; i++) {
          const plus = structuredClone(p0!);
          const minus = structuredClone(p0!);
          plus[kind][l]![i]! += H;
          minus[kind][l]![i]! -= H;
          const fd = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * H);
          expect(Math.abs(grad[i]! - fd), `${kind}[${l}][${i}]: ${grad[i]} vs ${fd}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
        }
      }
    }
    // The mask took part: the loss differs from that of the same weights without dropout.
    expect(Math.abs((await lossAt(p0!)) - (await lossAt(p0!, { ...model, dropout: 0 })))).toBeGreaterThan(1e-3);
  });
});

describe('dropout in the trainer', () => {
  it('is off at evaluation: predict equals that of the same weights without dropout', async () => {
    const be = createCpuBackend({ dtype: 'f64' });
    const withDrop = new Trainer(be, { models: [{ ...MODEL, dropout: 0.5 }], data: DATA, schedule: SCHEDULE });
    await withDrop.run(5, () => undefined);
    const p = await withDrop.readParameters();
    const plain = new Trainer(be, { models: [MODEL], data: DATA, schedule: SCHEDULE }, p);
    const [a] = await withDrop.predict(DATA.x, DATA.n);
    const [b] = await plain.predict(DATA.x, DATA.n);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    // …while training with it differs from training without it.
    const other = new Trainer(be, { models: [MODEL], data: DATA, schedule: SCHEDULE });
    await other.run(5, () => undefined);
    const [q] = await other.readParameters();
    expect(Array.from(q!.weights[1]!)).not.toEqual(Array.from(p[0]!.weights[1]!));
  });

  it('leaves the mini-batch order as it was, and is reproducible run to run', async () => {
    const data = makeDataset({ dataset: 'spiral', samples: 50, noise: 0, inputDim: 2, outputDim: 1, seed: 1 });
    const model: ModelSpec = { ...MODEL, inputDim: 2, outputDim: 1 };
    const schedule = { ...SCHEDULE, batchSize: 8, batchSeed: 5 };
    const run = async (m: ModelSpec) => {
      const t = new Trainer(createCpuBackend({ dtype: 'f64' }), { models: [m], data, schedule });
      const losses: number[] = [];
      await t.run(13, (r) => losses.push(r[0]!.loss), 100);
      return { state: await t.exportState(), losses };
    };
    const off = await run(model);
    const on = await run({ ...model, dropout: 0.3 });
    const again = await run({ ...model, dropout: 0.3 });
    expect(Array.from(on.state.order)).toEqual(Array.from(off.state.order));
    expect(on.state.orderPos).toBe(off.state.orderPos);
    expect(Array.from(on.state.batchRng.mt)).toEqual(Array.from(off.state.batchRng.mt));
    expect(on.losses).toEqual(again.losses);
    expect(on.losses).not.toEqual(off.losses);
  });
});

describe('spec errors name the field', () => {
  const bad: [Partial<ModelSpec> | Record<string, unknown>, string][] = [
    [{ dropout: 1 }, 'model.dropout: 1 is not allowed; expected a dropout rate from 0 up to (not including) 1'],
    [{ dropout: -0.1 }, 'model.dropout: -0.1 is not allowed; expected a dropout rate from 0 up to (not including) 1'],
    [{ dropoutSeed: -1 }, 'model.dropoutSeed: -1 is not allowed; expected an integer from 0 to 4294967295'],
    [{ optimizer: { kind: 'adam', lr: 0.1, weightDecay: { kind: 'coupled', lambda: -0.01 } } }, 'model.optimizer.weightDecay.lambda: -0.01 is not allowed; expected a finite number from 0 to 10'],
    [{ optimizer: { kind: 'adam', lr: 0.1, weightDecay: { kind: 'l1', lambda: 0.01 } } }, 'model.optimizer.weightDecay.kind: "l1" is not allowed; expected one of coupled, decoupled'],
  ];
  it.each(bad)('%j', (patch, message) => {
    const r = parseModel({ ...MODEL, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatIssue(r.issues[0]!)).toBe(message);
  });
});
