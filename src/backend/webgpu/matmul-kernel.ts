/**
 * TS twin of shaders/matmul.wgsl and matmul-tiled.wgsl: batched matrix product with fused epilogues, register-blocked
 * (`main`) or through workgroup-shared tiles (`tiled`), the specialisation chosen per product by `choose`.
 */
import type { ActivationName } from '../../core/activations.js';
import type { MatmulOptions } from '../backend.js';
import { MAX_ACTIVATION_BATCH, packActivationCodes } from './activation-codes.js';
import { ceilDiv } from './dispatch.js';
import { defaultCandidate, outputTile, type MatmulCandidate, type MatmulProblem } from './matmul-candidates.js';
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

export { chooseTile, type MatmulTile } from './matmul-candidates.js';

/** Geometry of out = op(A)·op(B), checking every shape; throws on a mismatch. */
export function matmulGeometry(
  a: GPUTensor,
  b: GPUTensor,
  out: GPUTensor,
  opts: MatmulOptions,
  tile: { readonly rows: number; readonly cols: number },
): MatmulGeometry {
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
  const tilesN = ceilDiv(n, tile.cols);
  return {
    m,
    n,
    k,
    batch,
    aBatchStride: a.shape.batch === 1 ? 0 : m * k,
    bBatchStride: b.shape.batch === 1 ? 0 : k * n,
    biasBatchStride,
    tilesN,
    tilesTotal: tilesN * ceilDiv(m, tile.rows),
  };
}

/** Pack the matmul uniform (geometry, then one activation code per batch entry; `fromInput`: act_grad reads z) into `out`. */
export function packMatmulParams(
  g: MatmulGeometry,
  activations: readonly ActivationName[] | null,
  out: Uint32Array = new Uint32Array(MATMUL_PARAM_WORDS),
  fromInput = false,
): Uint32Array {
  out.set([g.m, g.n, g.k, g.tilesN, g.tilesTotal, g.aBatchStride, g.bBatchStride, g.biasBatchStride]);
  if (activations) packActivationCodes(activations, g.batch, out, 8, fromInput);
  else out.fill(0, 8);
  return out;
}

/** Whether colsum = column sums of B can be written by the product out = op(A)·B (a weight and bias gradient pair). */
export function canFuseColumnSums(b: GPUTensor, out: GPUTensor, opts: MatmulOptions, colsum: GPUTensor): boolean {
  const c = colsum.shape;
  return (
    (opts.epilogue ?? { kind: 'none' }).kind === 'none' &&
    !opts.transB &&
    b.shape.batch === out.shape.batch &&
    c.batch === b.shape.batch &&
    c.rows === 1 &&
    c.cols === b.shape.cols &&
    colsum !== out &&
    colsum !== b
  );
}

/** Picks the specialisation of one product (the tuner's winner, or the fixed rule). */
export type MatmulChooser = (problem: MatmulProblem) => MatmulCandidate;

/** The fixed rule: today's register-blocked kernel with chooseTile's tile. */
export const fixedRule: MatmulChooser = (p) => defaultCandidate(p.m, p.n, p.batch);

/** The problem (dimensions of op(A)·op(B), batch, transposes) of a product on these tensors. */
export function matmulProblem(a: GPUTensor, b: GPUTensor, out: GPUTensor, opts: MatmulOptions): MatmulProblem {
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const k = transA ? a.shape.rows : a.shape.cols;
  return { m: out.shape.rows, n: out.shape.cols, k, batch: out.shape.batch, transA, transB };
}

/** Overrides of a candidate's pipeline for an m×n×k product (vec4 flags and alignment computed here). */
export function candidateConstants(c: MatmulCandidate, g: MatmulGeometry, transA: boolean, transB: boolean): Record<string, number> {
  const [vecA, vecB] = [(transA ? g.m : g.k) % 4 === 0, (transB ? g.k : g.n) % 4 === 0];
  const tile = outputTile(c);
  const aligned =
    c.kind === 'blocked'
      ? vecA && vecB && g.m % c.tile.block === 0 && g.n % c.tile.block === 0 && g.k % 4 === 0
      : g.m % tile.rows === 0 && g.n % tile.cols === 0 && g.k % c.tk === 0;
  const common = { TRANS_A: Number(transA), TRANS_B: Number(transB), VEC_A: Number(vecA), VEC_B: Number(vecB), ALIGNED: Number(aligned) };
  return c.kind === 'blocked'
    ? { ...common, WG_X: c.tile.x, WG_Y: c.tile.y, BLOCK: c.tile.block }
    : { ...common, WG_X: c.x, WG_Y: c.y, TM: c.tm, TN: c.tn, TK: c.tk };
}

