/**
 * The lessons page (lessons.html) in headless Chromium: every lesson loads by its URL and its live parts respond;
 * lesson 3's chain-rule factors equal values computed here; lesson 4's logged losses equal the CLI's for the
 * xor-classic preset; lesson 6's ReLU network reaches the stated held-out accuracy on the CPU path; presenter
 * and embed modes; no console errors and no request leaving the origin. Screenshots go to test-artifacts/.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { numpyColumn } from '../../src/ui/lessons/classic-numpy.js';
import { LAB_EXPERIMENTS, labFor } from '../../src/ui/lessons/lab-links.js';
import { RECIPE } from '../../src/ui/lessons/recipe.js';
import { MNIST_CLAIM } from '../../src/ui/lessons/mnist-setup.js';
import { type AppSession, openApp } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Folder served: dist/ when the build includes lessons.html, else a build of its own (until vite.config.ts lists the page). */
let root = join(ROOT, 'dist');
let ownBuild: string | null = null;

beforeAll(async () => {
  if (existsSync(join(root, 'lessons.html'))) return;
  ownBuild = await mkdtemp(join(tmpdir(), 'lessons-dist-'));
  await build({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel: 'warn',
    mode: 'production',
    build: { outDir: ownBuild, emptyOutDir: true, rolldownOptions: { input: { lessons: join(ROOT, 'lessons.html') } } },
  });
  root = ownBuild;
});

afterAll(async () => {
  if (ownBuild) await rm(ownBuild, { recursive: true, force: true });
});

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Opens the lessons page at `hash` (and query). */
async function open(query: string, opts: { webgpu?: boolean; viewport?: { width: number; height: number } } = {}): Promise<AppSession> {
  app = await openApp(`/lessons.html${query}`, { root, webgpu: opts.webgpu ?? false, viewport: opts.viewport ?? { width: 1280, height: 720 } });
  await app.page.waitForFunction(() => customElements.get('bp-lessons-app') !== undefined);
  return app;
}

/** The lesson element's tag on show. */
function lessonTag(page: Page): Promise<string> {
  return page.$eval('bp-lessons-app', (el) => el.shadowRoot!.querySelector('main > *')!.tagName.toLowerCase());
}

/** Evaluate inside the shown lesson's shadow root. */
function inLesson<T, A>(page: Page, fn: (root: ShadowRoot, host: HTMLElement, arg: A) => T, arg?: A): Promise<T> {
  return page.$eval(
    'bp-lessons-app',
    (el, src, a) => {
      const host = el.shadowRoot!.querySelector('main > *') as HTMLElement;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return (new Function(`return (${src})`)() as (r: ShadowRoot, h: HTMLElement, a: unknown) => T)(host.shadowRoot!, host, a);
    },
    fn.toString(),
    arg as unknown,
  ) as Promise<T>;
}

/** Clicks a button (by name) of the shown lesson. */
async function click(page: Page, name: string): Promise<void> {
  await inLesson(page, (r, _h, n) => (r.querySelector(`[name="${n}"]`) as HTMLElement).click(), name);
}

/** Waits until the shown lesson's host has data-<key> = value. */
async function waitData(page: Page, key: string, value: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (k, v) => (document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *') as HTMLElement).dataset[k] === v,
    { timeout, polling: 100 },
    key,
    value,
  );
}

function clean(session: AppSession, allowed: RegExp[] = []): void {
  expect(session.pageErrors).toEqual([]);
  expect(session.consoleErrors.filter((e) => !allowed.some((a) => a.test(e)))).toEqual([]);
  expect(session.foreignRequests()).toEqual([]);
}

const TAGS = ['bp-lesson-intuition', 'bp-lesson-history', 'bp-lesson-neuron', 'bp-lesson-two-layers', 'bp-lesson-deep', 'bp-lesson-mnist', 'bp-lesson-questions', 'bp-lesson-glossary'];

