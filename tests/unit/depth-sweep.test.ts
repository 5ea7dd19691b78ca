// The depth sweep (src/train/depth-sweep.ts) and `lab sweep` (src/cli/sweep.ts): measured first-layer gradient
// norms at initialisation against the mean-field line, on one-row data (where the per-row theory applies) and on
// the full-batch spiral (where correlated rows change constant factors but not the per-layer rate).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { UsageError } from '../../src/cli/args.js';
import { runSweep } from '../../src/cli/sweep.js';
import { makeDataset, type Dataset } from '../../src/core/datasets.js';
import { NumpyRandom } from '../../src/core/rng.js';
import { chi, dataMeanSquare, sigmaW2For } from '../../src/core/theory.js';
import { depthSweep, pairChi, type SweepPoint } from '../../src/train/depth-sweep.js';

/** One row of N(0,1) inputs and a large target, so the output error is (almost) independent of the weights. */
function oneRow(dim: number): Dataset {
  const rng = new NumpyRandom(7);
  return { name: 'random', x: rng.randn(dim), y: Float64Array.of(100), n: 1, inputDim: dim, outputDim: 1, task: 'regression', classes: [] };
}

const spiral = () => makeDataset({ dataset: 'spiral', samples: 200, noise: 0.05, inputDim: 2, outputDim: 1, seed: 1 });
const cpu = (dtype: 'f32' | 'f64' = 'f64') => createCpuBackend({ dtype, threads: 1 });

describe('depthSweep', () => {
  it('returns one point per pair and depth, anchored so that depth 0 predicts exactly what it measures', async () => {
    const data = spiral();
    const pairs = [
      { activation: 'tanh', init: 'xavier' },
      { activation: 'relu', init: 'he' },
    ] as const;
    const points = await depthSweep(cpu(), { pairs, depths: [0, 3], width: 16, data, seeds: [1, 2] });
    expect(points.map((p) => `${p.activation}/${p.init}/${p.depth}`)).toEqual(['tanh/xavier/0', 'tanh/xavier/3', 'relu/he/0', 'relu/he/3']);
    for (const p of points) {
      expect(p.measured).toBeGreaterThan(0);
      expect(p.chi).toBe(pairChi(p, 16, data));
      if (p.depth === 0) {
        expect(p.predicted / p.measured).toBeCloseTo(1, 12);
        expect(p.outputNorm).toBe(p.measured);
      }
    }
    expect(points[2]!.chi).toBeCloseTo(1, 12); // ReLU with He init: χ = 2/2
    expect(points[0]!.chi).toBe(chi('tanh', sigmaW2For('xavier', 1, 16, 16), 0, sigmaW2For('xavier', 1, 2, 16) * dataMeanSquare(data.x)));
  });

  it('uses only the backend it is given: f32 and f64 CPU backends agree', async () => {
    const opts = { pairs: [{ activation: 'sigmoid', init: 'xavier' }] as const, depths: [4], width: 16, data: spiral(), seeds: [3] };
    const [a] = await depthSweep(cpu('f64'), opts);
    const [b] = await depthSweep(cpu('f32'), opts);
    expect(Math.abs(a!.measured / b!.measured - 1)).toBeLessThan(1e-4);
    expect(Math.abs(a!.predicted / b!.predicted - 1)).toBeLessThan(1e-4);
  });

  it('one row, width 128: measured within 30% of the theory up to 20 layers (sigmoid falls ~12 orders)', async () => {
    const pairs = [
      { activation: 'sigmoid', init: 'xavier' },
      { activation: 'tanh', init: 'xavier' },
      { activation: 'relu', init: 'he' },
    ] as const;
    const points = await depthSweep(cpu(), { pairs, depths: [1, 5, 10, 20], width: 128, data: oneRow(128), seeds: [1, 2, 3, 4] });
    for (const p of points) {
      console.log(`one row: ${p.activation}/${p.init} depth ${p.depth}: measured ${p.measured.toExponential(3)} predicted ${p.predicted.toExponential(3)} (×${(p.measured / p.predicted).toFixed(3)})`);
      expect(Math.abs(Math.log(p.measured / p.predicted)), `${p.activation} depth ${p.depth}`).toBeLessThan(Math.log(1.3));
    }
    const sig = points.filter((p) => p.activation === 'sigmoid');
    expect(sig[3]!.measured / sig[0]!.measured).toBeLessThan(1e-11);
  });

  it('spiral, full batch, width 32: the per-layer decay of sigmoid/xavier matches √χ to 3%, the level to a factor 4', async () => {
    const data = spiral();
    const points: SweepPoint[] = await depthSweep(cpu(), {
      pairs: [{ activation: 'sigmoid', init: 'xavier' }],
      depths: [10, 20, 50],
      width: 32,
      data,
      seeds: [1, 2, 3],
    });
    const [d10, , d50] = points;
    const perLayer = (d50!.measured / d10!.measured) ** (1 / 40);
    console.log(`spiral sigmoid/xavier: per-layer ${perLayer.toFixed(4)} vs √χ ${Math.sqrt(d10!.chi).toFixed(4)}; measured/predicted ${points.map((p) => (p.measured / p.predicted).toFixed(3)).join(', ')}`);
    expect(Math.abs(perLayer / Math.sqrt(d10!.chi) - 1)).toBeLessThan(0.03);
    for (const p of points) expect(Math.abs(Math.log(p.measured / p.predicted))).toBeLessThan(Math.log(4));
  });
});

describe('lab sweep', () => {
  afterEach(() => vi.restoreAllMocks());

  async function capture(argv: string[]): Promise<string> {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    await runSweep(argv);
    vi.restoreAllMocks();
    return out;
  }

  it('--json prints one object with a point per activation × init × depth', async () => {
    const out = await capture(['--activations', 'sigmoid,relu', '--inits', 'xavier', '--depths', '1,3', '--width', '8', '--seeds', '2', '--json']);
    const r = JSON.parse(out);
    expect(r.points).toHaveLength(4);
    expect(r.points[0]).toMatchObject({ activation: 'sigmoid', init: 'xavier', depth: 1 });
    for (const p of r.points) for (const k of ['measured', 'predicted', 'outputNorm', 'chi']) expect(typeof p[k]).toBe('number');
    expect(r).toMatchObject({ dataset: 'spiral', width: 8, seeds: 2 });
  });

  it('prints a table with χ per pair by default', async () => {
    const out = await capture(['--activations', 'tanh', '--inits', 'he', '--depths', '2', '--width', '8', '--seeds', '1']);
    expect(out).toMatch(/tanh \/ he: χ = /);
    expect(out).toMatch(/depth\s+measured\s+predicted/);
  });

  it('names the flag of a bad value', async () => {
    for (const [argv, flag] of [
      [['--depths', '1,x'], '--depths'],
      [['--activations', 'swish'], '--activations'],
      [['--inits', 'he,zero'], '--inits'],
      [['--width', '0'], '--width'],
      [['--dataset', 'mnist'], '--dataset'],
      [['--dtype', 'f16'], '--dtype'],
      [['--samples', '0'], '--samples'],
    ] as const) {
      await expect(runSweep(argv), flag).rejects.toThrow(UsageError);
      await expect(runSweep(argv)).rejects.toThrow(flag);
    }
  });
});
