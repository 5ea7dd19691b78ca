// Gradient check of the mitigations: with batch norm, layer norm, residual connections (k = 1, 2) and their
// combinations, the trainer's backprop gradients of W, b (β) and γ on the f64 CPU backend match central finite
// differences of the training-mode loss (batch statistics), for two models of different activations at once.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import type { HiddenActivation } from '../../src/core/activations.js';
import type { Dataset } from '../../src/core/datasets.js';
import type { Parameters } from '../../src/core/init.js';
import { lossValue } from '../../src/core/losses.js';
import { NumpyRandom } from '../../src/core/rng.js';
import type { ModelSpec, NormName } from '../../src/core/spec.js';
import type { Backend, Shape } from '../../src/backend/backend.js';
import { initParameters } from '../../src/core/init.js';
import { planMemory } from '../../src/train/memory.js';
import { countTensors } from '../../src/train/soak.js';
import { checkCohort, Trainer } from '../../src/train/trainer.js';

const H = 1e-6;
const TOL = 1e-6;
const N = 6;

function dataset(rng: NumpyRandom): Dataset {
  const x = rng.randn(N * 3);
  const y = new Float64Array(N * 2);
  for (let i = 0; i < y.length; i++) y[i] = rng.randint(0, 2);
  return { name: 'random', x, y, n: N, inputDim: 3, outputDim: 2, task: 'binary', classes: [] };
}

/** ‖a − b‖ / ‖a + b‖ over all entries (0 when both vanish). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += (a[i]! + b[i]!) ** 2;
  }
  return s === 0 ? 0 : Math.sqrt(d / s);
}

interface Case {
  readonly norm: NormName;
  readonly residual: number;
  readonly hidden: readonly number[];
}

const CASES: Case[] = [
  { norm: 'batch', residual: 0, hidden: [4, 3] },
  { norm: 'layer', residual: 0, hidden: [4, 3] },
  { norm: 'none', residual: 1, hidden: [4, 4, 4] },
  { norm: 'none', residual: 2, hidden: [4, 4, 4, 4, 4] },
  { norm: 'none', residual: 1, hidden: [4, 5, 5, 4] },
  { norm: 'batch', residual: 1, hidden: [4, 4, 4] },
  { norm: 'batch', residual: 2, hidden: [4, 4, 4, 4] },
  { norm: 'layer', residual: 2, hidden: [4, 4, 4, 4] },
];
const PAIRS: [HiddenActivation, HiddenActivation][] = [
  ['sigmoid', 'tanh'],
  ['relu', 'sigmoid'],
  ['tanh', 'leaky_relu'],
  // GELU and SiLU layers keep their pre-activations (network.ts Workspace.pre); with relu beside them the layer's
  // ReLU model takes φ′ from z too.
  ['gelu', 'silu'],
  ['relu', 'gelu'],
  ['elu', 'softplus'],
];

function model(c: Case, act: HiddenActivation, seed: number): ModelSpec {
  return {
    inputDim: 3,
    hidden: c.hidden,
    activations: c.hidden.map(() => act),
    outputDim: 2,
    outputActivation: 'sigmoid',
    loss: 'bce',
    init: 'xavier',
    gain: 1.2,
    initSeed: seed,
    optimizer: { kind: 'sgd', lr: 0.05 },
    biasStd: 0.3,
    norm: c.norm,
    residual: c.residual,
  };
}

/** γ away from 1, so that the γ factors of the backward pass are exercised. */
function scatterGammas(p: Parameters, rng: NumpyRandom): Parameters {
  if (!p.gammas) return p;
  return { ...p, gammas: p.gammas.map((g) => g.map(() => rng.uniform(0.5, 1.5))) };
}

