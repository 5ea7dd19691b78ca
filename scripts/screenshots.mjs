#!/usr/bin/env node
// Captures the README's small screenshots (docs/img/*.png) from the built app (run `npm run build` first) in
// headless Chromium: the lab after a few seconds of training, the benchmark page, and each lesson.
//   node scripts/screenshots.mjs            (CHROMIUM=/path/to/chromium overrides /usr/bin/chromium)
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs', 'img');
await mkdir(out, { recursive: true });
const server = await startServer({ root: path.join(root, 'dist'), port: 0 });
const userDataDir = await mkdtemp(path.join(tmpdir(), 'backprop-lab-shots-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  // Half-scale captures of a 1280×900 window: 640×450 PNGs.
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 0.5 });
  const shot = async (url, file, before) => {
    await page.goto(new URL(url, server.url).href, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 800));
    if (before) await before();
    await page.screenshot({ path: path.join(out, file) });
    process.stdout.write(`docs/img/${file}\n`);
  };
  await shot('index.html?backend=cpu', 'app.png', async () => {
    await page.keyboard.press('Space');
    await new Promise((r) => setTimeout(r, 4000));
    await page.keyboard.press('Space');
    await new Promise((r) => setTimeout(r, 500));
  });
  await shot('bench.html', 'bench.png');
  for (let n = 1; n <= 8; n++) await shot(`lessons.html#/${n}`, `lesson-${n}.png`);
} finally {
  await browser.close();
  await server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
