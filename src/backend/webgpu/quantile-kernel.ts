/** TS twin of shaders/quantiles.wgsl: per batch entry, histogram quantiles of a tensor into a metrics row. */
import { QUANTILE_COUNT } from '../cpu/quantiles.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';
import { checkMetrics } from './loss-kernels.js';

/** Owns the quantiles pipeline (one workgroup of 256 per batch entry). */
export class QuantileKernel {
  private readonly layout: GPUBindGroupLayout;
  private readonly params = new Uint32Array(4);

  constructor(private readonly ctx: KernelContext) {
    this.layout = bindGroupLayout(ctx.device, 'quantiles', ['tensor', 'tensor', 'uniform']);
  }

  /** metrics[b, 0, col + i] = quantile QUANTILE_LEVELS[i] of t[b], within one histogram bin width. */
  quantilesInto(t: GPUTensor, metrics: GPUTensor, col: number): void {
    const { batch, rows, cols } = t.shape;
    checkMetrics('quantilesInto', metrics, batch, col, QUANTILE_COUNT);
    if (t === metrics) throw new Error('quantilesInto: metrics must differ from the tensor.');
    this.params.set([rows * cols, metrics.shape.cols, col, batch]);
    const pipeline = this.ctx.pipelines.get('quantiles', 'quantiles', this.layout, {});
    const bindGroup = this.ctx.sites.bind(siteKey('quantiles', [t, metrics], col), [t.id, metrics.id], this.params, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.layout, entries: entries([t, metrics], { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, batch);
  }
}
