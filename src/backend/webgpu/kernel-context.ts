/** What every kernel twin shares: device, recorder, call-site caches, pipeline cache and helpers. */
import type { CallSites } from './call-sites.js';
import { workgroupGrid } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import type { CommandRecorder } from './recorder.js';
import { SHADERS, type ShaderFamily } from './shaders.js';

/** Compiled pipelines keyed by a string naming every specialisation (entry point, overrides). */
export class PipelineCache {
  private readonly modules = new Map<ShaderFamily, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline of `entryPoint` in `family` with `constants`, compiled once per distinct key. */
  get(
    family: ShaderFamily,
    entryPoint: string,
    layout: GPUBindGroupLayout,
    constants: Record<string, number>,
  ): GPUComputePipeline {
    const key = `${family}:${entryPoint}:${Object.entries(constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: this.module(family), entryPoint, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Number of compiled pipelines (for tests of loop hygiene). */
  get size(): number {
    return this.pipelines.size;
  }

  private module(family: ShaderFamily): GPUShaderModule {
    let m = this.modules.get(family);
    if (!m) {
      m = this.device.createShaderModule({ label: family, code: SHADERS[family] });
      this.modules.set(family, m);
    }
    return m;
  }
}

/** Kinds of bindings in a kernel's bind-group layout. */
export type BindingKind = 'tensor' | 'aux' | 'uniform';

/** A bind-group layout from binding kinds: tensors are read-write storage (tensors of one buffer may meet in one dispatch). */
export function bindGroupLayout(device: GPUDevice, label: string, kinds: readonly BindingKind[]): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label,
    entries: kinds.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'aux' ? 'read-only-storage' : 'storage' },
    })),
  });
}

/** Shared state handed to every kernel twin. */
export interface KernelContext {
  readonly device: GPUDevice;
  readonly recorder: CommandRecorder;
  readonly sites: CallSites;
  readonly pipelines: PipelineCache;
  /** A 1024-byte storage buffer bound (at offsets 0, 256, 512, 768) where a kernel variant ignores a binding. */
  readonly dummy: GPUBuffer;
  readonly maxWorkgroupsPerDimension: number;
}

/** Dispatch `total` workgroups as a 2-D grid within the per-dimension limit (z = `z`). */
export function dispatchLinear(
  ctx: KernelContext,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  total: number,
  z = 1,
): void {
  const [x, y] = workgroupGrid(total, ctx.maxWorkgroupsPerDimension);
  ctx.recorder.dispatch(pipeline, bindGroup, x, y, z);
}

/** Bind-group entries binding `tensors` (in order) followed by `extra` resources. */
export function entries(
  tensors: readonly GPUTensor[],
  ...extra: GPUBufferBinding[]
): GPUBindGroupEntry[] {
  return [...tensors.map((t) => t.binding()), ...extra].map((resource, binding) => ({ binding, resource }));
}

/** Call-site key: kernel name, tensor ids and options. */
export function siteKey(kernel: string, tensors: readonly GPUTensor[], ...options: (string | number | boolean)[]): string {
  return `${kernel}|${tensors.map((t) => t.id).join(',')}|${options.join(',')}`;
}
