/** Lab spec: defaults match the deepStack presets, bad fields fall back to defaults and are named, reset scope. */
import { describe, expect, it } from 'vitest';
import { deepStack } from '../../src/core/presets.js';
import { defaultLab, modelSpec, builtinShape, parseLab, resetScope, runLabel, scheduleSpec, dataSpec, nextRun } from '../../src/core/lab-spec.js';
import { parseExperiment } from '../../src/core/spec.js';

describe('defaultLab', () => {
  it('is the deep sigmoid (xavier) vs deep ReLU (he) comparison of the presets', () => {
    const lab = defaultLab();
    expect(lab.runs.map((r) => [r.activation, r.init])).toEqual([['sigmoid', 'xavier'], ['relu', 'he']]);
    for (const [i, act] of (['sigmoid', 'relu'] as const).entries()) {
      const p = deepStack(act);
      const m = modelSpec(lab, lab.runs[i]!, builtinShape(lab));
      expect(m).toEqual(p.model);
      expect(dataSpec(lab)).toEqual(p.data);
      expect(scheduleSpec(lab).batchSize).toBe(p.schedule.batchSize);
      expect(parseExperiment({ model: m, data: dataSpec(lab), schedule: scheduleSpec(lab) }).ok).toBe(true);
    }
  });

  it('labels runs and proposes a new run with an unused activation and its standard init', () => {
    expect(runLabel({ activation: 'relu', init: 'he', gain: 2, lr: 0.01 })).toBe('relu · he · gain 2 · lr 0.01');
    expect(nextRun(defaultLab())).toEqual({ activation: 'tanh', init: 'xavier', gain: 1, lr: null });
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
    const c = { ...a, lr: 0.5, runs: [a.runs[0]!, { ...a.runs[1]!, lr: 0.1 }] };
    expect(resetScope(a, c)).toEqual({ all: false, runs: [0], why: ['lr'] });
    expect(resetScope(a, { ...a, speed: 10, stop: { kind: 'epochs', value: 3 } }).runs).toEqual([]);
  });
});
