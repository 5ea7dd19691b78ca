/**
 * What lesson 4 says about a finished run, computed from the run's own numbers: the summary sentences, the hidden
 * units' saturation, which CLI preset (if any) reproduces it, and points the network never saw for the last
 * step of the recipe.
 */
import { ACTIVATIONS } from '../../core/activations.js';
import type { Parameters } from '../../core/init.js';
import { preset } from '../../core/presets.js';
import { classicSettings, classicSpec, type ClassicSettings } from './classic-setup.js';

/** The CLI preset of the data set (null for the circle), and whether these settings are exactly that preset. */
export function presetOf(s: ClassicSettings): { readonly name: 'xor-classic' | 'and-classic' | null; readonly exact: boolean } {
  if (s.dataset === 'circle') return { name: null, exact: false };
  const name = s.dataset === 'and' ? 'and-classic' : 'xor-classic';
  return { name, exact: JSON.stringify(classicSpec(s)) === JSON.stringify(preset(name)) };
}

/** Whether these are the course text's own settings for its data set (XOR: seed 42, 10 000 epochs; AND: the exercise). */
export function isTextRun(s: ClassicSettings): boolean {
  return s.dataset !== 'circle' && JSON.stringify(s) === JSON.stringify(classicSettings(s.dataset === 'and' ? 'and-classic' : 'xor-classic'));
}

/** Hidden outputs a₁ (n × hidden) of a 2-h-1 network for the rows of x. */
export function hiddenOutputs(p: Parameters, activation: ClassicSettings['activation'], x: Float64Array, n: number): Float64Array {
  const W1 = p.weights[0]!;
  const b1 = p.biases[0]!;
  const h = b1.length;
  const f = ACTIVATIONS[activation].value;
  const out = new Float64Array(n * h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) out[i * h + j] = f(x[2 * i]! * W1[j]! + x[2 * i + 1]! * W1[h + j]! + b1[j]!);
  return out;
}

/** How many hidden outputs are saturated (sigmoid, tanh) or dead (ReLU); null where the notion does not apply. */
export function saturatedCount(a1: Float64Array, activation: ClassicSettings['activation']): number | null {
  const test = ACTIVATIONS[activation].saturated;
  return test ? a1.reduce((k, a) => k + (test(a) ? 1 : 0), 0) : null;
}

/** What the run shows, in a few sentences. */
export interface RunSummary {
  readonly sentences: readonly string[];
  /** Rows answered wrongly when the output is rounded at 0.5. */
  readonly wrong: number;
}

/** The summary of a finished run of `epochs` epochs from its first and last loss, last-pass outputs and targets. */
export function summarize(s: ClassicSettings, first: number, last: number, a2: ArrayLike<number>, y: ArrayLike<number>, saturated: number | null): RunSummary {
  const n = y.length;
  let wrong = 0;
  for (let i = 0; i < n; i++) if ((a2[i]! >= 0.5 ? 1 : 0) !== y[i]) wrong++;
  const name = s.dataset === 'circle' ? 'the circle' : s.dataset.toUpperCase();
  const sentences = [
    `After ${s.epochs} epochs the loss is ${last.toPrecision(4)}, down from ${first.toPrecision(4)} at epoch 0 (${(first / last).toPrecision(3)} times smaller).`,
    wrong === 0
      ? `Rounded at 0.5, all ${n} answers are right: the network has learned ${name}.`
      : `Rounded at 0.5, ${n - wrong} of ${n} answers are right: the network has not learned ${name} yet.`,
  ];
  if (saturated !== null) {
    const total = n * s.hidden;
    const what = s.activation === 'relu' ? 'dead (zero)' : 'saturated (on the flat part of the curve)';
    sentences.push(`${saturated} of the ${total} hidden outputs (${s.hidden} units × ${n} points) are ${what}, where they pass almost no gradient back.`);
  }
  return { sentences, wrong };
}

/** Points the network never saw, with their true labels: near the four corners for XOR and AND. */
export function unseenCorners(dataset: 'xor' | 'and'): { x: Float64Array; y: Float64Array; n: number } {
  const pts = [0.1, 0.15, 0.2, 0.85, 0.9, 0.1, 0.8, 0.9, 0.3, 0.25, 0.7, 0.75];
  const n = pts.length / 2;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.round(pts[2 * i]!);
    const b = Math.round(pts[2 * i + 1]!);
    y[i] = dataset === 'xor' ? a ^ b : a & b;
  }
  return { x: Float64Array.from(pts), y, n };
}
