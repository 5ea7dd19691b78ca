/** The contract between a chart and its card's "export PNG" button, and the canvas helpers behind it. */
import { FONT_FAMILY, INK } from './chart-theme.js';

/** A chart that can render itself (plot, axes and legend) into a fresh canvas for export. */
export interface Exportable {
  /** A canvas holding the chart as seen, or null when there is nothing drawn yet. */
  exportCanvas(): HTMLCanvasElement | null;
}

/** Whether an element implements `Exportable`. */
export function isExportable(el: Element): el is Element & Exportable {
  return typeof (el as Partial<Exportable>).exportCanvas === 'function';
}

/** One legend entry drawn under an exported chart. */
export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  /** Dashed swatch (e.g. accuracy or theory lines). */
  readonly dashed?: boolean;
  /** A short vertical tick instead of a line (event markers such as clipped steps). */
  readonly tick?: boolean;
}

/** A canvas of `plot` (device pixels) with a white background and a wrapped legend row underneath. */
export function canvasWithLegend(plot: HTMLCanvasElement, legend: readonly LegendEntry[], pxRatio: number): HTMLCanvasElement {
  const out = document.createElement('canvas');
  const measure = out.getContext('2d')!;
  const font = `${Math.round(12 * pxRatio)}px ${FONT_FAMILY}`;
  measure.font = font;
  const pad = 8 * pxRatio;
  const rowH = 18 * pxRatio;
  const swatch = 18 * pxRatio;
  const widths = legend.map((e) => swatch + 6 * pxRatio + measure.measureText(e.label).width + 16 * pxRatio);
  const rows: number[][] = [[]];
  let x = pad;
  widths.forEach((w, i) => {
    if (x + w > plot.width - pad && rows[rows.length - 1]!.length > 0) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1]!.push(i);
    x += w;
  });
  out.width = plot.width;
  out.height = plot.height + (legend.length ? rows.length * rowH + pad : 0);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(plot, 0, 0);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  rows.forEach((row, r) => {
    let cx = pad;
    const cy = plot.height + pad / 2 + r * rowH + rowH / 2;
    for (const i of row) {
      const e = legend[i]!;
      ctx.strokeStyle = e.color;
      ctx.lineWidth = 2.5 * pxRatio;
      ctx.setLineDash(e.dashed ? [5 * pxRatio, 4 * pxRatio] : []);
      ctx.beginPath();
      if (e.tick) {
        ctx.moveTo(cx + swatch / 2, cy - 6 * pxRatio);
        ctx.lineTo(cx + swatch / 2, cy + 6 * pxRatio);
      } else {
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + swatch, cy);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = INK;
      ctx.fillText(e.label, cx + swatch + 6 * pxRatio, cy);
      cx += widths[i]!;
    }
  });
  return out;
}

/** `canvas` with a title strip on top (used by the chart card when exporting). */
export function canvasWithTitle(canvas: HTMLCanvasElement, title: string, ratio: number): HTMLCanvasElement {
  if (!title) return canvas;
  const strip = Math.round(26 * ratio);
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + strip;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = INK;
  ctx.font = `600 ${Math.round(14 * ratio)}px ${FONT_FAMILY}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, Math.round(8 * ratio), strip / 2);
  ctx.drawImage(canvas, 0, strip);
  return out;
}

/** A copy of a canvas on white (canvas charts that draw with transparency). */
export function canvasOnWhite(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  return out;
}
