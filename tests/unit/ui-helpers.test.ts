/** Pure helpers of the app: boundary grid, confusion matrix, throughput windows, record/weight exports, theory lines, sweep depths. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, defaultLab, LAB_LIMITS, modelSpec, scheduleSpec } from '../../src/core/lab-spec.js';
import type { ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';
import type { StepRecord } from '../../src/train/records.js';
import { layerActivation } from '../../src/ui/run-view.js';
import { BOUNDARY_CHUNK_ROWS, boundaryInputs, computeBoundaries } from '../../src/ui/lab/boundary.js';
import { confusionMatrix } from '../../src/ui/lab/confusion.js';
import { recordsToCsv, recordsToJson, weightsToJson } from '../../src/ui/export.js';
import { MAX_DISTRIBUTION_ENTRIES, recordsDistributions, type CohortContext } from '../../src/ui/lab/run-state.js';
import { Throughput } from '../../src/ui/lab/throughput.js';
import { MAX_RECORDS, recordCap, thinRecords } from '../../src/ui/lab/lab-controller.js';
import type { RunView } from '../../src/ui/run-view.js';
import { MAX_SWEEP_DEPTHS, parseDepths } from '../../src/ui/lab/sweep-controller.js';
import { hiddenChi, runTheory, theoryLabel, TheoryCache } from '../../src/ui/theory-lines.js';

describe('boundary grid', () => {
  it('spans [-extent, extent]² with row 0 at the top', () => {
    const g = boundaryInputs(3, 1.2);
    expect(Array.from(g)).toEqual([-1.2, 1.2, 0, 1.2, 1.2, 1.2, -1.2, 0, 0, 0, 1.2, 0, -1.2, -1.2, 0, -1.2, 1.2, -1.2]);
  });

  /** A trainer of the default lab's runs at this depth and width (CPU f64). */
  const labTrainer = (depth: number, width: number) => {
    const lab = { ...defaultLab(), depth, width, samples: 20 };
    const shape = builtinShape(lab);
    return new Trainer(createCpuBackend({ dtype: 'f64' }), {
      models: lab.runs.map((r) => modelSpec(lab, r, shape)),
      data: makeDataset(dataSpec(lab)),
      schedule: scheduleSpec(lab),
    });
  };

  it('equals the trainer prediction at the grid points for every model of a cohort', async () => {
    const trainer = labTrainer(2, 4);
    const grids = await computeBoundaries(trainer, 5, 1);
    const direct = await trainer.predict(boundaryInputs(5, 1), 25);
    expect(grids).toHaveLength(2);
    grids.forEach((g, b) => {
      expect(g.size).toBe(5);
      expect(Array.from(g.values)).toEqual(Array.from(Float32Array.from(direct[b]!)));
    });
    expect(Array.from(grids[0]!.values)).not.toEqual(Array.from(grids[1]!.values));
  });

  it('predicts a large grid a few rows at a time, awaiting between() between the parts, with the same values', async () => {
    const trainer = labTrainer(3, 6);
    let breaks = 0;
    const size = 2 * BOUNDARY_CHUNK_ROWS + 3;
    const grids = await computeBoundaries(trainer, size, 1.2, async () => void breaks++);
    const direct = await trainer.predict(boundaryInputs(size, 1.2), size * size);
    // Rows in parts of BOUNDARY_CHUNK_ROWS: 8 + 8 + 3, two breaks.
    expect(breaks).toBe(2);
    grids.forEach((g, b) => expect(Array.from(g.values)).toEqual(Array.from(Float32Array.from(direct[b]!))));
  });
});

describe('layerActivation', () => {
  it('gives a per-layer run each layer its own activation, and every layer the run\'s where it has no list', () => {
    const base = { id: 'run0', label: '', color: '', records: [], divergedAt: null, activation: 'relu', boundary: null };
    expect([0, 5].map((l) => layerActivation(base, l))).toEqual(['relu', 'relu']);
    const mixed = { ...base, activations: ['relu', 'sigmoid', 'relu'] };
    expect([0, 1, 2].map((l) => layerActivation(mixed, l))).toEqual(['relu', 'sigmoid', 'relu']);
  });
});

describe('confusionMatrix', () => {
  it('counts true × predicted classes for one output and for one-hot outputs', () => {
    expect(confusionMatrix([0.9, 0.2, 0.6, 0.4], [1, 0, 0, 1], 4, 1)).toEqual([[1, 1], [1, 1]]);
    const pred = [0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.5, 0.4, 0.1];
    const y = [1, 0, 0, 0, 0, 1, 0, 1, 0];
    expect(confusionMatrix(pred, y, 3, 3)).toEqual([[1, 0, 0], [1, 0, 0], [0, 0, 1]]);
  });
});

