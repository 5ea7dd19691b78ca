// Property tests of the one place of validation (src/core/spec.ts): any input either parses to a valid spec or
// yields issues that each name a field, the value and what is allowed — it never throws; valid specs generated
// anywhere within LIMITS come back unchanged; near-valid specs with one hostile field are refused by that field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../../src/core/activations.js';
import { LOSS_INFO, LOSSES } from '../../src/core/losses.js';
import {
  CLIP_KINDS,
  DATASETS,
  DTYPES,
  INITS,
  LIMITS,
  OPTIMIZERS,
  datasetDims,
  describeValue,
  formatIssue,
  parseData,
  parseExperiment,
  parseModel,
  parseSchedule,
  type ExperimentSpec,
  type Parsed,
  type SpecIssue,
} from '../../src/core/spec.js';

/** Runs per property: enough to find a hole, small enough for a 2-core machine. */
const RUNS = 300;

/** Every issue names a field, carries the value and says what is allowed; its message is short and printable. */
function expectWellFormed(issues: readonly SpecIssue[]): void {
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(typeof issue.field).toBe('string');
    expect(issue.field.length).toBeGreaterThan(0);
    expect(Object.keys(issue)).toContain('value');
    expect(typeof issue.allowed).toBe('string');
    expect(issue.allowed.length).toBeGreaterThan(0);
    const line = formatIssue(issue);
    expect(line.startsWith(issue.field)).toBe(true);
    // A 100 kB string in the input must not become a 100 kB message.
    expect(describeValue(issue.value).length).toBeLessThanOrEqual(80);
  }
}

/** A parse result is either a value that parses again to itself, or well-formed issues. */
function expectSound<T>(r: Parsed<T>, reparse: (v: T) => Parsed<T>): void {
  if (r.ok) {
    const again = reparse(r.value);
    expect(again.ok).toBe(true);
    if (again.ok) expect(again.value).toEqual(r.value);
  } else {
    expectWellFormed(r.issues);
  }
}

/** Finite doubles in [min, max] (min excluded when `exclusive`). */
function finite(min: number, max: number, exclusive = false): fc.Arbitrary<number> {
  return fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: exclusive })
    .map((v) => (Object.is(v, -0) ? 0 : v));
}

/** Valid experiments anywhere within LIMITS (layer lists kept short so that a run stays fast). */
const validExperiment: fc.Arbitrary<ExperimentSpec> = fc
  .record({
    dataset: fc.constantFrom(...DATASETS),
    samples: fc.integer({ min: 1, max: LIMITS.maxSamples }),
    noise: finite(0, LIMITS.maxNoise),
    dataInputDim: fc.integer({ min: 1, max: LIMITS.maxDim }),
    dataOutputDim: fc.integer({ min: 1, max: LIMITS.maxDim }),
    seed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    hidden: fc.array(fc.integer({ min: 1, max: LIMITS.maxWidth }), { maxLength: 12 }),
    act: fc.constantFrom(...HIDDEN_ACTIVATIONS),
    loss: fc.constantFrom(...LOSSES),
    head: fc.nat(),
    init: fc.constantFrom(...INITS),
    gain: finite(0, LIMITS.maxGain),
    initSeed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    kind: fc.constantFrom(...OPTIMIZERS),
    lr: finite(0, LIMITS.maxLr, true),
    momentum: fc.option(finite(0, 0.999999), { nil: undefined }),
    beta1: fc.option(finite(0, 0.999999), { nil: undefined }),
    eps: fc.option(finite(0, 1, true), { nil: undefined }),
    clip: fc.option(fc.record({ kind: fc.constantFrom(...CLIP_KINDS), max: finite(0, 1e30, true) }), { nil: undefined }),
    batchFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    steps: fc.integer({ min: 0, max: LIMITS.maxSteps }),
    logEvery: fc.integer({ min: 1, max: LIMITS.maxSteps }),
    batchSeed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    dtype: fc.constantFrom(...DTYPES),
  })
  .map((g): ExperimentSpec => {
    const data = { dataset: g.dataset, samples: g.samples, noise: g.noise, inputDim: g.dataInputDim, outputDim: g.dataOutputDim, seed: g.seed };
    const dims = datasetDims(data);
    // softmax needs two outputs or more; only the random data set can have them.
    const loss = g.loss === 'softmax_ce' && dims.outputDim < 2 ? 'mse' : g.loss;
    const outs = LOSS_INFO[loss].outputs;
    const optimizer = {
      kind: g.kind,
      lr: g.lr,
      ...(g.momentum === undefined ? {} : { momentum: g.momentum }),
      ...(g.beta1 === undefined ? {} : { beta1: g.beta1 }),
      ...(g.eps === undefined ? {} : { eps: g.eps }),
    };
    const model = {
      inputDim: dims.inputDim,
      hidden: g.hidden,
      activations: g.hidden.map(() => g.act),
      outputDim: dims.outputDim,
      outputActivation: outs[g.head % outs.length]!,
      loss,
      init: g.init,
      gain: g.gain,
      initSeed: g.initSeed,
      optimizer,
      ...(g.clip ? { clip: g.clip } : {}),
    };
    const batchSize = Math.floor(g.batchFraction * dims.samples);
    return { model, data, schedule: { batchSize, steps: g.steps, logEvery: g.logEvery, batchSeed: g.batchSeed, dtype: g.dtype } };
  });

