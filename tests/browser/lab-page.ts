/**
 * Helpers the browser tests share for driving the lab page: wait for it, read the runs through its test hook
 * (`window.__lab`), set, click and read elements inside its shadow trees, and check a session stayed clean.
 */
import { expect } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { LabHook } from '../../src/ui/lab/test-hook.js';
import type { AppSession } from './harness.js';

/** One run as the page's test hook returns it. */
export type HookRun = ReturnType<LabHook['records']>[number];

/** Wait until the page's test hook exists and the lab has started. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__lab !== undefined, { timeout: 30_000 });
  await page.evaluate(() => window.__lab!.ready());
}

/** Every run's records and state. */
export async function runs(page: Page): Promise<HookRun[]> {
  return page.evaluate(() => window.__lab!.records());
}

/** Text of an element in the app's shadow tree (`hosts`: selector path of shadow hosts), whitespace collapsed. */
export async function text(page: Page, hosts: readonly string[], selector: string): Promise<string> {
  return page.evaluate(
    (hosts, selector) => {
      let root: ParentNode = document;
      for (const h of hosts) root = (root.querySelector(h) as Element).shadowRoot!;
      return (root.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();
    },
    [...hosts],
    selector,
  );
}

/** Text of the backend badge. */
export function badge(page: Page): Promise<string> {
  return shadowText(page, ['bp-app', 'bp-backend-badge']);
}

/** Text of the notices. */
export function notices(page: Page): Promise<string> {
  return shadowText(page, ['bp-app', 'bp-notice']);
}

/**
 * All the text of the last host's shadow root, whitespace collapsed, once every host on the path has rendered what it
 * holds (a state from the training worker reaches the hook at once, and the DOM at the next render).
 */
async function shadowText(page: Page, hosts: readonly string[]): Promise<string> {
  return page.evaluate(async (hosts) => {
    let root: ParentNode = document;
    for (const h of hosts) {
      const el = root.querySelector(h) as Element & { updateComplete?: Promise<unknown> };
      await el.updateComplete;
      root = el.shadowRoot!;
    }
    return (root as ShadowRoot).textContent!.replace(/\s+/g, ' ').trim();
  }, [...hosts]);
}

/** Wait until the notices show `text`. */
export async function noticeShown(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (text) => document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-notice')!.shadowRoot!.textContent!.replace(/\s+/g, ' ').includes(text),
    {},
    text,
  );
}

/** Set an input or select in the app's shadow tree and fire change. */
export async function setField(page: Page, hosts: readonly string[], selector: string, value: string): Promise<void> {
  // The control may render only once the lab's state has come back from the training worker: wait for it first.
  await page.waitForFunction(
    (hosts, selector) => {
      let root: ParentNode | null | undefined = document;
      for (const h of hosts) root = root?.querySelector(h)?.shadowRoot;
      return root?.querySelector(selector) != null;
    },
    {},
    [...hosts],
    selector,
  );
  await page.evaluate(
    (hosts, selector, value) => {
      let root: ParentNode = document;
      for (const h of hosts) root = (root.querySelector(h) as Element).shadowRoot!;
      const el = root.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
      el.value = value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [...hosts],
    selector,
    value,
  );
}

/** Click an element in the app's shadow tree. */
export async function click(page: Page, hosts: readonly string[], selector: string): Promise<void> {
  await page.evaluate(
    (hosts, selector) => {
      let root: ParentNode = document;
      for (const h of hosts) root = (root.querySelector(h) as Element).shadowRoot!;
      (root.querySelector(selector) as HTMLElement).click();
    },
    [...hosts],
    selector,
  );
}

/** Run i's controls, as a shadow-host path. */
export const RUN = (i: number): string[] => ['bp-app', `bp-run-controls:nth-of-type(${i + 1})`];

/** No page error, no console error, no request to another origin. */
export function clean(session: AppSession): void {
  expect(session.pageErrors).toEqual([]);
  expect(session.consoleErrors).toEqual([]);
  expect(session.foreignRequests()).toEqual([]);
}

