/**
 * The command recorder's batching policy, driven by a fake clock and a manual end-of-task queue: which step's end
 * submits is decided by the step count and the clock alone, never by how fast the machine runs.
 */
import { describe, expect, test } from 'vitest';
import { CommandRecorder, MAX_RECORDING_MS, MAX_STEPS_PER_SUBMIT } from '../../src/backend/webgpu/recorder.js';

/** A device that records what is submitted; its encoders and passes accept every call. */
function fakeDevice(): { device: GPUDevice; submitted: number[] } {
  const submitted: number[] = [];
  let encoders = 0;
  const pass = { setPipeline() {}, setBindGroup() {}, dispatchWorkgroups() {}, end() {} };
  const device = {
    createCommandEncoder: () => {
      const id = encoders++;
      return { beginComputePass: () => pass, copyBufferToBuffer() {}, clearBuffer() {}, finish: () => id };
    },
    queue: { submit: (buffers: number[]) => submitted.push(...buffers) },
  };
  return { device: device as unknown as GPUDevice, submitted };
}

/** A recorder on a fake device with a clock the test sets and a queue of deferred submits the test runs. */
function setup() {
  const { device, submitted } = fakeDevice();
  const clock = { t: 1000 };
  const deferred: (() => void)[] = [];
  const recorder = new CommandRecorder(device, { now: () => clock.t, defer: (fn) => deferred.push(fn) });
  const step = () => {
    recorder.dispatch({} as GPUComputePipeline, {} as GPUBindGroup, 1);
    recorder.endStep();
  };
  const runDeferred = () => deferred.splice(0).forEach((fn) => fn());
  return { recorder, submitted, clock, deferred, step, runDeferred };
}

describe('command recorder batching', () => {
  test(`the ${MAX_STEPS_PER_SUBMIT}th step's end submits at once; fewer wait for the end of the task`, () => {
    const { recorder, submitted, step, deferred, runDeferred } = setup();
    for (let i = 1; i < MAX_STEPS_PER_SUBMIT; i++) {
      step();
      expect(recorder.submits).toBe(0);
    }
    expect(deferred).toHaveLength(1); // one deferred submit, however many steps
    step();
    expect(recorder.submits).toBe(1);
    expect(submitted).toEqual([0]);
    runDeferred(); // nothing left to submit
    expect(recorder.submits).toBe(1);
    step();
    expect(recorder.submits).toBe(1);
    runDeferred();
    expect(recorder.submits).toBe(2);
    expect(recorder.pending).toBe(false);
  });

  test(`a step's end submits once ${MAX_RECORDING_MS} ms have passed since the buffer's first command, not before`, () => {
    const { recorder, clock, step } = setup();
    step();
    clock.t += MAX_RECORDING_MS - 0.001;
    step();
    expect(recorder.submits).toBe(0);
    clock.t += 0.001;
    step();
    expect(recorder.submits).toBe(1);
    // The next buffer's clock starts at its own first command.
    step();
    expect(recorder.submits).toBe(1);
  });

  test('maxStepsPerSubmit = 1 submits at every step end; submitted() resolves once the work is submitted', async () => {
    const { recorder, step, runDeferred } = setup();
    recorder.maxStepsPerSubmit = 1;
    step();
    step();
    expect(recorder.submits).toBe(2);
    recorder.dispatch({} as GPUComputePipeline, {} as GPUBindGroup, 1);
    let done = false;
    const p = recorder.submitted().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    runDeferred();
    await p;
    expect(done).toBe(true);
    expect(recorder.submits).toBe(3);
  });

  test('close() drops recorded work and submits nothing more', () => {
    const { recorder, step, runDeferred } = setup();
    step();
    recorder.close();
    runDeferred();
    step();
    recorder.flush();
    expect(recorder.submits).toBe(0);
  });
});
