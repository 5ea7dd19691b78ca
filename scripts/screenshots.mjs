#!/usr/bin/env node
// Captures the README's small screenshots (docs/img/*.png) from the built app (run `npm run build` first) in
// headless Chromium: the lab after a few seconds of training, the lab at full size on a laptop (1280×800), a
// small projector (1024×768) and a phone (390×844), the benchmark page, and each lesson.
//   node scripts/screenshots.mjs [lab] [bench] [lessons]   (default: all; CHROMIUM=/path overrides /usr/bin/chromium)
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startServer } from './serve.mjs';

const groups = process.argv.slice(2);
const want = (group) => groups.length === 0 || groups.includes(group);
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
  if (want('lab')) {
    await shot('index.html?backend=cpu', 'app.png', async () => {
      await page.keyboard.press('Space');
      await new Promise((r) => setTimeout(r, 4000));
      await page.keyboard.press('Space');
      await new Promise((r) => setTimeout(r, 500));
    });
    // Full-size captures of the whole lab at three screen sizes, after 150 steps (taken through the page's hook).
    for (const [width, height] of [[1280, 800], [1024, 768], [390, 844]]) {
      await page.setViewport({ width, height, deviceScaleFactor: 1 });
      await shot('index.html?backend=cpu', `lab-${width}x${height}.png`, async () => {
        await page.waitForFunction(() => window.__lab !== undefined);
        await page.evaluate(async () => {
          await window.__lab.ready();
          await window.__lab.step(150);
        });
        await new Promise((r) => setTimeout(r, 500));
      });
    }
    await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 0.5 });
  }
  if (want('bench')) await shot('bench.html', 'bench.png');
  if (want('lessons')) for (let n = 1; n <= 8; n++) await shot(`lessons.html#/${n}`, `lesson-${n}.png`);
} finally {
  await browser.close();
  await server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
