// Whole training runs on WebGPU (Dawn + SwiftShader) agree with the CPU path: 100 steps against CPU f32 for
// every hidden activation, loss and optimizer (with clipping by norm and by value), a batched cohort against separate CPU runs, mini-batches, and the
// per-layer gradient norms of a 60-layer sigmoid net whose early layers' gradients are below 1e-30.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { HIDDEN_ACTIVATIONS } from '../../src/core/activations.js';
import { makeDataset, type Dataset } from '../../src/core/datasets.js';
import type { LossName } from '../../src/core/losses.js';
import { NumpyRandom } from '../../src/core/rng.js';
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

const model = spiralModel;

function schedule(steps: number, logEvery: number, batchSize = 0): ScheduleSpec {
  return { batchSize, steps, logEvery, batchSeed: 3, dtype: 'f32' };
}

async function train(backend: Backend, models: ModelSpec[], data: Dataset, s: ScheduleSpec) {
  const trainer = new Trainer(backend, { models, data, schedule: s });
  const records: StepRecord[][] = [];
  await trainer.run(s.steps, (r) => records.push(r));
  const params = await trainer.readParameters();
  trainer.dispose();
  return { records, params };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const spiral = makeDataset({ dataset: 'spiral', samples: 48, noise: 0.05, inputDim: 2, outputDim: 1, seed: 2 });

/** A 3-class data set (one-hot targets) for softmax cross-entropy. */
function threeClasses(): Dataset {
  const rng = new NumpyRandom(5);
  const n = 30;
  const x = rng.randn(n * 2);
  const y = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (x[2 * i]! > 0.3 ? 0 : x[2 * i + 1]! > 0 ? 1 : 2)] = 1;
  return { name: 'csv', x, y, n, inputDim: 2, outputDim: 3, task: 'multiclass', classes: ['a', 'b', 'c'] };
}

type Run = Awaited<ReturnType<typeof train>>;

/**
 * The shared checks of a 100-step comparison: the same logged steps, every layer's gradient norm within 2e-3,
 * the losses within 1e-4 (relative), the weights within 1e-3; `each` adds per-record checks. Returns the worst
 * relative loss difference.
 */
function expectAgreement(web: Run, cpu: Run, each: (w: StepRecord, c: StepRecord) => void): number {
  expect(web.records.map((r) => r[0]!.step)).toEqual(cpu.records.map((r) => r[0]!.step));
  let worst = 0;
  web.records.forEach((r, i) => {
    const c = cpu.records[i]![0]!;
    worst = Math.max(worst, relDiff(r[0]!.loss, c.loss));
    r[0]!.gradNorms.forEach((g, l) => expect(relDiff(g, c.gradNorms[l]!), `step ${c.step} layer ${l}`).toBeLessThan(2e-3));
    each(r[0]!, c);
  });
  expect(worst).toBeLessThan(1e-4);
  web.params[0]!.weights.forEach((w, l) => expect(maxAbsDiff(w, cpu.params[0]!.weights[l]!)).toBeLessThan(1e-3));
  return worst;
}

