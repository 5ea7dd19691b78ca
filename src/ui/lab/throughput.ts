/**
 * Training throughput of the lab, measured over windows of wall-clock time while playing (idle time between
 * frames included, so the figures are what the user gets): steps/s of each run, samples/s over all runs,
 * and GFLOP/s = Σ trainer.flopsPerStep × steps/s.
 */

/** Throughput over one window. */
export interface ThroughputSample {
  /** End of the window, ms on the throughput's clock. */
  readonly at: number;
  readonly stepsPerSec: number;
  readonly samplesPerSec: number;
  readonly gflops: number;
}

/** What a stepped trainer contributes per step. */
export interface SteppedCohort {
  readonly trainer: { readonly rowsPerStep: number; readonly members: number; readonly flopsPerStep: number };
}

/** Window length, ms. */
export const THROUGHPUT_WINDOW_MS = 500;
/** Samples kept for the chart. */
export const THROUGHPUT_HISTORY = 240;

/** Accumulates steps into windowed rates. */
export class Throughput {
  readonly history: ThroughputSample[] = [];
  private start = 0;
  private steps = 0;
  private samples = 0;
  private flops = 0;

  /** `now`: the clock windows are measured on, in milliseconds. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The latest window's rates, or null before the first. */
  get latest(): ThroughputSample | null {
    return this.history[this.history.length - 1] ?? null;
  }

  /** Start a new window now (on play). */
  resume(now = this.now()): void {
    this.start = now;
    this.steps = this.samples = this.flops = 0;
  }

  /** Forget everything (on reset). */
  clear(): void {
    this.history.length = 0;
    this.resume();
  }

  /** Count `steps` steps of each of `cohorts`; closes the window when it is long enough. */
  add(steps: number, cohorts: readonly SteppedCohort[], now: number): void {
    this.steps += steps;
    for (const c of cohorts) {
      this.samples += steps * c.trainer.rowsPerStep * c.trainer.members;
      this.flops += steps * c.trainer.flopsPerStep;
    }
    const dt = (now - this.start) / 1000;
    if (now - this.start < THROUGHPUT_WINDOW_MS || dt <= 0) return;
    this.history.push({ at: now, stepsPerSec: this.steps / dt, samplesPerSec: this.samples / dt, gflops: this.flops / dt / 1e9 });
    if (this.history.length > THROUGHPUT_HISTORY) this.history.shift();
    this.resume(now);
  }
}
