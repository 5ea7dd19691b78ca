/**
 * Matmul benchmark on any backend: C = A·B (and the backprop shapes) for square sizes, with a warm-up that
 * covers pipeline compilation (reported apart) and timed repetitions that wait for the work to finish.
 */
import type { Backend } from '../backend/backend.js';
import { shape } from '../backend/backend.js';
import { NumpyRandom } from '../core/rng.js';
import { timingStats, type TimingStats } from './stats.js';

/** Which product: plain, or with the left or right operand transposed (backprop's Xᵀ·δ and δ·Wᵀ). */
export type MatmulVariant = 'AB' | 'AtB' | 'ABt';

/** One benchmark point. */
export interface MatmulPoint extends TimingStats {
  readonly backend: string;
  readonly n: number;
  readonly variant: MatmulVariant;
  /** First call, including shader/pipeline compilation. */
  readonly warmupMs: number;
  readonly gflops: number;
  /** Max |C − C_ref| against an f64 reference on a sample of entries. */
  readonly maxAbsError: number;
}

/** Options of a matmul run. */
export interface MatmulBenchOptions {
  readonly reps: number;
  /** Stop adding repetitions after this much time (ms), once `reps` are done. */
  readonly budgetMs?: number;
}

/** Time one square product on a backend. */
export async function benchMatmul(backend: Backend, n: number, variant: MatmulVariant, opts: MatmulBenchOptions): Promise<MatmulPoint> {
  const rng = new NumpyRandom(n);
  const a = rng.randn(n * n);
  const b = rng.randn(n * n);
  const A = backend.tensor(shape(1, n, n), a);
  const B = backend.tensor(shape(1, n, n), b);
  const C = backend.tensor(shape(1, n, n));
  const mm = { transA: variant === 'AtB', transB: variant === 'ABt' };
  const once = async () => {
    const t0 = performance.now();
    backend.matmul(A, B, C, mm);
    backend.flush();
    await backend.sync();
    return performance.now() - t0;
  };
  const warmupMs = await once();
  const times: number[] = [];
  const budget = opts.budgetMs ?? 0;
  const start = performance.now();
  while (times.length < opts.reps || (performance.now() - start < budget && times.length < 50)) times.push(await once());
  const c = await backend.read(C);
  let maxAbsError = 0;
  const at = (m: Float64Array, i: number, j: number, t: boolean) => (t ? m[j * n + i]! : m[i * n + j]!);
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % n;
    const j = (s * 104729 + 3) % n;
    let ref = 0;
    for (let k = 0; k < n; k++) ref += at(a, i, k, mm.transA) * at(b, k, j, mm.transB);
    maxAbsError = Math.max(maxAbsError, Math.abs(c[i * n + j]! - ref));
  }
  for (const t of [A, B, C]) backend.dispose(t);
  const stats = timingStats(times);
  return { backend: backend.info.description, n, variant, warmupMs, ...stats, gflops: (2 * n ** 3) / (stats.medianMs * 1e6), maxAbsError };
}
