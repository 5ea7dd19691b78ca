/**
 * Backend behaviour beyond single kernels: a whole training step against the f64 CPU backend, loop hygiene
 * (no GPU objects created after the first step), ordering of writes and several steps per flush, limits,
 * the x/y dispatch split, device loss and destroy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type Backend, type Tensor } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { ErrorReport, errors, host, rng, uniform } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let gpu: GPU;
const report = new ErrorReport();

beforeAll(async () => {
  gpu = await getTestGPU();
});
afterAll(() => report.print('training step'));

/** A two-model MLP (5 → 8 → 3, sigmoid vs relu hidden, softmax output) and one SGD step on a mini-batch. */
class TinyTrainer {
  readonly params: Tensor[];
  readonly grads: Tensor[];
  readonly metrics: Tensor;
  private readonly x: Tensor;
  private readonly y: Tensor;
  private readonly xb: Tensor;
  private readonly yb: Tensor;
  private readonly h: Tensor;
  private readonly out: Tensor;
  private readonly dOut: Tensor;
  private readonly dH: Tensor;

  constructor(private readonly be: Backend, seed: number) {
    const r = rng(seed);
    const shapes = [shape(2, 5, 8), shape(2, 1, 8), shape(2, 8, 3), shape(2, 1, 3)];
    this.params = be.tensors(shapes);
    this.grads = be.tensors(shapes);
    this.params.forEach((t) => be.write(t, host(2, t.shape.rows, t.shape.cols, uniform(r)).data));
    this.x = be.tensor(shape(1, 64, 5), host(1, 64, 5, uniform(r, -2, 2)).data);
    const labels = new Float64Array(64 * 3);
    for (let i = 0; i < 64; i++) labels[i * 3 + Math.floor(r() * 3)] = 1;
    this.y = be.tensor(shape(1, 64, 3), labels);
    this.xb = be.tensor(shape(1, 16, 5));
    this.yb = be.tensor(shape(1, 16, 3));
    this.h = be.tensor(shape(2, 16, 8));
    this.out = be.tensor(shape(2, 16, 3));
    this.dOut = be.tensor(shape(2, 16, 3));
    this.dH = be.tensor(shape(2, 16, 8));
    this.metrics = be.tensor(shape(2, 1, 9));
  }

  step(rows: Uint32Array): void {
    const { be, params: [w1, b1, w2, b2], grads: [gw1, gb1, gw2, gb2] } = this;
    be.gatherRows(this.x, rows, this.xb);
    be.gatherRows(this.y, rows, this.yb);
    be.matmul(this.xb, w1!, this.h, { epilogue: { kind: 'bias_act', bias: b1!, activations: ['sigmoid', 'relu'] } });
    be.matmul(this.h, w2!, this.out, { epilogue: { kind: 'bias_act', bias: b2!, activations: ['softmax', 'softmax'] } });
    be.outputDelta('softmax_ce', 'softmax', this.out, this.yb, this.dOut);
    be.matmul(this.h, this.dOut, gw2!, { transA: true });
    be.columnSums(this.dOut, gb2!);
    be.matmul(this.dOut, w2!, this.dH, { transB: true, epilogue: { kind: 'act_grad', act: this.h, activations: ['sigmoid', 'relu'] } });
    be.matmul(this.xb, this.dH, gw1!, { transA: true });
    be.columnSums(this.dH, gb1!);
    be.lossInto('softmax_ce', this.out, this.yb, this.metrics, 0);
    be.accuracyInto(this.out, this.yb, this.metrics, 1);
    be.normsInto(this.grads, this.metrics, 2);
    be.activationStatsInto(this.h, ['sigmoid', 'relu'], this.metrics, 6);
    be.update(this.params, this.grads, { kind: 'sgd', lr: [0.5, 0.1] });
  }
}

function batches(seed: number, count: number): Uint32Array[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Uint32Array.from({ length: 16 }, () => Math.floor(r() * 64)));
}

