#!/usr/bin/env node
// The page benchmark: the lab's steps/s in the page against the engine's (`lab bench train` of the same runs, in
// the same script), frames per second, the 95th-percentile frame time, the longest main-thread task, the time from
// Pause to the last step, and the default lab's story at 15 s (accuracies, the sigmoid run's last/first-layer
// gradient ratio). Serves the built app (run `npm run build` first) and opens it in headless Chromium, launched
// as the browser tests launch it. Prints one JSON object on stdout, with each case's targets (page ≥ 90 % of the
// engine's steps/s, ≥ 50 fps, p95 frame ≤ 25 ms, Pause within 100 ms, no main-thread task over 200 ms) marked met
// or not; progress on stderr. The trainer runs in the page's training worker (`trainer: "worker"` when the page has
// one); --in-page measures the in-page trainer instead (window.__labTrainer = 'page'), for comparison.
//   node scripts/page-bench.mjs [--seconds 10] [--story-seconds 15] [--cases default,deep50,wide,heavy] [--speed N] [--webgpu] [--in-page]
// --speed sets the lab's `speed` URL key for the measured cases (default: the lab's own, 0 = as fast as possible).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
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
const seconds = Number(opt('seconds', '10'));
const storySeconds = Number(opt('story-seconds', '15'));
const webgpu = args.includes('--webgpu');
const backend = webgpu ? 'webgpu' : 'cpu';
const speed = opt('speed', null);
const inPage = args.includes('--in-page');

/** The targets of a case (issue 12): page/engine steps/s, fps, p95 frame, pause latency, longest main-thread task. */
const TARGETS = { pageToEngine: 0.9, fps: 50, p95FrameMs: 25, pauseToLastStepMs: 100, longestTaskMs: 200 };

/** The measured cases: the default lab, a pair of 50 × 32 runs, a pair of 10 × 256 runs, and a heavy model the budget admits. */
const CASES = {
  default: { query: '', layers: null },
  deep50: { query: 'depth=50&width=32', layers: { depth: 50, width: 32 } },
  // Wide enough that the CPU backend splits its products between threads (the page lends the worker its threads).
  wide: { query: 'depth=10&width=256&samples=400', layers: { depth: 10, width: 256 } },
  heavy: { query: 'depth=30&width=1024&samples=400', layers: { depth: 30, width: 1024 }, engine: false },
};
const chosen = opt('cases', 'default,deep50,wide,heavy').split(',');
for (const c of chosen) if (!(c in CASES)) throw new Error(`--cases: unknown case '${c}' (allowed: ${Object.keys(CASES).join(', ')})`);
if (!(seconds > 0) || !(storySeconds > 0)) throw new Error('--seconds and --story-seconds must be positive numbers');

const log = (s) => process.stderr.write(`${s}\n`);
const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/**
 * The engine's steps/s for one lab step of the given runs (each run one model; a lab step steps every run), from
 * `lab bench train` on this machine's CPU: 1 / Σ (1 / steps/s of each run). The same runs as the lab's: its layers,
 * batch, element type, output and loss (one sigmoid output with binary cross-entropy on the built-in two-class data),
 * each run's update rule, metrics every `logEvery` steps and, where the lab records them (as run-state.ts decides),
 * distribution quantiles at those steps. `plain` is the bare model (SGD, mean squared error, no metrics), as before.
 */
function engineStepsPerSec(lab) {
  const rows = lab.batch > 0 ? Math.min(lab.batch, lab.samples) : lab.samples;
  const distributions = lab.depth * (2 * rows * lab.width + lab.width * lab.width) <= 1_000_000;
  const bench = (extra, pick) => lab.runs.map((run) => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/lab.mjs'), 'bench', 'train',
      '--layers', `${lab.width}x${lab.depth}`, '--activation', run.activation, '--batch', String(lab.batch || lab.samples),
      '--input-dim', '2', '--output-dim', '1', '--dtype', lab.dtype, '--reps', '5', '--min-rep-ms', '200', '--json',
      ...extra(run)], { encoding: 'utf8' });
    const point = pick(JSON.parse(out).points);
    return { activation: run.activation, stepsPerSec: point.stepsPerSecond, medianMs: point.medianMs, minMs: point.minMs, maxMs: point.maxMs };
  });
  const combined = (perRun) => 1 / perRun.reduce((s, r) => s + 1 / r.stepsPerSec, 0);
  const perRun = bench(
    (run) => ['--head', 'bce', '--optimizer', run.optimizer?.kind === 'adam' ? 'adam' : 'sgd', '--log-every', String(lab.logEvery), ...(distributions ? ['--distributions'] : [])],
    (points) => points.find((p) => (p.shape.distributions ?? false) === distributions),
  );
  const plain = bench(() => [], (points) => points[0]);
  return { perRun, stepsPerSec: combined(perRun), distributions, plain: { perRun: plain, stepsPerSec: combined(plain) } };
}