describe('backprop with normalisation and residual connections matches finite differences (f64)', () => {
  for (const c of CASES) {
    for (const [a1, a2] of PAIRS) {
      it(`norm ${c.norm}, residual ${c.residual}, hidden ${c.hidden.join(',')}, ${a1} and ${a2}`, async () => {
        const rng = new NumpyRandom(11);
        const ds = dataset(rng);
        const models = [model(c, a1, 3), model(c, a2, 4)];
        const trainer = new Trainer(createCpuBackend({ dtype: 'f64' }), { models, data: ds, schedule: { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 0, dtype: 'f64' } });
        const start = (await trainer.readParameters()).map((p) => scatterGammas(p, rng));
        trainer.setParameters(start);
        const records = (await trainer.stepOnce(true))!;
        const grads = await trainer.readGradients();
        let current = start.map((p) => structuredClone(p));
        const lossAt = async (b: number, p: Parameters) => {
          current = current.map((q, i) => (i === b ? p : q));
          trainer.setParameters(current);
          const preds = await trainer.predict(ds.x, ds.n, { batchStatistics: true });
          return lossValue('bce', preds[b]!, ds.y, ds.n, 2);
        };
        for (let b = 0; b < models.length; b++) {
          current = start.map((p) => structuredClone(p));
          expect(records[b]!.loss).toBeCloseTo(await lossAt(b, start[b]!), 12);
          const kinds = c.norm === 'none' ? (['weights', 'biases'] as const) : (['weights', 'biases', 'gammas'] as const);
          if (c.norm === 'none') expect(grads[b]!.gammas).toBeUndefined();
          for (const kind of kinds) {
            const p0 = start[b]!;
            for (let l = 0; l < p0[kind]!.length; l++) {
              const g = grads[b]![kind]![l]!;
              expect(g.length).toBe(p0[kind]![l]!.length);
              const fd = new Float64Array(g.length);
              for (let i = 0; i < g.length; i++) {
                const plus = structuredClone(p0);
                const minus = structuredClone(p0);
                plus[kind]![l]![i]! += H;
                minus[kind]![l]![i]! -= H;
                fd[i] = ((await lossAt(b, plus)) - (await lossAt(b, minus))) / (2 * H);
              }
              expect(relativeError(g, fd), `model ${b} ${kind}[${l}]`).toBeLessThan(TOL);
              expect(Math.hypot(...fd), `model ${b} ${kind}[${l}] is not a vanishing gradient`).toBeGreaterThan(1e-8);
            }
          }
        }
      });
    }
  }

  it('a residual connection carries the gradient past a layer whose own path is dead', async () => {
    // ReLU layers with large negative biases pass nothing: without the skip no gradient reaches the first layer.
    const rng = new NumpyRandom(5);
    const ds = dataset(rng);
    const first = async (residual: number) => {
      const m = { ...model({ norm: 'none', residual, hidden: [4, 4, 4] }, 'relu', 3), biasStd: 0 };
      const trainer = new Trainer(createCpuBackend({ dtype: 'f64' }), { models: [m], data: ds, schedule: { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 0, dtype: 'f64' } });
      const [p] = await trainer.readParameters();
      p!.biases[1]!.fill(-100);
      p!.biases[2]!.fill(-100);
      trainer.setParameters([p!]);
      await trainer.stepOnce(false);
      const [g] = await trainer.readGradients();
      return Math.hypot(...g!.weights[0]!);
    };
    expect(await first(0)).toBe(0);
    expect(await first(1)).toBeGreaterThan(1e-3);
  });
});

