/**
 * The time source of the lessons' time-driven parts (the training loop, the chain animation, the speed check): an
 * injectable clock and frame scheduler, so that tests drive them frame by frame instead of waiting on the wall clock.
 */

/** Milliseconds now, and animation frames to request and cancel. */
export interface FrameClock {
  /** A monotonic time in milliseconds. */
  now(): number;
  /** Call `cb` at the next frame with the frame's time; returns an id for cancelFrame. */
  requestFrame(cb: (time: number) => void): number;
  cancelFrame(id: number): void;
}

/** The browser's clock: performance.now and requestAnimationFrame. */
export const browserClock: FrameClock = {
  now: () => performance.now(),
  requestFrame: (cb) => requestAnimationFrame(cb),
  cancelFrame: (id) => cancelAnimationFrame(id),
};

/** A clock for tests: time moves only by `advance`, and `frame` runs the callbacks requested so far at the current time. */
export class ManualClock implements FrameClock {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (time: number) => void>();

  now(): number {
    return this.time;
  }

  requestFrame(cb: (time: number) => void): number {
    const id = this.nextId++;
    this.pending.set(id, cb);
    return id;
  }

  cancelFrame(id: number): void {
    this.pending.delete(id);
  }

  /** Move time forward by `ms`. */
  advance(ms: number): void {
    this.time += ms;
  }

  /** Run the frame callbacks requested before this call; returns how many ran. */
  frame(): number {
    const due = [...this.pending];
    this.pending.clear();
    for (const [, cb] of due) cb(this.time);
    return due.length;
  }

  /** Frame callbacks waiting. */
  get waiting(): number {
    return this.pending.size;
  }
}
