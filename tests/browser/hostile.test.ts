/**
 * The built app under hostile input: a strict CSP (no eval, no inline script), script payloads in every URL
 * parameter (shown as text in a notice, never run), absurd sizes, NaN, thousands of parameters and a 100 kB value
 * (a notice and a page that still trains), a model over the memory budget (a notice with the numbers, not a
 * crash or a frozen tab), a diverging run (stopped at its step, the other run goes on), and no request leaving
 * the origin.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElementHandle, HTTPRequest, Page } from 'puppeteer-core';
import { URL_KEYS } from '../../src/core/url-codec.js';
import { type AppSession, openApp } from './harness.js';

interface HookRun {
  status: string;
  divergedAt: number | null;
  records: { step: number; loss: number; gradNorms: readonly number[] }[];
}

let app: AppSession;
let page: Page;

beforeAll(async () => {
  app = await openApp('/?backend=cpu&depth=2&width=4&samples=20');
  page = app.page;
  await ready();
});

afterAll(async () => {
  await app?.close();
});

async function ready(): Promise<void> {
  await page.waitForFunction(() => window.__lab !== undefined, { timeout: 30_000 });
  await page.evaluate(() => window.__lab!.ready());
}

/**
 * Open `query` in the shared page and wait until the app has started. A query too long for the server's request
 * line (Node answers 431 past 16 KiB) is fetched as `/` while the page keeps the long address, so that the app
 * itself meets the long query (as it would behind a server that accepts long URLs).
 */
async function open(query: string): Promise<void> {
  const errorsBefore = app.pageErrors.length;
  const url = new URL(query, app.baseUrl).href;
  const long = url.length > 8000;
  if (long) {
    await page.setRequestInterception(true);
    const onRequest = (req: HTTPRequest) => void (req.isNavigationRequest() && req.url() === url ? req.continue({ url: app.baseUrl }) : req.continue());
    page.on('request', onRequest);
    try {
      await page.goto(url, { waitUntil: 'load' });
    } finally {
      page.off('request', onRequest);
      await page.setRequestInterception(false);
    }
  } else {
    await page.goto(url, { waitUntil: 'load' });
  }
  await ready();
  expect(app.pageErrors.slice(errorsBefore)).toEqual([]);
}

/** Type `value` into the number input `name` of the controls panel, as a user would (change event). */
async function setControl(name: string, value: string): Promise<void> {
  await page.evaluate(
    (name, value) => {
      const controls = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-controls')!.shadowRoot!;
      const input = controls.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
      input.value = value;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    name,
    value,
  );
}

/** Every pattern is found in the text, in any order. */
function expectAll(text: string, patterns: readonly RegExp[]): void {
  for (const p of patterns) expect(text).toMatch(p);
}

async function noticeText(): Promise<string> {
  const ns = await page.evaluate(() => window.__lab!.notices());
  return ns.map((n) => `${n.text} ${n.details.join(' ')}`).join('\n');
}

/** Rendered notice text (what the user sees), from the notice element's shadow root. */
async function shownNotices(): Promise<string> {
  return page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim());
}

async function runs(): Promise<HookRun[]> {
  return (await page.evaluate(() => window.__lab!.records())) as HookRun[];
}

/** The page still works: one step completes and gives every run a finite record. */
async function stillTrains(): Promise<void> {
  await page.evaluate(() => window.__lab!.step(1));
  const rs = await runs();
  expect(rs.length).toBeGreaterThan(0);
  for (const r of rs) {
    expect(r.records.length).toBeGreaterThan(0);
    expect(Number.isFinite(r.records.at(-1)!.loss)).toBe(true);
  }
}

/** Every element of the page, shadow roots included: tag names and attributes whose name starts with "on". */
async function domScan(): Promise<{ tags: string[]; handlers: string[]; scripts: string[] }> {
  return page.evaluate(() => {
    const tags = new Set<string>();
    const handlers: string[] = [];
    const scripts: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        tags.add(el.localName);
        for (const a of el.getAttributeNames()) if (a.startsWith('on')) handlers.push(`${el.localName}[${a}]`);
        if (el.localName === 'script') scripts.push((el as HTMLScriptElement).src || `inline:${el.textContent}`);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return { tags: [...tags], handlers, scripts };
  });
}

