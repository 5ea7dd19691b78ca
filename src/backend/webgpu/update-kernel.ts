/** TS twin of shaders/update.wgsl: one SGD dispatch per (parameter buffer, gradient buffer) pair. */
import type { UpdateRule } from '../backend.js';
import { ceilDiv, workgroupGrid } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, entries, siteKey, type KernelContext } from './kernel-context.js';
import { elementOffset, groupIndices, spanOf } from './tensor-groups.js';

/** Invocations per workgroup. */
const WG = 64;
/** Most workgroups along x per entry; invocations stride over larger tensors. */
const MAX_GROUPS_X = 256;

/** Owns the SGD pipeline; parameters allocated together with `tensors()` update in one dispatch. */
export class UpdateKernel {
  private readonly layout: GPUBindGroupLayout;
  private readonly small = new Uint32Array(4);
  private readonly lrBits = new Uint32Array(1);
  private readonly lrFloat = new Float32Array(this.lrBits.buffer);

  constructor(private readonly ctx: KernelContext) {
    this.layout = bindGroupLayout(ctx.device, 'sgd', ['tensor', 'tensor', 'aux', 'uniform']);
  }

  /** params[i] −= lr[b] · grads[i] for every parameter tensor and batch entry b. */
  run(params: readonly GPUTensor[], grads: readonly GPUTensor[], rule: UpdateRule): void {
    if (rule.kind !== 'sgd') throw new Error(`update: unknown rule '${String((rule as { kind: unknown }).kind)}'.`);
    if (params.length !== grads.length) throw new Error(`update: ${params.length} parameters but ${grads.length} gradients.`);
    params.forEach((p, i) => {
      const g = grads[i]!;
      const [ps, gs] = [p.shape, g.shape];
      if (ps.batch !== gs.batch || ps.rows !== gs.rows || ps.cols !== gs.cols) throw new Error(`update: gradient ${i} does not match its parameter's shape.`);
      if (rule.lr.length !== ps.batch && rule.lr.length !== 1) throw new Error(`update: ${rule.lr.length} learning rates for batch ${ps.batch}.`);
      if (p === g) throw new Error('update: a parameter cannot be its own gradient.');
    });
    const pairs = params.map((p, i) => [p, grads[i]!] as const);
    const groups = groupIndices(pairs, ([p, g]) => `${p.storage.id}|${g.storage.id}`, ([p, g]) => p.buffer === g.buffer);
    const pipeline = this.ctx.pipelines.get('update', 'sgd', this.layout, { WG });
    for (const group of groups) {
      const ps = group.map((i) => params[i]!);
      const gs = group.map((i) => grads[i]!);
      const [pSpan, gSpan] = [spanOf(ps), spanOf(gs)];
      const entryCount = ps.reduce((n, p) => n + p.shape.batch, 0);
      const table = new Uint32Array(entryCount * 4);
      let e = 0;
      let largest = 0;
      ps.forEach((p, j) => {
        const per = p.shape.rows * p.shape.cols;
        largest = Math.max(largest, per);
        for (let b = 0; b < p.shape.batch; b++, e++) {
          this.lrFloat[0] = rule.lr.length === 1 ? rule.lr[0]! : rule.lr[b]!;
          table.set([elementOffset(p, pSpan) + b * per, elementOffset(gs[j]!, gSpan) + b * per, per, this.lrBits[0]!], e * 4);
        }
      });
      this.small.set([entryCount, 0, 0, 0]);
      const bound = [...ps, ...gs];
      const bindGroup = this.ctx.sites.bind(siteKey('sgd', bound), bound.map((t) => t.id), this.small, table, table.length, (uniform, aux) =>
        this.ctx.device.createBindGroup({
          layout: this.layout,
          entries: entries(
            [],
            { buffer: pSpan.buffer, offset: pSpan.byteOffset, size: pSpan.byteSize },
            { buffer: gSpan.buffer, offset: gSpan.byteOffset, size: gSpan.byteSize },
            { buffer: aux! },
            { buffer: uniform },
          ),
        }),
      );
      const [y, z] = workgroupGrid(entryCount, this.ctx.maxWorkgroupsPerDimension);
      this.ctx.recorder.dispatch(pipeline, bindGroup, Math.min(MAX_GROUPS_X, this.ctx.maxWorkgroupsPerDimension, ceilDiv(largest, WG)), y, z);
    }
  }
}
