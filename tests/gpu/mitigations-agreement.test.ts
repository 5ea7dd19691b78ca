// Training with the vanishing-gradient mitigations — batch norm, layer norm, residual connections — on WebGPU
// (Dawn + SwiftShader) agrees with the CPU backend in f32: per-step losses and gradient norms, the last step's
// gradients (∂L/∂W, ∂L/∂β, ∂L/∂γ), the parameters with batch norm's running statistics, and predictions in
// evaluation mode (running statistics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import type { HiddenActivation } from '../../src/core/activations.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { ModelSpec, ScheduleSpec } from '../../src/core/spec.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { relDiff, spiralModel } from './models.js';
import { getTestGPU } from './setup-dawn.js';

let gpu: Backend;

beforeAll(async () => {
  gpu = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => gpu?.destroy());

const spiral = makeDataset({ dataset: 'spiral', samples: 48, noise: 0.05, inputDim: 2, outputDim: 1, seed: 2 });
const schedule: ScheduleSpec = { batchSize: 16, steps: 40, logEvery: 5, batchSeed: 3, dtype: 'f32' };

/** The shared test model at lr 0.1. */
const model = (act: HiddenActivation, hidden: number[], over: Partial<ModelSpec>): ModelSpec =>
  spiralModel(act, hidden, { optimizer: { kind: 'sgd', lr: 0.1 }, ...over });

/** Train, then read the last step's gradients, the parameters and evaluation-mode predictions on the whole data set. */
async function train(backend: Backend, models: ModelSpec[]) {
  const trainer = new Trainer(backend, { models, data: spiral, schedule });
  const records: StepRecord[][] = [];
  await trainer.run(schedule.steps, (r) => records.push(r));
  const grads = await trainer.readGradients();
  const params = await trainer.readParameters();
  const predictions = await trainer.predict(spiral.x, spiral.n);
  trainer.dispose();
  return { records, grads, params, predictions };
}

/** max |a − b| / max |b|: the error relative to the tensor's scale. */
function scaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Every named per-layer array of a Parameters-like record, flattened to [name, layer, values]. */
function arrays(p: object): [string, number, Float64Array][] {
  const out: [string, number, Float64Array][] = [];
  for (const [name, v] of Object.entries(p)) {
    if (Array.isArray(v)) v.forEach((a, l) => out.push([name, l, a as Float64Array]));
  }
  return out;
}

const CASES: [string, ModelSpec[]][] = [
  ['batch norm, tanh', [model('tanh', [12, 12, 12], { norm: 'batch' })]],
  ['layer norm, relu', [model('relu', [12, 12, 12], { norm: 'layer' })]],
  ['residual 1, tanh', [model('tanh', [10, 10, 10, 10], { residual: 1 })]],
  ['residual 2 + batch norm, relu', [model('relu', [10, 10, 10, 10, 10], { residual: 2, norm: 'batch' })]],
  [
    'cohort of tanh and relu, residual 1 + layer norm',
    [model('tanh', [10, 10, 10], { residual: 1, norm: 'layer' }), model('relu', [10, 10, 10], { residual: 1, norm: 'layer', init: 'xavier' })],
  ],
  [
    'cohort of sigmoid and leaky relu, batch norm',
    [model('sigmoid', [10, 10, 10], { norm: 'batch' }), model('leaky_relu', [10, 10, 10], { norm: 'batch', init: 'xavier' })],
  ],
];

describe('mitigations: WebGPU agrees with CPU f32 over 40 mini-batch steps', () => {
  it.each(CASES)('%s', async (name, models) => {
    const cpu = await train(createCpuBackend({ dtype: 'f32' }), models);
    const web = await train(gpu, models);
    expect(web.records.map((r) => r[0]!.step)).toEqual(cpu.records.map((r) => r[0]!.step));
    const worst = { firstGradNorm: 0, loss: 0, gradNorm: 0, grads: 0, params: 0, predictions: 0 };
    web.records.forEach((r, i) => {
      r.forEach((rec, b) => {
        const c = cpu.records[i]![b]!;
        worst.loss = Math.max(worst.loss, relDiff(rec.loss, c.loss));
        rec.gradNorms.forEach((g, l) => (worst.gradNorm = Math.max(worst.gradNorm, relDiff(g, c.gradNorms[l]!))));
        if (i === 0) rec.gradNorms.forEach((g, l) => (worst.firstGradNorm = Math.max(worst.firstGradNorm, relDiff(g, c.gradNorms[l]!))));
      });
    });
    models.forEach((_, b) => {
      const [wg, cg] = [arrays(web.grads[b]!), arrays(cpu.grads[b]!)];
      expect(wg.map(([n, l]) => `${n}${l}`)).toEqual(cg.map(([n, l]) => `${n}${l}`));
      if (models[b]!.norm) expect(wg.some(([n]) => n === 'gammas')).toBe(true);
      wg.forEach(([n, l, v], k) => (worst.grads = Math.max(worst.grads, scaledDiff(v, cg[k]![2]))));
      const [wp, cp] = [arrays(web.params[b]!), arrays(cpu.params[b]!)];
      expect(wp.map(([n, l]) => `${n}${l}`)).toEqual(cp.map(([n, l]) => `${n}${l}`));
      if (models[b]!.norm === 'batch') expect(wp.some(([n]) => n === 'runningVar')).toBe(true);
      wp.forEach(([, , v], k) => (worst.params = Math.max(worst.params, scaledDiff(v, cp[k]![2]))));
      worst.predictions = Math.max(worst.predictions, scaledDiff(web.predictions[b]!, cpu.predictions[b]!));
    });
    console.log(
      `${name}: max rel diff loss ${worst.loss.toExponential(2)}, grad norms ${worst.gradNorm.toExponential(2)} ` +
        `(step 0: ${worst.firstGradNorm.toExponential(2)}); ` +
        `max diff / scale: last gradients ${worst.grads.toExponential(2)}, parameters ${worst.params.toExponential(2)}, ` +
        `eval predictions ${worst.predictions.toExponential(2)}`,
    );
    // Step 0 (the same initial weights): only the rounding of one forward and backward pass.
    expect(worst.firstGradNorm).toBeLessThan(2e-5);
    // Later steps drift apart by f32 rounding alone; sums with cancellation (dβ, dγ) show it most. Sigmoid with
    // batch norm is the worst case: there CPU f32 itself is 1.8e-4 (gradients) and 1.2e-4 (parameters) from CPU f64,
    // WebGPU 0.9e-4 and 0.7e-4.
    expect(worst.loss).toBeLessThan(1e-4);
    expect(worst.gradNorm).toBeLessThan(2e-3);
    expect(worst.grads).toBeLessThan(2e-3);
    expect(worst.params).toBeLessThan(1e-3);
    expect(worst.predictions).toBeLessThan(1e-4);
  });
});
