// Benchmark suites: the crossover interpolation (closed form), grid and shape parsing, the timing loop, the
// agreement check, CSV/JSON export, and whole runs on CPU f32 vs CPU f64 checked against naive products.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { compareArrays, compareParameters } from '../../src/bench/agreement.js';
import { crossover, describeCrossover, speedups } from '../../src/bench/crossover.js';
import { formatGrid, gridPoints, parseGrid } from '../../src/bench/grid.js';
import { benchMatmulShape, gpuTimes, matmulOperands } from '../../src/bench/matmul-bench.js';
import { CLI_DEFAULTS, gpuLimits, makePlan, planTasks, SOFTWARE_GPU_MAX_SIZE, workloadShape } from '../../src/bench/plan.js';
import { CSV_COLUMNS, reportToCsv, type BenchReport } from '../../src/bench/report.js';
import { runBenchPlan, skipReason, matmulTask } from '../../src/bench/runner.js';
import { layerShapes, matmulFlops, parseLayerShape, squareShape, type MatmulShape } from '../../src/bench/shapes.js';
import { BenchCancelled, callsPerRep, timeReps } from '../../src/bench/timing.js';
import { benchTrainShape, initialGradients, trainFlops, type TrainBenchShape } from '../../src/bench/train-bench.js';
import { checkCsvPath, joinGridWords } from '../../src/cli/bench.js';

const ENV = { runtime: 'node', version: `node ${process.version}`, node: process.version, platform: 'test', cpuThreads: 2 } as const;

/** op(A)·op(B) by the definition, in f64. */
function naiveProduct(s: MatmulShape, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(s.m * s.n);
  for (let i = 0; i < s.m; i++) {
    for (let j = 0; j < s.n; j++) {
      let acc = 0;
      for (let k = 0; k < s.k; k++) {
        const av = s.variant === 'AtB' ? a[k * s.m + i]! : a[i * s.k + k]!;
        const bv = s.variant === 'ABt' ? b[j * s.k + k]! : b[k * s.n + j]!;
        acc += av * bv;
      }
      c[i * s.n + j] = acc;
    }
  }
  return c;
}

describe('crossover', () => {
  const sp = (x: number, ratio: number) => ({ x, cpu: 1, gpu: ratio, ratio });

  it('interpolates log x linearly in log ratio: 0.5 at 100 and 2 at 400 cross at 200', () => {
    const c = crossover([sp(100, 0.5), sp(400, 2)]);
    expect(c.kind).toBe('at');
    expect(c.x).toBeCloseTo(200, 9);
    expect(c.bestRatio).toBe(2);
  });

  it('matches the closed form for an uneven bracket, and takes the first upward crossing', () => {
    // r = 0.25 at 64 and 4 at 1024 → log-linear: t = ln4 / ln16 = 1/2 → x = 64 · 16^½ = 256.
    const c = crossover([sp(1024, 4), sp(32, 0.1), sp(64, 0.25), sp(2048, 0.5), sp(4096, 3)]);
    expect(c.x).toBeCloseTo(256, 9);
    // ratio 1 exactly at a measured size: x is that size.
    expect(crossover([sp(10, 0.5), sp(20, 1)]).x).toBeCloseTo(20, 12);
  });

  it('reports a GPU that always wins, never wins, or no data', () => {
    expect(crossover([sp(16, 1.5), sp(32, 3)])).toEqual({ kind: 'gpu-always', x: 16, bestRatio: 3 });
    expect(crossover([sp(16, 0.01), sp(32, 0.2), sp(64, 0.9)])).toEqual({ kind: 'gpu-never', x: null, bestRatio: 0.9 });
    expect(crossover([])).toEqual({ kind: 'no-data', x: null, bestRatio: null });
    expect(crossover([sp(16, 0), sp(32, Number.NaN)]).kind).toBe('no-data');
    expect(describeCrossover(crossover([sp(100, 0.5), sp(400, 2)]))).toContain('n ≈ 200');
    expect(describeCrossover(crossover([sp(16, 0.05)]))).toContain('slower at every size');
  });

  it('joins the two backends on size (or key) and drops unusable rates', () => {
    const s = speedups(
      [{ x: 64, rate: 10 }, { x: 32, rate: 5 }, { x: 128, rate: 20 }, { x: 256, rate: 0 }],
      [{ x: 32, rate: 1 }, { x: 64, rate: 20 }, { x: 256, rate: 3 }],
    );
    expect(s).toEqual([
      { x: 32, cpu: 5, gpu: 1, ratio: 0.2 },
      { x: 64, cpu: 10, gpu: 20, ratio: 2 },
    ]);
    expect(speedups([{ x: 5, rate: 1, key: 'a' }, { x: 5, rate: 2, key: 'b' }], [{ x: 5, rate: 4, key: 'b' }])).toEqual([{ x: 5, cpu: 2, gpu: 4, ratio: 2 }]);
  });
});

