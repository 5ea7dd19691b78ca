// Batch and layer normalisation of a hidden layer's pre-activations z [batch, rows, cols], forward and backward.
//
// A lane is the set of N entries normalised together: one column of a batch entry over its rows (batch norm,
// N = rows) or one row over its columns (layer norm, N = cols). One workgroup per lane, numbered over every batch
// entry: lane = wg.x + wg.y·num_workgroups.x, b = lane / lanes_per_batch, l = lane − b·lanes_per_batch.
//   Column lane l: entry i at b·rows·cols + l + i·cols;  row lane l: entry i at b·rows·cols + l·cols + i.
//   γ, β, running statistics, dγ, dβ of entry i: b·vec_stride + (column lane: l; row lane: i) (vec_stride = cols,
//   or 0 for a batch-1 tensor broadcast over the batch); invStd of a lane: inv_std[lane].
// Sums over a lane: each invocation adds the entries i ≡ lid (mod WG), then a tree reduction in workgroup memory.
//
// norm_forward (LAYER false: column lanes, batch norm; true: row lanes, layer norm), by fp.mode:
//   0: μ = Σ z / N, σ² = Σ (z − μ)² / N (two passes: mean first, then squared deviations)
//   1: as 0, then (batch norm) run_mean ← (1 − m)·run_mean + m·μ, run_var ← (1 − m)·run_var + m·σ²·N/(N − 1)
//   2: μ = run_mean, σ² = run_var (evaluation; nothing updated)
//   inv_std[lane] = 1/√(σ² + eps);  xhat = (z − μ)·inv_std;  out = φ_b(γ ⊙ xhat + β), φ_b = activation code acts[b].
//   0 z   1 gamma   2 beta   3 out   4 xhat   5 inv_std   6 run_mean   7 run_var   8 fp : ForwardParams
// Backward from g = ∂L/∂(γ ⊙ xhat + β), with dz = inv_std/N · (N·gγ − Σ gγ − xhat · Σ gγ·xhat) over each lane:
//   batch_norm_backward (column lanes): dβ = Σ g, dγ = Σ g·xhat, and dz (γ is constant on a column lane).
//   norm_param_grads    (column lanes): dβ = Σ g, dγ = Σ g·xhat only (layer norm's parameter gradients).
//   layer_norm_backward (row lanes):    dz only.
//   IN_PLACE: dz is g itself (binding 4 unused); every lane reads its own entries before writing them.
//   0 g   1 gx (xhat)   2 ginv (inv_std)   3 ggamma   4 dz   5 dgamma   6 dbeta   7 bp : BackwardParams

struct ForwardParams {
  rows: u32,
  cols: u32,
  lanes: u32,
  vec_stride: u32,
  run_stride: u32,
  mode: u32,
  pad0: u32,
  pad1: u32,
  eps: f32,
  momentum: f32,
  unbias: f32,
  pad2: f32,
  acts: array<vec4<u32>, 16>,
}

struct BackwardParams {
  rows: u32,
  cols: u32,
  lanes: u32,
  vec_stride: u32,
}

override WG: u32 = 64u;
override LAYER: bool = false;
override IN_PLACE: bool = false;

@group(0) @binding(0) var<storage, read_write> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> gamma: array<f32>;
@group(0) @binding(2) var<storage, read_write> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(5) var<storage, read_write> inv_std: array<f32>;
@group(0) @binding(6) var<storage, read_write> run_mean: array<f32>;
@group(0) @binding(7) var<storage, read_write> run_var: array<f32>;
@group(0) @binding(8) var<uniform> fp: ForwardParams;

@group(0) @binding(0) var<storage, read_write> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> gx: array<f32>;
@group(0) @binding(2) var<storage, read_write> ginv: array<f32>;
@group(0) @binding(3) var<storage, read_write> ggamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> dz: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<uniform> bp: BackwardParams;

var<workgroup> partial: array<vec2<f32>, WG>;

// Where a lane's entries lie: first entry, distance between entries, count N, batch entry b and lane index l.
struct Lane {
  base: u32,
  step: u32,
  n: u32,
  b: u32,
  l: u32,
}

fn lane_of(lane: u32, rows: u32, cols: u32, row_lanes: bool) -> Lane {
  let per_batch = select(cols, rows, row_lanes);
  let b = lane / per_batch;
  let l = lane - b * per_batch;
  let start = b * rows * cols;
  if (row_lanes) { return Lane(start + l * cols, 1u, cols, b, l); }
  return Lane(start + l, cols, rows, b, l);
}

// Σ of v over the workgroup, returned to every invocation; every invocation must call it.
fn workgroup_sum(i: u32, v: vec2<f32>) -> vec2<f32> {
  workgroupBarrier();
  partial[i] = v;
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (i < s) { partial[i] += partial[i + s]; }
  }
  return workgroupUniformLoad(&partial[0]);
}

