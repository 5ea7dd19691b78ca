// Per-layer activations (`sigmoid×10,relu×10`): the spec's parser and formatter, the lab's runs (parseLab), the URL
// codec's round trip, the CLI's --activation, the model a run stands for, and the field-named errors of each.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRAIN_FLAGS, parseFlags, trainOptions } from '../../src/cli/args.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../../src/core/activations.js';
import { parseLab } from '../../src/core/lab-parse.js';
import { builtinShape, defaultLab, modelSpec, resetScope, runLabel, type LabSpec } from '../../src/core/lab-spec.js';
import { formatActivationList, parseActivationList, rescaleActivations } from '../../src/core/spec.js';
import { decodeLab, encodeLab } from '../../src/core/url-codec.js';

const ten = (a: HiddenActivation) => Array<HiddenActivation>(10).fill(a);

describe('parseActivationList / formatActivationList', () => {
  it('reads ×, * and a bare name, with , + ; or spaces between segments', () => {
    const want = [...ten('sigmoid'), ...ten('relu')];
    for (const text of ['sigmoid×10,relu×10', 'sigmoid*10,relu*10', 'sigmoid*10+relu*10', 'sigmoid*10 relu*10', ' sigmoid×10; relu×10 ']) {
      expect(parseActivationList(text, 20), text).toEqual(want);
    }
    expect(parseActivationList('relu', 3)).toEqual(['relu', 'relu', 'relu']);
    expect(parseActivationList('relu*2,sigmoid,relu*2', 5)).toEqual(['relu', 'relu', 'sigmoid', 'relu', 'relu']);
  });

  it('refuses unknown names, bad counts and counts that do not add up to the depth', () => {
    for (const text of ['swish', 'relu*10,swish*10', 'relu*0,sigmoid*20', 'relu*9,sigmoid*10', 'relu*11,sigmoid*10', 'relu×', 'relu*1.5', '', 'relu,,', 'RELU']) {
      expect(parseActivationList(text, 20), text).toBeNull();
    }
  });

  it('formats compactly and round-trips any list', () => {
    expect(formatActivationList([...ten('sigmoid'), ...ten('relu')])).toBe('sigmoid×10,relu×10');
    expect(formatActivationList([...ten('sigmoid'), 'relu'], true)).toBe('sigmoid*10,relu');
    expect(formatActivationList(ten('gelu'))).toBe('gelu');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HIDDEN_ACTIVATIONS), { minLength: 1, maxLength: 40 }), fc.boolean(), (list, ascii) => {
        expect(parseActivationList(formatActivationList(list, ascii), list.length)).toEqual(list);
      }),
    );
  });
});

/** The default lab at depth 20 with run 0's activation given as `text`. */
function lab20(text: unknown): { lab: LabSpec; issues: readonly { field: string; value: unknown; allowed: string }[] } {
  const d = defaultLab();
  const r = parseLab({ depth: 20, runs: [{ ...d.runs[0], activation: text }, d.runs[1]] });
  return { lab: r.value, issues: r.issues };
}

