/**
 * The timing loop every benchmark shares: a first call (shader/pipeline compilation, reported apart),
 * untimed calls that size the repetitions (×4 until a batch lasts half the target, then once more at the chosen
 * size), then timed repetitions, each ending with the backend's work finished. Between repetitions it checks for cancellation and lets the
 * caller yield to the event loop.
 */
import { timingStats, type TimingStats } from './stats.js';

/** Thrown when a benchmark is cancelled through its AbortSignal. */
export class BenchCancelled extends Error {
  constructor() {
    super('benchmark cancelled');
    this.name = 'BenchCancelled';
  }
}

/** How to repeat a measurement. */
export interface RepOptions {
  /** Timed repetitions (at least 1; the CLI asks for at least 5). */
  readonly reps: number;
  /** Each repetition runs enough calls to last about this long (ms); 0: one call per repetition. */
  readonly minRepMs?: number;
  /** At most this many calls in one repetition. */
  readonly maxCallsPerRep?: number;
  /** Stops the run between repetitions (throws BenchCancelled). */
  readonly signal?: AbortSignal;
  /** Awaited between repetitions (a page yields to the event loop here). */
  readonly pause?: () => Promise<void>;
  /** The clock, in ms (default performance.now); tests pass a fake one. */
  readonly now?: () => number;
}

/** Timings of one measured operation. */
export interface RepTimings extends TimingStats {
  /** The first call, including pipeline compilation. */
  readonly warmupMs: number;
  /** Calls per timed repetition; stats are per call. */
  readonly callsPerRep: number;
}

/** Throw BenchCancelled when the signal has fired. */
export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BenchCancelled();
}

/** Calls per repetition so that one repetition lasts about minRepMs, given one call's time. */
export function callsPerRep(oneCallMs: number, minRepMs: number, maxCalls: number): number {
  if (!(minRepMs > 0) || !(oneCallMs > 0)) return 1;
  return Math.max(1, Math.min(maxCalls, Math.ceil(minRepMs / oneCallMs)));
}

/**
 * The first sizing of a repetition: ×4 more calls (from one) until a batch lasts half of `opts.minRepMs` or reaches
 * `opts.maxCallsPerRep`; returns the last batch's count and time with the target and the cap.
 */
async function sizeBatch(
  clock: (count: number) => Promise<number>,
  opts: RepOptions,
): Promise<{ target: number; maxCalls: number; count: number; ms: number }> {
  const target = opts.minRepMs ?? 0;
  const maxCalls = opts.maxCallsPerRep ?? 100_000;
  let count = 1;
  let ms = await clock(count);
  while (Number.isFinite(target) && ms < target / 2 && count < maxCalls) {
    await opts.pause?.();
    checkCancelled(opts.signal);
    count = Math.min(maxCalls, count * 4);
    ms = await clock(count);
  }
  return { target, maxCalls, count, ms };
}

/**
 * Time `run(count)`, which must do `count` calls and resolve once the backend has finished them; returns the
 * per-call median, min and max of the timed repetitions and the warm-up time. `afterWarmup` runs (untimed)
 * right after the first call, e.g. to read the result of a computation from the initial state.
 */
export async function timeReps(run: (count: number) => Promise<void>, opts: RepOptions, afterWarmup?: () => Promise<void>): Promise<RepTimings> {
  const now = opts.now ?? (() => performance.now());
  const clock = async (count: number): Promise<number> => {
    const t0 = now();
    await run(count);
    return now() - t0;
  };
  checkCancelled(opts.signal);
  const warmupMs = await clock(1);
  await afterWarmup?.();
  await opts.pause?.();
  checkCancelled(opts.signal);
  // Size the repetitions (and finish warming a JIT).
  const { target, maxCalls, count, ms } = await sizeBatch(clock, opts);
  let calls = callsPerRep(ms / count, target, maxCalls);
  // Once more at the chosen size: the first batches ran while a JIT was still compiling the step, which
  // overstates a small operation's time and would leave the repetitions far shorter than the target.
  // The pass can only raise the count: a pass slowed by something else on the machine (another process, a
  // collection) would otherwise shrink every repetition far below the target, and short repetitions of a
  // microsecond step measure their own start-up and the machine's noise (XOR: 185 calls of a 200 ms target).
  if (calls > count) {
    await opts.pause?.();
    checkCancelled(opts.signal);
    calls = Math.max(calls, callsPerRep((await clock(calls)) / calls, target, maxCalls));
  }
  const times: number[] = [];
  for (let r = 0; r < Math.max(1, opts.reps); r++) {
    await opts.pause?.();
    checkCancelled(opts.signal);
    times.push((await clock(calls)) / calls);
  }
  return { warmupMs, callsPerRep: calls, ...timingStats(times) };
}

/** Timings of two runs measured side by side (timeRepsPaired). */
export interface PairedTimings {
  readonly a: RepTimings;
  readonly b: RepTimings;
}

/**
 * Time two runs side by side: both warmed up, the same calls per repetition for both (sized on the slower, as
 * timeReps sizes one), then the repetitions alternate — a then b, b then a — so that what drifts on a shared
 * machine (another process, a clock change, a collection) falls on both alike. For an A/B figure such as the
 * extra share of a step an option costs, which two separate timings would confound with the machine's noise.
 */
export async function timeRepsPaired(
  a: (count: number) => Promise<void>,
  b: (count: number) => Promise<void>,
  opts: RepOptions,
  afterWarmup?: () => Promise<void>,
): Promise<PairedTimings> {
  const now = opts.now ?? (() => performance.now());
  const clock = async (run: (count: number) => Promise<void>, count: number): Promise<number> => {
    const t0 = now();
    await run(count);
    return now() - t0;
  };
  checkCancelled(opts.signal);
  const warmA = await clock(a, 1);
  const warmB = await clock(b, 1);
  await afterWarmup?.();
  await opts.pause?.();
  checkCancelled(opts.signal);
  const { target, maxCalls, count, ms } = await sizeBatch(async (n) => Math.max(await clock(a, n), await clock(b, n)), opts);
  const calls = callsPerRep(ms / count, target, maxCalls);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < Math.max(1, opts.reps); r++) {
    await opts.pause?.();
    checkCancelled(opts.signal);
    if (r % 2 === 0) {
      ta.push((await clock(a, calls)) / calls);
      tb.push((await clock(b, calls)) / calls);
    } else {
      tb.push((await clock(b, calls)) / calls);
      ta.push((await clock(a, calls)) / calls);
    }
  }
  return { a: { warmupMs: warmA, callsPerRep: calls, ...timingStats(ta) }, b: { warmupMs: warmB, callsPerRep: calls, ...timingStats(tb) } };
}
