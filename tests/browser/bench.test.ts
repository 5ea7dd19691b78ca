/** The benchmark page (bench.html) in headless Chromium with WebGPU: a tiny suite on CPU and WebGPU, charts, JSON export. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/report.js';
import { type AppSession, openApp } from './harness.js';

/**
 * Runs `click`, which starts a download, and resolves once Chromium reports the download completed (no polling, no
 * deadline of its own: the test's limit is the outer one) to the file's name and text, saved in `dir`.
 */
async function download(page: Page, dir: string, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const cdp = await page.createCDPSession();
  // The page's own browser context (the harness gives each session one): downloads elsewhere are not reported here.
  const browserContextId = page.browserContext().id;
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true, ...(browserContextId ? { browserContextId } : {}) });
  const names = new Map<string, string>();
  cdp.on('Browser.downloadWillBegin', (e) => names.set(e.guid, e.suggestedFilename));
  const completed = new Promise<string>((resolve, reject) => {
    cdp.on('Browser.downloadProgress', (e) => {
      if (e.state === 'completed') resolve(names.get(e.guid)!);
      else if (e.state === 'canceled') reject(new Error('the download was cancelled'));
    });
  });
  await click();
  const name = await completed;
  return { name, text: await readFile(join(dir, name), 'utf8') };
}

