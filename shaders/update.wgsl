// Parameter updates over many tensors per dispatch: gradient clipping, then the rules of backend.ts.
//
// clip_stats: for each table entry (offset, size, out, bitcast(max)) and invocation l < WG of its workgroup, over
//   x_i = src[offset + i] with i ≡ l (mod WG), in one pass and without barriers (running rescaling, as BLAS nrm2):
//   stats[out + 3l] = m_l = max |x_i| (or the first non-finite |x_i|), stats[out + 3l + 1] = Σ (x_i/m_l)²,
//   stats[out + 3l + 2] = #{i : |x_i| > max}. One workgroup per entry, entry = wg.x + wg.y·num_workgroups.x.
//   0 src : gradients' storage   1 clip_table : vec4<u32> per entry   2 stats : scratch   3 cp : ClipParams
// clip_factors: for batch entry b = global invocation id < batch, over the P = T·WG partials q of its T tensors
//   (out = 3·WG·(b·T + i) for tensor i): M = max m_q, ‖g‖ = M·sqrt(Σ (m_q/M)²·s_q) (0 when M = 0);
//   factor = max_b/‖g‖ when CLIP = 1 (norm) and ∞ > ‖g‖ > max_b, else 1; stats[3·batch·P + b] = factor.
//   With cp.report: metrics[b·stride + col] = ‖g‖, metrics[b·stride + col + 1] = factor, or for CLIP = 2 (value)
//   the share of clipped entries Σ_q count_q / cp.elements.
//   0 metrics   1 maxima : bitcast<f32>(max_b) per b   2 stats   3 cp
// apply: for each table entry e (two vec4s: (p, g, first, second offsets), (size, b, 0, 0)) and i < size,
//   with hyperparameters of batch entry b after the entries (three vec4s, computed in f64 on the host):
//   h0 = (lr, μ | ρ | β₁, β₂, ε), h1 = (1 − ρ | 1 − β₁, 1 − β₂, c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ),
//   h2 = (clip max, coupled decay λc, decoupled decay lr·λd, 0):
//   g ← g·factor_b (CLIP 1) or clamp(g, −max, max) (CLIP 2), written back; then, where the entry's table word
//   (size, b, decays, 0).z is 1 (a weight matrix), with θ the parameter before the update:
//   g ← g + λc·θ (not written back) and θ ← θ − (lr·λd)·θ (AdamW); then by RULE:
//   0 sgd:      θ −= lr·g
//   1 momentum: v = μ·v + g; θ −= lr·v
//   2 nesterov: v = μ·v + g; θ −= lr·(g + μ·v)
//   3 rmsprop:  s = ρ·s + (1−ρ)·g²; θ −= lr·g/(√s + ε)
//   4 adam:     m = β₁·m + (1−β₁)·g; v = β₂·v + (1−β₂)·g²; θ −= lr·(m/c1)/(√(v/c2) + ε)
//   Entry = wg.y + wg.z·num_workgroups.y; the workgroups along x stride over the entry's elements.
//   0 params   1 grads   2 first (v or m)   3 second (s or v)   4 table   5 scratch (factors)   6 up : UpdateParams
// apply_small: clip_stats, clip_factors and apply in one dispatch for small models (every tensor of each kind in
//   one buffer): invocation b (< up.batch) walks the up.tensors entries j·batch + b of its batch entry serially —
//   no barriers — computing the global norm (scaled as above), the factor, the report (as clip_factors, into
//   report_out at binding 5) and then the update.

struct ClipParams {
  entries: u32,
  batch: u32,
  tensors: u32,
  report: u32,
  metrics_stride: u32,
  col: u32,
  elements: u32,
  pad0: u32,
}

struct UpdateParams {
  entries: u32,
  factor_offset: u32,
  batch: u32,
  tensors: u32,
  report: u32,
  metrics_stride: u32,
  col: u32,
  elements: u32,
}

