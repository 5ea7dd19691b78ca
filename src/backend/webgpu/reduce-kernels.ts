/** TS twin of shaders/reduce.wgsl: column sums, scaled norms of many tensors, activation statistics. */
import type { ActivationName } from '../../core/activations.js';
import { MAX_ACTIVATION_BATCH, packActivationCodes } from './activation-codes.js';
import { ceilDiv } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';
import { checkMetrics } from './loss-kernels.js';
import { elementOffset, groupIndices, spanOf } from './tensor-groups.js';

/** Invocations per workgroup. */
const WG = 64;

/** Owns the column_sums, norms and activation_stats pipelines. */
export class ReduceKernels {
  private readonly columnLayout: GPUBindGroupLayout;
  private readonly normsLayout: GPUBindGroupLayout;
  private readonly statsLayout: GPUBindGroupLayout;
  private readonly small = new Uint32Array(4);
  private readonly statsParams = new Uint32Array(4 + MAX_ACTIVATION_BATCH);

  constructor(private readonly ctx: KernelContext) {
    this.columnLayout = bindGroupLayout(ctx.device, 'column_sums', ['tensor', 'tensor', 'uniform']);
    this.normsLayout = bindGroupLayout(ctx.device, 'norms', ['tensor', 'aux', 'tensor', 'uniform']);
    this.statsLayout = bindGroupLayout(ctx.device, 'activation_stats', ['tensor', 'tensor', 'uniform']);
  }

  /** out[b, 0, c] = Σ_r src[b, r, c]. */
  columnSums(src: GPUTensor, out: GPUTensor): void {
    const { batch, rows, cols } = src.shape;
    const o = out.shape;
    if (o.batch !== batch || o.rows !== 1 || o.cols !== cols) {
      throw new Error(`columnSums: out [${o.batch}, ${o.rows}, ${o.cols}] must be [${batch}, 1, ${cols}].`);
    }
    if (src === out) throw new Error('columnSums: out must differ from src.');
    const total = batch * cols;
    if (total === 0) return;
    this.small.set([rows, cols, total, 0]);
    const pipeline = this.ctx.pipelines.get('reduce', 'column_sums', this.columnLayout, { WG });
    const bindGroup = this.ctx.sites.bind(siteKey('colsum', [src, out]), [src.id, out.id], this.small, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.columnLayout, entries: entries([src, out], { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(total, WG));
  }

  /** metrics[b, 0, col + i] = ‖tensors[i][b]‖₂ with power-of-two scaling; one dispatch per buffer holding the tensors. */
  normsInto(tensors: readonly GPUTensor[], metrics: GPUTensor, col: number): void {
    const batch = metrics.shape.batch;
    checkMetrics('normsInto', metrics, batch, col, tensors.length);
    tensors.forEach((t) => {
      if (t === metrics) throw new Error('normsInto: metrics must not be one of the tensors.');
      if (t.shape.batch !== batch && t.shape.batch !== 1) {
        throw new Error(`normsInto: tensor batch ${t.shape.batch} does not match metrics batch ${batch}.`);
      }
    });
    const groups = groupIndices(tensors, (t) => t.buffer, (t) => t.buffer === metrics.buffer);
    const pipeline = this.ctx.pipelines.get('reduce', 'norms', this.normsLayout, { WG });
    for (const group of groups) {
      const members = group.map((i) => tensors[i]!);
      const span = spanOf(members);
      const table = new Uint32Array(group.length * batch * 4);
      let e = 0;
      group.forEach((i) => {
        const t = tensors[i]!;
        const per = t.shape.rows * t.shape.cols;
        for (let b = 0; b < batch; b++, e++) {
          table.set([elementOffset(t, span) + (t.shape.batch === 1 ? 0 : b * per), per, b * metrics.shape.cols + col + i, 0], e * 4);
        }
      });
      this.small.set([e, 0, 0, 0]);
      const bound = [...members, metrics];
      const bindGroup = this.ctx.sites.bind(siteKey('norms', bound, col, group.join('.')), bound.map((t) => t.id), this.small, table, table.length, (uniform, aux) =>
        this.ctx.device.createBindGroup({
          layout: this.normsLayout,
          entries: entries([], { buffer: span.buffer, offset: span.byteOffset, size: span.byteSize }, { buffer: aux! }, metrics.binding(), { buffer: uniform }),
        }),
      );
      dispatchLinear(this.ctx, pipeline, bindGroup, e);
    }
  }

  /** metrics[b, 0, col..col+2] = mean, standard deviation (population) and saturated/dead share of a[b]. */
  activationStatsInto(a: GPUTensor, activations: readonly ActivationName[], metrics: GPUTensor, col: number): void {
    const { batch, rows, cols } = a.shape;
    checkMetrics('activationStatsInto', metrics, batch, col, 3);
    if (a === metrics) throw new Error('activationStatsInto: metrics must differ from a.');
    if (batch > this.ctx.maxWorkgroupsPerDimension) throw new Error(`activationStatsInto: batch ${batch} exceeds the dispatch limit.`);
    const p = this.statsParams;
    p.set([rows, cols, metrics.shape.cols, col]);
    packActivationCodes(activations, batch, p, 4);
    const pipeline = this.ctx.pipelines.get('reduce', 'activation_stats', this.statsLayout, { WG });
    const bindGroup = this.ctx.sites.bind(siteKey('stats', [a, metrics], col), [a.id, metrics.id], p, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.statsLayout, entries: entries([a, metrics], { buffer: uniform }) }),
    );
    this.ctx.recorder.dispatch(pipeline, bindGroup, batch);
  }
}
