/**
 * The matmul specialisations a tuner chooses among: today's register-blocked kernel (`main` of matmul.wgsl) at three
 * tile sizes, and the workgroup-shared tiled kernel (`tiled`, matmul-tiled.wgsl) at four; the fixed rule used when
 * tuning is off; and the shape classes a choice is made for.
 */
import { ceilDiv } from './dispatch.js';

/** Invocations per workgroup along x (columns) and y (rows); each invocation computes block×block outputs. */
export interface MatmulTile {
  readonly x: number;
  readonly y: number;
  readonly block: 4 | 8;
}

/** The register-blocked kernel reading operands straight from storage. */
export interface BlockedCandidate {
  readonly name: string;
  readonly kind: 'blocked';
  readonly tile: MatmulTile;
}

/** The kernel staging TK-deep tiles of A and B in workgroup memory; each invocation holds tm×tn outputs. */
export interface SharedCandidate {
  readonly name: string;
  readonly kind: 'shared';
  readonly x: number;
  readonly y: number;
  readonly tm: 4 | 8;
  readonly tn: 4 | 8;
  readonly tk: number;
}

/** One specialisation of the matmul family. */
export type MatmulCandidate = BlockedCandidate | SharedCandidate;

/** Tiles of the blocked kernel from largest to smallest: 64×64 outputs per workgroup (8×8 blocks), 32×32, 16×16. */
const TILES: readonly MatmulTile[] = [
  { x: 8, y: 8, block: 8 },
  { x: 8, y: 8, block: 4 },
  { x: 4, y: 4, block: 4 },
];

const blocked = (tile: MatmulTile): BlockedCandidate => ({
  name: `reg${tile.block}-${tile.x * tile.block}x${tile.y * tile.block}`,
  kind: 'blocked',
  tile,
});

/** Every candidate, blocked first (a tie in timings goes to the earlier one). */
export const MATMUL_CANDIDATES: readonly MatmulCandidate[] = [
  ...TILES.map(blocked),
  { name: 'smem4-32x32-k8', kind: 'shared', x: 8, y: 8, tm: 4, tn: 4, tk: 8 },
  { name: 'smem8-64x64-k8', kind: 'shared', x: 8, y: 8, tm: 8, tn: 8, tk: 8 },
  { name: 'smem4-64x64-k16', kind: 'shared', x: 16, y: 16, tm: 4, tn: 4, tk: 16 },
  { name: 'smem8-128x128-k8', kind: 'shared', x: 16, y: 16, tm: 8, tn: 8, tk: 8 },
];

/**
 * Fewest workgroups (over the whole batch) worth keeping a larger tile for. Small: more outputs per invocation
 * pays even for products of a few workgroups (a 200×32 output runs 1.4× faster per FLOP as 64×64 tiles than
 * as 26 tiles of 16×16 on SwiftShader), and products that small are bound by launch latency on a discrete GPU.
 */
const MIN_WORKGROUPS = 4;

/** The fixed rule's tile for an m×n output of `batch` entries: the largest that still gives MIN_WORKGROUPS workgroups. */
export function chooseTile(m: number, n: number, batch: number): MatmulTile {
  for (const t of TILES) {
    if (ceilDiv(m, t.block * t.y) * ceilDiv(n, t.block * t.x) * batch >= MIN_WORKGROUPS) return t;
  }
  return TILES[TILES.length - 1]!;
}

/** The fixed rule as a candidate (the choice when tuning is off or a class is not tuned yet). */
export function defaultCandidate(m: number, n: number, batch: number): BlockedCandidate {
  return blocked(chooseTile(m, n, batch));
}

/** Rows and columns of out one workgroup computes. */
export function outputTile(c: MatmulCandidate): { rows: number; cols: number } {
  return c.kind === 'blocked'
    ? { rows: c.tile.y * c.tile.block, cols: c.tile.x * c.tile.block }
    : { rows: c.y * c.tm, cols: c.x * c.tn };
}

/** Bytes of workgroup memory a candidate declares (the two staged tiles). */
export function workgroupBytes(c: MatmulCandidate): number {
  return c.kind === 'blocked' ? 0 : c.tk * (c.y * c.tm + c.x * c.tn) * 4;
}

/** The device limits a candidate must fit. */
export type CandidateLimits = Pick<
  GPUSupportedLimits,
  'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupStorageSize' | 'maxComputeWorkgroupSizeX' | 'maxComputeWorkgroupSizeY'
>;

/** The candidates that fit a device's limits. */
export function candidatesWithin(limits: CandidateLimits, all: readonly MatmulCandidate[] = MATMUL_CANDIDATES): MatmulCandidate[] {
  return all.filter((c) => {
    const [x, y] = c.kind === 'blocked' ? [c.tile.x, c.tile.y] : [c.x, c.y];
    return (
      x * y <= limits.maxComputeInvocationsPerWorkgroup &&
      x <= limits.maxComputeWorkgroupSizeX &&
      y <= limits.maxComputeWorkgroupSizeY &&
      workgroupBytes(c) <= limits.maxComputeWorkgroupStorageSize
    );
  });
}

/** One product a choice is made for: op(A) m×k, op(B) k×n, `batch` entries. */
export interface MatmulProblem {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

const bucket = (v: number): number => 2 ** Math.min(13, Math.max(3, Math.ceil(Math.log2(Math.max(1, v)))));

/**
 * The class of products that share one choice: transposes, each dimension rounded up to a power of two (8 to 8192),
 * whether every dimension is a multiple of 4 (the vec4 loads), and whether the product is batched.
 */
export function shapeClass(p: MatmulProblem): string {
  const trans = `${p.transA ? 'T' : 'N'}${p.transB ? 'T' : 'N'}`;
  const vec = p.m % 4 === 0 && p.n % 4 === 0 && p.k % 4 === 0 ? 'v4' : 'v1';
  return `${trans} m${bucket(p.m)} n${bucket(p.n)} k${bucket(p.k)} ${vec} b${p.batch > 1 ? 'n' : '1'}`;
}
