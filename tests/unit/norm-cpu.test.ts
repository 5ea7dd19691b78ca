// The CPU backend's normalisation ops against plain references written here: batch and layer norm forward
// (x̂, 1/σ, γx̂ + β through the activation, running statistics, evaluation mode), their backward against central
// finite differences, addInto and actGradInPlace, on f64 (tight) and f32 (loose).
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { shape } from '../../src/backend/backend.js';
import type { NormKind } from '../../src/backend/backend.js';
import { ACTIVATIONS, type HiddenActivation } from '../../src/core/activations.js';
import { NumpyRandom } from '../../src/core/rng.js';

const B = 2;
const R = 5;
const C = 3;
const EPS = 1e-5;

/** Reference forward of one model: x̂, 1/σ and γx̂ + β (before the activation), from mean/variance per group. */
function reference(kind: NormKind, z: Float64Array, gamma: Float64Array, beta: Float64Array, stats?: { mean: Float64Array; variance: Float64Array }) {
  const xhat = new Float64Array(R * C);
  const u = new Float64Array(R * C);
  const groups = kind === 'batch' ? C : R;
  const inv = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const idx = kind === 'batch' ? Array.from({ length: R }, (_, r) => r * C + g) : Array.from({ length: C }, (_, c) => g * C + c);
    const mean = stats ? stats.mean[g]! : idx.reduce((s, i) => s + z[i]!, 0) / idx.length;
    const variance = stats ? stats.variance[g]! : idx.reduce((s, i) => s + (z[i]! - mean) ** 2, 0) / idx.length;
    inv[g] = 1 / Math.sqrt(variance + EPS);
    for (const i of idx) xhat[i] = (z[i]! - mean) * inv[g]!;
  }
  for (let i = 0; i < R * C; i++) u[i] = gamma[i % C]! * xhat[i]! + beta[i % C]!;
  return { xhat, inv, u };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!)));
}

const slice = (a: Float64Array, b: number, per: number) => a.slice(b * per, (b + 1) * per);