describe('grid and shapes', () => {
  const defaults = { depth: [2], width: [32], batch: [16] };

  it('parses depth × width × batch, keeps defaults for missing axes, and round-trips', () => {
    const g = parseGrid('depth=2,10,50 width=32,128,512;batch=16', defaults);
    expect(g).toEqual({ depth: [2, 10, 50], width: [32, 128, 512], batch: [16] });
    expect(parseGrid(formatGrid(g as never), defaults)).toEqual(g);
    expect(parseGrid('width=8', defaults)).toEqual({ depth: [2], width: [8], batch: [16] });
    const pts = gridPoints({ depth: [2, 3], width: [4, 5], batch: [6, 7] });
    expect(pts).toHaveLength(8);
    expect(pts[0]).toEqual({ depth: 2, width: 4, batch: 6 });
    expect(pts[1]).toEqual({ depth: 2, width: 4, batch: 7 });
    expect(pts[7]).toEqual({ depth: 3, width: 5, batch: 7 });
  });

  it('rejects unknown axes, repeated axes and bad numbers', () => {
    expect(parseGrid('heads=2', defaults)).toMatch(/not allowed/);
    expect(parseGrid('depth=2 depth=3', defaults)).toMatch(/twice/);
    expect(parseGrid('width=0', defaults)).toMatch(/from 1/);
    expect(parseGrid('batch=1.5', defaults)).toMatch(/whole numbers/);
  });

  it('joins `--grid depth=… width=… batch=…` words into one flag value', () => {
    expect(joinGridWords(['--grid', 'depth=2,10', 'width=32', 'batch=16', '--json'])).toEqual(['--grid', 'depth=2,10 width=32 batch=16', '--json']);
    expect(joinGridWords(['--json', '--grid', 'depth=2 width=8'])).toEqual(['--json', '--grid', 'depth=2 width=8']);
  });

  it('gives a layer\'s three backprop products with 2·batch·in·out FLOPs each', () => {
    expect(parseLayerShape('256x784x128')).toEqual({ batch: 256, inDim: 784, outDim: 128 });
    expect(parseLayerShape('4×5×6')).toEqual({ batch: 4, inDim: 5, outDim: 6 });
    for (const bad of ['4x5', '0x5x6', 'ax5x6', '4x5x6x7', '4.5x5x6']) expect(parseLayerShape(bad)).toBeNull();
    const [xw, dwt, xtd] = layerShapes({ batch: 8, inDim: 5, outDim: 3 });
    expect([xw!.m, xw!.k, xw!.n, xw!.variant]).toEqual([8, 5, 3, 'AB']);
    expect([dwt!.m, dwt!.k, dwt!.n, dwt!.variant]).toEqual([8, 3, 5, 'ABt']);
    expect([xtd!.m, xtd!.k, xtd!.n, xtd!.variant]).toEqual([5, 8, 3, 'AtB']);
    for (const s of [xw!, dwt!, xtd!]) expect(matmulFlops(s)).toBe(2 * 8 * 5 * 3);
  });

  it('plans the suites: squares per variant, the layer shapes, the grid and the digits workload', () => {
    const tasks = planTasks({ ...CLI_DEFAULTS, suites: ['matmul', 'train', 'workload'], sizes: [8, 16], variants: ['AB', 'AtB'], layer: { batch: 4, inDim: 3, outDim: 2 }, grid: { depth: [2, 3], width: [4], batch: [5, 6] } });
    expect(tasks.map((t) => t.suite)).toEqual([...Array(7).fill('matmul'), ...Array(4).fill('train'), 'workload']);
    expect(new Set(tasks.map((t) => t.key)).size).toBe(tasks.length);
    const w = workloadShape(32);
    expect([w.inputDim, ...w.hidden, w.outputDim]).toEqual([784, 256, 256, 256, 256, 10]);
    expect(w.head).toBe('softmax_ce');
    // Forward 2·b·(all layers), weight gradients 2·b·(all layers), input gradients 2·b·(all but the first).
    expect(trainFlops(w)).toBe(2 * 32 * (784 * 256 * 2 + 256 * 256 * 3 * 3 + 256 * 10 * 3));
  });

  it('caps GPU sizes on a software adapter unless allowed, and skips over-budget steps', () => {
    const base = CLI_DEFAULTS.limits;
    const capped = gpuLimits(base, true, false);
    expect(capped.maxGpuMatmulSize).toBe(SOFTWARE_GPU_MAX_SIZE);
    expect(gpuLimits(base, true, true)).toBe(base);
    expect(gpuLimits(base, false, false)).toBe(base);
    const gpu = { info: { kind: 'webgpu', dtype: 'f32', description: 'g' }, maxTensorBytes: 1 << 30, bytesPerElement: 4 } as const;
    const cpu = { ...gpu, info: { kind: 'cpu', dtype: 'f32', description: 'c' } } as const;
    expect(skipReason(matmulTask(squareShape(512, 'AB')), gpu, capped)).toMatch(/above the GPU cap of 256/);
    expect(skipReason(matmulTask(squareShape(256, 'AB')), gpu, capped)).toBeNull();
    expect(skipReason(matmulTask(squareShape(512, 'AB')), cpu, capped)).toBeNull();
    expect(skipReason(matmulTask(squareShape(512, 'AB')), { ...cpu, maxTensorBytes: 1000 }, base)).toMatch(/exceeds/);
  });
});

