/**
 * GPU time of recorded work from timestamp queries: the span from the start of the first compute pass to the end
 * of the last. Dawn quantises timestamps (to 100 µs unless its `timestamp_quantization` toggle is off), so single
 * short kernels read as 0 or 100 µs: time many dispatches at once.
 */
import type { CommandRecorder } from './recorder.js';

/** Measures the GPU time of a block of recorded work; null where the device lacks 'timestamp-query'. */
export class GpuTimer {
  private readonly querySet: GPUQuerySet | null;
  private readonly resolve: GPUBuffer | null;
  private readonly staging: GPUBuffer | null;

  constructor(
    device: GPUDevice,
    private readonly recorder: CommandRecorder,
  ) {
    const ok = device.features.has('timestamp-query');
    this.querySet = ok ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
    this.resolve = ok ? device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
    this.staging = ok ? device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : null;
  }

  /** Milliseconds of GPU time of the work `record` records (submitted apart from other work), or null. */
  async time(record: () => void): Promise<number | null> {
    const { querySet, resolve, staging } = this;
    if (!querySet || !resolve || !staging) {
      record();
      return null;
    }
    this.recorder.flush();
    this.recorder.startTimestamps(querySet);
    try {
      record();
    } finally {
      this.recorder.stopTimestamps(resolve);
    }
    this.recorder.copy(resolve, 0, staging, 0, 16);
    this.recorder.flush();
    await staging.mapAsync(GPUMapMode.READ);
    const [start, end] = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return end! > start! ? Number(end! - start!) / 1e6 : 0;
  }

  /** Release the query set and buffers. */
  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.staging?.destroy();
  }
}
