/**
 * The lab controller's loop on a fake clock (CPU backend, no page): frames run only when the clock's animation
 * frame comes; in slow motion (speed N) a frame takes the steps due at N per second of the clock, at full speed
 * (speed 0) as many as fit the CPU frame's time box on that clock; the throughput windows are measured on it.
 * Nothing here depends on how fast the machine is.
 */
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { defaultLab } from '../../src/core/lab-spec.js';
import { FASTEST_FRAME_STEPS } from '../../src/ui/lab/cohort-steps.js';
import { BOUNDARY_EVERY_MS, BOUNDARY_MAX_GAP_MS, BOUNDARY_MAX_SHARE, boundaryGapMs, LabController } from '../../src/ui/lab/lab-controller.js';
import { FakeClock } from './fake-clock.js';

/** Wait until every task queued on the controller so far (a frame included) has run: its queue runs tasks in order. */
async function idle(c: LabController): Promise<void> {
  await c.parameters();
}

/** A fake clock on which each part of a boundary grid (the lab sleeps 0 ms between parts) takes `partMs`. */
class DearBoundaryClock extends FakeClock {
  partMs = 0;
  /** Clock time spent in those parts. */
  spent = 0;
  override sleep(ms: number): Promise<void> {
    if (ms <= 0) {
      this.advance(this.partMs);
      this.spent += this.partMs;
    }
    return super.sleep(ms);
  }
}

function controller(speed: number, clock = new FakeClock()) {
  const host: ReactiveControllerHost = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
  const lab = { ...defaultLab(), backend: 'cpu' as const, depth: 2, width: 4, samples: 20, logEvery: 2, speed };
  return { clock, c: new LabController(host, lab, clock) };
}

describe('LabController on a fake clock', () => {
  it('in slow motion takes the steps due at `speed` per second of the clock, the first at once, and no frame without one', async () => {
    const { clock, c } = controller(10);
    await c.start();
    c.play();
    expect(c.playing).toBe(true);
    await idle(c);
    expect(c.step).toBe(0);
    // Frames at 0, 50, 100, 350 ms after Play: steps are due at 0, 100, 200, 300 ms (10 per second).
    const steps: number[] = [];
    for (const dt of [0, 50, 50, 250]) {
      clock.advance(dt);
      expect(clock.runFrame()).toBe(1);
      await idle(c);
      steps.push(c.step);
    }
    expect(steps).toEqual([1, 1, 2, 4]);
    // After a stall it takes at most one second's worth (10 steps) at once.
    clock.advance(5000);
    clock.runFrame();
    await idle(c);
    expect(c.step).toBe(14);
    expect(c.runs[0]!.records.map((r) => r.step)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    c.pause();
    expect(clock.requestedFrames).toBe(0);
  });

  it('at full speed (0) takes as many steps as the time box allows: while the clock stands still, FASTEST_FRAME_STEPS', async () => {
    const { clock, c } = controller(0);
    await c.start();
    c.play();
    clock.runFrame();
    await idle(c);
    expect(c.step).toBe(FASTEST_FRAME_STEPS);
    c.pause();
  });

  it('measures throughput over windows of the clock', async () => {
    const { clock, c } = controller(50);
    await c.start();
    c.play();
    for (let f = 0; f < 5; f++) {
      clock.advance(100);
      clock.runFrame();
      await idle(c);
    }
    // 50 steps/s in slow motion: the first at once, then 5 per 100 ms, 26 steps over 500 ms of the clock (52 steps/s);
    // 2 runs × 20 rows a step.
    expect(c.rates).toMatchObject({ at: 1500, stepsPerSec: 52, samplesPerSec: 52 * 40 });
    c.pause();
  });
});

describe('decision boundaries while playing', () => {
  it('wait BOUNDARY_EVERY_MS between refreshes, longer when a refresh is dear (at most BOUNDARY_MAX_SHARE of the time), at most BOUNDARY_MAX_GAP_MS', () => {
    expect(boundaryGapMs(0)).toBe(BOUNDARY_EVERY_MS);
    expect(boundaryGapMs(20)).toBe(BOUNDARY_EVERY_MS);
    expect(boundaryGapMs(200)).toBeCloseTo(200 * (1 - BOUNDARY_MAX_SHARE) / BOUNDARY_MAX_SHARE, 9);
    expect(200 / (200 + boundaryGapMs(200))).toBeCloseTo(BOUNDARY_MAX_SHARE, 9);
    // However dear one refresh was (a cold first one), the next comes within BOUNDARY_MAX_GAP_MS.
    expect(boundaryGapMs(60_000)).toBe(BOUNDARY_MAX_GAP_MS);
  });

  for (const partMs of [0, 40]) {
    it(`over 60 s of play (after 5 s), with each part of a grid taking ${partMs} ms of the clock`, async () => {
      const clock = new DearBoundaryClock();
      const { c } = controller(20, clock);
      await c.start();
      clock.partMs = partMs;
      c.play();
      const grids = new Set<unknown>();
      const play = async (ms: number) => {
        const until = clock.now() + ms;
        while (clock.now() < until) {
          clock.advance(50);
          clock.runFrame();
          await idle(c);
          grids.add(c.runs[0]!.boundary);
        }
      };
      // The first refresh while playing costs what it costs (nothing is known of it yet): measure after it.
      await play(5000);
      grids.clear();
      const start = clock.now();
      const spentBefore = clock.spent;
      await play(60_000);
      const elapsed = clock.now() - start;
      const spent = clock.spent - spentBefore;
      c.pause();
      if (partMs === 0) {
        // Every frame after BOUNDARY_EVERY_MS: 60 s / 550 ms.
        expect(grids.size).toBeGreaterThanOrEqual(Math.floor(60_000 / (BOUNDARY_EVERY_MS + 50)));
      } else {
        const share = spent / elapsed;
        expect(share).toBeGreaterThan(0.05);
        expect(share).toBeLessThanOrEqual(BOUNDARY_MAX_SHARE * 1.05);
        expect(grids.size).toBeGreaterThan(10);
      }
    });
  }
});