describe('training step', () => {
  let be: WebGPUBackend;
  beforeAll(async () => {
    // A clock that never advances: whether steps share a command buffer depends only on the step count and on
    // the end of the task (a microtask), never on how fast this machine records them.
    be = await createWebGPUBackend({ gpu, timing: { now: () => 0, defer: queueMicrotask } });
  });
  afterAll(() => be?.destroy());

  test('matches the f64 CPU backend over 6 steps, 3 steps per submit; no pipelines and bounded call-site slots after the first submit', async () => {
    const cpu = createCpuBackend({ dtype: 'f64' });
    const [g, c] = [new TinyTrainer(be, 11), new TinyTrainer(cpu, 11)];
    const rows = batches(12, 6);
    let stats = be.cacheStats();
    let submits = be.workStats().submits;
    for (let i = 0; i < 6; i++) {
      g.step(rows[i]!);
      c.step(rows[i]!);
      be.flush();
      if (i % 3 === 2) {
        // With the clock frozen, three steps' ends (fewer than MAX_STEPS_PER_SUBMIT) submit nothing until this task
        // yields, then exactly one command buffer.
        expect(be.workStats().submits - submits).toBe(0);
        await Promise.resolve();
        expect(be.workStats().submits - submits).toBe(1);
        submits = be.workStats().submits;
        if (i === 2) stats = be.cacheStats();
        else {
          // No new pipelines; new call-site slots only for per-step data (the two gathers' row indices), at most
          // one per step sharing a command buffer: 3 steps per chunk.
          expect(be.cacheStats().pipelines).toBe(stats.pipelines);
          expect(be.cacheStats().callSiteSlots).toBeLessThanOrEqual(stats.callSiteSlots + 2 * 2);
        }
      }
    }
    const [gm, cm] = [await be.read(g.metrics), await cpu.read(c.metrics)];
    report.add('metrics (loss, acc, norms, stats)', errors(gm, cm, 1e-6));
    for (let i = 0; i < cm.length; i++) expect(gm[i]).toBeCloseTo(cm[i]!, 4);
    for (let p = 0; p < 4; p++) {
      const [gp, cp] = [await be.read(g.params[p]!), await cpu.read(c.params[p]!)];
      report.add('parameters after 6 steps', errors(gp, cp, 1e-3));
      for (let i = 0; i < cp.length; i++) expect(Math.abs(gp[i]! - cp[i]!)).toBeLessThan(1e-4);
    }
  });

  test('a write after recorded work does not change what that work sees', async () => {
    const a = be.tensor(shape(1, 2, 2), [1, 2, 3, 4]);
    const eye = be.tensor(shape(1, 2, 2), [1, 0, 0, 1]);
    const [o1, o2] = [be.tensor(shape(1, 2, 2)), be.tensor(shape(1, 2, 2))];
    be.matmul(a, eye, o1);
    be.write(a, [5, 6, 7, 8]);
    be.matmul(a, eye, o2);
    expect([...(await be.read(o1))]).toEqual([1, 2, 3, 4]);
    expect([...(await be.read(o2))]).toEqual([5, 6, 7, 8]);
  });

  test('tensors over the binding limit are refused with the limit in the message', () => {
    expect(() => be.tensor(shape(4, 16384, 16384))).toThrow(new RegExp(`limit of ${be.maxTensorBytes} bytes`));
  });

  test('tensors allocated together can be read and written by one matmul', async () => {
    const [a, b, out] = be.tensors([shape(1, 2, 3), shape(1, 3, 2), shape(1, 2, 2)]);
    be.write(a!, [1, 2, 3, 4, 5, 6]);
    be.write(b!, [1, 0, 0, 1, 1, 1]);
    be.matmul(a!, b!, out!);
    expect([...(await be.read(out!))]).toEqual([4, 5, 10, 11]);
  });

  test('concurrent reads through the staging ring', async () => {
    const ts = [1, 2, 3, 4, 5, 6].map((v) => be.tensor(shape(1, 1, v * 100), new Float64Array(v * 100).fill(v)));
    const got = await Promise.all(ts.map((t) => be.read(t)));
    got.forEach((g, i) => expect(g.every((x) => x === i + 1)).toBe(true));
  });
});

describe('GPU timestamps', () => {
  test('timeGpu returns a positive duration for recorded work and leaves its results right', async () => {
    const be = await createWebGPUBackend({ gpu });
    try {
      const n = 128;
      const a = be.tensor(shape(1, n, n), new Float64Array(n * n).fill(0.5));
      const b = be.tensor(shape(1, n, n), new Float64Array(n * n).fill(0.5));
      const out = be.tensor(shape(1, n, n));
      const run = (count: number) => () => {
        for (let i = 0; i < count; i++) be.matmul(a, b, out);
      };
      await be.timeGpu(run(1)); // warm-up: pipeline compilation
      const [few, many] = [await be.timeGpu(run(2)), await be.timeGpu(run(40))];
      expect((await be.read(out))[0]).toBe(0.25 * n);
      if (!be.device.features.has('timestamp-query')) {
        expect([few, many]).toEqual([null, null]);
        return;
      }
      console.log(`timeGpu: 2 products of ${n}³ ${few} ms, 40 products ${many} ms`);
      // Only what holds on any machine, however loaded: the timestamps bracket real work (a positive, finite span).
      // How the duration grows with the work is a benchmark's figure (`lab bench matmul`), not a test's.
      for (const ms of [few!, many!]) {
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
      }
      expect(many!).toBeGreaterThan(0);
    } finally {
      be.destroy();
    }
  });
});

