/**
 * Pure layout of the network view: which node layers are drawn (a deep stack folds its middle layers into one
 * band), which units of each are drawn (a wide layer shows an even sample and "+N more"), and where they sit.
 */

/** Most units of a layer drawn one by one; a wider layer shows MAX_UNITS − 1 of them and a "+N more" mark. */
export const MAX_UNITS = 16;
/** Most node layers (input, hidden, output) drawn before the middle ones fold into a band. */
export const MAX_COLUMNS = 8;
/** Node layers kept on each side of the fold. */
const KEEP_EACH_SIDE = 3;

/** One column of the drawing: a node layer with the units drawn, or the band of folded layers. */
export type Column =
  | { readonly kind: 'layer'; readonly layer: number; readonly units: readonly number[]; readonly more: number }
  | { readonly kind: 'band'; readonly from: number; readonly to: number };

/** Units of a layer of `width` drawn: all up to MAX_UNITS, else an even sample of MAX_UNITS − 1 and the rest counted. */
export function drawnUnits(width: number, max = MAX_UNITS): { units: number[]; more: number } {
  if (width <= max) return { units: Array.from({ length: width }, (_, i) => i), more: 0 };
  const k = max - 1;
  const units = Array.from({ length: k }, (_, i) => Math.round((i * (width - 1)) / (k - 1)));
  return { units, more: width - k };
}

/**
 * The columns for layer sizes `sizes` (node layers: input, hidden…, output): every layer when there are at most
 * MAX_COLUMNS or `unfolded`, else the first and last KEEP_EACH_SIDE with one band for the layers in between.
 */
export function networkColumns(sizes: readonly number[], unfolded: boolean, maxUnits = MAX_UNITS): Column[] {
  const layer = (l: number): Column => ({ kind: 'layer', layer: l, ...drawnUnits(sizes[l]!, maxUnits) });
  const n = sizes.length;
  if (n <= MAX_COLUMNS || unfolded) return sizes.map((_, l) => layer(l));
  const cols: Column[] = [];
  for (let l = 0; l < KEEP_EACH_SIDE; l++) cols.push(layer(l));
  cols.push({ kind: 'band', from: KEEP_EACH_SIDE, to: n - 1 - KEEP_EACH_SIDE });
  for (let l = n - KEEP_EACH_SIDE; l < n; l++) cols.push(layer(l));
  return cols;
}

/** Label of a node layer: "input", "output" or "hidden k". */
export function layerName(layer: number, count: number): string {
  return layer === 0 ? 'input' : layer === count - 1 ? 'output' : `hidden ${layer}`;
}

/** A drawn unit and where it sits (CSS pixels). */
export interface PlacedUnit {
  readonly layer: number;
  readonly unit: number;
  readonly x: number;
  readonly y: number;
}

/** Where the columns sit across `width` × `height` (x per column; y per unit), inside the margins given. */
export function placeColumns(cols: readonly Column[], left: number, right: number, top: number, bottom: number): { x: number[]; units: PlacedUnit[] } {
  const n = cols.length;
  const x = cols.map((_, i) => (n === 1 ? (left + right) / 2 : left + ((right - left) * i) / (n - 1)));
  const units: PlacedUnit[] = [];
  cols.forEach((c, i) => {
    if (c.kind !== 'layer') return;
    const slots = c.units.length + (c.more > 0 ? 1 : 0);
    c.units.forEach((u, k) => {
      const y = slots === 1 ? (top + bottom) / 2 : top + ((bottom - top) * (k + 0.5)) / slots;
      units.push({ layer: c.layer, unit: u, x: x[i]!, y });
    });
  });
  return { x, units };
}

/** The drawn unit nearest (px, py) within `radius`, or null. */
export function hitUnit(units: readonly PlacedUnit[], px: number, py: number, radius: number): PlacedUnit | null {
  let best: PlacedUnit | null = null;
  let bestD = radius * radius;
  for (const u of units) {
    const d = (u.x - px) ** 2 + (u.y - py) ** 2;
    if (d <= bestD) {
      best = u;
      bestD = d;
    }
  }
  return best;
}
