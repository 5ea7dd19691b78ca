// `lab bench train --distributions`: the flag needs --log-every (a field-named error otherwise), every train model is
// planned twice (plain, then with distributions, keys told apart), and the overhead line compares the pair.
import { describe, expect, it } from 'vitest';
import { CLI_DEFAULTS, planTasks } from '../../src/bench/plan.js';
import { timeRepsPaired } from '../../src/bench/timing.js';
import { distributionOverheads, trainBenchData, trainBenchSpec, trainKey, type TrainPoint } from '../../src/bench/train-bench.js';
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

  it('with a side-by-side baseline, the line uses it and gives min, median and max of both', () => {
    const point = { backend: 'CPU f32', key: 'train m batch 8 +dist', label: 'm b8 +dist', medianMs: 107, minMs: 105, maxMs: 110, shape: { logEvery: 10, distributions: true }, interleavedPlain: { medianMs: 100, minMs: 99, maxMs: 104, reps: 12 } } as unknown as TrainPoint;
    expect(distributionOverheads([point])).toEqual([
      'distributions CPU f32 m b8 (log every 10; 12 repetitions each, alternating): 100.000 ms (min 99.000, max 104.000) → 107.000 ms (min 105.000, max 110.000) per step, +7.0 % of a step',
    ]);
  });
});

describe('bench train --head and --optimizer (the lab\'s runs: one sigmoid output with binary cross-entropy, Adam)', () => {
  it('plans the model with that output, loss and update rule, keyed apart; bad values are named', () => {
    const r = benchRequest(['train'], new Map([['layers', '32x20'], ['input-dim', '2'], ['output-dim', '1'], ['batch', '200'], ['head', 'bce'], ['optimizer', 'adam']]));
    const task = planTasks(r)[0]!;
    if (task.suite === 'matmul') throw new Error('expected a train task');
    const spec = trainBenchSpec(task.train);
    expect([spec.model.outputActivation, spec.model.loss, spec.model.optimizer.kind]).toEqual(['sigmoid', 'bce', 'adam']);
    expect(task.key).toBe(trainKey('train', task.train));
    expect(task.key).toBe('train 2-32x20-1 sigmoid bce adam batch 200');
    // 0/1 labels for bce, both present.
    const y = Array.from(trainBenchData(task.train).y);
    expect(new Set(y)).toEqual(new Set([0, 1]));
    const plain = planTasks(benchRequest(['train'], new Map([['layers', '32x20'], ['batch', '200']])))[0]!;
    if (plain.suite === 'matmul') throw new Error('expected a train task');
    expect([trainBenchSpec(plain.train).model.loss, trainBenchSpec(plain.train).model.optimizer.kind]).toEqual(['mse', 'sgd']);
    expect(() => benchRequest(['train'], new Map([['head', 'hinge']]))).toThrow(/^--head: "hinge" is not allowed; expected one of mse, bce, softmax_ce$/);
    expect(() => benchRequest(['train'], new Map([['optimizer', 'rmsprop']]))).toThrow(/^--optimizer: "rmsprop" is not allowed; expected sgd or adam$/);
  });
});

describe('timeRepsPaired', () => {
  it('gives both runs the same calls per repetition and alternates their order, each timed on its own', async () => {
    let t = 0;
    const order: string[] = [];
    const counts: number[] = [];
    // a costs 1 ms a call, b 3 ms; the fake clock moves only when a run runs.
    const run = (name: string, ms: number) => async (n: number) => {
      order.push(name);
      counts.push(n);
      t += n * ms;
    };
    const r = await timeRepsPaired(run('a', 1), run('b', 3), { reps: 4, minRepMs: 24, now: () => t });
    // Sized on the slower: 3 ms a call, a 24 ms target → 8 calls for both.
    expect([r.a.callsPerRep, r.b.callsPerRep]).toEqual([8, 8]);
    expect([r.a.medianMs, r.a.minMs, r.a.maxMs, r.a.reps]).toEqual([1, 1, 1, 4]);
    expect([r.b.medianMs, r.b.reps]).toEqual([3, 4]);
    expect(order.slice(-8)).toEqual(['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
    expect(counts.slice(-8)).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
  });

  it('with a fixed count per repetition (no target) times exactly that many calls', async () => {
    let t = 0;
    const counts: number[] = [];
    const run = async (n: number) => {
      counts.push(n);
      t += n;
    };
    const r = await timeRepsPaired(run, run, { reps: 2, minRepMs: Number.POSITIVE_INFINITY, maxCallsPerRep: 20, now: () => t });
    expect(r.a.callsPerRep).toBe(20);
    expect(counts.slice(-4)).toEqual([20, 20, 20, 20]);
  });
});
