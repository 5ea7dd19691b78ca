/**
 * The Network card in the built app (headless Chromium), on the CPU (f64) and on WebGPU (SwiftShader): it draws every
 * run after a read-back; a mouse click on a unit opens that unit's chain rule; the step-through walks the stages with
 * → and ← (which then do not step the training), its loss stage holds the loss the trainer then records for that
 * step, and its backward stages are highlighted; after a lost WebGPU device the card draws again from the CPU runs;
 * a deep stack is folded and unfolds on a click of its band.
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

const SMALL = 'depth=3&width=6&samples=60&dataset=circle&logEvery=1&batch=0';

/** Evaluate `fn` with the inspector element (inside bp-app → bp-chart-grid). */
function withInspector<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate((body) => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const el = grid.querySelector('bp-network-inspector')!;
    return new Function('el', body)(el) as T;
  }, fn);
}

/** Wait until the view has drawn units of `runs` runs at a step ≥ `step`. */
async function waitDrawn(page: Page, runs: number, step: number): Promise<void> {
  await page.waitForFunction(
    (runs, step) => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      const el = grid.querySelector('bp-network-inspector') as unknown as HTMLElement & { inspections: { id: string; step: number; trace: unknown }[] };
      el.scrollIntoView();
      const view = el.shadowRoot!.querySelector('bp-network-view') as unknown as { placedUnits(id: string): unknown[] } | null;
      const ins = el.inspections.filter((i) => i.trace && i.step >= step);
      return view !== null && ins.length === runs && ins.every((i) => view.placedUnits(i.id).length > 0);
    },
    { timeout: 60_000 },
    runs,
    step,
  );
}

/** Click unit `unit` of node layer `layer` of run0 with the mouse, where the view drew it. */
async function clickUnit(page: Page, layer: number, unit: number): Promise<void> {
  const at = await withInspector<{ x: number; y: number }>(
    page,
    `const view = el.shadowRoot.querySelector('bp-network-view');
     const u = view.placedUnits('run0').find((p) => p.layer === ${layer} && p.unit === ${unit});
     const r = view.shadowRoot.querySelector('canvas').getBoundingClientRect();
     return { x: r.left + u.x, y: r.top + u.y };`,
  );
  await page.mouse.click(at.x, at.y);
}

async function stepThrough(page: Page, dtypeTolerance: number): Promise<void> {
  const stepBefore = await page.evaluate(() => window.__lab!.records()[0]!.records.at(-1)!.step);
  await withInspector(page, `el.shadowRoot.querySelector('button[name=step-through]').click();`);
  // The panel has the focus: → walks forward, and does not step the training.
  await page.waitForFunction(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const st = grid.querySelector('bp-network-inspector')!.shadowRoot!.querySelector('bp-step-through');
    return st?.shadowRoot?.activeElement?.classList.contains('panel') === true;
  });
  const stageText = () => withInspector<string>(page, `return el.shadowRoot.querySelector('bp-step-through').shadowRoot.querySelector('.nav strong').textContent;`);
  expect(await stageText()).toContain('Stage 1 of 10: Forward, layer 1');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const st = grid.querySelector('bp-network-inspector')!.shadowRoot!.querySelector('bp-step-through')!;
    return st.shadowRoot!.querySelector('.nav strong')!.textContent!.includes('Stage 5 of 10: Loss');
  });
  const loss = Number(await withInspector<string>(page, `return el.shadowRoot.querySelector('bp-step-through').shadowRoot.querySelector('dd[data-label="L"]').dataset.values;`));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const st = grid.querySelector('bp-network-inspector')!.shadowRoot!.querySelector('bp-step-through')!;
    return st.shadowRoot!.querySelector('.nav strong')!.textContent!.includes('Stage 6 of 10: Backward, layer 4 (output)');
  });
  const hook = await page.evaluate(() => window.__lab!.records()[0]!.records.at(-1)!.step);
  expect(hook).toBe(stepBefore);
  const png = await withInspector<string | null>(page, `const c = el.exportCanvas(); return c ? c.toDataURL('image/png') : null;`);
  expect(png).not.toBeNull();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, `network-step-through-${dtypeTolerance < 1e-6 ? 'cpu' : 'webgpu'}.png`), Buffer.from(png!.split(',')[1]!, 'base64'));
  // The loss the stage showed is the loss the trainer records for that step.
  await page.evaluate(() => window.__lab!.step(1));
  const rec = await page.evaluate(() => window.__lab!.records()[0]!.records.at(-1)!);
  expect(rec.step).toBe(stepBefore + 1);
  expect(Math.abs(rec.loss - loss)).toBeLessThan(dtypeTolerance * Math.max(1, rec.loss));
  await withInspector(page, `el.shadowRoot.querySelector('button[name=step-through]').click();`);
}

