/** TS twin of shaders/elementwise.wgsl: row-wise softmax, row gathering, residual sums and activation derivatives. */
import type { ActivationName, HiddenActivation } from '../../core/activations.js';
import { dropoutScale, dropoutThreshold } from '../../core/dropout-mask.js';
import type { DropoutMask } from '../backend.js';
import { MAX_ACTIVATION_BATCH, packActivationCodes } from './activation-codes.js';
import { ceilDiv } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';

/** Invocations per workgroup of the elementwise kernels. */
const WG = 64;

/** Owns the softmax_rows, gather_rows, add_into, act_grad and activate_into pipelines. */
export class ElementwiseKernels {
  private readonly softmaxLayout: GPUBindGroupLayout;
  private readonly gatherLayout: GPUBindGroupLayout;
  private readonly pairLayout: GPUBindGroupLayout;
  private readonly softmaxParams = new Uint32Array(4 + MAX_ACTIVATION_BATCH);
  private readonly gatherParams = new Uint32Array(4);
  private readonly addParams = new Uint32Array(4);
  private readonly actGradParams = new Uint32Array(4 + MAX_ACTIVATION_BATCH);
  private readonly activateParams = new Uint32Array(4 + MAX_ACTIVATION_BATCH);
  /** MaskParams: total, per_batch, 2 pad, then keys, thresholds and scales (f32) of up to MAX_ACTIVATION_BATCH entries. */
  private readonly maskParams = new Uint32Array(4 + 3 * MAX_ACTIVATION_BATCH);
  private readonly maskScales = new Float32Array(this.maskParams.buffer, 4 * (4 + 2 * MAX_ACTIVATION_BATCH), MAX_ACTIVATION_BATCH);

  constructor(private readonly ctx: KernelContext) {
    this.softmaxLayout = bindGroupLayout(ctx.device, 'softmax_rows', ['tensor', 'uniform']);
    this.gatherLayout = bindGroupLayout(ctx.device, 'gather_rows', ['tensor', 'tensor', 'aux', 'uniform']);
    this.pairLayout = bindGroupLayout(ctx.device, 'add_into/act_grad', ['tensor', 'tensor', 'uniform']);
  }

