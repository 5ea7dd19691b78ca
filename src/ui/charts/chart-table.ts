/**
 * The accessible form of a chart: its current numbers as tables (shown by the card's "Table" toggle) and a
 * one-sentence summary (the chart box's aria-label), and the pure helpers that build them.
 */

/** One table of a chart's numbers: a caption, column headings and rows (the first cell of a row heads it). */
export interface ChartTable {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (number | string | null)[])[];
}

/** A chart that can give its current numbers as tables and a short summary. */
export interface Tabular {
  /** The chart's current data as tables (empty before the first data). */
  tables(): ChartTable[];
  /** A one-sentence summary of what the chart shows now (its aria-label). */
  summary(): string;
}

/** Whether an element implements `Tabular`. */
export function isTabular(el: Element): el is Element & Tabular {
  const t = el as Partial<Tabular>;
  return typeof t.tables === 'function' && typeof t.summary === 'function';
}

/** Most rows a time-series table shows (the last logged step of each of this many equal buckets: `columnSamples`). */
export const MAX_TABLE_ROWS = 100;

/** Text of a table cell: integers in full, other numbers to 4 significant digits, null as "—". */
export function formatCell(v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** The smallest and the largest finite value of a list, with their indices, or null when there is none. */
export function extremes(values: readonly number[]): { min: number; minAt: number; max: number; maxAt: number } | null {
  let minAt = -1;
  let maxAt = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (minAt < 0 || v < values[minAt]!) minAt = i;
    if (maxAt < 0 || v > values[maxAt]!) maxAt = i;
  }
  return minAt < 0 ? null : { min: values[minAt]!, minAt, max: values[maxAt]!, maxAt };
}
