/** Tensors on the device: a shape and a range of a GPUBuffer, possibly shared with tensors allocated together. */
import type { Shape, Tensor } from '../backend.js';
import { shapeSize } from '../backend.js';
import { packOffsets, tensorBindingBytes } from './dispatch.js';

/** One GPUBuffer holding one or several tensors; destroyed when its last tensor is disposed. */
export class TensorStorage {
  live: number;
  constructor(
    readonly id: number,
    readonly buffer: GPUBuffer,
    count: number,
  ) {
    this.live = count;
  }
}

/** A tensor living in `storage.buffer` at `byteOffset`; bound as the range [byteOffset, byteOffset + bindingBytes). */
export class GPUTensor implements Tensor {
  disposed = false;
  readonly size: number;
  readonly bindingBytes: number;
  constructor(
    readonly id: number,
    readonly shape: Shape,
    readonly storage: TensorStorage,
    readonly byteOffset: number,
  ) {
    this.size = shapeSize(shape);
    this.bindingBytes = tensorBindingBytes(this.size);
  }

  /** The buffer holding this tensor. */
  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }

  /** Bind-group resource of this tensor alone. */
  binding(): GPUBufferBinding {
    return { buffer: this.storage.buffer, offset: this.byteOffset, size: this.bindingBytes };
  }
}

/** Limits that bound what the allocator accepts. */
export interface AllocatorLimits {
  readonly maxTensorBytes: number;
  readonly offsetAlignment: number;
}

function checkShape(s: Shape): void {
  for (const [name, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`Invalid tensor shape: ${name} = ${String(v)}.`);
  }
}

/** Allocates tensors, refusing (before allocating) any that exceeds the device's buffer limits. */
export class TensorAllocator {
  private nextId = 1;
  private nextStorageId = 1;
  constructor(
    private readonly device: GPUDevice,
    private readonly limits: AllocatorLimits,
  ) {}

  /** Tensors packed greedily into as few buffers as the binding limit allows. */
  allocate(shapes: readonly Shape[]): GPUTensor[] {
    shapes.forEach(checkShape);
    for (const s of shapes) {
      const bytes = shapeSize(s) * 4;
      if (tensorBindingBytes(shapeSize(s)) > this.limits.maxTensorBytes) {
        throw new Error(
          `Tensor [${s.batch}, ${s.rows}, ${s.cols}] needs ${bytes} bytes, above this device's limit of ` +
            `${this.limits.maxTensorBytes} bytes (maxStorageBufferBindingSize / maxBufferSize).`,
        );
      }
    }
    const out: GPUTensor[] = [];
    let start = 0;
    while (start < shapes.length) {
      let end = start + 1;
      while (end < shapes.length && this.packedBytes(shapes.slice(start, end + 1)) <= this.limits.maxTensorBytes) end++;
      out.push(...this.allocateGroup(shapes.slice(start, end)));
      start = end;
    }
    return out;
  }

  private packedBytes(shapes: readonly Shape[]): number {
    return packOffsets(shapes.map(shapeSize), this.limits.offsetAlignment).total;
  }

  private allocateGroup(shapes: readonly Shape[]): GPUTensor[] {
    const { offsets, total } = packOffsets(shapes.map(shapeSize), this.limits.offsetAlignment);
    const buffer = this.device.createBuffer({
      size: total,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const storage = new TensorStorage(this.nextStorageId++, buffer, shapes.length);
    return shapes.map((s, i) => new GPUTensor(this.nextId++, s, storage, offsets[i]!));
  }

  /** Mark a tensor released; its buffer is destroyed with the last tensor in it. */
  release(t: GPUTensor): void {
    if (t.disposed) return;
    t.disposed = true;
    t.storage.live--;
    if (t.storage.live === 0) t.storage.buffer.destroy();
  }
}
