// Resource budget: the trainer computes what a model needs before allocating and refuses, with the numbers,
// a model that does not fit the backend's per-tensor limit or total budget — allocating nothing.
import { describe, expect, it } from 'vitest';
import type { Shape } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { deepStack } from '../../src/core/presets.js';
import { formatBytes, planMemory, ResourceError } from '../../src/train/memory.js';
import { Trainer } from '../../src/train/trainer.js';

describe('memory plan', () => {
  it('counts parameters, gradients, data, activations, deltas and metrics', () => {
    // 2 → 3 → 1, 4 rows, full batch, one model, f64: params 2·3+3+3·1+1 = 13, twice (grads) = 26;
    // data 4·2 + 4·1 = 12; activations + deltas 2·(4·3 + 4·1) = 32; metrics 5.
    const p = planMemory([2, 3, 1], 4, 4, 1, 8, false, 5);
    expect(p.totalBytes).toBe((26 + 12 + 32 + 5) * 8);
    expect(p.largestBytes).toBe(12 * 8);
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
