// The network view's pure parts: which layers and units are drawn (folding, sampling, "+N more"), where, and what a
// click hits; and the lab adapter that turns a parameter read into inspections — all rows when the batch is the full
// data set and small enough (exact), an evenly spread subsample otherwise (said so), no read at all above the
// parameter limit, and runs it cannot draw (batch norm) named with the reason.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/core/datasets.js';
import { initParameters } from '../../src/core/init.js';
import { builtinShape, defaultLab, modelSpec, type LabSpec } from '../../src/core/lab-spec.js';
import { drawnUnits, hitUnit, MAX_UNITS, networkColumns, placeColumns } from '../../src/ui/charts/network-layout.js';
import { inspectSource, MAX_INSPECT_MACS, type ParameterRead } from '../../src/ui/lab/inspect-source.js';

describe('network layout', () => {
  it('draws narrow layers whole and wide ones as an even sample with the rest counted', () => {
    expect(drawnUnits(16)).toEqual({ units: Array.from({ length: 16 }, (_, i) => i), more: 0 });
    const wide = drawnUnits(256);
    expect(wide.units.length).toBe(MAX_UNITS - 1);
    expect(wide.units[0]).toBe(0);
    expect(wide.units[wide.units.length - 1]).toBe(255);
    expect(wide.more).toBe(256 - (MAX_UNITS - 1));
    expect(new Set(wide.units).size).toBe(wide.units.length);
  });

  it('folds the middle of a deep stack into one band, and unfolds it on request', () => {
    const sizes = [2, ...Array<number>(20).fill(32), 1];
    const folded = networkColumns(sizes, false);
    expect(folded.map((c) => (c.kind === 'band' ? `band ${c.from}-${c.to}` : c.layer))).toEqual([0, 1, 2, 'band 3-18', 19, 20, 21]);
    expect(networkColumns(sizes, true).length).toBe(22);
    expect(networkColumns([2, 8, 8, 1], false).every((c) => c.kind === 'layer')).toBe(true);
  });

  it('places units inside the box and finds the one clicked', () => {
    const cols = networkColumns([2, 4, 1], false);
    const { x, units } = placeColumns(cols, 10, 310, 20, 220);
    expect(x).toEqual([10, 160, 310]);
    expect(units.length).toBe(7);
    for (const u of units) expect(u.y > 20 && u.y < 220).toBe(true);
    const target = units.find((u) => u.layer === 1 && u.unit === 2)!;
    expect(hitUnit(units, target.x + 3, target.y - 2, 8)).toEqual(target);
    expect(hitUnit(units, target.x + 40, target.y, 8)).toBeNull();
  });
});

describe('inspect source', () => {
  const lab = (over: Partial<LabSpec>): LabSpec => ({ ...defaultLab(), ...over });
  const context = (l: LabSpec) => {
    const shape = builtinShape(l);
    const data = makeDataset({ dataset: l.dataset, samples: l.samples, noise: l.noise, inputDim: shape.inputDim, outputDim: shape.outputDim, seed: l.dataSeed });
    return { lab: l, data, shape, runs: l.runs.map((spec, i) => ({ id: `run${i}`, spec })) };
  };
  const reader = (l: LabSpec, counter: { n: number }) => async (): Promise<ParameterRead[]> => {
    counter.n++;
    const ctx = context(l);
    return ctx.runs.map((r) => ({ id: r.id, step: 7, params: initParameters(modelSpec(l, r.spec, ctx.shape)) }));
  };

  it('traces the full batch exactly when it is small enough', async () => {
    const l = lab({ depth: 3, width: 8, samples: 50, batch: 0 });
    const reads = { n: 0 };
    const ins = await inspectSource(reader(l, reads), () => context(l))();
    expect(reads.n).toBe(1);
    expect(ins.map((i) => [i.id, i.step, i.exact, i.trace?.rows])).toEqual([['run0', 7, true, 50], ['run1', 7, true, 50]]);
    expect(ins[0]!.batch).toBe('the full batch of 50 rows, as training uses');
  });

  it('subsamples rows for mini-batches and for wide networks, and says so', async () => {
    const mini = lab({ depth: 2, width: 8, samples: 50, batch: 10 });
    const [a] = await inspectSource(reader(mini, { n: 0 }), () => context(mini))();
    expect(a!.exact).toBe(false);
    expect(a!.trace!.rows).toBe(10);
    expect(a!.batch).toMatch(/10 of the 50 rows, evenly spread \(training draws shuffled mini-batches of 10/);
    const wide = lab({ depth: 4, width: 512, samples: 200, batch: 0 });
    const [b] = await inspectSource(reader(wide, { n: 0 }), () => context(wide))();
    const macs = 2 * 512 + 3 * 512 * 512 + 512;
    expect(b!.trace!.rows).toBe(Math.floor(MAX_INSPECT_MACS / macs));
    expect(b!.batch).toMatch(/^\d+ of the 200 rows \(evenly spread; training uses all 200/);
  });

  it('traces the exact next batch when the reader sends its rows', async () => {
    const mini = lab({ depth: 2, width: 8, samples: 50, batch: 10 });
    const rows = Uint32Array.from([3, 17, 42, 8, 0, 49, 21, 5, 11, 30]);
    const read = async () => (await reader(mini, { n: 0 })()).map((r) => ({ ...r, batchRows: rows }));
    const [a] = await inspectSource(read, () => context(mini))();
    expect(a!.exact).toBe(true);
    expect(a!.batch).toBe("the trainer's next batch of 10 rows");
    const data = context(mini).data;
    expect(Array.from(a!.trace!.x.subarray(2, 4))).toEqual(Array.from(data.x.subarray(2 * 17, 2 * 17 + 2)));
  });

  it('reads nothing above the parameter limit, and names runs it cannot draw', async () => {
    const big = lab({ depth: 10, width: 1024 });
    const reads = { n: 0 };
    const ins = await inspectSource(reader(big, reads), () => context(big))();
    expect(reads.n).toBe(0);
    expect(ins[0]!.reason).toMatch(/parameters per run: the view reads back at most 2,000,000/);
    const base = lab({ depth: 2, width: 4, samples: 20 });
    const normed: LabSpec = { ...base, runs: [{ ...base.runs[0]!, norm: 'batch' }] };
    const [n] = await inspectSource(async () => [], () => context(normed))();
    expect(n!.trace).toBeNull();
    expect(n!.reason).toMatch(/^batch normalisation is not drawn unit by unit/);
    const [m] = await inspectSource(async () => [], () => context(base))();
    expect(m!.reason).toBe('no parameters read back yet');
  });
});