  /** Row-wise softmax in place, of every batch entry, or only of those whose activation is softmax. */
  softmaxRows(t: GPUTensor, activations: readonly ActivationName[] | null = null): void {
    const { batch, rows, cols } = t.shape;
    if (cols === 0 || rows === 0) return;
    const p = this.softmaxParams;
    p.set([batch * rows, cols, rows, activations ? 0 : 1]);
    if (activations) packActivationCodes(activations, batch, p, 4);
    else p.fill(0, 4);
    const pipeline = this.ctx.pipelines.get('elementwise', 'softmax_rows', this.softmaxLayout, { WG });
    const bindGroup = this.ctx.sites.bind(siteKey('softmax', [t]), [t.id], p, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.softmaxLayout, entries: entries([t], { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(batch * rows, WG));
  }

  /** out[b, i, :] = src[b | 0, rows[i], :]; the indices are uploaded into the call site's index buffer. */
  gatherRows(src: GPUTensor, rows: Uint32Array, out: GPUTensor): void {
    const { batch, rows: n, cols } = out.shape;
    if (src.shape.cols !== cols || rows.length !== n || (src.shape.batch !== batch && src.shape.batch !== 1)) {
      throw new Error(
        `gatherRows: ${rows.length} rows of src [${src.shape.batch}, ${src.shape.rows}, ${src.shape.cols}] ` +
          `do not fit out [${batch}, ${n}, ${cols}].`,
      );
    }
    if (src === out) throw new Error('gatherRows: out must differ from src.');
    for (let i = 0; i < rows.length; i++) {
      if (rows[i]! >= src.shape.rows) throw new Error(`gatherRows: row index ${rows[i]} out of range (${src.shape.rows} rows).`);
    }
    const total = batch * n * cols;
    if (total === 0) return;
    const p = this.gatherParams;
    p.set([total, cols, n, src.shape.batch === 1 ? 0 : src.shape.rows * cols]);
    const pipeline = this.ctx.pipelines.get('elementwise', 'gather_rows', this.gatherLayout, { WG });
    const indices = rows as Uint32Array<ArrayBuffer>;
    const bindGroup = this.ctx.sites.bind(siteKey('gather', [src, out]), [src.id, out.id], p, indices, n, (uniform, aux) =>
      this.ctx.device.createBindGroup({
        layout: this.gatherLayout,
        entries: entries([src, out], { buffer: aux! }, { buffer: uniform }),
      }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(total, WG));
  }

  /** dst[b] ← dst[b] + src[b | 0] (src of dst's shape, or of batch 1 broadcast over the batch). */
  addInto(dst: GPUTensor, src: GPUTensor): void {
    const { batch, rows, cols } = dst.shape;
    const s = src.shape;
    if (s.rows !== rows || s.cols !== cols || (s.batch !== batch && s.batch !== 1)) {
      throw new Error(`addInto: src [${s.batch}, ${s.rows}, ${s.cols}] does not match dst [${batch}, ${rows}, ${cols}].`);
    }
    if (src === dst) throw new Error('addInto: src must differ from dst.');
    const per = rows * cols;
    const total = batch * per;
    if (total === 0) return;
    this.addParams.set([total, per, s.batch === 1 ? 0 : per, 0]);
    this.pair('add_into', src, dst, this.addParams, total);
  }

  /** t ← t ⊙ φ_b′ written through the stored activations `act` (same shape as t); with `fromInput`, `act` holds z. */
  actGrad(t: GPUTensor, act: GPUTensor, activations: readonly HiddenActivation[], fromInput = false): void {
    const { batch, rows, cols } = t.shape;
    const a = act.shape;
    if (a.batch !== batch || a.rows !== rows || a.cols !== cols) {
      throw new Error(`actGradInPlace: act [${a.batch}, ${a.rows}, ${a.cols}] does not match t [${batch}, ${rows}, ${cols}].`);
    }
    if (act === t) throw new Error('actGradInPlace: act must differ from t.');
    const per = rows * cols;
    const total = batch * per;
    packActivationCodes(activations, batch, this.actGradParams, 4, fromInput);
    if (total === 0) return;
    this.actGradParams.set([total, per, 0, 0]);
    this.pair('act_grad', act, t, this.actGradParams, total);
  }

  /** out ← φ_b(z), elementwise (same shape). */
  activateInto(z: GPUTensor, out: GPUTensor, activations: readonly HiddenActivation[]): void {
    const { batch, rows, cols } = z.shape;
    const o = out.shape;
    if (o.batch !== batch || o.rows !== rows || o.cols !== cols) {
      throw new Error(`activateInto: out [${o.batch}, ${o.rows}, ${o.cols}] does not match z [${batch}, ${rows}, ${cols}].`);
    }
    if (z === out) throw new Error('activateInto: out must differ from z.');
    const per = rows * cols;
    const total = batch * per;
    packActivationCodes(activations, batch, this.activateParams, 4);
    if (total === 0) return;
    this.activateParams.set([total, per, 0, 0]);
    this.pair('activate_into', z, out, this.activateParams, total);
  }

  /** dst ← src ⊙ inverted-dropout mask (Backend.dropout); in place when dst is src. */
  dropout(src: GPUTensor, dst: GPUTensor, mask: DropoutMask): void {
    const { batch, rows, cols } = dst.shape;
    const s = src.shape;
    if (s.batch !== batch || s.rows !== rows || s.cols !== cols) {
      throw new Error(`dropout: src [${s.batch}, ${s.rows}, ${s.cols}] does not match dst [${batch}, ${rows}, ${cols}].`);
    }
    if (batch > MAX_ACTIVATION_BATCH) throw new Error(`dropout supports at most ${MAX_ACTIVATION_BATCH} batch entries, got ${batch}.`);
    if (mask.keys.length !== batch || mask.rates.length !== batch) throw new Error(`dropout: ${batch} keys and rates are needed, got ${mask.keys.length} and ${mask.rates.length}.`);
    const per = rows * cols;
    const total = batch * per;
    if (total === 0) return;
    const p = this.maskParams;
    p.fill(0);
    p.set([total, per, 0, 0]);
    for (let b = 0; b < batch; b++) {
      const rate = mask.rates[b]!;
      p[4 + b] = mask.keys[b]! >>> 0;
      p[4 + MAX_ACTIVATION_BATCH + b] = dropoutThreshold(rate);
      this.maskScales[b] = dropoutScale(rate);
    }
    if (src !== dst) {
      this.pair('dropout', src, dst, p, total);
      return;
    }
    const pipeline = this.ctx.pipelines.get('elementwise', 'dropout_in_place', this.softmaxLayout, { WG });
    const bindGroup = this.ctx.sites.bind(siteKey('dropout_in_place', [dst]), [dst.id], p, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.softmaxLayout, entries: entries([dst], { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(total, WG));
  }

  /** One invocation per element of dst, reading src (bindings 0 and 1) under the uniform `params`. */
  private pair(entry: 'add_into' | 'act_grad' | 'activate_into' | 'dropout', src: GPUTensor, dst: GPUTensor, params: Uint32Array<ArrayBuffer>, total: number): void {
    const pipeline = this.ctx.pipelines.get('elementwise', entry, this.pairLayout, { WG });
    const bindGroup = this.ctx.sites.bind(siteKey(entry, [src, dst]), [src.id, dst.id], params, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.pairLayout, entries: entries([src, dst], { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(total, WG));
  }
}