describe('Throughput', () => {
  it('turns steps over a window into steps/s, samples/s and GFLOP/s', () => {
    const t = new Throughput();
    t.resume(1000);
    const cohort = { trainer: { rowsPerStep: 200, members: 2, flopsPerStep: 5e7 } };
    t.add(10, [cohort], 1200);
    expect(t.latest).toBeNull();
    t.add(15, [cohort], 1500);
    expect(t.latest).toEqual({ at: 1500, stepsPerSec: 50, samplesPerSec: 50 * 400, gflops: (25 * 5e7) / 0.5 / 1e9 });
  });
});

function rec(step: number, loss: number): StepRecord {
  return {
    step,
    epoch: step,
    loss,
    accuracy: 0.5,
    gradNorms: [1e-30, 2],
    biasGradNorms: [0, 1],
    weightNorms: [3, 4],
    updateRatios: [0.1, 0.2],
    gradNormTotal: 2,
    clipFactor: 1,
    actMean: [0.5, 0.5],
    actStd: [0.1, 0.1],
    saturation: [0, 0.25],
  };
}

const run = (id: string, label: string, records: StepRecord[]): RunView => ({ id, label, color: '#000', records, divergedAt: null, activation: 'relu', boundary: null });

describe('exports', () => {
  it('writes one CSV row per run and record with per-layer columns, quoting labels when needed', () => {
    const csv = recordsToCsv([run('run0', 'a, "b"', [rec(0, 0.7), rec(10, 0.6)]), run('run1', 'c', [rec(0, NaN)])]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'run,label,step,epoch,loss,accuracy,gradNorms_0,gradNorms_1,biasGradNorms_0,biasGradNorms_1,weightNorms_0,weightNorms_1,updateRatios_0,updateRatios_1,actMean_0,actMean_1,actStd_0,actStd_1,saturation_0,saturation_1',
    );
    expect(lines[1]).toBe('run0,"a, ""b""",0,0,0.7,0.5,1e-30,2,0,1,3,4,0.1,0.2,0.5,0.5,0.1,0.1,0,0.25');
    expect(lines[3]!.startsWith('run1,c,0,0,NaN,')).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('writes JSON records (non-finite numbers as strings) and weights as fan_in × fan_out rows', () => {
    const lab = defaultLab();
    const j = JSON.parse(recordsToJson(lab, [run('run0', 'x', [rec(0, Infinity)])]));
    expect(j.runs[0].records[0].loss).toBe('Infinity');
    expect(j.lab.depth).toBe(20);
    const w = JSON.parse(weightsToJson(lab, [{ id: 'run0', label: 'x', step: 3, params: { weights: [Float64Array.from([1, 2, 3, 4, 5, 6])], biases: [Float64Array.from([7, 8, 9])] } }], [2, 3]));
    expect(w.runs[0].layers[0]).toEqual({ weights: [[1, 2, 3], [4, 5, 6]], biases: [7, 8, 9] });
  });
});

describe('theory lines of the gradient profile', () => {
  const lab = defaultLab();
  const shape = builtinShape(lab);
  const model = (patch: Partial<ModelSpec>): ModelSpec => ({ ...modelSpec(lab, lab.runs[1]!, shape), ...patch });
  const measured = Array.from({ length: 21 }, (_, l) => 0.01 * (l + 1));

  it('is anchored at the measured last hidden layer; ReLU/He (χ = gain², closed form) is flat in the middle', () => {
    const t = runTheory(model({}), measured, 0.5)!;
    expect(t.anchorLayer).toBe(19);
    expect(t.profile).toHaveLength(21);
    expect(t.profile[19]).toBeCloseTo(measured[19]!, 12);
    expect(t.chi).toBeCloseTo(1, 9);
    for (let l = 2; l < 18; l++) expect(t.profile[l]! / t.profile[l + 1]!).toBeCloseTo(1, 9);
    expect(hiddenChi(model({ gain: 1.3 }), 0.5)).toBeCloseTo(1.69, 9);
  });

  it("a deep linear network has a flat gradient profile over its hidden layers whatever its gain (a_l grows as δ_l shrinks), χ = gain²", () => {
    const t = runTheory(model({ activations: Array(20).fill('linear'), init: 'lecun', gain: 1.5 }), measured, 0.3)!;
    expect(t.chi).toBeCloseTo(2.25, 9);
    for (let l = 1; l < 20; l++) expect(t.profile[l]! / t.profile[l + 1]!).toBeCloseTo(1, 9);
  });

  it('is the chain of √χ for sigmoid/Xavier, and absent for normalised, residual or hidden-less models and bad anchors', () => {
    const m = model({ activations: Array(20).fill('sigmoid'), init: 'xavier' });
    const t = runTheory(m, measured, 0.5)!;
    expect(t.chi).toBeGreaterThan(0.04);
    expect(t.chi).toBeLessThan(0.07);
    for (let l = 5; l < 18; l++) expect(t.profile[l]! / t.profile[l + 1]!).toBeCloseTo(Math.sqrt(t.chi), 3);
    expect(runTheory({ ...m, norm: 'batch' }, measured, 0.5)).toBeNull();
    expect(runTheory({ ...m, residual: 2 }, measured, 0.5)).toBeNull();
    expect(runTheory({ ...m, hidden: [], activations: [] }, [0.1], 0.5)).toBeNull();
    expect(runTheory(m, measured.map(() => 0), 0.5)).toBeNull();
    expect(runTheory(m, measured.map(() => NaN), 0.5)).toBeNull();
    expect(theoryLabel(0.056341)).toBe('theory, χ = 0.056');
    expect(theoryLabel(1.0000001)).toBe('theory, χ = 1');
  });

  it('bias std σ_b enters χ: biased sigmoid layers sit at a larger q*, where the slope is smaller', () => {
    const m = model({ activations: Array(20).fill('sigmoid'), init: 'xavier' });
    expect(hiddenChi({ ...m, biasStd: 1 }, 0.5)).toBeLessThan(hiddenChi(m, 0.5));
  });

  it('caches per run and recomputes when the model or the anchor record changes', () => {
    const cache = new TheoryCache();
    const m = model({});
    const a = cache.get('run0', m, measured, 0.5);
    expect(cache.get('run0', m, measured, 0.5)).toBe(a);
    expect(cache.get('run0', m, measured.map((v) => 2 * v), 0.5)!.profile[0]).toBeCloseTo(2 * a!.profile[0]!, 12);
    expect(cache.get('run0', { ...m, gain: 2 }, measured, 0.5)!.chi).toBeCloseTo(4, 9);
  });
});

describe('depth sweep input', () => {
  it('parses comma-separated depths (sorted, distinct) and names a bad entry', () => {
    expect(parseDepths('10, 1,2,2,50')).toEqual([1, 2, 10, 50]);
    expect(parseDepths('1,x')).toBe(`depths: "x" is not allowed; expected whole numbers from 1 to ${LAB_LIMITS.maxDepth}, comma-separated, at most ${MAX_SWEEP_DEPTHS}`);
    expect(parseDepths('0')).toMatch(/^depths: "0" is not allowed/);
    expect(parseDepths('201')).toMatch(/"201"/);
    expect(parseDepths('1.5')).toMatch(/"1.5"/);
    expect(parseDepths(' ')).toMatch(/nothing given/);
    expect(parseDepths(Array.from({ length: 13 }, (_, i) => i + 1).join(','))).toMatch(/13 depths is too many/);
  });
});

describe('thinRecords', () => {
  it('keeps the first, the last and every other record in between', () => {
    const steps = Array.from({ length: MAX_RECORDS + 1 }, (_, i) => i * 10);
    const thin = thinRecords(steps);
    expect(thin.length).toBe(MAX_RECORDS / 2 + 1);
    expect(thin[0]).toBe(0);
    expect(thin.at(-1)).toBe(MAX_RECORDS * 10);
    expect(thin.every((s, i) => i === 0 || s - thin[i - 1]! === 20)).toBe(true);
    const odd = thinRecords([1, 2, 3, 4]);
    expect(odd).toEqual([1, 3, 4]);
  });
});

describe('recordCap', () => {
  it('keeps MAX_RECORDS for shallow nets and bounds the numbers kept for deep ones', () => {
    expect(recordCap(2)).toBe(MAX_RECORDS);
    expect(recordCap(21)).toBe(MAX_RECORDS);
    expect(recordCap(51)).toBe(Math.floor(1_000_000 / (8 * 51)));
    expect(recordCap(201) * 8 * 201).toBeLessThanOrEqual(1_000_000);
    expect(recordCap(100_000)).toBe(500);
  });
});

describe('recordsDistributions', () => {
  const ctx = (depth: number, width: number, rows: number, batch = 0) =>
    ({ lab: { ...defaultLab(), depth, width, batch }, data: { n: rows } }) as unknown as CohortContext;
  it('records the Distributions card for the default lab, not for a 30 × 1024 network on 400 rows', () => {
    expect(recordsDistributions(ctx(20, 32, 200))).toBe(true); // 20 · (2·200·32 + 32²) = 276 480 entries
    expect(recordsDistributions(ctx(30, 1024, 400))).toBe(false);
    // A mini-batch counts its rows, not the data set's: the same net on 100 000 rows in batches of 32.
    expect(recordsDistributions(ctx(20, 32, 100_000, 32))).toBe(true);
    expect(recordsDistributions(ctx(20, 32, 100_000))).toBe(false);
    // The bound itself (one layer of one unit: 2·rows + 1 entries): just under MAX_DISTRIBUTION_ENTRIES is in, over it out.
    const rows = Math.floor((MAX_DISTRIBUTION_ENTRIES - 1) / 2);
    expect(recordsDistributions(ctx(1, 1, rows))).toBe(true);
    expect(recordsDistributions(ctx(1, 1, rows + 1))).toBe(false);
  });
});