describe('timing loop', () => {
  it('sizes repetitions to the target duration, within bounds', () => {
    expect(callsPerRep(2, 20, 1000)).toBe(10);
    expect(callsPerRep(0.001, 20, 1000)).toBe(1000);
    expect(callsPerRep(50, 20, 1000)).toBe(1);
    expect(callsPerRep(5, 0, 1000)).toBe(1);
    expect(callsPerRep(5, Infinity, 7)).toBe(7);
  });

  it('runs warm-up, sizing call and reps, pausing between them, and stops when cancelled', async () => {
    const counts: number[] = [];
    let pauses = 0;
    const t = await timeReps(async (n) => void counts.push(n), { reps: 5, minRepMs: 0, pause: async () => void pauses++ });
    expect(counts).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(pauses).toBe(6);
    expect(t.reps).toBe(5);
    expect(t.minMs).toBeLessThanOrEqual(t.medianMs);
    expect(t.medianMs).toBeLessThanOrEqual(t.maxMs);
    const ctl = new AbortController();
    const done: number[] = [];
    const run = timeReps(async (n) => {
      done.push(n);
      if (done.length === 3) ctl.abort();
    }, { reps: 5, signal: ctl.signal });
    await expect(run).rejects.toBeInstanceOf(BenchCancelled);
    expect(done).toHaveLength(3);
  });

  it('sizes the repetitions exactly on a fake clock, and corrects a choice made while a JIT compiled', async () => {
    // 1 ms per call on a fake clock and an 8 ms target: warm-up 1, sizing 1 then 4 (×4 until a batch lasts half the
    // target), once more at the chosen size 8 (its time confirms 8), then five reps of 8.
    let fakeMs = 0;
    const sized: number[] = [];
    const oneMsPerCall = async (n: number) => {
      sized.push(n);
      fakeMs += n;
    };
    const s = await timeReps(oneMsPerCall, { reps: 5, minRepMs: 8, now: () => fakeMs });
    expect(sized).toEqual([1, 1, 4, 8, 8, 8, 8, 8, 8]);
    expect(s).toMatchObject({ warmupMs: 1, callsPerRep: 8, reps: 5, medianMs: 1, minMs: 1, maxMs: 1 });
    // A JIT still compiling in the first two calls (4 ms each, then 1 ms): sizing stops at 1 call (4 ms, half the
    // target) and picks 2; the pass at that size measures 1 ms per call and corrects the choice to 8.
    sized.length = 0;
    let callsSoFar = 0;
    const jit = async (n: number) => {
      sized.push(n);
      for (let i = 0; i < n; i++) fakeMs += callsSoFar++ < 2 ? 4 : 1;
    };
    const j = await timeReps(jit, { reps: 5, minRepMs: 8, now: () => fakeMs });
    expect(sized).toEqual([1, 1, 2, 8, 8, 8, 8, 8]);
    expect(j).toMatchObject({ warmupMs: 4, callsPerRep: 8, medianMs: 1, minMs: 1, maxMs: 1 });
    // A pass at the chosen size slowed by something else (its 8 calls take 80 ms): the count stays 8, where the
    // pass's own estimate (10 ms per call) would have cut it to 1.
    sized.length = 0;
    let call = 0;
    const interrupted = async (n: number) => {
      sized.push(n);
      fakeMs += call++ === 3 ? 80 : n;
    };
    const k = await timeReps(interrupted, { reps: 5, minRepMs: 8, now: () => fakeMs });
    expect(sized).toEqual([1, 1, 4, 8, 8, 8, 8, 8, 8]);
    expect(k).toMatchObject({ callsPerRep: 8, medianMs: 1 });
  });
});

