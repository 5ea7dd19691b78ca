/**
 * Batch norm, layer norm, residual sums and in-place activation derivatives on WebGPU (Dawn + SwiftShader) against
 * an f64 reference written here in plain loops: every output of normForward (x̂, invStd, out, running statistics)
 * and normBackward (dz, dγ, dβ), evaluation mode, dz aliasing g, broadcasts, and loop hygiene.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type NormKind, type Tensor } from '../../src/backend/backend.js';
import { NORM_FORWARD_WORDS, NORM_MODE, packNormForwardParams } from '../../src/backend/webgpu/norm-kernel.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { HIDDEN_ACTIVATIONS, needsPreActivation, type HiddenActivation } from '../../src/core/activations.js';
import { activate, derivative, ErrorReport, errors, host, rng, uniform, type Host } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;
const report = new ErrorReport();
const EPS = 1e-5;

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => {
  report.print('normalisation and residual ops');
  be?.destroy();
});

function upload(h: Host, backend: WebGPUBackend = be): Tensor {
  return backend.tensor(shape(h.batch, h.rows, h.cols), h.data);
}

/**
 * Read `t`, record its worst errors under `kernel`, and assert |got − want| ≤ rtol·scale + atol elementwise, where
 * scale is |want| or, when given, the magnitude of the terms the value was computed from.
 */
async function expectClose(
  kernel: string, t: Tensor, want: ArrayLike<number>, rtol: number, atol: number, scale?: ArrayLike<number>, backend: WebGPUBackend = be,
): Promise<Float64Array> {
  const got = await backend.read(t);
  expect(got.length).toBe(want.length);
  let largest = 0;
  for (let i = 0; i < want.length; i++) largest = Math.max(largest, Math.abs(want[i]!));
  report.add(kernel, errors(got, want, Math.max(1e-3 * largest, 1e-30)));
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * (scale ? scale[i]! : Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`${kernel}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${tol.toExponential(2)})`);
  }
  return got;
}

/** Index helpers of a normalisation: lane l of batch entry b holds entries idx(b, l, i), i < N. */
function lanes(kind: NormKind, rows: number, cols: number) {
  const layer = kind === 'layer';
  return {
    perBatch: layer ? rows : cols,
    n: layer ? cols : rows,
    idx: (b: number, l: number, i: number) => b * rows * cols + (layer ? l * cols + i : i * cols + l),
    /** Column of entry i of lane l (for γ, β). */
    col: (l: number, i: number) => (layer ? i : l),
  };
}

function vec(t: Host, b: number, c: number): number {
  return t.data[(t.batch === 1 ? 0 : b) * t.cols + c]!;
}

interface ForwardRef {
  xhat: Float64Array;
  invStd: Float64Array;
  out: Float64Array;
  mean: Float64Array | null;
  variance: Float64Array | null;
}

/** f64 normForward; `running` (batch norm) is updated (PyTorch's rule) or, with `evaluate`, used. */
function forwardRef(
  kind: NormKind, z: Host, gamma: Host, beta: Host, acts: readonly HiddenActivation[],
  running: { mean: Host; variance: Host; momentum: number } | null, evaluate: boolean,
): ForwardRef {
  const { batch, rows, cols } = z;
  const L = lanes(kind, rows, cols);
  const xhat = new Float64Array(z.data.length);
  const out = new Float64Array(z.data.length);
  const invStd = new Float64Array(batch * L.perBatch);
  const mean = running ? Float64Array.from(running.mean.data) : null;
  const variance = running ? Float64Array.from(running.variance.data) : null;
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < L.perBatch; l++) {
      let mu = 0;
      let v = 0;
      if (evaluate) {
        mu = vec(running!.mean, b, l);
        v = vec(running!.variance, b, l);
      } else {
        for (let i = 0; i < L.n; i++) mu += z.data[L.idx(b, l, i)]!;
        mu /= L.n;
        for (let i = 0; i < L.n; i++) v += (z.data[L.idx(b, l, i)]! - mu) ** 2;
        v /= L.n;
        if (running) {
          const m = running.momentum;
          mean![b * cols + l] = (1 - m) * mean![b * cols + l]! + m * mu;
          variance![b * cols + l] = (1 - m) * variance![b * cols + l]! + (m * v * rows) / (rows - 1);
        }
      }
      const inv = 1 / Math.sqrt(v + EPS);
      invStd[b * L.perBatch + l] = inv;
      for (let i = 0; i < L.n; i++) {
        const e = L.idx(b, l, i);
        xhat[e] = (z.data[e]! - mu) * inv;
        const c = L.col(l, i);
        out[e] = activate(acts[b]!, vec(gamma, b, c) * xhat[e]! + vec(beta, b, c));
      }
    }
  }
  return { xhat, invStd, out, mean, variance };
}