override WG: u32 = 64u;
override RULE: u32 = 0u;
override CLIP: u32 = 0u;

@group(0) @binding(0) var<storage, read_write> src: array<f32>;
@group(0) @binding(1) var<storage, read> clip_table: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<uniform> cp: ClipParams;

@group(0) @binding(0) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(1) var<storage, read> maxima: array<u32>;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> first: array<f32>;
@group(0) @binding(3) var<storage, read_write> second: array<f32>;
@group(0) @binding(4) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(6) var<uniform> up: UpdateParams;
@group(0) @binding(5) var<storage, read_write> report_out: array<f32>;

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WG)
fn clip_stats(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
  let entry = wg.x + wg.y * groups.x;
  if (entry >= cp.entries) { return; }
  let t = clip_table[entry];
  let limit = bitcast<f32>(t.w);
  var m = 0.0;
  var s = 0.0;
  var count = 0.0;
  var bad = 0.0;
  for (var i = lid.x; i < t.y; i += WG) {
    let a = abs(src[t.x + i]);
    if (a > limit) { count += 1.0; }
    if (!finite(a)) {
      if (finite(bad)) { bad = a; }
    } else if (a > m) {
      let r = m / a;
      s = s * r * r + 1.0;
      m = a;
    } else if (a > 0.0) {
      let r = a / m;
      s += r * r;
    }
  }
  let o = t.z + 3u * lid.x;
  stats[o] = select(bad, m, finite(bad));
  stats[o + 1u] = s;
  stats[o + 2u] = count;
}

@compute @workgroup_size(WG)
fn clip_factors(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= cp.batch) { return; }
  let parts = cp.tensors * WG;
  let base = 3u * b * parts;
  var largest = 0.0;
  var clipped = 0.0;
  for (var q = 0u; q < parts; q++) {
    let m = stats[base + 3u * q];
    clipped += stats[base + 3u * q + 2u];
    if (!finite(m)) {
      if (finite(largest)) { largest = m; }
    } else if (finite(largest)) {
      largest = max(largest, m);
    }
  }
  var norm = largest;
  if (largest > 0.0 && finite(largest)) {
    var s = 0.0;
    for (var q = 0u; q < parts; q++) {
      let r = stats[base + 3u * q] / largest;
      s += r * r * stats[base + 3u * q + 1u];
    }
    norm = largest * sqrt(s);
  }
  let limit = bitcast<f32>(maxima[b]);
  var factor = 1.0;
  if (CLIP == 1u && finite(norm) && norm > limit) { factor = limit / norm; }
  stats[3u * cp.batch * parts + b] = factor;
  if (cp.report != 0u) {
    let o = b * cp.metrics_stride + cp.col;
    metrics[o] = norm;
    metrics[o + 1u] = select(factor, clipped / f32(max(cp.elements, 1u)), CLIP == 2u);
  }
}

