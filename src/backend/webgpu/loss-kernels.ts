/** TS twin of shaders/loss.wgsl: output-layer delta, loss value and accuracy. */
import type { OutputActivation } from '../../core/activations.js';
import { LOSS_INFO, type LossName } from '../../core/losses.js';
import { ceilDiv } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';

/** Invocations per workgroup. */
const WG = 64;
/** Loss codes of the WGSL kernels. */
const LOSS_CODE: Record<LossName, number> = { mse: 0, bce: 1, softmax_ce: 2 };

function checkPair(op: string, pred: GPUTensor, target: GPUTensor): void {
  const p = pred.shape;
  const t = target.shape;
  if (t.rows !== p.rows || t.cols !== p.cols || (t.batch !== p.batch && t.batch !== 1)) {
    throw new Error(`${op}: target [${t.batch}, ${t.rows}, ${t.cols}] does not match predictions [${p.batch}, ${p.rows}, ${p.cols}].`);
  }
}

/** Check that metrics has shape [batch, 1, ≥ col + count]. */
export function checkMetrics(op: string, metrics: GPUTensor, batch: number, col: number, count: number): void {
  const m = metrics.shape;
  if (m.batch !== batch || m.rows !== 1 || !Number.isInteger(col) || col < 0 || col + count > m.cols) {
    throw new Error(`${op}: metrics [${m.batch}, ${m.rows}, ${m.cols}] has no room for ${count} value(s) at column ${col} for batch ${batch}.`);
  }
}

/** Owns the output_delta, loss_value and accuracy pipelines. */
export class LossKernels {
  private readonly deltaLayout: GPUBindGroupLayout;
  private readonly reduceLayout: GPUBindGroupLayout;
  private readonly words = new Uint32Array(8);
  private readonly floats = new Float32Array(this.words.buffer);

  constructor(private readonly ctx: KernelContext) {
    this.deltaLayout = bindGroupLayout(ctx.device, 'output_delta', ['tensor', 'tensor', 'tensor', 'uniform']);
    this.reduceLayout = bindGroupLayout(ctx.device, 'loss_reduce', ['tensor', 'tensor', 'tensor', 'uniform']);
  }

  /** δ = ∂L/∂z of the output layer (formulas of `outputGradient` in core/losses.ts). */
  outputDelta(loss: LossName, outAct: OutputActivation, pred: GPUTensor, target: GPUTensor, delta: GPUTensor): void {
    checkPair('outputDelta', pred, target);
    if (!LOSS_INFO[loss].outputs.includes(outAct)) throw new Error(`outputDelta: loss ${loss} is not defined with a ${outAct} output.`);
    const { batch, rows: n, cols: k } = pred.shape;
    const d = delta.shape;
    if (d.batch !== batch || d.rows !== n || d.cols !== k) throw new Error('outputDelta: delta must have the shape of pred.');
    if (delta === pred || delta === target) throw new Error('outputDelta: delta must differ from pred and target.');
    const perBatch = n * k;
    if (perBatch === 0) return;
    const scale = loss === 'mse' ? 2 / perBatch : loss === 'bce' ? 1 / perBatch : 1 / n;
    this.words.set([batch * perBatch, perBatch, LOSS_CODE[loss], outAct === 'sigmoid' ? 1 : 0, 0, target.shape.batch === 1 ? 0 : perBatch, 0, 0]);
    this.floats[4] = scale;
    const pipeline = this.ctx.pipelines.get('loss', 'output_delta', this.deltaLayout, { WG });
    const tensors = [pred, target, delta];
    const bindGroup = this.ctx.sites.bind(siteKey('delta', tensors, loss, outAct), tensors.map((t) => t.id), this.words, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.deltaLayout, entries: entries(tensors, { buffer: uniform }) }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(batch * perBatch, WG));
  }

  /** metrics[b, 0, col] = loss of batch entry b. */
  lossInto(loss: LossName, pred: GPUTensor, target: GPUTensor, metrics: GPUTensor, col: number): void {
    this.reduce('loss_value', loss, pred, target, metrics, col);
  }

  /** metrics[b, 0, col] = share of rows classified right. */
  accuracyInto(pred: GPUTensor, target: GPUTensor, metrics: GPUTensor, col: number): void {
    this.reduce('accuracy', 'mse', pred, target, metrics, col);
  }

  private reduce(entry: 'loss_value' | 'accuracy', loss: LossName, pred: GPUTensor, target: GPUTensor, metrics: GPUTensor, col: number): void {
    checkPair(entry, pred, target);
    const { batch, rows: n, cols: k } = pred.shape;
    checkMetrics(entry, metrics, batch, col, 1);
    if (metrics === pred || metrics === target) throw new Error(`${entry}: metrics must differ from pred and target.`);
    this.words.set([n, k, LOSS_CODE[loss], target.shape.batch === 1 ? 0 : n * k, metrics.shape.cols, col, 0, 0]);
    const pipeline = this.ctx.pipelines.get('loss', entry, this.reduceLayout, { WG });
    const tensors = [pred, target, metrics];
    const bindGroup = this.ctx.sites.bind(siteKey(entry, tensors, loss, col), tensors.map((t) => t.id), this.words, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({ layout: this.reduceLayout, entries: entries(tensors, { buffer: uniform }) }),
    );
    if (batch > this.ctx.maxWorkgroupsPerDimension) throw new Error(`${entry}: batch ${batch} exceeds the dispatch limit.`);
    this.ctx.recorder.dispatch(pipeline, bindGroup, batch);
  }
}
