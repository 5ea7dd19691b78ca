/**
 * Decision boundary of one run on a 2-D data set: the network's output over [-extent, extent]² as a canvas
 * heatmap (blue = class 0, orange = class 1, pale = undecided; argmax colours for softmax), data points on top.
 */
import { css, html, LitElement, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RunView } from '../run-view.js';
import { chartFont, FONT_FAMILY } from './chart-theme.js';
import { formatCell, type ChartTable, type Tabular } from './chart-table.js';
import { canvasOnWhite, type Exportable } from './exportable.js';
import { FrameController } from './frame-controller.js';
import { ThemeController } from './theme-controller.js';
import { Throttle } from './throttle.js';
import { blueOrange, CLASS0_RGB, CLASS1_RGB, rgbCss, type Rgb } from './palette.js';
import { scaledContext } from '../canvas.js';

/** Data points: `x` is n×2 (row-major), `y` is n×outputDim targets (one-hot for softmax). */
export interface BoundaryPoints {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
}

/** Class colours beyond the first two (Okabe–Ito: green, pink, sky blue, yellow, vermillion). */
const MORE_CLASSES: readonly Rgb[] = [[0, 158, 115], [204, 121, 167], [86, 180, 233], [240, 228, 66], [213, 94, 0]];
/** Background tint: share of white mixed into the class colour so the points stay visible. */
const TINT = 0.45;
/** Grid points per side in the table (of the boundary's own grid, corners included). */
const TABLE_SIDE = 7;
/** Canvas margins, CSS pixels: caption above, legend below. */
const M = { top: 22, bottom: 24, side: 4 } as const;

/** Colour of class `k` (0: blue, 1: orange, then the other Okabe–Ito hues). */
export function classColor(k: number): Rgb {
  return k === 0 ? CLASS0_RGB : k === 1 ? CLASS1_RGB : MORE_CLASSES[(k - 2) % MORE_CLASSES.length]!;
}

/** Class of row `i` of targets with `dim` outputs: threshold 0.5 for one output, argmax otherwise. */
export function targetClass(y: ArrayLike<number>, i: number, dim: number): number {
  if (dim === 1) return y[i]! > 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < dim; k++) if (y[i * dim + k]! > y[i * dim + best]!) best = k;
  return best;
}

/**
 * Output heatmap and data of one run.
 * @csspart canvas - the canvas (caption, heatmap, points, legend)
 */
@customElement('bp-decision-boundary')
export class BpDecisionBoundary extends LitElement implements Exportable, Tabular {
  static override styles = css`
    :host {
      display: block;
      /* Intrinsic width independent of the drawn canvas, so grid/flex parents can shrink the chart. */
      contain: inline-size;
      min-width: 0;
      font-family: ${unsafeCSS(FONT_FAMILY)};
    }
    .box {
      display: flex;
      justify-content: center;
    }
    canvas {
      display: block;
    }
  `;

  /** The run whose `boundary` grid is drawn. */
  @property({ attribute: false }) run: RunView | null = null;
  /** The data set's points, or null to draw the boundary alone. */
  @property({ attribute: false }) points: BoundaryPoints | null = null;
  /** Changes whenever the boundary was recomputed or runs reset. */
  @property() version = '';
  /** Side of the square heatmap in CSS pixels (fixed). */
  @property({ type: Number }) size = 260;

  /** The box's aria-label: the summary, refreshed at most once a second. */
  @state() private label = '';
  private readonly labelling = new Throttle(() => (this.label = this.summary()));
  private readonly theme = new ThemeController(this, () => this.frames.request());
  private readonly cells = document.createElement('canvas');
  private image: ImageData | null = null;
  private readonly frames = new FrameController(this, () => this.renderRoot.querySelector('.box'), () => this.draw());

  /** The canvas on white. */
  exportCanvas(): HTMLCanvasElement | null {
    const canvas = this.renderRoot.querySelector('canvas');
    return canvas ? canvasOnWhite(canvas) : null;
  }