describe('agreement', () => {
  it('is the largest absolute difference, NaN on a NaN or a length mismatch', () => {
    expect(compareArrays([1, -2, 3], [1.5, -2, 2])).toEqual({ maxAbsDiff: 1, maxAbsValue: 2 });
    expect(compareArrays([1], [1, 2]).maxAbsDiff).toBeNaN();
    expect(compareArrays([Number.NaN], [1]).maxAbsDiff).toBeNaN();
    const p = (w: number[], b: number[]) => ({ weights: [Float64Array.from(w)], biases: [Float64Array.from(b)] });
    expect(compareParameters(p([1, 2], [3]), p([1, 2.25], [2.5]))).toEqual({ maxAbsDiff: 0.5, maxAbsValue: 2.5 });
  });
});

describe('benchmarks on the CPU backend', () => {
  it('times every layer product and returns op(A)·op(B) (naive f64 product as oracle)', async () => {
    const backend = createCpuBackend({ dtype: 'f64' });
    for (const s of layerShapes({ batch: 7, inDim: 5, outDim: 3 })) {
      const { point, output } = await benchMatmulShape(backend, s, { reps: 5 });
      const { a, b } = matmulOperands(s);
      expect(compareArrays(output, naiveProduct(s, a, b)).maxAbsDiff).toBeLessThan(1e-12);
      expect(point.maxAbsError).toBeLessThan(1e-12);
      expect(point.reps).toBe(5);
      expect(point.gflops).toBeCloseTo(matmulFlops(s) / point.medianMs / 1e6, 6);
      expect(point.samplesPerSecond).toBeCloseTo(7000 / point.medianMs, 3);
    }
  });

  it('returns the gradients of the first step, at the initial weights, even after the timed steps', async () => {
    const backend = createCpuBackend({ dtype: 'f64' });
    const s: TrainBenchShape = { inputDim: 6, hidden: [5, 5], outputDim: 3, activation: 'tanh', batch: 4, stepsPerRep: 3, logEvery: 0, head: 'softmax_ce' };
    const { point, gradients } = await benchTrainShape(backend, s, { reps: 5 }, 'workload');
    expect(point.callsPerRep).toBe(3);
    expect(point.samplesPerSecond).toBeCloseTo(point.stepsPerSecond * 4, 6);
    const fresh = await initialGradients(backend, s);
    expect(compareParameters(gradients, fresh).maxAbsDiff).toBe(0);
    expect(compareParameters(gradients, fresh).maxAbsValue).toBeGreaterThan(0);
  });

  it('runs a plan on f32 and f64 CPU backends: agreement at f32 rounding, crossover over the "GPU"-less run, CSV = JSON', async () => {
    const backends = [createCpuBackend({ dtype: 'f32' }), createCpuBackend({ dtype: 'f64' })];
    const req = { ...CLI_DEFAULTS, suites: ['matmul', 'train'] as const, sizes: [16, 32], grid: { depth: [2], width: [8], batch: [4] }, reps: 5, minRepMs: 1 };
    const progress: number[] = [];
    const report: BenchReport = await runBenchPlan(makePlan({ ...req, suites: [...req.suites] }), backends, ENV, { onProgress: (d) => progress.push(d) });
    expect(report.points).toHaveLength(6);
    expect(progress[progress.length - 1]).toBe(6);
    for (const p of report.points) {
      expect(p.agreement!.against).toMatch(p.backend.includes('f32') ? /f64/ : /f32/);
      expect(p.agreement!.maxAbsDiff).toBeGreaterThan(0);
      expect(p.agreement!.maxAbsDiff).toBeLessThan(1e-4 * Math.max(1, p.agreement!.maxAbsValue));
    }
    expect(report.crossover.matmul.kind).toBe('no-data');
    const csv = reportToCsv(JSON.parse(JSON.stringify(report)) as BenchReport).trim().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(7);
    const cols = csv[1]!.split(',');
    const p0 = report.points[0]!;
    expect(Number(cols[CSV_COLUMNS.indexOf('medianMs')])).toBe(p0.medianMs);
    expect(Number(cols[CSV_COLUMNS.indexOf('agreementMaxAbsDiff')])).toBe(p0.agreement!.maxAbsDiff);
  });

  it('a cancelled run resolves with the points finished so far', async () => {
    const ctl = new AbortController();
    const plan = makePlan({ ...CLI_DEFAULTS, sizes: [8, 16, 32], reps: 5, minRepMs: 0 });
    const report = await runBenchPlan(plan, [createCpuBackend({ dtype: 'f32' })], ENV, {
      signal: ctl.signal,
      onPoint: () => ctl.abort(),
    });
    expect(report.cancelled).toBe(true);
    expect(report.points).toHaveLength(1);
    expect(report.points[0]!.agreement!.against).toContain('reference');
  });
});

