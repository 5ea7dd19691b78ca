/**
 * Browser test harness: serves the built app (dist/) and opens it in headless system Chromium through
 * puppeteer-core, recording console errors, uncaught page errors and every request URL.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { startServer } from '../../scripts/serve.mjs';

/** Project root, with a trailing slash. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where screenshots go (git-ignored). */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts');

/** Chromium flags shared by both modes; WebGPU flags are added per mode. */
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/**
 * Flags that give the page a WebGPU adapter (SwiftShader where no GPU is present), or none at all.
 * Without --enable-unsafe-webgpu, and with the GPU process forced off, requestAdapter() resolves to null
 * (SwiftShader is blocklisted for WebGPU); no Chromium switch removes `navigator.gpu` itself.
 */
const WEBGPU_ARGS = { on: ['--enable-unsafe-webgpu'], off: ['--disable-gpu'] } as const;

/** Outer limit of every wait and navigation of a test page, in milliseconds. */
export const BROWSER_WAIT_MS = 240_000;

/** Options of openApp. */
export interface OpenAppOptions {
  /** Start Chromium with WebGPU available (default true); false makes requestAdapter() resolve to null. */
  webgpu?: boolean;
  /** Folder to serve (default dist/, which the browser project's global setup builds). */
  root?: string;
  /** Viewport size (default 1280×800). */
  viewport?: { width: number; height: number };
  /** Navigation wait condition (default 'load'). */
  waitUntil?: 'load' | 'domcontentloaded' | 'networkidle0' | 'networkidle2';
}

/** An open app page and what it has done so far. */
export interface AppSession {
  page: Page;
  /** The Chromium the session runs in (shared by the sessions of one test file and WebGPU mode; each has its own context). */
  browser: Browser;
  /** Base URL of the static server, with a trailing slash. */
  baseUrl: string;
  /** The URL the page was opened at. */
  url: string;
  /** Text of every console message of type 'error', with its source location when known. */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /** Every request URL the page (and its frames) made, in order. */
  requests: string[];
  /** Requests that left the server origin (data: and blob: URLs excepted). */
  foreignRequests(): string[];
  /** Stops the static server: from then on the origin answers nothing, as with the network off (close() still cleans up). */
  stopServer(): Promise<void>;
  /** Writes a full-page PNG to test-artifacts/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Closes the session's browser context (its pages, storage and service workers) and its server. */
  close(): Promise<void>;
}

/** Path to the Chromium binary (CHROMIUM env overrides /usr/bin/chromium); throws with an install hint when missing. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it with \`sudo apt-get install chromium\` ` +
        '(Debian package), or point the CHROMIUM environment variable at a Chromium binary.',
    );
  }
  return path;
}

/** True when a URL is neither on `origin` nor a data:/blob: URL (blob:<origin>/… counts as local). */
export function isForeign(url: string, origin: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:')) return false;
  try {
    return new URL(url).origin !== origin;
  } catch {
    return true;
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`;
  return String(error);
}

/**
 * One Chromium per WebGPU mode for the test file (its process), started on first use: a launch costs about 2 s on this
 * 2-core machine, a browser context about a tenth of that. Every session gets a context of its own (its own storage,
 * cache, service workers and renderer), closed with the session, so sessions stay as separate as with a browser each.
 */
const browsers = new Map<'on' | 'off', Promise<{ browser: Browser; userDataDir: string }>>();

function sharedBrowser(webgpu: boolean): Promise<{ browser: Browser; userDataDir: string }> {
  const mode = webgpu ? 'on' : 'off';
  let started = browsers.get(mode);
  if (!started) {
    started = (async () => {
      const userDataDir = await mkdtemp(join(tmpdir(), 'backprop-lab-chromium-'));
      try {
        const browser = await puppeteer.launch({
          executablePath: chromiumPath(),
          headless: true,
          userDataDir,
          args: [...BASE_ARGS, ...WEBGPU_ARGS[mode]],
          // One protocol call (an evaluate awaiting a page-side promise, an axe run) may last as long as a wait may
          // (puppeteer's default, 180 s, is shorter: seen failing while both cores were busy).
          protocolTimeout: BROWSER_WAIT_MS,
        });
        // A browser that went away (crashed, or closed by a test) is started again for the next session.
        browser.once('disconnected', () => {
          if (browsers.get(mode) === started) browsers.delete(mode);
        });
        return { browser, userDataDir };
      } catch (error) {
        browsers.delete(mode);
        await rm(userDataDir, { recursive: true, force: true });
        throw error;
      }
    })();
    browsers.set(mode, started);
  }
  return started;
}

/** Closes the file's shared browsers (the browser project's setup file calls it after the file's last test). */
export async function closeBrowsers(): Promise<void> {
  const all = [...browsers.values()];
  browsers.clear();
  for (const started of all) {
    const { browser, userDataDir } = await started.catch(() => ({ browser: undefined, userDataDir: undefined }));
    await browser?.close().catch(() => undefined);
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  }
}

/** Serves the built app, opens `path` (relative to the server root, e.g. '/' or '/?preset=xor') in Chromium. */
export async function openApp(path: string, opts: OpenAppOptions = {}): Promise<AppSession> {
  const webgpu = opts.webgpu ?? true;
  const server = await startServer({ root: opts.root ?? join(ROOT, 'dist'), port: 0 });
  let context: BrowserContext | undefined;
  const cleanup = async (): Promise<void> => {
    await context?.close().catch(() => undefined);
    await server.close();
  };

  try {
    const { browser } = await sharedBrowser(webgpu);
    context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(opts.viewport ?? { width: 1280, height: 800 });
    // Waits are for conditions; their limit is an outer bound for a machine whose cores are busy elsewhere, not a
    // speed target (puppeteer's own default is 30 s).
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    page.setDefaultNavigationTimeout(BROWSER_WAIT_MS);
    const origin = new URL(server.url).origin;
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(errorText(error)));
    page.on('request', (request) => requests.push(request.url()));
    const url = new URL(path.replace(/^\//, ''), server.url).href;
    await page.goto(url, { waitUntil: opts.waitUntil ?? 'load' });
    return {
      page,
      browser,
      baseUrl: server.url,
      url,
      consoleErrors,
      pageErrors,
      requests,
      foreignRequests: () => requests.filter((request) => isForeign(request, origin)),
      stopServer: () => server.close(),
      async screenshot(name) {
        await mkdir(ARTIFACTS_DIR, { recursive: true });
        const file = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
        await page.screenshot({ path: file as `${string}.png`, fullPage: true });
        return file;
      },
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
