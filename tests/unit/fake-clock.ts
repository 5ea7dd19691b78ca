/** A LabClock for tests: time moves only when the test says so, and animation frames run only when asked. */
import type { LabClock } from '../../src/ui/lab/lab-clock.js';

/** A fake clock: `advance` moves time (resolving due sleeps), `runFrame` runs the frames requested so far. */
export class FakeClock implements LabClock {
  private time: number;
  private nextId = 1;
  private readonly frames = new Map<number, () => void>();
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(start = 1000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  requestFrame(fn: () => void): number {
    const id = this.nextId++;
    this.frames.set(id, fn);
    return id;
  }

  cancelFrame(id: number): void {
    this.frames.delete(id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      if (ms <= 0) wake();
      else this.sleepers.push({ at: this.time + ms, wake });
    });
  }

  /** Move time on by `ms`, waking the sleeps that are then due. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const s of due) s.wake();
  }

  /** Frames requested and not yet run or cancelled. */
  get requestedFrames(): number {
    return this.frames.size;
  }

  /** Run the frames requested so far (one animation frame); returns how many ran. */
  runFrame(): number {
    const fns = [...this.frames.values()];
    this.frames.clear();
    for (const fn of fns) fn();
    return fns.length;
  }
}
