/**
 * Dropout, weight decay and learning-rate schedules on WebGPU against the CPU: the GPU draws the same dropout masks
 * as the CPU (same zeros, bit for bit, per batch entry, in place and out of place); weight decay, coupled and
 * decoupled, for SGD, momentum and Adam, on the single-dispatch and the grouped update paths, matches the CPU f64
 * update; and a cohort trained with dropout, decay and a warm-up + cosine schedule agrees with the CPU run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shape, type Tensor, type UpdateRule } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { dropoutKey } from '../../src/core/dropout-mask.js';
import type { ModelSpec, ScheduleSpec } from '../../src/core/spec.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { relDiff, spiralModel } from './models.js';
import { rng } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => be?.destroy());

describe('dropout masks: GPU = CPU', () => {
  it('the same units dropped and the same scaling, per batch entry, out of place and in place', async () => {
    const r = rng(5);
    const s = shape(3, 37, 53);
    const n = s.batch * s.rows * s.cols;
    const x = Float64Array.from({ length: n }, () => Math.fround(2 * r() - 1) || 0.5);
    const mask = { keys: [dropoutKey(1, 0, 0), dropoutKey(1, 0, 1), dropoutKey(2, 7, 0)], rates: [0.5, 0, 0.9] };
    const cpu = createCpuBackend({ dtype: 'f32' });
    const want = cpu.tensor(s);
    cpu.dropout(cpu.tensor(s, x), want, mask);
    const w = await cpu.read(want);
    const src = be.tensor(s, x);
    const dst = be.tensor(s);
    be.dropout(src, dst, mask);
    const got = await be.read(dst);
    be.dropout(src, src, mask);
    const inPlace = await be.read(src);
    for (let i = 0; i < n; i++) {
      if ((got[i] === 0) !== (w[i] === 0)) expect.fail(`element ${i}: GPU ${got[i]}, CPU ${w[i]}`);
      expect(Math.abs(got[i]! - w[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(w[i]!));
    }
    expect(Array.from(inPlace)).toEqual(Array.from(got));
    // Entry 1 (rate 0) is untouched; entry 2 (rate 0.9) drops about 90 %.
    const per = s.rows * s.cols;
    expect(Array.from(got.subarray(per, 2 * per))).toEqual(Array.from(x.subarray(per, 2 * per)));
    const dropped = got.subarray(2 * per).filter((v) => v === 0).length / per;
    expect(dropped).toBeGreaterThan(0.85);
    expect(dropped).toBeLessThan(0.95);
  });
});

describe('weight decay: GPU update = CPU f64 update', () => {
  type Kind = 'sgd' | 'momentum' | 'adam';
  const makeRule = (kind: Kind, step: number, decay: UpdateRule['weightDecay']): UpdateRule => {
    const lr = [0.05, 0.02];
    const base: UpdateRule =
      kind === 'sgd' ? { kind, lr } : kind === 'momentum' ? { kind, lr, momentum: [0.9, 0.5], nesterov: false } : { kind, lr, beta1: [0.9, 0.8], beta2: [0.999, 0.99], eps: 1e-8, step };
    return { ...base, weightDecay: decay! };
  };
  const cases = (['sgd', 'momentum', 'adam'] as const).flatMap((k) => (['coupled', 'decoupled'] as const).flatMap((m) => [true, false].map((small) => [k, m, small] as const)));
  it.each(cases)('%s, %s, single dispatch %s: 5 updates of a batch of 2 (λ 0.3 and 0)', async (kind, mode, small) => {
    const shapes = small ? [shape(2, 5, 7), shape(2, 7, 3), shape(2, 1, 7), shape(2, 1, 3)] : [shape(2, 40, 60), shape(2, 60, 3), shape(2, 1, 60), shape(2, 1, 3)];
    const r = rng(kind.length * 10 + (mode === 'coupled' ? 1 : 2) + (small ? 100 : 0));
    const draw = () => shapes.map((s) => Float64Array.from({ length: s.batch * s.rows * s.cols }, () => Math.fround(2 * r() - 1)));
    const cpu = createCpuBackend({ dtype: 'f64' });
    const init = draw();
    const gpuParams: Tensor[] = be.tensors(shapes);
    const gpuGrads: Tensor[] = be.tensors(shapes);
    const cpuParams = cpu.tensors(shapes);
    const cpuGrads = cpu.tensors(shapes);
    init.forEach((v, i) => {
      be.write(gpuParams[i]!, v);
      cpu.write(cpuParams[i]!, v);
    });
    const lambda = [0.3, 0];
    const decay = { tensors: 2, coupled: mode === 'coupled' ? lambda : [0, 0], decoupled: mode === 'decoupled' ? lambda : [0, 0] };
    const plainParams = cpu.tensors(shapes);
    init.forEach((v, i) => cpu.write(plainParams[i]!, v));
    for (let t = 1; t <= 5; t++) {
      const g = draw();
      g.forEach((v, i) => {
        be.write(gpuGrads[i]!, v);
        cpu.write(cpuGrads[i]!, v);
      });
      be.update(gpuParams, gpuGrads, makeRule(kind, t, decay));
      cpu.update(cpuParams, cpuGrads, makeRule(kind, t, decay));
      const { weightDecay: _, ...plain } = makeRule(kind, t, decay);
      cpu.update(plainParams, cpuGrads, plain as UpdateRule);
    }
    for (let i = 0; i < shapes.length; i++) {
      const got = await be.read(gpuParams[i]!);
      const want = await cpu.read(cpuParams[i]!);
      for (let j = 0; j < want.length; j++) {
        if (!(Math.abs(got[j]! - want[j]!) <= 2e-6 + 1e-5 * Math.abs(want[j]!))) expect.fail(`tensor ${i}[${j}]: GPU ${got[j]}, CPU ${want[j]}`);
      }
      // Without decay: entry 0's weights (λ 0.3) differ, entry 1's (λ 0) and every bias are the same.
      const plain = await cpu.read(plainParams[i]!);
      const per = want.length / 2;
      let diff0 = 0;
      let diff1 = 0;
      for (let j = 0; j < per; j++) {
        diff0 = Math.max(diff0, Math.abs(want[j]! - plain[j]!));
        diff1 = Math.max(diff1, Math.abs(want[per + j]! - plain[per + j]!));
      }
      if (i < 2) expect(diff0, `tensor ${i}`).toBeGreaterThan(1e-3);
      else expect(diff0, `tensor ${i}`).toBe(0);
      expect(diff1, `tensor ${i}`).toBe(0);
    }
  });
});

describe('a cohort with dropout, weight decay and a schedule: GPU agrees with CPU', () => {
  it('per-step losses within 1e-4 (f32) for 40 mini-batch steps, and the records carry the same rates', async () => {
    const data = makeDataset({ dataset: 'spiral', samples: 64, noise: 0.05, inputDim: 2, outputDim: 1, seed: 2 });
    const base = (over: Partial<ModelSpec>) => spiralModel('tanh', [12, 12, 12], over);
    const models: ModelSpec[] = [
      base({ dropout: 0.3, optimizer: { kind: 'adam', lr: 0.01, weightDecay: { kind: 'decoupled', lambda: 0.1 }, schedule: { kind: 'cosine', steps: 30, warmup: 5 } } }),
      base({ dropout: 0.1, dropoutSeed: 5, optimizer: { kind: 'adam', lr: 0.02, weightDecay: { kind: 'coupled', lambda: 0.01 }, schedule: { kind: 'step', every: 10, factor: 0.5 } } }),
    ];
    const schedule: ScheduleSpec = { batchSize: 16, steps: 40, logEvery: 1, batchSeed: 3, dtype: 'f32' };
    const train = async (backend: typeof be | ReturnType<typeof createCpuBackend>) => {
      const t = new Trainer(backend, { models, data, schedule });
      const recs: StepRecord[][] = [];
      await t.run(40, (r) => recs.push(r));
      t.dispose();
      return recs;
    };
    const gpu = await train(be);
    const cpu = await train(createCpuBackend({ dtype: 'f64' }));
    gpu.forEach((r, i) =>
      r.forEach((rec, b) => {
        const c = cpu[i]![b]!;
        expect(rec.lr).toBe(c.lr);
        expect(relDiff(rec.loss, c.loss), `step ${i} model ${b}`).toBeLessThan(1e-4);
      }),
    );
    // It trained: the loss moved.
    expect(relDiff(cpu.at(-1)![0]!.loss, cpu[0]![0]!.loss)).toBeGreaterThan(1e-3);
  });
});
