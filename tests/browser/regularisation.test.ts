/**
 * Dropout, weight decay and the learning-rate schedule in the built lab app (headless Chromium, CPU): a link's
 * `drop`, `dropSeed`, `wd`, `sched` and `warmup` reach the runs and the trainer (the records carry the scheduled rate, as
 * src/core/lr-schedule.ts computes it); the controls are reached and set from the keyboard and write the URL;
 * the schedule's curve says in words what it draws; a bad value gets a notice naming the run's field; and with
 * the controls open axe-core finds no violation and nothing runs past the run card at 390, 1024, 1280 and 1920 px.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { scheduledRate } from '../../src/core/lr-schedule.js';
import { type AppSession, openApp } from './harness.js';
import { clean, ready, RUN, setField } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const URL_REG = '/?backend=cpu&depth=3&width=16&samples=100&dataset=spiral&logEvery=5&lr=0.1&act=sigmoid,relu&drop=0,0.3&wd=none,decoupled:0.01&sched=constant,cosine:200&warmup=0,20';

/** Open the mitigation disclosure of every run. */
async function openDetails(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const rc of document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')) rc.shadowRoot!.querySelector('details')!.open = true;
  });
}

/** The name attribute of the element that has the keyboard focus, through shadow roots. */
function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute('name') ?? null;
  });
}

/** Two animation frames. */
function frames(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * Elements of the run cards (shadow trees included) that reach past their card's sides, and the page's overflow;
 * the inside of a box that clips (overflow hidden: the one-line summary with its ellipsis) is not looked into.
 */
function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; cut: string[] }> {
  return page.evaluate(() => {
    const cut: string[] = [];
    const walk = (root: ParentNode, left: number, right: number) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.parentElement && getComputedStyle(el.parentElement).overflowX === 'hidden') continue;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && (r.left < left - 1 || r.right > right + 1)) cut.push(`<${el.localName} name=${el.getAttribute('name')}> ${Math.round(r.left)}–${Math.round(r.right)} (card ${Math.round(left)}–${Math.round(right)})`);
        if (el.shadowRoot) walk(el.shadowRoot, left, right);
      }
    };
    for (const rc of document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')) {
      const box = rc.getBoundingClientRect();
      if (box.width > 0) walk(rc.shadowRoot!, box.left, box.right);
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, cut };
  });
}

