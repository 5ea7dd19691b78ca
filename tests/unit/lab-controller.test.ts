/**
 * The lab controller's loop on a fake clock (CPU backend, no page): frames run only when the clock's animation
 * frame comes, each takes `speed` steps while the clock stands still (the CPU frame's time box is on that clock),
 * and the throughput windows are measured on it. Nothing here depends on how fast the machine is.
 */
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { defaultLab } from '../../src/core/lab-spec.js';
import { LabController } from '../../src/ui/lab/lab-controller.js';
import { FakeClock } from './fake-clock.js';

/** Wait until every task queued on the controller so far (a frame included) has run: its queue runs tasks in order. */
async function idle(c: LabController): Promise<void> {
  await c.parameters();
}

function controller(speed: number) {
  const clock = new FakeClock();
  const host: ReactiveControllerHost = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
  const lab = { ...defaultLab(), backend: 'cpu' as const, depth: 2, width: 4, samples: 20, logEvery: 2, speed };
  return { clock, c: new LabController(host, lab, clock) };
}

describe('LabController on a fake clock', () => {
  it('plays one frame of `speed` steps per animation frame of the clock, and no frame without one', async () => {
    const { clock, c } = controller(3);
    await c.start();
    c.play();
    expect(c.playing).toBe(true);
    await idle(c);
    expect(c.step).toBe(0);
    for (let f = 1; f <= 4; f++) {
      expect(clock.runFrame()).toBe(1);
      await idle(c);
      expect(c.step).toBe(3 * f);
    }
    expect(c.runs[0]!.records.map((r) => r.step)).toEqual([0, 2, 4, 6, 8, 10]);
    c.pause();
    expect(clock.requestedFrames).toBe(0);
  });

  it('measures throughput over windows of the clock', async () => {
    const { clock, c } = controller(5);
    await c.start();
    c.play();
    for (let f = 0; f < 5; f++) {
      clock.advance(100);
      clock.runFrame();
      await idle(c);
    }
    // 5 frames of 5 steps over 500 ms of the clock: 50 steps/s; 2 runs × 20 rows a step.
    expect(c.rates).toMatchObject({ at: 1500, stepsPerSec: 50, samplesPerSec: 50 * 40 });
    c.pause();
  });
});
