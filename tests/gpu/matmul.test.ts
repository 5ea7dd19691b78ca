/** The WebGPU matmul kernel against an f64 reference: shapes, transposes, batch broadcast, fused epilogues. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type Tensor } from '../../src/backend/backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { HIDDEN_ACTIVATIONS, needsPreActivation, type ActivationName, type HiddenActivation } from '../../src/core/activations.js';
import { activate, ErrorReport, errors, host, matmulErrorRatio, matmulRef, rng, storedOperand, uniform, type Host } from './reference.js';
import { getTestGPU } from './setup-dawn.js';
import { benchMatmulShape } from '../../src/bench/matmul-bench.js';
import { squareShape } from '../../src/bench/shapes.js';

let be: WebGPUBackend;
const report = new ErrorReport();

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => {
  report.print('matmul');
  be?.destroy();
});

function upload(h: Host): Tensor {
  return be.tensor(shape(h.batch, h.rows, h.cols), h.data);
}

const stored = storedOperand;

/** Compare out with the reference within a forward-error bound of f32 accumulation. */
async function check(kernel: string, out: Tensor, want: Host, scale: Float64Array, k: number, extra = 0): Promise<void> {
  const worst = matmulErrorRatio(report, kernel, await be.read(out), want, scale, k, extra, 1e-3);
  expect(worst, `${kernel}: worst error / tolerance`).toBeLessThanOrEqual(1);
}

// [m, k, n]: 1×1, 1×k, k = 1, tile multiples, non-multiples of the 32×32 tile and of 4, tall-skinny, long K,
// each vec4 load path with a ragged other dimension, and outputs large enough for 32×32 tiles and for 64×64
// tiles of 8×8 blocks, ragged, with every operand vec4-aligned, and with no bounds checks (ALIGNED).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [1, 9, 13],
  [5, 1, 6],
  [33, 17, 29],
  [64, 32, 64],
  [37, 40, 36],
  [200, 3, 2],
  [3, 150, 5],
  [8, 12, 4],
  [12, 7, 8],
  [9, 8, 7],
  [130, 20, 140],
  [132, 8, 136],
  [136, 12, 200],
];
// [out batch, A batch, B batch]
const BATCHES: [number, number, number][] = [
  [1, 1, 1],
  [2, 2, 1],
  [3, 1, 3],
  [3, 3, 3],
];

describe('matmul, no epilogue', () => {
  for (const [m, k, n] of SHAPES) {
    test(`${m}×${k} · ${k}×${n}, every transA/transB and batch broadcast`, async () => {
      const r = rng(m * 1000 + k * 10 + n);
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [batch, ba, bb] of BATCHES) {
            const a = stored(ba, m, k, transA, uniform(r));
            const b = stored(bb, k, n, transB, uniform(r));
            const [ta, tb, out] = [upload(a), upload(b), be.tensor(shape(batch, m, n))];
            be.matmul(ta, tb, out, { transA, transB });
            const { out: want, scale } = matmulRef(a, b, batch, { transA, transB });
            await check('matmul', out, want, scale, k);
            [ta, tb, out].forEach((t) => be.dispose(t));
          }
        }
      }
    });
  }
});

const OUTPUT_AND_HIDDEN: ActivationName[] = [...HIDDEN_ACTIVATIONS, 'softmax'];

describe('matmul, bias_act epilogue', () => {
  // The last shape runs as 8×8 blocks without bounds checks.
  for (const [m, k, n] of [[7, 5, 3], [33, 20, 10], [4, 8, 1], [136, 12, 72]] as [number, number, number][]) {
    for (const name of OUTPUT_AND_HIDDEN) {
      test(`${name}: ${m}×${k}·${k}×${n}, batch 3, bias batch 3 and 1`, async () => {
        const r = rng(7 + m + n + name.length);
        for (const biasBatch of [3, 1]) {
          for (const transB of [false, true]) {
            // Mixed activations per batch entry: the tested one, then two others.
            const acts: ActivationName[] = [name, 'linear', name === 'softmax' ? 'tanh' : 'softmax'];
            const a = host(1, m, k, uniform(r, -2, 2));
            const b = stored(3, k, n, transB, uniform(r, -2, 2));
            const bias = host(biasBatch, 1, n, uniform(r, -1, 1));
            const [ta, tb, tbias, out] = [upload(a), upload(b), upload(bias), be.tensor(shape(3, m, n))];
            be.matmul(ta, tb, out, { transB, epilogue: { kind: 'bias_act', bias: tbias, activations: acts } });
            const { out: want, scale } = matmulRef(a, b, 3, { transB, bias, activations: acts });
            await check(`bias_act ${name}`, out, want, scale, k, 1);
            [ta, tb, tbias, out].forEach((t) => be.dispose(t));
          }
        }
      });
    }
  }
});

