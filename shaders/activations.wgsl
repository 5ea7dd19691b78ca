// Activations shared by the kernel families that apply them (prepended to matmul, elementwise and norm by
// src/backend/webgpu/shaders.ts). Codes: 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky_relu, 5 softmax.

const LEAKY_SLOPE: f32 = 0.01;

// φ(z); softmax (5) is the identity here: its rows are normalised by a separate pass.
fn activate(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: {
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case 2u: {
      if (abs(z) < 10.0) { return tanh(z); }
      return sign(z);
    }
    case 3u: { return max(z, 0.0); }
    case 4u: { return select(LEAKY_SLOPE * z, z, z > 0.0); }
    default: { return z; }
  }
}

// φ′ as a function of the output y = φ(z) (1 for linear and softmax).
fn derivative_from_output(y: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return y * (1.0 - y); }
    case 2u: { return 1.0 - y * y; }
    case 3u: { return select(0.0, 1.0, y > 0.0); }
    case 4u: { return select(LEAKY_SLOPE, 1.0, y > 0.0); }
    default: { return 1.0; }
  }
}
