/**
 * The built lab app in headless Chromium (SwiftShader WebGPU): the default sigmoid-vs-ReLU comparison trains on
 * the CPU and WebGPU paths, every chart gets data, the sigmoid stack's first-layer gradient is far smaller than
 * the ReLU stack's (the vanishing gradient, read from the app's own records), backend choice and its reason,
 * URL round trip, corrupted URLs, the keyboard, and no request leaving the origin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { badge, clean, click, notices, ready, RUN, runs, setField, text, type HookRun } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Small default comparison: 20 layers of 32 on 200 spiral points (the defaults, spelled out). */
const SMALL = 'depth=20&width=32&samples=200&dataset=spiral&logEvery=10';

/** For every chart element of the grid: its tag and whether it has something drawn (exportCanvas() non-null). */
async function chartsDrawn(page: Page): Promise<{ tag: string; drawn: boolean }[]> {
  return page.evaluate(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const tags = ['bp-loss-chart', 'bp-gradient-profile', 'bp-grad-heatmap', 'bp-saturation-chart', 'bp-decision-boundary'];
    return tags.flatMap((tag) =>
      [...grid.querySelectorAll(tag)].map((el) => ({ tag, drawn: (el as unknown as { exportCanvas(): unknown }).exportCanvas() !== null })),
    );
  });
}

/** Steps/s while playing, once the app has closed its first throughput window (a condition, not a duration). */
async function measureRate(page: Page): Promise<{ stepsPerSec: number; gflops: number } | null> {
  await page.evaluate(() => window.__lab!.play());
  await page.waitForFunction(() => window.__lab!.rates() !== null, { timeout: 120_000 });
  const rate = await page.evaluate(() => window.__lab!.rates());
  await page.evaluate(() => window.__lab!.pause());
  return rate;
}

/** Resolves after `n` animation frames of the page (frames, not milliseconds: a busy machine only makes them later). */
async function frames(page: Page, n: number): Promise<void> {
  await page.evaluate(async (count) => {
    for (let i = 0; i < count; i++) await new Promise((r) => requestAnimationFrame(r));
  }, n);
}

/** Train `steps` steps and check the vanishing-gradient picture in the records. */
async function trainAndCheck(page: Page, steps: number): Promise<HookRun[]> {
  await page.evaluate((n) => window.__lab!.step(n), steps);
  const rs = await runs(page);
  expect(rs.map((r) => r.activation)).toEqual(['sigmoid', 'relu']);
  const [sig, relu] = rs as [HookRun, HookRun];
  const logged = [0, 10, 20, steps - 1].filter((s, i, a) => s < steps && a.indexOf(s) === i);
  expect(sig.records.map((r) => r.step)).toEqual(logged);
  expect(relu.records.map((r) => r.step)).toEqual(logged);
  for (const r of [sig, relu]) {
    expect(r.status).toBe('active');
    expect(r.boundary).toBe(true);
    for (const rec of r.records) expect(Number.isFinite(rec.loss)).toBe(true);
    expect(r.records[0]!.loss).toBeGreaterThan(0.6);
    expect(r.records[0]!.loss).toBeLessThan(0.8);
  }
  // The headline: the gradient reaching the first layer of the sigmoid stack is ≥ 100× smaller than the ReLU stack's.
  for (let i = 0; i < logged.length; i++) {
    const gs = sig.records[i]!.gradNorms[0]!;
    const gr = relu.records[i]!.gradNorms[0]!;
    expect(gr).toBeGreaterThan(1e-4);
    expect(gs * 100).toBeLessThan(gr);
  }
  // Gradient norms of the ReLU stack stay within a few orders of magnitude across layers; the sigmoid ones fall.
  const sg = sig.records[0]!.gradNorms;
  expect(sg[sg.length - 1]! / Math.max(sg[0]!, 1e-300)).toBeGreaterThan(1e3);
  const charts = await chartsDrawn(page);
  expect(charts.map((c) => c.tag).sort()).toEqual(
    ['bp-decision-boundary', 'bp-decision-boundary', 'bp-grad-heatmap', 'bp-grad-heatmap', 'bp-gradient-profile', 'bp-loss-chart', 'bp-saturation-chart'].sort(),
  );
  // Charts draw on the next animation frame.
  await page.waitForFunction(
    () => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      return [...grid.querySelectorAll('bp-loss-chart, bp-gradient-profile, bp-saturation-chart')].every(
        (el) => (el as unknown as { exportCanvas(): unknown }).exportCanvas() !== null,
      );
    },
    { timeout: 10_000 },
  );
  for (const c of await chartsDrawn(page)) expect(c, c.tag).toEqual({ tag: c.tag, drawn: true });
  return rs;
}

