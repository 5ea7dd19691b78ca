// The `lab` command line, run as a user runs it (node scripts/lab.mjs …): JSON lines, presets that match the
// NumPy tutorial, human output, and exit code 2 with a message naming the flag for bad input.
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import fixture from '../fixtures/classic.json';

// Each test spawns the CLI (an esbuild bundle, then node) one or more times: a limit for a loaded machine, not 5 s.
vi.setConfig({ testTimeout: 150_000 });

function lab(...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lab train', () => {
  it('--preset xor-classic --json prints one JSON object per logged step, then the predictions', () => {
    const r = lab('train', '--preset', 'xor-classic', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const expected = fixture.presets.find((p) => p.preset === 'xor-classic')!;
    const steps = lines.filter((l) => 'step' in l);
    expect(steps.map((l) => l.step)).toEqual(Object.keys(expected.logged).map(Number));
    for (const l of steps) {
      const want = (expected.logged as unknown as Record<string, number>)[String(l.step)]!;
      expect(Math.abs(l.loss - want) / l.loss).toBeLessThan(1e-12);
      expect(l.gradNorms).toHaveLength(2);
      expect(l.biasGradNorms).toHaveLength(2);
      for (const k of ['accuracy', 'actMean', 'actStd', 'saturation', 'updateRatios']) expect(l).toHaveProperty(k);
    }
    const last = lines[lines.length - 1];
    expect(last.predictions).toHaveLength(4);
    last.predictions.forEach((row: number[], i: number) => expect(Math.abs(row[0]! - expected.predictions[i]![0]!)).toBeLessThan(1e-12));
    expect(r.stderr).toContain('backend: CPU f64');
  });

  it('prints a readable table by default', () => {
    const r = lab('train', '--preset', 'and-classic');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/step\s+epoch\s+loss/);
    expect(r.stdout.split('\n').filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(6);
    expect(r.stdout).toContain('predictions:');
  });

  it('trains a deep stack from flags on a generated data set with mini-batches', () => {
    const r = lab('train', '--dataset', 'spiral', '--layers', '16x4', '--activation', 'relu', '--init', 'he', '--loss', 'bce', '--lr', '0.05', '--steps', '30', '--batch', '32', '--log-every', '10', '--dtype', 'f32', '--json');
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const lines = all.slice(0, -1);
    expect(lines.map((l) => l.step)).toEqual([0, 10, 20, 29]);
    // Last, the predictions of the first 16 of the 200 rows.
    expect(all.at(-1).samples).toBe(200);
    expect(all.at(-1).predictions).toHaveLength(16);
    expect(lines[0].gradNorms).toHaveLength(5);
    expect(lines.every((l) => Number.isFinite(l.loss))).toBe(true);
    expect(lines[3].epoch).toBeCloseTo((29 * 32) / 200, 12);
  });

  it.each([
    [['--lr', 'abc'], /--lr: "abc" is not allowed; expected/],
    [['--lr', '-1'], /--lr: model\.optimizer\.lr: -1 is not allowed; expected a finite number above 0/],
    [['--activation', 'swish'], /--activation: "swish" is not allowed; expected one of sigmoid, tanh, relu, leaky_relu, linear/],
    [['--layers', '2,0'], /--layers: model\.hidden\[1\]: 0 is not allowed; expected an integer from 1/],
    [['--layers', '8x4', '--activation', 'sigmoid*2,relu*3'], /--activation: "sigmoid\*2,relu\*3" is not allowed; expected .*counts add up to the depth, 4/],
    [['--layers', 'ten'], /--layers: "ten" is not allowed/],
    [['--backend', 'tpu'], /--backend: "tpu" is not allowed; expected one of cpu, webgpu, auto/],
    [['--frobnicate'], /unknown flag --frobnicate; valid flags: --preset/],
    [['--loss', 'softmax_ce'], /--output-activation: model\.outputActivation: "sigmoid" is not allowed; expected softmax with loss softmax_ce/],
    [['--seed', 'NaN'], /--seed: "NaN" is not allowed/],
    [['--steps', '10', '--epochs', '2'], /give --epochs or --steps, not both/],
  ])('exits 2 for %j with a message naming the flag', (args, message) => {
    const r = lab('train', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for an unknown command', () => {
    const r = lab('fly');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('valid commands: train, bench, sweep, soak');
  });
});

describe('lab bench', () => {
  it('bench matmul --backend cpu prints GFLOP/s and the error against f64 as JSON', () => {
    const r = lab('bench', 'matmul', '--backend', 'cpu', '--sizes', '32,64', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.suite).toBe('matmul');
    expect(out.environment.node).toBe(process.version);
    expect(out.points).toHaveLength(2);
    for (const p of out.points) {
      expect(p.reps).toBeGreaterThanOrEqual(5);
      expect(p.gflops).toBeGreaterThan(0);
      expect(p.minMs).toBeLessThanOrEqual(p.medianMs);
      expect(p.maxAbsError).toBeLessThan(1e-3);
    }
  });

  it('bench train reports steps/s and samples/s', () => {
    const r = lab('bench', 'train', '--backend', 'cpu', '--layers', '16x3', '--batch', '8', '--input-dim', '4', '--output-dim', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).points[0];
    expect(p.stepsPerSecond).toBeGreaterThan(0);
    expect(p.samplesPerSecond).toBeCloseTo(p.stepsPerSecond * 8, 6);
  });
});

describe('README', () => {
  it('lists the flags of every command exactly as --help prints them', () => {
    const r = spawnSync(process.execPath, ['scripts/readme-flags.mjs', '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
  });
});
