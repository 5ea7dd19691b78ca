/**
 * The embed bundle in a course page (dist/embed.html): two `<backprop-lab>` elements configured by attributes, each
 * with its own controller; the page's URL untouched; keys heard only inside the focused lab; nothing off the origin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { LabHook } from '../../src/ui/lab/test-hook.js';
import { type AppSession, openApp } from './harness.js';

/** A `<backprop-lab>` as the page sees it: its `lab` handle exists once it has rendered. */
type Embed = Element & { lab: LabHook | null };

/** Wait until the embed `selector` has its lab and the lab has started. */
async function ready(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => (document.querySelector(s) as Embed | null)?.lab != null, {}, selector);
  await page.evaluate((s) => (document.querySelector(s) as Embed).lab!.ready(), selector);
}

/** How many steps the first run of the embed `selector` has recorded (a single step records itself). */
function recorded(page: Page, selector: string): Promise<number> {
  return page.evaluate((s) => (document.querySelector(s) as Embed).lab!.records()[0]!.records.length, selector);
}

describe('<backprop-lab> embed', () => {
  let app: AppSession | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('trains from its attributes, leaves the page URL alone, keeps two labs apart and stays on the origin', async () => {
    app = await openApp('/embed.html?lesson=3#part-2', { webgpu: false });
    const { page } = app;
    await ready(page, '#vanishing');
    await ready(page, '#shallow');

    // The attributes became each lab's settings.
    const settings = await page.evaluate(() =>
      ['#vanishing', '#shallow'].map((s) => {
        const l = (document.querySelector(s) as Embed).lab!.lab();
        return { depth: l.depth, width: l.width, runs: l.runs.map((r) => `${r.activation}:${r.init}`) };
      }),
    );
    expect(settings[0]!.depth).toBe(20);
    expect(settings[0]!.runs).toEqual(['sigmoid:xavier', 'relu:he']);
    expect(settings[1]).toEqual({ depth: 3, width: 16, runs: ['tanh:xavier'] });

    // autoplay="1" trains the first lab on its own; the second (no autoplay) has not taken a step.
    await page.waitForFunction(() => ((document.querySelector('#vanishing') as Embed).lab!.records()[0]!.records.at(-1)?.step ?? 0) >= 20);
    expect(await recorded(page, '#shallow')).toBe(0);

    // theme="projector" themes that lab alone; the page's root keeps no theme.
    const themes = await page.evaluate(() => ({
      root: document.documentElement.dataset['theme'] ?? null,
      labs: ['#vanishing', '#shallow'].map((s) => document.querySelector(s)!.shadowRoot!.querySelector('bp-app')!.getAttribute('data-theme')),
    }));
    expect(themes).toEqual({ root: null, labs: [null, 'projector'] });
    // Its Projector toggle turns it off there, charts included (their ink follows the lab's own data-theme).
    const chartInk = () =>
      page.evaluate(() => {
        const app = document.querySelector('#shallow')!.shadowRoot!.querySelector('bp-app')!.shadowRoot!;
        const card = app.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-chart-card')!;
        return (card.querySelector('bp-gradient-profile') as unknown as { theme: { value: { ink: string } } }).theme.value.ink;
      });
    expect(await chartInk()).toBe('#000000');
    await page.evaluate(() => (document.querySelector('#shallow')!.shadowRoot!.querySelector('bp-app')!.shadowRoot!.querySelector('button[name=projector]') as HTMLElement).click());
    await page.waitForFunction(() => !document.querySelector('#shallow')!.shadowRoot!.querySelector('bp-app')!.hasAttribute('data-theme'));
    expect(await chartInk()).toBe('#1f2328');
    expect(await page.evaluate(() => document.documentElement.dataset['theme'] ?? null)).toBeNull();

    // Keys: → with the focus outside every lab does nothing; with the focus in the second lab it steps that lab only.
    await page.evaluate(() => (document.querySelector('#vanishing') as Embed).lab!.pause());
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowRight');
    await page.click('#shallow >>> h1');
    const focused = await page.evaluate(() => document.activeElement?.id ?? null);
    expect(focused).toBe('shallow');
    await page.keyboard.press('ArrowRight');
    // The hook's step queues behind every step a key asked for: one from the focused press, none from the outside one.
    await page.evaluate(() => (document.querySelector('#shallow') as Embed).lab!.step(1));
    expect(await recorded(page, '#shallow')).toBe(2);

    await app.screenshot('embed-two-labs');
    expect(page.url()).toBe(app.url);
    expect(app.url).toMatch(/\/embed\.html\?lesson=3#part-2$/);
    // The training worker resolves next to the script (dist/embed/assets/), not against the page.
    expect(app.requests.some((r) => /\/embed\/assets\/lab-worker-[\w-]+\.js$/.test(r))).toBe(true);
    expect(app.foreignRequests()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });

  it('loads the WebGPU backend (a chunk beside the script) when an embed asks for it', async () => {
    app = await openApp('/embed.html', { webgpu: true });
    const { page } = app;
    await page.evaluate(() => {
      const el = document.createElement('backprop-lab');
      el.id = 'gpu';
      for (const [k, v] of [['backend', 'webgpu'], ['depth', '2'], ['width', '8'], ['samples', '50']]) el.setAttribute(k!, v!);
      document.body.append(el);
    });
    await ready(page, '#gpu');
    await page.evaluate(() => (document.querySelector('#gpu') as Embed).lab!.step(1));
    const info = await page.evaluate(() => {
      const lab = (document.querySelector('#gpu') as Embed).lab!;
      return { kind: lab.backendInfo().kind, steps: lab.records()[0]!.records.length };
    });
    expect(info).toEqual({ kind: 'webgpu', steps: 1 });
    // The lab trains in its worker (dist/embed/assets/lab-worker-*.js), which loads its WebGPU chunk from beside itself.
    expect(app.requests.some((r) => /\/embed\/assets\/webgpu-backend-[\w-]+\.js$/.test(r))).toBe(true);
    expect(app.foreignRequests()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });

  it('names a bad or unknown attribute in a notice of that lab', async () => {
    app = await openApp('/embed.html', { webgpu: false });
    const { page } = app;
    await page.evaluate(() => {
      const el = document.createElement('backprop-lab');
      el.id = 'bad';
      el.setAttribute('depth', '-3');
      el.setAttribute('dept', '5');
      document.body.append(el);
    });
    await ready(page, '#bad');
    const notices = await page.evaluate(() =>
      (document.querySelector('#bad') as Embed).lab!.notices().map((n) => `${n.text} ${n.details.join(' | ')}`),
    );
    const text = notices.join('\n');
    expect(text).toContain('attributes of this embedded lab');
    expect(text).toMatch(/\bdepth\b.*-3/);
    expect(text).toMatch(/\bdept\b/);
    expect(page.url()).toBe(app.url);
  });
});