describe('lab app on the CPU path', () => {
  it('trains the default comparison: sigmoid first-layer gradient ≥ 100× smaller than ReLU, every chart drawn', async () => {
    app = await openApp(`/?backend=cpu&${SMALL}`, { viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await ready(page);
    expect(await page.title()).toBe('Backprop Lab');
    const info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.kind).toBe('cpu');
    expect(info.reason).toBe('user choice');
    expect(await badge(page)).toMatch(/^CPU .*user choice/);
    await app.screenshot('app-cpu-start');
    await trainAndCheck(page, 30);
    await app.screenshot('app-cpu-trained');
    await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('main')!.scrollTo(0, 10_000));
    await app.screenshot('app-cpu-trained-lower');
    const rate = await measureRate(page);
    expect(rate).not.toBeNull();
    expect(rate!.stepsPerSec).toBeGreaterThan(0);
    console.log(`CPU (headless Chromium, 2 cores): default comparison ${rate!.stepsPerSec.toFixed(1)} steps/s, ${rate!.gflops.toFixed(3)} GFLOP/s`);
    clean(app);
  });

  it('plays and steps from the keyboard (space, →)', async () => {
    app = await openApp(`/?backend=cpu&depth=3&width=8&samples=50`);
    const { page } = app;
    await ready(page);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.__lab!.records()[0]!.records.length === 1);
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.__lab!.records()[0]!.records.length >= 3, { timeout: 20_000 });
    await page.keyboard.press(' ');
    // Once the trainer has acted on the pause (the steps in flight done), ten more frames of the page add no step.
    await page.evaluate(() => window.__lab!.settled());
    expect(await text(page, ['bp-app', 'bp-transport'], 'button[name=play]')).toBe('Play');
    const n = (await runs(page))[0]!.records.length;
    await frames(page, 10);
    expect((await runs(page))[0]!.records.length).toBe(n);
    clean(app);
  });
});

describe('lab app on WebGPU (SwiftShader)', () => {
  it('reports the SwiftShader adapter when WebGPU is forced, and trains the default comparison', async () => {
    app = await openApp(`/?backend=webgpu&${SMALL}`, { webgpu: true });
    const { page } = app;
    await ready(page);
    const info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.kind).toBe('webgpu');
    expect(info.name.toLowerCase()).toContain('swiftshader');
    expect(await badge(page)).toMatch(/WebGPU.*swiftshader/i);
    await trainAndCheck(page, 21);
    await app.screenshot('app-webgpu-trained');
    const rate = await measureRate(page);
    console.log(`WebGPU (SwiftShader, headless Chromium): default comparison ${rate ? rate.stepsPerSec.toFixed(2) : '—'} steps/s, ${rate ? rate.gflops.toFixed(4) : '—'} GFLOP/s`);
    clean(app);
  });

  it('on auto picks the CPU over a software adapter and says why', async () => {
    app = await openApp('/?backend=auto&depth=3&width=8', { webgpu: true });
    const { page } = app;
    await ready(page);
    const info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.kind).toBe('cpu');
    expect(info.reason).toMatch(/software|fallback/i);
    expect(await badge(page)).toMatch(/^CPU .*(software|fallback)/i);
    clean(app);
  });

  it('without a WebGPU adapter says so and trains on the CPU (auto and forced)', async () => {
    app = await openApp('/?backend=auto&depth=3&width=8', { webgpu: false });
    let page = app.page;
    await ready(page);
    let info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.kind).toBe('cpu');
    expect(info.reason).toMatch(/WebGPU|adapter/i);
    await page.evaluate(() => window.__lab!.step(3));
    expect((await runs(page)).every((r) => r.records.length === 2)).toBe(true);
    await app.screenshot('app-no-webgpu');
    clean(app);
    await app.close();

    app = await openApp('/?backend=webgpu&depth=3&width=8', { webgpu: false });
    page = app.page;
    await ready(page);
    info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.kind).toBe('cpu');
    expect(info.reason).toMatch(/WebGPU was requested but is unavailable/);
    expect(await notices(page)).toMatch(/Training on the CPU instead/);
    await page.evaluate(() => window.__lab!.step(2));
    expect((await runs(page))[0]!.records.length).toBe(2);
  });
});

