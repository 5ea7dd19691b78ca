/**
 * The lab's training worker in the built app (headless Chromium): the page's trainer runs in a dedicated worker,
 * and its records are exactly those of the same lab trained in the page (CPU, f64, same seeds: every number of every
 * record); pause, step and reset act through it; a lost WebGPU device in the worker (SwiftShader) moves the runs to
 * the CPU there; a wide model on the CPU splits its products with matmul threads the page lends the worker. No test here depends on how fast anything runs: they wait for conditions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { badge, clean, click, ready, runs, type HookRun } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A small comparison on the CPU in f64, every step logged, with boundaries (2-D data) and distributions. */
const F64 = '/?backend=cpu&dtype=f64&depth=6&width=16&samples=120&dataset=spiral&logEvery=1';

/** Two runs wide enough (200 × 192 × 192 products) that the CPU backend splits them between threads. */
const WIDE = '/?backend=cpu&dtype=f64&depth=3&width=192&samples=200&dataset=spiral&logEvery=1';

/** Number of CPU matmul workers the page runs. */
function matmulWorkers(page: Page): number {
  return page.workers().filter((w) => /matmul-worker/.test(w.url())).length;
}

/** Resolves once `ok()` holds (polled every 10 ms); fails the test if it has not after 2000 polls. */
async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether the page runs a worker whose script is the lab's training worker. */
function hasLabWorker(page: Page): boolean {
  return page.workers().some((w) => /lab-worker/.test(w.url()));
}

/** The records of every run as plain numbers (Float32Array distributions as arrays), for exact comparison. */
async function plainRuns(page: Page): Promise<{ label: string; status: string; records: unknown[] }[]> {
  return page.evaluate(() =>
    window.__lab!.records().map((r) => ({
      label: r.label,
      status: r.status,
      records: r.records.map((x) => ({ ...x, distributions: x.distributions ? Array.from(x.distributions) : null })),
    })),
  );
}

/** Open `path` with the trainer in the page (window.__labTrainer = 'page' before the app's script runs). */
async function reopenInPage(session: AppSession): Promise<void> {
  await session.page.evaluateOnNewDocument(() => {
    (window as unknown as { __labTrainer: string }).__labTrainer = 'page';
  });
  await session.page.goto(session.url, { waitUntil: 'load' });
}

/** The last record's step of every run. */
async function lastSteps(page: Page): Promise<number[]> {
  return (await runs(page)).map((r: HookRun) => r.records.at(-1)?.step ?? -1);
}

