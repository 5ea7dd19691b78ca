/**
 * Every matmul candidate (register-blocked and workgroup-shared tiles) against the f64 reference: odd and aligned
 * shapes, batched with broadcast operands, every transpose, each fused epilogue and the fused column sums; the
 * tuner on the device; the adapter's workgroup limits.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type Tensor } from '../../src/backend/backend.js';
import { candidatesWithin, MATMUL_CANDIDATES, outputTile, type MatmulCandidate } from '../../src/backend/webgpu/matmul-candidates.js';
import { MemoryTuneCache } from '../../src/backend/webgpu/matmul-tuner.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import type { ActivationName, HiddenActivation } from '../../src/core/activations.js';
import { activate, ErrorReport, errors, host, matmulErrorRatio, matmulRef, rng, storedOperand, uniform, type Host } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;
let current: MatmulCandidate = MATMUL_CANDIDATES[0]!;
const used = new Set<string>();
const report = new ErrorReport();

beforeAll(async () => {
  be = await createWebGPUBackend({
    gpu: await getTestGPU(),
    matmulChooser: () => {
      used.add(current.name);
      return current;
    },
  });
});
afterAll(() => {
  report.print('matmul candidates');
  be?.destroy();
});

const upload = (h: Host): Tensor => be.tensor(shape(h.batch, h.rows, h.cols), h.data);
const stored = storedOperand;

async function check(kernel: string, out: Tensor, want: Host, scale: Float64Array, k: number, extra = 0): Promise<void> {
  const worst = matmulErrorRatio(report, kernel, await be.read(out), want, scale, k, extra);
  expect(worst, `${kernel}: worst error / tolerance`).toBeLessThanOrEqual(1);
}

// [m, k, n]: tiny and odd (scalar loads, every tile an edge tile), odd beyond one tile, vec4-aligned with ragged
// tiles and a ragged last depth step (k = 20), and aligned to every candidate's tile (no bounds checks).
const SHAPES: [number, number, number][] = [
  [5, 3, 7],
  [33, 17, 29],
  [36, 20, 68],
  [128, 16, 128],
];
// [out batch, A batch, B batch]
const BATCHES: [number, number, number][] = [
  [1, 1, 1],
  [3, 1, 3],
  [2, 2, 1],
];

// The register-blocked candidates are the fixed rule's tiles, which tests/gpu/matmul.test.ts covers shape by shape;
// here every shared-memory candidate goes through the whole matrix (each specialisation is a pipeline compiled on
// SwiftShader, the bulk of this file's time).
const SHARED = MATMUL_CANDIDATES.filter((c) => c.kind === 'shared');

describe.each(SHARED.map((c) => [c.name, c] as const))('candidate %s', (name, candidate) => {
  test.each(SHAPES)('no epilogue: %i×%i·…×%i, transposes and batch arrangements', async (m, k, n) => {
    current = candidate;
    const r = rng(m * 1000 + k * 10 + n);
    // NN and TT together reach every staging path (vec4 or scalar, transposed or not) of both operands.
    const pairs = m < 100 ? [[false, false], [false, true], [true, false], [true, true]] : [[false, false], [true, true]];
    for (const [i, [transA, transB]] of pairs.entries()) {
      const [batch, ba, bb] = BATCHES[(m + i) % BATCHES.length]!;
      const a = stored(ba, m, k, transA!, uniform(r));
      const b = stored(bb, k, n, transB!, uniform(r));
      const [ta, tb, out] = [upload(a), upload(b), be.tensor(shape(batch, m, n))];
      be.matmul(ta, tb, out, { transA, transB });
      const { out: want, scale } = matmulRef(a, b, batch, { transA, transB });
      await check(name, out, want, scale, k);
      [ta, tb, out].forEach((t) => be.dispose(t));
    }
    expect(used.has(name)).toBe(true);
  });

  test('bias_act epilogue: mixed activations per batch entry, bias batched and broadcast', async () => {
    current = candidate;
    const r = rng(11);
    for (const [m, k, n] of [[7, 5, 3], [64, 16, 64]] as [number, number, number][]) {
      for (const [biasBatch, transB] of [[3, false], [1, true]] as const) {
        const acts: ActivationName[] = ['relu', 'softmax', 'tanh'];
        const a = host(1, m, k, uniform(r, -2, 2));
        const b = stored(3, k, n, transB, uniform(r, -2, 2));
        const bias = host(biasBatch, 1, n, uniform(r, -1, 1));
        const [ta, tb, tbias, out] = [upload(a), upload(b), upload(bias), be.tensor(shape(3, m, n))];
        be.matmul(ta, tb, out, { transB, epilogue: { kind: 'bias_act', bias: tbias, activations: acts } });
        const { out: want, scale } = matmulRef(a, b, 3, { transB, bias, activations: acts });
        await check(`${name} bias_act`, out, want, scale, k, 1);
        [ta, tb, tbias, out].forEach((t) => be.dispose(t));
      }
    }
  });

  test('act_grad epilogue: δ·Wᵀ ⊙ φ′(a), two activations', async () => {
    current = candidate;
    const r = rng(23);
    for (const [m, k, n] of [[6, 9, 5], [64, 32, 64]] as [number, number, number][]) {
      const acts: HiddenActivation[] = ['sigmoid', 'relu'];
      const a = host(2, m, k, uniform(r));
      const b = host(2, n, k, uniform(r));
      const z = uniform(r, -3, 3);
      const act = host(2, m, n, () => 0);
      for (let i = 0; i < act.data.length; i++) act.data[i] = Math.fround(activate(acts[Math.floor(i / (m * n))]!, r() < 0.1 ? 0 : z()));
      const [ta, tb, tact, out] = [upload(a), upload(b), upload(act), be.tensor(shape(2, m, n))];
      be.matmul(ta, tb, out, { transB: true, epilogue: { kind: 'act_grad', act: tact, activations: acts } });
      const { out: want, scale } = matmulRef(a, b, 2, { transB: true, act, activations: acts });
      await check(`${name} act_grad`, out, want, scale, k);
      [ta, tb, tact, out].forEach((t) => be.dispose(t));
    }
  });

  test('Aᵀ·δ with the column sums of δ in the same dispatch', async () => {
    current = candidate;
    for (const [k, m, n] of [[7, 9, 30], [32, 64, 64]] as [number, number, number][]) {
      const r = rng(k * 100 + n);
      const [a, d] = [host(1, k, m, uniform(r)), host(2, k, n, uniform(r))];
      const [ta, td] = [upload(a), upload(d)];
      const [dw, db] = be.tensors([shape(2, m, n), shape(2, 1, n)]) as [Tensor, Tensor];
      await be.sync();
      const before = be.workStats().dispatches;
      be.matmul(ta, td, dw, { transA: true });
      be.columnSums(td, db);
      be.flush();
      expect(be.workStats().dispatches - before).toBe(1);
      const ref = matmulRef(a, d, 2, { transA: true });
      await check(`${name} fused Aᵀ·δ`, dw, ref.out, ref.scale, k);
      const sums = new Float64Array(2 * n);
      const scale = new Float64Array(2 * n);
      for (let i = 0; i < d.data.length; i++) {
        const [bt, c] = [Math.floor(i / (k * n)), i % n];
        sums[bt * n + c]! += d.data[i]!;
        scale[bt * n + c]! += Math.abs(d.data[i]!);
      }
      await check(`${name} fused column sums`, db, { batch: 2, rows: 1, cols: n, data: sums }, scale, k);
      [ta, td, dw, db].forEach((t) => be.dispose(t));
    }
  });
});

describe('device limits and the tuner on the device', () => {
  test('the device has the adapter workgroup limits, and every candidate fits them here', async () => {
    const gpu = await getTestGPU();
    const adapter = (await gpu.requestAdapter())!;
    for (const name of ['maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize'] as const) {
      expect(be.device.limits[name], name).toBe(adapter.limits[name]);
    }
    expect(candidatesWithin(be.device.limits).map((c) => c.name)).toEqual(MATMUL_CANDIDATES.map((c) => c.name));
    const tiny = { maxComputeInvocationsPerWorkgroup: 64, maxComputeWorkgroupStorageSize: 4096, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256 };
    const fit = candidatesWithin(tiny);
    expect(fit.length).toBeGreaterThan(0);
    expect(fit.length).toBeLessThan(MATMUL_CANDIDATES.length);
    for (const c of fit) expect(outputTile(c).rows).toBeLessThanOrEqual(64);
  });

  test('tune mode: a product first runs by the fixed rule, its class is timed at the next sync, the winner is used and cached', async () => {
    const cache = new MemoryTuneCache();
    const candidates = [MATMUL_CANDIDATES[2]!, MATMUL_CANDIDATES[3]!];
    // The device timer measures here: which candidate wins depends on the device, so it is not asserted.
    const tuned = await createWebGPUBackend({ gpu: await getTestGPU(), matmulTuning: { mode: 'tune', cache, candidates } });
    try {
      const r = rng(3);
      const a = host(1, 20, 12, uniform(r));
      const b = host(1, 12, 24, uniform(r));
      const [ta, tb] = [tuned.tensor(shape(1, 20, 12), a.data), tuned.tensor(shape(1, 12, 24), b.data)];
      const out = tuned.tensor(shape(1, 20, 24));
      tuned.matmul(ta, tb, out);
      expect(tuned.matmulWinners()).toEqual({});
      await tuned.sync();
      const winners = tuned.matmulWinners();
      expect(Object.keys(winners)).toHaveLength(1);
      expect(candidates.map((c) => c.name)).toContain(Object.values(winners)[0]);
      expect(Object.values(await cache.load(tuned.matmulTuningKey()))).toEqual(Object.values(winners));
      tuned.matmul(ta, tb, out);
      const got = await tuned.read(out);
      expect(errors(got, matmulRef(a, b, 1, {}).out.data).abs).toBeLessThan(1e-5);
    } finally {
      tuned.destroy();
    }
  });
});