describe('dropout, weight decay and learning-rate schedule controls', () => {
  it('a link sets them, the trainer follows, the keyboard changes them, a bad one is named, nothing overflows', async () => {
    app = await openApp(URL_REG, { webgpu: false, viewport: { width: 1280, height: 900 } });
    const { page } = app;
    await ready(page);
    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab.runs[0]).toEqual({ activation: 'sigmoid', init: 'xavier', gain: 1, lr: null });
    expect(lab.runs[1]).toEqual({ activation: 'relu', init: 'he', gain: 1, lr: null, dropout: 0.3, weightDecay: { kind: 'decoupled', lambda: 0.01 }, schedule: { kind: 'cosine', steps: 200, warmup: 20 } });

    // The records carry the scheduled rate: warm-up over 20 steps, then the cosine.
    await page.evaluate(() => window.__lab!.step(26));
    const recs = await page.evaluate(() => window.__lab!.records().map((r) => r.records.map((x) => [x.step, x.lr])));
    const schedule = lab.runs[1]!.schedule!;
    expect(recs[1]!.map(([s]) => s)).toEqual([0, 5, 10, 15, 20, 25]);
    for (const [step, lr] of recs[1]!) expect(lr).toBeCloseTo(scheduledRate(0.1, schedule, step!), 15);
    expect(recs[0]!.every(([, lr]) => lr === 0.1)).toBe(true);

    // The curve says what it draws.
    await openDetails(page);
    const label = await page.evaluate(() => {
      const rc = document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')[1]!;
      return rc.shadowRoot!.querySelector('bp-lr-schedule')!.shadowRoot!.querySelector('svg')!.getAttribute('aria-label');
    });
    expect(label).toBe('Learning-rate curve of run 2: Learning rate rises linearly over the first 20 steps to 0.1, then falls along a half cosine to 0 over 200 steps, and stays there.');

    // Keyboard: from run 1's normalisation, Tab reaches dropout, weight decay, then the schedule; typing sets them.
    await page.evaluate(() => {
      const rc = document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')[0]!;
      (rc.shadowRoot!.querySelector('select[name=norm]') as HTMLElement).focus();
    });
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('dropout');
    await page.keyboard.type('0.2');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.dropout === 0.2);
    expect(await focusedName(page)).toBe('weightDecay');
    await page.keyboard.press('Tab'); // λ is disabled while the decay is none: next is the schedule
    expect(await focusedName(page)).toBe('schedule');
    await page.keyboard.press('Tab');
    expect(await focusedName(page)).toBe('warmup');
    await page.keyboard.type('10');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.schedule?.warmup === 10);

    // The kind through its select: the step schedule starts at every 100 × 0.5 and keeps the warm-up.
    await setField(page, [...RUN(0), 'bp-lr-schedule'], 'select[name=schedule]', 'step');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.schedule?.kind === 'step');
    expect((await page.evaluate(() => window.__lab!.lab())).runs[0]!.schedule).toEqual({ kind: 'step', every: 100, factor: 0.5, warmup: 10 });
    const params = await page.evaluate(() => Object.fromEntries(new URL(location.href).searchParams));
    expect(params).toMatchObject({ drop: '0.2,0.3', wd: 'none,decoupled:0.01', sched: 'step:100:0.5,cosine:200', warmup: '10,20' });
    // Run 1's dropout mask seed (enabled now that it drops units) is written into the link.
    await setField(page, RUN(0), 'input[name=dropoutSeed]', '7');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.dropoutSeed === 7);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('dropSeed') === '7,');
    expect(await page.evaluate(() => {
      const rc = document.querySelectorAll('bp-app')[0]!.shadowRoot!.querySelectorAll('bp-run-controls')[1]!;
      return (rc.shadowRoot!.querySelector('input[name=dropoutSeed]') as HTMLInputElement).placeholder;
    })).toBe('weights seed');
    await setField(page, RUN(0), 'select[name=weightDecay]', 'coupled');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.weightDecay?.kind === 'coupled');

    // A bad value: a notice names the run's field, the run keeps its value.
    await setField(page, [...RUN(0), 'bp-lr-schedule'], 'input[name=scheduleFactor]', '2');
    await page.waitForFunction(() => window.__lab!.notices().some((n) => /learning-rate schedule/.test(n.text + n.details.join(' '))));
    const notes = await page.evaluate(() => window.__lab!.notices().map((n) => `${n.text} ${n.details.join(' ')}`).join('\n'));
    expect(notes).toMatch(/Run 1's learning-rate schedule \(sched\): "step:100:2" is not allowed; expected factor: a finite number above 0 and at most 1/);
    expect((await page.evaluate(() => window.__lab!.lab())).runs[0]!.schedule).toEqual({ kind: 'step', every: 100, factor: 0.5, warmup: 10 });
    await setField(page, RUN(1), 'input[name=dropout]', '1');
    await page.waitForFunction(() => window.__lab!.notices().some((n) => /dropout/.test(n.text + n.details.join(' '))));
    expect((await page.evaluate(() => window.__lab!.lab())).runs[1]!.dropout).toBe(0.3);

    // Nothing runs past the run cards, at every width (the drawer opened below 600 px).
    for (const width of [1920, 1280, 1024, 390]) {
      await page.setViewport({ width, height: 900 });
      await frames(page);
      if (width === 390) {
        await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('button[name=drawer]') as HTMLElement).click());
        await frames(page);
      }
      await openDetails(page);
      await frames(page);
      const o = await overflow(page);
      expect(o.cut, `${width} px`).toEqual([]);
      expect(o.scrollWidth, `${width} px`).toBeLessThanOrEqual(o.innerWidth);
    }
    clean(app);
  });

  it('axe-core finds no violation with the controls and the schedule table open', async () => {
    app = await openApp(URL_REG, { webgpu: false, viewport: { width: 1280, height: 900 } });
    const { page } = app;
    await page.setBypassCSP(true);
    await page.goto(app.url, { waitUntil: 'load' });
    await ready(page);
    await openDetails(page);
    await page.evaluate(() => {
      for (const rc of document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')) {
        rc.shadowRoot!.querySelector('bp-lr-schedule')!.shadowRoot!.querySelector('details')!.open = true;
      }
    });
    await frames(page);
    await page.addScriptTag({ path: new URL(import.meta.resolve('axe-core/axe.min.js')).pathname });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`) }));
    });
    expect(violations).toEqual([]);
  });
});
