/**
 * The tuner's timer on a real device: a candidate is run once on operands of the product's shape (pipeline
 * compilation, under an error scope so that a candidate the device rejects reads as "cannot run" instead of
 * faulting the backend), then timed over repetitions of enough products to last `targetMs` — GPU time from
 * timestamp queries where the device has them, else wall clock to the end of the queue's work.
 */
import { shape, type MatmulOptions, type Shape, type Tensor } from '../backend.js';
import type { MatmulCandidate, MatmulProblem } from './matmul-candidates.js';
import type { CandidateTimer } from './matmul-tuner.js';

/** What the timer needs of the backend. */
export interface TunerHost {
  readonly device: GPUDevice;
  tensors(shapes: readonly Shape[]): Tensor[];
  write(t: Tensor, data: ArrayLike<number>): void;
  dispose(t: Tensor): void;
  /** Record the product as `candidate`. */
  matmulAs(candidate: MatmulCandidate, a: Tensor, b: Tensor, out: Tensor, opts: MatmulOptions): void;
  /** Submit recorded work. */
  flush(): void;
  /** Wait for submitted work (without tuning anything itself). */
  finish(): Promise<void>;
  /** GPU milliseconds of the work `record` records, or null without timestamp queries. */
  timeGpu(record: () => void): Promise<number | null>;
}

/** Options of the device timer. */
export interface DeviceTimerOptions {
  /** Each timed repetition runs about this long (ms; default 4). */
  readonly targetMs?: number;
  readonly reps?: number;
  readonly maxCalls?: number;
  /** Wall clock (default performance.now). */
  readonly now?: () => number;
}

/** Stored operand shapes of a problem (batch entries of A and B as the product's). */
export function operandShapes(p: MatmulProblem): [Shape, Shape, Shape] {
  const a = p.transA ? shape(p.batch, p.k, p.m) : shape(p.batch, p.m, p.k);
  const b = p.transB ? shape(p.batch, p.n, p.k) : shape(p.batch, p.k, p.n);
  return [a, b, shape(p.batch, p.m, p.n)];
}

/** A CandidateTimer measuring on `host`'s device. */
export function deviceTimer(host: TunerHost, opts: DeviceTimerOptions = {}): CandidateTimer {
  const now = opts.now ?? (() => performance.now());
  const targetMs = opts.targetMs ?? 4;
  const reps = Math.max(1, opts.reps ?? 3);
  const maxCalls = opts.maxCalls ?? 256;
  return async (c, p) => {
    const shapes = operandShapes(p);
    const [a, b, out] = host.tensors(shapes) as [Tensor, Tensor, Tensor];
    const mm = { transA: p.transA, transB: p.transB };
    const run = (count: number) => {
      for (let i = 0; i < count; i++) host.matmulAs(c, a, b, out, mm);
    };
    const wall = async (count: number): Promise<number> => {
      const t0 = now();
      run(count);
      host.flush();
      await host.finish();
      return now() - t0;
    };
    try {
      for (const [t, s] of [[a, shapes[0]], [b, shapes[1]]] as const) {
        host.write(t, Float32Array.from({ length: s.batch * s.rows * s.cols }, (_, i) => ((i * 7919) % 17) / 8 - 1));
      }
      host.device.pushErrorScope('validation');
      host.device.pushErrorScope('internal');
      run(1);
      host.flush();
      const errors = [await host.device.popErrorScope(), await host.device.popErrorScope()];
      await host.finish();
      if (errors.some((e) => e !== null)) return null;
      const calls = Math.max(1, Math.min(maxCalls, Math.ceil(targetMs / Math.max(await wall(1), 1e-3))));
      const per: number[] = [];
      for (let r = 0; r < reps; r++) {
        const gpu = await host.timeGpu(() => run(calls));
        per.push((gpu !== null && gpu > 0 ? gpu : await wall(calls)) / calls);
      }
      per.sort((x, y) => x - y);
      return per[per.length >> 1]!;
    } finally {
      for (const t of [a, b, out]) host.dispose(t);
    }
  };
}
