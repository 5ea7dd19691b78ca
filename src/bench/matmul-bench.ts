/**
 * Matmul benchmark on any backend: op(A)·op(B) for square sizes and for a layer's backprop shapes, with a
 * warm-up that covers pipeline compilation (reported apart) and timed repetitions that end with the backend's
 * work finished (flush + sync). The product is then read back and checked against f64 on sampled entries.
 */
import type { Backend, Tensor } from '../backend/backend.js';
import { shape } from '../backend/backend.js';
import { NumpyRandom } from '../core/rng.js';
import type { Agreement } from './agreement.js';
import { matmulFlops, operandDims, squareShape, type MatmulShape, type MatmulVariant } from './shapes.js';
import { checkCancelled, timeReps, type RepOptions, type RepTimings } from './timing.js';

export type { MatmulVariant } from './shapes.js';

/** One benchmark point: one product on one backend. */
export interface MatmulPoint extends RepTimings {
  readonly suite: 'matmul';
  /** Identifies the product across backends ("matmul AB 256x256x256"). */
  readonly key: string;
  readonly label: string;
  /** BackendInfo.description of the backend that ran it. */
  readonly backend: string;
  readonly backendKind: 'cpu' | 'webgpu';
  readonly m: number;
  readonly k: number;
  /** Columns of the product (the size of a square product). */
  readonly n: number;
  readonly variant: MatmulVariant;
  /** Square size, or null for a layer shape. */
  readonly square: number | null;
  readonly flops: number;
  /** Median GFLOP/s. */
  readonly gflops: number;
  /** Samples (batch rows) per second at the median. */
  readonly samplesPerSecond: number;
  /** Max |C − C_ref| against an f64 reference on 64 sampled entries. */
  readonly maxAbsError: number;
  /** Agreement of C with the other backend (set by the suite runner). */
  readonly agreement?: Agreement;
  /**
   * Median GPU time per product from timestamp queries (one query pair around each repetition's products), and
   * GFLOP/s at it; null where the backend has no GPU timestamps. Dawn quantises timestamps to 100 µs, under 1% of
   * a repetition of at least 20 ms.
   */
  readonly gpuMedianMs: number | null;
  readonly gpuGflops: number | null;
}

/** A backend that can time recorded work with GPU timestamps (the WebGPU backend). */
interface GpuTimed {
  timeGpu(record: () => void): Promise<number | null>;
}

function isGpuTimed(b: object): b is GpuTimed {
  return typeof (b as Partial<GpuTimed>).timeGpu === 'function';
}

/** Options of a matmul run. */
export type MatmulBenchOptions = RepOptions;

/** The point's key: the same product on every backend. */
export function matmulKey(s: MatmulShape): string {
  return `matmul ${s.variant} ${s.m}x${s.k}x${s.n}`;
}

/** Deterministic operands of a product (seeded by its dimensions, so every backend multiplies the same). */
export function matmulOperands(s: MatmulShape): { a: Float64Array; b: Float64Array } {
  const rng = new NumpyRandom((Math.imul(s.m, 73856093) ^ Math.imul(s.k, 19349663) ^ Math.imul(s.n, 83492791)) >>> 0);
  return { a: rng.randn(s.m * s.k), b: rng.randn(s.k * s.n) };
}

/** Max |C − C_ref| on 64 entries spread over C, C_ref computed in f64 from the operands. */
export function sampledError(s: MatmulShape, a: Float64Array, b: Float64Array, c: Float64Array): number {
  const { a: ad, b: bd } = operandDims(s);
  const at = (i: number, k: number) => (s.variant === 'AtB' ? a[k * ad[1] + i]! : a[i * ad[1] + k]!);
  const bt = (k: number, j: number) => (s.variant === 'ABt' ? b[j * bd[1] + k]! : b[k * bd[1] + j]!);
  let err = 0;
  for (let t = 0; t < 64; t++) {
    const i = (t * 7919) % s.m;
    const j = (t * 104729 + 3) % s.n;
    let ref = 0;
    for (let k = 0; k < s.k; k++) ref += at(i, k) * bt(k, j);
    err = Math.max(err, Math.abs(c[i * s.n + j]! - ref));
  }
  return err;
}

