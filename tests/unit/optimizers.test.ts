// Optimizers and clipping on the CPU backend (f64) against the NumPy oracle
// (tests/fixtures/make_optimizer_fixtures.py): every step's loss and global gradient norm to 1e-8 (RMSProp
// amplifies the last-bit differences of BLAS summation order to ~2e-10 within 300 steps).
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { ModelSpec, OptimizerName } from '../../src/core/spec.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import fixture from '../fixtures/optimizers.json';

const TOL = 1e-8;

describe('optimizers and clipping match NumPy (f64)', () => {
  for (const c of fixture.cases) {
    const name = `${c.optimizer} lr ${c.lr}${c.clip ? ` clip ${c.clip[0]} ${c.clip[1]}` : ''} ${JSON.stringify(c.hp)}`;
    it(name, async () => {
      const model: ModelSpec = {
        inputDim: 2,
        hidden: [3],
        activations: ['tanh'],
        outputDim: 1,
        outputActivation: 'sigmoid',
        loss: 'mse',
        init: 'classic',
        gain: 1,
        initSeed: c.seed,
        optimizer: { kind: c.optimizer as OptimizerName, lr: c.lr, ...c.hp },
        ...(c.clip ? { clip: { kind: c.clip[0] as 'norm' | 'value', max: c.clip[1] as number } } : {}),
      };
      const data = makeDataset({ dataset: 'xor', samples: 4, noise: 0, inputDim: 2, outputDim: 1, seed: 0 });
      const backend = createCpuBackend({ dtype: 'f64' });
      const trainer = new Trainer(backend, { models: [model], data, schedule: { batchSize: 0, steps: c.steps, logEvery: 1, batchSeed: 0, dtype: 'f64' } });
      const records: StepRecord[] = [];
      await trainer.run(c.steps, (r) => records.push(r[0]!));
      expect(records).toHaveLength(c.steps);
      let clipped = 0;
      const compared = (c as { compareSteps?: number }).compareSteps ?? c.steps;
      records.slice(0, compared).forEach((r, i) => {
        expect(Math.abs(r.loss - c.losses[i]!) / c.losses[i]!, `step ${i}`).toBeLessThan(TOL);
        expect(Math.abs(r.gradNormTotal - c.gradNormTotal[i]!) / c.gradNormTotal[i]!, `step ${i}`).toBeLessThan(TOL);
        if (c.clip?.[0] === 'norm' && r.clipFactor < 1) {
          clipped++;
          expect(r.clipFactor).toBeCloseTo((c.clip[1] as number) / r.gradNormTotal, 12);
        }
      });
      if (c.clip?.[0] === 'norm') expect(clipped).toBeGreaterThan(0);
      // Training did something: the loss moved.
      expect(records[records.length - 1]!.loss).not.toBeCloseTo(records[0]!.loss, 3);
    });
  }
});
