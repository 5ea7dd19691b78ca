/**
 * Normalisation kernels of the CPU backend on one batch entry (one model) of typed arrays: batch norm (each
 * column over the rows) and layer norm (each row over the columns), forward with scale, shift and activation,
 * and backward. Statistics and sums are accumulated in f64 whatever the storage type, then rounded once.
 */
import type { HiddenActivation } from '../../core/activations.js';
import { applyActivation, type Buf } from './elementwise.js';

/**
 * Where one batch entry's operands of a normalisation start, and the block's shape. The 1 × cols vectors
 * (γ, β, running statistics, dγ, dβ) are passed as views that start at the entry's first element.
 */
export interface NormBlock {
  readonly rows: number;
  readonly cols: number;
  /** Offset of the rows × cols block in z, out, x̂ and g/dz. */
  readonly base: number;
  /** Offset of invStd (cols entries for batch norm, rows entries for layer norm). */
  readonly sbase: number;
}

/** Running statistics of batch norm for one batch entry (views), and the momentum of their update. */
export interface RunningStats {
  readonly mean: Buf;
  readonly variance: Buf;
  readonly momentum: number;
}

/**
 * Batch norm forward of one block: per column, μ and biased σ² over the rows (or the running statistics when
 * `evaluate`), x̂ = (z − μ)/√(σ² + eps), out = φ(γ x̂ + β); the running statistics are updated when given and not
 * evaluating. `scratch` holds at least 2·cols entries.
 */
export function batchNormForward(
  blk: NormBlock, z: Buf, gamma: Buf, beta: Buf, out: Buf, xhat: Buf, invStd: Buf, act: HiddenActivation, eps: number,
  running: RunningStats | null, evaluate: boolean, scratch: Float64Array,
): void {
  const { rows, cols, base, sbase } = blk;
  const mean = scratch.subarray(0, cols);
  const inv = scratch.subarray(cols, 2 * cols);
  if (evaluate) {
    if (!running) throw new RangeError('normForward: evaluate needs the running statistics');
    for (let c = 0; c < cols; c++) {
      mean[c] = running.mean[c]!;
      inv[c] = 1 / Math.sqrt(running.variance[c]! + eps);
    }
  } else {
    mean.fill(0);
    for (let r = 0; r < rows; r++) {
      const ro = base + r * cols;
      for (let c = 0; c < cols; c++) mean[c] = mean[c]! + z[ro + c]!;
    }
    for (let c = 0; c < cols; c++) mean[c] = mean[c]! / rows;
    const sq = inv;
    sq.fill(0);
    for (let r = 0; r < rows; r++) {
      const ro = base + r * cols;
      for (let c = 0; c < cols; c++) {
        const d = z[ro + c]! - mean[c]!;
        sq[c] = sq[c]! + d * d;
      }
    }
    for (let c = 0; c < cols; c++) {
      const variance = sq[c]! / rows;
      if (running) {
        const m = running.momentum;
        running.mean[c] = (1 - m) * running.mean[c]! + m * mean[c]!;
        running.variance[c] = (1 - m) * running.variance[c]! + (m * variance * rows) / (rows - 1);
      }
      inv[c] = 1 / Math.sqrt(variance + eps);
    }
  }
  for (let c = 0; c < cols; c++) invStd[sbase + c] = inv[c]!;
  for (let r = 0; r < rows; r++) {
    const ro = base + r * cols;
    for (let c = 0; c < cols; c++) {
      const x = (z[ro + c]! - mean[c]!) * inv[c]!;
      xhat[ro + c] = x;
      out[ro + c] = gamma[c]! * x + beta[c]!;
    }
  }
  applyActivation(act, out, base, base + rows * cols);
}

/** Layer norm forward of one block: per row, μ and biased σ² over the columns, then x̂ and out = φ(γ x̂ + β). */
export function layerNormForward(blk: NormBlock, z: Buf, gamma: Buf, beta: Buf, out: Buf, xhat: Buf, invStd: Buf, act: HiddenActivation, eps: number): void {
  const { rows, cols, base, sbase } = blk;
  for (let r = 0; r < rows; r++) {
    const ro = base + r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += z[ro + c]!;
    const mean = sum / cols;
    let sq = 0;
    for (let c = 0; c < cols; c++) {
      const d = z[ro + c]! - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / cols + eps);
    invStd[sbase + r] = inv;
    for (let c = 0; c < cols; c++) {
      const x = (z[ro + c]! - mean) * inv;
      xhat[ro + c] = x;
      out[ro + c] = gamma[c]! * x + beta[c]!;
    }
  }
  applyActivation(act, out, base, base + rows * cols);
}

/**
 * Backward of either normalisation of one block from g = ∂L/∂(γ x̂ + β): dγ = Σ_rows g x̂, dβ = Σ_rows g, and
 * dz = invStd/N · (N·gγ − Σ gγ − x̂ Σ gγ x̂) with the sums per column (batch) or per row (layer). `dz` may be `g`.
 * `scratch` holds at least 4·cols entries.
 */
export function normBackwardBlock(
  batch: boolean, blk: NormBlock, g: Buf, xhat: Buf, invStd: Buf, gamma: Buf, dz: Buf, dGamma: Buf, dBeta: Buf, scratch: Float64Array,
): void {
  const { rows, cols, base, sbase } = blk;
  const sumG = scratch.subarray(0, cols);
  const sumGX = scratch.subarray(cols, 2 * cols);
  sumG.fill(0);
  sumGX.fill(0);
  for (let r = 0; r < rows; r++) {
    const ro = base + r * cols;
    for (let c = 0; c < cols; c++) {
      const gi = g[ro + c]!;
      sumG[c] = sumG[c]! + gi;
      sumGX[c] = sumGX[c]! + gi * xhat[ro + c]!;
    }
  }
  for (let c = 0; c < cols; c++) {
    dGamma[c] = sumGX[c]!;
    dBeta[c] = sumG[c]!;
  }
  if (batch) {
    // Per column, Σ gγ = γ Σ g and Σ gγ x̂ = γ Σ g x̂.
    for (let r = 0; r < rows; r++) {
      const ro = base + r * cols;
      for (let c = 0; c < cols; c++) {
        const gam = gamma[c]!;
        dz[ro + c] = (invStd[sbase + c]! / rows) * (rows * g[ro + c]! * gam - gam * sumG[c]! - xhat[ro + c]! * gam * sumGX[c]!);
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const ro = base + r * cols;
    let s = 0;
    let sx = 0;
    for (let c = 0; c < cols; c++) {
      const gg = g[ro + c]! * gamma[c]!;
      s += gg;
      sx += gg * xhat[ro + c]!;
    }
    const k = invStd[sbase + r]! / cols;
    for (let c = 0; c < cols; c++) dz[ro + c] = k * (cols * g[ro + c]! * gamma[c]! - s - xhat[ro + c]! * sx);
  }
}
