/**
 * The lessons' pure parts against independent oracles: lesson 3's chain rule against finite differences and the
 * closed form; lesson 4's network equals the xor-classic/and-classic presets, its NumPy listing equals the loop of
 * the NumPy oracle script, and each "try this" claim holds when the trainer runs it; lesson 5's optimizer race
 * and gradient profile claims; the lab links decode without issues; the glossary is complete; the digit asset
 * format round-trips and the shipped asset is well-formed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, modelSpec, scheduleSpec } from '../../src/core/lab-spec.js';
import { preset } from '../../src/core/presets.js';
import type { ExperimentSpec } from '../../src/core/spec.js';
import { decodeLab } from '../../src/core/url-codec.js';
import { Trainer } from '../../src/train/trainer.js';
import type { StepRecord } from '../../src/train/records.js';
import { corrected, chainSignals, landing, DISTANCE_PER_STRENGTH } from '../../src/ui/lessons/aim-game.js';
import { classicHints, classicSettings, classicSpec } from '../../src/ui/lessons/classic-setup.js';
import { numpyProgram } from '../../src/ui/lessons/classic-numpy.js';
import { gradientCost, parameterCount, PROFILE_DEPTH, profileSpec, RACE_CLAIMS, raceEntries, raceSpec } from '../../src/ui/lessons/deep-setup.js';
import { GLOSSARY, glossaryEntry } from '../../src/ui/lessons/glossary.js';
import { HISTORY } from '../../src/ui/lessons/history.js';
import { LAB_EXPERIMENTS, labFor, labLink } from '../../src/ui/lessons/lab-links.js';
import { checkRoute, formatRoute, LESSONS, parseRoute, readFlag, stepProblem } from '../../src/ui/lessons/lesson-catalog.js';
import { decodeDigits, digitAccuracy, digitsDataset, encodeDigits, loadDigits, syntheticDigits } from '../../src/ui/lessons/mnist-asset.js';
import { formatNumber, neuronLoss, neuronTrace, sigmoidSlope } from '../../src/ui/lessons/neuron-math.js';
import { QUESTIONS, TEXT_QUESTIONS } from '../../src/ui/lessons/questions.js';
import { RECIPE } from '../../src/ui/lessons/recipe.js';
import { ManualClock } from '../../src/ui/lessons/lesson-clock.js';
import type { LessonCohort } from '../../src/ui/lessons/lesson-cohort.js';
import { LessonLoop } from '../../src/ui/lessons/lesson-loop.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Train an experiment to its last step on the CPU backend and return the last record. */
async function trainToEnd(spec: ExperimentSpec): Promise<StepRecord> {
  const backend = createCpuBackend({ dtype: spec.schedule.dtype });
  const trainer = new Trainer(backend, { models: [spec.model], data: makeDataset(spec.data), schedule: spec.schedule });
  let last: StepRecord | undefined;
  await trainer.run(spec.schedule.steps, (r) => (last = r[0]));
  trainer.dispose();
  backend.destroy();
  return last!;
}

