// Activations shared by the kernel families that apply them (prepended to matmul, elementwise and norm by
// src/backend/webgpu/shaders.ts). Codes: 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky_relu, 5 softmax, 6 gelu
// (tanh form), 7 silu, 8 elu (α = 1), 9 softplus; a code with FROM_INPUT (32) added asks derivative_from_output
// for φ′ from the stored pre-activation z instead of the output y (GELU and SiLU layers keep z).

const LEAKY_SLOPE: f32 = 0.01;
const ELU_ALPHA: f32 = 1.0;
const GELU_C: f32 = 0.7978845608028654;
const GELU_K: f32 = 0.044715;
const FROM_INPUT: u32 = 32u;

// tanh, with |z| ≥ 10 sent to ±1 (some drivers' tanh gives NaN far out).
fn tanh_safe(z: f32) -> f32 {
  if (abs(z) < 10.0) { return tanh(z); }
  return sign(z);
}

// σ(z) without overflow.
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}

// ln(1 + e) for e ≥ 0, accurate for small e (WGSL has no log1p).
fn log1p_small(e: f32) -> f32 {
  if (e < 1e-3) { return e * (1.0 - 0.5 * e); }
  return log(1.0 + e);
}

// φ(z); softmax (5) is the identity here: its rows are normalised by a separate pass.
fn activate(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return sigmoid(z); }
    case 2u: { return tanh_safe(z); }
    case 3u: { return max(z, 0.0); }
    case 4u: { return select(LEAKY_SLOPE * z, z, z > 0.0); }
    // GELU through ½(1 + tanh u) = σ(2u), which does not cancel for z < 0 as 1 + tanh u does in f32.
    case 6u: { return z * sigmoid(2.0 * GELU_C * (z + GELU_K * z * z * z)); }
    case 7u: { return z * sigmoid(z); }
    case 8u: { return select(ELU_ALPHA * (exp(z) - 1.0), z, z > 0.0); }
    case 9u: { return max(z, 0.0) + log1p_small(exp(-abs(z))); }
    default: { return z; }
  }
}

// φ′(z) from the pre-activation z (every code; 1 for linear and softmax), written without the cancellation of
// 1 − σ and 1 − tanh² in f32: σ′ = σ(z)σ(−z), tanh′ = 4σ(2z)σ(−2z).
fn derivative_from_input(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return sigmoid(z) * sigmoid(-z); }
    case 2u: { return 4.0 * sigmoid(2.0 * z) * sigmoid(-2.0 * z); }
    case 3u: { return select(0.0, 1.0, z > 0.0); }
    case 4u: { return select(LEAKY_SLOPE, 1.0, z > 0.0); }
    case 6u: {
      // ½(1 + t) = σ(2u) and ½(1 − t²) = 2σ(2u)σ(−2u), t = tanh u: the tanh form without cancellation.
      let u2 = 2.0 * GELU_C * (z + GELU_K * z * z * z);
      let s = sigmoid(u2);
      return s + 2.0 * z * s * sigmoid(-u2) * GELU_C * (1.0 + 3.0 * GELU_K * z * z);
    }
    case 7u: { return sigmoid(z) * (1.0 + z * sigmoid(-z)); }
    case 8u: { return select(ELU_ALPHA * exp(z), 1.0, z > 0.0); }
    case 9u: { return sigmoid(z); }
    default: { return 1.0; }
  }
}

// φ′ as a function of the output y = φ(z) (1 for linear and softmax); with FROM_INPUT in the code, y is z.
// GELU and SiLU (6, 7) always come with FROM_INPUT: their output does not determine φ′.
fn derivative_from_output(y: f32, code: u32) -> f32 {
  if (code >= FROM_INPUT) { return derivative_from_input(y, code - FROM_INPUT); }
  switch code {
    case 1u: { return y * (1.0 - y); }
    case 2u: { return 1.0 - y * y; }
    case 3u: { return select(0.0, 1.0, y > 0.0); }
    case 4u: { return select(LEAKY_SLOPE, 1.0, y > 0.0); }
    // ELU, z ≤ 0: φ′ = α·eᶻ = y + α.
    case 8u: { return select(y + ELU_ALPHA, 1.0, y > 0.0); }
    // softplus: φ′ = σ(z) = 1 − e^(−y) (= y − y²/2 … for small y, kept accurate in f32).
    case 9u: {
      if (y < 1e-3) { return y * (1.0 - 0.5 * y); }
      return 1.0 - exp(-y);
    }
    default: { return 1.0; }
  }
}