// Each test spawns the CLI: a limit for a loaded machine, not the 5 s default.
describe('lab bench CLI', { timeout: 150_000 }, () => {
  function lab(...args: string[]) {
    const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('matmul --shape times X·W, δ·Wᵀ, Xᵀ·δ; --csv writes the same points as --json', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-')), 'out.csv');
    const r = lab('bench', 'matmul', '--backend', 'cpu', '--shape', '16x8x4', '--json', '--csv', file);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as BenchReport;
    expect(out.format).toBe('backprop-lab-bench/1');
    expect(out.environment.cpuThreads).toBeGreaterThan(0);
    expect(out.points.map((p) => p.label)).toEqual(['X·W 16x8x4', 'δ·Wᵀ 16x8x4', 'Xᵀ·δ 16x8x4']);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('X·W 16x8x4');
  });

  it('train --grid with separate axis words runs the grid, with the agreement beside each line', () => {
    const r = lab('bench', 'train', '--backend', 'cpu', '--grid', 'depth=1,2', 'width=4', 'batch=3', '--min-rep-ms', '1');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/steps\/s .* max \|Δ\| \d\.\d\de-\d+ vs CPU f64/);
  });

  it('keeps stdout one format: --json with --csv - is refused; --csv - alone sends the table to stderr', () => {
    const both = lab('bench', 'matmul', '--backend', 'cpu', '--sizes', '8', '--json', '--csv', '-');
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toMatch(/^error: --json and --csv - would both write to stdout/);
    const csv = lab('bench', 'matmul', '--backend', 'cpu', '--sizes', '8,16', '--min-rep-ms', '1', '--csv', '-');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual([CSV_COLUMNS.join(','), expect.stringMatching(/^matmul,/), expect.stringMatching(/^matmul,/)]);
    expect(csv.stderr).toMatch(/GFLOP\/s/);
  });

  it('checks the --csv path before running anything: exit 2 naming --csv and the path, nothing on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    for (const file of ['/proc/x.csv', join(dir, 'missing', 'x.csv'), dir]) {
      const r = lab('bench', 'matmul', '--backend', 'cpu', '--sizes', '8', '--csv', file);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`error: --csv: cannot write ${JSON.stringify(file)} (`);
      expect(r.stderr).toMatch(/\((ENOENT|EISDIR)\); expected a writable file path, or - for stdout\n$/);
    }
  });

  it('the --csv check leaves a new path absent and an existing file as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const fresh = join(dir, 'new.csv');
    checkCsvPath(fresh);
    expect(existsSync(fresh)).toBe(false);
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'kept\n');
    checkCsvPath(old);
    expect(readFileSync(old, 'utf8')).toBe('kept\n');
    expect(() => checkCsvPath(join(dir, 'no', 'such.csv'))).toThrow(/^--csv: cannot write .* \(ENOENT\)/);
  });

  it('exits 2 on a bad suite, grid or shape', () => {
    expect(lab('bench', 'nope').code).toBe(2);
    const g = lab('bench', 'train', '--grid', 'depth=0');
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('--grid: depth=0');
    expect(lab('bench', 'matmul', '--shape', '3x4').stderr).toContain('--shape');
  });
});

