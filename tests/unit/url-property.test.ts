// Property tests of the URL codec: every valid LabSpec (anywhere within LAB_LIMITS) survives encodeLab → decodeLab
// unchanged; any query string (random text, hostile values, thousands of unknown or duplicated parameters, 100 kB
// values, script payloads) decodes without throwing into a valid LabSpec plus well-formed notices.
// Also: no source file renders HTML from strings (innerHTML and friends), so nothing decoded from a URL can run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../../src/core/activations.js';
import { parseLab } from '../../src/core/lab-parse.js';
import { BACKEND_CHOICES, CONTROL_NAMES, LAB_LIMITS, defaultLab, type LabSpec } from '../../src/core/lab-spec.js';
import { DATASETS, DTYPES, INITS, LIMITS, datasetDims, describeValue, formatIssue, type SpecIssue } from '../../src/core/spec.js';
import { EMPTY_KEY, URL_KEYS, decodeLab, encodeLab } from '../../src/core/url-codec.js';

const RUNS = 300;

/** Finite doubles in [min, max], -0 allowed where 0 is (the codec must not turn one into the other). */
const finite = (min: number, max: number, minExcluded = false) => {
  const d = fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded });
  return min === 0 && !minExcluded ? fc.oneof(fc.constant(-0), d) : d;
};

const runArb = fc.record({
  activation: fc.constantFrom(...HIDDEN_ACTIVATIONS),
  init: fc.constantFrom(...INITS),
  gain: finite(0, LIMITS.maxGain),
  lr: fc.option(finite(0, LIMITS.maxLr, true), { nil: null }),
});

/** Valid labs over the whole of LAB_LIMITS (every data set, tiny and huge numbers, 1–4 runs). */
const labArb: fc.Arbitrary<LabSpec> = fc
  .record({
    dataset: fc.constantFrom(...DATASETS),
    samples: fc.integer({ min: 1, max: LAB_LIMITS.maxSamples }),
    noise: finite(0, LIMITS.maxNoise),
    dataSeed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    depth: fc.integer({ min: 1, max: LAB_LIMITS.maxDepth }),
    width: fc.integer({ min: 1, max: LAB_LIMITS.maxWidth }),
    lr: finite(0, LIMITS.maxLr, true),
    batchFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    initSeed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    batchSeed: fc.integer({ min: 0, max: LIMITS.maxSeed }),
    logEvery: fc.integer({ min: 1, max: 100000 }),
    dtype: fc.constantFrom(...DTYPES),
    runs: fc.array(runArb, { minLength: LAB_LIMITS.minRuns, maxLength: LAB_LIMITS.maxRuns }),
    backend: fc.constantFrom(...BACKEND_CHOICES),
    speed: fc.integer({ min: 1, max: LAB_LIMITS.maxSpeed }),
    stop: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('epochs' as const), value: fc.integer({ min: 1, max: LAB_LIMITS.maxEpochs }) }),
      fc.record({ kind: fc.constant('loss' as const), value: finite(0, Number.MAX_VALUE, true) }),
    ),
    hide: fc.subarray([...CONTROL_NAMES]),
  })
  .map(({ batchFraction, ...l }) => {
    const rows = datasetDims({ dataset: l.dataset, samples: l.samples, noise: l.noise, inputDim: 2, outputDim: 1, seed: l.dataSeed }).samples;
    return { ...l, batch: Math.floor(batchFraction * rows) };
  });

/** A decoded lab is itself valid: parsing it again reports nothing and changes nothing. */
function expectValidLab(lab: LabSpec): void {
  const again = parseLab(lab);
  expect(again.issues.map(formatIssue)).toEqual([]);
  expect(again.value).toEqual(lab);
}

/** Every notice names a parameter, carries the value and says what is allowed, in a short line. */
function expectWellFormed(issues: readonly SpecIssue[]): void {
  for (const i of issues) {
    expect(i.field.length).toBeGreaterThan(0);
    expect(Object.keys(i)).toContain('value');
    expect(i.allowed.length).toBeGreaterThan(0);
    expect(describeValue(i.value).length).toBeLessThanOrEqual(80);
    expect(formatIssue(i).length).toBeLessThan(1000);
  }
}

