/**
 * Lesson 3's arithmetic: one sigmoid neuron ŷ = σ(wx + b) with the loss L = ½(y − ŷ)², every chain-rule
 * factor of ∂L/∂w and ∂L/∂b, and one gradient-descent step. Pure numbers, no DOM.
 */
import { ACTIVATIONS } from '../../core/activations.js';

/** What the student sets. */
export interface NeuronInput {
  readonly x: number;
  readonly w: number;
  readonly b: number;
  /** Target. */
  readonly y: number;
  /** Learning rate η. */
  readonly lr: number;
  /** The neuron's activation φ: the sigmoid (the default) or linear (φ(z) = z, slope 1). */
  readonly activation?: 'sigmoid' | 'linear';
}

/** The forward values, the chain-rule factors, the gradients and the result of one step. */
export interface NeuronTrace {
  /** z = wx + b. */
  readonly z: number;
  /** ŷ = σ(z). */
  readonly yHat: number;
  /** L = ½(y − ŷ)². */
  readonly loss: number;
  /** ∂L/∂ŷ = ŷ − y. */
  readonly dLdYHat: number;
  /** ∂ŷ/∂z = σ(z)(1 − σ(z)). */
  readonly dYHatdZ: number;
  /** ∂z/∂w = x. */
  readonly dZdW: number;
  /** ∂z/∂b = 1. */
  readonly dZdB: number;
  /** ∂L/∂w, the product of the three factors. */
  readonly dLdW: number;
  /** ∂L/∂b. */
  readonly dLdB: number;
  /** w after one step, w − η·∂L/∂w. */
  readonly wNext: number;
  /** b after one step. */
  readonly bNext: number;
  /** The loss at the new weights. */
  readonly lossNext: number;
}

/** σ(z), overflow-safe. */
export function sigmoid(z: number): number {
  return ACTIVATIONS.sigmoid.value(z);
}

/** σ′(z) = σ(z)(1 − σ(z)), at most 0.25 (at z = 0). */
export function sigmoidSlope(z: number): number {
  const s = sigmoid(z);
  return s * (1 - s);
}

/** Loss ½(y − φ(wx + b))², φ the sigmoid unless `activation` is linear. */
export function neuronLoss(x: number, w: number, b: number, y: number, activation: NeuronInput['activation'] = 'sigmoid'): number {
  const z = w * x + b;
  const d = y - (activation === 'linear' ? z : sigmoid(z));
  return 0.5 * d * d;
}

/** The whole chain of lesson 3 for one setting. */
export function neuronTrace(p: NeuronInput): NeuronTrace {
  const z = p.w * p.x + p.b;
  const linear = p.activation === 'linear';
  const yHat = linear ? z : sigmoid(z);
  const loss = 0.5 * (p.y - yHat) ** 2;
  const dLdYHat = yHat - p.y;
  const dYHatdZ = linear ? 1 : yHat * (1 - yHat);
  const dZdW = p.x;
  const dZdB = 1;
  const dLdW = dLdYHat * dYHatdZ * dZdW;
  const dLdB = dLdYHat * dYHatdZ * dZdB;
  const wNext = p.w - p.lr * dLdW;
  const bNext = p.b - p.lr * dLdB;
  return { z, yHat, loss, dLdYHat, dYHatdZ, dZdW, dZdB, dLdW, dLdB, wNext, bNext, lossNext: neuronLoss(p.x, wNext, bNext, p.y, p.activation) };
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10 to an integer power as text: 10⁻¹³ (1 for 0). */
export function powerOfTen(e: number): string {
  return e === 0 ? '1' : `10${[...String(e)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** A number for lesson text: up to `digits` significant digits, written 9.09×10⁻¹³ when very small or large. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) {
    const [m, e] = v.toExponential(digits - 1).split('e');
    return `${Number(m)}×${powerOfTen(Number(e))}`;
  }
  return String(Number(v.toPrecision(digits)));
}
