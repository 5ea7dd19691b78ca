/** Colours and fonts shared by the charts: dark ink on a light card, readable when projected at 1280×720. */

/** Text and axis ink. */
export const INK = '#1f2328';
/** Secondary text (axis titles, captions). */
export const MUTED = '#57606a';
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
