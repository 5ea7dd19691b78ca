// Loss kernels (formulas of src/core/losses.ts; N rows, K outputs per batch entry, ε = LOG_EPS = 1e-12).
//
// output_delta: δ = scale·(ŷ − y), times ŷ(1 − ŷ) for mse with a sigmoid output; one invocation per element.
//   scale = 2/(N·K) (mse), 1/(N·K) (bce + sigmoid), 1/N (softmax_ce + softmax).
//   0 pred : ŷ [batch, N, K]      1 truth  : y [batch | 1, N, K] (target_batch_stride 0 broadcasts)
//   2 delta: δ [batch, N, K]      3 dp     : DeltaParams
// loss_value: metrics[b·metrics_stride + col] = mean over N·K of (ŷ − y)² (mse),
//   of −(y·ln max(ŷ, ε) + (1 − y)·ln max(1 − ŷ, ε)) (bce), or Σ −y·ln max(ŷ, ε) / N (softmax_ce);
//   one workgroup per batch entry b = wg.x.
// accuracy: metrics[b·metrics_stride + col] = share of rows with argmax ŷ = argmax y (K > 1), or with
//   (ŷ ≥ 0.5) = (y ≥ 0.5) (K = 1); one workgroup per batch entry.
//   0 pred, 1 truth as above, 2 metrics [batch, 1, cols], 3 rp : ReduceParams
// Loss codes: 0 mse, 1 bce, 2 softmax_ce. Invocations of output_delta: id = (wg.x + wg.y·num_workgroups.x)·WG + lid.x.

struct DeltaParams {
  total: u32,
  per_batch: u32,
  loss: u32,
  sigmoid_out: u32,
  scale: f32,
  target_batch_stride: u32,
  pad0: u32,
  pad1: u32,
}

struct ReduceParams {
  n: u32,
  k: u32,
  loss: u32,
  target_batch_stride: u32,
  metrics_stride: u32,
  col: u32,
  pad0: u32,
  pad1: u32,
}

override WG: u32 = 64u;
const EPS: f32 = 1e-12;

@group(0) @binding(0) var<storage, read_write> pred: array<f32>;
@group(0) @binding(1) var<storage, read_write> truth: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;
@group(0) @binding(3) var<uniform> dp: DeltaParams;

@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(3) var<uniform> rp: ReduceParams;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn output_delta(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let e = (wg.x + wg.y * groups.x) * WG + lid.x;
  if (e >= dp.total) { return; }
  let batch = e / dp.per_batch;
  let yhat = pred[e];
  let y = truth[batch * dp.target_batch_stride + e - batch * dp.per_batch];
  var d = dp.scale * (yhat - y);
  if (dp.loss == 0u && dp.sigmoid_out == 1u) { d *= yhat * (1.0 - yhat); }
  delta[e] = d;
}

fn loss_term(yhat: f32, y: f32) -> f32 {
  if (rp.loss == 0u) { return (yhat - y) * (yhat - y); }
  if (rp.loss == 1u) { return -(y * log(max(yhat, EPS)) + (1.0 - y) * log(max(1.0 - yhat, EPS))); }
  if (y != 0.0) { return -y * log(max(yhat, EPS)); }
  return 0.0;
}

// Sum of partial[0..WG) into partial[0], for invocation 0 to read; every invocation must call it (one barrier).
fn reduce_sum(i: u32) {
  workgroupBarrier();
  if (i == 0u) {
    for (var j = 1u; j < WG; j++) { partial[0] += partial[j]; }
  }
}

@compute @workgroup_size(WG)
fn loss_value(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wg.x;
  let count = rp.n * rp.k;
  let pbase = batch * count;
  let tbase = batch * rp.target_batch_stride;
  var s = 0.0;
  for (var e = lid.x; e < count; e += WG) { s += loss_term(pred[pbase + e], truth[tbase + e]); }
  partial[lid.x] = s;
  reduce_sum(lid.x);
  if (lid.x == 0u) {
    let divisor = select(f32(count), f32(rp.n), rp.loss == 2u);
    metrics[batch * rp.metrics_stride + rp.col] = partial[0] / divisor;
  }
}

fn argmax(base: u32, k: u32, is_pred: bool) -> u32 {
  var best = 0u;
  var best_value = select(truth[base], pred[base], is_pred);
  for (var c = 1u; c < k; c++) {
    let v = select(truth[base + c], pred[base + c], is_pred);
    if (v > best_value) { best = c; best_value = v; }
  }
  return best;
}

@compute @workgroup_size(WG)
fn accuracy(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wg.x;
  let pbase = batch * rp.n * rp.k;
  let tbase = batch * rp.target_batch_stride;
  var right = 0.0;
  for (var r = lid.x; r < rp.n; r += WG) {
    if (rp.k == 1u) {
      if ((pred[pbase + r] >= 0.5) == (truth[tbase + r] >= 0.5)) { right += 1.0; }
    } else if (argmax(pbase + r * rp.k, rp.k, true) == argmax(tbase + r * rp.k, rp.k, false)) {
      right += 1.0;
    }
  }
  partial[lid.x] = right;
  reduce_sum(lid.x);
  if (lid.x == 0u) { metrics[batch * rp.metrics_stride + rp.col] = partial[0] / f32(rp.n); }
}