describe('lessons page', () => {
  it('shows every lesson at its URL, with steps, glossary terms that resolve, and a screenshot each', async () => {
    const { page } = await open('#/1');
    const terms = new Set<string>();
    for (let n = 1; n <= 8; n++) {
      await page.evaluate((k) => (location.hash = `#/${k}`), n);
      await page.waitForFunction((t) => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')?.tagName.toLowerCase() === t, {}, TAGS[n - 1]!);
      expect(await lessonTag(page)).toBe(TAGS[n - 1]);
      const info = await inLesson(page, (r) => ({
        steps: r.querySelectorAll('section.step').length,
        h2: r.querySelector('h2')?.textContent ?? '',
        terms: [...r.querySelectorAll('bp-term')].map((t) => ({ id: t.getAttribute('term')!, tip: t.shadowRoot!.querySelector('.tip')?.textContent ?? '' })),
      }));
      expect(info.steps, `lesson ${n}`).toBeGreaterThan(0);
      expect(info.h2.length).toBeGreaterThan(3);
      for (const t of info.terms) {
        expect(t.tip.length, `term ${t.id} in lesson ${n}`).toBeGreaterThan(20);
        terms.add(t.id);
      }
      await inLesson(page, (_r, h) => (h as unknown as { updateComplete: Promise<unknown> }).updateComplete);
      await app!.screenshot(`lesson-${n}`);
    }
    // Terms are linked across the course, and the glossary lists each of them under its anchor.
    expect(terms.size).toBeGreaterThan(25);
    const anchors = await inLesson(page, (r) => [...r.querySelectorAll('dt[data-term]')].map((d) => d.getAttribute('data-term')));
    for (const t of terms) expect(anchors).toContain(t);
    expect(await page.title()).toContain('Glossary');
    // A term shows its definition on keyboard focus.
    await page.evaluate(() => (location.hash = '#/3'));
    await page.waitForFunction(() => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('bp-lesson-neuron') !== null);
    const tip = await inLesson(page, async (r) => {
      const t = r.querySelector('bp-term[term="neuron"]')!;
      (t.shadowRoot!.querySelector('a') as HTMLAnchorElement).focus();
      await new Promise((res) => requestAnimationFrame(res));
      return getComputedStyle(t.shadowRoot!.querySelector('.tip')!).display;
    });
    expect(tip).toBe('block');
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'lesson-term-focus.png') });
    clean(app!);
  });

  it('lesson 1: the chain product follows the factor and depth controls', async () => {
    const { page } = await open('#/1');
    const product = () => inLesson(page, (r) => Number(r.querySelector('bp-vanishing-chain')!.shadowRoot!.querySelector('[data-product]')!.getAttribute('data-product')));
    expect(await product()).toBeCloseTo(0.25 ** 20, 25);
    await inLesson(page, (r) => {
      const chain = r.querySelector('bp-vanishing-chain')!.shadowRoot!;
      const depth = chain.querySelector('input[name="depth"]') as HTMLInputElement;
      depth.value = '30';
      depth.dispatchEvent(new Event('input'));
      (chain.querySelector('button[name="explode"]') as HTMLButtonElement).click();
    });
    await page.waitForFunction(
      (want) => {
        const chain = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelector('bp-vanishing-chain')!.shadowRoot!;
        return Math.abs(Number(chain.querySelector('[data-product]')!.getAttribute('data-product')) / want - 1) < 1e-12;
      },
      {},
      1.5 ** 30,
    );
    expect((await product()) / 1.5 ** 30).toBeCloseTo(1, 12);
    // The aiming game: one shot and one correction at η = 0.02 halve the miss (factor 1 − 0.02·25).
    const misses = await inLesson(page, async (r) => {
      const game = r.querySelector('bp-aim-game')!;
      const root = game.shadowRoot!;
      const miss = () => Number(root.querySelector('[data-miss]')!.getAttribute('data-miss'));
      (root.querySelector('button[name="shoot"]') as HTMLButtonElement).click();
      await (game as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      const first = miss();
      (root.querySelector('button[name="correct"]') as HTMLButtonElement).click();
      await (game as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      return [first, miss()];
    });
    expect(misses[0]).toBeCloseTo(6 * 5 - 62, 10);
    expect(misses[1]! / misses[0]!).toBeCloseTo(0.5, 10);
    clean(app!);
  });

  it('lesson 3: every chain-rule factor matches an independent computation after w changes', async () => {
    const { page } = await open('#/3');
    const setField = (name: string, value: number) =>
      inLesson(
        page,
        async (r, h, a) => {
          const input = r.querySelector(`input[name="${a.name}"]`) as HTMLInputElement;
          input.value = String(a.value);
          input.dispatchEvent(new Event('input'));
          await (h as unknown as { updateComplete: Promise<unknown> }).updateComplete;
        },
        { name, value },
      );
    const factors = () =>
      inLesson(page, (r) => Object.fromEntries([...r.querySelectorAll('[data-factor]')].map((c) => [c.getAttribute('data-factor'), Number(c.getAttribute('data-value'))])));
    for (const w of [-1.7, 0.3, 4.2]) {
      await setField('w', w);
      const got = await factors();
      const x = 1.5;
      const b = -0.2;
      const y = 1;
      const lr = 0.5;
      const z = w * x + b;
      const s = 1 / (1 + Math.exp(-z));
      const expected: Record<string, number> = {
        z,
        yHat: s,
        loss: 0.5 * (y - s) ** 2,
        dLdYHat: s - y,
        dYHatdZ: s * (1 - s),
        dZdW: x,
        dZdB: 1,
        dLdW: (s - y) * s * (1 - s) * x,
        dLdB: (s - y) * s * (1 - s),
        wNext: w - lr * (s - y) * s * (1 - s) * x,
        bNext: b - lr * (s - y) * s * (1 - s),
      };
      // Finite differences of the loss agree with the page's gradient as well.
      const L = (ww: number, bb: number) => 0.5 * (y - 1 / (1 + Math.exp(-(ww * x + bb)))) ** 2;
      const h = 1e-6;
      expect(got['dLdW']).toBeCloseTo((L(w + h, b) - L(w - h, b)) / (2 * h), 8);
      for (const [k, v] of Object.entries(expected)) expect(got[k], k).toBeCloseTo(v, 12);
      expect(got['dYHatdZ']).toBeLessThanOrEqual(0.25);
    }
    // One step lowers the loss; the step button moves w to the shown new w.
    const before = await factors();
    await click(page, 'take-step');
    const after = await factors();
    expect(after['z']).toBeCloseTo(before['wNext']! * 1.5 + before['bNext']!, 12);
    expect(after['loss']).toBeLessThan(before['loss']!);
    await app!.screenshot('lesson-3-after-step');
    clean(app!);
  });

  it('lesson 4: the logged losses equal the CLI\'s for preset xor-classic', async () => {
    const cli = await run('node', ['scripts/lab.mjs', 'train', '--preset', 'xor-classic', '--json'], { cwd: ROOT });
    const expected = cli.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"step"'))
      .map((l) => JSON.parse(l) as { step: number; loss: number });
    expect(expected.map((e) => e.step)).toEqual([0, 2000, 4000, 6000, 8000, 9999]);
    const { page } = await open('#/4');
    await waitData(page, 'state', 'idle', 30_000);
    // Walk one step phase by phase: the highlighted code lines follow the phases.
    const highlighted = () => inLesson(page, (r) => [...new Set([...r.querySelectorAll('.line.on')].map((l) => l.getAttribute('data-phase')))]);
    for (const phase of ['forward', 'loss', 'backward', 'update']) {
      await click(page, 'phase');
      await page.waitForFunction(
        (p) => {
          const host = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!;
          return [...host.shadowRoot!.querySelectorAll('.line.on')].some((l) => l.getAttribute('data-phase') === p);
        },
        { timeout: 10_000 },
        phase,
      );
      expect(await highlighted()).toEqual([phase]);
    }
    await app!.screenshot('lesson-4-phases');
    await click(page, 'play');
    await waitData(page, 'state', 'done');
    const shown = await inLesson(page, (r) =>
      [...r.querySelectorAll('tr[data-step]')].map((tr) => ({ step: Number(tr.getAttribute('data-step')), loss: Number(tr.querySelector('[data-loss]')!.getAttribute('data-loss')), text: tr.querySelector('[data-loss]')!.textContent })),
    );
    expect(shown.map((s) => s.step)).toEqual(expected.map((e) => e.step));
    shown.forEach((s, i) => {
      expect(Math.abs(s.loss - expected[i]!.loss)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[i]!.loss)));
      expect(s.text).toBe(expected[i]!.loss.toPrecision(12));
    });
    const boundary = await inLesson(page, (r) => (r.querySelector('bp-decision-boundary') as unknown as { exportCanvas(): unknown }).exportCanvas() !== null);
    expect(boundary).toBe(true);
    await app!.screenshot('lesson-4-trained');
    clean(app!);
  });

  it('lesson 4: AND runs as the text\'s exercise (seed 0, 5000 epochs) and prints the NumPy fixture\'s losses and final a2; XOR prints its rounded predictions', async () => {
    const { page } = await open('#/4');
    await waitData(page, 'state', 'idle', 30_000);
    // The equations render as MathML (no TeX left), one per line of the loop, highlighted with the code.
    const math = await inLesson(page, (r) => ({
      count: r.querySelectorAll('.eq math').length,
      ns: [...r.querySelectorAll('.eq math, .eq mfrac')].every((m) => m.namespaceURI === 'http://www.w3.org/1998/Math/MathML'),
      tex: /\\frac|\\partial|\$/.test(r.querySelector('.equations')!.textContent ?? ''),
    }));
    expect(math).toEqual({ count: 14, ns: true, tex: false });
    await click(page, 'phase');
    await page.waitForFunction(() => {
      const host = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!;
      return host.shadowRoot!.querySelectorAll('.eq.on').length === 4;
    });
    expect(await inLesson(page, (r) => [...r.querySelectorAll('.eq.on')].map((e) => e.getAttribute('data-phase')))).toEqual(['forward', 'forward', 'forward', 'forward']);

    const fixture = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/classic.json'), 'utf8')) as { presets: { preset: string; logged: Record<string, number>; last_a2: number[][] }[] };
    const and = fixture.presets.find((p) => p.preset === 'and-classic')!;
    await inLesson(page, (r) => {
      const sel = r.querySelector('select[name="dataset"]') as HTMLSelectElement;
      sel.value = 'and';
      sel.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => {
      const r = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!;
      return (r.querySelector('input[name="epochs"]') as HTMLInputElement).value === '5000' && (r.querySelector('input[name="seed"]') as HTMLInputElement).value === '0';
    });
    await waitData(page, 'state', 'idle', 30_000);
    await click(page, 'play');
    await waitData(page, 'state', 'done');
    await page.waitForFunction(() => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelector('[data-summary]') !== null);
    const shown = await inLesson(page, (r) => ({
      output: r.querySelector('[data-output]')!.textContent!.split('\n'),
      a2: [...r.querySelectorAll('tr[data-a2]')].map((tr) => ({ value: Number(tr.getAttribute('data-a2')), text: tr.children[3]!.textContent })),
      preset: r.querySelector('[data-preset]')!.getAttribute('data-preset'),
      summary: r.querySelector('[data-summary]')!.getAttribute('data-wrong'),
    }));
    // Full precision: the same double to within a few units in the last place (summation order differs between
    // machines; the text's own printout and NumPy 2.4 here already differ in the 16th digit).
    expect(shown.output.slice(0, 5).map((l) => l.replace(/[\d.e-]+$/, ''))).toEqual([0, 1000, 2000, 3000, 4000].map((e) => `Epoch ${e}, Loss: `));
    shown.output.slice(0, 5).forEach((l, i) => {
      const want = and.logged[String(i * 1000)]!;
      const got = Number(l.split(': ')[1]);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-14 * want);
      expect(l.split(': ')[1]!.length).toBeGreaterThanOrEqual(17);
    });
    expect(shown.output.slice(5)).toEqual(['Trained!', 'Test predictions: [[0.02746471]', ' [0.08113197]', ' [0.08197225]', ' [0.88825806]]']);
    shown.a2.forEach((a, i) => {
      expect(Math.abs(a.value - and.last_a2[i]![0]!)).toBeLessThan(1e-12);
      expect(a.text).toBe(and.last_a2[i]![0]!.toFixed(8));
    });
    expect(shown.preset).toBe('and-classic');
    expect(shown.summary).toBe('0');
    await app!.screenshot('lesson-4-and');

    // Back to XOR: the text's own setup again (seed 42, 10 000 epochs), its printed losses and rounded predictions.
    const xor = fixture.presets.find((p) => p.preset === 'xor-classic')!;
    await inLesson(page, (r) => {
      const sel = r.querySelector('select[name="dataset"]') as HTMLSelectElement;
      sel.value = 'xor';
      sel.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => (document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelector('input[name="seed"]') as HTMLInputElement).value === '42');
    await waitData(page, 'state', 'idle', 30_000);
    await click(page, 'play');
    await waitData(page, 'state', 'done');
    await page.waitForFunction(() => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelector('[data-note="xor-output"]') !== null);
    const out = await inLesson(page, (r) => r.querySelector('[data-output]')!.textContent!.split('\n'));
    expect(out).toEqual([
      ...[0, 2000, 4000, 6000, 8000].map((e) => `Epoch ${e}, Loss: ${xor.logged[String(e)]!.toFixed(4)}`),
      'Final predictions:',
      ...numpyColumn(xor.last_a2.map((r) => Math.round(r[0]!))).split('\n'),
    ]);
    expect(out.slice(0, 5).map((l) => l.slice(-6))).toEqual(['0.2558', '0.2494', '0.2454', '0.2046', '0.1532']);
    expect(out.slice(6)).toEqual(['[[0.]', ' [0.]', ' [1.]', ' [1.]]']);
    clean(app!);
  });

  it('lesson 4: the recipe\'s links open the lab at valid settings, and its last step predicts points the network never saw', async () => {
    const { page } = await open('#/4');
    await waitData(page, 'state', 'idle', 30_000);
    const links = await inLesson(page, (r) => [...r.querySelectorAll('[data-recipe]')].map((li) => ({ id: li.getAttribute('data-recipe')!, href: (li.querySelector('a[name="recipe-link"]') as HTMLAnchorElement | null)?.href ?? null })));
    expect(links.map((l) => l.id)).toEqual(['data', 'design', 'init', 'forward', 'backward', 'repeat', 'predict']);
    await click(page, 'play');
    await waitData(page, 'state', 'done');
    await page.waitForFunction(() => !(document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelector('button[name="predict-new"]') as HTMLButtonElement).disabled);
    await click(page, 'predict-new');
    await page.waitForFunction(() => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!.shadowRoot!.querySelectorAll('tr[data-unseen]').length === 6);
    for (const link of links) {
      const step = RECIPE.find((r) => r.id === link.id)!;
      expect(link.href !== null, link.id).toBe(step.lab !== null);
      if (!link.href) continue;
      await page.goto(link.href, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__lab !== undefined, { timeout: 30_000 });
      await page.evaluate(() => window.__lab!.ready());
      expect(await page.evaluate(() => window.__lab!.lab()), link.id).toEqual(labFor(step.lab!));
      const notices = await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!.trim());
      expect(notices, link.id).not.toMatch(/Not applied|not valid/);
    }
    clean(app!);
  });

  it('lesson 5: the sigmoid stack\'s first-layer gradient is far below the ReLU stack\'s; the optimizer race runs', async () => {
    const { page } = await open('#/5');
    await page.waitForFunction(() => {
      const host = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!;
      return host.shadowRoot!.querySelector('[data-ratio="sigmoid"]') !== null;
    });
    const ratios = await inLesson(page, (r) => ({
      sigmoid: Number(r.querySelector('[data-ratio="sigmoid"]')!.getAttribute('data-value')),
      relu: Number(r.querySelector('[data-ratio="relu"]')!.getAttribute('data-value')),
      links: [...r.querySelectorAll('a[href^="./index.html?"]')].map((a) => a.getAttribute('href')!),
    }));
    expect(ratios.sigmoid).toBeLessThan(1e-3);
    expect(ratios.relu).toBeGreaterThan(1e-2);
    expect(ratios.links.length).toBeGreaterThanOrEqual(4);
    await click(page, 'play-race');
    await waitData(page, 'raceStep', '800');
    const acc = await inLesson(page, (r) => Object.fromEntries([...r.querySelectorAll('tr[data-run]')].map((tr) => [tr.getAttribute('data-run'), Number(tr.querySelector('[data-accuracy]')!.getAttribute('data-accuracy'))])));
    expect(acc['adam']).toBeGreaterThan(0.95);
    expect(acc['sgd']).toBeLessThan(0.55);
    await app!.screenshot('lesson-5-race');
    clean(app!);
  });

  it(`lesson 6: the ReLU network reaches ${MNIST_CLAIM.reluAbove * 100} % held-out accuracy within ${MNIST_CLAIM.steps} steps on the CPU`, async () => {
    const { page } = await open('#/6');
    await page.waitForFunction(() => {
      const host = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *') as HTMLElement;
      return host.dataset['state'] === 'idle';
    }, { timeout: 30_000 });
    const source = await inLesson(page, (_r, h) => h.dataset['source']);
    await click(page, 'play');
    await waitData(page, 'state', 'done', 170_000);
    const acc = await inLesson(page, (r, h) => ({
      step: Number(h.dataset['step']),
      sigmoid: Number(r.querySelector('[data-test-accuracy="sigmoid"]')!.getAttribute('data-value')),
      relu: Number(r.querySelector('[data-test-accuracy="relu"]')!.getAttribute('data-value')),
    }));
    console.log(`lesson 6 (${source} digits): after ${acc.step} steps, held-out accuracy sigmoid ${acc.sigmoid}, ReLU ${acc.relu}`);
    expect(acc.step).toBe(MNIST_CLAIM.steps);
    expect(acc.relu).toBeGreaterThan(MNIST_CLAIM.reluAbove);
    expect(acc.sigmoid).toBeLessThan(MNIST_CLAIM.sigmoidBelow);
    await click(page, 'measure');
    await page.waitForFunction(() => {
      const host = document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')!;
      return host.shadowRoot!.querySelectorAll('tr[data-backend]').length === 2;
    }, { timeout: 60_000 });
    const speed = await inLesson(page, (r) => [...r.querySelectorAll('tr[data-backend]')].map((tr) => ({ backend: tr.getAttribute('data-backend'), ms: tr.querySelector('[data-ms]')!.getAttribute('data-ms'), text: tr.textContent })));
    expect(Number(speed[0]!.ms)).toBeGreaterThan(0);
    expect(speed[1]!.ms).toBe('');
    expect(speed[1]!.text).toMatch(/not available/);
    await app!.screenshot('lesson-6-trained');
    clean(app!, source === 'synthetic' ? [/mnist-digits\.bin|404/] : []);
  });

  it('lesson 7: the text\'s five questions reveal their answers, and every experiment link opens the lab with its settings and no notice', async () => {
    const { page } = await open('#/7');
    const text = await inLesson(page, (r) =>
      [...r.querySelectorAll('section[data-text-question]')].map((s) => ({
        id: s.getAttribute('data-text-question'),
        question: s.querySelector('h3')!.textContent,
        answer: (s.querySelector('.answer') as HTMLElement).hidden,
        answerText: s.querySelector('.answer')!.textContent!.trim(),
        links: [...s.querySelectorAll('a[name="experiment"]')].map((a) => ({ href: (a as HTMLAnchorElement).href, experiment: a.getAttribute('data-experiment')! })),
      })),
    );
    expect(text.map((q) => q.question)).toEqual([
      '1. Why do we need an activation function?',
      '2. How does the choice of activation function affect vanishing gradients?',
      '3. How does the learning rate influence training?',
      '4. How do we mitigate vanishing gradient problems?',
      '5. What are alternative optimizers to vanilla gradient descent?',
    ]);
    expect(text.every((q) => q.answer && q.answerText.length > 200 && q.links.length > 0)).toBe(true);
    expect(text[3]!.links).toHaveLength(4);
    // The eight further questions stay, after the five.
    expect(await inLesson(page, (r) => r.querySelectorAll('section[data-question]').length)).toBe(8);
    await click(page, 'reveal');
    expect(await inLesson(page, (r) => (r.querySelector('section[data-text-question] .answer') as HTMLElement).hidden)).toBe(false);
    // Every experiment link of the five: the lab opens with exactly the prepared spec and says nothing was not applied.
    for (const link of text.flatMap((q) => q.links)) {
      await page.goto(link.href, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__lab !== undefined, { timeout: 30_000 });
      await page.evaluate(() => window.__lab!.ready());
      const lab = await page.evaluate(() => window.__lab!.lab());
      expect(lab, link.experiment).toEqual(labFor(LAB_EXPERIMENTS[link.experiment as keyof typeof LAB_EXPERIMENTS]));
      const notices = await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!.trim());
      expect(notices, link.experiment).not.toMatch(/Not applied|not valid/);
    }
    clean(app!);
  });

  it('every lesson fits a 390 px wide phone without sideways scrolling', async () => {
    const { page } = await open('#/1', { viewport: { width: 390, height: 844 } });
    const wide: string[] = [];
    for (let n = 1; n <= 8; n++) {
      await page.evaluate((k) => (location.hash = `#/${k}`), n);
      await page.waitForFunction((t) => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *')?.tagName.toLowerCase() === t, {}, TAGS[n - 1]!);
      await inLesson(page, (_r, h) => (h as unknown as { updateComplete: Promise<unknown> }).updateComplete);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) {
        // Name the widest elements, to say what overflows.
        const culprits = await inLesson(page, (r) => [...r.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`));
        wide.push(`lesson ${n}: ${width} px (${culprits.join(', ')})`);
      }
      if (n === 4) await app!.screenshot('lesson-4-phone');
    }
    expect(wide).toEqual([]);
    clean(app!);
  });

  it('addresses out of range say what was asked for and where the page went; junk flags are off and say so', async () => {
    const notice = (page: Page) => page.$eval('bp-lessons-app', (el) => [...el.shadowRoot!.querySelectorAll('[data-route-notice] p')].map((p) => p.textContent!.trim()).join(' '));
    const { page } = await open('#/9');
    expect(await lessonTag(page)).toBe('bp-lesson-intuition');
    expect(await notice(page)).toBe('There is no lesson 9: the course has lessons 1 to 8. Showing lesson 1.');
    await page.evaluate(() => (location.hash = '#/0'));
    await page.waitForFunction(() => /no lesson 0/.test(document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('[data-route-notice]')?.textContent ?? ''));
    await page.evaluate(() => (location.hash = '#/4/2/3'));
    await page.waitForFunction(() => /is not a lesson address/.test(document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('[data-route-notice]')?.textContent ?? ''));
    expect(await lessonTag(page)).toBe('bp-lesson-intuition');
    // A good address clears the notice.
    await page.evaluate(() => (location.hash = '#/2'));
    await page.waitForFunction(() => document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('[data-route-notice]') === null);
    clean(app!);
    await app!.close();

    const presenter = await open('?present=1#/3/99');
    const p = presenter.page;
    await p.waitForFunction(() => location.hash === '#/3/4');
    expect(await notice(p)).toBe('Lesson 3 has 4 steps, so there is no step 99. Showing step 4.');
    const current = await inLesson(p, (r) => [...r.querySelectorAll('section.step')].map((s) => s.classList.contains('current')));
    expect(current).toEqual([false, false, false, true]);
    clean(presenter);
    await presenter.close();

    const junk = await open('?embed=&present=yes#/2');
    expect(await junk.page.$eval('bp-lessons-app', (el) => ({ embed: el.hasAttribute('embed'), presenting: el.hasAttribute('presenting'), header: !!el.shadowRoot!.querySelector('header') }))).toEqual({ embed: false, presenting: false, header: true });
    expect(await notice(junk.page)).toBe('present="yes" is not understood: use present=1 (on) or present=0 (off). Presenter mode is off. embed="" is not understood: use embed=1 (on) or embed=0 (off). Embed mode is off.');
    clean(junk);
  });

  it('presenter mode: keys walk the steps and lessons; embed mode shows one lesson alone', async () => {
    const { page } = await open('?present=1#/2');
    expect(await page.$eval('bp-lessons-app', (el) => el.hasAttribute('presenting'))).toBe(true);
    const current = () => inLesson(page, (r) => [...r.querySelectorAll('section.step')].findIndex((s) => s.classList.contains('current')));
    expect(await current()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => location.hash === '#/2/2');
    expect(await current()).toBe(1);
    const fontSize = await inLesson(page, (_r, h) => getComputedStyle(h).fontSize);
    expect(parseFloat(fontSize)).toBeGreaterThanOrEqual(24);
    await app!.screenshot('presenter-lesson-2');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => location.hash === '#/1');
    await page.keyboard.press('Escape');
    expect(await page.$eval('bp-lessons-app', (el) => el.hasAttribute('presenting'))).toBe(false);
    clean(app!);
    await app!.close();

    const embed = await open('?embed=1#/3');
    const parts = await embed.page.$eval('bp-lessons-app', (el) => ({ nav: !!el.shadowRoot!.querySelector('nav'), header: !!el.shadowRoot!.querySelector('header'), lesson: el.shadowRoot!.querySelector('main > *')!.tagName.toLowerCase() }));
    expect(parts).toEqual({ nav: false, header: false, lesson: 'bp-lesson-neuron' });
    await embed.screenshot('embed-lesson-3');
    clean(embed);
  });
});
