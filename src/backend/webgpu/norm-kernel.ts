/** TS twin of shaders/norm.wgsl: batch and layer normalisation, forward (scale, shift, activation) and backward. */
import type { HiddenActivation } from '../../core/activations.js';
import type { NormKind, NormOptions } from '../backend.js';
import { MAX_ACTIVATION_BATCH, packActivationCodes } from './activation-codes.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';

/** Invocations per workgroup (one workgroup per normalised column or row); a power of two for the tree reduction. */
const WG = 64;
/** Words of the forward uniform: 12 scalars + 64 activation codes. */
export const NORM_FORWARD_WORDS = 12 + MAX_ACTIVATION_BATCH;
/** How the forward pass gets its statistics: the batch's, the batch's with a running-statistics update, the running ones. */
export const NORM_MODE = { batch: 0, update: 1, running: 2 } as const;

/** Scalars of one normalisation forward pass. */
export interface NormForwardGeometry {
  readonly rows: number;
  readonly cols: number;
  /** Normalised columns (batch norm) or rows (layer norm) over the whole batch: one workgroup each. */
  readonly lanes: number;
  /** Batch stride of γ and β: cols, or 0 when broadcast from batch 1. */
  readonly vecStride: number;
  /** Batch stride of the running statistics. */
  readonly runStride: number;
  readonly mode: (typeof NORM_MODE)[keyof typeof NORM_MODE];
  readonly eps: number;
  readonly momentum: number;
}

/** Pack the forward uniform (geometry, eps, momentum, N/(N − 1), then one activation code per batch entry) into `out` (`floats`: a view of it). */
export function packNormForwardParams(
  g: NormForwardGeometry,
  batch: number,
  activations: readonly HiddenActivation[],
  out: Uint32Array = new Uint32Array(NORM_FORWARD_WORDS),
  floats: Float32Array = new Float32Array(out.buffer, out.byteOffset, out.length),
): Uint32Array {
  out.set([g.rows, g.cols, g.lanes, g.vecStride, g.runStride, g.mode, 0, 0]);
  floats.set([g.eps, g.momentum, g.rows > 1 ? g.rows / (g.rows - 1) : 1, 0], 8);
  packActivationCodes(activations, batch, out, 12);
  return out;
}

function fmt(t: GPUTensor): string {
  return `[${t.shape.batch}, ${t.shape.rows}, ${t.shape.cols}]`;
}

/** Check that `t` is a [batch | 1, 1, cols] vector (γ, β, running statistics); returns its batch stride. */
function vectorStride(op: string, name: string, t: GPUTensor, batch: number, cols: number): number {
  const s = t.shape;
  if (s.rows !== 1 || s.cols !== cols || (s.batch !== batch && s.batch !== 1)) {
    throw new Error(`${op}: ${name} ${fmt(t)} must be [${batch}, 1, ${cols}] (or of batch 1).`);
  }
  return s.batch === 1 ? 0 : cols;
}

function checkShape(op: string, name: string, t: GPUTensor, batch: number, rows: number, cols: number): void {
  const s = t.shape;
  if (s.batch !== batch || s.rows !== rows || s.cols !== cols) throw new Error(`${op}: ${name} ${fmt(t)} must be [${batch}, ${rows}, ${cols}].`);
}

function checkDistinct(op: string, tensors: readonly GPUTensor[]): void {
  if (new Set(tensors).size !== tensors.length) throw new Error(`${op}: the tensors must be distinct.`);
}

/** Owns the norm_forward, batch_norm_backward, norm_param_grads and layer_norm_backward pipelines. */
export class NormKernel {
  private readonly forwardLayout: GPUBindGroupLayout;
  private readonly backwardLayout: GPUBindGroupLayout;
  private readonly forwardParams = new Uint32Array(NORM_FORWARD_WORDS);
  private readonly forwardFloats = new Float32Array(this.forwardParams.buffer);
  private readonly backwardParams = new Uint32Array(4);

  constructor(private readonly ctx: KernelContext) {
    this.forwardLayout = bindGroupLayout(ctx.device, 'norm_forward', [...Array<'tensor'>(8).fill('tensor'), 'uniform']);
    this.backwardLayout = bindGroupLayout(ctx.device, 'norm_backward', [...Array<'tensor'>(7).fill('tensor'), 'uniform']);
  }