describe('100 training steps: WebGPU agrees with CPU f32', () => {
  it.each(HIDDEN_ACTIVATIONS)('%s hidden layers, bce loss', async (act) => {
    const m = [model(act, [12, 12, 12])];
    const s = schedule(100, 10);
    const cpu = await train(createCpuBackend({ dtype: 'f32' }), m, spiral, s);
    const web = await train(gpu, m, spiral, s);
    expectAgreement(web, cpu, (w, c) => expect(w.accuracy).toBeCloseTo(c.accuracy!, 6));
  });

  it.each<[LossName, ModelSpec['outputActivation']]>([
    ['mse', 'linear'],
    ['mse', 'sigmoid'],
    ['softmax_ce', 'softmax'],
  ])('%s loss with %s output', async (loss, out) => {
    const data = loss === 'softmax_ce' ? threeClasses() : spiral;
    const m = [model('tanh', [10, 10], { loss, outputActivation: out, outputDim: data.outputDim })];
    const s = schedule(100, 25);
    const cpu = await train(createCpuBackend({ dtype: 'f32' }), m, data, s);
    const web = await train(gpu, m, data, s);
    web.records.forEach((r, i) => expect(relDiff(r[0]!.loss, cpu.records[i]![0]!.loss)).toBeLessThan(1e-4));
  });

  it.each<[string, ModelSpec['optimizer'], ModelSpec['clip']]>([
    ['momentum', { kind: 'momentum', lr: 0.05, momentum: 0.9 }, undefined],
    ['nesterov', { kind: 'nesterov', lr: 0.05, momentum: 0.9 }, undefined],
    ['rmsprop', { kind: 'rmsprop', lr: 0.003, decay: 0.9 }, undefined],
    ['adam', { kind: 'adam', lr: 0.003 }, undefined],
    ['adam, clipped by global norm', { kind: 'adam', lr: 0.003 }, { kind: 'norm', max: 0.05 }],
    ['sgd, clipped by value', { kind: 'sgd', lr: 0.2 }, { kind: 'value', max: 0.01 }],
  ])('optimizer %s: losses, gradient norms and weights over 100 mini-batch steps', async (_name, optimizer, clip) => {
    const m = [model('tanh', [12, 12, 12], { optimizer, ...(clip ? { clip } : {}) })];
    const s = schedule(100, 10, 16);
    const cpu = await train(createCpuBackend({ dtype: 'f32' }), m, spiral, s);
    const web = await train(gpu, m, spiral, s);
    const worst = expectAgreement(web, cpu, (w, c) => expect(relDiff(w.clipFactor, c.clipFactor), `step ${c.step} clip factor`).toBeLessThan(1e-3));
    console.log(`optimizer ${_name}: worst relative loss difference over 100 steps ${worst.toExponential(2)}`);
    // Clipping acted on the logged steps where it is on (factor < 1 for the norm, a share > 0 for the value).
    if (clip) expect(cpu.records.some((r) => (clip.kind === 'norm' ? r[0]!.clipFactor < 1 : r[0]!.clipFactor > 0))).toBe(true);
    // The run moved: the comparison is not of two untouched initial states.
    expect(relDiff(cpu.records.at(-1)![0]!.loss, cpu.records[0]![0]!.loss)).toBeGreaterThan(1e-3);
  });

  it('mini-batches drawn on the GPU follow the same seeded order', async () => {
    const m = [model('relu', [16, 16])];
    const s = schedule(60, 10, 16);
    const cpu = await train(createCpuBackend({ dtype: 'f32' }), m, spiral, s);
    const web = await train(gpu, m, spiral, s);
    web.records.forEach((r, i) => expect(relDiff(r[0]!.loss, cpu.records[i]![0]!.loss)).toBeLessThan(1e-4));
  });

  it('a batched cohort (sigmoid and relu in lockstep) equals the two runs trained alone', async () => {
    const sig = model('sigmoid', [16, 16, 16], { init: 'xavier' });
    const relu = model('relu', [16, 16, 16], { init: 'he', optimizer: { kind: 'sgd', lr: 0.05 } });
    const s = schedule(40, 10);
    const together = await train(gpu, [sig, relu], spiral, s);
    for (const [b, m] of [sig, relu].entries()) {
      const alone = await train(createCpuBackend({ dtype: 'f32' }), [m], spiral, s);
      together.records.forEach((r, i) => {
        expect(relDiff(r[b]!.loss, alone.records[i]![0]!.loss)).toBeLessThan(1e-4);
        r[b]!.gradNorms.forEach((g, l) => expect(relDiff(g, alone.records[i]![0]!.gradNorms[l]!)).toBeLessThan(2e-3));
      });
    }
  });
});

describe('vanishing gradients: norms stay accurate far below 1e-30', () => {
  it('60-layer sigmoid net: every layer within 0.5% of CPU f64, early layers below 1e-30', async () => {
    const data = makeDataset({ dataset: 'spiral', samples: 32, noise: 0.05, inputDim: 2, outputDim: 1, seed: 1 });
    const m = [model('sigmoid', Array(60).fill(16), { init: 'xavier', gain: 1.3 })];
    const s = schedule(3, 1);
    const ref = await train(createCpuBackend({ dtype: 'f64' }), m, data, s);
    const web = await train(gpu, m, data, s);
    const first = ref.records[0]![0]!.gradNorms;
    expect(first.filter((g) => g < 1e-30).length).toBeGreaterThanOrEqual(5);
    web.records.forEach((r, i) => {
      const want = ref.records[i]![0]!;
      r[0]!.gradNorms.forEach((g, l) => {
        expect(g, `step ${i} layer ${l}`).toBeGreaterThan(0);
        expect(Math.abs(Math.log(g / want.gradNorms[l]!)), `step ${i} layer ${l}: ${g} vs ${want.gradNorms[l]}`).toBeLessThan(5e-3);
      });
    });
    console.log(`60-layer sigmoid: first-layer ‖∂L/∂W‖ WebGPU ${web.records[0]![0]!.gradNorms[0]!.toExponential(3)} vs CPU f64 ${first[0]!.toExponential(3)}`);
  });
});
