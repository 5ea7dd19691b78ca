/**
 * Divergence as the app judges it: the run is marked diverged at the exact step its figures first turned NaN or
 * infinite, whatever the logging interval (the trainer checks every update, not only the logged ones), and the
 * records before it are kept.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, modelSpec, scheduleSpec } from '../../src/core/lab-spec.js';
import { decodeLab } from '../../src/core/url-codec.js';
import { isDiverged } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { stepLikeTheApp } from './app-steps.js';

/** Run 1 (ReLU, He, learning rate 1000) diverges within a few steps; run 2 (sigmoid, Xavier) trains on (the URL, on a smaller net). */
const EXPLODING = 'act=relu,sigmoid&init=he,xavier&runLr=1000,&depth=6&width=16&samples=100';

/** The oracle: run 1 trained alone with every step logged; the first record with a NaN or infinity. */
async function firstBadStep(): Promise<number> {
  const lab = decodeLab(new URLSearchParams(`${EXPLODING}&logEvery=1`)).value;
  const trainer = new Trainer(createCpuBackend({ dtype: 'f32' }), {
    models: [modelSpec(lab, lab.runs[0]!, builtinShape(lab))],
    data: makeDataset(dataSpec(lab)),
    schedule: scheduleSpec(lab),
  });
  for (let s = 0; s < 50; s++) {
    const [rec] = (await trainer.stepOnce(true))!;
    if (isDiverged(rec!) || !Number.isFinite(rec!.gradNormTotal)) return s;
  }
  throw new Error('run 1 did not diverge within 50 steps');
}

let expected = -1;
beforeAll(async () => {
  expected = await firstBadStep();
});

describe('the app marks a run diverged at the exact step', () => {
  it('the oracle diverges early, after a finite start', () => {
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(10);
  });

  it.each([1, 10, 63, 64, 65, 100, 1000])('logEvery=%i', async (logEvery) => {
    const runs = await stepLikeTheApp(createCpuBackend({ dtype: 'f32' }), `${EXPLODING}&logEvery=${logEvery}`, 150);
    const [r1, r2] = runs;
    expect(r1!.status).toBe('diverged');
    expect(r1!.divergedAt).toBe(expected);
    expect(r1!.message).toBe(`diverged at step ${expected}`);
    // Only records from before the divergence are kept, and they are finite.
    expect(r1!.records.map((r) => r.step)).toEqual(Array.from({ length: expected }, (_, s) => s).filter((s) => s % logEvery === 0));
    expect(r1!.records.every((r) => !isDiverged(r))).toBe(true);
    expect(r2!.status).toBe('active');
    expect(r2!.divergedAt).toBeNull();
    expect(r2!.records.at(-1)!.step).toBe(149);
  });
});

describe("the trainer (the CLI's path) knows the exact step for any logEvery", () => {
  it.each([10, 100, 1000])('logEvery=%i', async (logEvery) => {
    const lab = decodeLab(new URLSearchParams(`${EXPLODING}&logEvery=${logEvery}`)).value;
    const trainer = new Trainer(createCpuBackend({ dtype: 'f32' }), {
      models: [modelSpec(lab, lab.runs[0]!, builtinShape(lab))],
      data: makeDataset(dataSpec(lab)),
      schedule: { ...scheduleSpec(lab), steps: 150 },
    });
    await trainer.run(150, () => undefined);
    expect(trainer.memberStatus()[0]!.divergedAt).toBe(expected);
    expect(trainer.divergedAt(0, expected)).toBe(expected);
    expect(trainer.divergedAt(0, expected - 1)).toBeNull();
    trainer.dispose();
  });
});
