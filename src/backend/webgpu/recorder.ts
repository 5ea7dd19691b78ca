/**
 * Records work into one command encoder per submit; dispatches share the encoder's current compute pass.
 * Several training steps may share one command buffer: `endStep()` submits only when enough steps or time have
 * gathered, and otherwise at the end of the current JavaScript task (a microtask), so the GPU never waits
 * for a step that JavaScript has finished recording.
 */

/** Most steps recorded into one command buffer. */
export const MAX_STEPS_PER_SUBMIT = 4;
/** Most milliseconds between the first recorded command of a command buffer and its submit at a step's end. */
export const MAX_RECORDING_MS = 2;

/** Where the recorder reads the time and how it defers a submit to the end of the current task (injectable for tests). */
export interface RecorderTiming {
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number;
  /** Runs `fn` once the current JavaScript task has finished recording. */
  readonly defer: (fn: () => void) => void;
}

/** The real clock and the microtask queue. */
export const REAL_TIMING: RecorderTiming = {
  now: () => performance.now(),
  defer: (fn) => queueMicrotask(fn),
};

/**
 * The current command encoder and compute pass; `flush()` submits them as one command buffer.
 * Batching policy, exactly: a step's end submits when it is the `maxStepsPerSubmit`-th step since the last submit
 * or when `maxRecordingMs` have passed on the clock since the buffer's first command; otherwise the submit is
 * deferred (once) to the end of the current task.
 */
export class CommandRecorder {
  /** Incremented by every flush: uniform and index buffers written since then are not yet in flight. */
  epoch = 0;
  /** Most steps per command buffer (1: submit at every step's end). */
  maxStepsPerSubmit = MAX_STEPS_PER_SUBMIT;
  /** Most milliseconds of recording before a step's end submits. */
  maxRecordingMs = MAX_RECORDING_MS;
  /** Dispatches recorded since creation (for dispatch-count tests and benchmarks). */
  dispatches = 0;
  /** Command buffers submitted since creation. */
  submits = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private lastPipeline: GPUComputePipeline | null = null;
  private lastBindGroup: GPUBindGroup | null = null;
  private startedAt = 0;
  private steps = 0;
  private scheduled = false;
  private closed = false;
  private waiters: (() => void)[] = [];
  private timestamps: { querySet: GPUQuerySet; begun: boolean } | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly timing: RecorderTiming = REAL_TIMING,
  ) {}

  /** Whether work has been recorded since the last flush. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Record one dispatch of `pipeline` with `bindGroup` at group 0. */
  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, x: number, y = 1, z = 1): void {
    if (x === 0 || y === 0 || z === 0) return;
    if (!this.pass) this.pass = this.beginPass();
    if (pipeline !== this.lastPipeline) this.pass.setPipeline((this.lastPipeline = pipeline));
    if (bindGroup !== this.lastBindGroup) this.pass.setBindGroup(0, (this.lastBindGroup = bindGroup));
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
  }

  /** Record a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.endPass();
    this.currentEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Record zero-filling of [offset, offset + size) of `buffer` (ends the current compute pass). */
  clear(buffer: GPUBuffer, offset: number, size: number): void {
    this.endPass();
    this.currentEncoder().clearBuffer(buffer, offset, size);
  }

  /** End of a training step: submit when MAX_STEPS_PER_SUBMIT steps or MAX_RECORDING_MS have gathered, else soon. */
  endStep(): void {
    if (!this.encoder) return;
    this.steps++;
    if (this.steps >= this.maxStepsPerSubmit || this.timing.now() - this.startedAt >= this.maxRecordingMs) this.flush();
    else this.schedule();
  }

  /** Resolves once everything recorded so far has been submitted (at the latest at the end of this task). */
  submitted(): Promise<void> {
    if (!this.encoder) return Promise.resolve();
    this.schedule();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Submit everything recorded so far as one command buffer. */
  flush(): void {
    if (this.encoder && !this.closed) {
      this.endPass();
      const commands = this.encoder.finish();
      this.encoder = null;
      this.steps = 0;
      this.epoch++;
      this.device.queue.submit([commands]);
      this.submits++;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Drop recorded work and submit nothing more (the device is being destroyed). */
  close(): void {
    this.closed = true;
    this.encoder = null;
    this.pass = null;
    this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.timing.defer(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Write timestamps into `querySet` around the compute passes recorded from now on: index 0 at the start of the
   * first, index 1 at the end of each (the last one's remains); `stopTimestamps` resolves them into `dst`.
   */
  startTimestamps(querySet: GPUQuerySet): void {
    this.endPass();
    this.timestamps = { querySet, begun: false };
  }

  /** Stop writing timestamps and record the resolve of indices 0 and 1 into `dst` (16 bytes, QUERY_RESOLVE). */
  stopTimestamps(dst: GPUBuffer): void {
    const t = this.timestamps;
    this.endPass();
    this.timestamps = null;
    if (t) this.currentEncoder().resolveQuerySet(t.querySet, 0, 2, dst, 0);
  }

  private beginPass(): GPUComputePassEncoder {
    const t = this.timestamps;
    if (!t) return this.currentEncoder().beginComputePass();
    const timestampWrites: GPUComputePassTimestampWrites = { querySet: t.querySet, endOfPassWriteIndex: 1 };
    if (!t.begun) timestampWrites.beginningOfPassWriteIndex = 0;
    t.begun = true;
    return this.currentEncoder().beginComputePass({ timestampWrites });
  }

  private currentEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.encoder = this.device.createCommandEncoder();
      this.startedAt = this.timing.now();
    }
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) this.pass.end();
    this.pass = null;
    this.lastPipeline = null;
    this.lastBindGroup = null;
  }
}