  override render(): TemplateResult {
    return html`<div class="box" role="img" aria-label=${this.label || this.summary()} style="height: ${this.size + M.top + M.bottom}px"><canvas part="canvas"></canvas></div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    if ([...changed.keys()].some((k) => k !== 'label')) this.frames.request();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.labelling.cancel();
  }

  /** Outputs per class of the boundary's grid, or 0 before the first boundary. */
  private classes(): number {
    const b = this.run?.boundary;
    return b && b.size > 0 ? Math.max(1, Math.round(b.values.length / (b.size * b.size))) : 0;
  }

  /** The prediction on a 7 × 7 subgrid of the plane: p(class 1), or the predicted class for more classes. */
  tables(): ChartTable[] {
    const run = this.run;
    const b = run?.boundary;
    const dim = this.classes();
    if (!run || !b || dim === 0) return [];
    const n = Math.min(TABLE_SIDE, b.size);
    const idx = Array.from({ length: n }, (_, j) => Math.round((j * (b.size - 1)) / Math.max(1, n - 1)));
    const coord = (i: number) => Number((-b.extent + (2 * b.extent * i) / Math.max(1, b.size - 1)).toFixed(3));
    const cell = (r: number, c: number) => (dim === 1 ? b.values[r * b.size + c]! : targetClass(b.values, r * b.size + c, dim));
    return [{
      caption: `${run.label}: ${dim === 1 ? 'predicted probability of class 1' : 'predicted class'} at points (x, y) of the plane`,
      columns: ['y', ...idx.map((c) => `x = ${coord(c)}`)],
      rows: idx.map((r) => [-coord(r), ...idx.map((c) => cell(r, c))]),
    }];
  }

  /** The run and how much of the plane it gives to class 1 (or how many classes it separates). */
  summary(): string {
    const run = this.run;
    const b = run?.boundary;
    const dim = this.classes();
    if (!run || !b || dim === 0) return `${run?.label ?? 'Run'}: predictions over the plane, none yet.`;
    if (dim > 1) return `${run.label}: predicted class over the plane, ${dim} classes.`;
    let ones = 0;
    for (const p of b.values) if (p > 0.5) ones++;
    return `${run.label}: predicts class 1 on ${formatCell((100 * ones) / b.values.length)} % of the plane shown.`;
  }

  private draw(): void {
    this.labelling.request();
    this.dispatchEvent(new Event('bp-chart-drawn', { bubbles: true }));
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    // The fixed size, or less where the card is narrower (a phone, four runs side by side).
    const fit = this.frames.width - 2 * M.side;
    const side = fit > 0 ? Math.min(this.size, fit) : this.size;
    const width = side + 2 * M.side;
    const height = side + M.top + M.bottom;
    const ctx = scaledContext(canvas, width, height, 'both');
    ctx.clearRect(0, 0, width, height);
    const run = this.run;
    ctx.textBaseline = 'middle';
    ctx.font = chartFont(this.theme.value, 13, '600 ');
    ctx.fillStyle = run?.color ?? this.theme.value.ink;
    ctx.fillText(run?.label ?? '', M.side, M.top / 2);
    const boundary = run?.boundary ?? null;
    const x0 = M.side;
    const y0 = M.top;
    ctx.fillStyle = '#f3f4f6';
    ctx.fillRect(x0, y0, side, side);
    if (boundary && boundary.size > 0) {
      this.paintBoundary(boundary.values, boundary.size);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.cells, x0, y0, side, side);
    } else {
      ctx.fillStyle = this.theme.value.muted;
      ctx.font = chartFont(this.theme.value, 12);
      ctx.textAlign = 'center';
      ctx.fillText(run ? 'No boundary yet' : 'No run', x0 + side / 2, y0 + side / 2);
      ctx.textAlign = 'left';
    }
    const extent = boundary?.extent ?? this.pointsExtent();
    if (this.points && extent > 0) this.drawPoints(ctx, x0, y0, side, extent);
    ctx.strokeStyle = this.theme.value.ink;
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 - 0.5, y0 - 0.5, side + 1, side + 1);
    this.drawLegend(ctx, x0, y0 + side + M.bottom / 2 + 2);
  }

  private paintBoundary(values: Float32Array, size: number): void {
    const cellsPerRow = size * size;
    const dim = Math.max(1, Math.round(values.length / cellsPerRow));
    if (!this.image || this.image.width !== size) {
      this.cells.width = size;
      this.cells.height = size;
      this.image = new ImageData(size, size);
    }
    const px = this.image.data;
    const c: Rgb = [0, 0, 0];
    for (let i = 0; i < cellsPerRow; i++) {
      if (dim === 1) {
        const p = values[i]!;
        blueOrange(Number.isFinite(p) ? p : 0.5, c);
      } else {
        const k = targetClass(values, i, dim);
        const conf = Math.max(0, (values[i * dim + k]! - 1 / dim) / (1 - 1 / dim));
        const base = classColor(k);
        for (let j = 0; j < 3; j++) c[j] = 247 + (base[j]! - 247) * conf;
      }
      const o = 4 * i;
      px[o] = c[0] + (255 - c[0]) * TINT;
      px[o + 1] = c[1] + (255 - c[1]) * TINT;
      px[o + 2] = c[2] + (255 - c[2]) * TINT;
      px[o + 3] = 255;
    }
    this.cells.getContext('2d')!.putImageData(this.image, 0, 0);
  }

  private pointsExtent(): number {
    const p = this.points;
    if (!p) return 0;
    let m = 0;
    for (let i = 0; i < 2 * p.n; i++) m = Math.max(m, Math.abs(p.x[i]!));
    return m * 1.1;
  }

  private drawPoints(ctx: CanvasRenderingContext2D, x0: number, y0: number, side: number, extent: number): void {
    const p = this.points!;
    const dim = Math.max(1, Math.round(p.y.length / Math.max(1, p.n)));
    const radius = p.n > 600 ? 2.5 : 3.5;
    ctx.lineWidth = 1;
    ctx.strokeStyle = this.theme.value.ink;
    for (let i = 0; i < p.n; i++) {
      const px = x0 + ((p.x[2 * i]! + extent) / (2 * extent)) * side;
      const py = y0 + ((extent - p.x[2 * i + 1]!) / (2 * extent)) * side;
      ctx.fillStyle = rgbCss(classColor(targetClass(p.y, i, dim)));
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  private drawLegend(ctx: CanvasRenderingContext2D, x: number, y: number): void {
    const p = this.points;
    const dim = p ? Math.max(1, Math.round(p.y.length / Math.max(1, p.n))) : 1;
    const classes = dim === 1 ? 2 : dim;
    ctx.font = chartFont(this.theme.value, 12);
    ctx.textAlign = 'left';
    let cx = x;
    for (let k = 0; k < classes; k++) {
      ctx.fillStyle = rgbCss(classColor(k));
      ctx.beginPath();
      ctx.arc(cx + 5, y, 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = this.theme.value.ink;
      ctx.stroke();
      ctx.fillStyle = this.theme.value.ink;
      const label = `class ${k}`;
      ctx.fillText(label, cx + 13, y);
      cx += 13 + ctx.measureText(label).width + 12;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-decision-boundary': BpDecisionBoundary;
  }
}
