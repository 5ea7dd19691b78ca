// Resource budget: the trainer computes what a model needs before allocating and refuses, with the numbers,
// a model that does not fit the backend's per-tensor limit or total budget — allocating nothing.
import { describe, expect, it } from 'vitest';
import type { Shape } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset, type Dataset } from '../../src/core/datasets.js';
import { deepStack } from '../../src/core/presets.js';
import { builtinShape, defaultLab, type DataShape } from '../../src/core/lab-spec.js';
import { formatBytes, planMemory, planTrainer, ResourceError } from '../../src/train/memory.js';
import { Trainer } from '../../src/train/trainer.js';
import { budgetFixes, buildRefusal, csvRefusal, labBudgetProblem, largestFitting } from '../../src/ui/lab/lab-budget.js';

describe('memory plan', () => {
  it('counts parameters, gradients, data, activations, deltas and metrics', () => {
    // 2 → 3 → 1, 4 rows, full batch, one model, f64: params 2·3+3+3·1+1 = 13, twice (grads) = 26;
    // data 4·2 + 4·1 = 12; activations + deltas 2·(4·3 + 4·1) = 32; metrics 5.
    const p = planMemory([2, 3, 1], 4, 4, 1, 8, false, 5);
    expect(p.totalBytes).toBe((26 + 12 + 32 + 5) * 8);
    expect(p.largestBytes).toBe(12 * 8);
  });

  it('counts the pre-activations that GELU and SiLU layers keep: one rows × width tensor per such layer and model', () => {
    const relu = deepStack('relu', 4, 16).model;
    const mixed = { ...relu, activations: ['relu', 'gelu', 'relu', 'silu'] as const };
    const cohortOf = (models: (typeof relu)[]) => planTrainer(models, 100, 25, 4).totalBytes;
    // Two kept layers × 25 rows × 16 units × 4 bytes, per model of the cohort (a layer keeps z if any model needs it).
    expect(cohortOf([mixed]) - cohortOf([relu])).toBe(2 * 25 * 16 * 4);
    expect(cohortOf([mixed, relu]) - cohortOf([relu, relu])).toBe(2 * 2 * 25 * 16 * 4);
    expect(planMemory([2, 3, 3, 1], 4, 4, 1, 8, false, 5, {}, [false, true]).totalBytes - planMemory([2, 3, 3, 1], 4, 4, 1, 8, false, 5).totalBytes).toBe(4 * 3 * 8);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('refuses a model over the budget before allocating anything', () => {
    const spec = deepStack('relu', 200, 1024);
    const backend = createCpuBackend({ dtype: 'f32' });
    const budgeted = Object.assign(Object.create(Object.getPrototypeOf(backend)), backend, { budgetBytes: 64 * 1024 ** 2 });
    let allocated = 0;
    const orig = budgeted.tensor.bind(budgeted);
    budgeted.tensor = (s: Shape, d?: ArrayLike<number>) => {
      allocated++;
      return orig(s, d);
    };
    budgeted.tensors = (shapes: Shape[]) => shapes.map((s) => budgeted.tensor(s));
    const data = makeDataset(spec.data);
    let error: unknown;
    try {
      new Trainer(budgeted, { models: [spec.model], data, schedule: spec.schedule });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResourceError);
    expect((error as ResourceError).message).toMatch(/needs 1\.9 GiB in all, over the 64\.0 MiB budget of CPU f32/);
    expect((error as ResourceError).neededBytes).toBeGreaterThan(64 * 1024 ** 2);
    expect(allocated).toBe(0);
  });

  it('refuses a tensor over the per-tensor limit, naming both sizes', () => {
    const spec = deepStack('relu', 2, 4096);
    const backend = createCpuBackend({ dtype: 'f32', maxTensorBytes: 16 * 1024 ** 2 });
    expect(() => new Trainer(backend, { models: [spec.model], data: makeDataset(spec.data), schedule: spec.schedule })).toThrow(
      /needs a 64\.0 MiB tensor, but CPU f32 .* allows at most 16\.0 MiB per tensor/,
    );
  });
});

describe('the lab budget, checked before anything is built', () => {
  const cpu = createCpuBackend({ dtype: 'f32' });

  it('plans exactly what the Trainer checks', () => {
    const spec = deepStack('relu', 200, 1024);
    const data = makeDataset(spec.data);
    const budgeted = Object.assign(Object.create(Object.getPrototypeOf(cpu)), cpu, { budgetBytes: 64 * 1024 ** 2 });
    let error: unknown;
    try {
      new Trainer(budgeted, { models: [spec.model, spec.model], data, schedule: spec.schedule });
    } catch (e) {
      error = e;
    }
    expect((error as ResourceError).neededBytes).toBe(planTrainer([spec.model, spec.model], data.n, 0, 4).totalBytes);
    expect((error as ResourceError).reason).toMatch(/^this model needs 3\.[0-9] GiB in all, over the 64\.0 MiB budget of CPU f32/);
  });

  it('finds the largest value that fits by bisection', () => {
    expect(largestFitting(1, 100, (v) => v <= 37)).toBe(37);
    expect(largestFitting(1, 100, () => true)).toBe(100);
    expect(largestFitting(1, 100, () => false)).toBeNull();
    expect(largestFitting(1, 0, () => true)).toBeNull();
  });

  it('/?depth=200&width=1024 does not fit the CPU budget; each fix it names fits when applied alone', () => {
    const lab = { ...defaultLab(), depth: 200, width: 1024 };
    const shape = builtinShape(lab);
    const over = labBudgetProblem(cpu, lab, shape);
    expect(over?.reason).toMatch(/needs [\d.]+ GiB in all, over the 1\.0 GiB budget/);
    expect(labBudgetProblem(cpu, defaultLab(), builtinShape(defaultLab()))).toBeNull();
    const fixes = budgetFixes(cpu, lab, shape, 'samples');
    expect(fixes[0]).toMatch(/^depth at most \d+ \(now 200\)$/);
    expect(fixes[1]).toMatch(/^width at most \d+ \(now 1024\)$/);
    // 200 layers of 1024 hold 3.2 GB of weights and gradients for the two runs: no batch or data size alone fits.
    expect(fixes.slice(2)).toEqual([
      'batch: no value fits unless other settings change too (now full batch, 200 rows)',
      'samples: no value fits unless other settings change too (now 200)',
    ]);
    const value = (i: number) => Number(/at most (\d+)/.exec(fixes[i]!)![1]);
    for (const [key, v] of [['depth', value(0)], ['width', value(1)]] as const) {
      expect(labBudgetProblem(cpu, { ...lab, [key]: v }, shape)).toBeNull();
      expect(labBudgetProblem(cpu, { ...lab, [key]: v + 1 }, shape)).not.toBeNull();
    }
  });

  it('a 950 000-row CSV on the default lab (full batch) does not fit; a batch of 32 would', () => {
    const lab = defaultLab();
    const shape: DataShape = { inputDim: 2, outputDim: 1, task: 'binary', samples: 950_000 };
    expect(labBudgetProblem(cpu, lab, shape)?.reason).toMatch(/needs [\d.]+ GiB in all/);
    expect(labBudgetProblem(cpu, { ...lab, batch: 32 }, shape)).toBeNull();
    const fixes = budgetFixes(cpu, lab, shape, 'file');
    expect(fixes[2]).toMatch(/^batch at most \d+ rows per step \(now full batch, 950000 rows\)$/);
    expect(fixes[3]).toMatch(/^rows of the file at most \d+ \(now 950000\)$/);
    const batch = Number(/at most (\d+)/.exec(fixes[2]!)![1]);
    expect(labBudgetProblem(cpu, { ...lab, batch }, shape)).toBeNull();
    expect(labBudgetProblem(cpu, { ...lab, batch: batch + 1 }, shape)).not.toBeNull();
  });

  it('words the notices: the networks that cannot be built, and a CSV refused with the data in use kept', () => {
    const lab = defaultLab();
    expect(buildRefusal(cpu, lab, builtinShape(lab), 'samples')).toBeNull();
    const big = { ...lab, depth: 200, width: 1024 };
    const r = buildRefusal(cpu, big, builtinShape(big), 'samples')!;
    expect(r.text).toMatch(/^Cannot build the networks: this model needs [\d.]+ GiB in all, over the 1\.0 GiB budget of CPU f32.*\. Play stays off until they fit/);
    expect(r.details).toHaveLength(4);
    const n = 950_000;
    const dataset: Dataset = { name: 'csv', x: new Float64Array(2 * n), y: new Float64Array(n), n, inputDim: 2, outputDim: 1, task: 'binary', classes: ['a', 'b'] };
    const refused = csvRefusal(cpu, lab, { dataset, name: 'big.csv' }, 'small.csv')!;
    expect(refused.text).toMatch(/^big\.csv was not loaded: with its 950000 rows, this model needs [\d.]+ GiB in all.*; small\.csv stays in use\./);
    expect(csvRefusal(cpu, { ...lab, batch: 32 }, { dataset, name: 'big.csv' }, 'small.csv')).toBeNull();
  });
});