describe('shareable state', () => {
  it('restores the same settings from the URL in a fresh page, and writes control changes to the URL', async () => {
    const path = '/?backend=cpu&dataset=circle&depth=7&width=16&lr=0.05&act=tanh,relu,leaky_relu&init=xavier,he,lecun&gain=1,2,0.5&runLr=,,0.01&stop=epochs:500&speed=5&hide=csv,export';
    app = await openApp(path);
    let page = app.page;
    await ready(page);
    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab).toMatchObject({ dataset: 'circle', depth: 7, width: 16, lr: 0.05, speed: 5, stop: { kind: 'epochs', value: 500 }, hide: ['csv', 'export'] });
    expect(lab.runs).toEqual([
      { activation: 'tanh', init: 'xavier', gain: 1, lr: null },
      { activation: 'relu', init: 'he', gain: 2, lr: null },
      { activation: 'leaky_relu', init: 'lecun', gain: 0.5, lr: 0.01 },
    ]);
    expect(await notices(page)).toBe('');
    // Hidden controls are gone.
    expect(await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.querySelector('fieldset'))).toBeNull();
    // Change the depth through its input: the URL follows, the runs reset with a notice.
    await page.evaluate(() => {
      const input = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-controls')!.shadowRoot!.querySelector<HTMLInputElement>('input[name=depth]')!;
      input.value = '9';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '9');
    expect(await notices(page)).toMatch(/reset \(depth changed\)/);
    const url = await page.evaluate(() => location.href);
    await app.screenshot('app-url-restored');
    clean(app);
    await app.close();

    app = await openApp(url.slice(url.indexOf('/', 8)));
    page = app.page;
    await ready(page);
    expect(await page.evaluate(() => window.__lab!.lab())).toEqual({ ...lab, depth: 9 });
    expect(await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-controls')!.shadowRoot!.querySelector<HTMLInputElement>('input[name=depth]')!.value)).toBe('9');
    clean(app);
  });

  it('a corrupted URL shows a notice naming each bad value and uses the defaults', async () => {
    app = await openApp('/?backend=cpu&depth=9999&width=abc&act=sigmoid,swish&zzz=1&lr=0.1&lr=0.2');
    const { page } = app;
    await ready(page);
    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab.depth).toBe(20);
    expect(lab.width).toBe(32);
    expect(lab.lr).toBe(0.1);
    expect(lab.runs.map((r) => r.activation)).toEqual(['sigmoid', 'relu']);
    const text = await notices(page);
    expect(text).toContain('depth: 9999 is not allowed; expected an integer from 1 to 200');
    expect(text).toContain('width: "abc" is not allowed');
    expect(text).toContain('act (run 2): "swish" is not allowed');
    expect(text).toContain('zzz: "1" is not allowed; expected a known parameter');
    expect(text).toMatch(/lr: "0.1 \| 0.2" is not allowed; expected one value/);
    // The page rewrote its URL to the settings it uses.
    expect(await page.evaluate(() => new URL(location.href).searchParams.get('depth'))).toBe('20');
    await app.screenshot('app-corrupted-url');
    clean(app);
  });
});

