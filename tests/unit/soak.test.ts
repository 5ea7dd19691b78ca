// Long runs do not grow: 20 000 steps of xor keep the JavaScript heap (after a forced GC) within 5 MB and the live
// backend tensors constant, and the trainer gives every tensor back on dispose. Plus `lab soak` itself: its flags,
// its JSON report, and usage errors.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { preset } from '../../src/core/presets.js';
import type { ExperimentSpec } from '../../src/core/spec.js';
import { nodeGc, runSoak } from '../../src/cli/soak.js';
import { UsageError } from '../../src/cli/args.js';
import { countTensors, runSoakBenchmark } from '../../src/train/soak.js';

const MB = 2 ** 20;

function xor(steps: number, logEvery: number, layers: number[] = [2]): ExperimentSpec {
  const p = preset('xor-classic');
  return {
    ...p,
    model: { ...p.model, hidden: layers, activations: layers.map(() => 'sigmoid' as const) },
    schedule: { ...p.schedule, steps, logEvery },
  };
}

/** Capture what runSoak writes to stdout. */
async function soakJson(argv: string[]): Promise<Record<string, unknown>> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await runSoak(argv);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(chunks.join('')) as Record<string, unknown>;
}

describe('soak', () => {
  it('20 000 steps of xor: heap growth < 5 MB after GC, live tensors constant, none left after dispose', async () => {
    const { gc } = nodeGc();
    expect(gc, 'a forced GC is needed for a meaningful heap figure').not.toBeNull();
    const spec = xor(20_000, 100);
    const report = await runSoakBenchmark({
      spec,
      data: makeDataset(spec.data),
      backend: createCpuBackend({ dtype: 'f64', threads: 1 }),
      host: { heapUsed: () => process.memoryUsage().heapUsed, gc, now: () => performance.now() },
      warmupSteps: 500,
      checkpoints: 5,
    });
    expect(report.steps).toBe(20_000);
    expect(report.gc).toBe(true);
    expect(report.divergedAt).toBeNull();
    expect(Number.isFinite(report.finalLoss)).toBe(true);
    expect(Math.abs(report.heapGrowthBytes)).toBeLessThan(5 * MB);
    // No checkpoint along the way is far above the start either (a leak that a late GC happened to hide).
    for (const s of report.samples) expect(s.heapBytes - report.heapStartBytes).toBeLessThan(5 * MB);
    expect(report.tensorsStart).toBeGreaterThan(0);
    expect(report.samples.every((s) => s.liveTensors === report.tensorsStart)).toBe(true);
    expect(report.tensorsEnd).toBe(report.tensorsStart);
    expect(report.tensorsAfterDispose).toBe(0);
    expect(report.stepsPerSec).toBeGreaterThan(100);
    console.log(`soak xor 20k: heap ${(report.heapStartBytes / MB).toFixed(2)} → ${(report.heapEndBytes / MB).toFixed(2)} MB, ${report.stepsPerSec.toFixed(0)} steps/s`);
  });

  it('the heap check can fail: a run that keeps every record grows the heap by more than the leak it holds', async () => {
    const { gc } = nodeGc();
    const spec = xor(5000, 1);
    const backend = createCpuBackend({ dtype: 'f64', threads: 1 });
    const counting = countTensors(backend);
    const kept: unknown[] = [];
    gc!();
    const before = process.memoryUsage().heapUsed;
    const { Trainer } = await import('../../src/train/trainer.js');
    const t = new Trainer(counting.backend, { models: [spec.model], data: makeDataset(spec.data), schedule: spec.schedule });
    await t.run(5000, (r) => kept.push(r));
    gc!();
    const grown = process.memoryUsage().heapUsed - before;
    // 5000 records of a few small arrays each: well over a megabyte that a soak run must not hold.
    expect(grown).toBeGreaterThan(1 * MB);
    expect(kept).toHaveLength(5000);
    t.dispose();
    expect(counting.counts().live).toBe(0);
  });

  it('countTensors counts what a backend hands out and takes back', () => {
    const c = countTensors(createCpuBackend({ dtype: 'f32', threads: 1 }));
    const a = c.backend.tensor({ batch: 1, rows: 2, cols: 2 });
    const [b, d] = c.backend.tensors([{ batch: 1, rows: 1, cols: 1 }, { batch: 2, rows: 1, cols: 3 }]);
    expect(c.counts()).toEqual({ created: 3, disposed: 0, live: 3 });
    c.backend.dispose(a);
    c.backend.dispose(a);
    c.backend.dispose(b!);
    expect(c.counts()).toEqual({ created: 3, disposed: 2, live: 1 });
    expect(c.backend.info.kind).toBe('cpu');
    c.backend.dispose(d!);
  });

  it('runSoak prints one JSON report with heap, tensor counts and steps/s (32 layers of 50)', async () => {
    const r = await soakJson(['--layers', '50x32', '--steps', '300', '--warmup', '20', '--checkpoints', '3', '--dtype', 'f32']);
    expect(r['steps']).toBe(300);
    expect(r['layers']).toEqual([2, ...Array(32).fill(50), 1]);
    expect(r['gc']).toBe(true);
    for (const k of ['heapStartMB', 'heapEndMB', 'heapGrowthMB', 'stepsPerSec', 'tensorsStart', 'tensorsEnd', 'tensorsAfterDispose']) expect(typeof r[k]).toBe('number');
    expect(r['tensorsEnd']).toBe(r['tensorsStart']);
    expect(r['tensorsAfterDispose']).toBe(0);
    expect((r['samples'] as unknown[]).length).toBe(3);
  });

  it.each([
    [['--warmup', '-1'], /--warmup/],
    [['--checkpoints', '1'], /--checkpoints/],
    [['--checkpoints', 'NaN'], /--checkpoints/],
    [['--steps', 'Infinity'], /--steps/],
    [['--json'], /unknown flag --json/],
    [['--lose-device-at', '3'], /unknown flag --lose-device-at/],
  ])('runSoak %j is a usage error naming the flag', async (argv, message) => {
    await expect(runSoak(argv)).rejects.toThrow(UsageError);
    await expect(runSoak(argv)).rejects.toThrow(message);
  });

  // `lab soak` as a user runs it.
  it('node --expose-gc scripts/lab.mjs soak prints the JSON report', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', 'scripts/lab.mjs', 'soak', '--steps', '2000', '--layers', '2', '--checkpoints', '3'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report['steps']).toBe(2000);
    expect(report['gcMethod']).toBe('--expose-gc');
    expect(Math.abs(report['heapGrowthBytes'] as number)).toBeLessThan(5 * MB);
  });
});