/** f64 normBackward, with the magnitudes of the terms of each result (the scale of f32 rounding errors). */
function backwardRef(kind: NormKind, g: Host, xhat: Host, invStd: Host, gamma: Host) {
  const { batch, rows, cols } = g;
  const L = lanes(kind, rows, cols);
  const dz = new Float64Array(g.data.length);
  const dzScale = new Float64Array(g.data.length);
  const dGamma = new Float64Array(batch * cols);
  const dBeta = new Float64Array(batch * cols);
  const dGammaScale = new Float64Array(batch * cols);
  const dBetaScale = new Float64Array(batch * cols);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const e = b * rows * cols + r * cols + c;
        dBeta[b * cols + c] = dBeta[b * cols + c]! + g.data[e]!;
        dGamma[b * cols + c] = dGamma[b * cols + c]! + g.data[e]! * xhat.data[e]!;
        dBetaScale[b * cols + c] = dBetaScale[b * cols + c]! + Math.abs(g.data[e]!);
        dGammaScale[b * cols + c] = dGammaScale[b * cols + c]! + Math.abs(g.data[e]! * xhat.data[e]!);
      }
    }
    for (let l = 0; l < L.perBatch; l++) {
      let s = 0;
      let sx = 0;
      let as = 0;
      let asx = 0;
      for (let i = 0; i < L.n; i++) {
        const e = L.idx(b, l, i);
        const gg = g.data[e]! * vec(gamma, b, L.col(l, i));
        s += gg;
        sx += gg * xhat.data[e]!;
        as += Math.abs(gg);
        asx += Math.abs(gg * xhat.data[e]!);
      }
      const inv = invStd.data[b * L.perBatch + l]!;
      for (let i = 0; i < L.n; i++) {
        const e = L.idx(b, l, i);
        const gg = g.data[e]! * vec(gamma, b, L.col(l, i));
        dz[e] = (inv / L.n) * (L.n * gg - s - xhat.data[e]! * sx);
        dzScale[e] = (inv / L.n) * (L.n * Math.abs(gg) + as + Math.abs(xhat.data[e]!) * asx);
      }
    }
  }
  return { dz, dzScale, dGamma, dBeta, dGammaScale, dBetaScale };
}

/** The forward pass's tensors on the device. */
function forwardTensors(kind: NormKind, batch: number, rows: number, cols: number, backend: WebGPUBackend = be) {
  return {
    out: backend.tensor(shape(batch, rows, cols)),
    xhat: backend.tensor(shape(batch, rows, cols)),
    invStd: backend.tensor(kind === 'batch' ? shape(batch, 1, cols) : shape(batch, rows, 1)),
  };
}

const ACT_PAIRS: readonly (readonly HiddenActivation[])[] = [
  ['sigmoid', 'relu'],
  ['tanh', 'leaky_relu'],
  ['linear', 'tanh'],
];

