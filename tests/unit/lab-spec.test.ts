/** Lab spec: defaults match the deepStack presets, bad fields fall back to defaults and are named, reset scope. */
import { describe, expect, it } from 'vitest';
import { deepStack } from '../../src/core/presets.js';
import { parseLab } from '../../src/core/lab-parse.js';
import { DEFAULT_OPTIMIZER, defaultLab, modelSpec, builtinShape, resetScope, runLabel, scheduleSpec, dataSpec, nextRun, sgdLab } from '../../src/core/lab-spec.js';
import { parseExperiment } from '../../src/core/spec.js';

describe('defaultLab', () => {
  it('is the deep sigmoid (xavier) vs deep ReLU (he) comparison of the presets, both trained by Adam at 0.003', () => {
    const lab = defaultLab();
    expect(lab.runs.map((r) => [r.activation, r.init])).toEqual([['sigmoid', 'xavier'], ['relu', 'he']]);
    for (const [i, act] of (['sigmoid', 'relu'] as const).entries()) {
      const p = deepStack(act);
      const m = modelSpec(lab, lab.runs[i]!, builtinShape(lab));
      expect(m).toEqual({ ...p.model, optimizer: { kind: DEFAULT_OPTIMIZER.optimizer, lr: DEFAULT_OPTIMIZER.lr } });
      expect(modelSpec(sgdLab(), sgdLab().runs[i]!, builtinShape(lab))).toEqual(p.model);
      expect(dataSpec(lab)).toEqual(p.data);
      expect(scheduleSpec(lab).batchSize).toBe(p.schedule.batchSize);
      expect(parseExperiment({ model: m, data: dataSpec(lab), schedule: scheduleSpec(lab) }).ok).toBe(true);
    }
  });

  it('labels runs and proposes a new run with an unused activation and its standard init', () => {
    expect(runLabel({ activation: 'relu', init: 'he', gain: 2, lr: 0.01 })).toBe('relu · he · gain 2 · lr 0.01');
    expect(nextRun(defaultLab())).toEqual({ activation: 'tanh', init: 'xavier', gain: 1, lr: null, optimizer: 'adam' });
    expect(nextRun(sgdLab())).toEqual({ activation: 'tanh', init: 'xavier', gain: 1, lr: null });
  });
});

describe('parseLab', () => {
  it('accepts a valid lab unchanged and fills missing fields from the defaults', () => {
    const lab = { ...defaultLab(), depth: 5, width: 7, dataset: 'circle' as const, stop: { kind: 'loss' as const, value: 0.05 } };
    expect(parseLab(lab)).toEqual({ value: lab, issues: [] });
    expect(parseLab({ depth: 3 }).value).toEqual({ ...defaultLab(), depth: 3 });
  });

  it('replaces each bad field by its default and names field, value and what is allowed', () => {
    const r = parseLab({ depth: 500, width: 0, lr: -1, dataset: 'moons', noise: 'x', backend: 'gpu', speed: 1.5, hide: ['depth', 'nope'] });
    const d = defaultLab();
    expect(r.value).toEqual({ ...d, hide: d.hide });
    const byField = Object.fromEntries(r.issues.map((i) => [i.field, i]));
    expect(Object.keys(byField).sort()).toEqual(['backend', 'dataset', 'depth', 'hide', 'lr', 'noise', 'speed', 'width']);
    expect(byField['depth']).toEqual({ field: 'depth', value: 500, allowed: 'an integer from 1 to 200' });
    expect(byField['dataset']!.allowed).toContain('spiral');
    expect(byField['lr']!.allowed).toMatch(/above 0/);
    expect(byField['hide']!.value).toBe('nope');
  });

  it('validates each run and checks the batch against the data set size (via spec.parseExperiment)', () => {
    const r = parseLab({ runs: [{ activation: 'relu', init: 'bogus', gain: -2 }, { activation: 'swish' }], dataset: 'xor', batch: 10 });
    expect(r.value.runs).toEqual([{ activation: 'relu', init: 'he', gain: 1, lr: null }, { activation: 'relu', init: 'he', gain: 1, lr: null }]);
    expect(r.value.batch).toBe(0);
    expect(r.issues.map((i) => i.field).sort()).toEqual(['batch', 'runs[0].gain', 'runs[0].init', 'runs[1].activation']);
    expect(parseLab({ runs: [] }).issues[0]!.field).toBe('runs');
    expect(parseLab({ runs: Array(5).fill({ activation: 'relu' }) }).value.runs).toHaveLength(2);
  });

  it('rejects malformed stop conditions', () => {
    expect(parseLab({ stop: { kind: 'epochs', value: 0 } }).issues[0]!.field).toBe('stop');
    expect(parseLab({ stop: { kind: 'loss', value: 0 } }).issues).toHaveLength(1);
    expect(parseLab({ stop: { kind: 'epochs', value: 50 } }).value.stop).toEqual({ kind: 'epochs', value: 50 });
  });
});

