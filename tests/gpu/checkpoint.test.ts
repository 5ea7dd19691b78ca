// Save and resume on WebGPU (Dawn + SwiftShader): the optimizer state reads back and writes into another parameter
// list exactly, and 60 steps equal 30 steps, a save to the run file's text, a load into a fresh trainer and 30 more
// (within f32 tolerance), with Adam on mini-batches (optimizer state, step count and batch order all matter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shape } from '../../src/backend/backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { ModelSpec, ScheduleSpec } from '../../src/core/spec.js';
import { parseRun, serializeRun } from '../../src/train/checkpoint.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { spiralModel } from './models.js';
import { getTestGPU } from './setup-dawn.js';

let gpu: WebGPUBackend;

beforeAll(async () => {
  gpu = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => gpu?.destroy());

describe('WebGPU optimizer state', () => {
  it('reads back after Adam updates and writes into another parameter list exactly (f32 values)', async () => {
    const shapes = [shape(2, 3, 4), shape(2, 1, 4)];
    const params = gpu.tensors(shapes);
    const grads = gpu.tensors(shapes);
    gpu.write(grads[0]!, Array.from({ length: 24 }, (_, i) => Math.sin(i)));
    gpu.write(grads[1]!, Array.from({ length: 8 }, (_, i) => Math.cos(i)));
    for (let t = 1; t <= 3; t++) gpu.update(params, grads, { kind: 'adam', lr: [0.1, 0.2], beta1: [0.9, 0.8], beta2: [0.999, 0.99], eps: 1e-8, step: t });
    const state = await gpu.readOptimizerState(params);
    expect(state.first).toHaveLength(2);
    expect(state.second).toHaveLength(2);
    expect(Math.abs(state.first![0]![1]!)).toBeGreaterThan(0);
    const other = gpu.tensors(shapes);
    expect(await gpu.readOptimizerState(other)).toEqual({ first: null, second: null });
    gpu.writeOptimizerState(other, state);
    expect(await gpu.readOptimizerState(other)).toEqual(state);
    gpu.writeOptimizerState(other, { first: null, second: null });
    const zeroed = await gpu.readOptimizerState(other);
    expect(zeroed.first!.every((a) => a.every((v) => v === 0))).toBe(true);
    expect(() => gpu.writeOptimizerState(other, { first: [new Float64Array(5), new Float64Array(8)], second: null })).toThrow(/first\[0\] needs 24 values, got 5/);
    for (const t of [...params, ...grads, ...other]) gpu.dispose(t);
  });
});

describe('WebGPU save and resume', () => {
  it('60 steps ≡ 30, save, load, 30 (Adam, mini-batches) within f32 tolerance', async () => {
    const model: ModelSpec = spiralModel('tanh', [8, 8], { optimizer: { kind: 'adam', lr: 0.01 } });
    const data = makeDataset({ dataset: 'spiral', samples: 48, noise: 0.05, inputDim: 2, outputDim: 1, seed: 2 });
    const schedule: ScheduleSpec = { batchSize: 10, steps: 60, logEvery: 10, batchSeed: 3, dtype: 'f32' };
    const config = { models: [model], data, schedule };
    const whole = new Trainer(gpu, config);
    const wholeRecs: StepRecord[][] = [];
    await whole.run(60, (r) => wholeRecs.push(r));
    const first = new Trainer(gpu, config);
    const recs: StepRecord[][] = [];
    await first.run(30, (r) => recs.push(r), 60);
    const run = await parseRun(await serializeRun({ models: [model], data: { dataset: 'spiral', samples: 48, noise: 0.05, inputDim: 2, outputDim: 1, seed: 2 }, schedule, state: await first.exportState(), records: recs }));
    first.dispose();
    const resumed = new Trainer(gpu, config);
    resumed.restoreState(run.state);
    await resumed.run(30, (r) => recs.push(r), 60);
    expect(recs.map((r) => r[0]!.step)).toEqual(wholeRecs.map((r) => r[0]!.step));
    recs.forEach((r, i) => expect(Math.abs(r[0]!.loss - wholeRecs[i]![0]!.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(wholeRecs[i]![0]!.loss)));
    const [a] = await whole.readParameters();
    const [b] = await resumed.readParameters();
    a!.weights.forEach((w, l) => w.forEach((v, k) => expect(Math.abs(b!.weights[l]![k]! - v)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v)))));
    whole.dispose();
    resumed.dispose();
  });
});
