/**
 * The per-layer activation control in the built lab app (headless Chromium, CPU): set by keyboard alone, one
 * sigmoid layer goes into a ReLU stack; the lab, the URL and the trainer follow (records equal a Node Trainer on
 * the same spec), the gradient profile drops below that layer and not above it; a reversed range is refused with
 * a field-named message and changes nothing; axe-core finds no violation with the control open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, modelSpec, scheduleSpec, type LabSpec } from '../../src/core/lab-spec.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { type AppSession, openApp } from './harness.js';
import { clean, notices, ready, setField } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const URL_RELU = '/?backend=cpu&depth=20&width=16&samples=100&dataset=spiral&logEvery=5&lr=0.1&act=relu,relu&init=he,he';

/** Focus an element inside run 0's controls. */
async function focusInRun0(page: Page, selector: string): Promise<void> {
  await page.evaluate((selector) => {
    const rc = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-run-controls')!;
    (rc.shadowRoot!.querySelector(selector) as HTMLElement).focus();
  }, selector);
}

/** Type a value into the focused number field (replacing what it holds). */
async function typeInto(page: Page, value: string): Promise<void> {
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.type(value);
}

async function runRecords(page: Page): Promise<StepRecord[][]> {
  return page.evaluate(() => window.__lab!.records().map((r) => r.records));
}

/** The run trained by a Node Trainer on the CPU backend (the oracle of the app's plumbing), recording distributions as the lab does for a model this small (so z is kept and φ′ read from it, as in the app). */
async function nodeRecords(lab: LabSpec, run: number, steps: number): Promise<StepRecord[]> {
  const backend = createCpuBackend({ dtype: lab.dtype, threads: 1 });
  const trainer = new Trainer(backend, { models: [modelSpec(lab, lab.runs[run]!, builtinShape(lab))], data: makeDataset(dataSpec(lab)), schedule: scheduleSpec(lab), distributions: true });
  const out: StepRecord[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await trainer.stepOnce(s % lab.logEvery === 0 || s === steps - 1);
    if (r) out.push(r[0]!);
  }
  trainer.dispose();
  backend.destroy();
  return out;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

describe('per-layer activations in the run controls', () => {
  it('one sigmoid layer in a ReLU stack, set with the keyboard: lab, URL, trainer and gradient profile', async () => {
    app = await openApp(URL_RELU, { webgpu: false, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    await ready(page);
    // Open the disclosure from the keyboard, then fill the form and submit it with Enter.
    await focusInRun0(page, 'details.layers summary');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-run-controls')!.shadowRoot!.querySelector<HTMLDetailsElement>('details.layers')!.open);
    await focusInRun0(page, 'input[name=layerFrom]');
    await typeInto(page, '10');
    await page.keyboard.press('Tab');
    await typeInto(page, '10');
    await page.keyboard.press('Enter'); // the form's default button: sigmoid is the preselected activation
    await page.waitForFunction(() => (window.__lab!.lab().runs[0]!.activations ?? [])[9] === 'sigmoid');

    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab.runs[0]!.activations).toEqual([...Array(9).fill('relu'), 'sigmoid', ...Array(10).fill('relu')]);
    expect(lab.runs[1]!.activations).toBeUndefined();
    expect(new URL(page.url()).searchParams.get('act')).toBe('relu*9+sigmoid+relu*10,relu');
    const summary = await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-run-controls')!.shadowRoot!.querySelector('details.layers summary')!.textContent!);
    expect(summary.replace(/\s+/g, ' ')).toContain('relu×9,sigmoid,relu×10');

    await page.evaluate(() => window.__lab!.step(6));
    await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length >= 2));
    const [mixed, relu] = await runRecords(page);
    // The app's run 0 is the Node Trainer's on the same spec.
    const oracle = await nodeRecords(lab, 0, 6);
    mixed!.forEach((r, i) => {
      expect(r.step).toBe(oracle[i]!.step);
      expect(r.loss).toBeCloseTo(oracle[i]!.loss, 10);
      r.gradNorms.forEach((g, l) => expect(g / oracle[i]!.gradNorms[l]!).toBeCloseTo(1, 8));
    });
    // At the initial weights: below the sigmoid layer (weight layers 0–9, whose gradient passes σ′ ≤ ¼) the profile
    // sits well under the pure ReLU stack's; above it (layers 11–20) it stays at the same level.
    const ratio = mixed![0]!.gradNorms.map((g, l) => g / relu![0]!.gradNorms[l]!);
    expect(mean(ratio.slice(0, 10))).toBeLessThan(0.5);
    expect(mean(ratio.slice(11))).toBeGreaterThan(0.6);
    expect(mean(ratio.slice(11))).toBeLessThan(1.6);

    // The activation plot follows the picked layer's own activation: ReLU at hidden layer 1, σ at hidden layer 10.
    const plotCaption = (layer: number) =>
      page.evaluate((layer) => {
        const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-activation-plot') as unknown as HTMLElement & { tables(): { caption: string }[] };
        const sel = el.shadowRoot!.querySelector('select[name=act-layer]') as HTMLSelectElement;
        sel.value = String(layer);
        sel.dispatchEvent(new Event('change'));
        return el.tables()[0]!.caption;
      }, layer);
    expect(await plotCaption(0)).toBe('relu and its derivative');
    expect(await plotCaption(9)).toBe('sigmoid and its derivative');
    expect(await plotCaption(10)).toBe('relu and its derivative');

    // A new depth carries the mix over in proportion (relu×9,sigmoid,relu×10 at depth 40: relu×18,sigmoid×2,relu×20), and says so.
    await setField(page, ['bp-app', 'bp-controls'], 'input[name=depth]', '40');
    await page.waitForFunction(() => window.__lab!.lab().depth === 40);
    expect((await page.evaluate(() => window.__lab!.lab().runs[0]!.activations))!.join(',')).toBe(
      [...Array(18).fill('relu'), 'sigmoid', 'sigmoid', ...Array(20).fill('relu')].join(','),
    );
    expect(new URL(page.url()).searchParams.get('act')).toBe('relu*18+sigmoid*2+relu*20,relu');
    expect(await notices(page)).toContain('Run 1: relu×18,sigmoid×2,relu×20');
    expect(await notices(page)).not.toContain('Not applied');
    clean(app);
  });

  it('a reversed range is refused with a field-named message and changes nothing; axe finds no violation', async () => {
    app = await openApp(URL_RELU, { webgpu: false, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    await page.setBypassCSP(true);
    await page.goto(app.url, { waitUntil: 'load' });
    await ready(page);
    await focusInRun0(page, 'details.layers summary');
    await page.keyboard.press('Enter');
    await focusInRun0(page, 'input[name=layerFrom]');
    await typeInto(page, '12');
    await page.keyboard.press('Tab');
    await typeInto(page, '5');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-run-controls')!.shadowRoot!.querySelector('details.layers [role=status]')!.textContent!.includes('not allowed'),
    );
    const message = await page.evaluate(() => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-run-controls')!.shadowRoot!.querySelector('details.layers [role=status]')!.textContent!);
    expect(message).toContain('layers: "12–5" is not allowed; expected two whole layer numbers from 1 to 20');
    expect(await page.evaluate(() => window.__lab!.lab().runs[0]!.activations)).toBeUndefined();

    await page.addScriptTag({ path: (await import('node:url')).fileURLToPath(import.meta.resolve('axe-core/axe.min.js')) });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
