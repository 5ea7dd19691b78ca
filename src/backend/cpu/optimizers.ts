/**
 * The update rules of backend.ts on typed arrays: gradient clipping, then SGD, momentum (Nesterov), RMSProp or
 * Adam, for one batch entry's slice of a parameter and its gradient. The CPU backend calls these; the WGSL
 * update kernel computes the same formulas.
 */
import type { ClipRule, UpdateRule } from '../backend.js';
import { PLAIN_MAX, PLAIN_MIN } from './metrics.js';

type Buf = Float32Array | Float64Array;

/** Optimizer state of one parameter tensor (slots allocated on first use, as long as the parameter). */
export interface OptimizerSlots {
  first: Buf | null;
  second: Buf | null;
}

/** Global L2 norm of the slices [off, off+n) of several gradients, scaled so that tiny and huge entries stay exact. */
export function globalNorm(slices: readonly { data: Buf; off: number; n: number }[]): number {
  // One plain pass first: it is exact whenever its sum is in range (always for f32 data without NaN or ±∞).
  let plain = 0;
  for (const { data, off, n } of slices) {
    for (let i = off; i < off + n; i++) {
      const v = data[i]!;
      plain += v * v;
    }
  }
  if (plain >= PLAIN_MIN && plain <= PLAIN_MAX) return Math.sqrt(plain);
  let max = 0;
  for (const { data, off, n } of slices) {
    for (let i = off; i < off + n; i++) {
      const v = Math.abs(data[i]!);
      if (v > max || Number.isNaN(v)) max = v;
    }
  }
  if (max === 0 || !Number.isFinite(max)) return max;
  let s = 0;
  for (const { data, off, n } of slices) {
    for (let i = off; i < off + n; i++) {
      const v = data[i]! / max;
      s += v * v;
    }
  }
  return max * Math.sqrt(s);
}

/**
 * Clip one batch entry's gradients in place. Returns [global norm before clipping, factor]: the factor is the
 * scale applied by norm clipping (1 when untouched), or the share of entries clipped by value clipping.
 */
export function clipGradients(slices: readonly { data: Buf; off: number; n: number }[], clip: ClipRule | undefined, b: number): [number, number] {
  const norm = globalNorm(slices);
  if (!clip) return [norm, 1];
  const max = clip.max[b]!;
  if (clip.kind === 'norm') {
    if (!(norm > max) || !Number.isFinite(norm)) return [norm, 1];
    const f = max / norm;
    for (const { data, off, n } of slices) for (let i = off; i < off + n; i++) data[i]! *= f;
    return [norm, f];
  }
  let clipped = 0;
  let count = 0;
  for (const { data, off, n } of slices) {
    count += n;
    for (let i = off; i < off + n; i++) {
      const v = data[i]!;
      if (v > max) {
        data[i] = max;
        clipped++;
      } else if (v < -max) {
        data[i] = -max;
        clipped++;
      }
    }
  }
  return [norm, count ? clipped / count : 0];
}

/** Apply the rule to θ[off, off+n) from g[off, off+n) for batch entry b, updating the optimizer slots. */
export function applyRule(rule: UpdateRule, theta: Buf, g: Buf, slots: OptimizerSlots, off: number, n: number, b: number): void {
  const lr = rule.lr[b]!;
  switch (rule.kind) {
    case 'sgd':
      for (let i = off; i < off + n; i++) theta[i]! -= lr * g[i]!;
      return;
    case 'momentum': {
      const mu = rule.momentum[b]!;
      const v = slots.first!;
      for (let i = off; i < off + n; i++) {
        const vi = mu * v[i]! + g[i]!;
        v[i] = vi;
        theta[i]! -= lr * (rule.nesterov ? g[i]! + mu * vi : vi);
      }
      return;
    }
    case 'rmsprop': {
      const rho = rule.decay[b]!;
      const s = slots.second!;
      for (let i = off; i < off + n; i++) {
        const gi = g[i]!;
        const si = rho * s[i]! + (1 - rho) * gi * gi;
        s[i] = si;
        theta[i]! -= (lr * gi) / (Math.sqrt(si) + rule.eps);
      }
      return;
    }
    case 'adam': {
      const b1 = rule.beta1[b]!;
      const b2 = rule.beta2[b]!;
      const c1 = 1 - b1 ** rule.step;
      const c2 = 1 - b2 ** rule.step;
      const m = slots.first!;
      const v = slots.second!;
      for (let i = off; i < off + n; i++) {
        const gi = g[i]!;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i]! -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + rule.eps);
      }
      return;
    }
  }
}

/** Which optimizer slots a rule needs: [first moment / velocity, second moment]. */
export function slotsNeeded(rule: UpdateRule): [boolean, boolean] {
  switch (rule.kind) {
    case 'sgd':
      return [false, false];
    case 'momentum':
      return [true, false];
    case 'rmsprop':
      return [false, true];
    case 'adam':
      return [true, true];
  }
}

/**
 * applyRule with L2 weight decay (WeightDecayRule): `coupled` λ adds λ·θ to the gradient the rule sees (the stored
 * gradient is left as it was), `decoupled` λ first shrinks θ by (lr·λ)·θ (AdamW); θ in both is the value before
 * this update. The same formulas as update_element in shaders/update.wgsl.
 */
export function applyRuleDecayed(rule: UpdateRule, theta: Buf, g: Buf, slots: OptimizerSlots, off: number, n: number, b: number, coupled: number, decoupled: number): void {
  const lr = rule.lr[b]!;
  const shrink = lr * decoupled;
  for (let i = off; i < off + n; i++) {
    const th = theta[i]!;
    const gi = coupled !== 0 ? g[i]! + coupled * th : g[i]!;
    if (shrink !== 0) theta[i] = th - shrink * th;
    switch (rule.kind) {
      case 'sgd':
        theta[i]! -= lr * gi;
        break;
      case 'momentum': {
        const mu = rule.momentum[b]!;
        const v = slots.first!;
        const vi = mu * v[i]! + gi;
        v[i] = vi;
        theta[i]! -= lr * (rule.nesterov ? gi + mu * vi : vi);
        break;
      }
      case 'rmsprop': {
        const rho = rule.decay[b]!;
        const s = slots.second!;
        const si = rho * s[i]! + (1 - rho) * gi * gi;
        s[i] = si;
        theta[i]! -= (lr * gi) / (Math.sqrt(si) + rule.eps);
        break;
      }
      case 'adam': {
        const b1 = rule.beta1[b]!;
        const b2 = rule.beta2[b]!;
        const c1 = 1 - b1 ** rule.step;
        const c2 = 1 - b2 ** rule.step;
        const m = slots.first!;
        const v = slots.second!;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i]! -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + rule.eps);
        break;
      }
    }
  }
}
