/**
 * Divergence in the built app: lesson 5's exploding linear net is flagged on WebGPU as on the CPU (the app takes
 * the trainer's verdict from every update's gradient norm, since WebGPU's norm and loss kernels can show a NaN as a
 * finite figure), at the exact step the CLI reports, whatever the logging interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { notices, ready, runs } from './lab-page.js';

let app: AppSession;
let page: Page;

beforeAll(async () => {
  app = await openApp('/?backend=cpu&depth=2&width=4&samples=20');
  page = app.page;
  await ready(page);
});

afterAll(async () => {
  await app?.close();
});

/** Open `query` in the shared page, take `steps` steps, and return the runs. */
async function stepAt(query: string, steps: number) {
  await page.goto(new URL(query, app.baseUrl).href, { waitUntil: 'load' });
  await ready(page);
  await page.evaluate((n) => window.__lab!.step(n), steps);
  return runs(page);
}

const EXPLODING_LINEAR = '/?dataset=circle&depth=20&width=32&lr=0.05&batch=0&logEvery=10&dtype=f32&act=linear,linear&init=xavier,xavier&gain=1.6,1.6&clip=none,norm:1';

describe('a diverging run in the app', () => {
  it.each(['webgpu', 'cpu'])('the exploding linear net is diverged at step 2 on %s; the clipped run trains on', async (backend) => {
    const [r1, r2] = await stepAt(`${EXPLODING_LINEAR}&backend=${backend}`, 20);
    expect(await page.evaluate(() => window.__lab!.backendInfo().kind)).toBe(backend);
    expect(r1!.status).toBe('diverged');
    expect(r1!.divergedAt).toBe(2);
    expect(r1!.records.map((r) => r.step)).toEqual([0]);
    expect(await notices(page)).toContain('Run 1 (linear · xavier');
    expect(await notices(page)).toContain('diverged at step 2');
    expect(r2!.status).toBe('active');
    expect(r2!.records.at(-1)!.step).toBe(19);
    expect(app.pageErrors).toEqual([]);
  });

  it.each([1, 10, 100])('is reported at the exact step with logEvery=%i', async (logEvery) => {
    const [r1, r2] = await stepAt(`/?backend=cpu&act=relu,sigmoid&init=he,xavier&runLr=1000,&logEvery=${logEvery}`, 150);
    expect(r1!.status).toBe('diverged');
    expect(r1!.divergedAt).toBe(2);
    expect(await notices(page)).toContain('diverged at step 2');
    expect(r2!.status).toBe('active');
    expect(r2!.records.at(-1)!.step).toBe(149);
    expect(app.pageErrors).toEqual([]);
  });
});
