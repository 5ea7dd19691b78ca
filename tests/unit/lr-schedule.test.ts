/**
 * Learning-rate schedules: each kind against its closed form at chosen steps (warm-up boundaries included), the
 * validation of bad schedules by field, the text form, and the trainer's use of the rate (records and the SGD step).
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { formatSchedule, isVaryingSchedule, parseScheduleText, scheduleCurve, scheduleHorizon, scheduledRate, type LrScheduleSpec } from '../../src/core/lr-schedule.js';
import { formatIssue, parseLrSchedule, parseModel, type ModelSpec } from '../../src/core/spec.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';

const LR = 0.1;

describe('scheduledRate against the closed forms', () => {
  const cases: [string, LrScheduleSpec, [number, number][]][] = [
    ['no schedule', { kind: 'constant' }, [[0, 0.1], [1, 0.1], [999, 0.1]]],
    // Warm-up of 4: (t + 1)/4 of the rate for t = 0..3, then the base rate.
    ['constant, warm-up 4', { kind: 'constant', warmup: 4 }, [[0, 0.025], [1, 0.05], [3, 0.1], [4, 0.1], [100, 0.1]]],
    // Step: halve every 10 steps after a warm-up of 5: s = t − 5.
    ['step 10 × 0.5, warm-up 5', { kind: 'step', every: 10, factor: 0.5, warmup: 5 }, [[0, 0.02], [4, 0.1], [5, 0.1], [14, 0.1], [15, 0.05], [24, 0.05], [25, 0.025], [105, 0.1 / 1024]]],
    ['exponential 0.9', { kind: 'exponential', factor: 0.9 }, [[0, 0.1], [1, 0.09], [3, 0.0729]]],
    ['exponential 0.5, warm-up 2', { kind: 'exponential', factor: 0.5, warmup: 2 }, [[0, 0.05], [1, 0.1], [2, 0.1], [3, 0.05], [4, 0.025]]],
    // Cosine over 100 steps to 10 % after a warm-up of 10: at s = 50 halfway, (0.1 + 0.9/2)·lr; at s = 25 cos(π/4).
    [
      'cosine 100 to 0.1, warm-up 10',
      { kind: 'cosine', steps: 100, floor: 0.1, warmup: 10 },
      [[9, 0.1], [10, 0.1], [35, 0.1 * (0.1 + (0.9 * (1 + Math.SQRT1_2)) / 2)], [60, 0.055], [110, 0.01], [5000, 0.01]],
    ],
    ['cosine 4 to 0', { kind: 'cosine', steps: 4 }, [[0, 0.1], [2, 0.05], [4, 0], [7, 0]]],
  ];
  it.each(cases)('%s', (_, schedule, points) => {
    for (const [t, want] of points) expect(scheduledRate(LR, schedule, t), `step ${t}`).toBeCloseTo(want, 15);
  });

  it('no schedule and constant without warm-up do not vary; the others do', () => {
    expect(isVaryingSchedule(undefined)).toBe(false);
    expect(isVaryingSchedule({ kind: 'constant' })).toBe(false);
    expect(isVaryingSchedule({ kind: 'constant', warmup: 3 })).toBe(true);
    expect(isVaryingSchedule({ kind: 'cosine', steps: 3 })).toBe(true);
  });
});

describe('schedule validation names the field', () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: 'cosine' }, /^schedule\.steps: nothing is not allowed; expected a value: a cosine schedule needs steps \(a schedule must end\)/],
    [{ kind: 'cosine', steps: Infinity }, /^schedule\.steps: Infinity is not allowed; expected an integer from 1/],
    [{ kind: 'cosine', steps: 0 }, /^schedule\.steps: 0 is not allowed/],
    [{ kind: 'cosine', steps: 10, floor: 1 }, /^schedule\.floor: 1 is not allowed; expected a share of the base rate from 0 up to \(not including\) 1/],
    [{ kind: 'step', every: 10 }, /^schedule\.factor: nothing is not allowed; expected a value: a step schedule needs every and factor/],
    [{ kind: 'step', every: 0, factor: 0.5 }, /^schedule\.every: 0 is not allowed; expected an integer from 1/],
    [{ kind: 'exponential', factor: 1.5 }, /^schedule\.factor: 1\.5 is not allowed; expected a finite number above 0 and at most 1/],
    [{ kind: 'exponential', factor: 0 }, /^schedule\.factor: 0 is not allowed/],
    [{ kind: 'constant', warmup: -1 }, /^schedule\.warmup: -1 is not allowed; expected an integer from 0/],
    [{ kind: 'constant', warmup: 2.5 }, /^schedule\.warmup: 2\.5 is not allowed/],
    [{ kind: 'linear' }, /^schedule\.kind: "linear" is not allowed; expected one of constant, step, exponential, cosine/],
    [{ kind: 'exponential', factor: 0.9, steps: 10 }, /^schedule\.steps: 10 is not allowed; expected no such field; expected one of kind, warmup, factor/],
  ];
  it.each(bad)('%j', (input, message) => {
    const r = parseLrSchedule(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatIssue(r.issues[0]!)).toMatch(message);
  });

  it('a good schedule parses to its canonical form (zero warm-up and floor left out)', () => {
    expect(parseLrSchedule({ kind: 'cosine', steps: 100, floor: 0, warmup: 0 })).toEqual({ ok: true, value: { kind: 'cosine', steps: 100 } });
  });

  it('in a model spec, under model.optimizer.schedule', () => {
    const model: ModelSpec = {
      inputDim: 2, hidden: [3], activations: ['tanh'], outputDim: 1, outputActivation: 'sigmoid', loss: 'bce', init: 'xavier', gain: 1, initSeed: 0,
      optimizer: { kind: 'sgd', lr: 0.1, schedule: { kind: 'cosine' } },
    };
    const r = parseModel(model);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.field).toBe('model.optimizer.schedule.steps');
  });
});

describe('schedule text form', () => {
  it('round-trips through formatSchedule and parseScheduleText', () => {
    const all: LrScheduleSpec[] = [{ kind: 'constant' }, { kind: 'step', every: 100, factor: 0.5 }, { kind: 'exponential', factor: 0.99 }, { kind: 'cosine', steps: 1000 }, { kind: 'cosine', steps: 1000, floor: 0.01 }];
    for (const s of all) expect(parseLrSchedule(parseScheduleText(formatSchedule(s)))).toEqual({ ok: true, value: s });
    expect(parseScheduleText('exp:0.9', 5)).toEqual({ kind: 'exponential', factor: 0.9, warmup: 5 });
  });
  it('text that fits no form stays text; a bad number stays for the validator to name', () => {
    expect(parseScheduleText('cosine')).toBe('cosine');
    expect(parseScheduleText('step:10')).toBe('step:10');
    expect(parseScheduleText('warm')).toBe('warm');
    expect(parseScheduleText('cosine:abc')).toEqual({ kind: 'cosine', steps: 'abc' });
  });
});

describe('the trainer follows the schedule (CPU f64)', () => {
  it('records carry the scheduled rate, and each SGD step moves the weights by that rate times the gradient', async () => {
    const schedule: LrScheduleSpec = { kind: 'step', every: 2, factor: 0.5, warmup: 2 };
    const model: ModelSpec = {
      inputDim: 2, hidden: [4], activations: ['tanh'], outputDim: 1, outputActivation: 'sigmoid', loss: 'bce', init: 'xavier', gain: 1, initSeed: 3,
      optimizer: { kind: 'sgd', lr: 0.4, schedule },
    };
    const data = makeDataset({ dataset: 'xor', samples: 4, noise: 0, inputDim: 2, outputDim: 1, seed: 0 });
    const trainer = new Trainer(createCpuBackend({ dtype: 'f64' }), { models: [model], data, schedule: { batchSize: 0, steps: 7, logEvery: 1, batchSeed: 0, dtype: 'f64' } });
    const want = [0.2, 0.4, 0.4, 0.4, 0.2, 0.2, 0.1];
    for (let t = 0; t < 7; t++) {
      const [before] = await trainer.readParameters();
      const recs = (await trainer.stepOnce(true))!;
      const [g] = await trainer.readGradients();
      const [after] = await trainer.readParameters();
      expect(recs[0]!.lr, `step ${t}`).toBe(want[t]);
      const w0 = before!.weights[0]!;
      for (let i = 0; i < w0.length; i++) expect(after!.weights[0]![i]!).toBe(w0[i]! - want[t]! * g!.weights[0]![i]!);
    }
    const records: StepRecord[] = [];
    await trainer.run(1, (r) => records.push(r[0]!), 8);
    expect(records[0]!.lr).toBe(0.1);
  });
});

describe('the curve drawn beside the control', () => {
  it('spans the warm-up and the part of the schedule worth seeing, sampled from scheduledRate', () => {
    expect(scheduleHorizon(undefined)).toBe(10);
    expect(scheduleHorizon({ kind: 'constant', warmup: 50 })).toBe(100);
    expect(scheduleHorizon({ kind: 'cosine', steps: 1000, warmup: 100 })).toBe(1200);
    expect(scheduleHorizon({ kind: 'step', every: 30, factor: 0.5 })).toBe(120);
    // exponential: until the rate is 1 % of the base, ln 0.01 / ln 0.99 = 458.2 → 459 steps.
    expect(scheduleHorizon({ kind: 'exponential', factor: 0.99 })).toBe(459);
    expect(scheduleHorizon({ kind: 'cosine', steps: 1_000_000_000 })).toBe(1_000_000);
    const s: LrScheduleSpec = { kind: 'cosine', steps: 100, warmup: 10 };
    const curve = scheduleCurve(0.5, s, 5);
    expect(curve.map((p) => p.step)).toEqual([0, 30, 60, 89, 119]);
    curve.forEach((p) => expect(p.rate).toBe(scheduledRate(0.5, s, p.step)));
  });
});
