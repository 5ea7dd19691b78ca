/**
 * GPU/CPU speed-up and its crossover: the size from which the GPU is faster, found by interpolating, on log
 * axes, where the speed-up ratio crosses 1.
 */

/** A rate (GFLOP/s, steps/s) at a size. */
export interface RateAt {
  readonly x: number;
  readonly rate: number;
  /** What identifies the same measurement on both backends (default: x). */
  readonly key?: string;
}

/** The speed-up at a size measured on both backends. */
export interface Speedup {
  readonly x: number;
  readonly cpu: number;
  readonly gpu: number;
  /** gpu / cpu: above 1 the GPU is faster. */
  readonly ratio: number;
}

/** Where the GPU starts to win. */
export interface Crossover {
  /** 'at': the ratio crosses 1 between two sizes (x interpolated); 'gpu-always': the GPU wins from the smallest
   *  size; 'gpu-never': it never wins; 'no-data': fewer than one size measured on both backends. */
  readonly kind: 'at' | 'gpu-always' | 'gpu-never' | 'no-data';
  /** The interpolated size ('at'), the smallest size ('gpu-always'), else null. */
  readonly x: number | null;
  /** The largest speed-up measured (null without data). */
  readonly bestRatio: number | null;
}

/** Speed-ups at the sizes measured on both backends (positive, finite rates only), by increasing size. */
export function speedups(cpu: readonly RateAt[], gpu: readonly RateAt[]): Speedup[] {
  const ok = (r: RateAt) => Number.isFinite(r.rate) && r.rate > 0 && Number.isFinite(r.x) && r.x > 0;
  const id = (r: RateAt) => r.key ?? String(r.x);
  const g = new Map(gpu.filter(ok).map((r) => [id(r), r.rate]));
  const out: Speedup[] = [];
  for (const c of cpu.filter(ok)) {
    const gr = g.get(id(c));
    if (gr !== undefined) out.push({ x: c.x, cpu: c.rate, gpu: gr, ratio: gr / c.rate });
  }
  return out.sort((a, b) => a.x - b.x);
}

/**
 * The first size at which the speed-up ratio rises through 1: between sizes x₀ (ratio r₀ < 1) and x₁
 * (r₁ ≥ 1), log x is interpolated linearly in log r, so x = x₀·(x₁/x₀)^(−log r₀ / (log r₁ − log r₀)).
 */
export function crossover(points: readonly Speedup[]): Crossover {
  const pts = points.filter((p) => p.x > 0 && p.ratio > 0 && Number.isFinite(p.ratio)).sort((a, b) => a.x - b.x);
  if (pts.length === 0) return { kind: 'no-data', x: null, bestRatio: null };
  const bestRatio = Math.max(...pts.map((p) => p.ratio));
  if (pts[0]!.ratio >= 1) return { kind: 'gpu-always', x: pts[0]!.x, bestRatio };
  for (let i = 1; i < pts.length; i++) {
    const p0 = pts[i - 1]!;
    const p1 = pts[i]!;
    if (p0.ratio < 1 && p1.ratio >= 1) {
      const l0 = Math.log(p0.ratio);
      const l1 = Math.log(p1.ratio);
      const t = l1 === l0 ? 1 : -l0 / (l1 - l0);
      return { kind: 'at', x: Math.exp(Math.log(p0.x) + t * (Math.log(p1.x) - Math.log(p0.x))), bestRatio };
    }
  }
  return { kind: 'gpu-never', x: null, bestRatio };
}

/** One sentence about a crossover: "the GPU is faster from n ≈ 300", "the GPU is slower at every size (best 0.12×)". */
export function describeCrossover(c: Crossover, what = 'n'): string {
  const best = c.bestRatio === null ? '' : ` (best speed-up ${c.bestRatio.toPrecision(2)}×)`;
  switch (c.kind) {
    case 'at':
      return `the GPU is faster from ${what} ≈ ${Math.round(c.x!)}${best}`;
    case 'gpu-always':
      return `the GPU is faster at every size measured, from ${what} = ${c.x}${best}`;
    case 'gpu-never':
      return `the GPU is slower at every size measured${best}`;
    case 'no-data':
      return 'no size was measured on both CPU and GPU';
  }
}
