/**
 * One benchmark chart: a uPlot line chart of `ChartData` (log or linear axes, an index axis with tick labels,
 * an optional horizontal reference line and a dashed vertical marker with its caption — the crossover).
 * One uPlot instance, rebuilt when the lines change, resized with the element, destroyed on disconnect.
 */
import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { FONT_FAMILY, GRID, INK, LABEL_FONT, MUTED, STRONG_FONT, TICK_FONT } from '../charts/chart-theme.js';
import { FrameController } from '../charts/frame-controller.js';
import type { ChartData } from './bench-series.js';

function axis(label: string, scale: string): uPlot.Axis {
  return { scale, label, labelFont: LABEL_FONT, font: TICK_FONT, stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } };
}

/** Dashed lines at the marker x and at the reference y, with the marker's caption. */
function guidesPlugin(data: () => ChartData | null, refY: () => number | null): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        const r = uPlot.pxRatio;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.setLineDash([5 * r, 4 * r]);
        ctx.lineWidth = 1.5 * r;
        const y1 = refY();
        if (y1 !== null) {
          const y = u.valToPos(y1, 'y', true);
          if (y >= top && y <= top + height) {
            ctx.strokeStyle = MUTED;
            ctx.beginPath();
            ctx.moveTo(left, y);
            ctx.lineTo(left + width, y);
            ctx.stroke();
          }
        }
        const m = data()?.marker;
        if (m) {
          const x = u.valToPos(m.x, 'x', true);
          ctx.strokeStyle = INK;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = INK;
          ctx.font = STRONG_FONT.replace(/(\d+)px/, (_s, px: string) => `${Number(px) * r}px`);
          ctx.textBaseline = 'top';
          const right = x + 6 * r + ctx.measureText(m.label).width < left + width;
          ctx.textAlign = right ? 'left' : 'right';
          ctx.fillText(m.label, right ? x + 6 * r : x - 6 * r, top + 4 * r);
        }
        ctx.restore();
      },
    },
  };
}

/**
 * A benchmark line chart.
 * @csspart plot - the box uPlot draws into
 */
@customElement('bp-bench-chart')
export class BpBenchChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        contain: inline-size;
        min-width: 0;
        font-family: ${unsafeCSS(FONT_FAMILY)};
        color: ${unsafeCSS(INK)};
      }
      .plot {
        position: relative;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 16px;
        font-size: 13px;
        min-height: 20px;
      }
      .legend span {
        display: inline-flex;
        align-items: center;
        gap: 6px;
      }
      .swatch {
        display: inline-block;
        width: 18px;
        border-top: 3px solid currentColor;
      }
      .empty {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        color: ${unsafeCSS(MUTED)};
        font-size: 14px;
      }
    `,
  ];

  /** What to draw; null or no x values shows `empty`. */
  @property({ attribute: false }) data: ChartData | null = null;
  @property() xLabel = '';
  @property() yLabel = '';
  @property({ type: Boolean }) xLog = false;
  @property({ type: Boolean }) yLog = false;
  /** A dashed horizontal line at this y (the speed-up of 1), or null. */
  @property({ attribute: false }) refY: number | null = null;
  @property() empty = 'No results yet.';
  @property({ type: Number }) height = 260;

  private plot: uPlot | null = null;
  private plotKey = '';
  private readonly frames = new FrameController(this, () => this.renderRoot.querySelector('.plot'), () => this.draw());

  /** Whether a plot is drawn (for tests). */
  get drawn(): boolean {
    return this.plot !== null;
  }

  override render(): TemplateResult {
    const hasData = (this.data?.xs.length ?? 0) > 0;
    return html`<div class="plot" part="plot" style="height: ${this.height}px">
        ${hasData ? nothing : html`<div class="empty">${this.empty}</div>`}
      </div>
      <div class="legend" part="legend">
        ${(hasData ? this.data!.lines : []).map((l) => html`<span><i class="swatch" style="color: ${l.color}"></i>${l.label}</span>`)}
      </div>`;
  }

  override updated(_changed: PropertyValues<this>): void {
    this.frames.request();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
    this.plotKey = '';
  }

  /** Whole decades around the data, and around the reference line when there is one. */
  private logRange(min: number, max: number): uPlot.Range.MinMax {
    const ref = this.refY;
    const lo = Math.min(min > 0 ? min : 1, ref ?? Infinity);
    const hi = Math.max(max > 0 ? max : 1, ref ?? 0);
    const a = Math.floor(Math.log10(lo));
    const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
    return [10 ** a, 10 ** b];
  }

  private options(width: number): uPlot.Options {
    const d = this.data!;
    const ticks = d.xTicks;
    const xAxis = axis(this.xLabel, 'x');
    if (ticks) {
      xAxis.splits = () => d.xs.map((x) => x);
      xAxis.values = (_u, splits) => splits.map((v) => ticks[v] ?? '');
      xAxis.rotate = ticks.length > 3 ? -30 : 0;
      xAxis.size = ticks.length > 3 ? 80 : 40;
    }
    return {
      width,
      height: this.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: this.xLog ? { time: false, distr: 3, log: 2 } : { time: false, range: ticks ? (_u, min, max) => [min - 0.5, max + 0.5] : undefined },
        y: this.yLog ? { distr: 3, log: 10, range: (_u, min, max) => this.logRange(min, max) } : { auto: true },
      },
      axes: [xAxis, { ...axis(this.yLabel, 'y'), size: 60 }],
      series: [
        { label: this.xLabel },
        ...d.lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, points: { show: true, size: 7, fill: l.color }, spanGaps: false })),
      ],
      plugins: [guidesPlugin(() => this.data, () => this.refY)],
    };
  }

  private draw(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.plot');
    const width = this.frames.width;
    const d = this.data;
    if (!box || width <= 0) return;
    if (!d || d.xs.length === 0) {
      this.plot?.destroy();
      this.plot = null;
      this.plotKey = '';
      return;
    }
    const columns = [d.xs as number[], ...d.lines.map((l) => l.values as (number | null)[])] as uPlot.AlignedData;
    const key = JSON.stringify([d.lines.map((l) => l.label), d.xTicks, d.marker, this.xLog, this.yLog, this.refY]);
    if (!this.plot || key !== this.plotKey) {
      this.plot?.destroy();
      this.plot = new uPlot(this.options(width), columns, box);
      this.plotKey = key;
      return;
    }
    if (this.plot.width !== width) this.plot.setSize({ width, height: this.height });
    this.plot.setData(columns);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-bench-chart': BpBenchChart;
  }
}
