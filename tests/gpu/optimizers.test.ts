/**
 * WebGPU update rules against the f64 CPU reference (src/backend/cpu/optimizers.ts): every rule × clip
 * none/norm/value × batch 1 and 2 (different hyperparameters per entry), 20 consecutive updates with fresh
 * gradients, the report (norm and factor), gradients clipped in place, then resetOptimizerState and 3 more.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shape, type ClipRule, type Shape, type Tensor, type UpdateRule } from '../../src/backend/backend.js';
import { applyRule, clipGradients, globalNorm, slotsNeeded, type OptimizerSlots } from '../../src/backend/cpu/optimizers.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { ErrorReport, errors, rng } from './reference.js';
import { getTestGPU } from './setup-dawn.js';

let be: WebGPUBackend;
const report = new ErrorReport();

beforeAll(async () => {
  be = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => {
  report.print('optimizers');
  be?.destroy();
});

type RuleName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam';
const RULES: readonly RuleName[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'];
const CLIPS = ['none', 'norm', 'value'] as const;
/** Per-entry values: entry 0 is clipped most steps, entry 1 rarely (gradient norms are about 4.7). */
const CLIP_MAX = { norm: [2, 6], value: [0.5, 2] } as const;

function makeRule(name: RuleName, batch: number, step: number, clip: ClipRule | undefined, metrics: Tensor): UpdateRule {
  const pick = (xs: number[]) => xs.slice(0, batch);
  const extra = { report: { metrics, col: 1 }, ...(clip ? { clip } : {}) };
  const lr = pick([0.05, 0.01]);
  switch (name) {
    case 'sgd':
      return { kind: 'sgd', lr, ...extra };
    case 'momentum':
    case 'nesterov':
      return { kind: 'momentum', lr, momentum: pick([0.9, 0.5]), nesterov: name === 'nesterov', ...extra };
    case 'rmsprop':
      return { kind: 'rmsprop', lr, decay: pick([0.9, 0.99]), eps: 1e-6, ...extra };
    case 'adam':
      return { kind: 'adam', lr, beta1: pick([0.9, 0.8]), beta2: pick([0.999, 0.99]), eps: 1e-8, step, ...extra };
  }
}

/**
 * Layer-like shapes, allocated in one buffer (the single-dispatch path for small models) or three together and
 * one apart (two groups: the norm, factor and per-group update dispatches).
 */
function shapes(batch: number, big = false): Shape[] {
  if (big) return [shape(batch, 40, 60), shape(batch, 60, 3), shape(batch, 1, 60), shape(batch, 1, 3)];
  return [shape(batch, 5, 7), shape(batch, 7, 3), shape(batch, 1, 7), shape(batch, 1, 3)];
}

function allocate(batch: number, values: readonly Float64Array[], oneBuffer: boolean, big: boolean): Tensor[] {
  const s = shapes(batch, big);
  const ts = oneBuffer ? be.tensors(s) : [...be.tensors(s.slice(0, 3)), be.tensor(s[3]!)];
  ts.forEach((t, i) => be.write(t, values[i]!));
  return ts;
}

/** f32-representable uniform values in [−scale, scale), one array per shape. */
function draw(r: () => number, batch: number, big: boolean, scale = 1): Float64Array[] {
  return shapes(batch, big).map((s) => Float64Array.from({ length: s.batch * s.rows * s.cols }, () => Math.fround(scale * (2 * r() - 1))));
}

/** One CPU reference update of every batch entry; returns [norm, factor] per entry. */
function cpuUpdate(rule: UpdateRule, theta: Float64Array[], g: Float64Array[], slots: OptimizerSlots[], batch: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < batch; b++) {
    const slices = g.map((data) => ({ data, off: (b * data.length) / batch, n: data.length / batch }));
    out.push(clipGradients(slices, rule.clip, b));
    slices.forEach(({ off, n }, i) => applyRule(rule, theta[i]!, g[i]!, slots[i]!, off, n, b));
  }
  return out;
}

async function compare(label: string, ts: readonly Tensor[], want: readonly Float64Array[]): Promise<void> {
  for (let i = 0; i < ts.length; i++) {
    const got = await be.read(ts[i]!);
    const w = want[i]!;
    report.add(label, errors(got, w, 1e-3));
    for (let j = 0; j < w.length; j++) {
      const tol = 2e-6 + 1e-5 * Math.abs(w[j]!);
      if (!(Math.abs(got[j]! - w[j]!) <= tol)) expect.fail(`${label}: tensor ${i}[${j}] got ${got[j]}, want ${w[j]}`);
    }
  }
}

