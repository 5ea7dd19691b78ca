/**
 * Run an action at most once per interval, the last request never lost: a request inside the interval is
 * carried out when the interval ends. The clock is injectable, so that tests drive time by hand.
 */

/** What the throttle needs of time: the current time in ms and one-shot timers. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): number;
  clearTimeout(handle: number): void;
}

/** The page's clock (performance.now and the window's timers). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => window.setTimeout(run, ms),
  clearTimeout: (handle) => window.clearTimeout(handle),
};

/** An action carried out at most once per `intervalMs`. */
export class Throttle {
  private last = -Infinity;
  private pending: number | null = null;

  constructor(
    private readonly action: () => void,
    private readonly clock: Clock = realClock,
    private readonly intervalMs = 1000,
  ) {}

  /** Ask for the action: now if the last one is at least an interval ago, else once when the interval ends. */
  request(): void {
    if (this.pending !== null) return;
    const wait = this.last + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.pending = this.clock.setTimeout(() => {
      this.pending = null;
      this.fire();
    }, wait);
  }

  /** Drop a pending action (the element went away). */
  cancel(): void {
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
    this.pending = null;
  }

  private fire(): void {
    this.last = this.clock.now();
    this.action();
  }
}