describe('lesson 3: one neuron', () => {
  it('every factor matches the closed form, and ∂L/∂w, ∂L/∂b match finite differences', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, w, b, y) => {
          const t = neuronTrace({ x, w, b, y, lr: 0.5 });
          const s = 1 / (1 + Math.exp(-(w * x + b)));
          expect(t.yHat).toBeCloseTo(s, 14);
          expect(t.dYHatdZ).toBeCloseTo(s * (1 - s), 14);
          expect(t.dYHatdZ).toBeLessThanOrEqual(0.25);
          const h = 1e-6;
          const fdW = (neuronLoss(x, w + h, b, y) - neuronLoss(x, w - h, b, y)) / (2 * h);
          const fdB = (neuronLoss(x, w, b + h, y) - neuronLoss(x, w, b - h, y)) / (2 * h);
          expect(Math.abs(t.dLdW - fdW)).toBeLessThan(1e-8);
          expect(Math.abs(t.dLdB - fdB)).toBeLessThan(1e-8);
          expect(t.dLdW).toBeCloseTo(t.dLdYHat * t.dYHatdZ * t.dZdW, 15);
          expect(t.wNext).toBeCloseTo(w - 0.5 * t.dLdW, 14);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with a linear activation ŷ = z, ∂ŷ/∂z = 1, and the gradient matches finite differences', () => {
    const t = neuronTrace({ x: 1.5, w: 0.8, b: -0.2, y: 1, lr: 0.5, activation: 'linear' });
    expect(t.yHat).toBeCloseTo(1.0, 14);
    expect(t.dYHatdZ).toBe(1);
    const h = 1e-6;
    const fd = (neuronLoss(1.5, 0.8 + h, -0.2, 1, 'linear') - neuronLoss(1.5, 0.8 - h, -0.2, 1, 'linear')) / (2 * h);
    expect(Math.abs(t.dLdW - fd)).toBeLessThan(1e-8);
  });

  it('the slope vanishes for large |z| as the text says, and numbers print with superscript exponents', () => {
    expect(sigmoidSlope(0)).toBe(0.25);
    expect(sigmoidSlope(12)).toBeCloseTo(6.1e-6, 7);
    expect(formatNumber(0.25 ** 20, 3)).toBe('9.09×10⁻¹³');
    expect(formatNumber(0.123456, 3)).toBe('0.123');
    expect(formatNumber(1.5 ** 50, 2)).toBe('6.4×10⁸');
  });
});

describe('lesson 1: aiming and the chain', () => {
  it('a correction multiplies the miss by 1 − 25η, and the chain is a power', () => {
    const target = 62;
    for (const lr of [0.005, 0.02, 0.04, 0.07, 0.09]) {
      const s0 = 6;
      const ratio = (landing(corrected(s0, target, lr)) - target) / (landing(s0) - target);
      expect(ratio).toBeCloseTo(1 - lr * DISTANCE_PER_STRENGTH ** 2, 12);
    }
    // The text: 0.07 overshoots and swings back (−0.75), 0.09 grows (|−1.25| > 1).
    expect(1 - 0.07 * 25).toBeCloseTo(-0.75, 12);
    expect(Math.abs(1 - 0.09 * 25)).toBeGreaterThan(1);
    const sig = chainSignals(0.25, 20);
    expect(sig).toHaveLength(21);
    expect(sig[20]).toBeCloseTo(0.25 ** 20, 25);
  });
});

describe('lesson 4: the classic network', () => {
  it('the default settings are exactly the xor-classic and and-classic presets (what the CLI runs)', () => {
    expect(classicSpec(classicSettings('xor-classic'))).toEqual(preset('xor-classic'));
    expect(classicSpec(classicSettings('and-classic'))).toEqual(preset('and-classic'));
  });

  it('the NumPy listing is the loop of the NumPy oracle script', () => {
    const script = readFileSync(join(ROOT, 'tests/fixtures/make_classic_fixtures.py'), 'utf8').split('\n');
    const start = script.findIndex((l) => l.includes('for _ in range(epochs):'));
    const end = script.findIndex((l, i) => i > start && !l.startsWith('        '));
    const oracle = script.slice(start + 1, end).map((l) => l.trim()).filter((l) => !l.startsWith('losses.append'));
    const shown = numpyProgram(classicSettings('xor-classic')).filter((l) => l.phase !== null && l.phase !== 'loss').map((l) => l.text.trim());
    expect(shown).toEqual(oracle);
    const setup = numpyProgram(classicSettings('xor-classic')).filter((l) => l.phase === null).map((l) => l.text);
    expect(setup).toContain('np.random.seed(42)');
    expect(setup).toContain('W1 = np.random.randn(2, 2)');
    expect(setup).toContain('for epoch in range(10000):');
  });

  it.each(classicHints().map((h) => [h.id, h] as const))('the "%s" experiment ends as the lesson says', async (_id, hint) => {
    const last = await trainToEnd(classicSpec(hint.settings));
    if (hint.lossBelow !== undefined) expect(last.loss).toBeLessThan(hint.lossBelow);
    if (hint.lossAbove !== undefined) expect(last.loss).toBeGreaterThan(hint.lossAbove);
    if (hint.id === 'slow' || hint.id === 'fast-stuck') expect(last.accuracy).toBe(0.5);
  });

  it('learning rate 1 on XOR is a plateau, not a valley: the loss still creeps down, the weights grow, (0,1) and (1,1) share a saturated hidden code', async () => {
    const spec = classicSpec({ ...classicSettings('xor-classic'), lr: 1 });
    const backend = createCpuBackend({ dtype: 'f64' });
    const data = makeDataset(spec.data);
    const trainer = new Trainer(backend, { models: [spec.model], data, schedule: spec.schedule });
    const losses = new Map<number, number>();
    await trainer.run(spec.schedule.steps, (r) => losses.set(r[0]!.step, r[0]!.loss));
    expect(losses.get(2000)!.toFixed(4)).toBe('0.1282');
    expect(losses.get(9999)!.toFixed(4)).toBe('0.1254');
    const logged = [...losses.entries()].filter(([k]) => k >= 2000).map(([, v]) => v);
    for (let i = 1; i < logged.length; i++) expect(logged[i]).toBeLessThan(logged[i - 1]!);
    const [p] = await trainer.readParameters();
    const a1 = (x1: number, x2: number) => [0, 1].map((j) => 1 / (1 + Math.exp(-(x1 * p!.weights[0]![j]! + x2 * p!.weights[0]![2 + j]! + p!.biases[0]![j]!))));
    for (const v of [...a1(0, 1), ...a1(1, 1)]) expect(v).toBeGreaterThan(0.99);
    trainer.dispose();
    backend.destroy();
  });
});

