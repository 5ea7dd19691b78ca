/** The charts' accessible form: table cells, extremes for summaries, and the once-a-second throttle on a hand-driven clock. */
import { describe, expect, it } from 'vitest';
import { extremes, formatCell } from '../../src/ui/charts/chart-table.js';
import { Throttle, type Clock } from '../../src/ui/charts/throttle.js';

/** A clock whose time moves only when told, with timers run in due order. */
class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; run: () => void }>();
  private next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): number {
    this.timers.set(this.next, { at: this.time + ms, run });
    return this.next++;
  }
  clearTimeout(handle: number): void {
    this.timers.delete(handle);
  }
  /** Move time forward by `ms`, running the timers that fall due. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

describe('Throttle', () => {
  it('acts at once, then at most once per second however often asked, and never loses the last request', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const t = new Throttle(() => at.push(clock.now()), clock, 1000);
    t.request();
    expect(at).toEqual([0]);
    for (let i = 0; i < 50; i++) {
      clock.advance(16);
      t.request();
    }
    // 50 requests over 800 ms: none carried out yet, one waiting for the end of the interval.
    expect(at).toEqual([0]);
    expect(clock.pending).toBe(1);
    clock.advance(200);
    expect(at).toEqual([0, 1000]);
    // Requests stop: nothing more happens.
    clock.advance(5000);
    expect(at).toEqual([0, 1000]);
    // A request long after the last action is carried out at once.
    t.request();
    expect(at).toEqual([0, 1000, 6000]);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('drops a pending action on cancel', () => {
    const clock = new FakeClock();
    let n = 0;
    const t = new Throttle(() => n++, clock, 1000);
    t.request();
    clock.advance(10);
    t.request();
    t.cancel();
    clock.advance(5000);
    expect(n).toBe(1);
    expect(clock.pending).toBe(0);
  });
});

describe('formatCell', () => {
  it('writes integers in full, other numbers to 4 significant digits, and names the special values', () => {
    expect(formatCell(12345)).toBe('12345');
    expect(formatCell(0.693147)).toBe('0.6931');
    expect(formatCell(1.23456e-14)).toBe('1.235e-14');
    expect(formatCell(null)).toBe('—');
    expect(formatCell(NaN)).toBe('NaN');
    expect(formatCell(-Infinity)).toBe('−∞');
    expect(formatCell('relu')).toBe('relu');
  });
});

describe('extremes', () => {
  it('finds the smallest and largest finite values and where they are, skipping NaN and ∞', () => {
    expect(extremes([3, NaN, 0.5, Infinity, 7, 0.5])).toEqual({ min: 0.5, minAt: 2, max: 7, maxAt: 4 });
    expect(extremes([NaN])).toBeNull();
    expect(extremes([])).toBeNull();
  });
});
