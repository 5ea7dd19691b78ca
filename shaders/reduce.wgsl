// Reductions for gradients and monitoring.
//
// column_sums: dst[b, 0, c] = Σ_r src[b, r, c]; one invocation per (b, c), id = (wg.x + wg.y·num_workgroups.x)·WG + lid.x.
//   0 src : [batch, rows, cols]     1 dst : [batch, 1, cols]     2 cp : ColumnParams
// norms: metrics[out] = ‖x‖₂ for each table entry (offset, size, out): x = data[offset .. offset + size).
//   Power-of-two scaling keeps tiny entries from underflowing when squared:
//   m = max |x|, e = exponent of m (m = f·2^e, f ∈ [0.5, 1)), ‖x‖ = 2^e · sqrt(Σ (x·2^−e)²); 0 when m = 0.
//   One workgroup per entry, entry = wg.x + wg.y·num_workgroups.x.
//   0 data : tensors' storage     1 table : vec4(offset, size, out, 0) per entry
//   2 metrics : output             3 np : NormParams
// activation_stats: for batch entry b = wg.x, with x = a[b] (rows × cols) and n = rows·cols:
//   metrics[b·metrics_stride + col + 0] = mean = Σx / n
//   metrics[b·metrics_stride + col + 1] = std  = sqrt(Σ (x − mean)² / n)
//   metrics[b·metrics_stride + col + 2] = saturated share: sigmoid (1): share of x < 0.01 or x > 0.99;
//     tanh (2): share of |x| > 0.99; relu (3) / leaky_relu (4): share of columns with x ≤ 0 on every row; else 0.
//   0 a : activations [batch, rows, cols]     1 metrics : [batch, 1, metrics_stride]     2 ap : StatsParams

struct ColumnParams {
  rows: u32,
  cols: u32,
  total: u32,
  pad0: u32,
}

struct NormParams {
  entries: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

struct StatsParams {
  rows: u32,
  cols: u32,
  metrics_stride: u32,
  col: u32,
  acts: array<vec4<u32>, 16>,
}

override WG: u32 = 64u;
const SIGMOID_SATURATION: f32 = 0.01;
const TANH_SATURATION: f32 = 0.99;

@group(0) @binding(0) var<storage, read_write> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> cp: ColumnParams;

@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(3) var<uniform> np: NormParams;

@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<uniform> ap: StatsParams;

var<workgroup> partial: array<f32, WG>;

// Sum (or max when use_max) of partial[0..WG), returned to every invocation; every invocation must call it.
// Invocation 0 combines the partials serially: two barriers instead of log2(WG) + 1.
fn reduce(i: u32, use_max: bool) -> f32 {
  workgroupBarrier();
  if (i == 0u) {
    var r = partial[0];
    for (var j = 1u; j < WG; j++) { r = select(r + partial[j], max(r, partial[j]), use_max); }
    partial[0] = r;
  }
  let result = workgroupUniformLoad(&partial[0]);
  return result;
}

@compute @workgroup_size(WG)
fn column_sums(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = (wg.x + wg.y * groups.x) * WG + lid.x;
  if (e >= cp.total) { return; }
  let batch = e / cp.cols;
  let c = e - batch * cp.cols;
  let base = batch * cp.rows * cp.cols + c;
  var s = 0.0;
  for (var r = 0u; r < cp.rows; r++) { s += src[base + r * cp.cols]; }
  dst[e] = s;
}

@compute @workgroup_size(WG)
fn norms(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
  let entry = wg.x + wg.y * groups.x;
  if (entry >= np.entries) { return; }
  let t = table[entry];
  var m = 0.0;
  for (var i = lid.x; i < t.y; i += WG) { m = max(m, abs(data[t.x + i])); }
  partial[lid.x] = m;
  let largest = reduce(lid.x, true);
  if (largest == 0.0) {
    if (lid.x == 0u) { metrics[t.z] = 0.0; }
    return;
  }
  // Split 2^−e in two factors so that neither overflows, even for e near the f32 minimum exponent.
  let e = frexp(largest).exp;
  let half = e / 2;
  let down1 = ldexp(1.0, -half);
  let down2 = ldexp(1.0, half - e);
  var s = 0.0;
  for (var i = lid.x; i < t.y; i += WG) {
    let x = data[t.x + i] * down1 * down2;
    s += x * x;
  }
  workgroupBarrier();
  partial[lid.x] = s;
  let total = reduce(lid.x, false);
  if (lid.x == 0u) { metrics[t.z] = sqrt(total) * ldexp(1.0, half) * ldexp(1.0, e - half); }
}

fn saturated(x: f32, code: u32) -> bool {
  if (code == 1u) { return x < SIGMOID_SATURATION || x > 1.0 - SIGMOID_SATURATION; }
  if (code == 2u) { return abs(x) > TANH_SATURATION; }
  return false;
}

@compute @workgroup_size(WG)
fn activation_stats(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wg.x;
  let count = ap.rows * ap.cols;
  let base = batch * count;
  let code = ap.acts[batch >> 2u][batch & 3u];
  var s = 0.0;
  for (var i = lid.x; i < count; i += WG) { s += a[base + i]; }
  partial[lid.x] = s;
  let mean = reduce(lid.x, false) / f32(count);
  var sq = 0.0;
  var sat = 0.0;
  for (var i = lid.x; i < count; i += WG) {
    let x = a[base + i];
    sq += (x - mean) * (x - mean);
    if (saturated(x, code)) { sat += 1.0; }
  }
  if (code == 3u || code == 4u) {
    for (var c = lid.x; c < ap.cols; c += WG) {
      var dead = true;
      for (var r = 0u; r < ap.rows; r++) {
        if (a[base + r * ap.cols + c] > 0.0) { dead = false; break; }
      }
      if (dead) { sat += 1.0; }
    }
  }
  workgroupBarrier();
  partial[lid.x] = sq;
  let variance = reduce(lid.x, false) / f32(count);
  workgroupBarrier();
  partial[lid.x] = sat;
  let saturated_count = reduce(lid.x, false);
  let units = select(f32(count), f32(ap.cols), code == 3u || code == 4u);
  if (lid.x == 0u) {
    let o = batch * ap.metrics_stride + ap.col;
    stats[o] = mean;
    stats[o + 1u] = sqrt(variance);
    stats[o + 2u] = saturated_count / units;
  }
}
