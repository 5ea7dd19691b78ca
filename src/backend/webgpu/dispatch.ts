/** Pure helpers for dispatch sizes and buffer layout, clamped to device limits. */

/** Smallest integer ≥ a / b (b > 0). */
export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/** `n` rounded up to a multiple of `align`. */
export function alignUp(n: number, align: number): number {
  return ceilDiv(n, align) * align;
}

/**
 * A 2-D workgroup grid [x, y] holding at least `total` workgroups with no dimension above `maxPerDim`;
 * kernels linearise it as `id = wg.x + wg.y · num_workgroups.x` and skip ids ≥ total.
 */
export function workgroupGrid(total: number, maxPerDim: number): [number, number] {
  if (total <= maxPerDim) return [Math.max(total, 0), 1];
  const y = ceilDiv(total, maxPerDim);
  if (y > maxPerDim) throw new Error(`Dispatch of ${total} workgroups exceeds ${maxPerDim}² (maxComputeWorkgroupsPerDimension²).`);
  return [ceilDiv(total, y), y];
}

/** Bytes a tensor of `elements` f32 occupies on the device: padded to whole vec4s (16 bytes), at least one. */
export function tensorBindingBytes(elements: number): number {
  return alignUp(Math.max(elements, 4), 4) * 4;
}

/** Byte offsets of tensors packed into one buffer, each aligned to `align` bytes, and the total size. */
export function packOffsets(elementCounts: readonly number[], align: number): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const n of elementCounts) {
    total = alignUp(total, align);
    offsets.push(total);
    total += tensorBindingBytes(n);
  }
  return { offsets, total };
}
