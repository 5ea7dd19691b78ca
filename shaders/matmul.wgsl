// Batched matrix product with a fused epilogue, register-blocked (each invocation computes 4×4 or 8×8 outputs).
//
//   out[b] = epilogue(op(A[b]) · op(B[b])),   op(A): M×K, op(B): K×N, out: M×N, b = workgroup_id.z
//   op(A) = Aᵀ when TRANS_A (A stored K×M), op(B) = Bᵀ when TRANS_B (B stored N×K): read transposed here.
//   EPILOGUE 0 (none):     out = P
//   EPILOGUE 1 (bias_act): out = φ_b(P + bias[b]) with φ_b = activation code acts[b] (softmax: identity here)
//   EPILOGUE 2 (act_grad): out = P ⊙ φ_b′(a), φ′ written through the stored activation a = act[b]; when acts[b]
//                          carries FROM_INPUT (32), act[b] holds the pre-activation z and φ_b′(z) is used
//
// Bindings (group 0):
//   0 a    : A as vec4s; batch b starts at element b·a_batch_stride (0 broadcasts a batch-1 operand)
//   1 b    : B as vec4s; batch stride b_batch_stride
//   2 dst  : out [batch, M, N] as f32
//   3 bias : bias [batch | 1, 1, N] (bias_batch_stride = N or 0); unused unless EPILOGUE 1
//   4 act  : stored activations (or pre-activations, FROM_INPUT), same shape as out; unused unless EPILOGUE 2
//   5 p    : Params
// VEC_A / VEC_B: the operand's contiguous dimension is a multiple of 4, so blocks load as whole vec4s.
// Workgroups tile out in (BLOCK·WG_Y)×(BLOCK·WG_X) tiles, numbered tile = wg.x + wg.y·num_workgroups.x.
// COLSUM (with EPILOGUE 0, B not transposed): tiles past tiles_total compute column sums of B instead, the bias
//   gradient that goes with a weight gradient Aᵀ·δ: bias[b·N + c] = Σ_k B[b][k][c], 4 columns per invocation.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  tiles_n: u32,
  tiles_total: u32,
  a_batch_stride: u32,
  b_batch_stride: u32,
  bias_batch_stride: u32,
  acts: array<vec4<u32>, 16>,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;
override EPILOGUE: u32 = 0u;
override COLSUM: bool = false;
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
// Outputs per invocation along rows and columns: 4 (one 4×4 block) or 8 (2×2 blocks).
override BLOCK: u32 = 4u;
// M and N are multiples of BLOCK, K of 4, and both operands load as vec4s: no bounds checks in the k loop.
override ALIGNED: bool = false;

@group(0) @binding(0) var<storage, read_write> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> act: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn act_code(batch: u32) -> u32 {
  return p.acts[batch >> 2u][batch & 3u];
}

// op(A)[r][k], zero outside the matrix.
fn a_elem(base: u32, r: u32, k: u32) -> f32 {
  if (r >= p.m || k >= p.k) { return 0.0; }
  let i = select(base + r * p.k + k, base + k * p.m + r, TRANS_A);
  return a[i >> 2u][i & 3u];
}

// op(B)[k][c], zero outside the matrix.
fn b_elem(base: u32, k: u32, c: u32) -> f32 {
  if (k >= p.k || c >= p.n) { return 0.0; }
  let i = select(base + k * p.n + c, base + c * p.k + k, TRANS_B);
  return b[i >> 2u][i & 3u];
}

// Block of op(A): column j holds rows r0..r0+3 at depth k0+j.
fn load_a(base: u32, r0: u32, k0: u32) -> mat4x4<f32> {
  var m: mat4x4<f32>;
  if (VEC_A && TRANS_A) {
    for (var j = 0u; j < 4u; j++) {
      if (ALIGNED || k0 + j < p.k) { m[j] = a[(base + (k0 + j) * p.m + r0) >> 2u]; }
    }
    return m;
  }
  if (VEC_A) {
    for (var i = 0u; i < 4u; i++) {
      if (ALIGNED || r0 + i < p.m) { m[i] = a[(base + (r0 + i) * p.k + k0) >> 2u]; }
    }
    return transpose(m);
  }
  for (var j = 0u; j < 4u; j++) {
    m[j] = vec4<f32>(a_elem(base, r0, k0 + j), a_elem(base, r0 + 1u, k0 + j),
                     a_elem(base, r0 + 2u, k0 + j), a_elem(base, r0 + 3u, k0 + j));
  }
  return m;
}

