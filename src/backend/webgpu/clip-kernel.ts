/**
 * TS twin of the clip_stats and clip_factors entry points of shaders/update.wgsl: per batch entry, the global
 * gradient norm over every gradient of an update (and the count of entries beyond the clip value), then the
 * factor min(1, max/‖g‖) into a scratch buffer that the update kernel reads — no readback.
 */
import type { ClipRule, UpdateRule } from '../backend.js';
import { ceilDiv } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';
import { elementOffset, groupIndices, spanOf } from './tensor-groups.js';

/** Invocations per workgroup. */
const WG = 64;
/** CLIP override codes. */
export const CLIP_CODE = { none: 0, norm: 1, value: 2 } as const;

/** Scratch layout for `batch` entries and `tensors` gradients: 3 partial stats per (b, i, invocation), then one factor per b. */
export function clipScratchLayout(batch: number, tensors: number): { factorOffset: number; bytes: number } {
  const factorOffset = 3 * WG * batch * tensors;
  return { factorOffset, bytes: (factorOffset + batch) * 4 };
}

/** Owns the clipping pipelines. */
export class ClipKernel {
  private readonly statsLayout: GPUBindGroupLayout;
  private readonly factorsLayout: GPUBindGroupLayout;
  private readonly uniform = new Uint32Array(8);
  private table = new Uint32Array(64);
  private readonly bits = new Uint32Array(1);
  private readonly float = new Float32Array(this.bits.buffer);

  constructor(private readonly ctx: KernelContext) {
    this.statsLayout = bindGroupLayout(ctx.device, 'clip_stats', ['tensor', 'aux', 'tensor', 'uniform']);
    this.factorsLayout = bindGroupLayout(ctx.device, 'clip_factors', ['tensor', 'aux', 'tensor', 'uniform']);
  }

  /**
   * Record the statistics of `grads` (all of batch `batch`) and the per-entry factors into `scratch`; with
   * `rule.report`, also the norm and factor (or clipped share) into the metrics tensor.
   */
  run(params: readonly GPUTensor[], grads: readonly GPUTensor[], batch: number, rule: UpdateRule, scratch: GPUBuffer): void {
    const clip = rule.clip;
    const report = rule.report ? (rule.report.metrics as GPUTensor) : null;
    const code = CLIP_CODE[clip?.kind ?? 'none'];
    const T = grads.length;
    const { bytes } = clipScratchLayout(batch, T);
    const scratchBinding: GPUBufferBinding = { buffer: scratch, offset: 0, size: Math.ceil(bytes / 16) * 16 };
    const statsPipeline = this.ctx.pipelines.get('update', 'clip_stats', this.statsLayout, { WG });
    const groups = groupIndices(grads, (g) => g.storage.id, () => false);
    for (const group of groups) {
      const members = group.map((i) => grads[i]!);
      const span = spanOf(members);
      const count = group.length * batch;
      this.ensureTable(count * 4);
      let e = 0;
      for (const i of group) {
        const g = grads[i]!;
        const per = g.shape.rows * g.shape.cols;
        for (let b = 0; b < batch; b++, e++) {
          this.table.set([elementOffset(g, span) + b * per, per, 3 * WG * (b * T + i), this.maxBits(clip, b)], e * 4);
        }
      }
      this.uniform.set([count, batch, T, 0, 0, 0, 0, 0]);
      const bound = [...params, ...members];
      const key = siteKey('clip_stats', bound, code, group.join('.'));
      const bindGroup = this.ctx.sites.bind(key, bound.map((t) => t.id), this.uniform, this.table, count * 4, (uniform, aux) =>
        this.ctx.device.createBindGroup({
          layout: this.statsLayout,
          entries: entries([], { buffer: span.buffer, offset: span.byteOffset, size: span.byteSize }, { buffer: aux! }, scratchBinding, { buffer: uniform }),
        }),
      );
      dispatchLinear(this.ctx, statsPipeline, bindGroup, count);
    }
    this.ensureTable(batch);
    for (let b = 0; b < batch; b++) this.table[b] = this.maxBits(clip, b);
    const elements = grads.reduce((n, g) => n + g.shape.rows * g.shape.cols, 0);
    this.uniform.set([0, batch, T, report ? 1 : 0, report ? report.shape.cols : 0, report ? rule.report!.col : 0, elements, 0]);
    const factorsPipeline = this.ctx.pipelines.get('update', 'clip_factors', this.factorsLayout, { WG, CLIP: code });
    const bound = report ? [...params, ...grads, report] : [...params, ...grads];
    const metricsBinding: GPUBufferBinding = report ? report.binding() : { buffer: this.ctx.dummy, offset: 0, size: 16 };
    const key = siteKey('clip_factors', bound, code, report ? 'report' : '');
    const bindGroup = this.ctx.sites.bind(key, bound.map((t) => t.id), this.uniform, this.table, batch, (uniform, aux) =>
      this.ctx.device.createBindGroup({
        layout: this.factorsLayout,
        entries: entries([], metricsBinding, { buffer: aux! }, scratchBinding, { buffer: uniform }),
      }),
    );
    dispatchLinear(this.ctx, factorsPipeline, bindGroup, ceilDiv(batch, WG));
  }

  private maxBits(clip: ClipRule | undefined, b: number): number {
    this.float[0] = clip ? (clip.max.length === 1 ? clip.max[0]! : clip.max[b]!) : Infinity;
    return this.bits[0]!;
  }

  private ensureTable(words: number): void {
    if (this.table.length < words) this.table = new Uint32Array(2 ** Math.ceil(Math.log2(words)));
  }
}
