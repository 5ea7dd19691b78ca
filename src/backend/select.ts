/**
 * Choosing a backend: `cpu`, `webgpu` (forced), or `auto` — WebGPU on a hardware adapter, the CPU on a software
 * adapter (SwiftShader is far slower than the CPU path) or when WebGPU is missing, always with the reason.
 */
import type { Backend } from './backend.js';
import { createCpuBackend } from './cpu/cpu-backend.js';

/** The user's choice of backend. */
export type BackendRequest = 'cpu' | 'webgpu' | 'auto';

/** A chosen backend and why it was chosen. */
export interface SelectedBackend {
  readonly backend: Backend;
  /** Why this backend (e.g. "user choice", "software adapter (swiftshader) is slower than the CPU path"). */
  readonly reason: string;
}

/** Options of backend selection. */
export interface SelectOptions {
  readonly dtype: 'f32' | 'f64';
  /** The WebGPU entry point (navigator.gpu in a browser, Dawn's in Node); undefined when absent. */
  readonly gpu: GPU | undefined;
}

/** Create the requested backend; `webgpu` throws when WebGPU cannot start, `auto` falls back to the CPU. */
export async function selectBackend(request: BackendRequest, opts: SelectOptions): Promise<SelectedBackend> {
  if (request === 'cpu') return { backend: createCpuBackend({ dtype: opts.dtype }), reason: 'user choice' };
  if (!opts.gpu) {
    if (request === 'webgpu') throw new Error('WebGPU is not available here (no navigator.gpu)');
    return { backend: createCpuBackend({ dtype: opts.dtype }), reason: 'no WebGPU (navigator.gpu is missing)' };
  }
  const { createWebGPUBackend } = await import('./webgpu/webgpu-backend.js');
  if (request === 'webgpu') {
    const backend = await createWebGPUBackend({ gpu: opts.gpu, allowFallbackAdapter: true });
    return { backend, reason: 'user choice' };
  }
  try {
    const backend = await createWebGPUBackend({ gpu: opts.gpu, allowFallbackAdapter: true });
    if (backend.info.adapter?.isFallbackAdapter === true) {
      const name = `${backend.info.adapter.vendor ?? ''} ${backend.info.adapter.architecture ?? ''}`.trim();
      backend.destroy();
      return {
        backend: createCpuBackend({ dtype: opts.dtype }),
        reason: `the WebGPU adapter (${name || 'unknown'}) is a software fallback, slower than the CPU path`,
      };
    }
    return { backend, reason: 'hardware WebGPU adapter' };
  } catch (e) {
    return { backend: createCpuBackend({ dtype: opts.dtype }), reason: `WebGPU failed to start: ${(e as Error).message}` };
  }
}
