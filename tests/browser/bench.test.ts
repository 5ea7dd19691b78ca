/** The benchmark page (bench.html) in headless Chromium with WebGPU: a tiny suite on CPU and WebGPU, charts, JSON export. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/report.js';
import { type AppSession, openApp } from './harness.js';

/** Waits until a file appears in `dir` (a finished download) and returns its text. */
async function downloaded(dir: string, timeoutMs = 15_000): Promise<{ name: string; text: string }> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const names = (await readdir(dir)).filter((n) => !n.endsWith('.crdownload'));
    if (names.length > 0) return { name: names[0]!, text: await readFile(join(dir, names[0]!), 'utf8') };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no download arrived');
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
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.locator('bp-bench-page >>> button[name="export-json"]').click();
    const file = await downloaded(downloads);
    expect(file.name).toBe('backprop-lab-bench.json');
    const exported = JSON.parse(file.text) as BenchReport;
    expect(exported.format).toBe('backprop-lab-bench/1');
    expect(exported).toEqual(report);

    expect(app.foreignRequests()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });
});
