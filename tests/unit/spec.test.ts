// The experiment spec parser: valid specs pass unchanged, every bad field is named with its value and the
// allowed range, and the hidden-layer syntax round-trips.
import { describe, expect, it } from 'vitest';
import { preset, PRESETS } from '../../src/core/presets.js';
import { formatIssue, formatLayers, parseExperiment, parseLayers, residualSources, type SpecIssue } from '../../src/core/spec.js';

function issuesOf(mutate: (s: Record<string, any>) => void): SpecIssue[] {
  const s = structuredClone(preset('xor-classic')) as Record<string, any>;
  mutate(s);
  const r = parseExperiment(s);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return [...r.issues];
}

describe('parseExperiment', () => {
  it.each(PRESETS)('accepts preset %s unchanged', (name) => {
    const r = parseExperiment(preset(name));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(preset(name));
  });

  it.each([
    ['model.optimizer.lr', (s: any) => (s.model.optimizer.lr = NaN), 'NaN'],
    ['model.optimizer.lr', (s: any) => (s.model.optimizer.lr = -1), '-1'],
    ['model.optimizer.lr', (s: any) => (s.model.optimizer.lr = Infinity), 'Infinity'],
    ['model.hidden[0]', (s: any) => (s.model.hidden = [0]), '0'],
    ['model.hidden[0]', (s: any) => (s.model.hidden = [1e9]), '1000000000'],
    ['model.hidden[0]', (s: any) => (s.model.hidden = ['2']), '"2"'],
    ['model.activations[0]', (s: any) => (s.model.activations = ['swish']), '"swish"'],
    ['model.init', (s: any) => (s.model.init = 'zeros'), '"zeros"'],
    ['model.loss', (s: any) => (s.model.loss = 'hinge'), '"hinge"'],
    ['model.gain', (s: any) => (s.model.gain = -0.5), '-0.5'],
    ['model.initSeed', (s: any) => (s.model.initSeed = 2 ** 32), '4294967296'],
    ['data.dataset', (s: any) => (s.data.dataset = 'mnist'), '"mnist"'],
    ['schedule.steps', (s: any) => (s.schedule.steps = 1.5), '1.5'],
    ['schedule.dtype', (s: any) => (s.schedule.dtype = 'f16'), '"f16"'],
    ['schedule.batchSize', (s: any) => (s.schedule.batchSize = 5), '5'],
    // A misspelt field is reported, not silently ignored.
    ['model.learningRate', (s: any) => (s.model.learningRate = 0.5), '0.5'],
    ['data.sample', (s: any) => (s.data.sample = 10), '10'],
    ['schedule.log_every', (s: any) => (s.schedule.log_every = 10), '10'],
    ['experiment.modle', (s: any) => (s.modle = {}), '{}'],
    // A hole in a sparse list is reported at its index.
    ['model.hidden[1]', (s: any) => ((s.model.hidden = [2, , 2]), (s.model.activations = ['sigmoid', 'sigmoid', 'sigmoid'])), 'nothing'],
  ])('names %s and the bad value', (field, mutate, shown) => {
    const issues = issuesOf(mutate);
    const issue = issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    const msg = formatIssue(issue!);
    expect(msg.startsWith(`${field}: ${shown} is not allowed; expected `)).toBe(true);
    expect(msg.length).toBeGreaterThan(`${field}: ${shown} is not allowed; expected `.length);
  });

  it('rejects a loss that does not fit the output activation', () => {
    const issues = issuesOf((s) => (s.model.loss = 'softmax_ce'));
    expect(issues.map((i) => i.field)).toEqual(['model.outputActivation']);
    expect(issues[0]!.allowed).toContain('softmax');
  });

  it('rejects a model whose dimensions do not match the data', () => {
    const issues = issuesOf((s) => (s.model.inputDim = 3));
    expect(issues.map((i) => i.field)).toEqual(['model.inputDim']);
  });

  it('rejects non-objects and missing sections', () => {
    expect(parseExperiment(null).ok).toBe(false);
    const r = parseExperiment({ model: {}, data: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.some((i) => i.field === 'schedule')).toBe(true);
  });
});

describe('hidden-layer syntax', () => {
  it.each([
    ['2', [2]],
    ['16,16', [16, 16]],
    ['256x20', Array(20).fill(256)],
    ['64x2,10', [64, 64, 10]],
    ['', []],
  ])('parses %j', (text, widths) => {
    expect(parseLayers(text)).toEqual(widths);
  });

  it.each(['a', '2,,3', '-1', '3x', 'x3', '2x100000'])('rejects %j', (text) => {
    expect(parseLayers(text)).toBeNull();
  });

  it('formats back to the compact form', () => {
    for (const w of [[2], [256, 256, 256], [64, 64, 10], [8, 16, 8]]) expect(parseLayers(formatLayers(w))).toEqual(w);
    expect(formatLayers(Array(20).fill(256))).toBe('256x20');
  });
});

describe('normalisation, residual connections and bias std', () => {
  it('accepts them and keeps them', () => {
    const s = structuredClone(preset('xor-classic'));
    const model = { ...s.model, norm: 'layer' as const, residual: 2, biasStd: 0.5 };
    const r = parseExperiment({ ...s, model });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.model).toEqual(model);
  });

  it.each([
    ['model.norm', (s: any) => (s.model.norm = 'group'), '"group"', 'none, batch, layer'],
    ['model.norm', (s: any) => (s.model.norm = 1), '1', 'none, batch, layer'],
    ['model.residual', (s: any) => (s.model.residual = 201), '201', '200'],
    ['model.residual', (s: any) => (s.model.residual = -1), '-1', '200'],
    ['model.residual', (s: any) => (s.model.residual = 1.5), '1.5', '200'],
    ['model.biasStd', (s: any) => (s.model.biasStd = -0.1), '-0.1', '1000'],
    ['model.biasStd', (s: any) => (s.model.biasStd = NaN), 'NaN', '1000'],
    ['model.biasStd', (s: any) => (s.model.biasStd = Infinity), 'Infinity', '1000'],
    ['model.biasStd', (s: any) => (s.model.biasStd = 1e4), '10000', '1000'],
  ])('names %s, the bad value and what is allowed', (field, mutate, shown, allowed) => {
    const issues = issuesOf(mutate);
    expect(issues.map((i) => i.field)).toEqual([field]);
    const msg = formatIssue(issues[0]!);
    expect(msg.startsWith(`${field}: ${shown} is not allowed; expected `)).toBe(true);
    expect(msg).toContain(allowed);
  });

  it('refuses batch norm on steps of one row, not layer norm', () => {
    const oneRow = (norm: string) => (s: any) => {
      s.model.norm = norm;
      s.schedule.batchSize = 1;
    };
    const issues = issuesOf(oneRow('batch'));
    expect(issues.map((i) => i.field)).toEqual(['schedule.batchSize']);
    expect(formatIssue(issues[0]!)).toContain('batch norm');
    const s = structuredClone(preset('xor-classic')) as any;
    oneRow('layer')(s);
    expect(parseExperiment(s).ok).toBe(true);
    s.model.norm = 'batch';
    s.schedule.batchSize = 2;
    expect(parseExperiment(s).ok).toBe(true);
  });

  it('places residual connections every k hidden layers where the widths match', () => {
    expect(residualSources({ hidden: [4, 4, 4, 4] })).toEqual([-1, -1, -1, -1]);
    expect(residualSources({ hidden: [4, 4, 4, 4], residual: 0 })).toEqual([-1, -1, -1, -1]);
    expect(residualSources({ hidden: [4, 4, 4, 4], residual: 1 })).toEqual([-1, 0, 1, 2]);
    expect(residualSources({ hidden: [4, 4, 4, 4, 4], residual: 2 })).toEqual([-1, -1, 0, -1, 2]);
    expect(residualSources({ hidden: [4, 8, 8, 4, 4], residual: 1 })).toEqual([-1, -1, 1, -1, 3]);
    expect(residualSources({ hidden: Array(20).fill(32), residual: 3 }).filter((v) => v >= 0)).toEqual([0, 3, 6, 9, 12, 15]);
    expect(residualSources({ hidden: [4, 4], residual: 5 })).toEqual([-1, -1]);
  });
});
