/**
 * The dropout mask stream: counter-based, so that the CPU and the GPU draw the same mask without sending it
 * across, and the stream's whole state is (seed, step). Unit i of batch row r in hidden layer l at step t keeps
 * its value iff u ≥ threshold(p), u = hash(hash(i) ⊕ key(seed, t, l)), i = r·width + column, and is scaled by
 * 1/(1 − p) (inverted dropout). `hash` is Chris Wellons' triple32, a bijection of 32-bit words with low bias;
 * everything is 32-bit integer arithmetic, exact in JavaScript (Math.imul) and in WGSL alike
 * (shaders/elementwise.wgsl, entry point `dropout`). This stream is apart from the NumPy generator of rng.ts
 * (the batch order), so turning dropout on changes neither the batch order nor the initial weights.
 */

/** triple32: a 32-bit integer hash (bijective, full avalanche). */
export function maskHash(x: number): number {
  let v = x >>> 0;
  v ^= v >>> 17;
  v = Math.imul(v, 0xed5ad4bb);
  v ^= v >>> 11;
  v = Math.imul(v, 0xac4c1b51);
  v ^= v >>> 15;
  v = Math.imul(v, 0x31848bab);
  v ^= v >>> 14;
  return v >>> 0;
}

/** Domain tag of the dropout stream, so that seed s here is unrelated to any other use of s. */
const DROPOUT_DOMAIN = 0x64726f70;

/** The key of hidden layer `layer`'s mask at step `step` (0 for the first update) of the stream seeded `seed`. */
export function dropoutKey(seed: number, step: number, layer: number): number {
  return maskHash(maskHash(maskHash((seed ^ DROPOUT_DOMAIN) >>> 0) ^ (step >>> 0)) ^ (layer >>> 0));
}

/** The 32-bit threshold of rate p: a unit is dropped iff its hash is below it (probability ⌊p·2³²⌋/2³²). */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.floor(p * 4294967296), 4294967295);
}

/** The scale of kept units, 1/(1 − p). */
export function dropoutScale(p: number): number {
  return 1 / (1 - p);
}

/** Whether unit i (row-major index within one model's layer output) is kept under `key` and `threshold`. */
export function dropoutKeeps(key: number, i: number, threshold: number): boolean {
  return maskHash((maskHash(i) ^ key) >>> 0) >= threshold;
}
