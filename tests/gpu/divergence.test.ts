/**
 * Divergence on WebGPU as the app judges it (lesson 5's exploding-gradient link): a 20-layer linear net with gain
 * 1.6 and no clipping blows up within a few steps. WebGPU's norm and loss kernels can turn NaN into finite figures
 * (WGSL's max and clamp may drop a NaN), so the app must take the trainer's verdict from every update's gradient
 * norm, as the CLI does; the run is then marked diverged at the same exact step as on the CPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { stepLikeTheApp } from '../unit/app-steps.js';
import { getTestGPU } from './setup-dawn.js';

let gpu: Backend;
beforeAll(async () => {
  gpu = await createWebGPUBackend({ gpu: await getTestGPU() });
});
afterAll(() => gpu?.destroy());

/** The URL: run 1 without clipping diverges, run 2 is clipped to norm 1 and trains on. */
const EXPLODING_LINEAR = 'dataset=circle&depth=20&width=32&lr=0.05&batch=0&logEvery=10&dtype=f32&act=linear,linear&init=xavier,xavier&gain=1.6,1.6&clip=none,norm:1';

describe('an exploding linear net in the app', () => {
  it('is marked diverged on WebGPU at the same step as on the CPU, and the clipped run trains on', async () => {
    const onCpu = await stepLikeTheApp(createCpuBackend({ dtype: 'f32' }), EXPLODING_LINEAR, 20);
    const onGpu = await stepLikeTheApp(gpu, EXPLODING_LINEAR, 20);
    expect(onCpu[0]!.status).toBe('diverged');
    expect(onCpu[0]!.divergedAt).toBeGreaterThan(0);
    for (const [name, runs] of [['cpu', onCpu], ['webgpu', onGpu]] as const) {
      const [r1, r2] = runs;
      expect(r1!.status, name).toBe('diverged');
      expect(r1!.divergedAt, name).toBe(onCpu[0]!.divergedAt);
      expect(r1!.records.map((r) => r.step), name).toEqual([0]);
      expect(r2!.status, name).toBe('active');
      expect(r2!.records.at(-1)!.step, name).toBe(19);
      expect(r2!.records.every((r) => Number.isFinite(r.loss) && Number.isFinite(r.gradNormTotal)), name).toBe(true);
    }
  });
});