describe('normForward', () => {
  test('batch norm in training: x̂, invStd, φ_b(γ x̂ + β) and the running statistics; 1 to 130 rows, 1 to 70 columns', async () => {
    const r = rng(21);
    const shapes: [number, number][] = [[70, 5], [130, 1], [2, 3], [7, 70], [65, 2]];
    for (const [k, [rows, cols]] of shapes.entries()) {
      const acts = ACT_PAIRS[k % ACT_PAIRS.length]!;
      const z = host(2, rows, cols, uniform(r, -2, 3));
      const gamma = host(2, 1, cols, uniform(r, 0.5, 1.5));
      const beta = host(2, 1, cols, uniform(r, -0.5, 0.5));
      const mean = host(2, 1, cols, uniform(r, -1, 1));
      const variance = host(2, 1, cols, uniform(r, 0.5, 2));
      const t = forwardTensors('batch', 2, rows, cols);
      const running = { mean: upload(mean), variance: upload(variance), momentum: 0.1 };
      be.normForward('batch', upload(z), upload(gamma), upload(beta), t.out, acts, { eps: EPS, xhat: t.xhat, invStd: t.invStd, running });
      const want = forwardRef('batch', z, gamma, beta, acts, { mean, variance, momentum: 0.1 }, false);
      await expectClose('batch norm x̂', t.xhat, want.xhat, 1e-5, 2e-6);
      await expectClose('batch norm invStd', t.invStd, want.invStd, 1e-5, 0);
      await expectClose('batch norm out', t.out, want.out, 1e-5, 2e-6);
      await expectClose('batch norm running mean', running.mean, want.mean!, 1e-5, 1e-7);
      await expectClose('batch norm running var', running.variance, want.variance!, 1e-5, 1e-7);
    }
  });

  test('batch norm of a single row (no running statistics): x̂ = 0, out = φ(β); γ and β broadcast from batch 1', async () => {
    const r = rng(22);
    const z = host(2, 1, 6, uniform(r, -2, 2));
    const gamma = host(1, 1, 6, uniform(r, 0.5, 1.5));
    const beta = host(1, 1, 6, uniform(r, -0.5, 0.5));
    const t = forwardTensors('batch', 2, 1, 6);
    be.normForward('batch', upload(z), upload(gamma), upload(beta), t.out, ['sigmoid', 'relu'], { eps: EPS, xhat: t.xhat, invStd: t.invStd });
    const want = forwardRef('batch', z, gamma, beta, ['sigmoid', 'relu'], null, false);
    expect(want.xhat.every((x) => x === 0)).toBe(true);
    await expectClose('batch norm x̂', t.xhat, want.xhat, 0, 0);
    await expectClose('batch norm invStd', t.invStd, want.invStd, 1e-5, 0);
    await expectClose('batch norm out', t.out, want.out, 1e-6, 1e-7);
  });

  test('batch norm in evaluation uses the running statistics and updates nothing', async () => {
    const r = rng(23);
    for (const [rows, cols] of [[9, 4], [1, 3], [67, 1]] as [number, number][]) {
      const z = host(2, rows, cols, uniform(r, -2, 2));
      const gamma = host(2, 1, cols, uniform(r, 0.5, 1.5));
      const beta = host(2, 1, cols, uniform(r, -0.5, 0.5));
      const mean = host(2, 1, cols, uniform(r, -1, 1));
      const variance = host(2, 1, cols, uniform(r, 0.2, 3));
      const t = forwardTensors('batch', 2, rows, cols);
      const running = { mean: upload(mean), variance: upload(variance), momentum: 0.1 };
      be.normForward('batch', upload(z), upload(gamma), upload(beta), t.out, ['tanh', 'relu'], {
        eps: EPS, xhat: t.xhat, invStd: t.invStd, running, evaluate: true,
      });
      const want = forwardRef('batch', z, gamma, beta, ['tanh', 'relu'], { mean, variance, momentum: 0.1 }, true);
      await expectClose('batch norm eval x̂', t.xhat, want.xhat, 1e-5, 2e-6);
      await expectClose('batch norm eval invStd', t.invStd, want.invStd, 1e-5, 0);
      await expectClose('batch norm eval out', t.out, want.out, 1e-5, 2e-6);
      await expectClose('batch norm eval running (unchanged)', running.mean, mean.data, 0, 0);
      await expectClose('batch norm eval running (unchanged)', running.variance, variance.data, 0, 0);
    }
  });

  test('layer norm: per-row statistics over 1 to 130 columns, per-entry activations', async () => {
    const r = rng(24);
    for (const [k, [rows, cols]] of ([[5, 70], [3, 1], [1, 9], [4, 130], [33, 16]] as [number, number][]).entries()) {
      const acts = ACT_PAIRS[k % ACT_PAIRS.length]!;
      const z = host(2, rows, cols, uniform(r, -3, 2));
      const gamma = host(2, 1, cols, uniform(r, 0.5, 1.5));
      const beta = host(2, 1, cols, uniform(r, -0.5, 0.5));
      const t = forwardTensors('layer', 2, rows, cols);
      be.normForward('layer', upload(z), upload(gamma), upload(beta), t.out, acts, { eps: EPS, xhat: t.xhat, invStd: t.invStd });
      const want = forwardRef('layer', z, gamma, beta, acts, null, false);
      await expectClose('layer norm x̂', t.xhat, want.xhat, 1e-5, 2e-6);
      await expectClose('layer norm invStd', t.invStd, want.invStd, 1e-5, 0);
      await expectClose('layer norm out', t.out, want.out, 1e-5, 2e-6);
    }
  });

  test('two-pass variance: a column at offset 1000 with unit spread keeps invStd to 1e-4 (E[z²] − E[z]² would lose it)', async () => {
    const r = rng(25);
    for (const kind of ['batch', 'layer'] as const) {
      const [rows, cols] = kind === 'batch' ? [100, 2] : [2, 100];
      const z = host(1, rows, cols, () => 1000 + 2 * (r() - 0.5));
      const gamma = host(1, 1, cols, () => 1);
      const beta = host(1, 1, cols, () => 0);
      const t = forwardTensors(kind, 1, rows, cols);
      be.normForward(kind, upload(z), upload(gamma), upload(beta), t.out, ['linear'], { eps: EPS, xhat: t.xhat, invStd: t.invStd });
      const want = forwardRef(kind, z, gamma, beta, ['linear'], null, false);
      await expectClose(`${kind} norm invStd, offset 1000`, t.invStd, want.invStd, 1e-4, 0);
      await expectClose(`${kind} norm x̂, offset 1000`, t.xhat, want.xhat, 0, 1e-3);
    }
  });

  test('shape and aliasing errors throw', () => {
    const z = be.tensor(shape(2, 4, 3));
    const v = be.tensor(shape(2, 1, 3));
    const t = forwardTensors('batch', 2, 4, 3);
    const o = { eps: EPS, xhat: t.xhat, invStd: t.invStd };
    expect(() => be.normForward('layer', z, v, v, t.out, ['relu', 'relu'], o)).toThrow(/invStd/);
    expect(() => be.normForward('batch', z, be.tensor(shape(2, 1, 4)), v, t.out, ['relu', 'relu'], o)).toThrow(/gamma/);
    expect(() => be.normForward('batch', z, v, v, t.out, ['relu', 'relu'], o)).toThrow(/distinct/);
    expect(() => be.normForward('batch', z, v, be.tensor(shape(2, 1, 3)), t.out, ['relu', 'relu'], { ...o, evaluate: true })).toThrow(/running/);
    expect(() => be.normBackward('batch', z, t.xhat, t.invStd, v, t.out, be.tensor(shape(2, 1, 3)), be.tensor(shape(1, 1, 3)))).toThrow(/dBeta/);
  });
});

