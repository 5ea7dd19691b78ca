// Multi-threaded CPU backend: large matmuls split by rows between the main thread and workers give the same bits
// as one thread (and, in f64, as the naive JavaScript triple loop), training with 2 threads reproduces the records
// of 1 thread, and destroy() stops the workers.
import { afterAll, describe, expect, it } from 'vitest';
import type { Epilogue, Tensor } from '../../src/backend/backend.js';
import { shape } from '../../src/backend/backend.js';
import { createCpuBackend, SPLIT_MIN_MACS, type CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { matmulRows, matmulRowsJs, MatmulWorkspace } from '../../src/backend/cpu/matmul.js';
import type { ActivationName, HiddenActivation } from '../../src/core/activations.js';
import { NumpyRandom } from '../../src/core/rng.js';
import type { ModelSpec } from '../../src/core/spec.js';
import type { Dataset } from '../../src/core/datasets.js';
import { Trainer } from '../../src/train/trainer.js';

/** (M, K, N) with M·N·K ≥ SPLIT_MIN_MACS: odd sizes, register-block tails, few rows, tall and wide. */
const SHAPES: [number, number, number][] = [[67, 65, 61], [9, 300, 100], [200, 33, 41], [128, 128, 128], [515, 8, 65]];
const COMBOS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const DTYPES = ['f64', 'f32'] as const;

const live: CpuBackend[] = [];
afterAll(() => {
  for (const b of live) b.destroy();
});

function backend(dtype: 'f32' | 'f64', threads: number): CpuBackend {
  const b = createCpuBackend({ dtype, threads });
  live.push(b);
  return b;
}

function values(seed: number, n: number): Float64Array {
  return new NumpyRandom(seed).randn(n);
}

/** op(A)·op(B) with its epilogue on one backend; returns the output bits as f64. */
function product(
  b: CpuBackend, [m, k, n]: [number, number, number], transA: boolean, transB: boolean, batch: number, epilogue: Epilogue['kind'],
): Float64Array {
  const acts: ActivationName[] = ['sigmoid', 'relu', 'softmax', 'tanh'].slice(0, batch) as ActivationName[];
  const hidden: HiddenActivation[] = ['sigmoid', 'tanh', 'leaky_relu', 'relu'].slice(0, batch) as HiddenActivation[];
  const a = b.tensor(shape(1, transA ? k : m, transA ? m : k), values(1, m * k));
  const bb = b.tensor(shape(batch, transB ? n : k, transB ? k : n), values(2, batch * k * n));
  const out = b.tensor(shape(batch, m, n));
  let ep: Epilogue = { kind: 'none' };
  let aux: Tensor | null = null;
  if (epilogue === 'bias_act') {
    aux = b.tensor(shape(batch, 1, n), values(3, batch * n));
    ep = { kind: 'bias_act', bias: aux, activations: acts };
  } else if (epilogue === 'act_grad') {
    aux = b.tensor(shape(batch, m, n), values(4, batch * m * n).map((v) => 1 / (1 + Math.exp(-v))));
    ep = { kind: 'act_grad', act: aux, activations: hidden };
  }
  b.matmul(a, bb, out, { transA, transB, epilogue: ep });
  const result = b.readSync(out);
  for (const t of [a, bb, out, aux]) if (t) b.dispose(t);
  return result;
}

describe('2 threads give the bits of 1 thread', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: every transpose combination and epilogue on shapes above the split threshold`, async () => {
      const one = backend(dtype, 1);
      const two = backend(dtype, 2);
      await two.ready();
      expect(one.info.description).toBe(`CPU ${dtype} (1 thread)`);
      expect(two.info.description).toBe(`CPU ${dtype} (2 threads)`);
      let products = 0;
      let shared = 0;
      for (const s of SHAPES) {
        expect(s[0] * s[1] * s[2]).toBeGreaterThanOrEqual(SPLIT_MIN_MACS);
        for (const [ta, tb] of COMBOS) {
          for (const ep of ['none', 'bias_act', 'act_grad'] as const) {
            const batch = ep === 'none' ? 1 : 3;
            const before = two.threadStats.workerBands;
            const x = product(one, s, ta, tb, batch, ep);
            const y = product(two, s, ta, tb, batch, ep);
            products++;
            if (two.threadStats.workerBands > before) shared++;
            expect(y.length).toBe(x.length);
            const firstDiff = x.findIndex((v, i) => !Object.is(v, y[i]));
            expect(firstDiff, `${dtype} ${s} transA=${ta} transB=${tb} ${ep}`).toBe(-1);
          }
        }
      }
      expect(one.threadStats.splitJobs).toBe(0);
      expect(two.threadStats.splitJobs).toBe(products);
      // A worker takes bands unless its core is busy elsewhere for the whole product.
      expect(shared).toBeGreaterThan(0);
    });
  }

  it('f64 split products equal the naive JavaScript triple loop', async () => {
    const two = backend('f64', 2);
    await two.ready();
    for (const s of SHAPES) {
      for (const [ta, tb] of COMBOS) {
        const [m, k, n] = s;
        const y = product(two, s, ta, tb, 1, 'none');
        const av = values(1, m * k);
        const bv = values(2, k * n);
        const ref = new Float64Array(m * n);
        matmulRowsJs(
          { data: av, offset: 0, rows: ta ? k : m, cols: ta ? m : k }, ta,
          { data: bv, offset: 0, rows: tb ? n : k, cols: tb ? k : n }, tb,
          { data: ref, offset: 0, rows: m, cols: n }, 0, m,
        );
        expect(y.findIndex((v, i) => !Object.is(v, ref[i]))).toBe(-1);
      }
    }
  });

  it('keeps working as tensors are created and disposed between splits (buffer registration)', async () => {
    const one = backend('f32', 1);
    const two = backend('f32', 2);
    await two.ready();
    for (let round = 0; round < 6; round++) {
      const s: [number, number, number] = [64 + round * 8, 64, 64 + round];
      expect(product(two, s, round % 2 === 1, false, 2, 'bias_act')).toEqual(product(one, s, round % 2 === 1, false, 2, 'bias_act'));
    }
    expect(two.threadStats.splitJobs).toBeGreaterThanOrEqual(6);
  });
});

describe('packed operands are reused only within one job', () => {
  it('row bands with one stamp reuse packed B; a new stamp sees changed operands', () => {
    const [m, k, n] = [40, 50, 30];
    for (const transA of [false, true]) {
      const ws = new MatmulWorkspace({ wasmThreshold: 0 });
      const a = { data: values(5, m * k), offset: 0, rows: transA ? k : m, cols: transA ? m : k };
      const b = { data: values(6, k * n), offset: 0, rows: k, cols: n };
      const got = { data: new Float64Array(m * n), offset: 0, rows: m, cols: n };
      const ref = { data: new Float64Array(m * n), offset: 0, rows: m, cols: n };
      for (let stamp = 1; stamp <= 3; stamp++) {
        for (let r = 0; r < m; r += 12) matmulRows(a, transA, b, false, got, r, Math.min(m, r + 12), ws, stamp);
        matmulRowsJs(a, transA, b, false, ref, 0, m);
        expect(got.data.findIndex((v, i) => !Object.is(v, ref.data[i])), `transA=${transA} stamp ${stamp}`).toBe(-1);
        b.data.set(values(10 + stamp, k * n));
        a.data.set(values(20 + stamp, m * k));
      }
    }
  });

  it('a split matmul after its operands were rewritten uses the new values', async () => {
    const one = backend('f32', 1);
    const two = backend('f32', 2);
    await two.ready();
    const run = (be: CpuBackend) => {
      const a = be.tensor(shape(1, 96, 80), values(7, 96 * 80));
      const w = be.tensor(shape(1, 80, 64), values(8, 80 * 64));
      const out = be.tensor(shape(1, 96, 64));
      const results: Float64Array[] = [];
      for (let step = 0; step < 3; step++) {
        be.matmul(a, w, out);
        results.push(be.readSync(out));
        be.matmul(a, w, out, { transA: false });
        be.write(w, values(30 + step, 80 * 64));
        be.write(a, values(40 + step, 96 * 80));
      }
      return results;
    };
    const x = run(one);
    // A worker whose core is busy elsewhere does not claim its band and the main thread does it: on a loaded
    // machine, repeat until the workers have taken part.
    for (let attempt = 0; attempt < 1000 && two.threadStats.workerBands === 0; attempt++) {
      const y = run(two);
      expect(y).toEqual(x);
      expect(y[1]).not.toEqual(y[0]);
      // Yield so the workers get a core (a condition wait with a generous bound, not a duration).
      if (two.threadStats.workerBands === 0) await new Promise((r) => setTimeout(r, 0));
    }
    expect(two.threadStats.workerBands).toBeGreaterThan(0);
  });
});

function trainData(n: number, inputDim: number, outputDim: number): Dataset {
  const rng = new NumpyRandom(11);
  const x = rng.randn(n * inputDim);
  const y = new Float64Array(n * outputDim);
  for (let i = 0; i < n; i++) y[i * outputDim + rng.randint(0, outputDim)] = 1;
  return { name: 'random', x, y, n, inputDim, outputDim, task: 'multiclass', classes: [] };
}

describe('training with 2 threads', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: same records and parameters as 1 thread`, async () => {
      const model: ModelSpec = {
        inputDim: 64, hidden: [96, 96], activations: ['tanh', 'relu'], outputDim: 10, outputActivation: 'softmax',
        loss: 'softmax_ce', init: 'xavier', gain: 1, initSeed: 3, optimizer: { kind: 'sgd', lr: 0.05 },
      } as ModelSpec;
      const data = trainData(256, 64, 10);
      const schedule = { batchSize: 128, steps: 12, logEvery: 3, batchSeed: 5, dtype } as const;
      const run = async (threads: number) => {
        const b = backend(dtype, threads);
        await b.ready();
        const t = new Trainer(b, { models: [model, { ...model, initSeed: 4 }], data, schedule: schedule as never });
        const records: unknown[] = [];
        await t.run(12, (r) => records.push(r));
        return { records, params: await t.readParameters(), splits: b.threadStats.workerBands };
      };
      const one = await run(1);
      const two = await run(2);
      expect(two.splits).toBeGreaterThan(0);
      expect(one.splits).toBe(0);
      expect(two.records.length).toBeGreaterThan(3);
      expect(two.records).toEqual(one.records);
      expect(two.params).toEqual(one.params);
    });
  }
});

describe('worker lifecycle', () => {
  it('destroy() stops the workers', async () => {
    const b = createCpuBackend({ dtype: 'f64', threads: 3 });
    await b.ready();
    for (let i = 0; i < 50 && b.threadStats.workerBands === 0; i++) product(b, [128, 128, 128], false, false, 1, 'none');
    const bands = b.threadStats.workerBands;
    expect(bands).toBeGreaterThan(0);
    b.destroy();
    await b.stopped();
    // Still usable on the main thread after destroy (no worker takes part).
    const x = product(b, [128, 128, 128], false, false, 1, 'none');
    expect(x.length).toBe(128 * 128);
    expect(b.threadStats.workerBands).toBe(bands);
  });

  it('small products stay on the main thread', async () => {
    const b = backend('f64', 2);
    await b.ready();
    product(b, [32, 32, 32], false, false, 1, 'none');
    expect(b.threadStats.splitJobs).toBe(0);
  });
});
