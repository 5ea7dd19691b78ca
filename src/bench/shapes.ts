/**
 * The matrix products a benchmark times: square C = A·B, and the three products of one dense layer's training
 * step for a batch of X (batch×in) and weights W (in×out): X·W (forward), δ·Wᵀ (input gradient), Xᵀ·δ
 * (weight gradient).
 */

/** Which product: plain, or with the left or right operand transposed (backprop's Xᵀ·δ and δ·Wᵀ). */
export type MatmulVariant = 'AB' | 'AtB' | 'ABt';

/** The variants, in the order of a layer's step. */
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['AB', 'ABt', 'AtB'];

/** One product op(A)·op(B) with op(A) m×k and op(B) k×n. */
export interface MatmulShape {
  /** Short name: "512" for a square size, "X·W 256x784x256" for a layer shape. */
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly variant: MatmulVariant;
  /** Samples (rows of a batch) the product processes: the batch of a layer shape, n of a square. */
  readonly samples: number;
  /** Square size when the product is n×n·n×n, else null. */
  readonly square: number | null;
}

/** A dense layer: batch rows of `inDim` features mapped to `outDim`. */
export interface LayerShape {
  readonly batch: number;
  readonly inDim: number;
  readonly outDim: number;
}

/** Floating-point operations of a product: 2·m·n·k. */
export function matmulFlops(s: MatmulShape): number {
  return 2 * s.m * s.n * s.k;
}

/** The square product n×n·n×n of a variant. */
export function squareShape(n: number, variant: MatmulVariant): MatmulShape {
  const label = variant === 'AB' ? `${n}` : `${n} ${variant}`;
  return { label, m: n, k: n, n, variant, samples: n, square: n };
}

/** The three products of a layer's training step: X·W, δ·Wᵀ and Xᵀ·δ. */
export function layerShapes(layer: LayerShape): MatmulShape[] {
  const { batch, inDim, outDim } = layer;
  const tag = `${batch}x${inDim}x${outDim}`;
  return [
    { label: `X·W ${tag}`, m: batch, k: inDim, n: outDim, variant: 'AB', samples: batch, square: null },
    { label: `δ·Wᵀ ${tag}`, m: batch, k: outDim, n: inDim, variant: 'ABt', samples: batch, square: null },
    { label: `Xᵀ·δ ${tag}`, m: inDim, k: batch, n: outDim, variant: 'AtB', samples: batch, square: null },
  ];
}

/** Parse "batch×in×out" ("256x784x256" or with ×), or null when it is not three whole numbers ≥ 1. */
export function parseLayerShape(text: string): LayerShape | null {
  const parts = text.trim().split(/\s*[x×]\s*/i);
  if (parts.length !== 3) return null;
  const v = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (v.some((x) => !Number.isSafeInteger(x) || x < 1)) return null;
  return { batch: v[0]!, inDim: v[1]!, outDim: v[2]! };
}

/** Dimensions of the stored operands: A is m×k (k×m when transposed), B is k×n (n×k when transposed). */
export function operandDims(s: MatmulShape): { a: [number, number]; b: [number, number] } {
  return {
    a: s.variant === 'AtB' ? [s.k, s.m] : [s.m, s.k],
    b: s.variant === 'ABt' ? [s.n, s.k] : [s.k, s.n],
  };
}
