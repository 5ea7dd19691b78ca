/**
 * CPU twin of shaders/quantiles.wgsl: quantiles of a tensor read off a fixed-bin histogram over [min, max].
 *
 * With n entries, BINS bins of width w = (max − min)/BINS, and q one of QUANTILE_LEVELS, the estimate follows
 * NumPy's default (`np.quantile`, method 'linear'): h = (n − 1)·q, k = ⌊h⌋, Q = x̂(k) + (h − k)·(x̂(k+1) − x̂(k)),
 * where x̂(k), the k-th smallest entry, is placed inside the bin j that holds it (cum[j] ≤ k < cum[j+1]) at
 * min + w·(j + (k − cum[j] + ½)/count[j]). Binning is monotone, so x(k) lies in bin j too: |Q − np.quantile| < w.
 * q = 0 and q = 1 give min and max exactly. A tensor with a NaN or infinity gives NaN for every level.
 */

/** Quantile levels recorded per tensor: min, 7/16/31/50/69/84/93 %, max (TensorBoard's bands). */
export const QUANTILE_LEVELS: readonly number[] = [0, 0.07, 0.16, 0.31, 0.5, 0.69, 0.84, 0.93, 1];

/** Number of quantile levels (columns written per tensor and batch entry). */
export const QUANTILE_COUNT = QUANTILE_LEVELS.length;

/** Bins of the histogram the quantiles are read from; the error bound is (max − min)/HISTOGRAM_BINS. */
export const HISTOGRAM_BINS = 256;

/**
 * out[outOffset + i] = estimate of quantile QUANTILE_LEVELS[i] of x[offset .. offset + n), |error| < (max − min)/HISTOGRAM_BINS.
 * `counts` (length ≥ HISTOGRAM_BINS + 1) is scratch space.
 */
export function histogramQuantiles(
  x: ArrayLike<number>,
  offset: number,
  n: number,
  out: { [i: number]: number },
  outOffset: number,
  counts: Uint32Array = new Uint32Array(HISTOGRAM_BINS + 1),
): void {
  let lo = Infinity;
  let hi = -Infinity;
  // v − v is 0 for a finite v and NaN for NaN or ±∞: one test instead of Number.isFinite per entry.
  let check = n > 0 ? 0 : NaN;
  for (let i = offset, end = offset + n; i < end; i++) {
    const v = x[i]!;
    check += v - v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (check !== 0) {
    for (let i = 0; i < QUANTILE_COUNT; i++) out[outOffset + i] = NaN;
    return;
  }
  const w = (hi - lo) / HISTOGRAM_BINS;
  if (!(w > 0)) {
    for (let i = 0; i < QUANTILE_COUNT; i++) out[outOffset + i] = lo;
    return;
  }
  histogramCounts(x, offset, n, lo, w, counts);
  // counts → cum: cum[j] = entries in bins before j; cum[BINS] = n.
  let run = 0;
  for (let j = 0; j <= HISTOGRAM_BINS; j++) {
    const c = counts[j]!;
    counts[j] = run;
    run += c;
  }
  const rank = (k: number): number => {
    let j = 0;
    while (counts[j + 1]! <= k) j++;
    const inBin = counts[j + 1]! - counts[j]!;
    return Math.min(hi, Math.max(lo, lo + w * (j + (k - counts[j]! + 0.5) / inBin)));
  };
  QUANTILE_LEVELS.forEach((q, i) => {
    if (q === 0) out[outOffset + i] = lo;
    else if (q === 1) out[outOffset + i] = hi;
    else {
      const h = (n - 1) * q;
      const k = Math.floor(h);
      const a = rank(k);
      out[outOffset + i] = a + (h - k) * (rank(Math.min(k + 1, n - 1)) - a);
    }
  });
}

/** counts[j] = entries of x[offset .. offset + n) in bin j = ⌊(v − lo)/w⌋ (the last bin also holds the maximum); counts[BINS] = 0. */
export function histogramCounts(x: ArrayLike<number>, offset: number, n: number, lo: number, w: number, counts: Uint32Array): void {
  counts.fill(0, 0, HISTOGRAM_BINS + 1);
  const last = HISTOGRAM_BINS - 1;
  for (let i = offset, end = offset + n; i < end; i++) {
    // x − lo ≥ 0 and the quotient ≤ BINS, so truncation is ⌊·⌋ (and about a third cheaper than Math.floor here).
    const j = ((x[i]! - lo) / w) | 0;
    counts[j < last ? j : last]!++;
  }
}