/** Owns the matmul pipelines (one per kernel/transA/transB/vec4/epilogue/tile specialisation) and their dispatch. */
export class MatmulKernel {
  private readonly layout: GPUBindGroupLayout;
  private readonly params = new Uint32Array(MATMUL_PARAM_WORDS);

  constructor(
    private readonly ctx: KernelContext,
    /** The specialisation of each product; replaced when tuning is switched on or off. */
    public choose: MatmulChooser = fixedRule,
  ) {
    this.layout = bindGroupLayout(ctx.device, 'matmul', ['tensor', 'tensor', 'tensor', 'tensor', 'tensor', 'uniform']);
  }

  /**
   * Record out = epilogue(op(A)·op(B)) and, with `colsum` (epilogue none, B not transposed), colsum[b, 0, c] =
   * Σ_k B[b, k, c] in the same dispatch, as `candidate` (default: `choose`'s). Returns true when some batch entry's
   * activation is softmax: the caller must then normalise out's rows (the kernel wrote z + bias for those entries).
   */
  run(
    a: GPUTensor,
    b: GPUTensor,
    out: GPUTensor,
    opts: MatmulOptions = {},
    colsum: GPUTensor | null = null,
    candidate: MatmulCandidate | null = null,
  ): boolean {
    const ep = opts.epilogue ?? { kind: 'none' as const };
    if (colsum && !canFuseColumnSums(b, out, opts, colsum)) throw new Error('matmul: column sums cannot be fused into this product.');
    const extra = ep.kind === 'bias_act' ? (ep.bias as GPUTensor) : ep.kind === 'act_grad' ? (ep.act as GPUTensor) : colsum;
    const [c, g] = this.validate(a, b, out, opts, extra, candidate);
    if (g.batch > this.ctx.maxWorkgroupsPerDimension) throw new Error(`matmul: batch ${g.batch} exceeds the dispatch limit.`);
    const activations = ep.kind === 'none' ? null : ep.activations;
    packMatmulParams(g, activations, this.params, ep.kind === 'act_grad' && ep.fromInput === true);
    const transA = !!opts.transA;
    const transB = !!opts.transB;
    const pipeline = this.ctx.pipelines.get('matmul', c.kind === 'blocked' ? 'main' : 'tiled', this.layout, {
      ...candidateConstants(c, g, transA, transB),
      EPILOGUE: EPILOGUE_CODE[ep.kind],
      COLSUM: Number(colsum !== null),
    });
    const tensors = extra ? [a, b, out, extra] : [a, b, out];
    const key = siteKey('matmul', tensors, transA, transB, ep.kind, c.name, colsum !== null);
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
    const invocations = c.kind === 'blocked' ? c.tile.x * c.tile.y : c.x * c.y;
    const colsumTiles = colsum ? ceilDiv(g.n, 4 * invocations) : 0;
    dispatchLinear(this.ctx, pipeline, bindGroup, g.tilesTotal + colsumTiles, g.batch);
    return ep.kind === 'bias_act' && ep.activations.some((name) => name === 'softmax');
  }

  /** Check operands and shapes (throws on a mismatch); returns the specialisation and geometry of the product. */
  validate(
    a: GPUTensor,
    b: GPUTensor,
    out: GPUTensor,
    opts: MatmulOptions,
    extra: GPUTensor | null = null,
    candidate: MatmulCandidate | null = null,
  ): [MatmulCandidate, MatmulGeometry] {
    for (const t of [a, b, extra]) {
      if (t === out) throw new Error('matmul: the output tensor must differ from every input.');
    }
    const first = matmulGeometry(a, b, out, opts, { rows: 1, cols: 1 });
    const c = candidate ?? this.choose(matmulProblem(a, b, out, opts));
    return [c, { ...first, ...tiling(first, outputTile(c)) }];
  }

  private extraBinding(kind: 'none' | 'bias_act' | 'act_grad', extra: GPUTensor | null, binding: 3 | 4): GPUBufferBinding {
    const wanted = binding === 3 ? 'bias_act' : 'act_grad';
    if ((kind === wanted || (kind === 'none' && binding === 3)) && extra) return extra.binding();
    // Two disjoint ranges of the dummy buffer: writable bindings must not overlap.
    return { buffer: this.ctx.dummy, offset: binding === 3 ? 0 : 256, size: 16 };
  }
}

function tiling(g: MatmulGeometry, tile: { rows: number; cols: number }): Pick<MatmulGeometry, 'tilesN' | 'tilesTotal'> {
  const tilesN = ceilDiv(g.n, tile.cols);
  return { tilesN, tilesTotal: tilesN * ceilDiv(g.m, tile.rows) };
}