describe('trainer plumbing of the mitigations', () => {
  const schedule = { batchSize: 4, steps: 5, logEvery: 1, batchSeed: 2, dtype: 'f64' as const };

  it('bias std draws the biases after the weights from the same generator; γ starts at 1', () => {
    const plain = model({ norm: 'none', residual: 0, hidden: [4, 3] }, 'tanh', 9);
    const p0 = initParameters({ ...plain, biasStd: 0 });
    const p1 = initParameters(plain);
    expect(p1.weights).toEqual(p0.weights);
    expect(p0.biases.every((b) => b.every((v) => v === 0))).toBe(true);
    const rng = new NumpyRandom(9);
    rng.randn(3 * 4 + 4 * 3 + 3 * 2);
    p1.biases.forEach((b) => expect(Array.from(b)).toEqual(Array.from(rng.randn(b.length), (v) => 0.3 * v)));
    expect(p1.gammas).toBeUndefined();
    const bn = initParameters({ ...plain, norm: 'batch' });
    expect(bn.gammas!.map((g) => Array.from(g))).toEqual([[1, 1, 1, 1], [1, 1, 1]]);
    expect(bn.runningMean!.map((g) => Array.from(g))).toEqual([[0, 0, 0, 0], [0, 0, 0]]);
    expect(bn.runningVar!.map((g) => Array.from(g))).toEqual([[1, 1, 1, 1], [1, 1, 1]]);
    expect(initParameters({ ...plain, norm: 'layer' }).runningMean).toBeUndefined();
  });

  it('models trained together must share normalisation and residual connections', () => {
    const c: Case = { norm: 'batch', residual: 1, hidden: [4, 4] };
    expect(checkCohort([model(c, 'tanh', 1), model(c, 'relu', 2)])).toBeNull();
    expect(checkCohort([model(c, 'tanh', 1), { ...model(c, 'tanh', 2), norm: 'layer' }])).toMatch(/normalisation/);
    expect(checkCohort([model(c, 'tanh', 1), { ...model(c, 'tanh', 2), residual: 2 }])).toMatch(/residual/);
  });

  it.each<Case>([
    { norm: 'batch', residual: 1, hidden: [4, 4, 4] },
    { norm: 'layer', residual: 2, hidden: [4, 4, 4, 5] },
  ])('norm $norm, residual $residual: the memory plan lists what is allocated, and dispose gives it all back', async (c) => {
    const rng = new NumpyRandom(1);
    const ds = dataset(rng);
    const shapes: Shape[] = [];
    const counting = countTensors(createCpuBackend({ dtype: 'f64', threads: 1 }));
    const be = new Proxy(counting.backend, {
      get(target, prop, receiver) {
        if (prop === 'tensor') return (s: Shape, d?: ArrayLike<number>) => (shapes.push(s), target.tensor(s, d));
        if (prop === 'tensors') return (ss: readonly Shape[]) => (shapes.push(...ss), target.tensors(ss));
        return Reflect.get(target, prop, receiver);
      },
    }) as Backend;
    const models = [model(c, 'tanh', 1), model(c, 'sigmoid', 2)];
    const trainer = new Trainer(be, { models, data: ds, schedule });
    const plan = planMemory(trainer.sizes, 4, ds.n, 2, 8, true, trainer.layout.width, models[0]!);
    // Everything but the ring of update norms (2 models × 2 entries per logged step), which the plan leaves out as small.
    const sorted = (ss: readonly Shape[]) => ss.map((s) => `${s.batch}x${s.rows}x${s.cols}`).sort();
    const made = sorted(shapes);
    made.splice(made.indexOf('2x1x2'), 1);
    expect(made).toEqual(sorted(plan.shapes));
    const live = counting.counts().live;
    await trainer.run(5, () => {});
    expect(counting.counts().live).toBe(live);
    const params = await trainer.readParameters();
    expect(params[0]!.gammas).toHaveLength(c.hidden.length);
    expect(params[0]!.runningMean !== undefined).toBe(c.norm === 'batch');
    await trainer.predict(ds.x, ds.n);
    await trainer.predict(ds.x.slice(0, 6), 2, { batchStatistics: true });
    trainer.dispose();
    expect(counting.counts().live).toBe(0);
  });

  it('readParameters and setParameters carry γ and the running statistics (a snapshot restores the predictions)', async () => {
    const rng = new NumpyRandom(4);
    const ds = dataset(rng);
    const models = [model({ norm: 'batch', residual: 1, hidden: [4, 4] }, 'sigmoid', 1)];
    const a = new Trainer(createCpuBackend({ dtype: 'f64' }), { models, data: ds, schedule });
    await a.run(5, () => {});
    const snap = await a.readParameters();
    expect(snap[0]!.gammas!.some((g) => g.some((v) => v !== 1))).toBe(true);
    expect(snap[0]!.runningMean!.some((g) => g.some((v) => v !== 0))).toBe(true);
    const b = new Trainer(createCpuBackend({ dtype: 'f64' }), { models, data: ds, schedule }, snap, 5);
    expect(await b.predict(ds.x, ds.n)).toEqual(await a.predict(ds.x, ds.n));
    const fresh = new Trainer(createCpuBackend({ dtype: 'f64' }), { models, data: ds, schedule }, [{ weights: snap[0]!.weights, biases: snap[0]!.biases }]);
    expect(await fresh.predict(ds.x, ds.n)).not.toEqual(await a.predict(ds.x, ds.n));
  });
});