@compute @workgroup_size(WG)
fn norm_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = wg.x + wg.y * groups.x;
  if (lane >= fp.lanes) { return; }
  let ln = lane_of(lane, fp.rows, fp.cols, LAYER);
  let i0 = lid.x;
  var mean: f32;
  var inv: f32;
  if (fp.mode == 2u) {
    let r = ln.b * fp.run_stride + ln.l;
    mean = run_mean[r];
    inv = 1.0 / sqrt(run_var[r] + fp.eps);
  } else {
    var s = 0.0;
    for (var i = i0; i < ln.n; i += WG) { s += z[ln.base + i * ln.step]; }
    mean = workgroup_sum(i0, vec2<f32>(s, 0.0)).x / f32(ln.n);
    var q = 0.0;
    for (var i = i0; i < ln.n; i += WG) {
      let d = z[ln.base + i * ln.step] - mean;
      q += d * d;
    }
    let variance = workgroup_sum(i0, vec2<f32>(q, 0.0)).x / f32(ln.n);
    inv = 1.0 / sqrt(variance + fp.eps);
    if (fp.mode == 1u && i0 == 0u) {
      let r = ln.b * fp.run_stride + ln.l;
      let m = fp.momentum;
      run_mean[r] = (1.0 - m) * run_mean[r] + m * mean;
      run_var[r] = (1.0 - m) * run_var[r] + m * variance * fp.unbias;
    }
  }
  if (i0 == 0u) { inv_std[lane] = inv; }
  let code = fp.acts[ln.b >> 2u][ln.b & 3u];
  let vec_base = ln.b * fp.vec_stride;
  for (var i = i0; i < ln.n; i += WG) {
    let e = ln.base + i * ln.step;
    let x = (z[e] - mean) * inv;
    xhat[e] = x;
    let v = vec_base + select(ln.l, i, LAYER);
    out[e] = activate(gamma[v] * x + beta[v], code);
  }
}

fn write_dz(e: u32, value: f32) {
  if (IN_PLACE) { g[e] = value; } else { dz[e] = value; }
}

// Column lanes: (Σ g, Σ g·xhat), written to dβ and dγ by invocation 0.
fn column_param_grads(lane: u32, ln: Lane, i0: u32) -> vec2<f32> {
  var s = vec2<f32>(0.0, 0.0);
  for (var i = i0; i < ln.n; i += WG) {
    let e = ln.base + i * ln.step;
    s += vec2<f32>(g[e], g[e] * gx[e]);
  }
  let sums = workgroup_sum(i0, s);
  if (i0 == 0u) {
    dbeta[lane] = sums.x;
    dgamma[lane] = sums.y;
  }
  return sums;
}

@compute @workgroup_size(WG)
fn batch_norm_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                       @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = wg.x + wg.y * groups.x;
  if (lane >= bp.lanes) { return; }
  let ln = lane_of(lane, bp.rows, bp.cols, false);
  let sums = column_param_grads(lane, ln, lid.x);
  let gam = ggamma[ln.b * bp.vec_stride + ln.l];
  let n = f32(ln.n);
  let k = ginv[lane] / n;
  for (var i = lid.x; i < ln.n; i += WG) {
    let e = ln.base + i * ln.step;
    write_dz(e, k * gam * (n * g[e] - sums.x - gx[e] * sums.y));
  }
}

@compute @workgroup_size(WG)
fn norm_param_grads(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                    @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = wg.x + wg.y * groups.x;
  if (lane >= bp.lanes) { return; }
  _ = column_param_grads(lane, lane_of(lane, bp.rows, bp.cols, false), lid.x);
}

@compute @workgroup_size(WG)
fn layer_norm_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                       @builtin(local_invocation_id) lid: vec3<u32>) {
  let lane = wg.x + wg.y * groups.x;
  if (lane >= bp.lanes) { return; }
  let ln = lane_of(lane, bp.rows, bp.cols, true);
  let vec_base = ln.b * bp.vec_stride;
  var s = vec2<f32>(0.0, 0.0);
  for (var i = lid.x; i < ln.n; i += WG) {
    let e = ln.base + i;
    let gg = g[e] * ggamma[vec_base + i];
    s += vec2<f32>(gg, gg * gx[e]);
  }
  let sums = workgroup_sum(lid.x, s);
  let n = f32(ln.n);
  let k = ginv[lane] / n;
  for (var i = lid.x; i < ln.n; i += WG) {
    let e = ln.base + i;
    write_dz(e, k * (n * g[e] * ggamma[vec_base + i] - sums.x - gx[e] * sums.y));
  }
}
