/**
 * Offline and installable (issue 15, point 6): after one visit the service worker has precached the app, so with the
 * server gone the lab reloads and trains, the lessons load their real digits and the benchmark runs; and a new
 * version waits behind a "Reload" notice instead of mixing its files with the running page's.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type AppSession } from './harness.js';
import { ready, runs } from './lab-page.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

let app: AppSession | undefined;
let copy: string | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  if (copy) await rm(copy, { recursive: true, force: true });
  copy = undefined;
});

/** Wait until a service worker controls the page (it activates only once every precached file is stored). */
async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** Text of the new-version notice, or null when there is none. */
function updateNotice(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('bp-update-notice')?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? null);
}

describe('offline', () => {
  it('after one visit, the lab reloads and trains, lesson 6 loads the real digits and the benchmark runs, with the server gone', async () => {
    app = await openApp('/?depth=3&width=8', { webgpu: false });
    const { page } = app;
    await ready(page);
    expect(await page.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href'))).toBe('/manifest.webmanifest');
    await controlled(page);

    await app.stopServer();
    await page.setOfflineMode(true);
    // Nothing answers on the origin any more: a request the service worker does not hold fails.
    expect(await page.evaluate(() => fetch('/not-precached.txt').then((r) => `HTTP ${r.status}`, (e: unknown) => `failed: ${String(e)}`))).toMatch(/^failed/);

    await page.reload({ waitUntil: 'load' });
    await ready(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.evaluate(() => window.__lab!.step(3));
    const trained = await runs(page);
    expect(trained.length).toBeGreaterThan(0);
    for (const run of trained) {
      expect(run.records.at(-1)?.step).toBe(2); // steps count from 0: the third step is step 2
      expect(Number.isFinite(run.records.at(-1)?.loss)).toBe(true);
    }

    await page.goto(new URL('lessons.html#/6', app.baseUrl).href, { waitUntil: 'load' });
    await page.waitForFunction(() => {
      const host = document.querySelector('bp-lessons-app')?.shadowRoot?.querySelector('main > *') as HTMLElement | null;
      return host?.dataset['state'] === 'idle';
    });
    const source = await page.evaluate(() => (document.querySelector('bp-lessons-app')!.shadowRoot!.querySelector('main > *') as HTMLElement).dataset['source']);
    expect(source).toBe('mnist');

    await page.goto(new URL('bench.html?suites=matmul&sizes=16&backends=cpu&reps=2', app.baseUrl).href, { waitUntil: 'load' });
    await page.waitForFunction(() => (document.querySelector('bp-bench-page') as HTMLElement | null)?.dataset['phase'] === 'idle');
    await page.locator('bp-bench-page >>> button[name="run"]').click();
    await page.waitForFunction(() => ['done', 'failed', 'cancelled'].includes((document.querySelector('bp-bench-page') as HTMLElement).dataset['phase'] ?? ''));
    expect(await page.$eval('bp-bench-page', (el) => (el as HTMLElement).dataset['phase'])).toBe('done');

    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests()).toEqual([]);
  });

  it('a new version waits behind "A new version is available — Reload" and takes over only when asked', async () => {
    copy = await mkdtemp(join(tmpdir(), 'backprop-lab-dist-'));
    await cp(DIST, copy, { recursive: true });
    app = await openApp('/', { root: copy, webgpu: false });
    const { page } = app;
    await ready(page);
    await controlled(page);
    expect(await updateNotice(page)).toBeNull();

    // Deploy a new version: a changed index.html, and a service worker whose precache list says so.
    const index = join(copy, 'index.html');
    await writeFile(index, (await readFile(index, 'utf8')).replace('<head>', '<head><meta name="bp-version" content="2">'));
    const sw = join(copy, 'sw.js');
    const swText = await readFile(sw, 'utf8');
    const nextSw = swText.replace(/("?url"?:\s*"index\.html",\s*"?revision"?:\s*")[0-9a-f]+"/, '$1next-version"');
    expect(nextSw).not.toBe(swText);
    await writeFile(sw, nextSw);

    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
    await page.waitForFunction(() => document.querySelector('bp-update-notice') !== null);
    expect(await updateNotice(page)).toBe('A new version is available — Reload ×');
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.waiting !== null))).toBe(true);

    // A plain reload keeps the old version's files (no mixing) and announces the waiting one again.
    await page.reload({ waitUntil: 'load' });
    await ready(page);
    expect(await page.evaluate(() => document.querySelector('meta[name="bp-version"]'))).toBeNull();
    await page.waitForFunction(() => document.querySelector('bp-update-notice') !== null);

    // Reload in the notice: the new worker takes over and the page comes back on the new files.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('bp-update-notice >>> button[name="reload"]').click()]);
    await ready(page);
    expect(await page.evaluate(() => document.querySelector('meta[name="bp-version"]')?.getAttribute('content'))).toBe('2');
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.waiting === null && r!.active !== null))).toBe(true);
    expect(await updateNotice(page)).toBeNull();
    expect(app.pageErrors).toEqual([]);
  });
});
