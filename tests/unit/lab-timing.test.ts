/**
 * The lab's time-driven behaviour on a fake clock: the read-back schedule of wall time, multi-steps that pause (and
 * checkpoint) after every FRAME_BUDGET_MS of stepping, the CPU frame's time box, the WebGPU frame's pace, and the
 * frame loop. Every assertion is on what the policy promises, for exact clock readings.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, defaultLab } from '../../src/core/lab-spec.js';
import { FRAME_BUDGET_MS, frameSteps, GPU_FRAME_BUDGET_MS, GpuPace, settle, stepMany, type StepAll } from '../../src/ui/lab/cohort-steps.js';
import { FAULT_GRACE_MS, faultWithinGrace, ParameterSnapshots, ReadbackSchedule, SNAPSHOT_EVERY_MS } from '../../src/ui/lab/device-recovery.js';
import { FrameLoop } from '../../src/ui/lab/frame-loop.js';
import { buildCohorts, newRunState } from '../../src/ui/lab/run-state.js';
import { Throughput } from '../../src/ui/lab/throughput.js';
import { FakeClock } from './fake-clock.js';

/** Let every queued promise callback run. */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('ReadbackSchedule', () => {
  it('is due once SNAPSHOT_EVERY_MS of clock have passed since the last read-back, not before', () => {
    const clock = new FakeClock();
    const s = new ReadbackSchedule(() => clock.now());
    expect(s.everyMs).toBe(SNAPSHOT_EVERY_MS);
    expect(s.due()).toBe(false);
    clock.advance(SNAPSHOT_EVERY_MS - 1);
    expect(s.due()).toBe(false);
    clock.advance(1);
    expect(s.due()).toBe(true);
    clock.advance(10 * SNAPSHOT_EVERY_MS);
    expect(s.due()).toBe(true);
    s.taken();
    expect(s.due()).toBe(false);
    clock.advance(SNAPSHOT_EVERY_MS - 1);
    expect(s.due()).toBe(false);
    clock.advance(1);
    expect(s.due()).toBe(true);
  });
});

