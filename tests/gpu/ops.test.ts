/** Every non-matmul WebGPU kernel against an f64 reference (softmax, gather, losses, reductions, update). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type Tensor } from '../../src/backend/backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, type ActivationName } from '../../src/core/activations.js';
import { LOSS_INFO, LOSSES } from '../../src/core/losses.js';
import {
  accuracyRef,
  entry,
  ErrorReport,
  errors,
  host,
  lossRef,
  normRef,
  outputDeltaRef,
  rng,
  softmaxInPlace,
  statsRef,
  uniform,
  type Host,
} from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;
const report = new ErrorReport();

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => {
  report.print('ops');
  be?.destroy();
});

function upload(h: Host): Tensor {
  return be.tensor(shape(h.batch, h.rows, h.cols), h.data);
}

/** Read `t`, record errors under `kernel` and assert |got − want| ≤ atol + rtol·|want| elementwise. */
async function expectClose(kernel: string, t: Tensor, want: ArrayLike<number>, rtol: number, atol: number): Promise<Float64Array> {
  const got = await be.read(t);
  let largest = 0;
  for (let i = 0; i < want.length; i++) largest = Math.max(largest, Math.abs(want[i]!));
  report.add(kernel, errors(got, want, 1e-6 * largest));
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]!);
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) {
      expect.fail(`${kernel}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${tol.toExponential(2)})`);
    }
  }
  return got;
}

/** Probabilities per row (softmax of random logits), f32-rounded. */
function probabilities(batch: number, n: number, k: number, r: () => number): Host {
  const h = host(batch, n, k, uniform(r, -4, 4));
  for (let b = 0; b < batch; b++) softmaxInPlace(h.data.subarray(b * n * k, (b + 1) * n * k), n, k);
  for (let i = 0; i < h.data.length; i++) h.data[i] = Math.fround(h.data[i]!);
  return h;
}

/** One-hot targets (k > 1) or 0/1 labels (k = 1). */
function labels(batch: number, n: number, k: number, r: () => number): Host {
  const h = host(batch, n, k, () => 0);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      if (k === 1) h.data[b * n + i] = r() < 0.5 ? 0 : 1;
      else h.data[(b * n + i) * k + Math.floor(r() * k)] = 1;
    }
  }
  return h;
}

describe('softmaxRows and gatherRows', () => {
  test('softmax of rows, shapes 1×1 to 70×10, batch 2', async () => {
    const r = rng(1);
    for (const [n, k] of [[1, 1], [1, 7], [70, 10], [5, 2]]) {
      const h = host(2, n!, k!, uniform(r, -30, 30));
      const t = upload(h);
      be.softmaxRows(t);
      const want = Float64Array.from(h.data);
      for (let b = 0; b < 2; b++) softmaxInPlace(want.subarray(b * n! * k!, (b + 1) * n! * k!), n!, k!);
      await expectClose('softmaxRows', t, want, 2e-6, 1e-7);
    }
  });

  test('gather rows from batch-1 and batch-2 sources, repeated indices', async () => {
    const r = rng(2);
    for (const srcBatch of [1, 2]) {
      const src = host(srcBatch, 50, 3, uniform(r));
      const rows = Uint32Array.from({ length: 17 }, () => Math.floor(r() * 50));
      rows[3] = 49;
      rows[4] = 0;
      rows[5] = 0;
      const out = be.tensor(shape(2, 17, 3));
      const ts = upload(src);
      be.gatherRows(ts, rows, out);
      const want = new Float64Array(2 * 17 * 3);
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 17; i++) for (let c = 0; c < 3; c++) want[(b * 17 + i) * 3 + c] = entry(src, b)[rows[i]! * 3 + c]!;
      }
      await expectClose('gatherRows', out, want, 0, 0);
    }
    const ts = be.tensor(shape(1, 4, 2));
    expect(() => be.gatherRows(ts, Uint32Array.of(4), be.tensor(shape(1, 1, 2)))).toThrow(/out of range/);
  });
});

describe('losses', () => {
  for (const loss of LOSSES) {
    for (const outAct of LOSS_INFO[loss].outputs) {
      test(`${loss} with ${outAct} output: delta, loss value, accuracy (target batch 1 and 3)`, async () => {
        const r = rng(loss.length * 10 + outAct.length);
        for (const [n, k] of [[1, 1], [33, 1], [20, 4], [7, 10]] as [number, number][]) {
          if (loss === 'softmax_ce' && k === 1) continue;
          for (const targetBatch of [1, 3]) {
            const pred =
              outAct === 'softmax'
                ? probabilities(3, n, k, r)
                : outAct === 'sigmoid'
                  ? host(3, n, k, uniform(r, 0, 1))
                  : host(3, n, k, uniform(r, -2, 2));
            if (outAct === 'sigmoid') {
              pred.data[0] = 1; // saturated outputs: the ln clamp must keep the loss finite
              if (pred.data.length > 1) pred.data[1] = 0;
            }
            const target = loss === 'mse' && outAct === 'linear' ? host(targetBatch, n, k, uniform(r, -2, 2)) : labels(targetBatch, n, k, r);
            const [tp, tt] = [upload(pred), upload(target)];
            const delta = be.tensor(shape(3, n, k));
            const metrics = be.tensor(shape(3, 1, 4));
            be.outputDelta(loss, outAct, tp, tt, delta);
            be.lossInto(loss, tp, tt, metrics, 1);
            be.accuracyInto(tp, tt, metrics, 3);
            await expectClose(`outputDelta ${loss}/${outAct}`, delta, outputDeltaRef(loss, outAct, pred, target), 1e-5, 1e-9);
            const losses = lossRef(loss, pred, target);
            const acc = accuracyRef(pred, target);
            const want = new Float64Array(12);
            for (let b = 0; b < 3; b++) {
              want[b * 4 + 1] = losses[b]!;
              want[b * 4 + 3] = acc[b]!;
            }
            const got = await expectClose(`lossInto ${loss}`, metrics, want, 2e-5, 1e-7);
            report.add('accuracyInto', errors([got[3]!, got[7]!, got[11]!], acc));
          }
        }
      });
    }
  }
});

