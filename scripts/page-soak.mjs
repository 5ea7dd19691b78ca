#!/usr/bin/env node
// The page side of the soak benchmark: serves the built app (run `npm run build` first), opens the lab in
// headless Chromium, plays for a while and samples, every few seconds, the steps taken, the frame rate
// (requestAnimationFrame callbacks per second), the longest frame, and the JavaScript heap after a forced
// garbage collection (at every sample). Prints one JSON object: the samples, the heap at start, a tenth of the way in,
// in the last tenth and at the end, the lowest frame rate.
//   node scripts/page-soak.mjs [--seconds 60] [--every 5] [--query 'depth=50&width=32'] [--webgpu]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const seconds = Number(opt('seconds', '60'));
const every = Number(opt('every', '5'));
const webgpu = args.includes('--webgpu');
const query = opt('query', 'dataset=xor&depth=1&width=2&speed=1000&logEvery=100');
if (!(seconds > 0) || !(every > 0)) throw new Error('--seconds and --every must be positive numbers');

const server = await startServer({ root: path.join(root, 'dist'), port: 0 });
const userDataDir = await mkdtemp(path.join(tmpdir(), 'backprop-lab-soak-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu'])],
  defaultViewport: { width: 1280, height: 720 },
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = new URL(`index.html?backend=${webgpu ? 'webgpu' : 'cpu'}&${query}`, server.url).href;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__lab !== undefined);
  await page.evaluate(() => window.__lab.ready());
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  };
  // A frame counter in the page: frames and the longest gap between frames since the last sample.
  await page.evaluate(() => {
    const w = window;
    w.__soak = { frames: 0, longest: 0, last: performance.now() };
    const tick = (t) => {
      const s = w.__soak;
      s.frames++;
      s.longest = Math.max(s.longest, t - s.last);
      s.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const sample = () =>
    page.evaluate(() => {
      const s = window.__soak;
      const out = { frames: s.frames, longestFrameMs: s.longest, steps: window.__lab.records().map((r) => r.records.at(-1)?.step ?? 0), records: window.__lab.records().map((r) => r.records.length), rate: window.__lab.rates() };
      s.frames = 0;
      s.longest = 0;
      return out;
    });
  const heapStart = await heap();
  await page.evaluate(() => window.__lab.play());
  await sample();
  const samples = [];
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    const a = Date.now();
    await new Promise((r) => setTimeout(r, every * 1000));
    const s = await sample();
    const fpsNow = s.frames / ((Date.now() - a) / 1000);
    // The heap after a forced collection at every sample (after the frame count, which the collection would stall).
    const heapBytes = await heap();
    samples.push({ t: (Date.now() - t0) / 1000, fps: fpsNow, longestFrameMs: s.longestFrameMs, steps: s.steps, records: s.records, stepsPerSec: s.rate?.stepsPerSec ?? null, heapBytes });
    process.stderr.write(`t=${samples.at(-1).t.toFixed(0)} s  steps ${s.steps.join(', ')}  ${samples.at(-1).fps.toFixed(1)} fps  heap ${(heapBytes / 2 ** 20).toFixed(1)} MiB\n`);
  }
  await page.evaluate(() => window.__lab.pause());
  await new Promise((r) => setTimeout(r, 500));
  const heapEnd = await heap();
  const fps = samples.map((s) => s.fps);
  process.stdout.write(`${JSON.stringify({
    url: url.replace(server.url, '/'),
    seconds,
    steps: samples.at(-1)?.steps,
    heapStartBytes: heapStart,
    heapEndBytes: heapEnd,
    heapGrowthBytes: heapEnd - heapStart,
    // Flatness: the heap a tenth of the way in (records filling up to their thinning bound) against the last tenth.
    heapEarlyBytes: samples[Math.floor(samples.length / 10)]?.heapBytes ?? null,
    heapLateMaxBytes: Math.max(...samples.slice(Math.floor((samples.length * 9) / 10)).map((s) => s.heapBytes)),
    heapMaxBytes: Math.max(...samples.map((s) => s.heapBytes)),
    minFps: Math.min(...fps),
    medianFps: fps.slice().sort((x, y) => x - y)[Math.floor(fps.length / 2)],
    maxFrameMs: Math.max(...samples.map((s) => s.longestFrameMs)),
    pageErrors: errors,
    samples,
  })}\n`);
} finally {
  await browser.close();
  await server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
