/**
 * The lab and benchmark pages on every screen: no sideways scrolling from a phone to a 1080p projector, the
 * controls drawer on a phone (keyboard only), the projector theme from the URL, the charts' numbers as tables,
 * and axe-core finding no accessibility violation.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { ready } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The screens the lab must fit without scrolling sideways: laptops, projectors and a phone. */
const SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
] as const;

/** Two animation frames: resize observers have fired and the charts have redrawn at the new size. */
function frames(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * The document's scroll width, and every visible element of the header or of a chart card (shadow trees
 * included) that reaches past the viewport or past its card's sides.
 */
function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; cut: string[] }> {
  return page.evaluate(() => {
    const cut: string[] = [];
    const app = document.querySelector('bp-app')!.shadowRoot!;
    const visible = (r: DOMRect) => r.width > 0 && r.height > 0;
    const walk = (root: ParentNode, left: number, right: number, where: string) => {
      for (const el of root.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (visible(r) && (r.left < left - 1 || r.right > right + 1)) cut.push(`${where}: <${el.localName}> ${Math.round(r.left)}–${Math.round(r.right)}`);
        if (el.shadowRoot) walk(el.shadowRoot, left, right, where);
      }
    };
    walk(app.querySelector('header')!, 0, innerWidth, 'header');
    const grid = app.querySelector('bp-chart-grid')!.shadowRoot!;
    for (const card of grid.querySelectorAll('bp-chart-card')) {
      const box = card.getBoundingClientRect();
      const name = card.getAttribute('heading') ?? '?';
      if (box.left < 0 || box.right > innerWidth) cut.push(`card ${name}: ${Math.round(box.left)}–${Math.round(box.right)}`);
      walk(card, box.left, box.right, name);
      walk(card.shadowRoot!, box.left, box.right, name);
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, cut };
  });
}

/** The focused element, through shadow roots: its tag, name attribute and id. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.localName}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}${el.id ? `#${el.id}` : ''}` : '';
  });
}

/** The controls panel's computed visibility, whether the drawer button shows, and whether it says it is expanded. */
function drawerState(page: Page): Promise<{ aside: string; button: string; expanded: string | null }> {
  return page.evaluate(() => {
    const root = document.querySelector('bp-app')!.shadowRoot!;
    const button = root.querySelector('button[name=drawer]')!;
    return {
      aside: getComputedStyle(root.querySelector('aside')!).visibility,
      button: getComputedStyle(button).display === 'none' ? 'none' : 'shown',
      expanded: button.getAttribute('aria-expanded'),
    };
  });
}

describe('the lab page fits every screen', () => {
  it('never scrolls sideways and cuts no card, from 390 px to 1920 px (WebGPU off: the long CPU reason in the badge)', async () => {
    app = await openApp('/?depth=20&width=32&samples=200&logEvery=10', { webgpu: false, viewport: SIZES[0] });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(30));
    for (const size of SIZES) {
      await page.setViewport(size);
      await frames(page);
      const o = await overflow(page);
      expect({ size: `${size.width}×${size.height}`, ...o }).toEqual({ size: `${size.width}×${size.height}`, scrollWidth: size.width, innerWidth: size.width, cut: [] });
    }
  });

  it('folds the controls into a drawer at 390 px that the keyboard opens, enters and closes with Escape', async () => {
    app = await openApp('/?depth=4&width=8', { webgpu: false, viewport: { width: 390, height: 844 } });
    const { page } = app;
    await ready(page);
    expect(await drawerState(page)).toEqual({ aside: 'hidden', button: 'shown', expanded: 'false' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button[name=drawer]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('bp-app')!.shadowRoot!.activeElement?.localName === 'aside', { timeout: 10_000 });
    expect(await drawerState(page)).toEqual({ aside: 'visible', button: 'shown', expanded: 'true' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button[name=play]');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('bp-app')!.shadowRoot!.activeElement?.getAttribute('name') === 'drawer', { timeout: 10_000 });
    expect(await drawerState(page)).toEqual({ aside: 'hidden', button: 'shown', expanded: 'false' });
    // On a wide screen there is no drawer: the controls show beside the charts.
    await page.setViewport({ width: 1280, height: 800 });
    await frames(page);
    expect(await drawerState(page)).toEqual({ aside: 'visible', button: 'none', expanded: 'false' });
  });
});

/** Focus the "Table" toggle of the card headed `heading` and press it with the keyboard. */
async function openTable(page: Page, heading: string): Promise<void> {
  await page.evaluate((heading) => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const card = grid.querySelector(`bp-chart-card[heading="${heading}"]`)!;
    (card.shadowRoot!.querySelector('button[name=table]') as HTMLElement).focus();
  }, heading);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (heading) => {
      const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
      return grid.querySelector(`bp-chart-card[heading="${heading}"]`)!.shadowRoot!.querySelector('.tables table') !== null;
    },
    { timeout: 10_000 },
    heading,
  );
}