describe('lesson 5: deep networks', () => {
  it('at the lesson\'s depth the sigmoid stack\'s first layer gets < 1/1000 of its last layer\'s gradient; ReLU\'s stays within 100×', async () => {
    const backend = createCpuBackend({ dtype: 'f32' });
    const sig = profileSpec('sigmoid', PROFILE_DEPTH);
    const relu = profileSpec('relu', PROFILE_DEPTH);
    const trainer = new Trainer(backend, { models: [sig.model, relu.model], data: makeDataset(sig.data), schedule: sig.schedule });
    const [s, r] = (await trainer.stepOnce(true))!;
    const share = (g: readonly number[]) => g[0]! / g[g.length - 1]!;
    expect(share(s!.gradNorms)).toBeLessThan(1e-3);
    expect(share(r!.gradNorms)).toBeGreaterThan(1e-2);
    trainer.dispose();
    backend.destroy();
  });

  it('the optimizer race ends as the lesson says: SGD and momentum stuck, RMSProp in between, Adam > 95 %, ReLU with SGD > 90 %', async () => {
    const acc: Record<string, number> = {};
    for (const e of raceEntries()) acc[e.id] = (await trainToEnd(e.spec)).accuracy!;
    acc['relu'] = (await trainToEnd(raceSpec({ kind: 'sgd', lr: 0.1 }, 'relu'))).accuracy!;
    expect(acc['sgd']).toBeLessThan(RACE_CLAIMS.stuckBelow);
    expect(acc['momentum']).toBeLessThan(RACE_CLAIMS.stuckBelow);
    expect(acc['rmsprop']).toBeGreaterThan(RACE_CLAIMS.rmspropAbove);
    expect(acc['rmsprop']).toBeLessThan(acc['adam']!);
    expect(acc['adam']).toBeGreaterThan(RACE_CLAIMS.adamAbove);
    expect(acc['relu']).toBeGreaterThan(RACE_CLAIMS.reluAbove);
  }, 120_000);
});