describe('resetScope', () => {
  it('resets every run on a shared change and only the changed runs otherwise', () => {
    const a = defaultLab();
    expect(resetScope(a, { ...a, depth: 3 })).toEqual({ all: true, runs: [0, 1], why: ['depth'] });
    const b = { ...a, runs: [a.runs[0]!, { ...a.runs[1]!, gain: 2 }] };
    expect(resetScope(a, b)).toEqual({ all: false, runs: [1], why: ['gain'] });
    const c = { ...a, lr: 0.5, runs: [a.runs[0]!, { ...a.runs[1]!, lr: a.lr }] };
    expect(resetScope(a, c)).toEqual({ all: false, runs: [0], why: ['lr'] });
    expect(resetScope(a, { ...a, speed: 10, stop: { kind: 'epochs', value: 3 } }).runs).toEqual([]);
  });
});

describe('mitigation switches per run', () => {
  const base = sgdLab();
  const withRun1 = (patch: Record<string, unknown>) => parseLab({ ...base, runs: [base.runs[0]!, { ...base.runs[1]!, ...patch }] }, base);

  it('pass through to the model spec (optimizer with its hyperparameters, clip, σ_b, residual, norm)', () => {
    const r = withRun1({ optimizer: 'adam', beta1: 0.8, clip: { kind: 'norm', max: 1 }, biasStd: 0.1, residual: 2, norm: 'layer' });
    expect(r.issues).toEqual([]);
    const run = r.value.runs[1]!;
    expect(run).toEqual({ ...base.runs[1]!, optimizer: 'adam', beta1: 0.8, clip: { kind: 'norm', max: 1 }, biasStd: 0.1, residual: 2, norm: 'layer' });
    const m = modelSpec(r.value, run, builtinShape(r.value));
    expect(m.optimizer).toEqual({ kind: 'adam', lr: 0.1, beta1: 0.8 });
    expect(m.clip).toEqual({ kind: 'norm', max: 1 });
    expect([m.biasStd, m.residual, m.norm]).toEqual([0.1, 2, 'layer']);
    expect(parseExperiment({ model: m, data: dataSpec(r.value), schedule: scheduleSpec(r.value) }).ok).toBe(true);
    // The plain run's model has none of the fields (so a trainer without them sees the same spec as before).
    const plain = modelSpec(r.value, r.value.runs[0]!, builtinShape(r.value));
    expect(Object.keys(plain).filter((k) => ['clip', 'biasStd', 'residual', 'norm'].includes(k))).toEqual([]);
    expect(plain.optimizer).toEqual({ kind: 'sgd', lr: 0.1 });
    expect(runLabel(run)).toBe('relu · he · adam · clip norm 1 · σb 0.1 · residual every 2 · layer norm');
  });

  it('leaves defaults out (one canonical form) and drops hyperparameters of another optimizer with a notice', () => {
    const r = withRun1({ optimizer: 'sgd', momentum: undefined, clip: null, biasStd: 0, residual: 0, norm: 'none' });
    expect(r.issues).toEqual([]);
    expect(r.value.runs[1]).toEqual(base.runs[1]);
    expect(withRun1({ optimizer: 'momentum', momentum: 0.9 }).value.runs[1]).toEqual({ ...base.runs[1]!, optimizer: 'momentum' });
    const bad = withRun1({ optimizer: 'adam', momentum: 0.5 });
    expect(bad.value.runs[1]).toEqual({ ...base.runs[1]!, optimizer: 'adam' });
    expect(bad.issues).toHaveLength(1);
    expect(bad.issues[0]!.field).toBe('runs[1].momentum');
    expect(bad.issues[0]!.allowed).toMatch(/momentum, nesterov/);
  });

  it('names each bad switch with its value and keeps the default', () => {
    const r = withRun1({ optimizer: 'lion', clip: { kind: 'norm', max: -1 }, biasStd: 'x', residual: 2.5, norm: 'group' });
    expect(r.value.runs[1]).toEqual(base.runs[1]);
    const by = Object.fromEntries(r.issues.map((i) => [i.field, i]));
    expect(Object.keys(by).sort()).toEqual(['runs[1].biasStd', 'runs[1].clip', 'runs[1].norm', 'runs[1].optimizer', 'runs[1].residual']);
    expect(by['runs[1].optimizer']).toEqual({ field: 'runs[1].optimizer', value: 'lion', allowed: 'one of sgd, momentum, nesterov, rmsprop, adam' });
    expect(by['runs[1].clip']!.value).toBe('norm:-1');
    expect(by['runs[1].norm']!.allowed).toBe('one of none, batch, layer');
    expect(withRun1({ optimizer: 'adam', beta2: 1 }).issues[0]!.field).toBe('runs[1].beta2');
    expect(withRun1({ clip: { kind: 'spike', max: 1 } }).issues[0]!.field).toBe('runs[1].clip');
  });

  it('a changed switch resets only that run, and says which switch', () => {
    const b = parseLab({ ...base, runs: [base.runs[0]!, { ...base.runs[1]!, optimizer: 'adam', clip: { kind: 'value', max: 0.5 } }] }).value;
    expect(resetScope(base, b)).toEqual({ all: false, runs: [1], why: ['optimizer', 'clip'] });
    const c = { ...b, runs: [b.runs[0]!, { ...b.runs[1]!, clip: { kind: 'value' as const, max: 0.5 } }] };
    expect(resetScope(b, c).runs).toEqual([]);
    expect(resetScope(b, { ...c, runs: [{ ...c.runs[0]!, norm: 'batch' as const }, c.runs[1]!] })).toEqual({ all: false, runs: [0], why: ['norm'] });
  });
});