// Clip g (CLIP 1: scale by factor, CLIP 2: clamp to ±clip_max), write it back, and apply RULE to element i of an entry.
fn update_element(at: vec4<u32>, i: u32, h0: vec4<f32>, h1: vec4<f32>, clip_max: f32, factor: f32, wd: vec2<f32>) {
  var g = grads[at.y + i];
  if (CLIP == 1u) {
    g *= factor;
    grads[at.y + i] = g;
  } else if (CLIP == 2u) {
    g = clamp(g, -clip_max, clip_max);
    grads[at.y + i] = g;
  }
  let lr = h0.x;
  let p = at.x + i;
  if (wd.x != 0.0 || wd.y != 0.0) {
    let th = params[p];
    if (wd.x != 0.0) { g += wd.x * th; }
    if (wd.y != 0.0) { params[p] = th - wd.y * th; }
  }
  switch RULE {
    case 1u, 2u: {
      let v = h0.y * first[at.z + i] + g;
      first[at.z + i] = v;
      params[p] -= lr * select(v, g + h0.y * v, RULE == 2u);
    }
    case 3u: {
      let s = h0.y * second[at.w + i] + h1.x * g * g;
      second[at.w + i] = s;
      params[p] -= lr * g / (sqrt(s) + h0.w);
    }
    case 4u: {
      let m = h0.y * first[at.z + i] + h1.x * g;
      let v = h0.z * second[at.w + i] + h1.y * g * g;
      first[at.z + i] = m;
      second[at.w + i] = v;
      params[p] -= lr * (m / h1.z) / (sqrt(v / h1.w) + h0.w);
    }
    default: { params[p] -= lr * g; }
  }
}

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
  let entry = wg.y + wg.z * groups.y;
  if (entry >= up.entries) { return; }
  let at = table[2u * entry];
  let size = table[2u * entry + 1u].x;
  let hyper = 2u * up.entries + 3u * table[2u * entry + 1u].y;
  let h0 = bitcast<vec4<f32>>(table[hyper]);
  let h1 = bitcast<vec4<f32>>(table[hyper + 1u]);
  let clip_max = bitcast<f32>(table[hyper + 2u].x);
  let wd = select(vec2<f32>(0.0), bitcast<vec2<f32>>(table[hyper + 2u].yz), table[2u * entry + 1u].z != 0u);
  var factor = 1.0;
  if (CLIP == 1u) { factor = scratch[up.factor_offset + table[2u * entry + 1u].y]; }
  for (var i = wg.x * WG + lid.x; i < size; i += groups.x * WG) {
    update_element(at, i, h0, h1, clip_max, factor, wd);
  }
}

@compute @workgroup_size(WG)
fn apply_small(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= up.batch) { return; }
  let hyper = 2u * up.entries + 3u * b;
  let h0 = bitcast<vec4<f32>>(table[hyper]);
  let h1 = bitcast<vec4<f32>>(table[hyper + 1u]);
  let clip_max = bitcast<f32>(table[hyper + 2u].x);
  var largest = 0.0;
  var clipped = 0.0;
  for (var j = 0u; j < up.tensors; j++) {
    let e = j * up.batch + b;
    let at = table[2u * e];
    let size = table[2u * e + 1u].x;
    for (var i = 0u; i < size; i++) {
      let x = abs(grads[at.y + i]);
      largest = select(max(largest, x), x, !finite(x) && finite(largest));
      if (x > clip_max) { clipped += 1.0; }
    }
  }
  var norm = largest;
  if (largest > 0.0 && finite(largest)) {
    let ex = frexp(largest).exp;
    let half = ex / 2;
    let down1 = ldexp(1.0, -half);
    let down2 = ldexp(1.0, half - ex);
    var s = 0.0;
    for (var j = 0u; j < up.tensors; j++) {
      let e = j * up.batch + b;
      let at = table[2u * e];
      let size = table[2u * e + 1u].x;
      for (var i = 0u; i < size; i++) {
        let x = grads[at.y + i] * down1 * down2;
        s += x * x;
      }
    }
    norm = sqrt(s) * ldexp(1.0, half) * ldexp(1.0, ex - half);
  }
  var factor = 1.0;
  if (CLIP == 1u && finite(norm) && norm > clip_max) { factor = clip_max / norm; }
  if (up.report != 0u) {
    let o = b * up.metrics_stride + up.col;
    report_out[o] = norm;
    report_out[o + 1u] = select(factor, clipped / f32(max(up.elements, 1u)), CLIP == 2u);
  }
  let decay = bitcast<vec2<f32>>(table[hyper + 2u].yz);
  for (var j = 0u; j < up.tensors; j++) {
    let e = j * up.batch + b;
    let at = table[2u * e];
    let size = table[2u * e + 1u].x;
    let wd = select(vec2<f32>(0.0), decay, table[2u * e + 1u].z != 0u);
    for (var i = 0u; i < size; i++) { update_element(at, i, h0, h1, clip_max, factor, wd); }
  }
}
