// Batched matrix product through workgroup-shared tiles: entry point `tiled` of the matmul family.
//
//   out[b] = epilogue(op(A[b]) · op(B[b])): the product, transposes, epilogues (EPILOGUE 0 none, 1 bias_act,
//   2 act_grad), COLSUM, bindings 0–5 and Params of `main` in matmul.wgsl, which precedes this file in the module
//   and whose helpers (a_elem, b_elem, finish, column_sums) are used here.
// A workgroup of WG_X×WG_Y invocations computes a BM×BN tile of out, BM = WG_Y·TM, BN = WG_X·TN; invocation
// (x, y) holds the TM×TN register block of rows y·TM.., columns x·TN.. (TM, TN ∈ {4, 8}). Depth goes in steps of TK:
//   tile_a[kk][r] = op(A)[row0 + r][k0 + kk]   (k-major, so an invocation reads its TM rows as vec4s)
//   tile_b[kk][c] = op(B)[k0 + kk][col0 + c]
// staged by the whole workgroup (vec4 loads where the operand's contiguous dimension is a multiple of 4, VEC_A /
// VEC_B), then acc[i][j] += tile_a[kk][y·TM + i] · tile_b[kk][x·TN + j] for kk < TK.
// Bounds checks only on edge tiles (crossing M, N, or K's last step); none at all when ALIGNED, which here means
// M % BM = N % BN = K % TK = 0. TK is a multiple of 4.

override TM: u32 = 4u;
override TN: u32 = 4u;
override TK: u32 = 8u;

var<workgroup> tile_a: array<vec4<f32>, TK * WG_Y * TM / 4u>;
var<workgroup> tile_b: array<vec4<f32>, TK * WG_X * TN / 4u>;

// Stage op(A)[row0 .. row0 + BM][k0 .. k0 + TK] into tile_a (zeros outside the matrix when `checked`).
fn stage_a(base: u32, row0: u32, k0: u32, li: u32, checked: bool) {
  let bm4 = WG_Y * TM / 4u;
  let threads = WG_X * WG_Y;
  if (VEC_A && TRANS_A) {
    // A is stored K×M: one vec4 is four rows at one depth, a whole entry of tile_a.
    for (var e = li; e < TK * bm4; e += threads) {
      let kk = e / bm4;
      let r = (e % bm4) * 4u;
      var v = vec4<f32>();
      if (!checked || (k0 + kk < p.k && row0 + r < p.m)) { v = a[(base + (k0 + kk) * p.m + row0 + r) >> 2u]; }
      tile_a[e] = v;
    }
  } else if (VEC_A) {
    // A is stored M×K: one vec4 is four depths of one row, scattered over four entries.
    let tk4 = TK / 4u;
    for (var e = li; e < TK * bm4; e += threads) {
      let r = e / tk4;
      let kq = (e % tk4) * 4u;
      var v = vec4<f32>();
      if (!checked || (row0 + r < p.m && k0 + kq < p.k)) { v = a[(base + (row0 + r) * p.k + k0 + kq) >> 2u]; }
      for (var j = 0u; j < 4u; j++) { tile_a[(kq + j) * bm4 + (r >> 2u)][r & 3u] = v[j]; }
    }
  } else {
    // Scalars, neighbouring invocations on neighbouring addresses.
    let bm = bm4 * 4u;
    for (var e = li; e < TK * bm; e += threads) {
      let kk = select(e % TK, e / bm, TRANS_A);
      let r = select(e / TK, e % bm, TRANS_A);
      var v = 0.0;
      if (!checked || (row0 + r < p.m && k0 + kk < p.k)) { v = a_elem(base, row0 + r, k0 + kk); }
      tile_a[kk * bm4 + (r >> 2u)][r & 3u] = v;
    }
  }
}