describe('reductions and update', () => {
  test('column sums of 1×1, 300×3, 9×70, batch 2', async () => {
    const r = rng(3);
    for (const [n, k] of [[1, 1], [300, 3], [9, 70]] as [number, number][]) {
      const src = host(2, n, k, uniform(r));
      const out = be.tensor(shape(2, 1, k));
      be.columnSums(upload(src), out);
      const want = new Float64Array(2 * k);
      const bound = new Float64Array(2 * k);
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < n; i++) {
          for (let c = 0; c < k; c++) {
            const x = src.data[(b * n + i) * k + c]!;
            want[b * k + c] = want[b * k + c]! + x;
            bound[b * k + c] = bound[b * k + c]! + Math.abs(x);
          }
        }
      }
      const got = await be.read(out);
      report.add('columnSums', errors(got, want));
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(n * 2 ** -23 * bound[i]! + 1e-30);
    }
  });

  test('norms of tensors allocated together and apart: 1e-30 entries, mixed 1e-30 and 1, zeros, large', async () => {
    const r = rng(4);
    const shapes = [shape(2, 30, 20), shape(2, 1, 20), shape(2, 20, 1), shape(2, 5, 5)];
    const together = be.tensors(shapes);
    const apart = be.tensor(shape(1, 17, 3));
    const hosts: Host[] = [
      host(2, 30, 20, () => (r() - 0.5) * 1e-30),
      host(2, 1, 20, () => (r() < 0.5 ? 1e-30 : r())),
      host(2, 20, 1, () => 0),
      host(2, 5, 5, () => (r() - 0.5) * 1e30),
    ];
    hosts[2]!.data[20] = 3e-38; // batch entry 1: one entry near the smallest normal f32
    const apartHost = host(1, 17, 3, uniform(r));
    hosts.forEach((h, i) => be.write(together[i]!, h.data));
    be.write(apart, apartHost.data);
    const metrics = be.tensor(shape(2, 1, 7));
    be.normsInto([...together, apart], metrics, 1);
    const want = new Float64Array(14);
    for (let b = 0; b < 2; b++) {
      hosts.forEach((h, i) => (want[b * 7 + 1 + i] = normRef(h, b)));
      want[b * 7 + 5] = normRef(apartHost, b);
    }
    const got = await expectClose('normsInto', metrics, want, 3e-6, 0);
    expect(got[3]).toBe(0);
    expect(got.every((v) => Number.isFinite(v))).toBe(true);
    expect(got[7 + 3]! / 3e-38).toBeCloseTo(1, 5);
  });

  test('activation stats for every activation, batch 3', async () => {
    const r = rng(5);
    const names: ActivationName[] = [...HIDDEN_ACTIVATIONS, 'softmax'];
    for (const name of names) {
      for (const [n, k] of [[1, 1], [40, 9], [3, 100]] as [number, number][]) {
        const entries = ['linear', name, name === 'relu' ? 'leaky_relu' : 'relu'] as ActivationName[];
        const a = host(3, n, k, () => 0);
        for (let b = 0; b < 3; b++) {
          const e = entries[b]!;
          const dead = r() < 0.5 ? Math.floor(r() * k) : -1; // one all-negative column in some entries
          for (let i = 0; i < n * k; i++) {
            const z = (i % k === dead ? -Math.abs(uniform(r, 0, 6)()) : uniform(r, -6, 6)());
            a.data[b * n * k + i] = Math.fround(e === 'softmax' ? r() : ACTIVATIONS[e].value(z));
          }
        }
        const metrics = be.tensor(shape(3, 1, 5));
        be.activationStatsInto(upload(a), entries, metrics, 2);
        const want = new Float64Array(15);
        for (let b = 0; b < 3; b++) want.set(statsRef(a, b, entries[b]!), b * 5 + 2);
        await expectClose(`activationStats ${name}`, metrics, want, 1e-4, 1e-6);
      }
    }
  });

  test('SGD update of parameters allocated together (one dispatch) and apart, per-model learning rates', async () => {
    const r = rng(6);
    const shapes = [shape(2, 4, 3), shape(2, 1, 3), shape(2, 3, 1), shape(2, 1, 1)];
    const params = [...be.tensors(shapes), be.tensor(shape(2, 70, 5))];
    const grads = [...be.tensors(shapes), be.tensor(shape(2, 70, 5))];
    const ph = params.map((t) => host(2, t.shape.rows, t.shape.cols, uniform(r)));
    const gh = grads.map((t) => host(2, t.shape.rows, t.shape.cols, uniform(r)));
    params.forEach((t, i) => be.write(t, ph[i]!.data));
    grads.forEach((t, i) => be.write(t, gh[i]!.data));
    const lr = [0.5, 0.01];
    be.update(params, grads, { kind: 'sgd', lr });
    be.update(params, grads, { kind: 'sgd', lr });
    for (let i = 0; i < params.length; i++) {
      const per = ph[i]!.rows * ph[i]!.cols;
      const want = ph[i]!.data.map((p, j) => {
        const step = Math.fround(Math.fround(lr[Math.floor(j / per)]!) * gh[i]!.data[j]!);
        return Math.fround(Math.fround(p - step) - step);
      });
      await expectClose('update sgd', params[i]!, want, 1e-7, 1e-7);
    }
  });
});
