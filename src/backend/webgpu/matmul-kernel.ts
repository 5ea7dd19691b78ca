/** TS twin of shaders/matmul.wgsl: batched, register-blocked matrix product with fused epilogues. */
import type { ActivationName } from '../../core/activations.js';
import type { MatmulOptions } from '../backend.js';
import { MAX_ACTIVATION_BATCH, packActivationCodes } from './activation-codes.js';
import { ceilDiv } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';

/** Words of the matmul uniform: 8 scalars + 64 activation codes. */
export const MATMUL_PARAM_WORDS = 8 + MAX_ACTIVATION_BATCH;

/** Epilogue codes of the EPILOGUE override. */
const EPILOGUE_CODE = { none: 0, bias_act: 1, act_grad: 2 } as const;

/** Sizes and strides of one batched product. */
export interface MatmulGeometry {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
  readonly biasBatchStride: number;
  readonly tilesN: number;
  readonly tilesTotal: number;
}

/** Invocations per workgroup along x (columns) and y (rows); each invocation computes 4×4 outputs. */
export interface MatmulTile {
  readonly x: number;
  readonly y: number;
}

/** Geometry of out = op(A)·op(B), checking every shape; throws on a mismatch. */
export function matmulGeometry(a: GPUTensor, b: GPUTensor, out: GPUTensor, opts: MatmulOptions, tile: MatmulTile): MatmulGeometry {
  const [m, k] = opts.transA ? [a.shape.cols, a.shape.rows] : [a.shape.rows, a.shape.cols];
  const [k2, n] = opts.transB ? [b.shape.cols, b.shape.rows] : [b.shape.rows, b.shape.cols];
  const batch = out.shape.batch;
  const fmt = (t: GPUTensor): string => `[${t.shape.batch}, ${t.shape.rows}, ${t.shape.cols}]`;
  if (k !== k2 || out.shape.rows !== m || out.shape.cols !== n) {
    throw new Error(
      `matmul shape mismatch: op(A) ${m}×${k}, op(B) ${k2}×${n}, out ${fmt(out)} (transA=${!!opts.transA}, transB=${!!opts.transB}).`,
    );
  }
  for (const [name, t] of [['A', a], ['B', b]] as const) {
    if (t.shape.batch !== batch && t.shape.batch !== 1) {
      throw new Error(`matmul: ${name} has batch ${t.shape.batch}; expected 1 or out's batch ${batch}.`);
    }
  }
  let biasBatchStride = 0;
  const ep = opts.epilogue;
  if (ep?.kind === 'bias_act') {
    const s = (ep.bias as GPUTensor).shape;
    if (s.rows !== 1 || s.cols !== n || (s.batch !== batch && s.batch !== 1)) {
      throw new Error(`matmul: bias ${fmt(ep.bias as GPUTensor)} does not match [${batch}, 1, ${n}].`);
    }
    biasBatchStride = s.batch === 1 ? 0 : n;
  } else if (ep?.kind === 'act_grad') {
    const s = (ep.act as GPUTensor).shape;
    if (s.batch !== batch || s.rows !== m || s.cols !== n) {
      throw new Error(`matmul: stored activations ${fmt(ep.act as GPUTensor)} do not match out ${fmt(out)}.`);
    }
  }
  const tilesN = ceilDiv(n, 4 * tile.x);
  return {
    m,
    n,
    k,
    batch,
    aBatchStride: a.shape.batch === 1 ? 0 : m * k,
    bBatchStride: b.shape.batch === 1 ? 0 : k * n,
    biasBatchStride,
    tilesN,
    tilesTotal: tilesN * ceilDiv(m, 4 * tile.y),
  };
}

/** Pack the matmul uniform (geometry, then one activation code per batch entry) into `out`. */
export function packMatmulParams(
  g: MatmulGeometry,
  activations: readonly ActivationName[] | null,
  out: Uint32Array = new Uint32Array(MATMUL_PARAM_WORDS),
): Uint32Array {
  out.set([g.m, g.n, g.k, g.tilesN, g.tilesTotal, g.aBatchStride, g.bBatchStride, g.biasBatchStride]);
  if (activations) packActivationCodes(activations, g.batch, out, 8);
  else out.fill(0, 8);
  return out;
}

