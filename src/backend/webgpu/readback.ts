/** Reads device data back through a ring of reusable staging buffers (copy → mapAsync → copy out → unmap). */
import type { CommandRecorder } from './recorder.js';

/** Staging buffers reused across reads; grows on demand, keeps at most `maxPooled` idle ones. */
export class ReadbackRing {
  private readonly idle: GPUBuffer[] = [];
  private readonly all = new Set<GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    private readonly recorder: CommandRecorder,
    private readonly maxPooled = 4,
  ) {}

  /** f32 values of [byteOffset, byteOffset + 4·count) of `src` after all work recorded so far, as f64. */
  async read(src: GPUBuffer, byteOffset: number, count: number, out?: Float64Array): Promise<Float64Array> {
    const result = out ?? new Float64Array(count);
    if (count === 0) return result;
    const bytes = count * 4;
    const staging = this.take(bytes);
    this.recorder.copy(src, byteOffset, staging, 0, bytes);
    try {
      // Reads issued in one task share a submit; the staging buffer may be mapped only after it.
      await this.recorder.submitted();
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
      const view = new Float32Array(staging.getMappedRange(0, bytes));
      for (let i = 0; i < count; i++) result[i] = view[i]!;
      staging.unmap();
    } catch (e) {
      this.all.delete(staging);
      throw e;
    }
    this.give(staging);
    return result;
  }

  /** Destroy every staging buffer. */
  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private take(bytes: number): GPUBuffer {
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const size = this.idle[i]!.size;
      if (size >= bytes && (best < 0 || size < this.idle[best]!.size)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0]!;
    const buffer = this.device.createBuffer({
      size: Math.max(256, 2 ** Math.ceil(Math.log2(bytes))),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.all.add(buffer);
    return buffer;
  }

  private give(buffer: GPUBuffer): void {
    if (this.idle.length < this.maxPooled) {
      this.idle.push(buffer);
      return;
    }
    this.all.delete(buffer);
    buffer.destroy();
  }
}
