/** Smoke test of the built app in headless Chromium, with and without WebGPU. */
import { afterEach, describe, expect, it } from 'vitest';
import { mimeType, resolveRequestPath } from '../../scripts/serve.mjs';
import { type AppSession, isForeign, openApp } from './harness.js';

describe('serve.mjs helpers', () => {
  it('maps extensions to the MIME types browsers require (module scripts, wasm streaming)', () => {
    expect(mimeType('/a/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeType('x.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('k.wasm')).toBe('application/wasm');
    expect(mimeType('s.css')).toBe('text/css; charset=utf-8');
    expect(mimeType('d.json')).toBe('application/json; charset=utf-8');
    expect(mimeType('w.bin')).toBe('application/octet-stream');
    expect(mimeType('i.svg')).toBe('image/svg+xml');
    expect(mimeType('i.png')).toBe('image/png');
  });

  it('keeps every request path inside the served root', () => {
    expect(resolveRequestPath('/srv/dist', '/assets/a.js')).toBe('/srv/dist/assets/a.js');
    expect(resolveRequestPath('/srv/dist', '/')).toBe('/srv/dist');
    for (const bad of ['/../etc/passwd', '/assets/../../x', '/%2e%2e/x', '/a%2f..%2f..%2fx', '/a%00b', '/a\\b', '/%E0%A4%A']) {
      expect(resolveRequestPath('/srv/dist', bad)).toBeNull();
    }
  });
});

describe('isForeign', () => {
  const origin = 'http://127.0.0.1:4173';
  it('accepts same-origin, data: and blob: URLs and rejects every other origin', () => {
    expect(isForeign('http://127.0.0.1:4173/assets/index.js', origin)).toBe(false);
    expect(isForeign('data:image/png;base64,AAAA', origin)).toBe(false);
    expect(isForeign('blob:http://127.0.0.1:4173/1234', origin)).toBe(false);
    expect(isForeign('http://127.0.0.1:4174/', origin)).toBe(true);
    expect(isForeign('https://fonts.googleapis.com/css', origin)).toBe(true);
    expect(isForeign('not a url', origin)).toBe(true);
  });
});

describe.each([
  { mode: 'webgpu', webgpu: true },
  { mode: 'no-webgpu', webgpu: false },
])('built app in Chromium ($mode)', ({ mode, webgpu }) => {
  let app: AppSession | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('loads cleanly: title, cross-origin isolation, no errors, no foreign requests', async () => {
    app = await openApp('/', { webgpu, waitUntil: 'networkidle0' });
    const { page } = app;
    expect(await page.title()).toContain('Backprop Lab');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    const hasAdapter = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
    expect(hasAdapter).toBe(webgpu);
    await app.screenshot(`smoke-${mode}`);
    expect(app.requests.length).toBeGreaterThan(0);
    expect(app.foreignRequests()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });

  it('sends the security headers and falls back to index.html for unknown routes', async () => {
    app = await openApp('/some/client/route', { webgpu });
    const response = await app.page.reload();
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    // DevTools evaluations are exempt from CSP; a string timer is compiled later, under the page's policy.
    // The page's policy reports the string timer as a script-src violation; a function timer queued after it with
    // the same delay runs after it would have run (timers of equal delay run in order).
    const evalBlocked = await app.page.evaluate(async () => {
      const probe = globalThis as { bpEvalProbe?: boolean };
      const violation = new Promise<string>((done) => document.addEventListener('securitypolicyviolation', (e) => done(e.effectiveDirective), { once: true }));
      const timer: (code: string, ms: number) => number = setTimeout as never;
      timer('globalThis.bpEvalProbe = true', 0);
      await new Promise((done) => setTimeout(done, 0));
      return { ran: probe.bpEvalProbe === true, directive: await violation };
    });
    expect(evalBlocked).toEqual({ ran: false, directive: expect.stringMatching(/^script-src/) });
    expect(await app.page.title()).toContain('Backprop Lab');
  });
});
