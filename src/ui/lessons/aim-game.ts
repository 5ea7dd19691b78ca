/**
 * Lesson 1's shooting game as numbers: a shot with strength s lands at distance DISTANCE_PER_STRENGTH·s, the miss
 * is landing − target, and a correction is one gradient-descent step on ½·miss².
 */

/** Metres per unit of strength. */
export const DISTANCE_PER_STRENGTH = 5;

/** Where a shot of strength `s` lands. */
export function landing(s: number): number {
  return DISTANCE_PER_STRENGTH * s;
}

/**
 * The corrected strength: s − η·∂(½·miss²)/∂s = s − η·miss·DISTANCE_PER_STRENGTH. Each correction multiplies the
 * miss by (1 − η·DISTANCE_PER_STRENGTH²): it shrinks for η below 2/25 = 0.08 and grows above.
 */
export function corrected(s: number, target: number, lr: number): number {
  const miss = landing(s) - target;
  return s - lr * miss * DISTANCE_PER_STRENGTH;
}

/** The per-link product of the vanishing-signal chain: what is left after `depth` links of `factor`. */
export function chainProduct(factor: number, depth: number): number {
  return factor ** depth;
}

/** The signal after each link, output side first: [1, f, f², …, f^depth]. */
export function chainSignals(factor: number, depth: number): number[] {
  const out = [1];
  for (let k = 1; k <= depth; k++) out.push(out[k - 1]! * factor);
  return out;
}
