/** Canvas set-up shared by the charts and the lessons' drawings. */

/** Which of a canvas's displayed dimensions `scaledContext` sets (the rest is left to the stylesheet). */
export type CssSize = 'none' | 'width' | 'both';

/**
 * Give a canvas a backing store of `width` × `height` CSS pixels at the screen's pixel ratio (resized, which
 * clears it, only when that changes) and return its 2-D context scaled to CSS pixels. `css` says whether the
 * displayed width, or width and height, are set to those sizes too; otherwise the stylesheet sizes the canvas.
 */
export function scaledContext(canvas: HTMLCanvasElement, width: number, height: number, css: CssSize = 'none'): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  if (css !== 'none') canvas.style.width = `${width}px`;
  if (css === 'both') canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}