  /** Record normForward of backend.ts: statistics, x̂, invStd, out = φ_b(γ ⊙ x̂ + β), running statistics. */
  forward(
    kind: NormKind,
    z: GPUTensor,
    gamma: GPUTensor,
    beta: GPUTensor,
    out: GPUTensor,
    activations: readonly HiddenActivation[],
    opts: NormOptions & { readonly xhat: GPUTensor; readonly invStd: GPUTensor },
  ): void {
    const op = 'normForward';
    const { batch, rows, cols } = z.shape;
    const layer = kind === 'layer';
    checkShape(op, 'out', out, batch, rows, cols);
    checkShape(op, 'xhat', opts.xhat, batch, rows, cols);
    checkShape(op, 'invStd', opts.invStd, batch, layer ? rows : 1, layer ? 1 : cols);
    const vecStride = vectorStride(op, 'gamma', gamma, batch, cols);
    if (vectorStride(op, 'beta', beta, batch, cols) !== vecStride) throw new Error(`${op}: gamma and beta must have the same batch.`);
    const evaluate = !layer && (opts.evaluate ?? false);
    const running = layer ? null : opts.running ?? null;
    if (evaluate && !running) throw new Error(`${op}: evaluate needs the running statistics.`);
    const mode = evaluate ? NORM_MODE.running : running ? NORM_MODE.update : NORM_MODE.batch;
    const stats = running ? [running.mean as GPUTensor, running.variance as GPUTensor] : [];
    let runStride = 0;
    if (running) {
      runStride = vectorStride(op, 'running mean', stats[0]!, batch, cols);
      if (vectorStride(op, 'running variance', stats[1]!, batch, cols) !== runStride) throw new Error(`${op}: running mean and variance must have the same batch.`);
      if (mode === NORM_MODE.update && runStride === 0 && batch > 1) throw new Error(`${op}: running statistics updated by ${batch} batch entries must have batch ${batch}.`);
      if (mode === NORM_MODE.update && rows < 2) throw new Error(`${op}: updating running statistics needs at least 2 rows.`);
    }
    const tensors = [z, gamma, beta, out, opts.xhat, opts.invStd, ...stats];
    checkDistinct(op, tensors);
    const lanes = batch * (layer ? rows : cols);
    if (rows === 0 || cols === 0 || batch === 0) return;
    const geometry = { rows, cols, lanes, vecStride, runStride, mode, eps: opts.eps, momentum: running?.momentum ?? 0 };
    packNormForwardParams(geometry, batch, activations, this.forwardParams, this.forwardFloats);
    const pipeline = this.ctx.pipelines.get('norm', 'norm_forward', this.forwardLayout, { WG, LAYER: Number(layer) });
    const key = siteKey('norm_forward', tensors, kind, mode);
    const bindGroup = this.ctx.sites.bind(key, tensors.map((t) => t.id), this.forwardParams, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({
        layout: this.forwardLayout,
        entries: entries(
          tensors.slice(0, 6),
          stats[0]?.binding() ?? this.dummy(0),
          stats[1]?.binding() ?? this.dummy(1),
          { buffer: uniform },
        ),
      }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, lanes);
  }

  /** Record normBackward of backend.ts: dγ, dβ and dz (which may be g itself). */
  backward(kind: NormKind, g: GPUTensor, xhat: GPUTensor, invStd: GPUTensor, gamma: GPUTensor, dz: GPUTensor, dGamma: GPUTensor, dBeta: GPUTensor): void {
    const op = 'normBackward';
    const { batch, rows, cols } = g.shape;
    const layer = kind === 'layer';
    checkShape(op, 'xhat', xhat, batch, rows, cols);
    checkShape(op, 'dz', dz, batch, rows, cols);
    checkShape(op, 'invStd', invStd, batch, layer ? rows : 1, layer ? 1 : cols);
    checkShape(op, 'dGamma', dGamma, batch, 1, cols);
    checkShape(op, 'dBeta', dBeta, batch, 1, cols);
    const vecStride = vectorStride(op, 'gamma', gamma, batch, cols);
    const inPlace = dz === g;
    const inputs = [g, xhat, invStd, gamma];
    checkDistinct(op, [...inputs, ...(inPlace ? [] : [dz]), dGamma, dBeta]);
    if (rows === 0 || cols === 0 || batch === 0) return;
    if (layer) {
      this.backwardPass('norm_param_grads', inputs, null, dGamma, dBeta, rows, cols, batch * cols, vecStride, {});
      this.backwardPass('layer_norm_backward', inputs, inPlace ? null : dz, dGamma, dBeta, rows, cols, batch * rows, vecStride, { IN_PLACE: Number(inPlace) });
    } else {
      this.backwardPass('batch_norm_backward', inputs, inPlace ? null : dz, dGamma, dBeta, rows, cols, batch * cols, vecStride, { IN_PLACE: Number(inPlace) });
    }
  }

  private backwardPass(
    entry: 'batch_norm_backward' | 'norm_param_grads' | 'layer_norm_backward',
    inputs: readonly GPUTensor[],
    dz: GPUTensor | null,
    dGamma: GPUTensor,
    dBeta: GPUTensor,
    rows: number,
    cols: number,
    lanes: number,
    vecStride: number,
    constants: Record<string, number>,
  ): void {
    this.backwardParams.set([rows, cols, lanes, vecStride]);
    const pipeline = this.ctx.pipelines.get('norm', entry, this.backwardLayout, { WG, ...constants });
    const bound = dz ? [...inputs, dz, dGamma, dBeta] : [...inputs, dGamma, dBeta];
    const bindGroup = this.ctx.sites.bind(siteKey(entry, bound), bound.map((t) => t.id), this.backwardParams, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({
        layout: this.backwardLayout,
        entries: entries(inputs, dz?.binding() ?? this.dummy(0), dGamma.binding(), dBeta.binding(), { buffer: uniform }),
      }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, lanes);
  }

  /** Disjoint ranges of the dummy buffer for unused bindings (writable bindings must not overlap). */
  private dummy(slot: 0 | 1): GPUBufferBinding {
    return { buffer: this.ctx.dummy, offset: slot * 256, size: 16 };
  }
}
