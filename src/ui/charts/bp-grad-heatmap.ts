/**
 * Gradient norm of every layer over time for one run: a layer × logged-step heatmap on a canvas, colour on a log
 * scale (viridis, one band per decade in the legend), exact zeros in a distinct grey labelled "0", NaN/∞ in magenta.
 */
import { css, html, LitElement, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RunView } from '../run-view.js';
import { chartFont, FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import { formatCell, type ChartTable, type Tabular } from './chart-table.js';
import { canvasOnWhite, type Exportable } from './exportable.js';
import { FrameController } from './frame-controller.js';
import { ThemeController } from './theme-controller.js';
import { Throttle } from './throttle.js';
import { decadeTicks, formatDecade, formatValue, logRange, NAN_INDEX, paletteIndex, ZERO_INDEX, type LogRange } from './log-scale.js';
import { NAN_COLOR, viridisTable, ZERO_COLOR } from './palette.js';
import { columnSamples } from './series.js';
import { scaledContext } from '../canvas.js';

const PALETTE_SIZE = 256;
/** Logged steps the table shows (evenly spread, the latest last). */
const TABLE_STEPS = 6;
/** Margins of the heatmap area inside the canvas, CSS pixels. */
const M = { left: 44, right: 96, top: 24, bottom: 34 } as const;

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Layer × step heatmap of ‖∂L/∂W‖ for one run.
 * @csspart canvas - the canvas holding heatmap, axes and legend
 */
@customElement('bp-grad-heatmap')
export class BpGradHeatmap extends LitElement implements Exportable, Tabular {
  static override styles = css`
    :host {
      display: block;
      /* Intrinsic width independent of the drawn canvas, so grid/flex parents can shrink the chart. */
      contain: inline-size;
      min-width: 0;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
    }
    .box {
      position: relative;
    }
    canvas {
      display: block;
    }
    .readout {
      height: 18px;
      font-size: 12.5px;
      color: ${unsafeCSS(MUTED_CSS)};
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      font-variant-numeric: tabular-nums;
    }
  `;

  /** The run to draw. */
  @property({ attribute: false }) run: RunView | null = null;
  /** Changes whenever records were appended or runs reset (`runsVersion`). */
  @property() version = '';
  /** Canvas height in CSS pixels (fixed). */
  @property({ type: Number }) height = 200;

  @state() private readout = '';
  /** The canvas box's aria-label: the summary, refreshed at most once a second. */
  @state() private label = '';
  private readonly labelling = new Throttle(() => (this.label = this.summary()));
  private readonly theme = new ThemeController(this, () => this.frames.request());

  private readonly palette = viridisTable(PALETTE_SIZE);
  private readonly zeroRgb = hexRgb(ZERO_COLOR);
  private readonly nanRgb = hexRgb(NAN_COLOR);
  private readonly cells = document.createElement('canvas');
  private image: ImageData | null = null;
  private samples: number[] = [];
  private readonly frames = new FrameController(this, () => this.renderRoot.querySelector('.box'), () => this.draw());

  /** The canvas (heatmap, axes, legend) on white. */
  exportCanvas(): HTMLCanvasElement | null {
    const canvas = this.renderRoot.querySelector('canvas');
    return canvas ? canvasOnWhite(canvas) : null;
  }

  override render(): TemplateResult {
    return html`
      <div class="box" role="img" aria-label=${this.label || this.summary()} style="height: ${this.height}px">
        <canvas part="canvas" @mousemove=${this.onMove} @mouseleave=${() => (this.readout = '')}></canvas>
      </div>
      <div class="readout">${this.readout || '\u00a0'}</div>
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    if ([...changed.keys()].some((k) => k !== 'readout' && k !== 'label')) this.frames.request();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.labelling.cancel();
  }

  /** Every layer's gradient norm at a few logged steps spread over the run (the latest last). */
  tables(): ChartTable[] {
    const run = this.run;
    const records = run?.records ?? [];
    const layers = records[records.length - 1]?.gradNorms.length ?? 0;
    if (!run || layers === 0) return [];
    const picked = columnSamples(records.length, TABLE_STEPS).map((i) => records[i]!);
    return [{
      caption: `${run.label}: gradient norm ‖∂L/∂W‖ of every layer (1 = input side) at ${picked.length} of ${records.length} logged steps`,
      columns: ['layer', ...picked.map((r) => `step ${r.step}`)],
      rows: Array.from({ length: layers }, (_, l) => [l + 1, ...picked.map((r) => r.gradNorms[l] ?? null)]),
    }];
  }

  /** The run, how many steps are drawn, and the first and last layer's latest norm. */
  summary(): string {
    const run = this.run;
    const records = run?.records ?? [];
    const last = records[records.length - 1];
    if (!run || !last || last.gradNorms.length === 0) return `${run?.label ?? 'Run'}: gradient norm of every layer over time, no step yet.`;
    const g = last.gradNorms;
    return `${run.label}: gradient norm of ${g.length} layers over ${records.length} logged steps; at step ${last.step}, ${formatCell(g[0]!)} at layer 1 and ${formatCell(g[g.length - 1]!)} at layer ${g.length}.`;
  }

  private draw(): void {
    this.labelling.request();
    this.dispatchEvent(new Event('bp-chart-drawn', { bubbles: true }));
    const canvas = this.renderRoot.querySelector('canvas');
    const width = this.frames.width;
    if (!canvas || width <= 0) return;
    const height = this.height;
    const ctx = scaledContext(canvas, width, height, 'both');
    ctx.clearRect(0, 0, width, height);
    const run = this.run;
    ctx.font = chartFont(this.theme.value, 13, '600 ');
    ctx.textBaseline = 'middle';
    ctx.fillStyle = run?.color ?? this.theme.value.ink;
    ctx.fillText(run ? run.label : '', M.left, M.top / 2);
    const records = run?.records ?? [];
    const layers = records[records.length - 1]?.gradNorms.length ?? 0;
    const plotW = Math.max(1, width - M.left - M.right);
    const plotH = Math.max(1, height - M.top - M.bottom);
    ctx.font = chartFont(this.theme.value, 12);
    if (records.length === 0 || layers === 0) {
      ctx.fillStyle = this.theme.value.muted;
      ctx.textAlign = 'center';
      ctx.fillText('Waiting for the first logged step…', M.left + plotW / 2, M.top + plotH / 2);
      ctx.textAlign = 'left';
      this.samples = [];
      return;
    }
    const samples = columnSamples(records.length, plotW, this.samples);
    const values: number[] = [];
    for (const i of samples) for (const v of records[i]!.gradNorms) values.push(v);
    const range = logRange(values);
    const image = this.cellImage(samples.length, layers);
    const px = image.data;
    for (let c = 0; c < samples.length; c++) {
      const norms = records[samples[c]!]!.gradNorms;
      for (let l = 0; l < layers; l++) {
        const k = paletteIndex(norms[l] ?? NaN, range.lo, range.hi, PALETTE_SIZE);
        const o = 4 * (l * samples.length + c);
        const rgb = k === ZERO_INDEX ? this.zeroRgb : k === NAN_INDEX ? this.nanRgb : null;
        px[o] = rgb ? rgb[0] : this.palette[3 * k]!;
        px[o + 1] = rgb ? rgb[1] : this.palette[3 * k + 1]!;
        px[o + 2] = rgb ? rgb[2] : this.palette[3 * k + 2]!;
        px[o + 3] = 255;
      }
    }
    this.cells.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.cells, 0, 0, samples.length, layers, M.left, M.top, plotW, plotH);
    this.drawAxes(ctx, plotW, plotH, layers, samples.map((i) => records[i]!.step));
    this.drawLegend(ctx, width, plotH, range, values.some((v) => !Number.isFinite(v)));
  }

  private cellImage(columns: number, layers: number): ImageData {
    if (!this.image || this.image.width !== columns || this.image.height !== layers) {
      this.cells.width = columns;
      this.cells.height = layers;
      this.image = new ImageData(columns, layers);
    }
    return this.image;
  }

  private drawAxes(ctx: CanvasRenderingContext2D, plotW: number, plotH: number, layers: number, steps: number[]): void {
    ctx.fillStyle = this.theme.value.ink;
    ctx.strokeStyle = this.theme.value.ink;
    ctx.lineWidth = 1;
    ctx.strokeRect(M.left - 0.5, M.top - 0.5, plotW + 1, plotH + 1);
    ctx.textAlign = 'right';
    const rowH = plotH / layers;
    const every = Math.max(1, Math.ceil(14 / rowH));
    for (let l = 0; l < layers; l++) {
      if (l % every !== 0 && l !== layers - 1) continue;
      if (l !== layers - 1 && layers - 1 - l < every) continue;
      ctx.fillText(String(l + 1), M.left - 6, M.top + (l + 0.5) * rowH);
    }
    ctx.save();
    ctx.translate(12, M.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillStyle = this.theme.value.muted;
    ctx.fillText('layer (1 = input)', 0, 0);
    ctx.restore();
    ctx.textAlign = 'center';
    const n = steps.length;
    const colW = plotW / n;
    const ticks = n === 1 ? [0] : [0, Math.floor((n - 1) / 2), n - 1];
    for (const c of ticks) {
      ctx.fillText(String(steps[c]), Math.min(M.left + plotW - 14, Math.max(M.left + 14, M.left + (c + 0.5) * colW)), M.top + plotH + 10);
    }
    ctx.fillStyle = this.theme.value.muted;
    ctx.fillText('logged step', M.left + plotW / 2, M.top + plotH + 25);
    ctx.textAlign = 'left';
  }

  private drawLegend(ctx: CanvasRenderingContext2D, width: number, plotH: number, range: LogRange, hasNaN: boolean): void {
    const x = width - M.right + 14;
    const barW = 14;
    const swatches = hasNaN ? 2 : 1;
    const barH = Math.max(20, plotH - swatches * 22);
    const grad = ctx.createLinearGradient(0, M.top + barH, 0, M.top);
    for (let i = 0; i <= 16; i++) {
      const k = Math.min(PALETTE_SIZE - 1, Math.round((i / 16) * (PALETTE_SIZE - 1)));
      grad.addColorStop(i / 16, `rgb(${this.palette[3 * k]} ${this.palette[3 * k + 1]} ${this.palette[3 * k + 2]})`);
    }
    ctx.fillStyle = grad;
    ctx.fillRect(x, M.top, barW, barH);
    ctx.fillStyle = this.theme.value.ink;
    ctx.strokeStyle = this.theme.value.ink;
    ctx.textAlign = 'left';
    const maxTicks = Math.max(2, Math.floor(barH / 16));
    for (const t of decadeTicks(range.lo, range.hi, maxTicks)) {
      const y = M.top + barH - t.position * barH;
      ctx.beginPath();
      ctx.moveTo(x + barW, y + 0.5);
      ctx.lineTo(x + barW + 4, y + 0.5);
      ctx.stroke();
      ctx.fillText(formatDecade(t.exponent), x + barW + 7, y);
    }
    const swatch = (y: number, color: string, label: string) => {
      ctx.fillStyle = color;
      ctx.fillRect(x, y, barW, 14);
      ctx.strokeRect(x + 0.5, y + 0.5, barW - 1, 13);
      ctx.fillStyle = this.theme.value.ink;
      ctx.fillText(label, x + barW + 7, y + 7);
    };
    swatch(M.top + barH + 8, ZERO_COLOR, '0');
    if (hasNaN) swatch(M.top + barH + 30, NAN_COLOR, 'NaN/∞');
  }

  private onMove(e: MouseEvent): void {
    const run = this.run;
    const records = run?.records ?? [];
    const layers = records[records.length - 1]?.gradNorms.length ?? 0;
    const plotW = this.frames.width - M.left - M.right;
    const plotH = this.height - M.top - M.bottom;
    const cx = e.offsetX - M.left;
    const cy = e.offsetY - M.top;
    if (!run || layers === 0 || this.samples.length === 0 || cx < 0 || cy < 0 || cx >= plotW || cy >= plotH) {
      this.readout = '';
      return;
    }
    const rec = records[this.samples[Math.floor((cx / plotW) * this.samples.length)]!];
    const l = Math.floor((cy / plotH) * layers);
    const v = rec?.gradNorms[l];
    if (!rec || v === undefined) return;
    this.readout = `layer ${l + 1} · step ${rec.step}: ‖∂L/∂W‖ = ${v === 0 ? '0 (underflow)' : formatValue(v)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-grad-heatmap': BpGradHeatmap;
  }
}
