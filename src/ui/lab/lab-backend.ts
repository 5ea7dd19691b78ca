/** Starting the lab's backend: WebGPU or the CPU as chosen, the CPU when WebGPU fails, and how the badge names it. */
import type { Backend } from '../../backend/backend.js';
import { createCpuBackend } from '../../backend/cpu/cpu-backend.js';
import { selectBackend } from '../../backend/select.js';
import type { LabSpec } from '../../core/lab-spec.js';

/** Which backend trains and why. */
export interface BackendStatus {
  readonly kind: 'cpu' | 'webgpu' | 'starting';
  /** Adapter name on WebGPU, "CPU f32" on the CPU. */
  readonly name: string;
  readonly reason: string;
}

/** The status while a backend starts. */
export const STARTING_STATUS: BackendStatus = { kind: 'starting', name: 'starting…', reason: '' };

/** A readable adapter name from a backend's info. */
export function adapterName(backend: Backend): string {
  const a = backend.info.adapter;
  if (backend.info.kind !== 'webgpu' || !a) return backend.info.description;
  const pick = (k: string) => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : null);
  return pick('description') ?? ([pick('vendor'), pick('architecture'), pick('device')].filter(Boolean).join(' ') || backend.info.description);
}

/** The WebGPU entry point of the page, or undefined. */
function pageGpu(): GPU | undefined {
  return typeof navigator !== 'undefined' ? navigator.gpu : undefined;
}

/** A started backend, why it was chosen, and a warning when WebGPU was requested but the CPU stands in. */
export interface OpenedBackend {
  readonly backend: Backend;
  readonly reason: string;
  readonly warning: string | null;
}

/** Start the backend of `choice` with the page's WebGPU; the CPU (with a warning) when WebGPU was requested and failed. */
export async function openLabBackend(choice: LabSpec['backend'], dtype: LabSpec['dtype']): Promise<OpenedBackend> {
  try {
    const { backend, reason } = await selectBackend(choice, { dtype, gpu: pageGpu() });
    return { backend, reason, warning: null };
  } catch (e) {
    const reason = `WebGPU was requested but is unavailable: ${e instanceof Error ? e.message : String(e)}`;
    return { backend: createCpuBackend({ dtype }), reason, warning: `${reason}. Training on the CPU instead.` };
  }
}