describe('matmul, act_grad epilogue', () => {
  // The last shape runs as 8×8 blocks without bounds checks.
  for (const [m, k, n] of [[6, 9, 5], [40, 33, 12], [136, 12, 136]] as [number, number, number][]) {
    for (const name of HIDDEN_ACTIVATIONS) {
      test(`${name}: ${m}×${k}·(${n}×${k})ᵀ, batch 2`, async () => {
        const r = rng(99 + m + name.length);
        const acts: HiddenActivation[] = [name, name === 'relu' ? 'sigmoid' : 'relu'];
        const a = host(2, m, k, uniform(r));
        const b = host(2, n, k, uniform(r));
        const z = uniform(r, -3, 3);
        // GELU and SiLU layers store z and take φ′ from it (for every entry of the batch).
        const fromInput = needsPreActivation(name);
        const act = host(2, m, n, () => 0);
        for (let i = 0; i < act.data.length; i++) {
          const entry = Math.floor(i / (m * n));
          // Some exact zeros so that relu's φ′ at a = 0 is exercised.
          const v = r() < 0.1 ? 0 : z();
          act.data[i] = Math.fround(fromInput ? v : activate(acts[entry]!, v));
        }
        const [ta, tb, tact, out] = [upload(a), upload(b), upload(act), be.tensor(shape(2, m, n))];
        be.matmul(ta, tb, out, { transB: true, epilogue: { kind: 'act_grad', act: tact, activations: acts, fromInput } });
        const { out: want, scale } = matmulRef(a, b, 2, { transB: true, act, activations: acts, fromInput });
        await check(`act_grad ${name}`, out, want, scale, k);
        [ta, tb, tact, out].forEach((t) => be.dispose(t));
      });
    }
  }
});

describe('matmul shape checks', () => {
  test('mismatched shapes and aliasing throw before recording', () => {
    const a = be.tensor(shape(1, 3, 4));
    const b = be.tensor(shape(1, 5, 2));
    const out = be.tensor(shape(1, 3, 2));
    expect(() => be.matmul(a, b, out)).toThrow(/shape mismatch/);
    expect(() => be.matmul(a, a, a, { transB: true })).toThrow(/differ/);
    const b2 = be.tensor(shape(2, 4, 2));
    const out3 = be.tensor(shape(3, 3, 2));
    expect(() => be.matmul(a, b2, out3)).toThrow(/batch/);
  });
});