// [batch, one buffer, big]: one buffer takes the single-dispatch path; big tensors give every norm invocation many elements.
describe.each([
  [1, true, false],
  [2, true, false],
  [1, false, false],
  [2, false, false],
  [2, false, true],
])('batch %i, one buffer %s, big %s', (batch, oneBuffer, big) => {
  test.each(RULES.flatMap((r) => CLIPS.map((c) => [r, c] as const)))('%s, clip %s: 20 updates, reset, 3 more', async (name, clipKind) => {
    const r = rng(1000 * batch + RULES.indexOf(name) * 10 + CLIPS.indexOf(clipKind));
    const clip: ClipRule | undefined = clipKind === 'none' ? undefined : { kind: clipKind, max: CLIP_MAX[clipKind].slice(0, batch) };
    const theta = draw(r, batch, big);
    const params = allocate(batch, theta, oneBuffer, big);
    const grads = allocate(batch, draw(r, batch, big), oneBuffer, big);
    const metrics = be.tensor(shape(batch, 1, 4));
    const probe = makeRule(name, batch, 1, clip, metrics);
    const [needFirst, needSecond] = slotsNeeded(probe);
    const freshSlots = () => theta.map((t) => ({ first: needFirst ? new Float64Array(t.length) : null, second: needSecond ? new Float64Array(t.length) : null }));
    let slots = freshSlots();
    let clippedSomewhere = false;
    const run = async (steps: number, phase: string) => {
      for (let s = 1; s <= steps; s++) {
        const g = draw(r, batch, big);
        grads.forEach((t, i) => be.write(t, g[i]!));
        const rule = makeRule(name, batch, s, clip, metrics);
        const before = be.workStats().dispatches;
        be.update(params, grads, rule);
        // One buffer: one serial dispatch; two: per-group norms + factors + one update per group.
        expect(be.workStats().dispatches - before).toBe(oneBuffer ? 1 : 5);
        const normFactor = cpuUpdate(rule, theta, g, slots, batch);
        clippedSomewhere ||= normFactor.some(([, f]) => f !== 1);
        if (s % 5 === 0 || s === steps) {
          const m = await be.read(metrics);
          const want = m.slice();
          normFactor.forEach(([n, f], b) => want.set([n, f], 4 * b + 1));
          report.add(`report ${clipKind}`, errors(m, want, 1e-3));
          for (let j = 0; j < m.length; j++) expect(Math.abs(m[j]! - want[j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[j]!)));
        }
        if (s === steps && clip) await compare(`clipped grads ${clipKind}`, grads, g);
      }
      await compare(`${name} ${phase}`, params, theta);
    };
    await run(20, '20 steps');
    be.resetOptimizerState(params);
    slots = freshSlots();
    await run(3, 'after reset');
    if (clip && batch === 2) expect(clippedSomewhere).toBe(true);
    for (const t of [...params, ...grads, metrics]) be.dispose(t);
  });
});

describe('update report', () => {
  test.each([true, false])('global norm of tiny gradients (1e-30) stays accurate, one buffer %s', async (oneBuffer) => {
    const r = rng(77);
    const params = allocate(2, draw(r, 2, true), oneBuffer, true);
    const g = draw(r, 2, true, 1e-30);
    const grads = allocate(2, g, oneBuffer, true);
    const metrics = be.tensor(shape(2, 1, 2));
    be.update(params, grads, { kind: 'sgd', lr: [0, 0], report: { metrics, col: 0 } });
    const got = await be.read(metrics);
    for (let b = 0; b < 2; b++) {
      const want = globalNorm(g.map((data) => ({ data, off: (b * data.length) / 2, n: data.length / 2 })));
      report.add('report tiny norm', errors([got[2 * b]!], [want]));
      expect(Math.abs(got[2 * b]! - want) / want).toBeLessThan(1e-5);
      expect(got[2 * b + 1]).toBe(1);
    }
  });
});

describe('update errors', () => {
  test('mismatched hyperparameters and a metrics tensor without room are refused', () => {
    const [p, g] = [be.tensor(shape(2, 2, 2)), be.tensor(shape(2, 2, 2))];
    const small = be.tensor(shape(2, 1, 1));
    expect(() => be.update([p], [g], { kind: 'momentum', lr: [0.1, 0.1], momentum: [], nesterov: false })).toThrow(/momentum/);
    expect(() => be.update([p], [g], { kind: 'sgd', lr: [0.1, 0.1], report: { metrics: small, col: 0 } })).toThrow(/room/);
    [p, g, small].forEach((t) => be.dispose(t));
  });
});