describe('the lessons\' training loop on an injected clock', () => {
  /** A cohort that takes `count` steps per advance, each costing `msPerChunk` on the clock. */
  function fakeCohort(clock: ManualClock, total: number, msPerChunk: number) {
    const calls: number[] = [];
    const c = {
      step: 0,
      calls,
      get done() {
        return c.step >= total;
      },
      async advance(count: number) {
        calls.push(count);
        c.step = Math.min(total, c.step + count);
        clock.advance(msPerChunk);
      },
    };
    return c;
  }
  const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };

  it('fills each frame with chunks until LOOP_FRAME_MS of clock time have passed, stops when done, and pause cancels the frame', async () => {
    const clock = new ManualClock();
    let frames = 0;
    const loop = new LessonLoop(host, () => void frames++, (e) => { throw e; }, clock);
    const c = fakeCohort(clock, 100, 5);
    loop.play(() => [c as unknown as LessonCohort]);
    expect(clock.waiting).toBe(1);
    clock.frame();
    await loop.idle();
    // Chunks start at 0, 5 and 10 ms (< 14 ms), not at 15.
    expect(c.calls).toEqual([10, 10, 10]);
    expect(frames).toBe(1);
    expect(clock.waiting).toBe(1);
    loop.pause();
    expect(clock.waiting).toBe(0);
    // Slow motion: a fixed number of steps per frame, whatever the clock says.
    loop.stepsPerFrame = 7;
    loop.play(() => [c as unknown as LessonCohort]);
    clock.frame();
    await loop.idle();
    expect(c.calls.slice(3)).toEqual([7]);
    // Until done: the loop stops by itself and requests no further frame.
    loop.stepsPerFrame = null;
    while (clock.waiting > 0) {
      clock.frame();
      await loop.idle();
    }
    expect(c.step).toBe(100);
    expect(loop.playing).toBe(false);
  });
});

describe('lesson 5: the cost of a gradient', () => {
  it('counts the weights of the profile network and the passes of finite differences vs backprop', () => {
    expect(parameterCount([2, ...Array<number>(12).fill(16), 1])).toBe(2 * 16 + 16 + 11 * (16 * 16 + 16) + 16 + 1);
    expect(parameterCount([2, 2, 1])).toBe(9);
    expect(gradientCost(3057)).toEqual({ forwardDifferences: 3058, centralDifferences: 6114, backprop: 3 });
  });
});

describe('links into the lab', () => {
  it.each(Object.entries(LAB_EXPERIMENTS))('%s decodes without issues into the intended lab', (_name, patch) => {
    const url = labLink(patch);
    expect(url.startsWith('./index.html?')).toBe(true);
    const parsed = decodeLab(new URLSearchParams(url.slice('./index.html?'.length)));
    expect(parsed.issues).toEqual([]);
    expect(parsed.value).toEqual(labFor(patch));
  });

  it('the course text\'s five questions are there in its order, each with an answer and experiments that exist', () => {
    expect(TEXT_QUESTIONS.map((q) => q.id)).toEqual(['why-activation', 'activation-vanishing', 'learning-rate', 'mitigate', 'optimizers']);
    for (const q of TEXT_QUESTIONS) {
      expect(q.answer.length).toBeGreaterThan(200);
      expect(q.experiments.length).toBeGreaterThan(0);
      for (const e of q.experiments) expect(LAB_EXPERIMENTS[e.experiment]).toBeDefined();
    }
    expect(TEXT_QUESTIONS.find((q) => q.id === 'mitigate')!.experiments).toHaveLength(4);
    expect(labFor(LAB_EXPERIMENTS.optimizers).runs.map((r) => r.optimizer ?? 'sgd')).toEqual(['sgd', 'momentum', 'rmsprop', 'adam']);
  });

  it('questions 1 and 3 end in the lab as their answers say: linear stuck on XOR, tanh solves it; lr 0.001 slow, 0.3 learns, 30 bounces', async () => {
    const final = async (name: 'linearXor' | 'learningRates') => {
      const lab = labFor(LAB_EXPERIMENTS[name]);
      const shape = builtinShape(lab);
      const backend = createCpuBackend({ dtype: 'f64' });
      const t = new Trainer(backend, { models: lab.runs.map((r) => modelSpec(lab, r, shape)), data: makeDataset(dataSpec(lab)), schedule: { ...scheduleSpec(lab), steps: 1000, logEvery: 100 } });
      let last: StepRecord[] = [];
      let first: StepRecord[] = [];
      await t.run(1000, (r) => {
        if (first.length === 0) first = r;
        last = r;
      });
      t.dispose();
      backend.destroy();
      return { first, last };
    };
    const xor = await final('linearXor');
    expect(xor.last[0]!.accuracy).toBeLessThanOrEqual(0.75);
    expect(xor.last[0]!.loss).toBeGreaterThan(0.69);
    expect(xor.last[1]!.accuracy).toBe(1);
    const lr = await final('learningRates');
    expect(lr.last[0]!.accuracy).toBeLessThan(0.6);
    expect(lr.last[1]!.accuracy).toBeGreaterThan(0.9);
    expect(lr.last[2]!.accuracy).toBeLessThan(0.6);
    expect(lr.last[2]!.loss).toBeGreaterThan(lr.first[2]!.loss);
  }, 120_000);

  it.each(RECIPE.filter((r) => r.lab).map((r) => [r.id, r] as const))('recipe step %s links to a lab that decodes without issues', (_id, step) => {
    const url = labLink(step.lab!);
    const parsed = decodeLab(new URLSearchParams(url.slice('./index.html?'.length)));
    expect(parsed.issues).toEqual([]);
    expect(parsed.value).toEqual(labFor(step.lab!));
  });

  it('every further question names an existing experiment and has an answer', () => {
    for (const q of QUESTIONS) {
      expect(q.answer.length).toBeGreaterThan(40);
      if (q.experiment) expect(LAB_EXPERIMENTS[q.experiment]).toBeDefined();
    }
    expect(new Set(QUESTIONS.map((q) => q.id)).size).toBe(QUESTIONS.length);
  });
});