/** Text a hostile user may put in a parameter. */
const hostileText = fc.oneof(
  fc.constantFrom(
    '', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '0', '-1', '1e-400', '0x10', '1_000', '١٢', '1,2', '10000000000',
    '<script>window.__pwned=1</script>', 'javascript:window.__pwned=1', '"><img src=x onerror=window.__pwned=1>', '${window.__pwned=1}',
    'epochs:', 'loss:-1', 'loss:NaN', 'epochs:1e9', '__proto__', 'constructor', 'toString', 'x'.repeat(100_000),
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double().map(String),
  fc.integer().map(String),
);

const keyArb = fc.oneof(fc.constantFrom(...URL_KEYS, '__proto__', 'constructor', 'hasOwnProperty', 'x', ''), fc.string());

describe('URL codec properties', () => {
  it('any valid lab within LAB_LIMITS round-trips through encodeLab → decodeLab unchanged', () => {
    fc.assert(
      fc.property(labArb, (lab) => {
        const back = decodeLab(new URLSearchParams(encodeLab(lab).toString()));
        expect(back.issues.map(formatIssue)).toEqual([]);
        expect(back.value).toEqual(lab);
      }),
      { numRuns: RUNS },
    );
  });

  it('any list of (key, value) parameters decodes without throwing to a valid lab and well-formed notices', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, hostileText), { maxLength: 30 }), (pairs) => {
        const r = decodeLab(new URLSearchParams(pairs));
        expectValidLab(r.value);
        expectWellFormed(r.issues);
        // A parameter that is unknown, or known but not what the lab ended up with, is reported by name.
        const more = r.issues.some((i) => / more unknown parameters$/.test(i.field));
        for (const [k] of pairs) if (!URL_KEYS.includes(k)) expect(more || r.issues.some((i) => i.field === (k === '' ? EMPTY_KEY : k))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('any raw query string decodes without throwing to a valid lab', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webQueryParameters()), (q) => {
        const r = decodeLab(new URLSearchParams(q));
        expectValidLab(r.value);
        expectWellFormed(r.issues);
      }),
      { numRuns: RUNS },
    );
  });

  it('one hostile value in one known parameter of a valid lab is refused by that parameter, and the rest is kept', () => {
    const arb = fc.record({ lab: labArb, key: fc.constantFrom(...URL_KEYS), text: hostileText });
    fc.assert(
      fc.property(arb, ({ lab, key, text }) => {
        const p = encodeLab(lab);
        p.set(key, text);
        const r = decodeLab(p);
        expectValidLab(r.value);
        expectWellFormed(r.issues);
        if (r.issues.length) {
          const urlNames = r.issues.map((i) => i.field.replace(/ \(run \d+\)$/, ''));
          // A bad per-run list may be reported against its entries, or as a count mismatch with `act`; a bad batch
          // after a data-set change is reported as batch; runs may be reported when the list length is out of range.
          const related: Record<string, string[]> = { act: ['act', 'init', 'gain', 'runLr', 'runs'], init: ['init', 'act', 'runs'], gain: ['gain', 'act', 'runs'], runLr: ['runLr', 'act', 'runs'], dataset: ['dataset', 'batch'], samples: ['samples', 'batch'] };
          expect(urlNames.some((n) => (related[key] ?? [key]).includes(n)), `${key}=${text.slice(0, 40)} → ${r.issues.map(formatIssue).join('; ')}`).toBe(true);
        }
        // Parameters other than the one changed keep their value where they do not depend on it.
        if (!['dataset', 'samples', 'batch', 'act', 'init', 'gain', 'runLr'].includes(key)) {
          for (const k of ['depth', 'width', 'lr', 'initSeed', 'speed'] as const) if (k !== key) expect(r.value[k]).toBe(lab[k]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('5000 unknown parameters, 5000 duplicates and a 100 kB value decode to the defaults, with a bounded number of notices lines', () => {
    const many = `${encodeLab(defaultLab()).toString()}${'&x=1'.repeat(5000)}${'&depth=3'.repeat(5000)}&lr=${'9'.repeat(100_000)}`;
    const r = decodeLab(new URLSearchParams(many));
    expectValidLab(r.value);
    expect(r.value).toEqual(defaultLab());
    expectWellFormed(r.issues);
    expect(r.issues.some((i) => i.field === 'x')).toBe(true);
    expect(r.issues.some((i) => i.field === 'depth' && /one value/.test(i.allowed))).toBe(true);
    // One notice per distinct bad parameter, not one per repetition: a page shows a few lines, not 10 000.
    expect(r.issues.length).toBeLessThan(20);
    expect(r.issues.map(formatIssue).join('\n').length).toBeLessThan(20_000);
  });

  it('5000 distinct unknown parameter names give a dozen notice lines, the first ten by name', () => {
    const q = Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&');
    const r = decodeLab(new URLSearchParams(q));
    expect(r.value).toEqual(defaultLab());
    expect(r.issues.map((i) => i.field)).toEqual([...Array.from({ length: 10 }, (_, i) => `p${i}`), '4990 more unknown parameters']);
  });

  it('script payloads in every parameter are refused as plain text (never evaluated), and the defaults are used', () => {
    const payload = '<script>globalThis.__pwned=1</script>';
    const p = new URLSearchParams();
    for (const k of URL_KEYS) p.set(k, k === 'hide' ? `play,${payload}` : payload);
    const g = globalThis as { __pwned?: number };
    const r = decodeLab(p);
    expect(g.__pwned).toBeUndefined();
    expectValidLab(r.value);
    for (const k of URL_KEYS) expect(r.issues.some((i) => i.field.startsWith(k)), k).toBe(true);
    expect(r.value.depth).toBe(defaultLab().depth);
  });
});

describe('no HTML from strings', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|js|mjs|html)$/.test(f) ? [p] : [];
    });

  // (lit's unsafeStatic is allowed: the lessons page uses it for a tag name from its constant catalog, never user text.)
  it('no source file uses innerHTML, outerHTML, insertAdjacentHTML, document.write, unsafeHTML, eval or new Function', () => {
    const banned = /\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|document\.write|\bunsafeHTML\b|\bunsafeSVG\b|\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['"`]/;
    const sources = [...files(join(root, 'src')), ...readdirSync(root).filter((f) => f.endsWith('.html')).map((f) => join(root, f))];
    expect(sources.length).toBeGreaterThan(20);
    const offenders = sources.filter((f) => banned.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
