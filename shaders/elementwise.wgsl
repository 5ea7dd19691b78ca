// Row-wise, gathering and pointwise kernels. Invocations are numbered id = (wg.x + wg.y·num_workgroups.x)·WG + lid.x.
//
// softmax_rows: t[r, :] = exp(t[r, :] − max_r) / Σ exp(t[r, :] − max_r), in place, one invocation per row r
//   (rows of every batch entry b, or only of entries with acts[b] == 5 (softmax) when all == 0).
//   0 t  : tensor [batch, rows, cols]
//   1 sp : SoftmaxParams
// gather_rows: dst[b, i, c] = src[b·src_batch_stride + idx[i]·cols + c], one invocation per element of dst
//   (src_batch_stride = 0 broadcasts a batch-1 source).
//   0 src : source tensor
//   1 dst : output [batch, rows_out, cols]
//   2 idx : row indices (u32), length rows_out
//   3 gp  : GatherParams
// add_into: dst[e] += src[b·src_batch_stride + rest], one invocation per element e = b·per_batch + rest of dst
//   (a residual connection's sum and its gradient; src_batch_stride = 0 broadcasts a batch-1 source).
//   0 src   1 dst   2 ap : AddParams
// act_grad: dst[e] ← dst[e] · φ_b′(src[e]), φ′ written through the stored activation src (code acts[b] of batch
//   entry b = e / per_batch, as in matmul.wgsl's act_grad epilogue); one invocation per element.
//   0 src (stored activations)   1 dst   2 dp : ActGradParams
// activate_into: dst[e] = φ_b(src[e]) (code acts[b] of batch entry b = e / per_batch; a layer that keeps its
//   pre-activations z in src applies its activation apart); one invocation per element.
//   0 src (pre-activations z)   1 dst   2 dp : ActGradParams
// dropout: dst[e] = src[e]·keep_b(i), i = e − b·per_batch, b = e / per_batch (inverted dropout; the twin of
//   src/core/dropout-mask.ts): u = hash(hash(i) ^ keys[b]) with hash = triple32; keep_b(i) = scales[b] when
//   u ≥ thresholds[b], else 0. One invocation per element.   0 src   1 dst   2 mk : MaskParams
// dropout_in_place: the same on t in place (the backward pass).   0 t   1 mk : MaskParams

struct SoftmaxParams {
  rows_total: u32,
  cols: u32,
  rows_per_batch: u32,
  all: u32,
  acts: array<vec4<u32>, 16>,
}

struct GatherParams {
  total: u32,
  cols: u32,
  rows_out: u32,
  src_batch_stride: u32,
}

struct AddParams {
  total: u32,
  per_batch: u32,
  src_batch_stride: u32,
  pad0: u32,
}

struct ActGradParams {
  total: u32,
  per_batch: u32,
  pad0: u32,
  pad1: u32,
  acts: array<vec4<u32>, 16>,
}

struct MaskParams {
  total: u32,
  per_batch: u32,
  pad0: u32,
  pad1: u32,
  keys: array<vec4<u32>, 16>,
  thresholds: array<vec4<u32>, 16>,
  scales: array<vec4<f32>, 16>,
}

override WG: u32 = 64u;
@group(0) @binding(0) var<storage, read_write> t: array<f32>;
@group(0) @binding(1) var<uniform> sp: SoftmaxParams;

@group(0) @binding(0) var<storage, read_write> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<uniform> gp: GatherParams;

@group(0) @binding(2) var<uniform> ap: AddParams;
@group(0) @binding(2) var<uniform> dp: ActGradParams;
@group(0) @binding(2) var<uniform> mk: MaskParams;
@group(0) @binding(1) var<uniform> mk1: MaskParams;

fn invocation(wg: vec3<u32>, groups: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wg.x + wg.y * groups.x) * WG + lid.x;
}

@compute @workgroup_size(WG)
fn softmax_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = invocation(wg, groups, lid);
  if (row >= sp.rows_total) { return; }
  let batch = row / sp.rows_per_batch;
  if (sp.all == 0u && sp.acts[batch >> 2u][batch & 3u] != 5u) { return; }
  let base = row * sp.cols;
  var m = t[base];
  for (var c = 1u; c < sp.cols; c++) { m = max(m, t[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < sp.cols; c++) { s += exp(t[base + c] - m); }
  for (var c = 0u; c < sp.cols; c++) { t[base + c] = exp(t[base + c] - m) / s; }
}

@compute @workgroup_size(WG)
fn gather_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= gp.total) { return; }
  let per_batch = gp.rows_out * gp.cols;
  let batch = e / per_batch;
  let rest = e - batch * per_batch;
  let i = rest / gp.cols;
  let c = rest - i * gp.cols;
  dst[e] = src[batch * gp.src_batch_stride + idx[i] * gp.cols + c];
}

@compute @workgroup_size(WG)
fn add_into(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= ap.total) { return; }
  let batch = e / ap.per_batch;
  dst[e] += src[batch * ap.src_batch_stride + e - batch * ap.per_batch];
}

@compute @workgroup_size(WG)
fn act_grad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= dp.total) { return; }
  let batch = e / dp.per_batch;
  dst[e] *= derivative_from_output(src[e], dp.acts[batch >> 2u][batch & 3u]);
}

@compute @workgroup_size(WG)
fn activate_into(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= dp.total) { return; }
  let batch = e / dp.per_batch;
  dst[e] = activate(src[e], dp.acts[batch >> 2u][batch & 3u]);
}

// triple32 (Chris Wellons): a bijective 32-bit hash with full avalanche; u32 products wrap as Math.imul does.
fn mask_hash(x: u32) -> u32 {
  var v = x;
  v ^= v >> 17u;
  v *= 0xed5ad4bbu;
  v ^= v >> 11u;
  v *= 0xac4c1b51u;
  v ^= v >> 15u;
  v *= 0x31848babu;
  v ^= v >> 14u;
  return v;
}

// The factor of unit i under one batch entry's key, threshold and scale: scale if kept, else 0.
fn mask_factor(i: u32, key: u32, threshold: u32, scale: f32) -> f32 {
  return select(0.0, scale, mask_hash(mask_hash(i) ^ key) >= threshold);
}

@compute @workgroup_size(WG)
fn dropout(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= mk.total) { return; }
  let b = e / mk.per_batch;
  let f = mask_factor(e - b * mk.per_batch, mk.keys[b >> 2u][b & 3u], mk.thresholds[b >> 2u][b & 3u], mk.scales[b >> 2u][b & 3u]);
  dst[e] = src[e] * f;
}

@compute @workgroup_size(WG)
fn dropout_in_place(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                    @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = invocation(wg, groups, lid);
  if (e >= mk1.total) { return; }
  let b = e / mk1.per_batch;
  let f = mask_factor(e - b * mk1.per_batch, mk1.keys[b >> 2u][b & 3u], mk1.thresholds[b >> 2u][b & 3u], mk1.scales[b >> 2u][b & 3u]);
  t[e] = t[e] * f;
}