describe('dispatch split over x and y', () => {
  test('every kernel is right when maxComputeWorkgroupsPerDimension is 5', async () => {
    const small = await createWebGPUBackend({ gpu, maxWorkgroupsPerDimension: 5 });
    const big = await createWebGPUBackend({ gpu });
    try {
      const [g, c] = [new TinyTrainer(small, 21), new TinyTrainer(big, 21)];
      for (const rows of batches(22, 2)) {
        g.step(rows); // norms: 8 workgroups (5 × 2 grid); update: 8 entries (y, z) = (4, 2)
        c.step(rows);
      }
      const a = host(1, 600, 9, uniform(rng(23)));
      const outs = [small, big].map((be) => {
        const t = be.tensor(shape(1, 600, 9), a.data);
        const s = be.tensor(shape(1, 33, 9), a.data.subarray(0, 33 * 9));
        const u = be.tensor(shape(1, 40, 9), a.data.subarray(0, 40 * 9));
        const w = be.tensor(shape(1, 130, 9), a.data.subarray(0, 130 * 9));
        const v = be.tensor(shape(1, 140, 9), a.data.subarray(0, 140 * 9));
        const o1 = be.tensor(shape(1, 33, 40)); // 3 × 3 tiles of 16×16: a 5 × 2 grid
        const o2 = be.tensor(shape(1, 130, 140)); // 5 × 5 tiles of 32×32: a 5 × 5 grid
        be.matmul(s, u, o1, { transB: true });
        be.matmul(w, v, o2, { transB: true });
        be.softmaxRows(t); // 10 workgroups of 64 rows: a 5 × 2 grid
        return [t, o1, o2];
      });
      expect(await small.read(g.metrics)).toEqual(await big.read(c.metrics));
      for (let p = 0; p < 4; p++) expect(await small.read(g.params[p]!)).toEqual(await big.read(c.params[p]!));
      for (let i = 0; i < 3; i++) expect(await small.read(outs[0]![i]!)).toEqual(await big.read(outs[1]![i]!));
    } finally {
      small.destroy();
      big.destroy();
    }
  });
});

describe('device loss, errors and destroy', () => {
  test('creation failures carry a reason', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(createWebGPUBackend({ gpu: noAdapter })).rejects.toMatchObject({ reason: 'no-adapter' });
    const adapter = await gpu.requestAdapter();
    const failing = new Proxy(adapter!, {
      get: (target, prop) => (prop === 'requestDevice' ? () => Promise.reject(new Error('boom')) : Reflect.get(target, prop)),
    });
    const noDevice = { requestAdapter: async () => failing } as unknown as GPU;
    await expect(createWebGPUBackend({ gpu: noDevice })).rejects.toMatchObject({ reason: 'device-failed', message: /boom/ });
    if (typeof navigator === 'undefined' || !navigator.gpu) {
      await expect(createWebGPUBackend({})).rejects.toMatchObject({ reason: 'no-webgpu' });
    }
  });

  test('an uncaptured validation error becomes a fault, and the backend refuses further work', async () => {
    const be = await createWebGPUBackend({ gpu });
    be.device.createBuffer({ size: 16, usage: 0xffff });
    const fault = await be.fault;
    expect(fault.reason).toBe('validation');
    expect(() => be.tensor(shape(1, 1, 1))).toThrow(/can no longer run: WebGPU validation error/);
    be.destroy();
  });

  test('fault resolves with a device-lost message; later operations throw a clear error', async () => {
    const be = await createWebGPUBackend({ gpu });
    const t = be.tensor(shape(1, 2, 2), [1, 2, 3, 4]);
    be.loseDevice();
    const fault = await be.fault;
    expect(fault.reason).toBe('device-lost');
    expect(fault.message).toMatch(/device lost/i);
    expect(() => be.softmaxRows(t)).toThrow(/can no longer run: WebGPU device lost/);
    await expect(be.read(t)).rejects.toThrow(/device lost/);
    be.destroy();
  });

  test('destroy() releases the backend without reporting a fault; later use throws', async () => {
    const be = await createWebGPUBackend({ gpu });
    const t = be.tensor(shape(1, 1, 1));
    be.destroy();
    // The device reports its loss as 'destroyed'; by then (and a task later) the backend has reported no fault.
    expect((await be.device.lost).reason).toBe('destroyed');
    const raced = await Promise.race([be.fault, new Promise((r) => setTimeout(() => r('no fault'), 0))]);
    expect(raced).toBe('no fault');
    expect(() => be.flush()).toThrow(/after destroy/);
    expect(() => be.softmaxRows(t)).toThrow(/after destroy/);
  });
});