/** Tensors of one product on a backend, filled with the product's operands. */
function allocate(backend: Backend, s: MatmulShape, a: Float64Array, b: Float64Array): Tensor[] {
  const { a: ad, b: bd } = operandDims(s);
  return [backend.tensor(shape(1, ad[0], ad[1]), a), backend.tensor(shape(1, bd[0], bd[1]), b), backend.tensor(shape(1, s.m, s.n))];
}

/** Compute one product on a backend (untimed) and read it back: the reference of an agreement check. */
export async function computeMatmul(backend: Backend, s: MatmulShape): Promise<Float64Array> {
  const { a, b } = matmulOperands(s);
  const [A, B, C] = allocate(backend, s, a, b);
  backend.matmul(A!, B!, C!, { transA: s.variant === 'AtB', transB: s.variant === 'ABt' });
  backend.flush();
  const c = await backend.read(C!);
  for (const t of [A!, B!, C!]) backend.dispose(t);
  return c;
}

/** Time one product on a backend; returns the point and the product C (for the agreement check). */
export async function benchMatmulShape(backend: Backend, s: MatmulShape, opts: MatmulBenchOptions): Promise<{ point: MatmulPoint; output: Float64Array }> {
  const { a, b } = matmulOperands(s);
  const [A, B, C] = allocate(backend, s, a, b);
  const mm = { transA: s.variant === 'AtB', transB: s.variant === 'ABt' };
  try {
    await backend.sync();
    const timings = await timeReps(async (count) => {
      for (let i = 0; i < count; i++) backend.matmul(A!, B!, C!, mm);
      backend.flush();
      await backend.sync();
    }, opts);
    const gpuMedianMs = await gpuTimes(backend, () => backend.matmul(A!, B!, C!, mm), timings.callsPerRep, opts);
    const output = await backend.read(C!);
    const flops = matmulFlops(s);
    const seconds = timings.medianMs / 1000;
    const point: MatmulPoint = {
      suite: 'matmul',
      key: matmulKey(s),
      label: s.label,
      backend: backend.info.description,
      backendKind: backend.info.kind,
      m: s.m,
      k: s.k,
      n: s.n,
      variant: s.variant,
      square: s.square,
      ...timings,
      flops,
      gflops: flops / seconds / 1e9,
      samplesPerSecond: s.samples / seconds,
      maxAbsError: sampledError(s, a, b, output),
      gpuMedianMs,
      gpuGflops: gpuMedianMs ? flops / (gpuMedianMs / 1000) / 1e9 : null,
    };
    return { point, output };
  } finally {
    for (const t of [A!, B!, C!]) backend.dispose(t);
  }
}

/**
 * Median GPU milliseconds per call of `op` from timestamp queries, over as many repetitions of `calls` calls as
 * the wall-clock timing had; null where the backend has no GPU timestamps.
 */
export async function gpuTimes(backend: Backend, op: () => void, calls: number, opts: RepOptions): Promise<number | null> {
  if (!isGpuTimed(backend)) return null;
  const per: number[] = [];
  for (let r = 0; r < Math.max(1, opts.reps); r++) {
    await opts.pause?.();
    checkCancelled(opts.signal);
    const ms = await backend.timeGpu(() => {
      for (let i = 0; i < calls; i++) op();
    });
    if (ms === null) return null;
    per.push(ms / calls);
  }
  per.sort((x, y) => x - y);
  return per[Math.floor(per.length / 2)]!;
}

/** Time one square product n×n·n×n on a backend. */
export async function benchMatmul(backend: Backend, n: number, variant: MatmulVariant, opts: MatmulBenchOptions): Promise<MatmulPoint> {
  return (await benchMatmulShape(backend, squareShape(n, variant), opts)).point;
}
