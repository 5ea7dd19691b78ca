/**
 * Dropout, weight decay and learning-rate schedules through the one spec: the URL (`drop`, `wd`, `sched`, `warmup`)
 * round-trips every valid value and names every bad one; the lab's runs become model specs with them (the dropout
 * mask seed included, which the trainer's masks follow); and the CLI
 * flags build the same spec and refuse bad values under the flag's name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRAIN_FLAGS, parseFlags, trainOptions } from '../../src/cli/args.js';
import { parseLab } from '../../src/core/lab-parse.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, defaultLab, mitigationLabel, modelSpec, resetScope, scheduleSpec, type LabSpec, type RunSpec } from '../../src/core/lab-spec.js';
import { Trainer } from '../../src/train/trainer.js';
import type { LrScheduleSpec } from '../../src/core/lr-schedule.js';
import { formatIssue } from '../../src/core/spec.js';
import { controlField, decodeLab, encodeLab } from '../../src/core/url-codec.js';

const scheduleArb: fc.Arbitrary<LrScheduleSpec> = fc
  .tuple(
    fc.oneof(
      fc.record({ kind: fc.constant('constant' as const) }),
      fc.record({ kind: fc.constant('step' as const), every: fc.integer({ min: 1, max: 100000 }), factor: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('exponential' as const), factor: fc.double({ min: 0.5, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('cosine' as const), steps: fc.integer({ min: 1, max: 100000 }), floor: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
    ),
    fc.integer({ min: 0, max: 1000 }),
  )
  .map(([s, warmup]) => {
    const out: Record<string, unknown> = { ...s };
    if (s.kind === 'cosine' && s.floor === 0) delete out.floor;
    if (warmup > 0) out.warmup = warmup;
    return out as unknown as LrScheduleSpec;
  })
  .filter((s) => s.kind !== 'constant' || (s.warmup ?? 0) > 0);

const regArb = fc
  .record(
    {
      dropout: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      dropoutSeed: fc.integer({ min: 0, max: 4294967295 }),
      weightDecay: fc.record({ kind: fc.constantFrom('coupled' as const, 'decoupled' as const), lambda: fc.double({ min: 1e-6, max: 10, noNaN: true }) }),
      schedule: scheduleArb,
    },
    // A mask seed is kept with dropout off too (it acts only with dropout).
    { requiredKeys: [] },
  );

describe('URL: drop, dropSeed, wd, sched and warmup', () => {
  it('every valid combination per run survives encode → decode unchanged, with no notice', () => {
    fc.assert(
      fc.property(fc.array(regArb, { minLength: 1, maxLength: 4 }), (regs) => {
        const base = defaultLab();
        const runs: RunSpec[] = regs.map((r, i) => ({ ...base.runs[i % 2]!, ...r }));
        const lab: LabSpec = { ...base, runs };
        const back = decodeLab(encodeLab(lab));
        expect(back.issues.map(formatIssue)).toEqual([]);
        expect(back.value.runs).toEqual(runs);
      }),
      { numRuns: 200 },
    );
  });

  it('reads the text forms', () => {
    const r = decodeLab(new URLSearchParams('act=relu,tanh&drop=0.5,0&dropSeed=7,&wd=0.001,decoupled:0.1&sched=cosine:500,exp:0.99&warmup=50,0'));
    expect(r.issues).toEqual([]);
    expect(r.value.runs[0]).toMatchObject({ dropout: 0.5, dropoutSeed: 7, weightDecay: { kind: 'coupled', lambda: 0.001 }, schedule: { kind: 'cosine', steps: 500, warmup: 50 } });
    expect(r.value.runs[1]).toMatchObject({ weightDecay: { kind: 'decoupled', lambda: 0.1 }, schedule: { kind: 'exponential', factor: 0.99 } });
    expect(r.value.runs[1]!.dropout).toBeUndefined();
    const m = modelSpec(r.value, r.value.runs[0]!, builtinShape(r.value));
    expect(m.dropout).toBe(0.5);
    expect(m.dropoutSeed).toBe(7);
    expect(r.value.runs[1]!.dropoutSeed).toBeUndefined();
    expect(m.optimizer).toMatchObject({ weightDecay: { kind: 'coupled', lambda: 0.001 }, schedule: { kind: 'cosine', steps: 500, warmup: 50 } });
    expect(mitigationLabel(r.value.runs[0]!)).toBe('dropout 0.5 (mask seed 7) · weight decay 0.001 · lr cosine:500 after 50 warm-up steps');
  });

  it.each([
    ['drop=1,0', 'drop (run 1): 1 is not allowed; expected a dropout rate from 0 up to (not including) 1'],
    ['drop=-0.2,0', 'drop (run 1): -0.2 is not allowed; expected a dropout rate from 0 up to (not including) 1'],
    ['wd=-0.01,0', 'wd (run 1): "-0.01" is not allowed; expected a finite number from 0 to 10'],
    ['wd=l1:0.1,0', 'wd (run 1): "l1:0.1" is not allowed; expected one of coupled, decoupled'],
    ['wd=lots,0', 'wd (run 1): "lots" is not allowed; expected none, a decay λ ≥ 0, or coupled:λ or decoupled:λ'],
    ['sched=cosine,constant', 'sched (run 1): "cosine" is not allowed; expected constant, step:EVERY:FACTOR'],
    ['sched=cosine:0,constant', 'sched (run 1): "cosine:0" is not allowed; expected steps: an integer from 1'],
    ['sched=exp:1.5,constant', 'sched (run 1): "exp:1.5" is not allowed; expected factor: a finite number above 0 and at most 1'],
    ['warmup=-3,0', 'warmup (run 1): -3 is not allowed; expected a whole number of warm-up steps'],
  ])('%s → a notice naming the parameter, and the run keeps its default', (query, message) => {
    const r = decodeLab(new URLSearchParams(`act=sigmoid,relu&${query}`));
    expect(r.issues.map(formatIssue).join('\n')).toContain(message);
    expect(r.value.runs[0]!.dropout).toBeUndefined();
    expect(r.value.runs[0]!.weightDecay).toBeUndefined();
    expect(r.value.runs[0]!.schedule).toBeUndefined();
  });

  it.each([
    ['-1', 'dropSeed (run 1): -1 is not allowed; expected an integer from 0 to 4294967295'],
    ['1.5', 'dropSeed (run 1): 1.5 is not allowed; expected an integer from 0 to 4294967295'],
    ['seven', 'dropSeed (run 1): "seven" is not allowed; expected an integer from 0 to 4294967295'],
  ])('dropSeed=%s → a notice naming the parameter; the run keeps its dropout and the weights seed for its masks', (seed, message) => {
    const r = decodeLab(new URLSearchParams(`act=sigmoid,relu&drop=0.5,0&dropSeed=${seed},`));
    expect(r.issues.map(formatIssue)).toEqual([message]);
    expect(r.value.runs[0]!.dropout).toBe(0.5);
    expect(r.value.runs[0]!.dropoutSeed).toBeUndefined();
  });
});

describe('lab changes from the controls', () => {
  it('an object schedule with its warm-up is kept; a change of it resets only that run', () => {
    const lab = defaultLab();
    const runs = [{ ...lab.runs[0]!, schedule: { kind: 'step', every: 100, factor: 0.5, warmup: 10 } }, lab.runs[1]!];
    const r = parseLab({ ...lab, runs }, lab);
    expect(r.issues).toEqual([]);
    expect(r.value.runs[0]!.schedule).toEqual({ kind: 'step', every: 100, factor: 0.5, warmup: 10 });
    expect(resetScope(lab, r.value)).toEqual({ all: false, runs: [0], why: ['schedule'] });
    const again = parseLab({ ...r.value, runs: [{ ...r.value.runs[0]!, schedule: { kind: 'step', every: 100, factor: 0.25, warmup: 10 } }, lab.runs[1]!] }, r.value);
    expect(resetScope(r.value, again.value).runs).toEqual([0]);
  });

  it('a bad value names the run field for the page', () => {
    const lab = defaultLab();
    const r = parseLab({ ...lab, runs: [{ ...lab.runs[0]!, schedule: { kind: 'cosine' } }, lab.runs[1]!] }, lab);
    expect(r.issues.map((i) => `${controlField(i.field)}: ${formatIssue({ ...i, field: '' })}`)[0]).toMatch(/^Run 1's learning-rate schedule \(sched\): .*steps: a value: a cosine schedule needs steps \(a schedule must end\)/);
    expect(r.value.runs[0]!.schedule).toBeUndefined();
  });

  it('constant without warm-up, zero decay and zero dropout are the defaults and left out; a mask seed stays for when dropout comes back', () => {
    const lab = defaultLab();
    const r = parseLab({ ...lab, runs: [{ ...lab.runs[0]!, schedule: { kind: 'constant' }, dropout: 0, dropoutSeed: 5, weightDecay: { kind: 'coupled', lambda: 0 } }, lab.runs[1]!] }, lab);
    expect(r.issues).toEqual([]);
    expect(r.value.runs[0]).toEqual({ ...lab.runs[0], dropoutSeed: 5 });
    // It acts only with dropout: not in the model, not in the label.
    expect(modelSpec(r.value, r.value.runs[0]!, builtinShape(r.value)).dropoutSeed).toBeUndefined();
    expect(mitigationLabel(r.value.runs[0]!)).toBe(mitigationLabel(lab.runs[0]!));
    const back = parseLab({ ...r.value, runs: [{ ...r.value.runs[0]!, dropout: 0.2 }, lab.runs[1]!] }, r.value).value;
    expect(modelSpec(back, back.runs[0]!, builtinShape(back)).dropoutSeed).toBe(5);
  });

  it('a new dropout mask seed resets only its run; without one the masks follow the weights seed', () => {
    const lab = defaultLab();
    const dropped = parseLab({ ...lab, runs: [{ ...lab.runs[0]!, dropout: 0.3 }, lab.runs[1]!] }, lab).value;
    expect(modelSpec(dropped, dropped.runs[0]!, builtinShape(dropped)).dropoutSeed).toBeUndefined();
    const seeded = parseLab({ ...dropped, runs: [{ ...dropped.runs[0]!, dropoutSeed: 11 }, dropped.runs[1]!] }, dropped);
    expect(seeded.issues).toEqual([]);
    expect(resetScope(dropped, seeded.value)).toEqual({ all: false, runs: [0], why: ['dropoutSeed'] });
    expect(modelSpec(seeded.value, seeded.value.runs[0]!, builtinShape(seeded.value)).dropoutSeed).toBe(11);
    expect(controlField('runs[0].dropoutSeed')).toBe("Run 1's dropout mask seed (dropSeed)");
  });

  it('the lab trains with the run’s mask seed: the weights seed by default, other units dropped with another', async () => {
    const lab: LabSpec = { ...defaultLab(), depth: 3, width: 8, samples: 40, initSeed: 4 };
    const losses = async (run: RunSpec) => {
      const backend = createCpuBackend({ dtype: 'f64', threads: 1 });
      const trainer = new Trainer(backend, { models: [modelSpec(lab, run, builtinShape(lab))], data: makeDataset(dataSpec(lab)), schedule: scheduleSpec(lab) });
      const out: number[] = [];
      for (let s = 0; s < 3; s++) out.push((await trainer.stepOnce(true))![0]!.loss);
      trainer.dispose();
      return out;
    };
    const run: RunSpec = { ...lab.runs[1]!, dropout: 0.5 };
    const byDefault = await losses(run);
    expect(await losses({ ...run, dropoutSeed: 4 })).toEqual(byDefault);
    const other = await losses({ ...run, dropoutSeed: 5 });
    expect(other[0]).not.toBe(byDefault[0]);
  });
});

describe('CLI flags', () => {
  const spec = (...args: string[]) => trainOptions(parseFlags(args, TRAIN_FLAGS)).spec;
  it('build the same model spec', () => {
    const s = spec('--dataset', 'spiral', '--layers', '8,8', '--optimizer', 'adam', '--dropout', '0.25', '--dropout-seed', '9', '--decoupled-weight-decay', '0.05', '--lr-schedule', 'cosine:300:0.1', '--lr-warmup', '30');
    expect(s.model.dropout).toBe(0.25);
    expect(s.model.dropoutSeed).toBe(9);
    expect(s.model.optimizer.weightDecay).toEqual({ kind: 'decoupled', lambda: 0.05 });
    expect(s.model.optimizer.schedule).toEqual({ kind: 'cosine', steps: 300, floor: 0.1, warmup: 30 });
    expect(spec('--lr-warmup', '5').model.optimizer.schedule).toEqual({ kind: 'constant', warmup: 5 });
    expect(spec('--weight-decay', '0.01').model.optimizer.weightDecay).toEqual({ kind: 'coupled', lambda: 0.01 });
    expect(spec('--lr-schedule', 'step:10:0.5').model.optimizer.schedule).toEqual({ kind: 'step', every: 10, factor: 0.5 });
  });
  it.each([
    [['--dropout', '1'], /^--dropout: model\.dropout: 1 is not allowed; expected a dropout rate from 0 up to \(not including\) 1$/],
    [['--dropout', 'half'], /^--dropout: "half" is not allowed; expected a dropout rate/],
    [['--weight-decay', '-0.1'], /^--weight-decay \/ --decoupled-weight-decay: model\.optimizer\.weightDecay\.lambda: -0\.1 is not allowed; expected a finite number from 0 to 10$/],
    [['--weight-decay', '0.1', '--decoupled-weight-decay', '0.1'], /^give --weight-decay or --decoupled-weight-decay, not both$/],
    [['--lr-schedule', 'cosine'], /^--lr-schedule: "cosine" is not allowed; expected constant, step:EVERY:FACTOR/],
    [['--lr-schedule', 'cosine:0'], /^--lr-schedule: model\.optimizer\.schedule\.steps: 0 is not allowed; expected an integer from 1/],
    [['--lr-schedule', 'step:10:2'], /^--lr-schedule: model\.optimizer\.schedule\.factor: 2 is not allowed; expected a finite number above 0 and at most 1$/],
    [['--lr-warmup', '-1'], /^--lr-warmup: model\.optimizer\.schedule\.warmup: -1 is not allowed; expected an integer from 0/],
    [['--dropout-seed', '-4'], /^--dropout-seed: model\.dropoutSeed: -4 is not allowed/],
  ])('%j is refused by name', (args, message) => {
    expect(() => spec(...args)).toThrow(message);
  });
});