/** 8×8 invocations (32×32 outputs per workgroup) for large outputs. */
const LARGE_TILE: MatmulTile = { x: 8, y: 8 };
/** 4×4 invocations (16×16 outputs) when large tiles would leave the device with few workgroups. */
const SMALL_TILE: MatmulTile = { x: 4, y: 4 };
/** Fewest workgroups (over the whole batch) worth keeping large tiles for. */
const MIN_LARGE_WORKGROUPS = 16;

/** The tile for an m×n output of `batch` entries: large tiles unless they would give too few workgroups. */
export function chooseTile(m: number, n: number, batch: number): MatmulTile {
  const large = ceilDiv(m, 4 * LARGE_TILE.y) * ceilDiv(n, 4 * LARGE_TILE.x) * batch;
  return large >= MIN_LARGE_WORKGROUPS ? LARGE_TILE : SMALL_TILE;
}

/** Owns the matmul pipelines (one per transA/transB/vec4/epilogue/tile specialisation) and their dispatch. */
export class MatmulKernel {
  private readonly layout: GPUBindGroupLayout;
  private readonly params = new Uint32Array(MATMUL_PARAM_WORDS);

  constructor(private readonly ctx: KernelContext) {
    this.layout = bindGroupLayout(ctx.device, 'matmul', ['tensor', 'tensor', 'tensor', 'tensor', 'tensor', 'uniform']);
  }

  /**
   * Record out = epilogue(op(A)·op(B)). Returns true when some batch entry's activation is softmax: the
   * caller must then normalise out's rows (the kernel wrote z + bias for those entries).
   */
  run(a: GPUTensor, b: GPUTensor, out: GPUTensor, opts: MatmulOptions = {}): boolean {
    const ep = opts.epilogue ?? { kind: 'none' as const };
    const extra = ep.kind === 'bias_act' ? (ep.bias as GPUTensor) : ep.kind === 'act_grad' ? (ep.act as GPUTensor) : null;
    for (const t of [a, b, extra]) {
      if (t === out) throw new Error('matmul: the output tensor must differ from every input.');
    }
    const [m, n] = [opts.transA ? a.shape.cols : a.shape.rows, opts.transB ? b.shape.rows : b.shape.cols];
    const tile = chooseTile(m, n, out.shape.batch);
    const g = matmulGeometry(a, b, out, opts, tile);
    if (g.batch > this.ctx.maxWorkgroupsPerDimension) throw new Error(`matmul: batch ${g.batch} exceeds the dispatch limit.`);
    const activations = ep.kind === 'none' ? null : ep.activations;
    packMatmulParams(g, activations, this.params);
    const transA = !!opts.transA;
    const transB = !!opts.transB;
    const pipeline = this.ctx.pipelines.get('matmul', 'main', this.layout, {
      TRANS_A: Number(transA),
      TRANS_B: Number(transB),
      VEC_A: Number((transA ? g.m : g.k) % 4 === 0),
      VEC_B: Number((transB ? g.k : g.n) % 4 === 0),
      EPILOGUE: EPILOGUE_CODE[ep.kind],
      WG_X: tile.x,
      WG_Y: tile.y,
    });
    const tensors = extra ? [a, b, out, extra] : [a, b, out];
    const key = siteKey('matmul', tensors, transA, transB, ep.kind, tile.x);
    const bindGroup = this.ctx.sites.bind(key, tensors.map((t) => t.id), this.params, null, 0, (uniform) =>
      this.ctx.device.createBindGroup({
        layout: this.layout,
        entries: entries(
          [a, b, out],
          this.extraBinding(ep.kind, extra, 3),
          this.extraBinding(ep.kind, extra, 4),
          { buffer: uniform },
        ),
      }),
    );
    dispatchLinear(this.ctx, pipeline, bindGroup, g.tilesTotal, g.batch);
    return ep.kind === 'bias_act' && ep.activations.some((name) => name === 'softmax');
  }

  private extraBinding(kind: 'none' | 'bias_act' | 'act_grad', extra: GPUTensor | null, binding: 3 | 4): GPUBufferBinding {
    const wanted = binding === 3 ? 'bias_act' : 'act_grad';
    if (kind === wanted && extra) return extra.binding();
    // Two disjoint ranges of the dummy buffer: writable bindings must not overlap.
    return { buffer: this.ctx.dummy, offset: binding === 3 ? 0 : 256, size: 16 };
  }
}