describe('a lab run with per-layer activations', () => {
  it('keeps the list, starts with its first layer, and gives the model one activation per layer (matched init)', () => {
    const { lab, issues } = lab20('sigmoid×10,relu×10');
    expect(issues).toEqual([]);
    const run = lab.runs[0]!;
    expect(run.activation).toBe('sigmoid');
    expect(run.activations).toEqual([...ten('sigmoid'), ...ten('relu')]);
    expect(runLabel({ ...run, init: 'matched' })).toMatch(/^sigmoid×10,relu×10 · matched/);
    const m = modelSpec(lab, { ...run, init: 'matched' }, builtinShape(lab));
    expect(m.activations).toEqual([...ten('sigmoid'), ...ten('relu')]);
    expect(m.init).toBe('matched');
  });

  it('one sigmoid layer in a ReLU stack', () => {
    const { lab, issues } = lab20('relu*9,sigmoid,relu*10');
    expect(issues).toEqual([]);
    expect(lab.runs[0]!.activations!.filter((a) => a === 'sigmoid')).toHaveLength(1);
    expect(lab.runs[0]!.activations![9]).toBe('sigmoid');
  });

  it('a list of one activation is that activation, with no list', () => {
    const { lab } = lab20('relu×20');
    expect(lab.runs[0]!.activation).toBe('relu');
    expect(lab.runs[0]!.activations).toBeUndefined();
  });

  it.each([
    ['sigmoid×10,relu×9', 'sigmoid×10,relu×9'],
    ['sigmoid×10,swish×10', 'sigmoid×10,swish×10'],
    ['sigmoid*0,relu*20', 'sigmoid*0,relu*20'],
  ])('%s: a field-named error listing the names and the depth, and the run keeps its default', (text, value) => {
    const { lab, issues } = lab20(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe('runs[0].activation');
    expect(issues[0]!.value).toBe(value);
    expect(issues[0]!.allowed).toContain(HIDDEN_ACTIVATIONS.join(', '));
    expect(issues[0]!.allowed).toContain('add up to the depth, 20');
    expect(lab.runs[0]!.activation).toBe(defaultLab().runs[0]!.activation);
    expect(lab.runs[0]!.activations).toBeUndefined();
  });

  it('an unknown single name gets the spec error naming the allowed activations', () => {
    const { issues } = lab20('swish');
    expect(issues[0]!.field).toBe('runs[0].activation');
    expect(issues[0]!.allowed).toContain('gelu, silu, elu, softplus');
  });

  it('an activations list from JSON must match the depth', () => {
    const d = defaultLab();
    const ok = parseLab({ depth: 3, runs: [{ ...d.runs[0], activations: ['relu', 'gelu', 'relu'] }] });
    expect(ok.issues).toEqual([]);
    expect(ok.value.runs[0]!.activations).toEqual(['relu', 'gelu', 'relu']);
    const bad = parseLab({ depth: 4, runs: [{ ...d.runs[0], activations: ['relu', 'gelu', 'relu'] }] });
    expect(bad.issues.map((i) => [i.field, i.value])).toEqual([['runs[0].activation', 'relu,gelu,relu']]);
    expect(bad.value.runs[0]!.activations).toBeUndefined();
  });

  it('changing one layer resets only that run', () => {
    const a = lab20('sigmoid×10,relu×10').lab;
    const b = lab20('sigmoid×9,relu×11').lab;
    expect(resetScope(a, b)).toEqual({ all: false, runs: [0], why: ['activation'] });
    expect(resetScope(a, a).runs).toEqual([]);
  });
});

describe('URL codec', () => {
  it('writes a per-layer run as sigmoid*10+relu*10 and reads it back, also with the + typed as a space', () => {
    const { lab } = lab20('sigmoid×10,relu×10');
    const params = encodeLab(lab);
    expect(params.get('act')).toBe('sigmoid*10+relu*10,relu');
    const back = decodeLab(new URLSearchParams(params.toString()));
    expect(back.issues).toEqual([]);
    expect(back.value).toEqual(lab);
    const typed = decodeLab(new URLSearchParams('depth=20&act=sigmoid*10+relu*10,relu&init=matched,he'));
    expect(typed.issues).toEqual([]);
    expect(typed.value.runs[0]!.activations).toEqual([...ten('sigmoid'), ...ten('relu')]);
    expect(typed.value.runs[0]!.init).toBe('matched');
  });

  it('round-trips random per-layer runs', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...HIDDEN_ACTIVATIONS), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 4 }), (lists) => {
        const d = defaultLab();
        const r = parseLab({ depth: 6, runs: lists.map((l) => ({ activation: l[0], activations: l, init: 'matched', gain: 1, lr: null })) });
        expect(r.issues).toEqual([]);
        const back = decodeLab(new URLSearchParams(encodeLab(r.value).toString()), d);
        expect(back.issues).toEqual([]);
        expect(back.value).toEqual(r.value);
      }),
      { numRuns: 60 },
    );
  });

  it('names the URL parameter and run in the error', () => {
    const r = decodeLab(new URLSearchParams('depth=20&act=sigmoid*10+relu*9,relu'));
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.field).toBe('act (run 1)');
    expect(r.issues[0]!.value).toBe('sigmoid*10 relu*9');
    expect(r.issues[0]!.allowed).toContain('add up to the depth, 20');
    const unknown = decodeLab(new URLSearchParams('act=swish,relu'));
    expect(unknown.issues[0]!.field).toBe('act (run 1)');
    expect(unknown.issues[0]!.allowed).toContain(HIDDEN_ACTIVATIONS.join(', '));
  });
});