describe('benchmark page helpers', async () => {
  const { DEFAULT_SETTINGS, formatQueryIssue, readSettingsQuery, settingsFromQuery, settingsToQuery, settingsToRequest } = await import('../../src/ui/bench/bench-settings.js');
  const { gflopsChart, speedupChart, trainChart } = await import('../../src/ui/bench/bench-series.js');

  it('reads settings from the URL, keeps defaults for bad fields, and writes back only what differs', () => {
    const s = settingsFromQuery(new URLSearchParams('suites=matmul&sizes=16,32&backends=cpu,webgpu&reps=7&large=1&batch=x'));
    expect(s).toEqual({ ...DEFAULT_SETTINGS, suites: ['matmul'], sizes: '16,32', reps: 7, allowLarge: true });
    expect(settingsFromQuery(new URLSearchParams('suites=nope&reps=2'))).toEqual(DEFAULT_SETTINGS);
    expect(settingsFromQuery(new URLSearchParams(settingsToQuery(s).slice(1)))).toEqual(s);
    expect(settingsToQuery(DEFAULT_SETTINGS)).toBe('');
  });

  it('names every URL parameter it cannot use (name, value, what is allowed) and applies the others', () => {
    const q = new URLSearchParams('reps=2&suites=matmul,nope&backends=cpu&sizes=16,x&shape=8x4&grid=depth=0&batch=0&large=yes&frobnicate=1&constructor=&reps=7');
    const { settings, issues } = readSettingsQuery(q);
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, backends: ['cpu'] });
    expect(issues.map(formatQueryIssue)).toEqual([
      'reps: "2 and 7" is not allowed; expected a whole number from 5 to 1000, given once',
      'suites: "matmul,nope" is not allowed; expected a comma-separated list of matmul, train, workload',
      'sizes: "16,x" is not allowed; expected comma-separated whole numbers from 1 to 8192',
      'shape: "8x4" is not allowed; expected batch×in×out like 64x784x256',
      expect.stringMatching(/^grid: "depth=0" is not allowed; expected depth=…, width=… and batch=… with comma-separated whole numbers/),
      'batch: "0" is not allowed; expected a whole number from 1 to 65536',
      'large: "yes" is not allowed; expected 1 (or nothing) for on, 0 for off',
      '"frobnicate" (value "1"): unknown parameter; expected one of suites, backends, sizes, shape, grid, batch, reps, large',
      '"constructor" (value ""): unknown parameter; expected one of suites, backends, sizes, shape, grid, batch, reps, large',
    ]);
    const good = readSettingsQuery(new URLSearchParams('suites=matmul&sizes=16,32&shape=&grid=depth=3&batch=64&large&reps=9'));
    expect(good.issues).toEqual([]);
    expect(good.settings).toEqual({ ...DEFAULT_SETTINGS, suites: ['matmul'], sizes: '16,32', grid: 'depth=3', workloadBatch: 64, allowLarge: true, reps: 9 });
  });

  it('turns settings into a request, or errors naming the field', () => {
    const ok = settingsToRequest({ ...DEFAULT_SETTINGS, sizes: '16, 32', shape: '8x4x2', grid: 'depth=3 width=4' });
    expect('request' in ok && ok.request.sizes).toEqual([16, 32]);
    expect('request' in ok && ok.request.layer).toEqual({ batch: 8, inDim: 4, outDim: 2 });
    expect('request' in ok && ok.request.grid.depth).toEqual([3]);
    const bad = settingsToRequest({ ...DEFAULT_SETTINGS, sizes: '16,x', shape: '8x4', grid: 'depth=0', reps: 2, backends: [] });
    expect('errors' in bad && bad.errors.map((e) => e.split(':')[0])).toEqual(['backends', 'sizes', 'layer shape', 'grid', 'repetitions']);
  });

  it('charts GFLOP/s per backend, the speed-up with its crossover marker, and steps/s per grid point', () => {
    const mm = (backendKind: 'cpu' | 'webgpu', n: number, gflops: number) =>
      ({ suite: 'matmul', key: `k${n}`, label: `${n}`, backend: backendKind === 'cpu' ? 'CPU' : 'GPU', backendKind, square: n, variant: 'AB', gflops }) as never;
    const pts = [mm('cpu', 64, 10), mm('webgpu', 64, 5), mm('cpu', 256, 10), mm('webgpu', 256, 40), mm('cpu', 1024, 12)];
    const g = gflopsChart(pts);
    expect(g.xs).toEqual([64, 256, 1024]);
    expect(g.lines.map((l) => [l.label, l.values])).toEqual([['CPU', [10, 10, 12]], ['GPU', [5, 40, null]]]);
    const sp = speedupChart(pts);
    expect(sp.xs).toEqual([64, 256]);
    expect(sp.lines[0]!.values).toEqual([0.5, 4]);
    // log-linear: t = ln2 / ln8 = 1/3 → x = 64 · 4^(1/3).
    expect(sp.marker!.x).toBeCloseTo(64 * 4 ** (1 / 3), 9);
    const tp = (backendKind: 'cpu' | 'webgpu', key: string, depth: number, stepsPerSecond: number) =>
      ({ suite: 'train', key, backend: backendKind, backendKind, depth, width: 8, batch: 4, stepsPerSecond }) as never;
    const t = trainChart([tp('cpu', 'a', 2, 100), tp('webgpu', 'a', 2, 10), tp('cpu', 'b', 5, 50)]);
    expect(t.xs).toEqual([0, 1]);
    expect(t.xTicks).toEqual(['d2 w8 b4', 'd5 w8 b4']);
    expect(t.lines.map((l) => l.values)).toEqual([[100, 50], [10, null]]);
  });
});

describe('GPU timestamps of a matmul point', () => {
  it('takes the median per call over the repetitions, and null without timestamps', async () => {
    const cpu = createCpuBackend({ dtype: 'f32' });
    expect(await gpuTimes(cpu, () => undefined, 4, { reps: 5 })).toBeNull();
    // A stand-in for the WebGPU backend: each repetition's GPU time is given, the recorded calls are counted.
    const times = [40, 10, 30, 20, 50];
    let calls = 0;
    const fake = Object.assign(Object.create(cpu) as object, {
      async timeGpu(record: () => void) {
        record();
        return times.shift()!;
      },
    }) as unknown as typeof cpu;
    expect(await gpuTimes(fake, () => void calls++, 10, { reps: 5 })).toBe(3);
    expect(calls).toBe(50);
    const none = Object.assign(Object.create(cpu) as object, { timeGpu: async (record: () => void) => (record(), null) }) as unknown as typeof cpu;
    expect(await gpuTimes(none, () => undefined, 3, { reps: 5 })).toBeNull();
    cpu.destroy();
  });
});
