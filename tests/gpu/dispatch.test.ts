/** Pure helpers of the WebGPU backend: dispatch grids, buffer packing, uniform packing. */
import { describe, expect, test } from 'vitest';
import { shape } from '../../src/backend/backend.js';
import { packActivationCodes } from '../../src/backend/webgpu/activation-codes.js';
import { alignUp, ceilDiv, packOffsets, tensorBindingBytes, workgroupGrid } from '../../src/backend/webgpu/dispatch.js';
import { chooseTile, MATMUL_PARAM_WORDS, packMatmulParams, type MatmulGeometry } from '../../src/backend/webgpu/matmul-kernel.js';

describe('dispatch helpers', () => {
  test('workgroupGrid covers the total within the per-dimension limit', () => {
    for (const [total, max] of [[0, 10], [1, 10], [10, 10], [11, 10], [99, 10], [100, 10], [70000, 65535], [65535 * 65535, 65535]]) {
      const [x, y] = workgroupGrid(total!, max!);
      expect(x).toBeLessThanOrEqual(max!);
      expect(y).toBeLessThanOrEqual(max!);
      expect(x * y).toBeGreaterThanOrEqual(total!);
      expect(x * y - total!).toBeLessThan(Math.max(y, 1)); // at most one partial row of idle workgroups
    }
    expect(() => workgroupGrid(101, 10)).toThrow(/exceeds/);
  });

  test('ceilDiv, alignUp, tensorBindingBytes', () => {
    expect([ceilDiv(0, 4), ceilDiv(1, 4), ceilDiv(4, 4), ceilDiv(5, 4)]).toEqual([0, 1, 1, 2]);
    expect([alignUp(0, 256), alignUp(1, 256), alignUp(256, 256)]).toEqual([0, 256, 256]);
    expect([tensorBindingBytes(0), tensorBindingBytes(1), tensorBindingBytes(5), tensorBindingBytes(8)]).toEqual([16, 16, 32, 32]);
  });

  test('chooseTile takes the largest tile that still gives 4 workgroups', () => {
    expect(chooseTile(256, 256, 1)).toEqual({ x: 8, y: 8, block: 8 });
    expect(chooseTile(200, 32, 1)).toEqual({ x: 8, y: 8, block: 8 });
    expect(chooseTile(130, 140, 1)).toEqual({ x: 8, y: 8, block: 8 });
    expect(chooseTile(64, 64, 1)).toEqual({ x: 8, y: 8, block: 4 });
    expect(chooseTile(64, 64, 4)).toEqual({ x: 8, y: 8, block: 8 });
    expect(chooseTile(32, 32, 1)).toEqual({ x: 4, y: 4, block: 4 });
    expect(chooseTile(1, 1, 1)).toEqual({ x: 4, y: 4, block: 4 });
  });

  test('packOffsets aligns every tensor', () => {
    const { offsets, total } = packOffsets([1, 100, 3], 256);
    expect(offsets).toEqual([0, 256, 768]);
    expect(total).toBe(768 + 16);
  });

  test('packMatmulParams writes geometry then one activation code per batch entry', () => {
    const g: MatmulGeometry = { m: 3, n: 4, k: 5, batch: 3, aBatchStride: 0, bBatchStride: 20, biasBatchStride: 4, tilesN: 1, tilesTotal: 1 };
    const p = packMatmulParams(g, ['sigmoid', 'relu', 'softmax']);
    expect(p.length).toBe(MATMUL_PARAM_WORDS);
    expect([...p.slice(0, 12)]).toEqual([3, 4, 5, 1, 1, 0, 20, 4, 1, 3, 5, 0]);
    const one = new Uint32Array(70);
    packActivationCodes(['tanh'], 3, one, 2);
    expect([...one.slice(2, 6)]).toEqual([2, 2, 2, 0]);
    expect(() => packActivationCodes(['tanh', 'relu'], 3, one, 0)).toThrow(/Expected 3/);
    expect(shape(1, 2, 3)).toEqual({ batch: 1, rows: 2, cols: 3 });
  });
});