describe('runs', () => {
  it('a per-run change resets only that run; runs can be added and removed; a diverged run stops alone', async () => {
    app = await openApp('/?backend=cpu&depth=3&width=8&samples=50&logEvery=1&lr=0.1&act=sigmoid,relu'); // plain SGD runs
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(5));
    const steps = async () => (await runs(page)).map((r) => r.records.map((x) => x.step));
    expect(await steps()).toEqual([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);

    await setField(page, RUN(1), 'input[name=gain]', '3');
    await page.waitForFunction(() => window.__lab!.records()[1]!.records.length === 0);
    expect(await notices(page)).toMatch(/Run 2 reset \(gain changed\)/);
    await page.evaluate(() => window.__lab!.step(2));
    expect(await steps()).toEqual([[0, 1, 2, 3, 4, 5, 6], [0, 1]]);

    await click(page, ['bp-app'], 'button[name=add-run]');
    await page.waitForFunction(() => window.__lab!.records().length === 3);
    await page.evaluate(() => window.__lab!.step(1));
    expect(await steps()).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2], [0]]);
    expect((await runs(page)).map((r) => r.label)).toEqual(['sigmoid · xavier', 'relu · he · gain 3', 'tanh · xavier']);

    await click(page, RUN(0), 'button[name=remove]');
    await page.waitForFunction(() => window.__lab!.records().length === 2);
    expect((await runs(page)).map((r) => `${r.id} ${r.label}`)).toEqual(['run0 relu · he · gain 3', 'run1 tanh · xavier']);
    expect(await page.evaluate(() => new URL(location.href).searchParams.get('act'))).toBe('relu,tanh');
    await page.evaluate(() => window.__lab!.step(1));
    expect(await steps()).toEqual([[0, 1, 2, 3], [0, 1]]);

    // Linear units, gain 3 and a huge learning rate: the run diverges, keeps its finite records, the tanh run goes on.
    await page.evaluate(() => window.__lab!.step(1));
    await setField(page, RUN(0), 'select[name=activation]', 'linear');
    await page.waitForFunction(() => window.__lab!.records()[0]!.records.length === 0);
    await setField(page, RUN(0), 'input[name=runLr]', '1000');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('runLr') === '1000,');
    await page.evaluate(() => window.__lab!.step(40));
    const [bad, good] = await runs(page);
    expect(bad!.status).toBe('diverged');
    expect(bad!.divergedAt).toBeGreaterThan(0);
    expect(bad!.records.length).toBeGreaterThan(0);
    expect(bad!.records.every((r) => Number.isFinite(r.loss) && r.step < bad!.divergedAt!)).toBe(true);
    expect(good!.status).toBe('active');
    expect(good!.records.at(-1)!.step).toBe(42);
    expect(await notices(page)).toContain(`diverged at step ${bad!.divergedAt}`);
    await app.screenshot('app-runs-diverged');

    // A stop condition the runs already meet stops them; play is then disabled.
    await page.evaluate(() => window.__lab!.step(1));
    const before = (await runs(page))[1]!.records.length;
    const stopHost = ['bp-app', 'bp-transport'];
    await setField(page, stopHost, 'select[name=stop-kind]', 'loss');
    await setField(page, stopHost, 'input[name=stop-value]', '100');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('stop') === 'loss:100');
    await page.evaluate(() => window.__lab!.step(3));
    const after = await runs(page);
    expect(after[1]!.status).toBe('stopped');
    expect(after[1]!.records.length).toBe(before + 1);
    expect(await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-transport')!.shadowRoot!.querySelector<HTMLButtonElement>('button[name=play]')!.disabled)).toBe(true);
    clean(app);
  });

  it('loads a multiclass CSV (softmax), reports row/column errors of a bad one, and exports records and weights', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'bp-csv-'));
    const rows = ['x,y,kind'];
    for (let i = 0; i < 60; i++) rows.push(`${Math.cos(i)},${Math.sin(i * 1.3)},${['a', 'b', 'c'][i % 3]}`);
    await writeFile(join(dir, 'three.csv'), rows.join('\n'));
    await writeFile(join(dir, 'bad.csv'), 'x,y,kind\n1,2,a\n1,two,b\n');

    app = await openApp('/?backend=cpu&depth=2&width=8&lr=0.1&act=sigmoid,relu'); // plain SGD runs
    const { page } = app;
    await ready(page);
    const fileInput = async () =>
      (await page.evaluateHandle(() =>
        document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.querySelector('input[type=file]'),
      )) as unknown as import('puppeteer-core').ElementHandle<HTMLInputElement>;
    await (await fileInput()).uploadFile(join(dir, 'bad.csv'));
    await page.waitForFunction(() => /row 3, column 2/.test(document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.textContent!));
    expect(await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.textContent!)).toContain(
      'row 3, column 2: y: "two" is not a number',
    );

    await (await fileInput()).uploadFile(join(dir, 'three.csv'));
    await page.waitForFunction(() => /three\.csv/.test(document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!));
    await page.evaluate(() => window.__lab!.step(11));
    const rs = await runs(page);
    for (const r of rs) {
      expect(r.records.map((x) => x.step)).toEqual([0, 10]);
      expect(r.boundary).toBe(true);
      // Softmax cross-entropy of 3 balanced classes starts near ln 3.
      expect(Math.abs(r.records[0]!.loss - Math.log(3))).toBeLessThan(0.3);
    }
    // A confusion matrix per run: 3 × 3 counts over the 60 rows, 20 per true class.
    const tables = await page.evaluate(() =>
      [...document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-confusion')!.shadowRoot!.querySelectorAll('table')].map((t) =>
        [...t.querySelectorAll('tr')].slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
      ),
    );
    expect(tables).toHaveLength(2);
    for (const m of tables) {
      expect(m.map((row) => row.length)).toEqual([3, 3, 3]);
      expect(m.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([20, 20, 20]);
    }
    await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('main')!.scrollTo(0, 10_000));
    await app.screenshot('app-csv-multiclass');

    // Downloads: capture the blobs the page creates.
    await page.evaluate(() => {
      const w = window as unknown as { blobs: Blob[] };
      w.blobs = [];
      const orig = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (b: Blob | MediaSource) => {
        if (b instanceof Blob) w.blobs.push(b);
        return orig(b);
      };
    });
    const panel = ['bp-app', 'bp-data-panel'];
    await click(page, panel, 'button[name=records-csv]');
    await click(page, panel, 'button[name=records-json]');
    await click(page, panel, 'button[name=weights-json]');
    await page.waitForFunction(() => (window as unknown as { blobs: Blob[] }).blobs.length === 3);
    const [csv, json, weights] = (await page.evaluate(() => Promise.all((window as unknown as { blobs: Blob[] }).blobs.map((b) => b.text())))) as [string, string, string];
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^run,label,step,epoch,loss,accuracy,gradNorms_0,gradNorms_1,gradNorms_2,biasGradNorms_0/);
    expect(lines).toHaveLength(1 + 2 * 2);
    expect(lines[1]!.split(',').slice(0, 3)).toEqual(['run0', 'sigmoid · xavier', '0']);
    const rec = JSON.parse(json) as { runs: { records: { step: number; loss: number }[] }[] };
    expect(rec.runs[1]!.records[1]!.loss).toBeCloseTo(rs[1]!.records[1]!.loss, 12);
    const w = JSON.parse(weights) as { layerSizes: number[]; runs: { step: number; layers: { weights: number[][]; biases: number[] }[] }[] };
    expect(w.layerSizes).toEqual([2, 8, 8, 3]);
    expect(w.runs[0]!.step).toBe(11);
    expect(w.runs[0]!.layers.map((l) => [l.weights.length, l.weights[0]!.length, l.biases.length])).toEqual([[2, 8, 8], [8, 8, 8], [8, 3, 3]]);
    clean(app);
  });
});