describe('security', () => {
  it('serves a CSP whose script-src allows neither eval nor inline script', async () => {
    const res = await fetch(app.baseUrl);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    expect(scriptSrc).toMatch(/^script-src 'self'/);
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toMatch(/\*|https?:|data:/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    // The page itself has no inline script for the CSP to block.
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('script payloads in every URL parameter are shown as text in a notice and run nothing', async () => {
    const payloads = [
      '<script>window.__pwned=1</script>',
      'javascript:window.__pwned=1',
      '"><img src=x onerror="window.__pwned=1">',
      '<svg onload="window.__pwned=1">',
      '${window.__pwned=1}',
      "');window.__pwned=1;//",
    ];
    const q = new URLSearchParams();
    URL_KEYS.forEach((k, i) => q.set(k, payloads[i % payloads.length]!));
    q.set('backend', 'cpu');
    const requestsBefore = app.requests.length;
    await open(`/?${q.toString()}`);
    await stillTrains();
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const text = await shownNotices();
    expect(text).toContain('not valid');
    expect(text).toContain('<script>window.__pwned=1</script>');
    expect(text).toContain('onerror=');
    const dom = await domScan();
    expect(dom.handlers).toEqual([]);
    expect(dom.tags).not.toContain('img');
    expect(dom.tags).not.toContain('iframe');
    expect(dom.scripts.every((s) => !s.startsWith('inline:'))).toBe(true);
    // Nothing was fetched for the injected <img src=x>, and the rewritten URL holds only valid settings.
    const after = app.requests.slice(requestsBefore);
    expect(after.filter((u) => /\/x(\?|$)/.test(new URL(u).pathname + new URL(u).search))).toEqual([]);
    expect(await page.evaluate(() => location.search)).not.toMatch(/script|onerror|javascript/i);
  });

  it('no request leaves the origin', () => {
    expect(app.requests.length).toBeGreaterThan(0);
    expect(app.foreignRequests()).toEqual([]);
  });
});

describe('hostile URLs', () => {
  it.each<[string, string, RegExp[]]>([
    ['huge depth and width', '/?backend=cpu&depth=1000000000&width=1e9&samples=20', [/depth: 1000000000 is not allowed/, /width: 1000000000 is not allowed/]],
    ['NaN, Infinity and -0 learning rates', '/?backend=cpu&depth=2&width=4&samples=20&lr=NaN&runLr=Infinity,-0', [/lr: "NaN" is not allowed/, /runLr \(run 1\): "Infinity" is not allowed/, /runLr \(run 2\): -?0 is not allowed/]],
    ['negative, zero and fractional sizes', '/?backend=cpu&depth=-3&width=0&samples=2.5&speed=-1', [/depth: -3 is not allowed/, /width: 0 is not allowed/, /samples: 2\.5 is not allowed/, /speed: -1 is not allowed/]],
    ['unknown enum values', '/?backend=quantum&dataset=mnist&act=swish,relu&init=zeros,he&dtype=f16&depth=2&width=4', [/backend: "quantum"/, /dataset: "mnist"/, /act \(run 1\): "swish"/, /init \(run 1\): "zeros"/, /dtype: "f16"/]],
    ['thousands of unknown parameters', `/?backend=cpu&depth=2&width=4&samples=20${'&x=1'.repeat(5000)}`, [/x: "1 \(given 5000 times\)" is not allowed; expected a known parameter/]],
    ['thousands of distinct unknown parameters', `/?backend=cpu&depth=2&width=4&samples=20&${Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&')}`, [/p0: "1" is not allowed/, /2990 more unknown parameters/]],
    ['thousands of duplicated parameters', `/?backend=cpu&depth=2&width=4&samples=20${'&depth=7'.repeat(3000)}`, [/depth: .*3001 values in all.* is not allowed; expected one value/]],
    ['a 100 kB parameter value', `/?backend=cpu&depth=2&width=4&samples=20&dataset=${'A'.repeat(100_000)}`, [/dataset: "AAAA+\.\.\." is not allowed/]],
    ['a mismatched run list and an empty parameter name', '/?backend=cpu&depth=2&width=4&samples=20&act=relu,tanh&gain=1,2,3&=5', [/gain: "1,2,3" is not allowed; expected 2 comma-separated entries/, /a parameter without a name/]],
  ])('%s: a notice, no uncaught error, a page that still trains', async (_, url, expected) => {
    await open(url);
    const text = await noticeText();
    expectAll(text, expected);
    // A short notice: one line per bad parameter, never one per repetition, never the 100 kB value.
    expect(text.length).toBeLessThan(5000);
    expect(await shownNotices()).toContain('not valid');
    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab.depth).toBeLessThanOrEqual(200);
    expect(lab.width).toBeLessThanOrEqual(1024);
    await stillTrains();
    // The page rewrote its address to the settings it really uses.
    expect((await page.evaluate(() => location.search)).length).toBeLessThan(1000);
  });
});

describe('hostile control values', () => {
  it.each([
    ['depth', 'NaN'],
    ['depth', '1e309'],
    ['depth', '-1'],
    ['depth', '100000'],
    ['width', '0'],
    ['width', '2.5'],
    ['lr', '-0'],
    ['lr', '1e309'],
    ['samples', '99999999'],
    ['noise', '-1'],
    ['logEvery', '0'],
  ])('%s = %s in the controls is not applied, with a notice naming it; the page still trains', async (name, value) => {
    await open('/?backend=cpu&depth=2&width=4&samples=20');
    const before = await page.evaluate(() => window.__lab!.lab());
    await setControl(name, value);
    await page.waitForFunction(() => window.__lab!.notices().some((n) => n.text.startsWith('Not applied')));
    const text = await noticeText();
    expect(text).toMatch(new RegExp(`${name}: .* is not allowed`));
    expect(await page.evaluate(() => window.__lab!.lab())).toEqual(before);
    await stillTrains();
  });
});

describe('limits and faults', () => {
  it('a model over the memory budget (200 layers of 1024, 20 000 samples) gives a notice with the numbers; the page stays usable', async () => {
    await open('/?backend=cpu&depth=200&width=1024&samples=20000&dataset=spiral');
    const text = await noticeText();
    expect(text).toMatch(/this model needs [\d.]+ GiB in all, over the [\d.]+ GiB budget/);
    expect(await shownNotices()).toMatch(/needs [\d.]+ GiB/);
    // Not frozen: the page still answers, and smaller settings from the controls train.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    await setControl('width', '8');
    await page.waitForFunction(() => window.__lab!.lab().width === 8);
    await page.evaluate(() => window.__lab!.ready());
    await stillTrains();
  });

  it('a ReLU run with lr 1000 diverges: stopped at its step with a notice, finite records kept, the sigmoid run goes on', async () => {
    await open('/?backend=cpu&logEvery=1&runLr=,1000');
    await page.evaluate(() => window.__lab!.step(20));
    const [sig, relu] = await runs();
    expect(relu!.status).toBe('diverged');
    const k = relu!.divergedAt!;
    expect(k).toBeGreaterThan(0);
    expect(k).toBeLessThan(20);
    expect(relu!.records.map((r) => r.step)).toEqual(Array.from({ length: k }, (_, i) => i));
    expect(relu!.records.every((r) => Number.isFinite(r.loss) && r.gradNorms.every(Number.isFinite))).toBe(true);
    expect(sig!.status).toBe('active');
    expect(sig!.records.at(-1)!.step).toBe(19);
    expect(await shownNotices()).toContain(`diverged at step ${k}`);
    await page.evaluate(() => window.__lab!.step(5));
    const after = await runs();
    expect(after[0]!.records.at(-1)!.step).toBe(24);
    expect(after[1]!.records.length).toBe(k);
    expect(app.foreignRequests()).toEqual([]);
  });
});

/** The transport's Play and Step buttons and its step count, once the page has rendered its latest state. */
async function transport(): Promise<{ play: string; playDisabled: boolean; stepDisabled: boolean; step: string }> {
  return page.evaluate(async () => {
    const app = document.querySelector('bp-app')!;
    await app.updateComplete;
    const t = app.shadowRoot!.querySelector('bp-transport')!;
    await t.updateComplete;
    const root = t.shadowRoot!;
    const play = root.querySelector<HTMLButtonElement>('button[name=play]')!;
    const step = root.querySelector<HTMLButtonElement>('button[name=step]')!;
    return { play: play.textContent!.trim(), playDisabled: play.disabled, stepDisabled: step.disabled, step: /step (\d+)/.exec(root.querySelector('legend')!.textContent!)![1]! };
  });
}

/** The CSV panel's text, as the user sees it. */
async function dataPanelText(): Promise<string> {
  return page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.textContent!.replace(/\s+/g, ' '));
}

async function csvInput(): Promise<ElementHandle<HTMLInputElement>> {
  return (await page.evaluateHandle(() =>
    document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.querySelector('input[type=file]'),
  )) as unknown as ElementHandle<HTMLInputElement>;
}

describe('defects from hostile use', () => {
  it('a per-run list of the wrong length is ignored as a whole, as the notice says, and the address shows what is used', async () => {
    await open('/?backend=cpu&depth=2&width=4&samples=20&act=sigmoid,relu&gain=1,2,3');
    expect(await noticeText()).toMatch(/gain: "1,2,3" is not allowed; expected 2 comma-separated entries, one per run/);
    expect((await page.evaluate(() => window.__lab!.lab())).runs.map((r) => r.gain)).toEqual([1, 1]);
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('gain')).toBe('1,1');
    await open('/?backend=cpu&depth=2&width=4&samples=20&act=sigmoid,relu,tanh&init=he');
    expect((await page.evaluate(() => window.__lab!.lab())).runs.map((r) => `${r.activation}/${r.init}`)).toEqual(['sigmoid/xavier', 'relu/he', 'tanh/xavier']);
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('init')).toBe('xavier,he,xavier');
    await stillTrains();
  });

  it("a rejected per-run learning rate from the controls is named as Run 2's learning rate (runLr), not runs[1].lr", async () => {
    await open('/?backend=cpu&depth=2&width=4&samples=20');
    await page.evaluate(() => {
      const run2 = document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')[1]!.shadowRoot!;
      const input = run2.querySelector<HTMLInputElement>('input[name=runLr]')!;
      input.value = '-1';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => window.__lab!.notices().some((n) => n.text.startsWith('Not applied')));
    const text = await noticeText();
    expect(text).toContain("Run 2's learning rate (runLr): -1 is not allowed");
    expect(text).not.toContain('runs[');
    expect((await page.evaluate(() => window.__lab!.lab())).runs[1]!.lr).toBeNull();
  });

  it('a lab over the budget names depth, width, batch and data, keeps Play and Step off, and plays once it fits', async () => {
    await open('/?backend=cpu&depth=200&width=1024');
    const text = await noticeText();
    expectAll(text, [
      /Cannot build the networks: this model needs [\d.]+ GiB in all, over the [\d.]+ GiB budget/,
      /Play stays off until they fit/,
      /depth at most \d+ \(now 200\)/,
      /width at most \d+ \(now 1024\)/,
      /batch: no value fits unless other settings change too \(now full batch, 200 rows\)/,
      /samples: no value fits unless other settings change too \(now 200\)/,
    ]);
    expect(await transport()).toEqual({ play: 'Play', playDisabled: true, stepDisabled: true, step: '0' });
    // Neither the hook nor the space key starts a loop that can never step.
    await page.evaluate(() => {
      window.__lab!.play();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ' }));
    });
    expect(await transport()).toEqual({ play: 'Play', playDisabled: true, stepDisabled: true, step: '0' });
    await setControl('depth', '3');
    await page.waitForFunction(() => window.__lab!.lab().depth === 3);
    await stillTrains();
    expect(await noticeText()).not.toContain('Cannot build');
    expect(await transport()).toMatchObject({ play: 'Play', playDisabled: false, stepDisabled: false });
  });

  it('a CSV too big for the budget is read in a worker with progress, then refused with what to change; the data in use stays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bp-big-csv-'));
    try {
      const small = ['x1,x2,label', ...Array.from({ length: 40 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2 ? 'a' : 'b'}`)];
      await writeFile(join(dir, 'small.csv'), `${small.join('\n')}\n`);
      const rows = ['x1,x2,label'];
      for (let i = 0; i < 950_000; i++) rows.push(`${(Math.sin(i) * 10).toFixed(4)},${(Math.cos(i * 1.7) * 10).toFixed(4)},${i % 2 ? 'a' : 'b'}`);
      await writeFile(join(dir, 'big.csv'), `${rows.join('\n')}\n`);

      await open('/?backend=cpu');
      await (await csvInput()).uploadFile(join(dir, 'small.csv'));
      await page.waitForFunction(() => window.__lab!.notices().some((n) => n.text.startsWith('Training on small.csv')));
      expect(await dataPanelText()).toContain('small.csv: 40 rows');

      // Record every progress value the panel shows while the file is read.
      await page.evaluate(() => {
        const root = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!;
        const seen: number[] = [];
        (window as unknown as { progressSeen: number[] }).progressSeen = seen;
        new MutationObserver(() => {
          const p = root.querySelector('progress');
          if (p) seen.push(p.value);
        }).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await (await csvInput()).uploadFile(join(dir, 'big.csv'));
      await page.waitForFunction(() => window.__lab!.notices().some((n) => n.text.startsWith('big.csv was not loaded')), { timeout: 170_000 });
      const text = await noticeText();
      expectAll(text, [
        /big\.csv was not loaded: with its 950000 rows, this model needs [\d.]+ GiB in all, over the [\d.]+ GiB budget/,
        /small\.csv stays in use/,
        /batch at most \d+ rows per step \(now full batch, 950000 rows\)/,
        /rows of the file at most \d+ \(now 950000\)/,
      ]);
      const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
      expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
      const panel = await dataPanelText();
      expect(panel).toContain('small.csv: 40 rows');
      expect(panel).not.toContain('Reading big.csv');
      expect(panel).not.toMatch(/big\.csv:/);
      await stillTrains();
      expect(app.pageErrors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