/** The tables shown in the card headed `heading`: column headings and the cells of each row. */
function cardTables(page: Page, heading: string): Promise<{ columns: string[]; rows: string[][] }[]> {
  return page.evaluate((heading) => {
    const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
    const card = grid.querySelector(`bp-chart-card[heading="${heading}"]`)!;
    return [...card.shadowRoot!.querySelectorAll('.tables table')].map((t) => ({
      columns: [...t.querySelectorAll('thead th')].map((c) => c.textContent!.trim()),
      rows: [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent!.trim())),
    }));
  }, heading);
}

/** A table cell equals `v` to the 4 significant digits it is written with. */
function sameNumber(cell: string, v: number): boolean {
  return Math.abs(Number(cell) - v) <= 5e-4 * Math.abs(v);
}

describe('every chart card offers its numbers as a table and a summary', () => {
  it('the Loss and Gradients tables hold the records the charts draw, and the plots are labelled with a summary', async () => {
    app = await openApp('/?backend=cpu&depth=6&width=16&samples=100&logEvery=10', { webgpu: false });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(30));
    const [sig, relu] = await page.evaluate(() => window.__lab!.records());
    await openTable(page, 'Loss');
    const [loss] = await cardTables(page, 'Loss');
    expect(loss!.columns).toEqual(['step', `${sig!.label}: loss`, `${relu!.label}: loss`, `${sig!.label}: accuracy`, `${relu!.label}: accuracy`]);
    expect(loss!.rows.map((r) => Number(r[0]))).toEqual(sig!.records.map((r) => r.step));
    loss!.rows.forEach((row, i) => {
      const [a, b] = [sig!.records[i]!, relu!.records[i]!];
      const want = [a.loss, b.loss, a.accuracy!, b.accuracy!];
      want.forEach((v, k) => expect(sameNumber(row[k + 1]!, v), `row ${i} column ${k + 1}: ${row[k + 1]} vs ${v}`).toBe(true));
    });
    await openTable(page, 'Gradients');
    const [grads] = await cardTables(page, 'Gradients');
    const last = (r: typeof sig) => r!.records[r!.records.length - 1]!.gradNorms;
    expect(grads!.rows.map((r) => Number(r[0]))).toEqual(last(sig).map((_, l) => l + 1));
    grads!.rows.forEach((row, l) => {
      expect(sameNumber(row[1]!, last(sig)[l]!), `layer ${l + 1}: ${row[1]}`).toBe(true);
      expect(sameNumber(row[2]!, last(relu)[l]!), `layer ${l + 1}: ${row[2]}`).toBe(true);
    });
    // The plot boxes are images with a summary of the latest step as their name.
    await page.waitForFunction(
      () => {
        const grid = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!;
        const plot = grid.querySelector('bp-loss-chart')!.shadowRoot!.querySelector('.plot')!;
        return plot.getAttribute('role') === 'img' && (plot.getAttribute('aria-label') ?? '').includes('at step 29');
      },
      { timeout: 10_000 },
    );
  });
});

/** Node path of axe-core's browser build (a dev dependency: no network). */
const AXE_PATH = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));