describe('normBackward', () => {
  for (const kind of ['batch', 'layer'] as const) {
    test(`${kind} norm: dγ, dβ and dz, into a separate tensor and in place (dz = g)`, async () => {
      const r = rng(kind === 'batch' ? 31 : 32);
      const cases: [number, number][] = kind === 'batch' ? [[70, 5], [130, 1], [2, 3], [1, 4], [9, 66]] : [[5, 70], [3, 1], [1, 9], [4, 130], [66, 3]];
      for (const [rows, cols] of cases) {
        for (const inPlace of [false, true]) {
          const g = host(2, rows, cols, uniform(r, -1, 1));
          const xhat = host(2, rows, cols, uniform(r, -2, 2));
          const invStd = kind === 'batch' ? host(2, 1, cols, uniform(r, 0.5, 3)) : host(2, rows, 1, uniform(r, 0.5, 3));
          const gamma = host(2, 1, cols, uniform(r, 0.5, 1.5));
          const tg = upload(g);
          const dz = inPlace ? tg : be.tensor(shape(2, rows, cols));
          const [dGamma, dBeta] = be.tensors([shape(2, 1, cols), shape(2, 1, cols)]);
          be.normBackward(kind, tg, upload(xhat), upload(invStd), upload(gamma), dz, dGamma!, dBeta!);
          const want = backwardRef(kind, g, xhat, invStd, gamma);
          const tag = `${kind} norm ${inPlace ? 'dz (in place)' : 'dz'}`;
          await expectClose(tag, dz, want.dz, 1e-5, 0, want.dzScale);
          await expectClose(`${kind} norm dγ`, dGamma!, want.dGamma, 1e-5, 0, want.dGammaScale);
          await expectClose(`${kind} norm dβ`, dBeta!, want.dBeta, 1e-5, 0, want.dBetaScale);
          if (!inPlace) await expectClose(`${kind} norm g (unchanged)`, tg, g.data, 0, 0);
        }
      }
    });
  }

  test('γ broadcast from batch 1', async () => {
    const r = rng(33);
    for (const kind of ['batch', 'layer'] as const) {
      const g = host(2, 6, 5, uniform(r, -1, 1));
      const xhat = host(2, 6, 5, uniform(r, -2, 2));
      const invStd = kind === 'batch' ? host(2, 1, 5, uniform(r, 0.5, 3)) : host(2, 6, 1, uniform(r, 0.5, 3));
      const gamma = host(1, 1, 5, uniform(r, 0.5, 1.5));
      const dz = be.tensor(shape(2, 6, 5));
      const [dGamma, dBeta] = be.tensors([shape(2, 1, 5), shape(2, 1, 5)]);
      be.normBackward(kind, upload(g), upload(xhat), upload(invStd), upload(gamma), dz, dGamma!, dBeta!);
      const want = backwardRef(kind, g, xhat, invStd, gamma);
      await expectClose(`${kind} norm dz (γ batch 1)`, dz, want.dz, 1e-5, 0, want.dzScale);
    }
  });
});

