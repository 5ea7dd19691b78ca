/**
 * Pure helpers for log-scaled charts that must show exact zeros: the decade range of the data with an
 * underflow floor one decade below it, the mapping of a value onto a palette by its decade, and tick labels.
 */

/** The decades a set of values spans, and where values ≤ 0 (an underflowed gradient) are drawn. */
export interface LogRange {
  /** Power of ten at or below the smallest positive finite value. */
  readonly lo: number;
  /** Power of ten at or above the largest finite value (always > lo). */
  readonly hi: number;
  /** Where values ≤ 0 are drawn: one decade below `lo`. */
  readonly floor: number;
  /** Whether any finite value was ≤ 0, so an underflow band has to be shown. */
  readonly hasZeros: boolean;
}

/** Decades used when there is no positive value to range on. */
export const FALLBACK_DECADES = { lo: 1e-3, hi: 1 } as const;

/** Palette index meaning "exactly zero (underflow)". */
export const ZERO_INDEX = -1;
/** Palette index meaning "not a finite number (diverged)". */
export const NAN_INDEX = -2;

const SQRT10 = Math.sqrt(10);

/** Powers of ten around the finite values; values ≤ 0 map to a floor one decade below the smallest positive one. */
export function logRange(values: Iterable<number>): LogRange {
  let min = Infinity;
  let max = -Infinity;
  let hasZeros = false;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v <= 0) {
      hasZeros = true;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { ...FALLBACK_DECADES, floor: FALLBACK_DECADES.lo / 10, hasZeros };
  let loExp = Math.floor(Math.log10(min));
  let hiExp = Math.ceil(Math.log10(max));
  // Guard against log10 rounding (e.g. log10(1e-3) = -2.9999999999999996): keep lo ≤ min and hi ≥ max.
  if (10 ** loExp > min) loExp -= 1;
  if (10 ** hiExp < max) hiExp += 1;
  if (hiExp <= loExp) hiExp = loExp + 1;
  const lo = 10 ** loExp;
  return { lo, hi: 10 ** hiExp, floor: lo / 10, hasZeros };
}

/** Bottom of the value axis: 0.75 decade below the floor when zeros are shown (room for the band), else `lo`. */
export function axisMin(range: LogRange): number {
  return range.hasZeros ? range.floor / 10 ** 0.75 : range.lo;
}

/** Top of the underflow band (half a decade above the floor); no positive value is drawn below it. */
export function bandTop(range: LogRange): number {
  return range.floor * SQRT10;
}

/** A value as drawn on a log axis: itself if positive, the floor if ≤ 0, null (a gap) if not finite. */
export function toLogValue(v: number, floor: number): number | null {
  if (!Number.isFinite(v)) return null;
  return v > 0 ? v : floor;
}

/** `toLogValue` over an array, into `out` when given. */
export function toLogValues(values: ArrayLike<number>, floor: number, out: (number | null)[] = []): (number | null)[] {
  out.length = values.length;
  for (let i = 0; i < values.length; i++) out[i] = toLogValue(values[i]!, floor);
  return out;
}

/** Position of a positive value between `lo` (0) and `hi` (1) on a log scale, clamped to [0, 1]. */
export function logPosition(v: number, lo: number, hi: number): number {
  const t = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Palette entry (0..size-1) of a value on a log scale from lo to hi; ZERO_INDEX for ≤ 0, NAN_INDEX for NaN/±∞. */
export function paletteIndex(v: number, lo: number, hi: number, size: number): number {
  if (!Number.isFinite(v)) return NAN_INDEX;
  if (v <= 0) return ZERO_INDEX;
  return Math.min(size - 1, Math.floor(logPosition(v, lo, hi) * size));
}

/** A decade tick of a colour legend: the exponent and its position (0..1) along the legend. */
export interface DecadeTick {
  readonly exponent: number;
  readonly position: number;
}

/** Decade ticks from lo to hi (both powers of ten), thinned to at most `maxTicks` by stepping whole decades. */
export function decadeTicks(lo: number, hi: number, maxTicks = 8): DecadeTick[] {
  const loExp = Math.round(Math.log10(lo));
  const hiExp = Math.round(Math.log10(hi));
  const span = Math.max(1, hiExp - loExp);
  const step = Math.max(1, Math.ceil(span / Math.max(1, maxTicks - 1)));
  const ticks: DecadeTick[] = [];
  // Anchor at the top so the largest decade is always labelled.
  for (let e = hiExp; e >= loExp; e -= step) ticks.push({ exponent: e, position: (e - loExp) / span });
  return ticks.reverse();
}

/** Powers of ten within [min, max] for a log axis, at most `maxTicks`, plus the floor when zeros are shown. */
export function logAxisSplits(min: number, max: number, maxTicks: number, floor: number | null): number[] {
  const lo = 10 ** Math.ceil(Math.log10(min) - 1e-9);
  const hi = 10 ** Math.floor(Math.log10(max) + 1e-9);
  const splits = hi >= lo ? decadeTicks(lo, hi, maxTicks).map((t) => 10 ** t.exponent) : [];
  const fromFloor = floor === null ? splits : splits.filter((s) => s > floor * 1.5);
  return floor === null ? fromFloor : [floor, ...fromFloor];
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** "10⁻⁵" for exponent -5 (1 and 10 read as themselves). */
export function formatDecade(exponent: number): string {
  if (exponent === 0) return '1';
  if (exponent === 1) return '10';
  return `10${String(exponent).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c] ?? c)}`;
}

/** Label of a log-axis tick: "0" at the underflow floor, a decade as 10ⁿ, anything else as a short number. */
export function formatLogTick(v: number, floor: number | null): string {
  if (floor !== null && Math.abs(v / floor - 1) < 1e-6) return '0';
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) < 1e-9) return formatDecade(Math.round(e));
  return formatValue(v);
}

/** A short human reading of a number: 3 significant digits, scientific outside [1e-3, 1e4), "0" for zero. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(3)));
  const [mant, exp] = v.toExponential(2).split('e');
  return `${Number(mant)}·${formatDecade(Number(exp))}`;
}
