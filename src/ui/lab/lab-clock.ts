/**
 * The lab's sense of time: a monotonic clock and the page's schedulers (animation frames, timers). Everything
 * time-driven in the lab takes one, so that tests can drive it with a fake clock instead of waiting.
 */

/** A clock in milliseconds and the schedulers the lab's loops run on. */
export interface LabClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Call `fn` before the next repaint; the id cancels it. */
  requestFrame(fn: () => void): number;
  /** Cancel a frame requested with requestFrame. */
  cancelFrame(id: number): void;
  /** Resolve after `ms` milliseconds (0: once the events already queued have run). */
  sleep(ms: number): Promise<void>;
}

/** The page's clock: performance.now, requestAnimationFrame and setTimeout. */
export function pageClock(): LabClock {
  return {
    now: () => performance.now(),
    requestFrame: (fn) => requestAnimationFrame(() => fn()),
    cancelFrame: (id) => cancelAnimationFrame(id),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
