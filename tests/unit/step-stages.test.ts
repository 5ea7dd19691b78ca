// The step-through's stages (src/core/step-stages.ts) against the CPU f64 trainer: for a small network the loss stage
// holds the trainer's loss, every backward stage its ∂L/∂W and ∂L/∂b (read back after the step), and the update
// stage its parameters after the step — to 1e-12 — over several steps; and the stages come in the order forward
// 1…L, loss, backward L…1, update, each writing what a later stage reads.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { inspectModel, traceBatch, type InspectModel } from '../../src/core/inspect.js';
import { stepStages, stepThroughFits } from '../../src/core/step-stages.js';
import type { ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';

const spec: ModelSpec = {
  inputDim: 2,
  hidden: [8, 6, 8, 5],
  activations: ['sigmoid', 'tanh', 'relu', 'sigmoid'],
  outputDim: 1,
  outputActivation: 'sigmoid',
  loss: 'bce',
  init: 'xavier',
  gain: 1.3,
  initSeed: 7,
  optimizer: { kind: 'sgd', lr: 0.5 },
  biasStd: 0.1,
};

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}

describe('step-through stages', () => {
  it('fit only small networks', () => {
    expect(stepThroughFits([2, 8, 8, 8, 8, 1])).toBe(true);
    expect(stepThroughFits([2, 8, 8, 8, 8, 8, 1])).toBe(false);
    expect(stepThroughFits([2, 9, 1])).toBe(false);
  });

  it('equal the CPU f64 trainer’s numbers, step after step', async () => {
    const m = inspectModel(spec) as InspectModel;
    const data = makeDataset({ dataset: 'circle', samples: 30, noise: 0.05, inputDim: 2, outputDim: 1, seed: 4 });
    const backend = createCpuBackend({ dtype: 'f64' });
    const trainer = new Trainer(backend, { models: [spec], data, schedule: { batchSize: 0, steps: 10, logEvery: 1, batchSeed: 1, dtype: 'f64' } });
    const L = m.sizes.length - 1;
    for (let s = 0; s < 3; s++) {
      const [before] = await trainer.readParameters();
      const stages = stepStages(m, before!, traceBatch(m, before!, data.x, data.y, data.n), { optimizer: 'sgd', lr: spec.optimizer.lr });
      expect(stages.map((x) => `${x.kind}${x.layer}`)).toEqual([
        ...Array.from({ length: L }, (_, l) => `forward${l}`),
        'loss-1',
        ...Array.from({ length: L }, (_, l) => `backward${L - 1 - l}`),
        'update-1',
      ]);
      const [rec] = (await trainer.stepOnce(true))!;
      const [grads] = await trainer.readGradients();
      const [after] = await trainer.readParameters();
      const loss = stages[L]!.values.find((v) => v.label === 'L')!.values[0]!;
      expect(Math.abs(loss - rec!.loss)).toBeLessThan(1e-12);
      for (const st of stages.filter((x) => x.kind === 'backward')) {
        const k = st.layer + 1;
        const dW = st.values.find((v) => v.label.startsWith(`∂L/∂W${'₀₁₂₃₄₅'[k]}`))!.values;
        const dB = st.values.find((v) => v.label.startsWith(`∂L/∂b${'₀₁₂₃₄₅'[k]}`))!.values;
        expect(maxRel(dW, grads!.weights[st.layer]!)).toBeLessThan(1e-12);
        expect(maxRel(dB, grads!.biases[st.layer]!)).toBeLessThan(1e-12);
      }
      const upd = stages[stages.length - 1]!;
      for (let l = 0; l < L; l++) {
        expect(maxRel(upd.values[2 * l]!.values, after!.weights[l]!)).toBeLessThan(1e-12);
        expect(maxRel(upd.values[2 * l + 1]!.values, after!.biases[l]!)).toBeLessThan(1e-12);
      }
      expect(maxRel(after!.weights[0]!, before!.weights[0]!)).toBeGreaterThan(0);
    }
    trainer.dispose();
    backend.destroy();
  });

  it('each stage reads only what the data, the parameters or an earlier stage wrote', () => {
    const m = inspectModel(spec) as InspectModel;
    const data = makeDataset({ dataset: 'circle', samples: 10, noise: 0, inputDim: 2, outputDim: 1, seed: 4 });
    const p = { weights: m.sizes.slice(1).map((w, l) => new Float64Array(m.sizes[l]! * w).fill(0.1)), biases: m.sizes.slice(1).map((w) => new Float64Array(w)) };
    const stages = stepStages(m, p, traceBatch(m, p, data.x, data.y, data.n), { optimizer: 'adam', lr: 0.01 });
    const have = new Set(['x0', 'y-1', ...m.sizes.slice(1).flatMap((_, l) => [`W${l}`, `b${l}`])]);
    for (const st of stages) {
      for (const r of st.reads) expect(have.has(`${r.what}${r.layer}`), `${st.title} reads ${r.what}${r.layer}`).toBe(true);
      for (const w of st.writes) have.add(`${w.what}${w.layer}`);
    }
    expect(stages[stages.length - 1]!.equation).toMatch(/adam scales g/);
  });
});

describe('neuron chain', () => {
  it('adds up: ∂L/∂a is the sum of the terms above, ∂L/∂z = ∂L/∂a·φ′, ∂L/∂w sums the rows’ a·∂L/∂z', async () => {
    const { neuronChain } = await import('../../src/core/neuron-chain.js');
    const m = inspectModel(spec) as InspectModel;
    const data = makeDataset({ dataset: 'circle', samples: 12, noise: 0.05, inputDim: 2, outputDim: 1, seed: 4 });
    const { initParameters } = await import('../../src/core/init.js');
    const p = initParameters(spec);
    const t = traceBatch(m, p, data.x, data.y, data.n);
    const c = neuronChain(m.sizes, p, t, 2, 3, 5, 100);
    expect(c.aboveCount).toBe(8);
    expect(c.above.reduce((s, u) => s + u.product, 0)).toBeCloseTo(c.dA, 14);
    expect(c.dZ).toBeCloseTo(c.dA * c.slope, 15);
    expect(c.slope).toBeCloseTo(1 - Math.tanh(c.z) ** 2, 14);
    for (const w of c.weights) {
      let s = 0;
      for (let r = 0; r < t.rows; r++) s += t.layers[0]!.a[r * 8 + w.from]! * t.layers[1]!.dZ[r * 6 + 3]!;
      expect(w.grad).toBeCloseTo(s, 14);
    }
    // Sorted by |∂L/∂w|, the largest first.
    for (let i = 1; i < c.weights.length; i++) expect(Math.abs(c.weights[i - 1]!.grad)).toBeGreaterThanOrEqual(Math.abs(c.weights[i]!.grad));
    const out = neuronChain(m.sizes, p, t, 5, 0);
    expect(out.output).toBe(true);
    expect(out.above).toEqual([]);
    expect(() => neuronChain(m.sizes, p, t, 0, 0)).toThrow(/layer: 0 is not a layer with weights in; expected 1 to 5/);
  });
});