describe('controls', () => {
  it('new weights draws a new init seed, bad input is refused with a notice, the backend can be switched live', async () => {
    app = await openApp('/?backend=cpu&depth=3&width=8&samples=40', { webgpu: true });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(3));
    const seed = () => page.evaluate(() => window.__lab!.lab().initSeed);
    const firstLoss = (await runs(page))[0]!.records[0]!.loss;
    expect(await seed()).toBe(1);
    await click(page, ['bp-app', 'bp-transport'], 'button[name=new-weights]');
    await page.waitForFunction(() => window.__lab!.lab().initSeed !== 1);
    expect(await page.evaluate(() => new URL(location.href).searchParams.get('initSeed'))).toBe(String(await seed()));
    expect(await notices(page)).toMatch(/Every run was reset \(initSeed changed\)/);
    await page.evaluate(() => window.__lab!.step(1));
    expect((await runs(page))[0]!.records[0]!.loss).not.toBe(firstLoss);

    await setField(page, ['bp-app', 'bp-controls'], 'input[name=depth]', '500');
    await page.waitForFunction(() => /Not applied/.test(document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!));
    expect(await notices(page)).toContain('depth: 500 is not allowed; expected an integer from 1 to 200');
    expect(await page.evaluate(() => window.__lab!.lab().depth)).toBe(3);
    await page.waitForFunction(
      () => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-controls')!.shadowRoot!.querySelector<HTMLInputElement>('input[name=depth]')!.value === '3',
    );

    await setField(page, ['bp-app', 'bp-controls'], 'select[name=backend]', 'webgpu');
    await page.waitForFunction(() => window.__lab!.backendInfo().kind === 'webgpu', { timeout: 30_000 });
    expect(await badge(page)).toMatch(/WebGPU.*swiftshader/i);
    await page.evaluate(() => window.__lab!.step(2));
    expect((await runs(page)).map((r) => r.records.map((x) => x.step))).toEqual([[0, 1], [0, 1]]);
    clean(app);
  });
});

