/** Records work into one command encoder per flush; dispatches share the encoder's current compute pass. */

/** The current command encoder and compute pass; `flush()` submits them as one command buffer. */
export class CommandRecorder {
  /** Incremented by every flush: uniform and index buffers written since then are not yet in flight. */
  epoch = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;

  constructor(private readonly device: GPUDevice) {}

  /** Whether work has been recorded since the last flush. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Record one dispatch of `pipeline` with `bindGroup` at group 0. */
  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, x: number, y = 1, z = 1): void {
    if (x === 0 || y === 0 || z === 0) return;
    if (!this.pass) this.pass = this.currentEncoder().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
  }

  /** Record a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.endPass();
    this.currentEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Submit everything recorded so far as one command buffer. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const commands = this.encoder.finish();
    this.encoder = null;
    this.epoch++;
    this.device.queue.submit([commands]);
  }

  private currentEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) this.pass.end();
    this.pass = null;
  }
}