describe('CLI --activation', () => {
  const opts = (...argv: string[]) => trainOptions(parseFlags(argv, TRAIN_FLAGS));

  it('takes per-layer lists whose counts add up to --layers', () => {
    const o = opts('--dataset', 'spiral', '--layers', '8x4', '--activation', 'sigmoid*2,relu*2', '--init', 'matched');
    expect(o.spec.model.activations).toEqual(['sigmoid', 'sigmoid', 'relu', 'relu']);
    expect(o.spec.model.init).toBe('matched');
    expect(opts('--layers', '8x3', '--activation', 'gelu').spec.model.activations).toEqual(['gelu', 'gelu', 'gelu']);
    expect(opts('--layers', '8x3', '--activation', 'elu×2,softplus').spec.model.activations).toEqual(['elu', 'elu', 'softplus']);
  });

  it.each([
    [['--layers', '8x4', '--activation', 'sigmoid*2,relu*3'], /--activation: "sigmoid\*2,relu\*3" is not allowed; expected .*add up to the depth, 4/],
    [['--layers', '8x4', '--activation', 'swish'], /--activation: "swish" is not allowed; expected one of sigmoid, tanh, relu, leaky_relu, linear, gelu, silu, elu, softplus/],
  ])('%j: an error naming the flag, the value and what is allowed', (argv, message) => {
    expect(() => opts(...argv)).toThrow(message);
  });
});

describe('rescaleActivations: per-layer activations carried over to a new depth', () => {
  const list = (t: string, depth: number) => parseActivationList(t, depth)!;
  it('keeps order and proportions (examples)', () => {
    expect(formatActivationList(rescaleActivations(list('sigmoid×10,relu×10', 20), 30))).toBe('sigmoid×15,relu×15');
    expect(formatActivationList(rescaleActivations(list('relu×9,sigmoid,relu×10', 20), 40))).toBe('relu×18,sigmoid×2,relu×20');
    expect(formatActivationList(rescaleActivations(list('relu×9,sigmoid,relu×10', 20), 10))).toBe('relu×4,sigmoid,relu×5');
    expect(formatActivationList(rescaleActivations(list('tanh×3,relu×3,gelu×4', 10), 5))).toBe('tanh×2,relu,gelu×2');
    // Fewer layers than runs: layer j takes the activation at the same relative height.
    expect(rescaleActivations(list('tanh,relu,gelu,silu', 4), 2)).toEqual(['relu', 'silu']);
    expect(rescaleActivations(list('sigmoid×2,relu×3', 5), 5)).toEqual(list('sigmoid×2,relu×3', 5));
  });

  it('refuses a depth that is not a whole number ≥ 1, naming it', () => {
    expect(() => rescaleActivations(['relu'], 0)).toThrow(/depth: 0 is not allowed/);
    expect(() => rescaleActivations(['relu'], 2.5)).toThrow(/depth: 2.5 is not allowed/);
  });

  it('property: the new list has the depth, the same runs in the same order, each within one layer of its share', () => {
    const act = fc.constantFrom(...HIDDEN_ACTIVATIONS);
    fc.assert(
      fc.property(fc.array(fc.record({ a: act, n: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 200 }), (segs, depth) => {
        const acts = segs.flatMap((s) => Array<HiddenActivation>(s.n).fill(s.a));
        const out = rescaleActivations(acts, depth);
        expect(out).toHaveLength(depth);
        const runsOf = (xs: readonly HiddenActivation[]) => {
          const r: { a: HiddenActivation; n: number }[] = [];
          for (const x of xs) (r.length && r[r.length - 1]!.a === x ? r[r.length - 1]!.n++ : r.push({ a: x, n: 1 }));
          return r;
        };
        const before = runsOf(acts);
        const after = runsOf(out);
        if (depth >= before.length) {
          expect(after.map((r) => r.a)).toEqual(before.map((r) => r.a));
          after.forEach((r, k) => expect(Math.abs(r.n - (before[k]!.n * depth) / acts.length)).toBeLessThan(before.length));
        } else {
          for (const a of out) expect(acts).toContain(a);
        }
      }),
      { numRuns: 300 },
    );
  });
});