describe('benchmark page', () => {
  let app: AppSession | undefined;
  let downloads: string | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (downloads) await rm(downloads, { recursive: true, force: true });
  });

  it('runs matmul 16,32 on CPU and WebGPU: both backends, agreement, crossover chart, JSON export', async () => {
    app = await openApp('/bench.html?suites=matmul&sizes=16,32&backends=cpu,webgpu&reps=5', { webgpu: true, waitUntil: 'networkidle0' });
    const { page } = app;
    expect(await page.title()).toContain('benchmark');
    expect(await page.$eval('bp-bench-page', (el) => (el as HTMLElement).dataset['phase'])).toBe('idle');
    // A link whose parameters are all valid: no notice.
    expect(await page.$eval('bp-bench-page', (el) => el.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.querySelectorAll('li').length)).toBe(0);
    await page.locator('bp-bench-page >>> button[name="run"]').click();
    await page.waitForFunction(() => ['done', 'failed', 'cancelled'].includes((document.querySelector('bp-bench-page') as HTMLElement).dataset['phase'] ?? ''), { timeout: 120_000 });
    const status = await page.$eval('bp-bench-page', (el) => el.shadowRoot!.querySelector('.status')!.textContent);
    expect(status).toContain('Done');

    const report = (await page.$eval('bp-bench-page', (el) => JSON.parse(JSON.stringify((el as unknown as { report: unknown }).report)))) as BenchReport;
    expect(report.environment.runtime).toBe('browser');
    expect(report.environment.cpuThreads).toBeGreaterThan(0);
    expect(report.backends.map((b) => b.kind).sort()).toEqual(['cpu', 'webgpu']);
    expect(report.backends.find((b) => b.kind === 'webgpu')!.adapter).toBeDefined();
    expect(report.points).toHaveLength(4);
    for (const p of report.points) {
      expect(p.reps).toBeGreaterThanOrEqual(5);
      expect(p.gflops).toBeGreaterThan(0);
      expect(p.agreement!.against).toMatch(p.backendKind === 'cpu' ? /WebGPU/ : /CPU/);
      // f32 products of N(0,1) entries with k ≤ 32: rounding differences far below 1e-3.
      expect(p.agreement!.maxAbsDiff).toBeLessThan(1e-3);
      if (p.suite === 'matmul') expect(p.maxAbsError).toBeLessThan(1e-3);
    }
    expect(['at', 'gpu-always', 'gpu-never']).toContain(report.crossover.matmul.kind);

    const view = await page.$eval('bp-bench-page', (el) => {
      const root = el.shadowRoot!;
      const chart = (id: string) => {
        const c = root.querySelector(`#${id}`) as HTMLElement & { drawn: boolean };
        return { drawn: c.drawn, canvas: !!c.shadowRoot!.querySelector('canvas') };
      };
      const table = root.querySelector('bp-bench-table')!.shadowRoot!;
      return {
        gflops: chart('gflops'),
        speedup: chart('speedup'),
        kinds: [...table.querySelectorAll('tbody tr')].map((r) => (r as HTMLElement).dataset['backendKind']),
        agreement: [...table.querySelectorAll('td.agreement')].map((td) => td.textContent!.trim()),
        crossover: root.querySelector('.crossover')?.textContent ?? '',
        progress: [(root.querySelector('progress') as HTMLProgressElement).value, (root.querySelector('progress') as HTMLProgressElement).max],
      };
    });
    expect(view.gflops).toEqual({ drawn: true, canvas: true });
    expect(view.speedup).toEqual({ drawn: true, canvas: true });
    expect(view.kinds.sort()).toEqual(['cpu', 'cpu', 'webgpu', 'webgpu']);
    for (const a of view.agreement) expect(a).toMatch(/^(0|\d\.\de-\d+)$/);
    expect(view.crossover).toContain('Matmul crossover');
    expect(view.progress).toEqual([4, 4]);
    await app.screenshot('bench-page');

    downloads = await mkdtemp(join(tmpdir(), 'bench-download-'));
    const file = await download(page, downloads, () => page.locator('bp-bench-page >>> button[name="export-json"]').click());
    expect(file.name).toBe('backprop-lab-bench.json');
    const exported = JSON.parse(file.text) as BenchReport;
    expect(exported.format).toBe('backprop-lab-bench/1');
    expect(exported).toEqual(report);

    expect(app.foreignRequests()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });

  it('names every URL parameter it cannot use in a notice, with its value and what is allowed, and applies the rest', async () => {
    app = await openApp('/bench.html?reps=2&suites=matmul,nope&backends=cpu&sizes=16,x&frobnicate=%3Cb%3E', { webgpu: false });
    const { page } = app;
    await page.waitForFunction(() => !!document.querySelector('bp-bench-page')?.shadowRoot?.querySelector('bp-notice')?.shadowRoot?.querySelector('li'), { timeout: 60_000 });
    const view = await page.$eval('bp-bench-page', (el) => {
      const root = el.shadowRoot!;
      const notice = root.querySelector('bp-notice')!.shadowRoot!;
      const input = (name: string) => root.querySelector(`input[name="${name}"]`) as HTMLInputElement;
      return {
        kind: notice.querySelector('li')!.dataset['kind'],
        text: [...notice.querySelector('.text')!.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim(),
        details: [...notice.querySelectorAll('.details li')].map((li) => li.textContent!.trim()),
        markup: notice.querySelectorAll('b').length,
        form: { reps: input('reps').value, sizes: input('sizes').value, matmul: input('suite-matmul').checked, train: input('suite-train').checked, cpu: input('backend-cpu').checked, webgpu: input('backend-webgpu').checked },
      };
    });
    expect(view.kind).toBe('warning');
    expect(view.text).toBe('Some parameters in the link could not be used; their defaults apply instead:');
    expect(view.details).toEqual([
      'reps: "2" is not allowed; expected a whole number from 5 to 1000',
      'suites: "matmul,nope" is not allowed; expected a comma-separated list of matmul, train, workload',
      'sizes: "16,x" is not allowed; expected comma-separated whole numbers from 1 to 8192',
      '"frobnicate" (value "<b>"): unknown parameter; expected one of suites, backends, sizes, shape, grid, batch, reps, large',
    ]);
    // The injected value is shown as text, never as markup.
    expect(view.markup).toBe(0);
    // The bad parameters keep their defaults (reps 5, sizes 32,…,512, matmul and train); the good one, backends=cpu, applies.
    expect(view.form).toEqual({ reps: '5', sizes: '32,64,128,256,512', matmul: true, train: true, cpu: true, webgpu: false });
    await page.locator('bp-bench-page >>> bp-notice >>> button[aria-label="dismiss"]').click();
    await page.waitForFunction(() => document.querySelector('bp-bench-page')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.querySelectorAll('li').length === 0, { timeout: 60_000 });
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });
});