describe.each([
  ['f64', 1e-13],
  ['f32', 2e-5],
] as const)('CPU normalisation ops (%s)', (dtype, tol) => {
  const rng = new NumpyRandom(3);
  const z = rng.randn(B * R * C).map((v, i) => 2 * v + (i % C) - 1);
  const gamma = rng.randn(B * C).map((v) => 1 + 0.5 * v);
  const beta = rng.randn(B * C);
  const acts: HiddenActivation[] = ['tanh', 'sigmoid'];

  it.each<NormKind>(['batch', 'layer'])('%s norm forward: x̂, 1/σ and φ(γx̂ + β) per model', (kind) => {
    const be = createCpuBackend({ dtype, threads: 1 });
    const zt = be.tensor(shape(B, R, C), z);
    const out = be.tensor(shape(B, R, C));
    const xhat = be.tensor(shape(B, R, C));
    const invStd = be.tensor(kind === 'batch' ? shape(B, 1, C) : shape(B, R, 1));
    be.normForward(kind, zt, be.tensor(shape(B, 1, C), gamma), be.tensor(shape(B, 1, C), beta), out, acts, { eps: EPS, xhat, invStd });
    const [o, x, s] = [be.readSync(out), be.readSync(xhat), be.readSync(invStd)];
    for (let b = 0; b < B; b++) {
      const ref = reference(kind, slice(z, b, R * C), slice(gamma, b, C), slice(beta, b, C));
      close(slice(x, b, R * C), ref.xhat, tol, 'xhat');
      close(slice(s, b, ref.inv.length), ref.inv, tol, 'invStd');
      close(slice(o, b, R * C), ref.u.map((v) => ACTIVATIONS[acts[b]!].value(v)), tol, 'out');
      if (kind === 'batch') {
        // Each column of x̂ has mean 0 and (biased) variance σ²/(σ² + eps) ≈ 1.
        for (let c = 0; c < C; c++) {
          const col = Array.from({ length: R }, (_, r) => x[b * R * C + r * C + c]!);
          expect(Math.abs(col.reduce((a, v) => a + v, 0) / R)).toBeLessThan(tol * 10);
          expect(col.reduce((a, v) => a + v * v, 0) / R).toBeCloseTo(1, 3);
        }
      }
    }
  });

  it('batch norm updates the running statistics (PyTorch convention) and evaluates with them', () => {
    const be = createCpuBackend({ dtype, threads: 1 });
    const zt = be.tensor(shape(B, R, C), z);
    const g = be.tensor(shape(B, 1, C), gamma);
    const bt = be.tensor(shape(B, 1, C), beta);
    const out = be.tensor(shape(B, R, C));
    const xhat = be.tensor(shape(B, R, C));
    const invStd = be.tensor(shape(B, 1, C));
    const mean0 = rng.randn(B * C);
    const var0 = rng.randn(B * C).map((v) => 1 + 0.3 * Math.abs(v));
    const mean = be.tensor(shape(B, 1, C), mean0);
    const variance = be.tensor(shape(B, 1, C), var0);
    const m = 0.1;
    be.normForward('batch', zt, g, bt, out, acts, { eps: EPS, xhat, invStd, running: { mean, variance, momentum: m } });
    const [rm, rv] = [be.readSync(mean), be.readSync(variance)];
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const col = Array.from({ length: R }, (_, r) => z[b * R * C + r * C + c]!);
        const mu = col.reduce((a, v) => a + v, 0) / R;
        const unbiased = col.reduce((a, v) => a + (v - mu) ** 2, 0) / (R - 1);
        close([rm[b * C + c]!], [(1 - m) * mean0[b * C + c]! + m * mu], tol, 'running mean');
        close([rv[b * C + c]!], [(1 - m) * var0[b * C + c]! + m * unbiased], tol, 'running variance');
      }
    }
    // Evaluation: the running statistics normalise, nothing is updated, and rows do not influence each other.
    be.normForward('batch', zt, g, bt, out, acts, { eps: EPS, xhat, invStd, running: { mean, variance, momentum: m }, evaluate: true });
    close(be.readSync(mean), rm, 0, 'running mean after evaluate');
    close(be.readSync(variance), rv, 0, 'running variance after evaluate');
    const o = be.readSync(out);
    for (let b = 0; b < B; b++) {
      const ref = reference('batch', slice(z, b, R * C), slice(gamma, b, C), slice(beta, b, C), { mean: slice(rm, b, C), variance: slice(rv, b, C) });
      close(slice(o, b, R * C), ref.u.map((v) => ACTIVATIONS[acts[b]!].value(v)), tol, 'evaluate out');
      close(slice(be.readSync(xhat), b, R * C), ref.xhat, tol, 'evaluate xhat');
    }
    expect(() => be.normForward('batch', be.tensor(shape(B, 1, C)), g, bt, be.tensor(shape(B, 1, C)), acts, {
      eps: EPS, xhat: be.tensor(shape(B, 1, C)), invStd, running: { mean, variance, momentum: m },
    })).toThrow(/2 rows/);
  });

  it.each<NormKind>(['batch', 'layer'])('%s norm backward matches finite differences of Σ g·(γx̂ + β), in place too', (kind) => {
    const be = createCpuBackend({ dtype, threads: 1 });
    const gIn = rng.randn(B * R * C);
    const zt = be.tensor(shape(B, R, C), z);
    const gt = be.tensor(shape(B, 1, C), gamma);
    const xhat = be.tensor(shape(B, R, C));
    const invStd = be.tensor(kind === 'batch' ? shape(B, 1, C) : shape(B, R, 1));
    be.normForward(kind, zt, gt, be.tensor(shape(B, 1, C), beta), be.tensor(shape(B, R, C)), ['linear' as HiddenActivation, 'linear'], { eps: EPS, xhat, invStd });
    const g = be.tensor(shape(B, R, C), gIn);
    const dz = be.tensor(shape(B, R, C));
    const dGamma = be.tensor(shape(B, 1, C));
    const dBeta = be.tensor(shape(B, 1, C));
    be.normBackward(kind, g, xhat, invStd, gt, dz, dGamma, dBeta);
    const [dzv, dgv, dbv] = [be.readSync(dz), be.readSync(dGamma), be.readSync(dBeta)];
    const h = 1e-6;
    for (let b = 0; b < B; b++) {
      const gb = slice(gIn, b, R * C);
      const objective = (zz: Float64Array, gam = slice(gamma, b, C), bet = slice(beta, b, C)) => reference(kind, zz, gam, bet).u.reduce((s, v, i) => s + gb[i]! * v, 0);
      const zb = slice(z, b, R * C);
      const fd = (f: (d: number) => number) => (f(h) - f(-h)) / (2 * h);
      const fdz = zb.map((_, i) => fd((d) => objective(zb.map((v, j) => (j === i ? v + d : v)))));
      const fdg = slice(gamma, b, C).map((_, c) => fd((d) => objective(zb, slice(gamma, b, C).map((v, j) => (j === c ? v + d : v)))));
      const fdb = slice(beta, b, C).map((_, c) => fd((d) => objective(zb, slice(gamma, b, C), slice(beta, b, C).map((v, j) => (j === c ? v + d : v)))));
      const fdTol = Math.max(tol, 1e-7);
      close(slice(dzv, b, R * C), fdz, fdTol, 'dz');
      close(slice(dgv, b, C), fdg, fdTol, 'dGamma');
      close(slice(dbv, b, C), fdb, fdTol, 'dBeta');
    }
    be.normBackward(kind, g, xhat, invStd, gt, g, dGamma, dBeta);
    close(be.readSync(g), dzv, 0, 'in-place dz');
  });

  it('addInto adds same-shape tensors (and broadcasts a batch-1 source); actGradInPlace multiplies by φ′ per model', () => {
    const be = createCpuBackend({ dtype, threads: 1 });
    const a = rng.randn(B * R * C);
    const s = rng.randn(B * R * C);
    const dst = be.tensor(shape(B, R, C), a);
    be.addInto(dst, be.tensor(shape(B, R, C), s));
    close(be.readSync(dst), a.map((v, i) => v + s[i]!), tol, 'addInto');
    const one = rng.randn(R * C);
    be.addInto(dst, be.tensor(shape(1, R, C), one));
    close(be.readSync(dst), a.map((v, i) => v + s[i]! + one[i % (R * C)]!), tol, 'addInto broadcast');
    expect(() => be.addInto(dst, be.tensor(shape(B, R, C + 1)))).toThrow(RangeError);

    const names: HiddenActivation[] = ['sigmoid', 'relu'];
    const zz = rng.randn(B * R * C);
    const act = zz.map((v, i) => ACTIVATIONS[names[Math.floor(i / (R * C))]!].value(v));
    const t = be.tensor(shape(B, R, C), s);
    be.actGradInPlace(t, be.tensor(shape(B, R, C), act), names);
    close(be.readSync(t), s.map((v, i) => v * ACTIVATIONS[names[Math.floor(i / (R * C))]!].derivativeFromOutput!(act[i]!)), tol, 'actGradInPlace');
  });
});