describe('ParameterSnapshots', () => {
  const lab = { ...defaultLab(), depth: 2, width: 4, samples: 20 };
  const cpu = createCpuBackend({ dtype: 'f32' });
  /** A backend that says WebGPU (snapshots are taken only there); the trainers run on the CPU. */
  const webgpu = { info: { ...cpu.info, kind: 'webgpu' }, bytesPerElement: 4 } as unknown as Backend;

  it('reads back on the schedule (or when forced), only on WebGPU, and remembers the step', async () => {
    const clock = new FakeClock();
    const snaps = new ParameterSnapshots(new ReadbackSchedule(() => clock.now(), 1000));
    const runs = lab.runs.map((r, i) => newRunState(r, i));
    const cohorts = buildCohorts({ backend: cpu, data: makeDataset(dataSpec(lab)), shape: builtinShape(lab), lab }, runs);
    const trainer = cohorts[0]!.trainer;
    expect(snaps.resumeStep(cohorts)).toBeNull();
    trainer.stepOnce(false);
    await snaps.take(webgpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBeNull();
    clock.advance(1000);
    await snaps.take(cpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBeNull();
    await snaps.take(webgpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBe(1);
    expect(snaps.get(trainer)!.params).toEqual(await trainer.readParameters());
    trainer.stepOnce(false);
    clock.advance(999);
    await snaps.take(webgpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBe(1);
    await snaps.take(webgpu, cohorts, true);
    expect(snaps.resumeStep(cohorts)).toBe(2);
    // The forced read-back restarted the schedule.
    trainer.stepOnce(false);
    clock.advance(999);
    await snaps.take(webgpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBe(2);
    clock.advance(1);
    await snaps.take(webgpu, cohorts, false);
    expect(snaps.resumeStep(cohorts)).toBe(3);
    trainer.dispose();
  });
});

describe('faultWithinGrace', () => {
  it('is false once FAULT_GRACE_MS pass without a fault, true when the fault comes first', async () => {
    const clock = new FakeClock();
    let lose: (f: unknown) => void = () => undefined;
    const gpu = (fault: Promise<unknown>) => ({ info: { kind: 'webgpu' }, fault }) as unknown as Backend;
    const calm = faultWithinGrace(gpu(new Promise(() => undefined)), (ms) => clock.sleep(ms));
    const lost = faultWithinGrace(gpu(new Promise((r) => (lose = r))), (ms) => clock.sleep(ms));
    let calmResult: boolean | null = null;
    void calm.then((v) => (calmResult = v));
    clock.advance(FAULT_GRACE_MS - 1);
    await flush();
    expect(calmResult).toBeNull();
    lose({ reason: 'unknown', message: 'gone' });
    expect(await lost).toBe(true);
    clock.advance(1);
    expect(await calm).toBe(false);
    expect(await faultWithinGrace(createCpuBackend({ dtype: 'f32' }), (ms) => clock.sleep(ms))).toBe(false);
  });
});

/** A StepAll whose every step takes `msPerStep` of the fake clock and logs (a resolved record) when asked. */
function timedSteps(clock: FakeClock, msPerStep: number, total = Infinity) {
  const log: string[] = [];
  let taken = 0;
  const step: StepAll = (pending, forceLog) => {
    if (taken >= total) return false;
    clock.advance(msPerStep);
    log.push(forceLog ? `step ${taken} logged` : `step ${taken}`);
    taken++;
    pending.push(Promise.resolve());
    return true;
  };
  return { step, log, taken: () => taken };
}

describe('stepMany', () => {
  it('checkpoints after every FRAME_BUDGET_MS of stepping (strictly more), and logs the last step', async () => {
    const clock = new FakeClock();
    const { step, log } = timedSteps(clock, 5);
    await stepMany(8, false, step, { clock, checkpoint: async () => void log.push(`checkpoint at ${clock.now()}`) });
    // 5 ms a step: 15 ms > FRAME_BUDGET_MS (12) after every third step.
    expect(FRAME_BUDGET_MS).toBe(12);
    expect(log).toEqual(['step 0', 'step 1', 'step 2', 'checkpoint at 1015', 'step 3', 'step 4', 'step 5', 'checkpoint at 1030', 'step 6', 'step 7 logged']);
  });

  it('stops when no cohort is active', async () => {
    const clock = new FakeClock();
    const { step, taken } = timedSteps(clock, 1, 3);
    await stepMany(100, true, step, { clock, checkpoint: async () => undefined });
    expect(taken()).toBe(3);
  });

  it('waits for the records before a checkpoint, and fails with the first failed record once all have settled', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const step: StepAll = (pending) => {
      clock.advance(20);
      pending.push(new Promise((r) => setTimeout(r, 5)).then(() => void order.push('record')));
      return true;
    };
    await stepMany(2, false, step, { clock, checkpoint: async () => void order.push('checkpoint') });
    expect(order).toEqual(['record', 'checkpoint', 'record', 'checkpoint']);

    const failing: StepAll = (pending) => {
      pending.push(Promise.reject(new Error('mapAsync: buffer unmapped')), Promise.reject(new Error('second')));
      return true;
    };
    await expect(stepMany(1, false, failing, { clock, checkpoint: async () => undefined })).rejects.toThrow('mapAsync: buffer unmapped');
  });

  it('a step that throws leaves no record failure unhandled', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const step: StepAll = (pending) => {
      if (calls++ === 1) throw new Error('device lost');
      pending.push(new Promise((_, reject) => setTimeout(() => reject(new Error('Buffer was unmapped before mapping was resolved')), 1)));
      return true;
    };
    await expect(stepMany(5, false, step, { clock, checkpoint: async () => undefined })).rejects.toThrow('device lost');
    // Vitest fails the run on an unhandled rejection; give the record's rejection time to happen.
    await new Promise((r) => setTimeout(r, 10));
  });
});

describe('settle', () => {
  it('empties the list and rethrows the first failure', async () => {
    const list = [Promise.resolve(), Promise.reject(new Error('a')), Promise.reject(new Error('b'))];
    await expect(settle(list)).rejects.toThrow('a');
    expect(list).toEqual([]);
  });
});

describe('frameSteps', () => {
  it('on the CPU: steps while under FRAME_BUDGET_MS of the clock (at least one), at most maxSteps', () => {
    const clock = new FakeClock();
    const pending: Promise<void>[] = [];
    expect(frameSteps(100, true, pending, timedSteps(clock, 5).step, () => clock.now())).toBe(3);
    expect(frameSteps(100, true, pending, timedSteps(clock, 50).step, () => clock.now())).toBe(1);
    expect(frameSteps(2, true, pending, timedSteps(clock, 1).step, () => clock.now())).toBe(2);
    expect(frameSteps(100, true, pending, timedSteps(clock, 0, 7).step, () => clock.now())).toBe(7);
  });

  it('on WebGPU (not time-boxed): exactly maxSteps, whatever the clock says', () => {
    const clock = new FakeClock();
    expect(frameSteps(40, false, [], timedSteps(clock, 50).step, () => clock.now())).toBe(40);
  });
});

describe('GpuPace', () => {
  it('takes one step at first, then as many as fit GPU_FRAME_BUDGET_MS at the last frame\'s rate, within [1, speed]', () => {
    const pace = new GpuPace();
    expect(GPU_FRAME_BUDGET_MS).toBe(250);
    expect(pace.steps(100)).toBe(1);
    pace.measured(1, 80); // a slow adapter: 80 ms a step
    expect(pace.steps(100)).toBe(3);
    pace.measured(3, 30); // 10 ms a step
    expect(pace.steps(100)).toBe(25);
    expect(pace.steps(20)).toBe(20);
    pace.measured(25, 1); // fast
    expect(pace.steps(100)).toBe(100);
    pace.measured(1, 1000); // slower than the budget: still one step
    expect(pace.steps(100)).toBe(1);
    pace.measured(0, 5000); // a frame without steps says nothing
    expect(pace.steps(100)).toBe(1);
    pace.measured(4, 0);
    expect(pace.steps(7)).toBe(7);
    pace.reset();
    expect(pace.steps(100)).toBe(1);
  });
});

describe('Throughput on an injected clock', () => {
  it('starts its window at the clock reading of clear()', () => {
    const clock = new FakeClock();
    const t = new Throughput(() => clock.now());
    t.clear();
    const cohort = { trainer: { rowsPerStep: 10, members: 1, flopsPerStep: 0 } };
    clock.advance(500);
    t.add(50, [cohort], clock.now());
    expect(t.latest).toEqual({ at: 1500, stepsPerSec: 100, samplesPerSec: 1000, gflops: 0 });
  });
});

describe('FrameLoop', () => {
  function loop(frame: () => Promise<unknown>) {
    const clock = new FakeClock();
    const host = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
    const counts = { frames: 0, play: 0, pause: 0 };
    const l = new FrameLoop(host, { frame: () => (counts.frames++, frame()), play: () => counts.play++, pause: () => counts.pause++ }, clock);
    return { clock, l, counts };
  }

  it('runs one frame task per animation frame, requesting the next only once the task settles', async () => {
    let finish: () => void = () => undefined;
    const { clock, l, counts } = loop(() => new Promise<void>((r) => (finish = r)));
    expect(clock.requestedFrames).toBe(0);
    l.start();
    l.start();
    expect(clock.requestedFrames).toBe(1);
    clock.runFrame();
    expect(counts.frames).toBe(1);
    await flush();
    expect(clock.requestedFrames).toBe(0);
    finish();
    await flush();
    expect(clock.requestedFrames).toBe(1);
    clock.runFrame();
    expect(counts.frames).toBe(2);
  });

  it('a failed frame task does not end the loop', async () => {
    const { clock, l, counts } = loop(() => Promise.reject(new Error('step failed')));
    l.start();
    clock.runFrame();
    await flush();
    clock.runFrame();
    await flush();
    expect(counts.frames).toBe(2);
    expect(clock.requestedFrames).toBe(1);
  });

  it('stop cancels the requested frame; stop and start during a frame task keep one chain of frames', async () => {
    let finish: () => void = () => undefined;
    const { clock, l, counts } = loop(() => new Promise<void>((r) => (finish = r)));
    l.start();
    l.stop();
    expect(clock.requestedFrames).toBe(0);
    expect(l.playing).toBe(false);
    l.start();
    clock.runFrame();
    l.stop();
    l.start();
    // The task in progress requests the next frame when it settles; none before.
    expect(clock.requestedFrames).toBe(0);
    finish();
    await flush();
    expect(clock.requestedFrames).toBe(1);
    clock.runFrame();
    finish();
    await flush();
    expect(counts.frames).toBe(2);
    expect(clock.requestedFrames).toBe(1);
  });
});