describe('first minute', () => {
  it('a first visit shows a one-line hint that Play retires for good; autoplay=1 trains on load and stays in the URL', async () => {
    app = await openApp('/?backend=cpu&depth=3&width=8&samples=50');
    const { page } = app;
    await ready(page);
    const hint = () => page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('.hint')?.textContent ?? null);
    expect(await hint()).toMatch(/Press ▶ Play/);
    expect((await runs(page))[0]!.records).toHaveLength(0); // no autoplay: nothing trains by itself
    await click(page, ['bp-app', 'bp-transport'], 'button[name=play]');
    await page.waitForFunction(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('.hint') === null);
    await page.evaluate(() => window.__lab!.pause());
    // Remembered: the same browser does not see it again.
    await page.reload({ waitUntil: 'load' });
    await ready(page);
    expect(await hint()).toBeNull();

    await page.goto(`${app.baseUrl}index.html?backend=cpu&depth=3&width=8&samples=50&autoplay=1`, { waitUntil: 'load' });
    await ready(page);
    await page.waitForFunction(() => window.__lab!.records()[0]!.records.length >= 2);
    expect(await page.evaluate(() => new URL(location.href).searchParams.get('autoplay'))).toBe('1');
    await page.evaluate(() => window.__lab!.pause());

    await page.goto(`${app.baseUrl}index.html?backend=cpu&depth=3&width=8&autoplay=yes`, { waitUntil: 'load' });
    await ready(page);
    expect(await notices(page)).toMatch(/autoplay.*yes.*1 \(start training on load\) or 0/s);
    expect((await runs(page))[0]!.records).toHaveLength(0);
    clean(app);
  });
});
