// Quantiles of a tensor per batch entry, read off a 256-bin histogram over [min, max] (twin: src/backend/cpu/quantiles.ts).
//
// quantiles: for batch entry b = wg.x + wg.y·num_workgroups.x, with x = src[b] (count entries):
//   pass 1: lo = min x, hi = max x (workgroup tree reduction); any NaN or infinity → every level NaN.
//   pass 2: hist[j] = #{x : ⌊(x − lo)/w⌋ = j} (the last bin also holds hi), w = (hi − lo)/BINS, atomics in workgroup memory.
//   Invocation 0 then turns hist into cumulative counts cum and, for each level q of LEVELS:
//     q = 0 → lo, q = 1 → hi; else h = (count − 1)·q, k = ⌊h⌋, Q = x̂(k) + (h − k)·(x̂(k+1) − x̂(k)),
//     x̂(k) = lo + w·(j + (k − cum[j] + ½)/hist[j]) for the bin j with cum[j] ≤ k < cum[j+1], clamped to [lo, hi].
//   |Q − np.quantile(x, q)| < w. Writes metrics[b·metrics_stride + col + i] for the 9 levels i.
//   0 src : [batch, rows, cols]     1 metrics : [batch, 1, metrics_stride]     2 qp : QuantileParams

struct QuantileParams {
  count: u32,
  metrics_stride: u32,
  col: u32,
  batches: u32,
}

// The number of bins equals the workgroup size: each invocation clears and scans one bin.
const BINS: u32 = 256u;
const LEVELS = array<f32, 9>(0.0, 0.07, 0.16, 0.31, 0.5, 0.69, 0.84, 0.93, 1.0);

@group(0) @binding(0) var<storage, read_write> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(2) var<uniform> qp: QuantileParams;

var<workgroup> low: array<f32, BINS>;
var<workgroup> high: array<f32, BINS>;
var<workgroup> bad: atomic<u32>;
var<workgroup> hist: array<atomic<u32>, BINS>;
var<workgroup> cum: array<u32, 257>;

fn not_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

fn bin_of(x: f32, lo: f32, w: f32) -> u32 {
  return min(BINS - 1u, u32(max(0.0, floor((x - lo) / w))));
}

// x̂(k): the k-th smallest entry placed inside its bin (invocation 0 only, after cum is filled).
fn rank(k: u32, lo: f32, hi: f32, w: f32) -> f32 {
  var j = 0u;
  while (cum[j + 1u] <= k) { j++; }
  let in_bin = f32(cum[j + 1u] - cum[j]);
  return clamp(lo + w * (f32(j) + (f32(k - cum[j]) + 0.5) / in_bin), lo, hi);
}

@compute @workgroup_size(256)
fn quantiles(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wg.x + wg.y * groups.x;
  if (b >= qp.batches) { return; }
  let i0 = lid.x;
  let base = b * qp.count;
  if (i0 == 0u) { atomicStore(&bad, 0u); }
  atomicStore(&hist[i0], 0u);
  var lo = 3.4e38;
  var hi = -3.4e38;
  var nonfinite = false;
  for (var i = i0; i < qp.count; i += BINS) {
    let x = src[base + i];
    if (not_finite(x)) { nonfinite = true; } else { lo = min(lo, x); hi = max(hi, x); }
  }
  if (nonfinite) { atomicStore(&bad, 1u); }
  low[i0] = lo;
  high[i0] = hi;
  for (var s = BINS / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (i0 < s) {
      low[i0] = min(low[i0], low[i0 + s]);
      high[i0] = max(high[i0], high[i0 + s]);
    }
  }
  workgroupBarrier();
  let any_bad = atomicLoad(&bad);
  lo = low[0];
  hi = high[0];
  let w = (hi - lo) / f32(BINS);
  let spread = any_bad == 0u && w > 0.0;
  if (spread) {
    for (var i = i0; i < qp.count; i += BINS) { atomicAdd(&hist[bin_of(src[base + i], lo, w)], 1u); }
  }
  workgroupBarrier();
  if (i0 != 0u) { return; }
  let o = b * qp.metrics_stride + qp.col;
  if (any_bad != 0u || qp.count == 0u) {
    // A quiet NaN from a runtime value: a constant NaN expression is a shader-creation error.
    let nan = bitcast<f32>(0x7fc00000u | (qp.batches & 0u));
    for (var q = 0u; q < 9u; q++) { metrics[o + q] = nan; }
    return;
  }
  if (!spread) {
    for (var q = 0u; q < 9u; q++) { metrics[o + q] = lo; }
    return;
  }
  var run = 0u;
  for (var j = 0u; j < BINS; j++) {
    cum[j] = run;
    run += atomicLoad(&hist[j]);
  }
  cum[BINS] = run;
  for (var q = 0u; q < 9u; q++) {
    let level = LEVELS[q];
    var v = lo;
    if (q == 8u) { v = hi; } else if (q > 0u) {
      let h = f32(qp.count - 1u) * level;
      let k = u32(floor(h));
      let a = rank(k, lo, hi, w);
      v = a + (h - f32(k)) * (rank(min(k + 1u, qp.count - 1u), lo, hi, w) - a);
    }
    metrics[o + q] = v;
  }
}
