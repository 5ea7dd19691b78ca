/** Pure chart helpers: log ranges with an underflow floor, palette mapping by decade, ticks, column alignment, clip markers. */
import { describe, expect, it } from 'vitest';
import {
  axisMin, bandTop, decadeTicks, formatDecade, formatLogTick, formatValue, logAxisSplits, logPosition, logRange,
  NAN_INDEX, paletteIndex, toLogValue, toLogValues, ZERO_INDEX,
} from '../../src/ui/charts/log-scale.js';
import { blueOrange, CLASS0_RGB, CLASS1_RGB, viridis, viridisTable } from '../../src/ui/charts/palette.js';
import { alignToSteps, columnSamples, layerTicks, sameSteps, unionSteps } from '../../src/ui/charts/series.js';
import { clipActed, clipNote, clippedSteps } from '../../src/ui/charts/clip-marks.js';

describe('logRange', () => {
  it('spans whole decades around the positive values and puts the floor one decade below', () => {
    const r = logRange([3e-7, 0.02, 4.5]);
    expect(r.lo).toBeCloseTo(1e-7, 20);
    expect(r.hi).toBe(10);
    expect(r.floor).toBeCloseTo(1e-8, 22);
    expect(r.hasZeros).toBe(false);
    expect(axisMin(r)).toBe(r.lo);
  });

  it('flags zeros, ignores NaN/∞, and keeps exact powers of ten inside the range', () => {
    const r = logRange([0, 1e-3, 1e-1, NaN, Infinity, -0]);
    expect(r.hasZeros).toBe(true);
    expect(r.lo).toBeLessThanOrEqual(1e-3);
    expect(r.lo).toBeGreaterThan(1e-4 * 1.5);
    expect(r.hi).toBeGreaterThanOrEqual(1e-1);
    expect(r.hi).toBeLessThan(1.5e-1);
    // The band sits between the axis bottom and half a decade above the floor, below every positive value.
    expect(axisMin(r)).toBeLessThan(r.floor);
    expect(bandTop(r)).toBeGreaterThan(r.floor);
    expect(bandTop(r)).toBeLessThan(r.lo);
  });

  it('keeps hi above lo for a single value and falls back when nothing is positive', () => {
    const one = logRange([1]);
    expect(one.hi).toBeGreaterThan(one.lo);
    const none = logRange([0, 0]);
    expect(none.hasZeros).toBe(true);
    expect(none.floor).toBeCloseTo(none.lo / 10, 15);
    expect(logRange([]).hasZeros).toBe(false);
  });

  it('maps zeros to the floor and non-finite values to gaps', () => {
    expect(toLogValue(0, 1e-9)).toBe(1e-9);
    expect(toLogValue(-1e-30, 1e-9)).toBe(1e-9);
    expect(toLogValue(2e-5, 1e-9)).toBe(2e-5);
    expect(toLogValue(NaN, 1e-9)).toBeNull();
    const out: (number | null)[] = [99, 99, 99, 99, 99];
    expect(toLogValues([1, 0, Infinity], 0.1, out)).toBe(out);
    expect(out).toEqual([1, 0.1, null]);
  });
});

describe('palette mapping by decade', () => {
  it('places decades evenly and clamps outside the range', () => {
    expect(logPosition(1e-6, 1e-8, 1e-4)).toBeCloseTo(0.5, 12);
    expect(logPosition(1e-12, 1e-8, 1e-4)).toBe(0);
    expect(logPosition(1, 1e-8, 1e-4)).toBe(1);
  });

  it('gives each of 4 decades its quarter of a 256-entry palette, zero and NaN their own codes', () => {
    const lo = 1e-8;
    const hi = 1e-4;
    expect(paletteIndex(2e-8, lo, hi, 256)).toBe(Math.floor((Math.log10(2) / 4) * 256));
    expect(paletteIndex(1.0001e-7, lo, hi, 256)).toBe(64);
    expect(paletteIndex(5e-5, lo, hi, 256)).toBe(Math.floor(((3 + Math.log10(5)) / 4) * 256));
    expect(paletteIndex(1e-4, lo, hi, 256)).toBe(255);
    expect(paletteIndex(0, lo, hi, 256)).toBe(ZERO_INDEX);
    expect(paletteIndex(NaN, lo, hi, 256)).toBe(NAN_INDEX);
    expect(paletteIndex(-Infinity, lo, hi, 256)).toBe(NAN_INDEX);
  });

  it('viridis runs from dark purple to yellow and a table matches single lookups', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual([68, 1, 84]);
    const table = viridisTable(5);
    expect(Array.from(table.subarray(6, 9))).toEqual(viridis(0.5));
    // Luminance rises monotonically (readable in greyscale).
    const lum = (c: number[]) => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    for (let i = 1; i <= 20; i++) expect(lum(viridis(i / 20))).toBeGreaterThan(lum(viridis((i - 1) / 20)));
  });

  it('the diverging scale has the class colours at its ends and is near white at 0.5', () => {
    expect(blueOrange(0)).toEqual(CLASS0_RGB);
    expect(blueOrange(1)).toEqual(CLASS1_RGB);
    expect(Math.min(...blueOrange(0.5))).toBeGreaterThan(240);
  });
});

