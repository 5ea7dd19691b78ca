/**
 * A lost GPU in the built app (headless Chromium, SwiftShader WebGPU): the default comparison trains on
 * `?backend=webgpu`, the device is destroyed through the page's test hook (as a driver reset would), and the app
 * stops, says so, keeps its records, and goes on on the CPU from the parameters it last read back — the badge
 * says CPU with the reason "device lost". While playing, it goes on playing on the CPU.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { badge, notices as shownNotices, ready, runs } from './lab-page.js';


let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The default comparison (20 layers of 32 on 200 spiral points), forced onto WebGPU. */
const GPU_DEFAULT = '/?backend=webgpu&depth=20&width=32&samples=200&dataset=spiral&logEvery=10';

describe('lost WebGPU device', () => {
  it('stops with a message, keeps the records, and continues on the CPU from the last parameters read back', async () => {
    app = await openApp(GPU_DEFAULT);
    const { page } = app;
    await ready(page);
    expect((await page.evaluate(() => window.__lab!.backendInfo())).kind).toBe('webgpu');
    await page.evaluate(() => window.__lab!.step(10));
    const before = await runs(page);
    expect(before.map((r) => r.records.map((x) => x.step))).toEqual([[0, 9], [0, 9]]);

    expect(await page.evaluate(() => window.__lab!.loseDevice())).toBe(true);
    await page.waitForFunction(() => window.__lab!.backendInfo().kind === 'cpu', { timeout: 30_000 });

    const info = await page.evaluate(() => window.__lab!.backendInfo());
    expect(info.reason).toMatch(/device lost/);
    const b = await badge(page);
    expect(b).toMatch(/^CPU/);
    expect(b).toContain('device lost');
    const text = await shownNotices(page);
    expect(text).toContain('WebGPU device lost');
    expect(text).toContain('Training stopped and moved to the CPU');
    expect(text).toMatch(/continuing on the CPU from the parameters read back: Run 1, Run 2 from step 10/);
    expect(await page.evaluate(() => window.__lab!.notices().filter((n) => n.kind === 'error').length)).toBe(1);

    // The records up to the parameters read back are kept, and training goes on from step 10 (not from 0).
    const kept = await runs(page);
    expect(kept.map((r) => r.records.map((x) => x.step))).toEqual([[0, 9], [0, 9]]);
    expect(kept.map((r) => r.records.map((x) => x.loss))).toEqual(before.map((r) => r.records.map((x) => x.loss)));
    expect(kept.every((r) => r.status === 'active')).toBe(true);
    await page.evaluate(() => window.__lab!.step(11));
    const after = await runs(page);
    for (const [i, r] of after.entries()) {
      expect(r.records.map((x) => x.step)).toEqual([0, 9, 10, 20]);
      expect(r.records.every((x) => Number.isFinite(x.loss))).toBe(true);
      // Step 10 follows step 9 (same weights, one more update): its loss is close to step 9's, not back at step 0's.
      const [l0, l9, l10] = r.records.map((x) => x.loss);
      expect(Math.abs(l10! - l9!)).toBeLessThanOrEqual(Math.abs(l10! - l0!) + 1e-6);
      expect(r.activation).toBe(['sigmoid', 'relu'][i]);
    }
    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests()).toEqual([]);
    await app.screenshot('app-device-lost');
  });

  it('while playing: the loss of the device moves the runs to the CPU, and they go on playing there from the last read-back', async () => {
    app = await openApp(GPU_DEFAULT);
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.play());
    // Parameters are read back on a schedule of wall time while playing: wait until one has been, past step 20.
    await page.waitForFunction(() => (window.__lab!.readBackStep() ?? -1) >= 20 && window.__lab!.records()[0]!.records.length >= 3, { timeout: 120_000 });
    const readBack = await page.evaluate(() => {
      const s = window.__lab!.readBackStep()!;
      window.__lab!.loseDevice();
      return s;
    });
    await page.waitForFunction(() => window.__lab!.backendInfo().kind === 'cpu', { timeout: 30_000 });
    const resumedAt = await resumeStep(page);
    expect(resumedAt).toBeGreaterThanOrEqual(readBack);
    const at = (await runs(page)).map((r) => r.records.at(-1)?.step ?? -1);
    await page.waitForFunction((at: number[]) => window.__lab!.records().every((r, i) => (r.records.at(-1)?.step ?? -1) > at[i]! + 20), { timeout: 60_000 }, at);
    await page.evaluate(() => window.__lab!.pause());
    for (const r of await runs(page)) {
      const steps = r.records.map((x) => x.step);
      // Strictly increasing: no step recorded twice, none from a restart at 0.
      expect(steps.every((s, i) => i === 0 || s > steps[i - 1]!)).toBe(true);
      expect(steps[0]).toBe(0);
      expect(steps.filter((s) => s < resumedAt).length).toBeGreaterThan(1);
      expect(r.status).toBe('active');
    }
    expect(await shownNotices(page)).toContain('WebGPU device lost');
    expect(app.pageErrors).toEqual([]);
  });

  it('during a multi-step: parameters are read back as it goes, and a loss keeps the records up to the last one, with no uncaught error', async () => {
    app = await openApp(`${GPU_DEFAULT}&speed=20`);
    const { page } = app;
    await ready(page);
    // A multi-step far longer than the test: the loss must come in the middle of it.
    await page.evaluate(() => {
      const w = window as unknown as { stepOutcome: string };
      w.stepOutcome = 'running';
      window.__lab!.step(1_000_000).then(
        () => (w.stepOutcome = 'resolved'),
        (e: unknown) => (w.stepOutcome = `rejected: ${String(e)}`),
      );
    });
    await page.waitForFunction(() => (window.__lab!.readBackStep() ?? -1) >= 20 && window.__lab!.records()[0]!.records.length >= 3, { timeout: 120_000 });
    const readBack = await page.evaluate(() => {
      const s = window.__lab!.readBackStep()!;
      window.__lab!.loseDevice();
      return s;
    });
    await page.waitForFunction(() => window.__lab!.backendInfo().kind === 'cpu', { timeout: 30_000 });
    // The multi-step ends (cut short; the loss is reported by the notice, not by a rejection nobody may be waiting for).
    await page.waitForFunction(() => (window as unknown as { stepOutcome: string }).stepOutcome !== 'running', { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { stepOutcome: string }).stepOutcome)).toBe('resolved');
    const resumedAt = await resumeStep(page);
    expect(resumedAt).toBeGreaterThanOrEqual(readBack);
    expect(await shownNotices(page)).not.toContain('had no parameters read back');
    const kept = await runs(page);
    for (const r of kept) {
      const steps = r.records.map((x) => x.step);
      expect(steps[0]).toBe(0);
      expect(steps.at(-1)!).toBeLessThan(resumedAt);
      expect(steps.filter((s) => s < resumedAt).length).toBeGreaterThan(1);
      expect(r.status).toBe('active');
    }
    // Training goes on on the CPU from the step read back.
    await page.evaluate(() => window.__lab!.step(11));
    for (const r of await runs(page)) expect(r.records.at(-1)!.step).toBe(resumedAt + 10);
    expect(app.pageErrors).toEqual([]);
  });
});

/** The step the notice says the runs continue from on the CPU (from the parameters read back). */
async function resumeStep(page: Page): Promise<number> {
  const text = await shownNotices(page);
  const m = /continuing on the CPU from the parameters read back: Run 1, Run 2 from step (\d+)/.exec(text);
  expect(m, text).not.toBeNull();
  return Number(m![1]);
}