describe('addInto and actGradInPlace', () => {
  test('addInto with a source of the same batch and a batch-1 source', async () => {
    const r = rng(41);
    for (const srcBatch of [2, 1]) {
      for (const [rows, cols] of [[1, 1], [37, 5]] as [number, number][]) {
        const dst = host(2, rows, cols, uniform(r));
        const src = host(srcBatch, rows, cols, uniform(r));
        const t = upload(dst);
        be.addInto(t, upload(src));
        const want = dst.data.map((x, i) => x + src.data[srcBatch === 1 ? i % (rows * cols) : i]!);
        await expectClose('addInto', t, want, 2 ** -24, 0);
      }
    }
    const t = be.tensor(shape(2, 3, 3));
    expect(() => be.addInto(t, t)).toThrow(/differ/);
    expect(() => be.addInto(t, be.tensor(shape(2, 3, 2)))).toThrow(/match/);
  });

  test('actGradInPlace: every hidden activation whose output gives φ′, one per batch entry', async () => {
    const r = rng(42);
    // GELU and SiLU take φ′ from z: tests/gpu/activations.test.ts.
    const acts = HIDDEN_ACTIVATIONS.filter((a) => !needsPreActivation(a));
    const batch = acts.length;
    const [rows, cols] = [13, 7];
    const stored = host(batch, rows, cols, uniform(r, -1, 1));
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < rows * cols; i++) {
        const e = b * rows * cols + i;
        stored.data[e] = Math.fround(activate(acts[b]!, stored.data[e]! * 3));
      }
      stored.data[b * rows * cols] = 0; // relu's derivative at a = 0 is 0
    }
    const grad = host(batch, rows, cols, uniform(r));
    const t = upload(grad);
    be.actGradInPlace(t, upload(stored), acts);
    const want = grad.data.map((x, e) => x * derivative(acts[Math.floor(e / (rows * cols))]!, stored.data[e]!));
    // φ′ = 1 − a² and a(1 − a) cancel in f32: the error scales with |g|·(1 + |a| + a²), not with |result|.
    const scale = grad.data.map((x, e) => Math.abs(x) * (1 + Math.abs(stored.data[e]!) + stored.data[e]! ** 2));
    await expectClose('actGradInPlace', t, want, 1e-6, 0, scale);
  });
});

describe('loop hygiene', () => {
  test('repeated norm, residual and activation-derivative calls create no pipelines or call-site slots after the first step', async () => {
    const r = rng(51);
    const make = (rows: number, cols: number) => upload(host(2, rows, cols, uniform(r)));
    const z = make(16, 8);
    const [gamma, beta, mean, variance, dGamma, dBeta] = be.tensors(Array.from({ length: 6 }, () => shape(2, 1, 8)));
    be.write(variance!, new Float64Array(16).fill(1));
    const bn = forwardTensors('batch', 2, 16, 8);
    const ln = forwardTensors('layer', 2, 16, 8);
    const skip = make(16, 8);
    const step = () => {
      const running = { mean: mean!, variance: variance!, momentum: 0.1 };
      be.normForward('batch', z, gamma!, beta!, bn.out, ['relu', 'tanh'], { eps: EPS, xhat: bn.xhat, invStd: bn.invStd, running });
      be.normForward('layer', bn.out, gamma!, beta!, ln.out, ['relu', 'tanh'], { eps: EPS, xhat: ln.xhat, invStd: ln.invStd });
      be.addInto(ln.out, skip);
      be.actGradInPlace(skip, ln.out, ['relu', 'tanh']);
      be.normBackward('layer', skip, ln.xhat, ln.invStd, gamma!, skip, dGamma!, dBeta!);
      be.normBackward('batch', skip, bn.xhat, bn.invStd, gamma!, bn.out, dGamma!, dBeta!);
      be.flush();
    };
    step();
    await be.sync();
    const stats = be.cacheStats();
    const before = be.workStats().dispatches;
    for (let i = 0; i < 3; i++) step();
    await be.sync();
    expect(be.cacheStats()).toEqual(stats);
    // Per step: 2 forward, add, act_grad, 2 layer-norm backward passes, 1 batch-norm backward pass.
    expect(be.workStats().dispatches - before).toBe(3 * 7);
    const [m, v] = [await be.read(mean!), await be.read(variance!)];
    expect([...m, ...v].every((x) => Number.isFinite(x))).toBe(true);
  });
});