// Block of op(B): column c holds depths k0..k0+3 of output column c0+c.
fn load_b(base: u32, k0: u32, c0: u32) -> mat4x4<f32> {
  var m: mat4x4<f32>;
  if (VEC_B && TRANS_B) {
    for (var c = 0u; c < 4u; c++) {
      if (ALIGNED || c0 + c < p.n) { m[c] = b[(base + (c0 + c) * p.k + k0) >> 2u]; }
    }
    return m;
  }
  if (VEC_B) {
    for (var j = 0u; j < 4u; j++) {
      if (ALIGNED || k0 + j < p.k) { m[j] = b[(base + (k0 + j) * p.n + c0) >> 2u]; }
    }
    return transpose(m);
  }
  for (var c = 0u; c < 4u; c++) {
    m[c] = vec4<f32>(b_elem(base, k0, c0 + c), b_elem(base, k0 + 1u, c0 + c),
                     b_elem(base, k0 + 2u, c0 + c), b_elem(base, k0 + 3u, c0 + c));
  }
  return m;
}

fn finish(v: f32, col: u32, batch: u32, o: u32) -> f32 {
  if (EPILOGUE == 1u) { return activate(v + bias[batch * p.bias_batch_stride + col], act_code(batch)); }
  if (EPILOGUE == 2u) { return v * derivative_from_output(act[o], act_code(batch)); }
  return v;
}

// bias[batch·N + c0 + j] = Σ_k op(B)[k][c0 + j], j < 4 (op(B) = B: COLSUM requires TRANS_B false).
fn column_sums(batch: u32, c0: u32) {
  if (c0 >= p.n) { return; }
  let base = batch * p.b_batch_stride;
  var s = vec4<f32>();
  for (var k = 0u; k < p.k; k++) {
    if (VEC_B) {
      s += b[(base + k * p.n + c0) >> 2u];
    } else {
      s += vec4<f32>(b_elem(base, k, c0), b_elem(base, k, c0 + 1u), b_elem(base, k, c0 + 2u), b_elem(base, k, c0 + 3u));
    }
  }
  for (var j = 0u; j < 4u; j++) {
    if (c0 + j < p.n) { bias[batch * p.n + c0 + j] = s[j]; }
  }
}

// Write the 4×4 block acc (acc[c][i] = P[r0 + i][c0 + c]) through the epilogue, clipped to the matrix.
fn store(acc: mat4x4<f32>, r0: u32, c0: u32, batch: u32) {
  if (r0 >= p.m || c0 >= p.n) { return; }
  let out_base = batch * p.m * p.n;
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= p.m) { break; }
    for (var c = 0u; c < 4u; c++) {
      let col = c0 + c;
      if (col >= p.n) { break; }
      let o = out_base + r * p.n + col;
      dst[o] = finish(acc[c][i], col, batch, o);
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile = wg.x + wg.y * groups.x;
  if (COLSUM && tile >= p.tiles_total) {
    column_sums(wg.z, ((tile - p.tiles_total) * WG_X * WG_Y + lid.y * WG_X + lid.x) * 4u);
    return;
  }
  if (tile >= p.tiles_total) { return; }
  let r0 = ((tile / p.tiles_n) * WG_Y + lid.y) * BLOCK;
  let c0 = ((tile % p.tiles_n) * WG_X + lid.x) * BLOCK;
  if (r0 >= p.m || c0 >= p.n) { return; }
  let batch = wg.z;
  let a_base = batch * p.a_batch_stride;
  let b_base = batch * p.b_batch_stride;
  if (BLOCK == 8u) {
    // Four 4×4 blocks: rows r0 + 4·i', columns c0 + 4·c' share each loaded block of A and B.
    var acc00: mat4x4<f32>;
    var acc01: mat4x4<f32>;
    var acc10: mat4x4<f32>;
    var acc11: mat4x4<f32>;
    for (var k0 = 0u; k0 < p.k; k0 += 4u) {
      let a0 = load_a(a_base, r0, k0);
      let a1 = load_a(a_base, r0 + 4u, k0);
      let b0 = load_b(b_base, k0, c0);
      let b1 = load_b(b_base, k0, c0 + 4u);
      acc00 += a0 * b0;
      acc01 += a0 * b1;
      acc10 += a1 * b0;
      acc11 += a1 * b1;
    }
    store(acc00, r0, c0, batch);
    store(acc01, r0, c0 + 4u, batch);
    store(acc10, r0 + 4u, c0, batch);
    store(acc11, r0 + 4u, c0 + 4u, batch);
    return;
  }
  var acc: mat4x4<f32>;
  for (var k0 = 0u; k0 < p.k; k0 += 4u) {
    acc += load_a(a_base, r0, k0) * load_b(b_base, k0, c0);
  }
  store(acc, r0, c0, batch);
}
