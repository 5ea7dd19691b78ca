/**
 * Lesson 6's speed check: the same digit networks trained for a few steps on the CPU and on WebGPU, timed from the
 * first enqueued step to the finished work (after warm-up steps that include shader compilation).
 */
import { selectBackend } from '../../backend/select.js';
import type { Dataset } from '../../core/datasets.js';
import type { ModelSpec, ScheduleSpec } from '../../core/spec.js';
import { Trainer } from '../../train/trainer.js';
import { adapterName } from '../lab/lab-controller.js';

/** The timing of one backend, or why there is none. */
export interface SpeedResult {
  readonly request: 'cpu' | 'webgpu';
  /** Backend description (adapter name on WebGPU). */
  readonly name: string;
  /** Milliseconds per training step of both networks, or null when the backend could not run. */
  readonly msPerStep: number | null;
  /** Why no number, or a remark (a software adapter). */
  readonly note: string;
}

/** Time `steps` training steps on the requested backend (after `warmup` untimed steps). */
export async function measureSpeed(
  request: 'cpu' | 'webgpu',
  data: Dataset,
  models: readonly ModelSpec[],
  schedule: ScheduleSpec,
  steps = 30,
  warmup = 3,
  now: () => number = () => performance.now(),
): Promise<SpeedResult> {
  let selected;
  try {
    selected = await selectBackend(request, { dtype: 'f32', gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined });
  } catch (e) {
    return { request, name: request === 'webgpu' ? 'WebGPU' : 'CPU', msPerStep: null, note: `not available here: ${e instanceof Error ? e.message : String(e)}` };
  }
  const { backend } = selected;
  const trainer = new Trainer(backend, { models, data, schedule });
  try {
    for (let i = 0; i < warmup; i++) trainer.stepOnce(false);
    await backend.sync();
    const start = now();
    for (let i = 0; i < steps; i++) trainer.stepOnce(false);
    await backend.sync();
    const ms = (now() - start) / steps;
    const software = backend.info.adapter?.isFallbackAdapter === true || /swiftshader/i.test(adapterName(backend));
    return { request, name: adapterName(backend), msPerStep: ms, note: software ? 'a software (CPU-emulated) GPU: slow by design' : '' };
  } finally {
    trainer.dispose();
    backend.destroy();
  }
}