async function neuron(page: Page): Promise<void> {
  await clickUnit(page, 2, 3);
  await page.waitForFunction(() => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const p = grid.querySelector('bp-network-inspector')!.shadowRoot!.querySelector('bp-neuron-panel');
    return p?.shadowRoot?.textContent?.includes('unit 4 of hidden 2') === true;
  });
  const tables = await withInspector<{ caption: string; rows: unknown[][] }[]>(page, `return el.tables().map((t) => ({ caption: t.caption, rows: t.rows }));`);
  const chain = tables.find((t) => t.caption.includes('the chain rule'))!;
  expect(chain.caption).toContain('unit 4 of hidden 2');
  const get = (name: string) => chain.rows.find((r) => String(r[0]).startsWith(name))![1] as number;
  // ∂L/∂z = ∂L/∂a · φ′(z), as the panel states it.
  expect(get('∂L/∂z')).toBeCloseTo(get('∂L/∂a') * get('φ′(z)'), 12);
  expect(tables.some((t) => t.caption.includes('largest incoming gradients') && t.rows.length === 4)).toBe(true);
}

describe('Network card', () => {
  it('CPU (f64): draws both runs, explains a clicked unit and walks a step with the keyboard', async () => {
    app = await openApp(`/?backend=cpu&dtype=f64&${SMALL}`, { viewport: { width: 1280, height: 800 } });
    await ready(app.page);
    await app.page.evaluate(() => window.__lab!.step(3));
    await waitDrawn(app.page, 2, 3);
    await neuron(app.page);
    await withInspector(app.page, `el.scrollIntoView();`);
    await app.screenshot('network-neuron-cpu');
    await stepThrough(app.page, 1e-9);
    expect(app.pageErrors).toEqual([]);
  });

  it('WebGPU: the same, then after a lost device it draws from the CPU runs', async () => {
    app = await openApp(`/?backend=webgpu&theme=projector&${SMALL}`, { webgpu: true });
    await ready(app.page);
    expect(await app.page.evaluate(() => window.__lab!.backendInfo().kind)).toBe('webgpu');
    await app.page.evaluate(() => window.__lab!.step(3));
    await waitDrawn(app.page, 2, 3);
    await neuron(app.page);
    // f32 on the GPU against the page's f64 from the f32 parameters read back.
    await stepThrough(app.page, 1e-4);
    expect(await app.page.evaluate(() => window.__lab!.loseDevice())).toBe(true);
    await app.page.waitForFunction(() => window.__lab!.backendInfo().kind === 'cpu', { timeout: 60_000 });
    await app.page.evaluate(() => window.__lab!.step(2));
    const at = await app.page.evaluate(() => window.__lab!.records()[0]!.records.at(-1)!.step);
    await waitDrawn(app.page, 2, at + 1);
    expect(app.pageErrors).toEqual([]);
  });

  it('folds a deep stack into a band that unfolds on a click', async () => {
    app = await openApp('/?backend=cpu&depth=12&width=24&samples=60&dataset=circle', { webgpu: false });
    await ready(app.page);
    await app.page.evaluate(() => window.__lab!.step(1));
    await waitDrawn(app.page, 2, 1);
    const layers = () => withInspector<number[]>(app!.page, `return [...new Set(el.shadowRoot.querySelector('bp-network-view').placedUnits('run0').map((u) => u.layer))];`);
    const perLayer = () => withInspector<number>(app!.page, `return el.shadowRoot.querySelector('bp-network-view').placedUnits('run0').filter((u) => u.layer === 1).length;`);
    expect(await layers()).toEqual([0, 1, 2, 11, 12, 13]);
    // 24 units: a sample of 15 and "+9 more".
    expect(await perLayer()).toBe(15);
    const band = await withInspector<{ x: number; y: number }>(
      app.page,
      `const view = el.shadowRoot.querySelector('bp-network-view');
       const us = view.placedUnits('run0');
       const a = us.find((u) => u.layer === 2), b = us.find((u) => u.layer === 11);
       const r = view.shadowRoot.querySelector('canvas').getBoundingClientRect();
       return { x: r.left + (a.x + b.x) / 2, y: r.top + a.y };`,
    );
    const folded = await withInspector<string>(app.page, `return el.exportCanvas().toDataURL('image/png');`);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, 'network-folded.png'), Buffer.from(folded.split(',')[1]!, 'base64'));
    await app.page.mouse.click(band.x, band.y);
    await app.page.waitForFunction(() => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      const view = grid.querySelector('bp-network-inspector')!.shadowRoot!.querySelector('bp-network-view') as unknown as { placedUnits(id: string): { layer: number }[] };
      return new Set(view.placedUnits('run0').map((u) => u.layer)).size === 14;
    });
    // Step-through is only for small networks.
    expect(await withInspector<boolean>(app.page, `return el.shadowRoot.querySelector('button[name=step-through]').disabled;`)).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });
});
