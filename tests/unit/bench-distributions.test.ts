// `lab bench train --distributions`: the flag needs --log-every (a field-named error otherwise), every train model is
// planned twice (plain, then with distributions, keys told apart), and the overhead line compares the pair.
import { describe, expect, it } from 'vitest';
import { CLI_DEFAULTS, planTasks } from '../../src/bench/plan.js';
import { distributionOverheads, type TrainPoint } from '../../src/bench/train-bench.js';
import { benchRequest } from '../../src/cli/bench.js';

describe('bench --distributions', () => {
  it('needs --log-every N ≥ 1, naming the value', () => {
    expect(() => benchRequest(['train'], new Map([['distributions', '']]))).toThrow(/--distributions needs --log-every N with N ≥ 1 \(got none\)/);
    expect(() => benchRequest(['train'], new Map([['distributions', ''], ['log-every', '0']]))).toThrow(/got "0"|got '0'|got 0/);
    expect(benchRequest(['train'], new Map([['log-every', '5']])).distributions).toBe(false);
  });

  it('plans each train model without and with distributions; other suites once', () => {
    const r = { ...CLI_DEFAULTS, suites: ['train', 'workload'] as const, layers: [256, 256], grid: { ...CLI_DEFAULTS.grid, batch: [64] }, logEvery: 1, distributions: true };
    const tasks = planTasks(r);
    expect(tasks.map((t) => t.key)).toEqual([
      'train 256-256x2-256 sigmoid mse batch 64',
      'train 256-256x2-256 sigmoid mse batch 64 +dist',
      'workload 784-256x4-10 relu softmax_ce batch 256',
    ]);
    expect(planTasks({ ...r, distributions: false }).length).toBe(2);
  });

  it('prints the extra share of a step per backend and model', () => {
    const point = (ms: number, dist: boolean, backend = 'CPU f32') =>
      ({ backend, key: `train m batch 8${dist ? ' +dist' : ''}`, label: `m b8${dist ? ' +dist' : ''}`, medianMs: ms, shape: { logEvery: 1, distributions: dist } }) as unknown as TrainPoint;
    const lines = distributionOverheads([point(100, false), point(104, true), point(50, false, 'WebGPU'), point(56, true, 'WebGPU')]);
    expect(lines).toEqual([
      'distributions CPU f32 m b8 (log every 1): 100.000 ms → 104.000 ms per step, +4.0 % of a step',
      'distributions WebGPU m b8 (log every 1): 50.000 ms → 56.000 ms per step, +12.0 % of a step',
    ]);
  });
});
