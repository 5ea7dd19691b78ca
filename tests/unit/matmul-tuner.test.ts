/** The matmul tuner without a GPU: its choice is a function of the timings it is fed; caches are per adapter. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  candidatesWithin,
  defaultCandidate,
  MATMUL_CANDIDATES,
  shapeClass,
  type MatmulCandidate,
  type MatmulProblem,
} from '../../src/backend/webgpu/matmul-candidates.js';
import { adapterKey, MatmulTuner, MemoryTuneCache, pickWinner, type CandidateTimer } from '../../src/backend/webgpu/matmul-tuner.js';
import { FileTuneCache } from '../../src/backend/webgpu/tune-cache-file.js';

const fallback = (p: MatmulProblem): MatmulCandidate => defaultCandidate(p.m, p.n, p.batch);
const problem = (m: number, n: number, k: number, extra: Partial<MatmulProblem> = {}): MatmulProblem => ({
  m, n, k, batch: 1, transA: false, transB: false, ...extra,
});
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' };

/** A fake timer: fed milliseconds per candidate name (and per class when given), counting its calls. */
function fakeTimer(ms: (c: MatmulCandidate, p: MatmulProblem) => number | null): CandidateTimer & { calls: string[] } {
  const calls: string[] = [];
  const timer = async (c: MatmulCandidate, p: MatmulProblem) => {
    calls.push(`${shapeClass(p)}:${c.name}`);
    return ms(c, p);
  };
  return Object.assign(timer, { calls });
}

describe('winner from fed timings', () => {
  test('the fastest candidate wins; a tie goes to the earlier candidate; a candidate that cannot run never wins', () => {
    expect(pickWinner([{ candidate: 'a', ms: 3 }, { candidate: 'b', ms: 1 }, { candidate: 'c', ms: 2 }])).toBe('b');
    expect(pickWinner([{ candidate: 'a', ms: 2 }, { candidate: 'b', ms: 2 }])).toBe('a');
    expect(pickWinner([{ candidate: 'a', ms: null }, { candidate: 'b', ms: 5 }, { candidate: 'c', ms: NaN }])).toBe('b');
    expect(pickWinner([{ candidate: 'a', ms: null }])).toBeNull();
  });

  test('the same timings give the same choice every time, for any candidate made fastest', async () => {
    for (const fastest of MATMUL_CANDIDATES) {
      const choices = new Set<string>();
      for (let run = 0; run < 3; run++) {
        const timer = fakeTimer((c) => (c.name === fastest.name ? 1 : 2 + MATMUL_CANDIDATES.indexOf(c)));
        const tuner = new MatmulTuner(MATMUL_CANDIDATES, 'k', timer, fallback);
        const result = await tuner.tune(problem(512, 512, 512));
        expect(result.timings.map((t) => t.candidate)).toEqual(MATMUL_CANDIDATES.map((c) => c.name));
        choices.add(tuner.choose(problem(500, 508, 300)).name);
      }
      expect([...choices]).toEqual([fastest.name]);
    }
  });

  test('first use runs the fixed rule and queues the class; tunePending times it once; each class keeps its own winner', async () => {
    // Shared-memory tiles win large products, the 16×16 register tile small ones.
    const timer = fakeTimer((c, p) => (p.m >= 256 ? (c.kind === 'shared' ? 1 : 5) : c.name === 'reg4-16x16' ? 1 : 3));
    const tuner = new MatmulTuner(MATMUL_CANDIDATES, 'k', timer, fallback);
    const big = problem(1024, 1024, 1024);
    const small = problem(20, 24, 12, { transB: true });
    expect(tuner.choose(big)).toEqual(fallback(big));
    expect(tuner.choose(small)).toEqual(fallback(small));
    tuner.choose(problem(1000, 1000, 1000)); // same class as `big`
    expect(tuner.pendingCount).toBe(2);
    const results = await tuner.tunePending();
    expect(results.map((r) => r.winner)).toEqual(['smem4-32x32-k8', 'reg4-16x16']);
    expect(timer.calls).toHaveLength(2 * MATMUL_CANDIDATES.length);
    expect(tuner.choose(big).name).toBe('smem4-32x32-k8');
    expect(tuner.choose(small).name).toBe('reg4-16x16');
    expect(await tuner.tunePending()).toEqual([]);
    expect(timer.calls).toHaveLength(2 * MATMUL_CANDIDATES.length);
  });

  test('when no candidate can run, the class keeps the fixed rule', async () => {
    const tuner = new MatmulTuner(MATMUL_CANDIDATES, 'k', fakeTimer(() => null), fallback);
    const p = problem(300, 200, 100);
    expect((await tuner.tune(p)).winner).toBe(fallback(p).name);
  });
});

