/** Colours and fonts shared by the charts: dark ink on a light card, readable when projected at 1280×720. */

/** Text and axis ink. */
export const INK = '#1f2328';
/** Secondary text (axis titles, captions). */
export const MUTED = '#57606a';
/** CSS of the ink: the page theme's (--bp-ink), else INK. */
export const INK_CSS = `var(--bp-ink, ${INK})`;
/** CSS of the secondary text: the page theme's (--bp-muted), else MUTED. */
export const MUTED_CSS = `var(--bp-muted, ${MUTED})`;
/** Grid lines. */
export const GRID = '#e3e6ea';
/** Background of the underflow band on log charts. */
export const BAND_FILL = 'rgba(120, 120, 120, 0.13)';
/** System font stack (no web fonts: the CSP allows no other origin). */
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/** Canvas font of tick labels. */
export const TICK_FONT = `12px ${FONT_FAMILY}`;
/** Canvas font of axis titles and in-plot labels. */
export const LABEL_FONT = `12px ${FONT_FAMILY}`;
/** Canvas font of emphasised in-plot labels. */
export const STRONG_FONT = `600 12px ${FONT_FAMILY}`;

/** The colours and scales a chart draws with, read from the page theme's CSS custom properties. */
export interface ChartTheme {
  readonly ink: string;
  readonly muted: string;
  readonly grid: string;
  readonly bandFill: string;
  /** Background of the card (markers drawn "on the background", e.g. hollow points). */
  readonly background: string;
  /** Factor on line widths and point sizes (projector: thicker). */
  readonly lineScale: number;
  /** Factor on font sizes (projector: larger). */
  readonly fontScale: number;
  /** A string naming all of the above: a chart is rebuilt when it changes. */
  readonly key: string;
}

/** The theme of a page without theme properties: dark ink on white. */
export const LIGHT_THEME: ChartTheme = { ink: INK, muted: MUTED, grid: GRID, bandFill: BAND_FILL, background: '#ffffff', lineScale: 1, fontScale: 1, key: 'light' };

/** The theme in force at element `el` (its inherited --bp-* properties; LIGHT_THEME's values where unset). */
export function readChartTheme(el: Element): ChartTheme {
  const style = getComputedStyle(el);
  const text = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const scale = (name: string) => {
    const v = Number(text(name, '1'));
    return Number.isFinite(v) && v > 0 ? v : 1;
  };
  const t = {
    ink: text('--bp-ink', INK), muted: text('--bp-muted', MUTED), grid: text('--bp-grid', GRID), bandFill: text('--bp-band-fill', BAND_FILL),
    background: text('--bp-card-bg', '#ffffff'), lineScale: scale('--bp-line-scale'), fontScale: scale('--bp-font-scale'),
  };
  return { ...t, key: Object.values(t).join('|') };
}

/** Canvas font of `px` CSS pixels scaled by the theme (weight: e.g. "600 "). */
export function chartFont(theme: ChartTheme, px: number, weight = ''): string {
  return `${weight}${Math.round(px * theme.fontScale)}px ${FONT_FAMILY}`;
}
