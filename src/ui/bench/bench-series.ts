/**
 * Chart data of a benchmark report (pure): GFLOP/s against matmul size per backend, the GPU/CPU speed-up
 * with its crossover, and training steps/s across the grid — columnar, with null where a point is missing.
 */
import { crossover, speedups, type Crossover } from '../../bench/crossover.js';
import type { MatmulPoint } from '../../bench/matmul-bench.js';
import type { BenchPoint } from '../../bench/report.js';
import type { TrainPoint } from '../../bench/train-bench.js';

/** One line of a chart. */
export interface ChartLine {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

/** A chart's columns: x values, lines, and an optional marked x (the crossover). */
export interface ChartData {
  readonly xs: readonly number[];
  readonly lines: readonly ChartLine[];
  /** Tick labels for an index x axis (one per x), or null for a numeric axis. */
  readonly xTicks: readonly string[] | null;
  /** A vertical marker and its caption. */
  readonly marker: { readonly x: number; readonly label: string } | null;
}

/** Okabe–Ito colours by backend kind; further backends of a kind get the next colours. */
const COLORS = { cpu: ['#0072b2', '#56b4e9', '#009e73'], webgpu: ['#d55e00', '#e69f00', '#cc79a7'] } as const;

function lines<P extends BenchPoint>(points: readonly P[], xs: readonly number[], xOf: (p: P) => number, yOf: (p: P) => number): ChartLine[] {
  const backends = [...new Map(points.map((p) => [p.backend, p.backendKind])).entries()];
  const used = { cpu: 0, webgpu: 0 };
  return backends.map(([name, kind]) => {
    const palette = COLORS[kind];
    const color = palette[used[kind]++ % palette.length]!;
    const at = new Map(points.filter((p) => p.backend === name).map((p) => [xOf(p), yOf(p)]));
    return { label: name, color, values: xs.map((x) => at.get(x) ?? null) };
  });
}

/** Square AB matmul points. */
function squares(points: readonly BenchPoint[]): MatmulPoint[] {
  return points.filter((p): p is MatmulPoint => p.suite === 'matmul' && p.square !== null && p.variant === 'AB');
}

/** GFLOP/s against n, one line per backend. */
export function gflopsChart(points: readonly BenchPoint[]): ChartData {
  const sq = squares(points);
  const xs = [...new Set(sq.map((p) => p.square!))].sort((a, b) => a - b);
  return { xs, lines: lines(sq, xs, (p) => p.square!, (p) => p.gflops), xTicks: null, marker: null };
}

/** The speed-up of the GPU over the CPU against n, with the crossover marked. */
export function speedupChart(points: readonly BenchPoint[]): ChartData & { readonly crossover: Crossover } {
  const sq = squares(points);
  const at = (kind: string) => sq.filter((p) => p.backendKind === kind).map((p) => ({ x: p.square!, rate: p.gflops }));
  const sp = speedups(at('cpu'), at('webgpu'));
  const c = crossover(sp);
  const marker = c.kind === 'at' || c.kind === 'gpu-always' ? { x: c.x!, label: `GPU faster from n ≈ ${Math.round(c.x!)}` } : null;
  return {
    xs: sp.map((s) => s.x),
    lines: [{ label: 'GPU / CPU speed-up', color: '#009e73', values: sp.map((s) => s.ratio) }],
    xTicks: null,
    marker,
    crossover: c,
  };
}

/** Training steps/s at each grid point (x = point index, ticks "d2 w32 b64"), one line per backend. */
export function trainChart(points: readonly BenchPoint[]): ChartData {
  const tr = points.filter((p): p is TrainPoint => p.suite !== 'matmul');
  const keys = [...new Set(tr.map((p) => p.key))];
  const first = new Map<string, TrainPoint>();
  for (const p of tr) if (!first.has(p.key)) first.set(p.key, p);
  const xs = keys.map((_, i) => i);
  const index = new Map(keys.map((k, i) => [k, i]));
  const xTicks = keys.map((k) => {
    const p = first.get(k)!;
    return p.suite === 'workload' ? `digits b${p.batch}` : `d${p.depth} w${p.width} b${p.batch}`;
  });
  return { xs, lines: lines(tr, xs, (p) => index.get(p.key)!, (p) => p.stepsPerSecond), xTicks, marker: null };
}