describe('shape classes and limits', () => {
  test('classes separate transposes, powers of two, vec4 alignment and batching', () => {
    expect(shapeClass(problem(500, 508, 300))).toBe(shapeClass(problem(512, 512, 260)));
    expect(shapeClass(problem(512, 512, 256))).not.toBe(shapeClass(problem(512, 512, 257)));
    expect(shapeClass(problem(512, 512, 512))).not.toBe(shapeClass(problem(512, 512, 512, { transA: true })));
    expect(shapeClass(problem(512, 512, 512))).not.toBe(shapeClass(problem(512, 512, 512, { batch: 3 })));
    expect(shapeClass(problem(8192, 8192, 8192))).toBe(shapeClass(problem(16384, 8192, 8192)));
  });

  test('candidates that exceed a device limit are left out', () => {
    const roomy = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256 };
    expect(candidatesWithin(roomy)).toHaveLength(MATMUL_CANDIDATES.length);
    const small = { ...roomy, maxComputeInvocationsPerWorkgroup: 64 };
    expect(candidatesWithin(small).every((c) => (c.kind === 'blocked' ? c.tile.x * c.tile.y : c.x * c.y) <= 64)).toBe(true);
    expect(candidatesWithin({ ...roomy, maxComputeWorkgroupStorageSize: 4096 }).some((c) => c.name === 'smem8-128x128-k8')).toBe(false);
  });
});

describe('the winners cache', () => {
  const fastShared = (c: MatmulCandidate) => (c.name === 'smem8-64x64-k8' ? 1 : 2);

  test('a second tuner on the same adapter reuses the cached winner without timing', async () => {
    const cache = new MemoryTuneCache();
    const key = adapterKey(SWIFTSHADER);
    await new MatmulTuner(MATMUL_CANDIDATES, key, fakeTimer(fastShared), fallback, cache).tune(problem(256, 256, 256));
    const timer = fakeTimer(() => 1);
    const again = new MatmulTuner(MATMUL_CANDIDATES, key, timer, fallback, cache);
    await again.ready();
    expect(again.choose(problem(256, 256, 256)).name).toBe('smem8-64x64-k8');
    expect(again.pendingCount).toBe(0);
    expect(await again.tunePending()).toEqual([]);
    expect(timer.calls).toEqual([]);
  });

  test('a changed adapter description (a driver update) or another adapter misses the cache and tunes anew', async () => {
    const cache = new MemoryTuneCache();
    await new MatmulTuner(MATMUL_CANDIDATES, adapterKey(SWIFTSHADER), fakeTimer(fastShared), fallback, cache).tune(problem(256, 256, 256));
    for (const other of [
      { ...SWIFTSHADER, description: 'SwiftShader Device (LLVM 16.0.0)' },
      { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200 555.42' },
    ]) {
      expect(adapterKey(other)).not.toBe(adapterKey(SWIFTSHADER));
      const timer = fakeTimer((c) => (c.name === 'reg8-64x64' ? 1 : 2));
      const tuner = new MatmulTuner(MATMUL_CANDIDATES, adapterKey(other), timer, fallback, cache);
      await tuner.ready();
      const p = problem(256, 256, 256);
      expect(tuner.choose(p)).toEqual(fallback(p));
      await tuner.tunePending();
      expect(timer.calls).toHaveLength(MATMUL_CANDIDATES.length);
      expect(tuner.choose(p).name).toBe('reg8-64x64');
    }
    // The first adapter's record is untouched.
    expect(Object.values(await cache.load(adapterKey(SWIFTSHADER)))).toEqual(['smem8-64x64-k8']);
  });

  test('a cached name that is no longer a candidate is ignored', async () => {
    const cache = new MemoryTuneCache();
    await cache.save('k', { [shapeClass(problem(64, 64, 64))]: 'gone-kernel' });
    const tuner = new MatmulTuner(MATMUL_CANDIDATES, 'k', fakeTimer(() => 1), fallback, cache);
    await tuner.ready();
    expect(tuner.choose(problem(64, 64, 64))).toEqual(fallback(problem(64, 64, 64)));
  });

  test('the CLI cache file keeps one record per adapter and survives a corrupt file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tune-cache-'));
    const file = path.join(dir, 'nested', 'matmul-tune.json');
    const a = new FileTuneCache(file);
    await a.save('adapter-1', { c1: 'reg8-64x64' });
    await a.save('adapter-2', { c1: 'smem8-64x64-k8' });
    const b = new FileTuneCache(file);
    expect(await b.load('adapter-1')).toEqual({ c1: 'reg8-64x64' });
    expect(await b.load('adapter-2')).toEqual({ c1: 'smem8-64x64-k8' });
    expect(await b.load('adapter-3')).toEqual({});
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
    writeFileSync(file, '{not json');
    expect(await new FileTuneCache(file).load('adapter-1')).toEqual({});
    await new FileTuneCache(file).save('adapter-1', { c2: 'reg4-32x32' });
    expect(await new FileTuneCache(file).load('adapter-1')).toEqual({ c2: 'reg4-32x32' });
  });
});
