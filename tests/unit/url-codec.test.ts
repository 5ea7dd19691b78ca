/** URL codec: round trips, named issues for bad/unknown/duplicated parameters, fallbacks to defaults. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_NAMES, defaultLab, sgdLab, type LabSpec } from '../../src/core/lab-spec.js';
import { HIDDEN_ACTIVATIONS } from '../../src/core/activations.js';
import { INITS } from '../../src/core/spec.js';
import { controlField, decodeAutoplay, decodeLab, encodeAutoplay, encodeLab, numberOrText, parseStop, urlField } from '../../src/core/url-codec.js';

describe('encodeLab / decodeLab', () => {
  it('encodes the default lab readably', () => {
    const q = encodeLab(defaultLab()).toString();
    expect(q).toContain('act=sigmoid%2Crelu');
    expect(q).toContain('depth=20');
    expect(q).not.toContain('runLr');
  });

  it('round-trips arbitrary valid labs exactly', () => {
    const run = fc.record({
      activation: fc.constantFrom(...HIDDEN_ACTIVATIONS),
      init: fc.constantFrom(...INITS),
      gain: fc.double({ min: 0, max: 10, noNaN: true }),
      lr: fc.option(fc.double({ min: 1e-6, max: 5, noNaN: true }), { nil: null }),
    });
    const lab = fc.record({
      dataset: fc.constantFrom('circle', 'spiral', 'gaussian', 'random'),
      samples: fc.integer({ min: 4, max: 20000 }),
      noise: fc.double({ min: 0, max: 10, noNaN: true }),
      dataSeed: fc.integer({ min: 0, max: 4294967295 }),
      depth: fc.integer({ min: 1, max: 200 }),
      width: fc.integer({ min: 1, max: 1024 }),
      lr: fc.double({ min: 1e-9, max: 1000, noNaN: true }),
      batch: fc.integer({ min: 0, max: 4 }),
      initSeed: fc.nat(),
      batchSeed: fc.nat(),
      logEvery: fc.integer({ min: 1, max: 1000 }),
      dtype: fc.constantFrom('f32', 'f64'),
      runs: fc.array(run, { minLength: 1, maxLength: 4 }),
      backend: fc.constantFrom('auto', 'webgpu', 'cpu'),
      speed: fc.integer({ min: 1, max: 1000 }),
      stop: fc.oneof(
        fc.constant({ kind: 'none' }),
        fc.record({ kind: fc.constant('epochs'), value: fc.integer({ min: 1, max: 1000000 }) }),
        fc.record({ kind: fc.constant('loss'), value: fc.double({ min: 1e-9, max: 10, noNaN: true }) }),
      ),
      hide: fc.subarray([...CONTROL_NAMES]),
    }) as fc.Arbitrary<LabSpec>;
    fc.assert(
      fc.property(lab, (l) => {
        const back = decodeLab(new URLSearchParams(encodeLab(l).toString()));
        expect(back.issues).toEqual([]);
        expect(back.value).toEqual(l);
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to defaults and names each bad parameter with its value and what is allowed', () => {
    const r = decodeLab(new URLSearchParams('depth=999&width=abc&act=sigmoid,swish&lr=NaN&stop=epochs:x&backend=quantum'));
    const d = defaultLab();
    expect(r.value.depth).toBe(d.depth);
    expect(r.value.width).toBe(d.width);
    expect(r.value.lr).toBe(d.lr);
    expect(r.value.backend).toBe('auto');
    expect(r.value.runs.map((x) => x.activation)).toEqual(['sigmoid', 'relu']);
    const by = Object.fromEntries(r.issues.map((i) => [i.field, i]));
    expect(by['depth']).toEqual({ field: 'depth', value: 999, allowed: 'an integer from 1 to 200' });
    expect(by['width']!.value).toBe('abc');
    expect(by['act (run 2)']!.value).toBe('swish');
    expect(by['lr']!.value).toBe('NaN');
    expect(by['stop']!.value).toBe('epochs:x');
    expect(by['backend']!.allowed).toBe('one of auto, webgpu, cpu');
  });

  it('reports unknown, duplicated and mismatched parameters', () => {
    const r = decodeLab(new URLSearchParams('foo=1&depth=3&depth=4&act=relu,tanh,sigmoid&init=he'));
    expect(r.value.depth).toBe(3);
    expect(r.value.runs.map((x) => `${x.activation}/${x.init}`)).toEqual(['relu/he', 'tanh/xavier', 'sigmoid/xavier']);
    expect(r.issues.map((i) => i.field)).toEqual(['foo', 'depth', 'init']);
    expect(r.issues[1]!.value).toBe('3 | 4');
  });

  it('ignores a whole per-run list of the wrong length, as the notice says (no run takes part of it)', () => {
    const gain = decodeLab(new URLSearchParams('act=sigmoid,relu&gain=1,2,3'));
    expect(gain.value.runs.map((r) => r.gain)).toEqual([1, 1]);
    expect(gain.issues).toEqual([{ field: 'gain', value: '1,2,3', allowed: '2 comma-separated entries, one per run (act has 2)' }]);
    expect(new URLSearchParams(encodeLab(gain.value)).get('gain')).toBe('1,1');
    const init = decodeLab(new URLSearchParams('act=sigmoid,relu,tanh&init=he'));
    expect(init.value.runs.map((x) => `${x.activation}/${x.init}`)).toEqual(['sigmoid/xavier', 'relu/he', 'tanh/xavier']);
    expect(init.issues.map((i) => i.field)).toEqual(['init']);
    const mixed = decodeLab(new URLSearchParams('act=tanh,relu&runLr=0.5&clip=norm:1,none,norm:2&opt=adam,sgd'));
    expect(mixed.value.runs).toEqual([
      { activation: 'tanh', init: 'xavier', gain: 1, lr: null, optimizer: 'adam' },
      { activation: 'relu', init: 'he', gain: 1, lr: null },
    ]);
    expect(mixed.issues.map((i) => i.field)).toEqual(['runLr', 'clip']);
  });

  it('keeps run settings when only one list is given', () => {
    expect(decodeLab(new URLSearchParams('gain=2,0.5')).value.runs).toEqual([
      { activation: 'sigmoid', init: 'xavier', gain: 2, lr: null },
      { activation: 'relu', init: 'he', gain: 0.5, lr: null },
    ]);
    expect(decodeLab(new URLSearchParams('runLr=,0.01')).value.runs[1]!.lr).toBe(0.01);
  });
});

describe('field names in notices', () => {
  it('names a run field 1-based, by what the page calls it and its URL key, never by the internal runs[i] path', () => {
    expect(controlField('runs[1].lr')).toBe("Run 2's learning rate (runLr)");
    expect(controlField('runs[0].activation')).toBe("Run 1's activation (act)");
    expect(controlField('runs[3].residual')).toBe("Run 4's residual (res)");
    expect(controlField('runs[2]')).toBe('Run 3');
    expect(controlField('depth')).toBe('depth');
    expect(urlField('runs[1].lr')).toBe('runLr (run 2)');
  });
});

describe('text helpers', () => {
  it('reads only plain decimal numbers as numbers', () => {
    expect(numberOrText('12')).toBe(12);
    expect(numberOrText('1e-3')).toBe(0.001);
    expect(numberOrText('.5')).toBe(0.5);
    for (const t of ['', ' ', 'Infinity', 'NaN', '0x10', '1,5', '12px']) expect(numberOrText(t)).toBe(t);
  });
  it('parses stop conditions', () => {
    expect(parseStop('none')).toEqual({ kind: 'none' });
    expect(parseStop('loss:0.01')).toEqual({ kind: 'loss', value: 0.01 });
    expect(parseStop('epochs:')).toBe('epochs:');
  });
});

describe('mitigation switches in the URL', () => {
  const base = sgdLab();

  it('round-trips every switch, written only when some run uses it', () => {
    const lab: LabSpec = {
      ...base,
      runs: [
        { ...base.runs[0]!, optimizer: 'momentum', momentum: 0.5, clip: { kind: 'value', max: 0.25 }, biasStd: 0.05 },
        { ...base.runs[1]!, optimizer: 'adam', beta1: 0.8, beta2: 0.99, residual: 2, norm: 'batch' },
      ],
    };
    const q = encodeLab(lab);
    expect(q.get('opt')).toBe('momentum,adam');
    expect(q.get('mom')).toBe('0.5,');
    expect(q.get('clip')).toBe('value:0.25,none');
    expect(q.get('norm')).toBe('none,batch');
    expect(q.get('decay')).toBeNull();
    const back = decodeLab(new URLSearchParams(q.toString()));
    expect(back.issues).toEqual([]);
    expect(back.value).toEqual(lab);
    // The default lab's shared optimizer is written (opt=adam,adam) and restored; a plain SGD lab writes no switch.
    expect(encodeLab(defaultLab()).get('opt')).toBe('adam,adam');
    expect(decodeLab(encodeLab(defaultLab())).value).toEqual(defaultLab());
    for (const k of ['opt', 'mom', 'beta1', 'beta2', 'decay', 'clip', 'biasStd', 'res', 'norm']) expect(encodeLab(base).has(k), k).toBe(false);
  });

  it('names a bad switch by its URL key and run, and keeps the default', () => {
    const r = decodeLab(new URLSearchParams('opt=adam,lion&clip=norm:0,norm:2&res=1,x&norm=none,group&biasStd=-1,0&mom=0.5,'), base);
    expect(r.value.runs.map((x) => [x.optimizer, x.clip, x.residual, x.norm, x.biasStd])).toEqual([
      ['adam', undefined, 1, undefined, undefined],
      [undefined, { kind: 'norm', max: 2 }, undefined, undefined, undefined],
    ]);
    const by = Object.fromEntries(r.issues.map((i) => [i.field, i]));
    expect(Object.keys(by).sort()).toEqual(['biasStd (run 1)', 'clip (run 1)', 'mom (run 1)', 'norm (run 2)', 'opt (run 2)', 'res (run 2)']);
    expect(by['opt (run 2)']!.value).toBe('lion');
    expect(by['clip (run 1)']!.value).toBe('norm:0');
    expect(by['res (run 2)']!.value).toBe('x');
    expect(by['mom (run 1)']!.allowed).toMatch(/adam/);
    expect(decodeLab(new URLSearchParams('clip=max:3,none')).issues[0]!.field).toBe('clip (run 1)');
  });
});

describe('autoplay in the URL', () => {
  it('is on for 1 only, off for 0 or absent, and a bad value is named with what is allowed', () => {
    expect(decodeAutoplay(new URLSearchParams('autoplay=1'))).toEqual({ value: true, issues: [] });
    expect(decodeAutoplay(new URLSearchParams('autoplay=0'))).toEqual({ value: false, issues: [] });
    expect(decodeAutoplay(new URLSearchParams('depth=3'))).toEqual({ value: false, issues: [] });
    for (const bad of ['', 'yes', 'true']) {
      const r = decodeAutoplay(new URLSearchParams(`autoplay=${bad}`));
      expect(r.value).toBe(false);
      expect(r.issues).toEqual([{ field: 'autoplay', value: bad, allowed: '1 (start training on load) or 0' }]);
    }
    // decodeLab knows the key (no "unknown parameter") and reports its bad value; encodeAutoplay writes only "on".
    expect(decodeLab(new URLSearchParams('autoplay=1')).issues).toEqual([]);
    expect(decodeLab(new URLSearchParams('autoplay=2')).issues.map((i) => i.field)).toEqual(['autoplay']);
    expect(encodeAutoplay(true, new URLSearchParams()).toString()).toBe('autoplay=1');
    expect(encodeAutoplay(false, new URLSearchParams()).toString()).toBe('');
  });
});