describe('the lab trainer in a worker', () => {
  it('records exactly what the in-page trainer records for the same lab (CPU f64): steps, a reset, steps again', async () => {
    app = await openApp(F64);
    const { page } = app;
    await ready(page);
    expect(hasLabWorker(page)).toBe(true);
    const train = async () => {
      await page.evaluate(() => window.__lab!.step(25));
      const first = await plainRuns(page);
      await click(page, ['bp-app', 'bp-transport'], 'button[name=reset]');
      await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length === 0));
      await page.evaluate(() => window.__lab!.step(7));
      return { first, again: await plainRuns(page) };
    };
    const inWorker = await train();
    expect(inWorker.first.map((r) => r.records.length)).toEqual([25, 25]);
    expect(inWorker.again.map((r) => r.records.length)).toEqual([7, 7]);
    // The same initial weights after the reset: the first 7 records again.
    expect(inWorker.again.map((r) => r.records)).toEqual(inWorker.first.map((r) => r.records.slice(0, 7)));
    clean(app);

    await reopenInPage(app);
    await ready(page);
    expect(hasLabWorker(page)).toBe(false);
    const inPage = await train();
    expect(inPage.first).toEqual(inWorker.first);
    expect(inPage.again).toEqual(inWorker.again);
    clean(app);
  });

  it('a wide model on the CPU shares its products with threads the page lends the worker: same records as in the page, and it goes on after long main-thread tasks', async () => {
    app = await openApp(WIDE);
    const { page } = app;
    await ready(page);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(cores, 4);
    // The lent threads join as they come (by message): step until one has taken part in a product.
    let steps = 0;
    let use = await page.evaluate(() => window.__lab!.threads());
    do {
      await page.evaluate(() => window.__lab!.step(3));
      steps += 3;
      use = await page.evaluate(() => window.__lab!.threads());
    } while (threads > 1 && use.workerBands === 0 && steps < 300);
    const inWorker = await plainRuns(page);
    expect(use.threads).toBe(threads);
    expect(await badge(page)).toContain(threads === 1 ? 'CPU f64 (1 thread' : `CPU f64 (${threads} threads)`);
    if (threads > 1) {
      expect(use.splitJobs).toBeGreaterThan(0);
      expect(use.workerBands).toBeGreaterThan(0);
    }
    // Started by the page (not nested in the training worker), one per thread beyond the worker's own.
    await waitUntil(() => matmulWorkers(page) === threads - 1);
    // Long main-thread tasks while the worker and its lent threads train (axe-core's script once made Chromium stop
    // answering with nested matmul workers): the lab goes on, pauses and settles.
    await page.evaluate(() => window.__lab!.play());
    const before = (await lastSteps(page))[0]!;
    // Three long main-thread tasks of a fixed amount of work each (no clock read: how long they take does not matter).
    for (let i = 0; i < 3; i++) {
      await page.evaluate(() => {
        let x = 0;
        for (let k = 0; k < 200_000_000; k++) x = (x + k) % 1_000_003;
        return x;
      });
    }
    await page.waitForFunction((before) => window.__lab!.records()[0]!.records.at(-1)!.step > before + 2, {}, before);
    await page.evaluate(() => window.__lab!.pause());
    await page.evaluate(() => window.__lab!.settled());
    expect((await page.evaluate(() => window.__lab!.threads())).workerBands).toBeGreaterThanOrEqual(use.workerBands);
    clean(app);

    await reopenInPage(app);
    await ready(page);
    expect(hasLabWorker(page)).toBe(false);
    await page.evaluate((steps) => window.__lab!.step(steps), steps);
    expect(await plainRuns(page)).toEqual(inWorker);
    clean(app);
  });

  it('pause stops the worker’s frames (steps after it land exactly), step and reset act through it', async () => {
    app = await openApp('/?backend=cpu&depth=4&width=8&samples=60&dataset=spiral&logEvery=1');
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.play());
    await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length >= 20));
    await page.evaluate(() => window.__lab!.pause());
    // Queued in the worker after any frame in progress: once it is done, nothing else steps the runs.
    await page.evaluate(() => window.__lab!.step(1));
    const at = await lastSteps(page);
    expect(at[0]).toBeGreaterThanOrEqual(20);
    await page.evaluate(() => window.__lab!.step(3));
    expect(await lastSteps(page)).toEqual(at.map((s) => s + 3));
    const steps = (await runs(page))[0]!.records.map((r) => r.step);
    expect(steps).toEqual(steps.map((_, i) => i));
    // The transport shows the worker's step count and the Play button again.
    const transport = await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-transport')!.shadowRoot!.textContent!.replace(/\s+/g, ' '));
    expect(transport).toContain(`step ${at[0]! + 4}`);
    expect(transport).toContain('Play');
    await click(page, ['bp-app', 'bp-transport'], 'button[name=reset]');
    await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length === 0));
    await page.evaluate(() => window.__lab!.step(2));
    expect(await lastSteps(page)).toEqual([1, 1]);
    clean(app);
  });

  it('slow motion (speed=N) and full speed play through the worker, and the speed menu offers both', async () => {
    app = await openApp('/?backend=cpu&depth=3&width=8&samples=40&dataset=spiral&logEvery=1&speed=20');
    const { page } = app;
    await ready(page);
    const options = await page.evaluate(() =>
      [...document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-transport')!.shadowRoot!.querySelectorAll('select[name=speed] option')].map((o) => o.textContent!.trim()),
    );
    expect(options[0]).toBe('fastest');
    expect(options).toContain('20 steps/s');
    await page.evaluate(() => window.__lab!.play());
    await page.waitForFunction(() => window.__lab!.records()[0]!.records.length >= 3);
    await page.evaluate(() => window.__lab!.pause());
    clean(app);
  });

  it('on WebGPU the worker trains on the device and a lost device moves its runs to the CPU', async () => {
    app = await openApp('/?backend=webgpu&depth=8&width=16&samples=100&dataset=spiral&logEvery=5');
    const { page } = app;
    await ready(page);
    expect(hasLabWorker(page)).toBe(true);
    expect((await page.evaluate(() => window.__lab!.backendInfo())).kind).toBe('webgpu');
    await page.evaluate(() => window.__lab!.step(6));
    expect(await page.evaluate(() => window.__lab!.loseDevice())).toBe(true);
    await page.waitForFunction(() => window.__lab!.backendInfo().kind === 'cpu');
    expect((await page.evaluate(() => window.__lab!.backendInfo())).reason).toMatch(/device lost/);
    await page.waitForFunction(() => window.__lab!.notices().some((n) => /WebGPU device lost/.test(n.text)));
    // On the CPU it goes on from the parameters read back at the end of the multi-step (step 6).
    await page.evaluate(() => window.__lab!.step(4));
    expect(await lastSteps(page)).toEqual([9, 9]);
    expect(await page.evaluate(() => window.__lab!.loseDevice())).toBe(false);
    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests()).toEqual([]);
  });

  it('the lessons train in the worker too: lesson 5 starts one and its profile takes a step there', async () => {
    app = await openApp('/lessons.html#/5');
    const { page } = app;
    await page.waitForFunction(() => {
      const deep = document.querySelector('bp-lessons-app')?.shadowRoot?.querySelector('bp-lesson-deep') as HTMLElement | null | undefined;
      return Number(deep?.dataset['profileStep'] ?? 0) >= 1;
    });
    expect(hasLabWorker(page)).toBe(true);
    clean(app);
  });
});