describe('course structure and glossary', () => {
  it('routes round-trip, and bad hashes fall back to lesson 1', () => {
    for (const r of [{ lesson: 3, step: 0, term: null }, { lesson: 4, step: 2, term: null }, { lesson: 8, step: 0, term: 'vanishing-gradient' }]) {
      expect(parseRoute(formatRoute(r))).toEqual(r);
    }
    expect(parseRoute('#/9')).toEqual({ lesson: 1, step: 0, term: null });
    expect(parseRoute('')).toEqual({ lesson: 1, step: 0, term: null });
    expect(parseRoute('#/3/gradient')).toEqual({ lesson: 3, step: 0, term: null });
    expect(LESSONS.map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('an address that names no lesson, step or term says what was asked for and where the page went', () => {
    const has = (id: string) => id === 'gradient';
    expect(checkRoute('#/9', has)).toEqual({ route: { lesson: 1, step: 0, term: null }, problem: 'There is no lesson 9: the course has lessons 1 to 8. Showing lesson 1.' });
    expect(checkRoute('#/0', has).problem).toMatch(/no lesson 0.*Showing lesson 1/);
    expect(checkRoute('#/4/2/3', has)).toEqual({ route: { lesson: 1, step: 0, term: null }, problem: expect.stringMatching(/"#\/4\/2\/3" is not a lesson address/) });
    expect(checkRoute('#/3/0', has)).toEqual({ route: { lesson: 3, step: 0, term: null }, problem: expect.stringMatching(/Steps count from 1/) });
    expect(checkRoute('#/3/gradient', has).problem).toMatch(/"gradient" is not a step of lesson 3/);
    expect(checkRoute('#/8/nothing', has)).toEqual({ route: { lesson: 8, step: 0, term: null }, problem: expect.stringMatching(/no term "nothing"/) });
    for (const ok of ['', '#', '#/', '#/3', '#/3/2', '#/8/gradient']) expect(checkRoute(ok, has).problem, ok).toBeNull();
    expect(stepProblem({ lesson: 3, step: 98, term: null }, 4)).toBe('Lesson 3 has 4 steps, so there is no step 99. Showing step 4.');
    expect(stepProblem({ lesson: 3, step: 3, term: null }, 4)).toBeNull();
    expect(readFlag('?present=1', 'present')).toEqual({ on: true, problem: null });
    expect(readFlag('?present=0', 'present')).toEqual({ on: false, problem: null });
    expect(readFlag('', 'embed')).toEqual({ on: false, problem: null });
    expect(readFlag('?embed=', 'embed')).toEqual({ on: false, problem: 'embed="" is not understood: use embed=1 (on) or embed=0 (off). Embed mode is off.' });
    expect(readFlag('?present=yes%3Cb%3E', 'present').problem).toContain('present="yes<b>"');
  });

  it('has the required terms, unique ids, and every cross-reference and every linked term resolves', () => {
    const ids = GLOSSARY.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['backpropagation', 'vanishing-gradient', 'exploding-gradient', 'chain-rule', 'weight', 'bias', 'activation', 'loss', 'gradient', 'learning-rate', 'mse', 'cross-entropy']) {
      expect(ids).toContain(id);
    }
    for (const e of GLOSSARY) {
      expect(e.definition.length).toBeGreaterThan(30);
      for (const s of e.see ?? []) expect(glossaryEntry(s), `${e.id} → ${s}`).toBeDefined();
    }
    for (const h of HISTORY) if (h.term) expect(glossaryEntry(h.term), h.title).toBeDefined();
    // Every term('id' …) in the lesson sources names an entry.
    const dir = join(ROOT, 'src/ui/lessons');
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\bterm\('([\w-]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(40);
    for (const id of used) expect(glossaryEntry(id), id).toBeDefined();
  });
});

describe('lesson 6: the digit asset', () => {
  it('encodes and decodes a digit set, and rejects broken files', () => {
    const set = syntheticDigits(30, 10, 7);
    const back = decodeDigits(encodeDigits(set));
    expect(back.side).toBe(14);
    expect(back.train.n).toBe(30);
    expect(back.test.n).toBe(10);
    expect([...back.train.labels]).toEqual([...set.train.labels]);
    expect([...back.test.images]).toEqual([...set.test.images]);
    const bytes = encodeDigits(set);
    expect(() => decodeDigits(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => decodeDigits(bad)).toThrow(/header/);
    // Synthetic digits are deterministic and have ink.
    expect([...syntheticDigits(10, 0, 7).train.images]).toEqual([...syntheticDigits(10, 0, 7).train.images]);
    const d = digitsDataset(set.train, 14);
    expect(d.inputDim).toBe(196);
    expect(d.y.filter((v) => v === 1)).toHaveLength(30);
    const mean = d.x.reduce((a, b) => a + b, 0) / d.x.length;
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(0.5);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('loads the asset over fetch, and falls back to synthetic digits (saying why) when it is missing', async () => {
    const bytes = encodeDigits(syntheticDigits(20, 10, 3));
    vi.stubGlobal('fetch', async () => new Response(new Blob([bytes.slice()])));
    const ok = await loadDigits('x.bin');
    expect(ok.fallback).toBeNull();
    expect(ok.digits.source).toBe('mnist');
    expect(ok.digits.train.n).toBe(20);
    vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
    const missing = await loadDigits('x.bin');
    expect(missing.fallback).toMatch(/404/);
    expect(missing.digits.source).toBe('synthetic');
    expect([missing.digits.train.n, missing.digits.test.n]).toEqual([4000, 1000]);
  }, 60_000);

  it('accuracy is the share of argmax hits', () => {
    const pred = new Float64Array(30);
    pred[3] = 1; // row 0 → 3
    pred[10 + 7] = 1; // row 1 → 7
    pred[20 + 1] = 1; // row 2 → 1
    expect(digitAccuracy(pred, new Uint8Array([3, 7, 2]))).toBeCloseTo(2 / 3, 15);
  });

  it.skipIf(!existsSync(join(ROOT, 'public/mnist-digits.bin')))('the shipped asset holds 4000 + 1000 digits, 400 + 100 of each class', () => {
    const set = decodeDigits(readFileSync(join(ROOT, 'public/mnist-digits.bin')));
    expect(set.side).toBe(14);
    expect([set.train.n, set.test.n]).toEqual([4000, 1000]);
    for (let k = 0; k < 10; k++) {
      expect(set.train.labels.filter((l) => l === k)).toHaveLength(400);
      expect(set.test.labels.filter((l) => l === k)).toHaveLength(100);
    }
    const ink = set.train.images.reduce((a, b) => a + b, 0) / set.train.images.length / 255;
    expect(ink).toBeGreaterThan(0.08);
    expect(ink).toBeLessThan(0.3);
  });
});