describe('switches that need the whole lab', () => {
  it('batch norm with one row per step is refused on the run (the lab keeps its batch)', () => {
    const base = defaultLab();
    const r = parseLab({ ...base, batch: 1, runs: [base.runs[0]!, { ...base.runs[1]!, norm: 'batch' }] });
    expect(r.value.batch).toBe(1);
    expect(r.value.runs[1]).toEqual(base.runs[1]);
    expect(r.issues.map((i) => i.field)).toEqual(['runs[1].norm']);
    expect(parseLab({ ...base, batch: 2, runs: [base.runs[0]!, { ...base.runs[1]!, norm: 'batch' }] }).issues).toEqual([]);
    expect(parseLab({ ...base, batch: 1, runs: [base.runs[0]!, { ...base.runs[1]!, norm: 'layer' }] }).issues).toEqual([]);
  });

  it('a bad switch typed in the app keeps the run’s current value', () => {
    const base = defaultLab();
    const current = parseLab({ ...base, runs: [base.runs[0]!, { ...base.runs[1]!, optimizer: 'momentum', momentum: 0.5, clip: { kind: 'norm', max: 1 }, residual: 2 }] }).value;
    const r = parseLab({ ...current, runs: [current.runs[0]!, { ...current.runs[1]!, momentum: 1.5, clip: { kind: 'norm', max: 'x' }, residual: -1 }] }, current);
    expect(r.value).toEqual(current);
    expect(r.issues.map((i) => i.field).sort()).toEqual(['runs[1].clip', 'runs[1].momentum', 'runs[1].residual']);
  });
});