const server = await startServer({ root: path.join(root, 'dist'), port: 0 });
const userDataDir = await mkdtemp(path.join(tmpdir(), 'backprop-lab-page-bench-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-dev-shm-usage', ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu'])],
  defaultViewport: { width: 1280, height: 800 },
  // On a busy shared machine a page call can wait minutes for a core (the heavy case in the page took 18 s a step).
  protocolTimeout: 900_000,
});

/** Opens the lab at `query`, waits until it is ready, and installs a frame and long-task recorder. */
async function open(query) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (inPage) await page.evaluateOnNewDocument(() => (window.__labTrainer = 'page'));
  await page.goto(new URL(`index.html?backend=${backend}${query ? `&${query}` : ''}`, server.url).href, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__lab !== undefined, { timeout: 60_000 });
  await page.evaluate(() => window.__lab.ready());
  await page.evaluate(() => {
    const w = window;
    w.__bench = { frames: [], longTasks: [], last: null, lastStep: 0, lastStepAt: 0 };
    // Steps taken as the transport shows them (cheap to read every frame, unlike copying every record).
    const step = () => document.querySelector('bp-app').shadowRoot.querySelector('bp-transport').step;
    w.__benchStep = step;
    const tick = (t) => {
      const b = w.__bench;
      if (b.last !== null) b.frames.push(t - b.last);
      b.last = t;
      const s = step();
      if (s !== b.lastStep) [b.lastStep, b.lastStepAt] = [s, performance.now()];
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__bench.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
  });
  const trainer = page.workers().some((w) => /lab-worker/.test(w.url())) ? 'worker' : 'page';
  return { page, errors, trainer };
}

/** Which targets a case meets (null where it has no engine figure). */
function targetsMet(m, ratio) {
  return {
    pageToEngine: ratio === null ? null : ratio >= TARGETS.pageToEngine,
    fps: m.fps >= TARGETS.fps,
    p95FrameMs: m.p95FrameMs !== null && m.p95FrameMs <= TARGETS.p95FrameMs,
    pauseToLastStepMs: m.pauseToLastStepMs <= TARGETS.pauseToLastStepMs,
    longestTaskMs: m.longestTaskMs <= TARGETS.longestTaskMs,
  };
}

/**
 * The page's main-thread CPU time so far, in ms (DevTools' TaskDuration and ScriptDuration in thread time): unlike
 * frame and task times, it does not grow when other processes take the cores, so it says what the page itself costs.
 */
async function mainThreadCpu(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return { task: get('TaskDuration'), script: get('ScriptDuration') };
}

/** Plays for `secs` s; returns page steps/s, fps, p95 frame, longest task, pause latency, main-thread CPU per second. */
async function measure(page, secs) {
  const lastStep = () => page.evaluate(() => window.__benchStep());
  const cdp = await page.target().createCDPSession();
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const cpu0 = await mainThreadCpu(cdp);
  const s0 = await lastStep();
  await page.evaluate(() => {
    window.__bench.frames = [];
    window.__bench.longTasks = [];
    window.__lab.play();
  });
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, secs * 1000));
  const s1 = await lastStep();
  const elapsed = (Date.now() - t0) / 1000;
  const cpu1 = await mainThreadCpu(cdp);
  const pause = await page.evaluate(async () => {
    const at = performance.now();
    window.__lab.pause();
    // The pause latency: from pause() to the last step that changed the records (waited for over 2 s of frames).
    const until = performance.now() + 2000;
    while (performance.now() < until) await new Promise((r) => requestAnimationFrame(r));
    return Math.max(0, window.__bench.lastStepAt - at);
  });
  const { frames, longTasks } = await page.evaluate(() => ({ frames: window.__bench.frames, longTasks: window.__bench.longTasks }));
  return {
    seconds: elapsed,
    steps: s1 - s0,
    pageStepsPerSec: (s1 - s0) / elapsed,
    fps: frames.length / (frames.reduce((a, b) => a + b, 0) / 1000),
    p95FrameMs: quantile(frames, 0.95),
    maxFrameMs: frames.length ? Math.max(...frames) : null,
    longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
    longTasksOver200Ms: longTasks.filter((d) => d > 200).length,
    pauseToLastStepMs: pause,
    mainThreadCpuMsPerSec: (cpu1.task - cpu0.task) / elapsed,
    mainThreadScriptMsPerSec: (cpu1.script - cpu0.script) / elapsed,
  };
}