describe('dispatch grid split', () => {
  test('every kernel is right when maxComputeWorkgroupsPerDimension is 5 (lanes on a 2-D grid with idle workgroups)', async () => {
    const small = await createWebGPUBackend({ gpu: await getTestGPU(), maxWorkgroupsPerDimension: 5 });
    try {
      const r = rng(61);
      // Batch norm: 22 column lanes; layer norm: 22 row lanes and 18 column lanes (parameter gradients).
      for (const [kind, rows, cols] of [['batch', 9, 11], ['layer', 11, 9]] as const) {
        const z = host(2, rows, cols, uniform(r, -2, 2));
        const gamma = host(2, 1, cols, uniform(r, 0.5, 1.5));
        const beta = host(2, 1, cols, uniform(r, -0.5, 0.5));
        const t = forwardTensors(kind, 2, rows, cols, small);
        small.normForward(kind, upload(z, small), upload(gamma, small), upload(beta, small), t.out, ['tanh', 'relu'], { eps: EPS, xhat: t.xhat, invStd: t.invStd });
        const fw = forwardRef(kind, z, gamma, beta, ['tanh', 'relu'], null, false);
        await expectClose(`${kind} norm out (grid split)`, t.out, fw.out, 1e-5, 2e-6, undefined, small);
        const g = host(2, rows, cols, uniform(r));
        const xhat = host(2, rows, cols, () => 0);
        xhat.data.set(await small.read(t.xhat));
        const invStd = host(2, kind === 'batch' ? 1 : rows, kind === 'batch' ? cols : 1, () => 0);
        invStd.data.set(await small.read(t.invStd));
        const tg = upload(g, small);
        const [dGamma, dBeta] = small.tensors([shape(2, 1, cols), shape(2, 1, cols)]);
        small.normBackward(kind, tg, t.xhat, t.invStd, upload(gamma, small), tg, dGamma!, dBeta!);
        const bw = backwardRef(kind, g, xhat, invStd, gamma);
        await expectClose(`${kind} norm dz (grid split)`, tg, bw.dz, 1e-5, 0, bw.dzScale, small);
        await expectClose(`${kind} norm dγ (grid split)`, dGamma!, bw.dGamma, 1e-5, 0, bw.dGammaScale, small);
        await expectClose(`${kind} norm dβ (grid split)`, dBeta!, bw.dBeta, 1e-5, 0, bw.dBetaScale, small);
      }
      // 1100 elements: 18 workgroups of 64 on a 5 × 4 grid.
      const dst = host(2, 22, 25, uniform(r));
      const src = host(2, 22, 25, uniform(r));
      const td = upload(dst, small);
      small.addInto(td, upload(src, small));
      small.actGradInPlace(td, upload(src, small), ['linear', 'tanh']);
      const per = 22 * 25;
      const want = dst.data.map((x, i) => (x + src.data[i]!) * (i < per ? 1 : 1 - src.data[i]! ** 2));
      await expectClose('addInto + actGradInPlace (grid split)', td, want, 1e-6, 1e-7, undefined, small);
    } finally {
      small.destroy();
    }
  });
});

describe('uniform packing', () => {
  test('packNormForwardParams writes geometry, eps, momentum, N/(N − 1) and one activation code per batch entry', () => {
    const p = packNormForwardParams(
      { rows: 5, cols: 3, lanes: 6, vecStride: 3, runStride: 0, mode: NORM_MODE.update, eps: 1e-5, momentum: 0.1 },
      2,
      ['sigmoid', 'relu'],
    );
    expect(p.length).toBe(NORM_FORWARD_WORDS);
    expect([...p.slice(0, 8)]).toEqual([5, 3, 6, 3, 0, 1, 0, 0]);
    expect([...new Float32Array(p.buffer, 32, 3)]).toEqual([Math.fround(1e-5), Math.fround(0.1), 1.25]);
    expect([...p.slice(12, 15)]).toEqual([1, 3, 0]);
  });
});