describe('weight and bias gradient in one dispatch', () => {
  // [K rows, M, N]: N a multiple of 4 (vec4 column sums) or not, N wider than one workgroup's 4·WG_X·WG_Y columns,
  // and a product of 8×8 blocks without bounds checks.
  test.each([
    [16, 3, 5],
    [130, 20, 8],
    [7, 9, 300],
    [64, 136, 200],
  ])('Aᵀ·δ then columnSums(δ), K=%i M=%i N=%i, batch 2 with A broadcast: one dispatch, both right', async (k, m, n) => {
    const r = rng(k * 1000 + n);
    const [a, d] = [host(1, k, m, uniform(r)), host(2, k, n, uniform(r))];
    const [ta, td] = [upload(a), upload(d)];
    const [dw, db] = be.tensors([shape(2, m, n), shape(2, 1, n)]);
    await be.sync();
    const before = be.workStats().dispatches;
    be.matmul(ta, td, dw!, { transA: true });
    be.columnSums(td, db!);
    be.flush();
    expect(be.workStats().dispatches - before).toBe(1);
    const ref = matmulRef(a, d, 2, { transA: true });
    await check('fused Aᵀ·δ', dw!, ref.out, ref.scale, k);
    const sums = new Float64Array(2 * n);
    const scale = new Float64Array(2 * n);
    for (let b = 0; b < 2; b++) {
      for (let q = 0; q < k; q++) {
        for (let c = 0; c < n; c++) {
          sums[b * n + c]! += d.data[b * k * n + q * n + c]!;
          scale[b * n + c]! += Math.abs(d.data[b * k * n + q * n + c]!);
        }
      }
    }
    await check('fused column sums', db!, { batch: 2, rows: 1, cols: n, data: sums }, scale, k);
    [ta, td, dw!, db!].forEach((t) => be.dispose(t));
  });

  test('a column sum of another tensor is not fused, and both results stay right', async () => {
    const r = rng(5);
    const [a, d, e] = [host(1, 6, 3, uniform(r)), host(1, 6, 4, uniform(r)), host(1, 6, 4, uniform(r))];
    const [ta, td, te] = [upload(a), upload(d), upload(e)];
    const [dw, db] = [be.tensor(shape(1, 3, 4)), be.tensor(shape(1, 1, 4))];
    await be.sync();
    const before = be.workStats().dispatches;
    be.matmul(ta, td, dw, { transA: true });
    be.columnSums(te, db);
    be.flush();
    expect(be.workStats().dispatches - before).toBe(2);
    const ref = matmulRef(a, d, 1, { transA: true });
    await check('unfused Aᵀ·δ', dw, ref.out, ref.scale, 6);
    const want = Array.from({ length: 4 }, (_, c) => [0, 1, 2, 3, 4, 5].reduce((s, q) => s + e.data[q * 4 + c]!, 0));
    const got = await be.read(db);
    want.forEach((w, c) => expect(got[c]).toBeCloseTo(w, 5));
  });
});

describe('benchmark point with GPU timestamps', () => {
  test('a WebGPU matmul point carries a GPU time, its GFLOP/s from that time, and a right product', async () => {
    const { point } = await benchMatmulShape(be, squareShape(96, 'AB'), { reps: 5, minRepMs: 20 });
    expect(point.gpuMedianMs).not.toBeNull();
    // How GPU time compares with wall time depends on the machine's load: that is a benchmark's figure. What holds
    // everywhere: a positive, finite GPU time, and wall-time statistics in order.
    expect(Number.isFinite(point.gpuMedianMs!)).toBe(true);
    expect(point.gpuMedianMs!).toBeGreaterThan(0);
    expect(point.minMs).toBeLessThanOrEqual(point.maxMs);
    expect(point.gpuGflops!).toBeCloseTo(point.flops / (point.gpuMedianMs! / 1000) / 1e9, 6);
    expect(point.maxAbsError).toBeLessThan(1e-4);
  });
});

describe('one tensor as both operands', () => {
  test('A·A, Aᵀ·A and A·Aᵀ equal the f64 reference, also after A changes', async () => {
    const draw = uniform(rng(77));
    const a = host(1, 12, 12, draw);
    const ta = be.tensor(shape(1, 12, 12), a.data);
    const out = be.tensor(shape(1, 12, 12));
    for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
      be.matmul(ta, ta, out, { transA, transB });
      be.flush();
      const got = await be.read(out);
      const e = errors(got, matmulRef(a, a, 1, { transA, transB }).out.data);
      expect(e.abs, `transA ${transA} transB ${transB}`).toBeLessThan(1e-5);
    }
    // The copy of B follows A: a new A gives a new product.
    const a2 = host(1, 12, 12, draw);
    be.write(ta, a2.data);
    be.matmul(ta, ta, out);
    be.flush();
    expect(errors(await be.read(out), matmulRef(a2, a2, 1, {}).out.data).abs).toBeLessThan(1e-5);
    be.dispose(ta);
    be.dispose(out);
  });
});