const report = {
  backend,
  viewport: '1280x800',
  seconds,
  speed: speed ?? '(default)',
  trainer: inPage ? 'page' : 'worker',
  targets: TARGETS,
  // The machine is shared: its load average (runnable processes, on `cores` cores) says how noisy the figures are.
  machine: { cores: cpus().length, loadAverageAtStart: loadavg()[0], loadAverageAtEnd: null },
  cases: {},
  story: null,
};
try {
  for (const name of chosen) {
    const c = CASES[name];
    log(`${name}: opening …`);
    const { page, errors, trainer } = await open([c.query, speed ? `speed=${speed}` : ''].filter(Boolean).join('&'));
    const lab = await page.evaluate(() => window.__lab.lab());
    const m = await measure(page, seconds);
    const engine = c.engine === false ? null : engineStepsPerSec(lab);
    const ratio = engine ? m.pageStepsPerSec / engine.stepsPerSec : null;
    report.cases[name] = {
      query: c.query || '(default)',
      trainer,
      runs: lab.runs.map((r) => `${r.activation}:${r.init}`),
      ...m,
      engineStepsPerSec: engine?.stepsPerSec ?? null,
      engine: engine?.perRun ?? null,
      engineDistributions: engine?.distributions ?? null,
      plainEngineStepsPerSec: engine?.plain.stepsPerSec ?? null,
      plainEngine: engine?.plain.perRun ?? null,
      pageToPlainEngine: engine ? m.pageStepsPerSec / engine.plain.stepsPerSec : null,
      pageToEngine: ratio,
      met: targetsMet(m, ratio),
      pageErrors: errors,
    };
    log(`${name}: ${m.pageStepsPerSec.toFixed(1)} steps/s in the page${engine ? ` vs ${engine.stepsPerSec.toFixed(1)} engine (same runs; ${engine.plain.stepsPerSec.toFixed(1)} bare SGD)` : ''}, ${m.fps.toFixed(1)} fps, p95 frame ${m.p95FrameMs?.toFixed(1)} ms, longest task ${m.longestTaskMs.toFixed(0)} ms, pause ${m.pauseToLastStepMs.toFixed(0)} ms, main thread ${m.mainThreadCpuMsPerSec.toFixed(0)} ms CPU/s`);
    await page.close();
  }

  // The story: the default lab, Play, and at `storySeconds` the accuracies and the sigmoid run's gradient ratio.
  log(`story: ${storySeconds} s of the default lab …`);
  const { page, errors } = await open('');
  await page.evaluate(() => window.__lab.play());
  await new Promise((r) => setTimeout(r, storySeconds * 1000));
  const runs = await page.evaluate(() => window.__lab.records().map((r) => {
    const last = r.records.at(-1);
    return { activation: r.activation, status: r.status, step: last?.step ?? 0, accuracy: last?.accuracy ?? null, gradNorms: last ? [...last.gradNorms] : [] };
  }));
  await page.evaluate(() => window.__lab.pause());
  report.story = {
    seconds: storySeconds,
    runs: runs.map((r) => ({
      activation: r.activation,
      status: r.status,
      step: r.step,
      accuracy: r.accuracy,
      firstLayerGrad: r.gradNorms[0] ?? null,
      lastLayerGrad: r.gradNorms.at(-1) ?? null,
      lastOverFirst: r.gradNorms.length ? r.gradNorms.at(-1) / r.gradNorms[0] : null,
    })),
    pageErrors: errors,
  };
  report.machine.loadAverageAtEnd = loadavg()[0];
  log(`story: ${report.story.runs.map((r) => `${r.activation} ${((r.accuracy ?? 0) * 100).toFixed(1)} % at step ${r.step}, last/first ${r.lastOverFirst?.toExponential(2)}`).join('; ')}`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await browser.close();
  await server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