/** axe-core's violations on the page as it is now: rule id, impact and the first few nodes of each. */
async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const result = await window.axe!.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`) }));
  });
}

/** Open the page again with its Content-Security-Policy bypassed: axe is added as an inline script, which the CSP forbids. */
async function allowAxe(session: AppSession): Promise<void> {
  await session.page.setBypassCSP(true);
  await session.page.goto(session.url, { waitUntil: 'load' });
}

declare global {
  interface Window {
    axe?: typeof import('axe-core');
  }
}

describe('axe-core finds no accessibility violation', () => {
  it('on the lab, trained and with a notice showing, at 1280 px and (drawer open) at 390 px', async () => {
    // An unknown parameter shows a warning notice.
    app = await openApp('/?depth=20&width=32&samples=200&logEvery=10&bogus=1', { webgpu: false, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    await allowAxe(app);
    await ready(page);
    await page.evaluate(() => window.__lab!.step(30));
    await frames(page);
    expect(await page.evaluate(() => window.__lab!.notices().length)).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await openTable(page, 'Loss');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewport({ width: 390, height: 844 });
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('button[name=drawer]') as HTMLElement).click());
    await frames(page);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('on every lesson (1–8), at 1280 px and at 390 px', async () => {
    const tags = ['bp-lesson-intuition', 'bp-lesson-history', 'bp-lesson-neuron', 'bp-lesson-two-layers', 'bp-lesson-deep', 'bp-lesson-mnist', 'bp-lesson-questions', 'bp-lesson-glossary'];
    // No fragment in the opened address: allowAxe reloads it (a fragment-only navigation would keep the CSP).
    app = await openApp('/lessons.html', { webgpu: false, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    await allowAxe(app);
    for (const width of [1280, 390]) {
      await page.setViewport({ width, height: 844 });
      for (const [i, tag] of tags.entries()) {
        await page.evaluate((n) => (location.hash = `#/${n}`), i + 1);
        await page.waitForFunction((t) => document.querySelector('bp-lessons-app')?.shadowRoot?.querySelector('main > *')?.tagName.toLowerCase() === t, {}, tag);
        await frames(page);
        expect(await axeViolations(page), `lesson ${i + 1} at ${width} px`).toEqual([]);
      }
    }
  });

  it('on the benchmark page, after a small run', async () => {
    app = await openApp('/bench.html?suites=matmul&sizes=16,32&backends=cpu&reps=3', { webgpu: false });
    const { page } = app;
    await allowAxe(app);
    await page.locator('bp-bench-page >>> button[name="run"]').click();
    await page.waitForFunction(() => (document.querySelector('bp-bench-page') as HTMLElement).dataset['phase'] === 'done', { timeout: 120_000 });
    await frames(page);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('themes', () => {
  it('theme=projector gives black ink, thicker lines and larger type; the toggle turns it off and the link follows', async () => {
    app = await openApp('/?backend=cpu&depth=4&width=8&theme=projector', { webgpu: false });
    const { page } = app;
    await ready(page);
    const look = () =>
      page.evaluate(() => {
        const root = document.documentElement;
        const app = document.querySelector('bp-app')!.shadowRoot!;
        const card = app.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-chart-card')!;
        return {
          theme: root.dataset['theme'] ?? 'auto',
          ink: getComputedStyle(root).getPropertyValue('--bp-ink').trim(),
          lineScale: Number(getComputedStyle(root).getPropertyValue('--bp-line-scale')),
          heading: parseFloat(getComputedStyle(card.shadowRoot!.querySelector('h2')!).fontSize),
          pressed: app.querySelector('button[name=projector]')!.getAttribute('aria-pressed'),
          link: new URLSearchParams(location.search).get('theme'),
        };
      });
    // (The build minifies #000000 to #000.)
    expect(await look()).toEqual({ theme: 'projector', ink: '#000', lineScale: 1.8, heading: 18.75, pressed: 'true', link: 'projector' });
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('button[name=projector]') as HTMLElement).click());
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === undefined, { timeout: 10_000 });
    expect(await look()).toEqual({ theme: 'auto', ink: '#1f2328', lineScale: 1, heading: 15, pressed: 'false', link: null });
  });

  it('follows a dark system preference: dark page and cards, light ink, charts drawn with it', async () => {
    app = await openApp('/?backend=cpu&depth=4&width=8', { webgpu: false });
    const { page } = app;
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await ready(page);
    const colours = await page.evaluate(() => {
      const root = document.documentElement;
      const card = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-chart-card')!;
      const chart = card.querySelector('bp-gradient-profile') as unknown as { theme: { value: { ink: string; grid: string } } };
      return {
        ink: getComputedStyle(root).getPropertyValue('--bp-ink').trim(),
        page: getComputedStyle(document.body).backgroundColor,
        card: getComputedStyle(card.shadowRoot!.querySelector('.card')!).backgroundColor,
        chart: chart.theme.value,
      };
    });
    expect(colours).toEqual({ ink: '#e6edf3', page: 'rgb(13, 17, 23)', card: 'rgb(22, 27, 34)', chart: expect.objectContaining({ ink: '#e6edf3', grid: '#30363d' }) });
  });
});
