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
import { fileURLToPath } from 'node:url';
import { ARTIFACTS_DIR, type AppSession, openApp } from './harness.js';
import { ready } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** axe-core's browser build. */
const AXE_PATH = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

/** axe-core's violations on the page (the page must have been opened with its CSP bypassed). */
async function axeViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(d: Document, o: object): Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`) }));
  });
}

/**
 * With a fake clock in the inspector, three version changes within one interval cause one read at once and one more
 * when the interval ends — never three; returns the reads counted [after the changes, after the interval].
 */
async function throttledReads(page: Page): Promise<[number, number]> {
  return page.evaluate(async () => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const el = grid.querySelector('bp-network-inspector') as unknown as HTMLElement & {
      clock: unknown; version: string; refresh: () => Promise<void>; updateComplete: Promise<unknown>; refreshes: number;
    };
    let now = 0;
    const timers: (() => void)[] = [];
    el.clock = { now: () => now, setTimeout: (f: () => void) => timers.push(f), clearTimeout: () => undefined };
    const inFlight = () => (el as unknown as { inFlight: boolean }).inFlight;
    // Count the reads as they start (a refresh asked for during a read only marks the view dirty). The count sits on
    // the element's refresh, not its source, which the chart grid sets again whenever it renders.
    const real = el.refresh;
    let reads = 0;
    el.refresh = function (this: typeof el) {
      if (!inFlight()) reads++;
      return real.call(this);
    };
    /** Wait (polling, a condition) until `n` refreshes have completed. */
    const settled = async (n: number) => {
      while (el.refreshes < n) await new Promise((r) => setTimeout(r, 10));
    };
    /**
     * Let everything already asked for happen first: the read that setting the clock asks for, and any the lab's own
     * version changes ask for meanwhile (a state from the training worker may arrive during a read), each interval
     * ended by hand, until no read is in flight and no timer waits.
     */
    const quiet = async () => {
      for (;;) {
        await el.updateComplete;
        while (inFlight()) await new Promise((r) => setTimeout(r, 10));
        if (timers.length === 0) return;
        now += 1000;
        for (const f of timers.splice(0)) f();
      }
    };
    await quiet();
    const done = el.refreshes;
    reads = 0;
    now += 5000;
    for (const v of ['t1', 't2', 't3']) {
      el.version = v;
      await el.updateComplete;
    }
    const first = reads;
    await settled(done + 1);
    now += 1000;
    for (const f of timers.splice(0)) f();
    const second = reads;
    await settled(done + 2);
    delete (el as unknown as { refresh?: unknown }).refresh;
    return [first, second] as [number, number];
  });
}

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

/** The activation plot's summary and tables (in the controls column). */
function activationPlot(page: Page): Promise<{ summary: string; tables: { caption: string; rows: unknown[][] }[]; drawn: boolean }> {
  return page.evaluate(() => {
    const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-activation-plot') as unknown as {
      summary(): string;
      tables(): { caption: string; rows: unknown[][] }[];
      exportCanvas(): unknown;
    };
    return { summary: el.summary(), tables: el.tables().map((t) => ({ caption: t.caption, rows: t.rows })), drawn: el.exportCanvas() !== null };
  });
}

describe('Activation plot', () => {
  it('draws σ and σ′ with the ¼ peak and a layer’s recorded z under them, for the picked layer', async () => {
    app = await openApp(`/?backend=cpu&${SMALL}`, { webgpu: false });
    await ready(app.page);
    const before = await activationPlot(app.page);
    expect(before.summary).toContain('No distribution recorded yet');
    const curve = before.tables[0]!;
    expect(curve.caption).toBe('sigmoid and its derivative');
    // At z = 0: σ = ½ and σ′ = ¼ (the marked peak); every σ′ of the table is at most ¼.
    expect(curve.rows.find((r) => r[0] === 0)!.slice(1)).toEqual([0.5, 0.25]);
    expect(curve.rows.every((r) => (r[2] as number) <= 0.25)).toBe(true);
    await app.page.evaluate(() => window.__lab!.step(2));
    await app.page.waitForFunction(() => {
      const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-activation-plot') as unknown as { summary(): string };
      return el.summary().includes('Hidden layer 1 at step 1');
    });
    await app.page.evaluate(() => {
      const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-activation-plot')!;
      const sel = el.shadowRoot!.querySelector('select[name=act-layer]') as HTMLSelectElement;
      sel.value = '2';
      sel.dispatchEvent(new Event('change'));
    });
    const after = await activationPlot(app.page);
    expect(after.summary).toContain('Hidden layer 3 at step 1');
    const q = after.tables[1]!.rows[0]!.slice(1) as number[];
    for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThanOrEqual(q[i - 1]!);
    expect(after.drawn).toBe(true);
    const png = await app.page.evaluate(() => {
      const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-activation-plot') as unknown as { exportCanvas(): HTMLCanvasElement };
      return el.exportCanvas().toDataURL('image/png');
    });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, 'activation-plot.png'), Buffer.from(png.split(',')[1]!, 'base64'));
    expect(app.pageErrors).toEqual([]);
  });
});

describe('Network card', () => {
  it('CPU (f64): draws both runs, explains a clicked unit and walks a step with the keyboard', async () => {
    app = await openApp(`/?backend=cpu&dtype=f64&${SMALL}`, { viewport: { width: 1280, height: 800 } });
    await app.page.setBypassCSP(true);
    await app.page.goto(app.url, { waitUntil: 'load' });
    await ready(app.page);
    await app.page.evaluate(() => window.__lab!.step(3));
    await waitDrawn(app.page, 2, 3);
    await neuron(app.page);
    await withInspector(app.page, `el.scrollIntoView();`);
    await app.screenshot('network-neuron-cpu');
    expect(await axeViolations(app.page)).toEqual([]);
    await stepThrough(app.page, 1e-9);
    await withInspector(app.page, `el.shadowRoot.querySelector('button[name=step-through]').click();`);
    expect(await axeViolations(app.page)).toEqual([]);
    await withInspector(app.page, `el.shadowRoot.querySelector('button[name=step-through]').click();`);
    expect(await throttledReads(app.page)).toEqual([1, 2]);
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
