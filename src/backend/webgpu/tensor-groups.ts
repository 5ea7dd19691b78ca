/** Grouping of tensors by the buffer that holds them, so that one dispatch can cover a whole group. */
import type { GPUTensor } from './gpu-tensor.js';

/** A byte range of one buffer spanning several tensors. */
export interface BufferSpan {
  readonly buffer: GPUBuffer;
  readonly byteOffset: number;
  readonly byteSize: number;
}

/** The smallest range of their (common) buffer that holds every tensor of `tensors`. */
export function spanOf(tensors: readonly GPUTensor[]): BufferSpan {
  const first = tensors[0]!;
  let start = first.byteOffset;
  let end = first.byteOffset + first.bindingBytes;
  for (const t of tensors) {
    if (t.buffer !== first.buffer) throw new Error('spanOf: tensors live in different buffers.');
    start = Math.min(start, t.byteOffset);
    end = Math.max(end, t.byteOffset + t.bindingBytes);
  }
  return { buffer: first.buffer, byteOffset: start, byteSize: end - start };
}

/** Element offset of tensor `t` inside `span`. */
export function elementOffset(t: GPUTensor, span: BufferSpan): number {
  return (t.byteOffset - span.byteOffset) / 4;
}

/**
 * Indices of `items` grouped by `key(item)`; items for which `alone(item)` holds get a group of their own
 * (their buffer is also bound elsewhere in the dispatch, and bound ranges must not overlap).
 */
export function groupIndices<T>(items: readonly T[], key: (item: T) => unknown, alone: (item: T) => boolean): number[][] {
  const groups: number[][] = [];
  const byKey = new Map<unknown, number[]>();
  items.forEach((item, i) => {
    if (alone(item)) {
      groups.push([i]);
      return;
    }
    const k = key(item);
    let g = byKey.get(k);
    if (!g) {
      g = [];
      byKey.set(k, g);
      groups.push(g);
    }
    g.push(i);
  });
  return groups;
}
