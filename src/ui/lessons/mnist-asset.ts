/**
 * Lesson 6's digits: the compact MNIST subset `mnist-digits.bin` (written by scripts/build-mnist.mjs: 14×14 bytes
 * per digit, training and test sets), its decoder and loader, a synthetic stand-in drawn from seven-segment
 * strokes for when the file is missing, and the conversion to a Dataset for the trainer.
 */
import type { Dataset } from '../../core/datasets.js';
import { NumpyRandom } from '../../core/rng.js';

/** File name of the asset, relative to the page. */
export const DIGITS_ASSET = 'mnist-digits.bin';
/** Magic bytes 'BPMN'. */
const MAGIC = [0x42, 0x50, 0x4d, 0x4e] as const;
const HEADER = 16;

/** Digits of one split: `n` images of side×side bytes (0 = paper, 255 = ink) and their labels 0–9. */
export interface DigitSplit {
  readonly n: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** A training and a test split of square digit images. */
export interface DigitSet {
  readonly side: number;
  readonly train: DigitSplit;
  readonly test: DigitSplit;
  /** Real MNIST digits, or the synthetic stand-in. */
  readonly source: 'mnist' | 'synthetic';
}

/** Encode a digit set in the asset format (what scripts/build-mnist.mjs writes). */
export function encodeDigits(set: DigitSet): Uint8Array {
  const total = set.train.n + set.test.n;
  const px = set.side * set.side;
  const buf = new Uint8Array(HEADER + total + total * px);
  const view = new DataView(buf.buffer);
  buf.set(MAGIC, 0);
  view.setUint8(4, 1);
  view.setUint8(5, set.side);
  view.setUint32(8, set.train.n, true);
  view.setUint32(12, set.test.n, true);
  buf.set(set.train.labels, HEADER);
  buf.set(set.test.labels, HEADER + set.train.n);
  buf.set(set.train.images, HEADER + total);
  buf.set(set.test.images, HEADER + total + set.train.n * px);
  return buf;
}

/** Decode the asset; throws with a reason when the bytes are not a digit set. */
export function decodeDigits(bytes: ArrayBuffer | Uint8Array): DigitSet {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (buf.length < HEADER || MAGIC.some((b, i) => buf[i] !== b)) throw new Error('not a digit file (no BPMN header)');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint8(4) !== 1) throw new Error(`unknown digit file version ${view.getUint8(4)}`);
  const side = view.getUint8(5);
  const nTrain = view.getUint32(8, true);
  const nTest = view.getUint32(12, true);
  const total = nTrain + nTest;
  const px = side * side;
  if (side === 0 || buf.length !== HEADER + total + total * px) throw new Error(`digit file has ${buf.length} bytes, expected ${HEADER + total + total * px}`);
  const labels = buf.subarray(HEADER, HEADER + total);
  if (labels.some((l) => l > 9)) throw new Error('digit file has a label above 9');
  const images = buf.subarray(HEADER + total);
  return {
    side,
    source: 'mnist',
    train: { n: nTrain, labels: labels.subarray(0, nTrain), images: images.subarray(0, nTrain * px) },
    test: { n: nTest, labels: labels.subarray(nTrain), images: images.subarray(nTrain * px) },
  };
}

/** Seven-segment strokes of each digit, segments a–g as [x0, y0, x1, y1] in a unit box (y down). */
const SEGMENTS: Record<string, readonly [number, number, number, number]> = {
  a: [0, 0, 1, 0], b: [1, 0, 1, 0.5], c: [1, 0.5, 1, 1], d: [0, 1, 1, 1], e: [0, 0.5, 0, 1], f: [0, 0, 0, 0.5], g: [0, 0.5, 1, 0.5],
};
const DIGIT_SEGMENTS = ['abcdef', 'bc', 'abged', 'abgcd', 'fgbc', 'afgcd', 'afgedc', 'abc', 'abcdefg', 'abcdfg'] as const;

function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - x0 - t * dx, py - y0 - t * dy);
}

/** Draw digit `label` with random size, slant, position and stroke into `out` (side×side bytes). */
function drawDigit(label: number, side: number, rng: NumpyRandom, out: Uint8Array): void {
  const scale = (side / 14) * rng.uniform(0.8, 1.1);
  const w = 5.5 * scale;
  const h = 9 * scale;
  const cx = side / 2 + rng.uniform(-1.2, 1.2);
  const cy = side / 2 + rng.uniform(-1, 1);
  const slant = rng.uniform(-0.3, 0.3);
  const stroke = rng.uniform(0.7, 1.3) * (side / 14);
  const map = (u: number, v: number): [number, number] => [cx + (u - 0.5) * w - slant * (v - 0.5) * h, cy + (v - 0.5) * h];
  const segs = [...DIGIT_SEGMENTS[label]!].map((s) => {
    const [u0, v0, u1, v1] = SEGMENTS[s]!;
    const wobble = () => rng.uniform(-0.06, 0.06);
    return [...map(u0 + wobble(), v0 + wobble()), ...map(u1 + wobble(), v1 + wobble())] as [number, number, number, number];
  });
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      let d = Infinity;
      for (const s of segs) d = Math.min(d, segmentDistance(c + 0.5, r + 0.5, ...s));
      const ink = Math.max(0, Math.min(1, stroke - d + 0.5)) + 0.04 * rng.standardNormal();
      out[r * side + c] = Math.max(0, Math.min(255, Math.round(ink * 255)));
    }
  }
}

/** A synthetic digit set (seven-segment digits with random size, slant, shift and stroke), seeded. */
export function syntheticDigits(nTrain: number, nTest: number, seed = 1, side = 14): DigitSet {
  const rng = new NumpyRandom(seed);
  const split = (n: number): DigitSplit => {
    const images = new Uint8Array(n * side * side);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 10;
      drawDigit(i % 10, side, rng, images.subarray(i * side * side, (i + 1) * side * side));
    }
    return { n, images, labels };
  };
  return { side, train: split(nTrain), test: split(nTest), source: 'synthetic' };
}

/** The digits of a split as a data set: inputs in [0, 1] (n × side²), one-hot targets (n × 10). */
export function digitsDataset(split: DigitSplit, side: number): Dataset {
  const px = side * side;
  const x = new Float64Array(split.n * px);
  for (let i = 0; i < x.length; i++) x[i] = split.images[i]! / 255;
  const y = new Float64Array(split.n * 10);
  for (let i = 0; i < split.n; i++) y[i * 10 + split.labels[i]!] = 1;
  return { name: 'csv', x, y, n: split.n, inputDim: px, outputDim: 10, task: 'multiclass', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
}

/** A loaded digit set, or the synthetic stand-in and why. */
export interface LoadedDigits {
  readonly digits: DigitSet;
  /** Why the synthetic digits are used, or null for real MNIST. */
  readonly fallback: string | null;
}

/** Fetch the asset next to the page; fall back to synthetic digits (same sizes) when it is missing or broken. */
export async function loadDigits(url: string = DIGITS_ASSET): Promise<LoadedDigits> {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return { digits: decodeDigits(await res.arrayBuffer()), fallback: null };
  } catch (e) {
    return { digits: syntheticDigits(4000, 1000), fallback: e instanceof Error ? e.message : String(e) };
  }
}

/** Index of the largest of `k` values starting at `offset`. */
export function argmaxAt(v: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

/** Share of rows whose argmax of `pred` (n × 10) equals the label. */
export function digitAccuracy(pred: ArrayLike<number>, labels: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxAt(pred, i * 10, 10) === labels[i]) right++;
  return labels.length ? right / labels.length : 0;
}