// Stage op(B)[k0 .. k0 + TK][col0 .. col0 + BN] into tile_b (zeros outside the matrix when `checked`).
fn stage_b(base: u32, k0: u32, col0: u32, li: u32, checked: bool) {
  let bn4 = WG_X * TN / 4u;
  let threads = WG_X * WG_Y;
  if (VEC_B && !TRANS_B) {
    // B is stored K×N: one vec4 is four columns at one depth, a whole entry of tile_b.
    for (var e = li; e < TK * bn4; e += threads) {
      let kk = e / bn4;
      let c = (e % bn4) * 4u;
      var v = vec4<f32>();
      if (!checked || (k0 + kk < p.k && col0 + c < p.n)) { v = b[(base + (k0 + kk) * p.n + col0 + c) >> 2u]; }
      tile_b[e] = v;
    }
  } else if (VEC_B) {
    // B is stored N×K: one vec4 is four depths of one column, scattered over four entries.
    let tk4 = TK / 4u;
    for (var e = li; e < TK * bn4; e += threads) {
      let c = e / tk4;
      let kq = (e % tk4) * 4u;
      var v = vec4<f32>();
      if (!checked || (col0 + c < p.n && k0 + kq < p.k)) { v = b[(base + (col0 + c) * p.k + k0 + kq) >> 2u]; }
      for (var j = 0u; j < 4u; j++) { tile_b[(kq + j) * bn4 + (c >> 2u)][c & 3u] = v[j]; }
    }
  } else {
    let bn = bn4 * 4u;
    for (var e = li; e < TK * bn; e += threads) {
      let kk = select(e / bn, e % TK, TRANS_B);
      let c = select(e % bn, e / TK, TRANS_B);
      var v = 0.0;
      if (!checked || (col0 + c < p.n && k0 + kk < p.k)) { v = b_elem(base, k0 + kk, col0 + c); }
      tile_b[kk * bn4 + (c >> 2u)][c & 3u] = v;
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn tiled(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let tile = wg.x + wg.y * groups.x;
  if (COLSUM && tile >= p.tiles_total) {
    column_sums(wg.z, ((tile - p.tiles_total) * WG_X * WG_Y + li) * 4u);
    return;
  }
  if (tile >= p.tiles_total) { return; }
  let bm4 = WG_Y * TM / 4u;
  let bn4 = WG_X * TN / 4u;
  let row0 = (tile / p.tiles_n) * bm4 * 4u;
  let col0 = (tile % p.tiles_n) * bn4 * 4u;
  let batch = wg.z;
  let a_base = batch * p.a_batch_stride;
  let b_base = batch * p.b_batch_stride;
  let edge_mn = !ALIGNED && (row0 + bm4 * 4u > p.m || col0 + bn4 * 4u > p.n);
  let ra = lid.y * TM / 4u;
  let cb = lid.x * TN / 4u;
  // acc[i][j4] = out[row y·TM + i][columns x·TN + 4·j4 .. + 3]; TM ≤ 8, TN ≤ 8.
  var acc: array<array<vec4<f32>, 2>, 8>;
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    let checked = edge_mn || (!ALIGNED && k0 + TK > p.k);
    stage_a(a_base, row0, k0, li, checked);
    stage_b(b_base, k0, col0, li, checked);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<vec4<f32>, 2>;
      var bv: array<vec4<f32>, 2>;
      for (var i = 0u; i < TM / 4u; i++) { av[i] = tile_a[kk * bm4 + ra + i]; }
      for (var j = 0u; j < TN / 4u; j++) { bv[j] = tile_b[kk * bn4 + cb + j]; }
      for (var i = 0u; i < TM; i++) {
        let x = vec4<f32>(av[i >> 2u][i & 3u]);
        for (var j = 0u; j < TN / 4u; j++) { acc[i][j] = fma(x, bv[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  let out_base = batch * p.m * p.n;
  for (var i = 0u; i < TM; i++) {
    let r = row0 + ra * 4u + i;
    if (edge_mn && r >= p.m) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = col0 + cb * 4u + j;
      if (edge_mn && col >= p.n) { break; }
      let o = out_base + r * p.n + col;
      dst[o] = finish(acc[i][j >> 2u][j & 3u], col, batch, o);
    }
  }
}
