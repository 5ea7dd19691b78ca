// GELU, SiLU, ELU and softplus on WebGPU (Dawn + SwiftShader) against f64 references: the fused matmul epilogues
// (bias + activation; φ′ from the output or, for layers that keep z, from the pre-activation), the elementwise
// act_grad and activate_into kernels, and whole forward/backward passes against the CPU f64 backend, for every
// new activation, per-layer mixes, a cohort mixing activations per model, and normalised/residual layers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shape, type Backend, type Tensor } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, needsPreActivation, type HiddenActivation } from '../../src/core/activations.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';
import { relDiff, spiralModel } from './models.js';
import { host, rng, uniform } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let gpu: Backend;
beforeAll(async () => {
  gpu = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => gpu?.destroy());

const NEW: HiddenActivation[] = ['gelu', 'silu', 'elu', 'softplus'];

/** Assert |got − want| ≤ atol + rtol·|want| elementwise. */
function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]!);
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${tol.toExponential(2)})`);
  }
}

/** Frobenius ‖a − b‖ / ‖b‖. */
function relNorm(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += b[i]! ** 2;
  }
  return Math.sqrt(d / Math.max(s, 1e-300));
}

describe('activation kernels against f64', () => {
  const B = 3;
  const [M, K, N] = [33, 17, 21];
  for (const act of HIDDEN_ACTIVATIONS) {
    it(`${act} (beside relu and gelu in one batch): bias_act, act_grad from z and from a, act_grad and activate_into`, async () => {
      const acts: HiddenActivation[] = [act, 'relu', 'gelu'];
      const r = rng(HIDDEN_ACTIVATIONS.indexOf(act) + 1);
      const a = host(B, M, K, uniform(r, -1, 1));
      const w = host(B, K, N, uniform(r, -1, 1));
      const bias = host(B, 1, N, uniform(r, -1, 1));
      const g = host(B, M, N, uniform(r, -1, 1));
      const up = (h: typeof a) => gpu.tensor(shape(h.batch, h.rows, h.cols), h.data);
      const [ta, tw, tb, tg] = [up(a), up(w), up(bias), up(g)];
      // f64 reference of z = A·W + bias (from the f32-rounded inputs the GPU sees).
      const z = new Float64Array(B * M * N);
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = bias.data[b * N + j]!;
            for (let k = 0; k < K; k++) s += a.data[(b * M + i) * K + k]! * w.data[(b * K + k) * N + j]!;
            z[(b * M + i) * N + j] = s;
          }
        }
      }
      const per = M * N;
      const actOf = (i: number) => ACTIVATIONS[acts[Math.floor(i / per)]!];
      const out = gpu.tensor(shape(B, M, N));
      gpu.matmul(ta, tw, out, { epilogue: { kind: 'bias_act', bias: tb, activations: acts } });
      expectClose('bias_act', await gpu.read(out), z.map((v, i) => actOf(i).value(v)), 2e-5, 2e-6);

      // z alone (linear epilogue), then activate_into, as a layer that keeps z does.
      const zt = gpu.tensor(shape(B, M, N));
      gpu.matmul(ta, tw, zt, { epilogue: { kind: 'bias_act', bias: tb, activations: ['linear', 'linear', 'linear'] } });
      const zGot = await gpu.read(zt);
      const activated = gpu.tensor(shape(B, M, N));
      gpu.activateInto(zt, activated, acts);
      // SwiftShader's f32 tanh (inside GELU) is good to about 2e-7 absolute near 0, not relative.
      expectClose('activate_into', await gpu.read(activated), zGot.map((v, i) => actOf(i).value(v)), 2e-6, 5e-7);

      // act_grad epilogue: δ·Wᵀ ⊙ φ′, φ′ from the stored z (every activation) …
      const dIn = gpu.tensor(shape(B, M, K));
      gpu.matmul(tg, tw, dIn, { transB: true });
      const pT = await gpu.read(dIn);
      const zk = host(B, M, K, uniform(r, -4, 4));
      const tz = up(zk);
      const perK = M * K;
      const actOfK = (i: number) => ACTIVATIONS[acts[Math.floor(i / perK)]!];
      const fromZ = gpu.tensor(shape(B, M, K));
      gpu.matmul(tg, tw, fromZ, { transB: true, epilogue: { kind: 'act_grad', act: tz, activations: acts, fromInput: true } });
      expectClose('act_grad from z', await gpu.read(fromZ), pT.map((p, i) => p * actOfK(i).derivative(zk.data[i]!)), 2e-5, 2e-6);
      const inPlace = gpu.tensor(shape(B, M, K), pT);
      gpu.actGradInPlace(inPlace, tz, acts, true);
      expectClose('actGradInPlace from z', await gpu.read(inPlace), pT.map((p, i) => p * actOfK(i).derivative(zk.data[i]!)), 2e-6, 1e-7);

      // … and from the stored outputs a = φ(z) where a determines φ′.
      if (!needsPreActivation(act)) {
        const only: HiddenActivation[] = [act, act, act];
        const outs = host(B, M, K, () => 0);
        for (let i = 0; i < outs.data.length; i++) outs.data[i] = Math.fround(ACTIVATIONS[act].value(zk.data[i]!));
        const fromA = gpu.tensor(shape(B, M, K));
        gpu.matmul(tg, tw, fromA, { transB: true, epilogue: { kind: 'act_grad', act: up(outs), activations: only } });
        const want = pT.map((p, i) => p * ACTIVATIONS[act].derivativeFromOutput!(outs.data[i]!));
        expectClose('act_grad from a', await gpu.read(fromA), want, 2e-5, 2e-6);
      }
    });
  }
});

const spiral = makeDataset({ dataset: 'spiral', samples: 40, noise: 0.05, inputDim: 2, outputDim: 1, seed: 4 });

/** One full-batch step's loss and gradients, then `steps` more steps' losses and final weights, on a backend. */
async function run(backend: Backend, models: ModelSpec[], steps: number) {
  const trainer = new Trainer(backend, { models, data: spiral, schedule: { batchSize: 0, steps, logEvery: 1, batchSeed: 1, dtype: 'f64' } });
  const first = (await trainer.stepOnce(true))!;
  const grads = await trainer.readGradients();
  const losses: number[][] = [first.map((r) => r.loss)];
  for (let s = 1; s < steps; s++) losses.push((await trainer.stepOnce(true))!.map((r) => r.loss));
  const params = await trainer.readParameters();
  trainer.dispose();
  return { grads, losses, params };
}

const mixed = (acts: HiddenActivation[], over: Partial<ModelSpec> = {}): ModelSpec => ({
  ...spiralModel('relu', acts.map(() => 12), { init: 'matched', ...over }),
  activations: acts,
});

describe('forward and backward passes: WebGPU agrees with CPU f64', () => {
  const cases: [string, ModelSpec[]][] = [
    ...NEW.map((a): [string, ModelSpec[]] => [`${a} ×3`, [mixed([a, a, a])]]),
    ['per layer sigmoid, gelu, relu, silu', [mixed(['sigmoid', 'gelu', 'relu', 'silu'])]],
    ['per layer elu, softplus, tanh', [mixed(['elu', 'softplus', 'tanh'])]],
    ['cohort: gelu ×3 beside relu ×3 and relu, sigmoid, silu', [mixed(['gelu', 'gelu', 'gelu']), mixed(['relu', 'relu', 'relu']), mixed(['relu', 'sigmoid', 'silu'])]],
    ['layer norm, residual 1: silu, gelu, elu', [mixed(['silu', 'gelu', 'elu'], { norm: 'layer', residual: 1 })]],
  ];
  it.each(cases)('%s: gradients of the first step, losses of 20 steps, final weights', async (_name, models) => {
    const cpu = await run(createCpuBackend({ dtype: 'f64' }), models, 20);
    const web = await run(gpu, models, 20);
    models.forEach((_, b) => {
      for (const kind of ['weights', 'biases'] as const) {
        cpu.grads[b]![kind].forEach((g, l) => expect(relNorm(web.grads[b]![kind][l]!, g), `model ${b} ${kind}[${l}]`).toBeLessThan(1e-4));
      }
      cpu.losses.forEach((row, s) => expect(relDiff(web.losses[s]![b]!, row[b]!), `model ${b} step ${s}`).toBeLessThan(1e-5));
      cpu.params[b]!.weights.forEach((w, l) => expect(relNorm(web.params[b]!.weights[l]!, w)).toBeLessThan(1e-4));
    });
    // The runs moved: not a comparison of untouched initial states.
    expect(relDiff(cpu.losses.at(-1)![0]!, cpu.losses[0]![0]!)).toBeGreaterThan(1e-3);
  });
});

describe('recorded pre-activations z (distributions on)', () => {
  it('WebGPU z quantiles of a GELU/ReLU mix agree with CPU f64 within one histogram bin; the output layer reads NaN', async () => {
    const models = [mixed(['gelu', 'relu', 'silu'])];
    const schedule = { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 1, dtype: 'f64' as const };
    const record = async (backend: Backend) => {
      const trainer = new Trainer(backend, { models, data: spiral, schedule, distributions: true });
      const [rec] = (await trainer.stepOnce(true))!;
      trainer.dispose();
      return rec!.distributions!;
    };
    const cpu = await record(createCpuBackend({ dtype: 'f64' }));
    const web = await record(gpu);
    const L = 4;
    for (let l = 0; l < L; l++) {
      const z = (l * 4 + 3) * 9;
      if (l === L - 1) {
        for (let i = 0; i < 9; i++) expect(web[z + i]).toBeNaN();
        continue;
      }
      const bin = (cpu[z + 8]! - cpu[z]!) / 256;
      for (let i = 0; i < 9; i++) expect(Math.abs(web[z + i]! - cpu[z + i]!), `layer ${l} level ${i}`).toBeLessThanOrEqual(bin * 1.01 + 1e-5);
    }
  });
});
