/**
 * Colour scales for the canvas charts, as pure functions: viridis (sequential, colour-blind safe, readable in
 * greyscale) for magnitudes and a blue–white–orange diverging scale for class probabilities.
 */

/** An RGB triple, 0..255 per channel. */
export type Rgb = [number, number, number];

/** Viridis sampled at 9 evenly spaced stops (matplotlib's table); interpolated linearly in between. */
const VIRIDIS_STOPS: readonly Rgb[] = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Class 0 (p → 0): Okabe–Ito blue. */
export const CLASS0_RGB: Rgb = [0, 114, 178];
/** Class 1 (p → 1): Okabe–Ito orange. */
export const CLASS1_RGB: Rgb = [230, 159, 0];
/** The undecided middle (p = 0.5). */
const MIDDLE_RGB: Rgb = [247, 247, 247];

/** Heatmap colour of an exact zero (underflow): a neutral grey, apart from every viridis colour. */
export const ZERO_COLOR = '#c8c8c8';
/** Heatmap colour of NaN/∞ (a diverged run). */
export const NAN_COLOR = '#e4007c';

function lerpStops(stops: readonly Rgb[], t: number, out: Rgb): Rgb {
  const x = (t < 0 ? 0 : t > 1 ? 1 : t) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  out[0] = Math.round(a[0] + (b[0] - a[0]) * f);
  out[1] = Math.round(a[1] + (b[1] - a[1]) * f);
  out[2] = Math.round(a[2] + (b[2] - a[2]) * f);
  return out;
}

/** Viridis colour at t ∈ [0, 1] (dark purple → yellow), into `out` when given. */
export function viridis(t: number, out: Rgb = [0, 0, 0]): Rgb {
  return lerpStops(VIRIDIS_STOPS, t, out);
}

/** A table of `size` viridis colours, RGB interleaved, for per-pixel lookups. */
export function viridisTable(size: number): Uint8ClampedArray {
  const table = new Uint8ClampedArray(size * 3);
  const c: Rgb = [0, 0, 0];
  for (let i = 0; i < size; i++) {
    viridis(size === 1 ? 0 : i / (size - 1), c);
    table.set(c, 3 * i);
  }
  return table;
}

/** Diverging colour of a class-1 probability p: blue (0) → near white (0.5) → orange (1), into `out`. */
export function blueOrange(p: number, out: Rgb = [0, 0, 0]): Rgb {
  return lerpStops([CLASS0_RGB, MIDDLE_RGB, CLASS1_RGB], p, out);
}

/** CSS `rgb()` of a triple. */
export function rgbCss(c: Rgb): string {
  return `rgb(${c[0]} ${c[1]} ${c[2]})`;
}

/** CSS linear-gradient stops of viridis from 0% to 100%, for a legend bar. */
export function viridisGradientCss(direction: string): string {
  const stops = VIRIDIS_STOPS.map((c, i) => `${rgbCss(c)} ${((100 * i) / (VIRIDIS_STOPS.length - 1)).toFixed(1)}%`);
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}