describe('ticks and labels', () => {
  it('lists every decade when few and thins to whole-decade steps when many, keeping the top one', () => {
    expect(decadeTicks(1e-3, 1).map((t) => t.exponent)).toEqual([-3, -2, -1, 0]);
    expect(decadeTicks(1e-3, 1).map((t) => t.position)).toEqual([0, 1 / 3, 2 / 3, 1]);
    const many = decadeTicks(1e-20, 1, 6).map((t) => t.exponent);
    expect(many.length).toBeLessThanOrEqual(6);
    expect(many[many.length - 1]).toBe(0);
    expect(new Set(many.slice(1).map((e, i) => e - many[i]!)).size).toBe(1);
  });

  it('log-axis splits include the floor (labelled 0) below the decades', () => {
    const splits = logAxisSplits(1e-9 / Math.sqrt(10), 1e-2, 10, 1e-9);
    expect(splits[0]).toBe(1e-9);
    expect(splits.slice(1).every((s) => s >= 1e-8 * 0.999)).toBe(true);
    expect(formatLogTick(splits[0]!, 1e-9)).toBe('0');
    expect(formatLogTick(1e-5, 1e-9)).toBe('10⁻⁵');
    expect(logAxisSplits(1e-3, 1, 10, null)).toEqual([1e-3, 1e-2, 1e-1, 1].map((v) => expect.closeTo(v, 15)));
  });

  it('formats decades with superscripts and values with 3 significant digits', () => {
    expect(formatDecade(-12)).toBe('10⁻¹²');
    expect(formatDecade(0)).toBe('1');
    expect(formatValue(0.012345)).toBe('0.0123');
    expect(formatValue(3.456e-9)).toBe('3.46·10⁻⁹');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(NaN)).toBe('NaN');
  });
});

describe('series alignment', () => {
  it('unions steps and puts gaps where a run has no record', () => {
    const x = unionSteps([[0, 10, 20], [0, 5, 10]]);
    expect(x).toEqual([0, 5, 10, 20]);
    expect(alignToSteps(x, [0, 10, 20], [1, 2, 3])).toEqual([1, null, 2, 3]);
    expect(alignToSteps(x, [0, 5, 10], [7, 8, 9])).toEqual([7, 8, 9, null]);
    expect(sameSteps([[0, 1], [0, 1]])).toBe(true);
    expect(sameSteps([[0, 1], [0, 2]])).toBe(false);
  });

  it('samples the last record of each column bucket, always ending at the newest record', () => {
    expect(columnSamples(10, 4)).toEqual([1, 4, 6, 9]);
    expect(columnSamples(3, 100)).toEqual([0, 1, 2]);
    expect(columnSamples(0, 100)).toEqual([]);
  });
});

describe('layer ticks', () => {
  it('labels every layer when there is room and steps by 2, 5, 10 when there is not', () => {
    expect(layerTicks(5, 500)).toEqual([1, 2, 3, 4, 5]);
    expect(layerTicks(21, 21 * 22)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(layerTicks(21, 300)).toEqual([1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(layerTicks(21, 120)).toEqual([1, 5, 10, 15, 20]);
    expect(layerTicks(21, 150)).toEqual([1, 5, 10, 15, 20]);
    expect(layerTicks(100, 100)).toEqual([1, 50, 100]);
  });
});

describe('clip markers', () => {
  it('norm clipping acted where it scaled the gradient (factor < 1), value clipping where it changed entries (> 0)', () => {
    expect([clipActed(1, 'norm'), clipActed(0.999, 'norm'), clipActed(0, 'norm')]).toEqual([false, true, true]);
    expect([clipActed(0, 'value'), clipActed(0.02, 'value'), clipActed(1, 'value')]).toEqual([false, true, true]);
    expect([clipActed(0.5, null), clipActed(0, null)]).toEqual([false, false]);
  });

  it('lists the clipped steps in record order and describes one step', () => {
    const recs = [0, 5, 10, 15].map((step, i) => ({ step, clipFactor: [1, 0.31, 1, 0.002][i]! }));
    expect(clippedSteps(recs, 'norm')).toEqual([5, 15]);
    expect(clippedSteps(recs, null)).toEqual([]);
    expect(clippedSteps(recs.map((r) => ({ ...r, clipFactor: r.clipFactor === 1 ? 0 : r.clipFactor })), 'value')).toEqual([5, 15]);
    expect(clipNote(0.3127, 'norm')).toBe('clipped ×0.31');
    expect(clipNote(0.1234, 'value')).toBe('clipped 12% of entries');
    expect(clipNote(1, 'norm')).toBe('');
  });
});
