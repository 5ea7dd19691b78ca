/**
 * The Distributions card in the built app (headless Chromium): after a few logged steps on the CPU and on WebGPU
 * (SwiftShader) it draws quantile bands (exportCanvas non-null), redraws for another quantity and layer picked in
 * its selectors (the plot's summary names the pick), and its data table holds one row per layer with min ≤ median ≤ max.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR, type AppSession, openApp } from './harness.js';
import { ready } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const SMALL = 'depth=4&width=16&samples=100&dataset=spiral&logEvery=5';

/** Whether the Distributions card has a plot, and its table's rows. */
async function card(page: Page): Promise<{ drawn: boolean; rows: unknown[][] }> {
  return page.evaluate(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const el = grid.querySelector('bp-distributions') as unknown as { exportCanvas(): unknown; tables(): { rows: unknown[][] }[] } | null;
    if (!el) return { drawn: false, rows: [] };
    return { drawn: el.exportCanvas() !== null, rows: el.tables()[0]?.rows ?? [] };
  });
}

/** Wait until the card has a plot and its summary names `what` (a condition, with a generous timeout). */
async function waitDrawn(page: Page, what: string): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      const el = grid.querySelector('bp-distributions') as unknown as { exportCanvas(): unknown; summary(): string } | null;
      return el !== null && el.exportCanvas() !== null && el.summary().includes(w);
    },
    { timeout: 60_000 },
    what,
  );
}

/** Pick `value` in the card's select labelled `label`. */
async function pick(page: Page, label: string, value: string): Promise<void> {
  await page.evaluate(
    (l, v) => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      const sel = grid.querySelector('bp-distributions')!.shadowRoot!.querySelector(`select[aria-label="${l}"]`) as HTMLSelectElement;
      sel.value = v;
      sel.dispatchEvent(new Event('change'));
    },
    label,
    value,
  );
}

async function check(page: Page): Promise<void> {
  expect((await card(page)).drawn).toBe(false);
  await page.evaluate(() => window.__lab!.step(11));
  await waitDrawn(page, 'activation a at layer 1');
  const { rows } = await card(page);
  // depth 4 hidden layers + the output layer; columns: layer, min, 7 … 93 %, max.
  expect(rows.length).toBe(5);
  for (const r of rows) {
    const [min, median, max] = [r[1], r[5], r[9]] as number[];
    expect(min).toBeLessThanOrEqual(median!);
    expect(median).toBeLessThanOrEqual(max!);
  }
  const steps: [string, string, string][] = [
    ['quantity', 'dz', 'gradient ∂L/∂z at layer 1'],
    ['layer', '2', 'gradient ∂L/∂z at layer 3'],
    ['quantity', 'z', 'pre-activation z at layer 3'],
    ['quantity', 'w', 'weights W at layer 3'],
  ];
  for (const [label, value, what] of steps) {
    await pick(page, label, value);
    await waitDrawn(page, what);
  }
  const png = await page.evaluate(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    return (grid.querySelector('bp-distributions') as unknown as { exportCanvas(): HTMLCanvasElement }).exportCanvas().toDataURL('image/png');
  });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, 'distributions-card.png'), Buffer.from(png.split(',')[1]!, 'base64'));
}

describe('Distributions card', () => {
  it('draws on the CPU path and follows its selectors', async () => {
    app = await openApp(`/?backend=cpu&${SMALL}`, { viewport: { width: 1280, height: 720 } });
    await ready(app.page);
    await check(app.page);
  });

  it('draws on the WebGPU path', async () => {
    app = await openApp(`/?backend=webgpu&${SMALL}`, { webgpu: true });
    await ready(app.page);
    expect(await app.page.evaluate(() => window.__lab!.backendInfo().kind)).toBe('webgpu');
    await check(app.page);
  });
});
