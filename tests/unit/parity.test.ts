// NumPy parity: the classic 2-2-1 sigmoid network trained by the CPU backend in f64 matches the same loop
// written in NumPy (tests/fixtures/make_classic_fixtures.py) epoch by epoch, to 1e-12 relative.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { preset } from '../../src/core/presets.js';
import type { ExperimentSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';
import fixture from '../fixtures/classic.json';

const TOL = 1e-12;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function classicSpec(dataset: 'xor' | 'and', seed: number, steps: number, logEvery: number): ExperimentSpec {
  const base = preset(dataset === 'xor' ? 'xor-classic' : 'and-classic');
  return {
    model: { ...base.model, initSeed: seed },
    data: { ...base.data, seed },
    schedule: { ...base.schedule, steps, logEvery, batchSeed: seed },
  };
}

async function trainClassic(spec: ExperimentSpec) {
  const backend = createCpuBackend({ dtype: 'f64' });
  const data = makeDataset(spec.data);
  const trainer = new Trainer(backend, { models: [spec.model], data, schedule: spec.schedule });
  const losses = new Map<number, number>();
  await trainer.run(spec.schedule.steps, (r) => losses.set(r[0]!.step, r[0]!.loss));
  const [pred] = await trainer.predict(data.x, data.n);
  const [params] = await trainer.readParameters();
  return { losses, pred: pred!, params: params! };
}

describe('NumPy parity of the classic 2-2-1 sigmoid network (f64)', () => {
  let worst = 0;
  for (const c of fixture.cases) {
    it(`${c.dataset} seed ${c.seed}: every epoch's loss, final predictions and weights`, async () => {
      const { losses, pred, params } = await trainClassic(classicSpec(c.dataset as 'xor' | 'and', c.seed, c.epochs, 1));
      expect(losses.size).toBe(c.epochs);
      for (let e = 0; e < c.epochs; e++) {
        const err = relErr(losses.get(e)!, c.losses[e]!);
        worst = Math.max(worst, err);
        expect(err, `epoch ${e}`).toBeLessThan(TOL);
      }
      c.predictions.forEach((row, i) => expect(relErr(pred[i]!, row[0]!)).toBeLessThan(TOL));
      c.W1.flat().forEach((w, i) => expect(relErr(params.weights[0]![i]!, w)).toBeLessThan(TOL));
      c.W2.flat().forEach((w, i) => expect(relErr(params.weights[1]![i]!, w)).toBeLessThan(TOL));
      c.b1.flat().forEach((b, i) => expect(Math.abs(params.biases[0]![i]! - b)).toBeLessThan(TOL * Math.max(1, Math.abs(b))));
    });
  }

  for (const p of fixture.presets) {
    it(`preset ${p.preset} reproduces the tutorial's logged losses and predictions`, async () => {
      const spec = preset(p.preset as 'xor-classic' | 'and-classic');
      expect(spec.schedule.steps).toBe(p.epochs);
      const { losses, pred } = await trainClassic(spec);
      const logged = Object.entries(p.logged);
      expect([...losses.keys()]).toEqual(logged.map(([k]) => Number(k)));
      for (const [k, v] of logged) expect(relErr(losses.get(Number(k))!, v)).toBeLessThan(TOL);
      p.predictions.forEach((row, i) => expect(relErr(pred[i]!, row[0]!)).toBeLessThan(TOL));
    });
  }

  it('reports the worst relative loss error seen', () => {
    console.log(`NumPy parity: worst relative loss error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOL);
  });
});