/** Values that break a field: wrong types, NaN, ±Infinity, signs, zero, huge, fractional, over-long text. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1e309, -1e309, 1e300, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE,
    '', ' ', '1', 'NaN', 'Infinity', '<script>alert(1)</script>', 'javascript:alert(1)', 'x'.repeat(100_000),
    null, undefined, true, false, [], {}, [1, 2], { kind: 'sgd' }, Symbol('s'), () => 1, 10n, new Date(0), Object.create(null),
  ),
  fc.anything(),
);

/** Paths of every leaf (and object) of a spec, e.g. ['model', 'hidden', 2]. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const here = prefix.length ? [prefix] : [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [...here, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** A deep copy of `spec` with the value at `path` replaced (or a field added where the path is new). */
function mutate(spec: ExperimentSpec, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(spec) as unknown as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

/** The spec field name of a path: ['model', 'hidden', 2] → 'model.hidden[2]'. */
function fieldName(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

describe('spec parsers on any input', () => {
  it('parseExperiment never throws on fc.anything(); it returns a spec that re-parses to itself, or well-formed issues', () => {
    fc.assert(
      fc.property(fc.anything({ withSparseArray: true, withBoxedValues: true, withMap: true, withSet: true }), (input) => {
        expectSound(parseExperiment(input), parseExperiment);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseExperiment never throws on exotic JavaScript values either (BigInt, null prototypes, typed arrays)', () => {
    const exotic = fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withObjectString: true });
    fc.assert(
      fc.property(exotic, exotic, (model, data) => {
        const r = parseExperiment({ model, data, schedule: model });
        if (!r.ok) for (const i of r.issues) expect(typeof i.field).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('parseModel, parseData and parseSchedule never throw on records of anything under their own field names', () => {
    const anyFields = (keys: readonly string[]) => fc.dictionary(fc.constantFrom(...keys), fc.oneof(hostileValue, fc.anything()), { maxKeys: keys.length });
    const modelKeys = ['inputDim', 'hidden', 'activations', 'outputDim', 'outputActivation', 'loss', 'init', 'gain', 'initSeed', 'optimizer', 'clip'];
    fc.assert(fc.property(anyFields(modelKeys), (m) => expectSound(parseModel(m), (v) => parseModel(v))), { numRuns: RUNS });
    const dataKeys = ['dataset', 'samples', 'noise', 'inputDim', 'outputDim', 'seed'];
    fc.assert(fc.property(anyFields(dataKeys), (d) => expectSound(parseData(d), (v) => parseData(v))), { numRuns: RUNS });
    const schedKeys = ['batchSize', 'steps', 'logEvery', 'batchSeed', 'dtype'];
    fc.assert(fc.property(anyFields(schedKeys), (s) => expectSound(parseSchedule(s), (v) => parseSchedule(v))), { numRuns: RUNS });
  });

  it('valid specs generated within LIMITS parse unchanged', () => {
    fc.assert(
      fc.property(validExperiment, (spec) => {
        const r = parseExperiment(spec);
        if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
        expect(r.value).toEqual(spec);
      }),
      { numRuns: RUNS },
    );
  });

  it('a valid spec with one hostile field is refused by that field (or by the field it must agree with), or still valid', () => {
    const mutated = validExperiment.chain((spec) =>
      fc.record({ spec: fc.constant(spec), path: fc.constantFrom(...paths(spec)), value: hostileValue }),
    );
    fc.assert(
      fc.property(mutated, ({ spec, path, value }) => {
        const input = mutate(spec, path, value);
        const r = parseExperiment(input);
        expectSound(r, parseExperiment);
        if (!r.ok) {
          // Some issue is about the mutated part of the spec: the field itself, a parent or child of it, in the same
          // section, or the field it must agree with in another section (fewer samples than the batch: batchSize).
          const name = fieldName(path);
          const section = String(path[0]);
          const partner = name === 'data.samples' ? 'schedule.batchSize' : null;
          expect(r.issues.some((i) => i.field === name || i.field.startsWith(name) || name.startsWith(i.field) || i.field.startsWith(section) || i.field.startsWith('model.') || i.field === partner), `${name} → ${r.issues.map(formatIssue).join('; ')}`).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it.each<[string, (s: Record<string, any>) => void, string]>([
    ['NaN learning rate', (s) => (s.model.optimizer.lr = NaN), 'model.optimizer.lr'],
    ['+Infinity learning rate', (s) => (s.model.optimizer.lr = Infinity), 'model.optimizer.lr'],
    ['-Infinity gain', (s) => (s.model.gain = -Infinity), 'model.gain'],
    ['-0 learning rate', (s) => (s.model.optimizer.lr = -0), 'model.optimizer.lr'],
    ['zero width', (s) => (s.model.hidden = [0]), 'model.hidden[0]'],
    ['negative width', (s) => (s.model.hidden = [-3]), 'model.hidden[0]'],
    ['huge width', (s) => (s.model.hidden = [1e12]), 'model.hidden[0]'],
    ['fractional width', (s) => (s.model.hidden = [2.5]), 'model.hidden[0]'],
    ['width as a string', (s) => (s.model.hidden = ['2']), 'model.hidden[0]'],
    ['depth over the limit', (s) => {
      s.model.hidden = Array(LIMITS.maxDepth + 1).fill(2);
      s.model.activations = Array(LIMITS.maxDepth + 1).fill('relu');
    }, 'model.hidden'],
    ['unknown activation', (s) => {
      s.model.hidden = [4];
      s.model.activations = ['swish'];
    }, 'model.activations[0]'],
    ['unknown optimizer', (s) => (s.model.optimizer.kind = 'lion'), 'model.optimizer.kind'],
    ['unknown optimizer field', (s) => (s.model.optimizer.lrr = 0.1), 'model.optimizer.lrr'],
    ['over-long data set name', (s) => (s.data.dataset = 'x'.repeat(100_000)), 'data.dataset'],
    ['negative samples', (s) => (s.data.samples = -5), 'data.samples'],
    ['samples over the limit', (s) => (s.data.samples = LIMITS.maxSamples + 1), 'data.samples'],
    ['steps 1e309', (s) => (s.schedule.steps = 1e309), 'schedule.steps'],
    ['steps as a string', (s) => (s.schedule.steps = '100'), 'schedule.steps'],
    ['a schedule that is an array', (s) => (s.schedule = [1, 2]), 'schedule'],
    ['a model that is null', (s) => (s.model = null), 'model'],
    ['clip that is a number', (s) => (s.model.clip = 5), 'model.clip'],
    ['clip max 0', (s) => (s.model.clip = { kind: 'norm', max: 0 }), 'model.clip.max'],
  ])('refuses %s, naming %s', (_, change, field) => {
    const s = structuredClone(validSample()) as Record<string, any>;
    change(s);
    const r = parseExperiment(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expectWellFormed(r.issues);
    expect(r.issues.map((i) => i.field)).toContain(field);
  });
});

/** One fixed valid spec for the table of hostile single fields. */
function validSample(): ExperimentSpec {
  return fc.sample(validExperiment, { numRuns: 1, seed: 42 })[0]!;
}
