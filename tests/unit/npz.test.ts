/**
 * The .npz writer against NumPy itself: python3's np.load reads the archive, and every array comes back with its
 * name, shape, dtype and exact values (compared by their f64 bit patterns, NaN and −0 included).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, npzBytes, npyBytes, type NpyArray } from '../../src/core/npz.js';
import { initParameters } from '../../src/core/init.js';
import { layerSizes } from '../../src/core/spec.js';
import { TRAIN_FLAGS, parseFlags, trainOptions } from '../../src/cli/args.js';
import { parameterArrays } from '../../src/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'npz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What np.load makes of the file: per array, its dtype, shape and values as 16-hex-digit f64 bit patterns. */
function numpyView(file: string): Record<string, { dtype: string; shape: number[]; bits: string[] }> {
  const script = [
    'import json, sys, numpy as np',
    'z = np.load(sys.argv[1])',
    "print(json.dumps({k: {'dtype': str(z[k].dtype), 'shape': list(z[k].shape), 'bits': ['%016x' % v for v in z[k].reshape(-1).view(np.uint64)]} for k in z.files}))",
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

function bits(data: ArrayLike<number>): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(data, (v) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16).padStart(16, '0');
  });
}

function roundTrip(arrays: NpyArray[], name: string): void {
  const file = join(dir, name);
  writeFileSync(file, npzBytes(arrays));
  const got = numpyView(file);
  expect(Object.keys(got).sort()).toEqual(arrays.map((a) => a.name).sort());
  for (const a of arrays) {
    expect(got[a.name]).toEqual({ dtype: 'float64', shape: [...a.shape], bits: bits(a.data) });
  }
}

describe('npz', () => {
  it('crc32 of "123456789" is the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('an .npy header is padded so the data starts on a 64-byte boundary', () => {
    const b = npyBytes([2, 3], [1, 2, 3, 4, 5, 6]);
    const headerLen = b[8]! | (b[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(b.length).toBe(10 + headerLen + 48);
    expect(() => npyBytes([2, 3], [1, 2])).toThrow(/shape \(2, 3\) holds 6 values, got 2/);
  });

  it('np.load reads matrices, vectors, odd values and an empty array exactly', () => {
    roundTrip(
      [
        { name: 'W0', shape: [2, 3], data: [1.5, -2, 1e-310, Math.PI, -0, 7] },
        { name: 'b0', shape: [3], data: [NaN, Infinity, -Infinity] },
        { name: 'empty', shape: [0], data: [] },
        { name: 'long_name_with_underscores', shape: [1, 1, 4], data: [0.1, 0.2, 0.3, 0.4] },
      ],
      'odd.npz',
    );
  });

  it('np.load reads a model’s weights, biases and batch norm state under W<l>, b<l>, gamma<l>, running_*<l>', () => {
    const { spec } = trainOptions(parseFlags(['--dataset', 'spiral', '--layers', '5,3', '--norm', 'batch', '--seed', '3'], TRAIN_FLAGS));
    const p = initParameters(spec.model);
    const sizes = layerSizes(spec.model);
    const withStats = { ...p, runningMean: [Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(6, 7, 8)], runningVar: [new Float64Array(5).fill(2), new Float64Array(3).fill(3)] };
    const arrays = parameterArrays(withStats, sizes);
    expect(arrays.map((a) => a.name)).toEqual(['W0', 'W1', 'W2', 'b0', 'b1', 'b2', 'gamma0', 'gamma1', 'running_mean0', 'running_mean1', 'running_var0', 'running_var1']);
    roundTrip(arrays, 'model.npz');
  });
});
