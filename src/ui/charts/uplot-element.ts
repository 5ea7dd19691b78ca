/**
 * Shared base of the uPlot chart elements: one uPlot instance per element, created on the first data,
 * rebuilt only when the chart's structure (series, scales) changes, otherwise `setData` at most once per
 * animation frame; width follows the element (ResizeObserver → setSize); destroyed on disconnect.
 * Subclasses describe the chart (options, data, legend, its numbers as tables and a summary); the base owns the
 * lifecycle and the layout, and labels the plot box with the summary at most once a second.
 */
import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { RunView } from '../run-view.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import type { ChartTable, Tabular } from './chart-table.js';
import { canvasWithLegend, type Exportable, type LegendEntry } from './exportable.js';
import { FrameController } from './frame-controller.js';
import { ThemeController } from './theme-controller.js';
import { Throttle } from './throttle.js';

/** Width and height in CSS pixels of the plot box. */
export interface PlotSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Base class of the uPlot charts (abstract; not registered as a tag).
 * @csspart plot - the box uPlot draws into
 * @csspart legend - the legend row under the plot
 */
export abstract class UPlotElement extends LitElement implements Exportable, Tabular {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        /* Intrinsic width independent of the drawn canvas, so grid/flex parents can shrink the chart. */
        contain: inline-size;
        min-width: 0;
        font-family: ${unsafeCSS(FONT_FAMILY)};
        color: ${unsafeCSS(INK_CSS)};
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 14px;
        align-items: center;
        min-height: 24px;
        font-size: 13px;
      }
      .controls:empty {
        display: none;
      }
      .controls label {
        display: inline-flex;
        gap: 4px;
        align-items: center;
        cursor: pointer;
        min-width: 0;
        max-width: 100%;
      }
      .controls select {
        min-width: 0;
        max-width: 100%;
      }
      .plot {
        position: relative;
        overflow: hidden;
      }
      .empty {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        color: ${unsafeCSS(MUTED_CSS)};
        font-size: 14px;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 16px;
        /* Fixed (two rows by default), so the page does not jump while training. */
        height: var(--bp-legend-height, 40px);
        overflow: hidden;
        align-content: flex-start;
        font-size: 13px;
        margin-top: 2px;
      }
      .legend span {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        white-space: nowrap;
      }
      .swatch {
        display: inline-block;
        width: 18px;
        height: 0;
        border-top: 3px solid currentColor;
      }
      .swatch.dashed {
        border-top-style: dashed;
      }
      .swatch.tick {
        width: 3px;
        height: 12px;
        border-top: none;
        background: currentColor;
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
    `,
  ];

  /** The runs to draw (records are appended in place; bump `version` to redraw). */
  @property({ attribute: false }) runs: readonly RunView[] = [];
  /** Changes whenever records were appended or runs reset (`runsVersion`). */
  @property() version = '';
  /** Height of the plot box in CSS pixels (fixed, so the page does not jump while training). */
  @property({ type: Number }) height = 240;

  /** Text of the hover read-out line under the legend. */
  @state() protected readout = '';
  /** The plot box's aria-label: the summary, refreshed at most once a second. */
  @state() private label = '';
  private readonly labelling = new Throttle(() => (this.label = this.summary()));

  /** The page theme the plot is drawn with (a change rebuilds the plot). */
  protected readonly theme = new ThemeController(this, () => this.frames.request());
  private plot: uPlot | null = null;
  private plotKey = '';
  private readonly frames = new FrameController(
    this,
    () => this.renderRoot.querySelector('.plot'),
    () => this.draw(),
  );

  /** A string naming the chart's structure (series, scales); the plot is rebuilt when it changes. */
  protected abstract structureKey(): string;
  /** uPlot options for a plot of `size`. */
  protected abstract plotOptions(size: PlotSize): uPlot.Options;
  /** The data columns to show, or null when there is nothing to draw yet. */
  protected abstract plotData(): uPlot.AlignedData | null;
  /** Legend entries (shown under the plot and drawn into exported images). */
  protected abstract legendEntries(): LegendEntry[];
  /** The read-out text when the cursor is at data index `idx` (null: cursor left the plot). */
  protected abstract readoutAt(idx: number | null): string;
  /** The chart's current numbers as tables (empty before the first data). */
  abstract tables(): ChartTable[];
  /** One sentence on what the chart shows now. */
  abstract summary(): string;
  /** Controls row above the plot (none by default). */
  protected renderControls(): TemplateResult | typeof nothing {
    return nothing;
  }
  /** Message shown before the first data. */
  protected emptyMessage(): string {
    return 'Waiting for the first logged step…';
  }

  /** The plot (axes and lines) with its legend, on white. */
  exportCanvas(): HTMLCanvasElement | null {
    return this.plot ? canvasWithLegend(this.plot.ctx.canvas, this.legendEntries(), uPlot.pxRatio) : null;
  }

  override render(): TemplateResult {
    const legend = this.legendEntries();
    return html`
      <div class="controls">${this.renderControls()}</div>
      <div class="plot" part="plot" role="img" aria-label=${this.label || this.summary()} style="height: ${this.height}px">
        ${this.plot === null ? html`<div class="empty">${this.emptyMessage()}</div>` : nothing}
      </div>
      <div class="legend" part="legend">
        ${legend.map(
          (e) => html`<span><i class="swatch ${e.dashed ? 'dashed' : ''} ${e.tick ? 'tick' : ''}" style="color: ${e.color}"></i>${e.label}</span>`,
        )}
      </div>
      <div class="readout">${this.readout || '\u00a0'}</div>
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    // The read-out changes on every mouse move, the label once a second; neither needs a redraw of the plot.
    if ([...changed.keys()].some((k) => k !== 'readout' && k !== 'label')) this.frames.request();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.labelling.cancel();
    this.plot?.destroy();
    this.plot = null;
    this.plotKey = '';
  }

  private draw(): void {
    this.labelling.request();
    this.dispatchEvent(new Event('bp-chart-drawn', { bubbles: true }));
    const box = this.renderRoot.querySelector<HTMLElement>('.plot');
    const width = this.frames.width;
    if (!box || width <= 0) return;
    const data = this.plotData();
    if (data === null) {
      if (this.plot) {
        this.plot.destroy();
        this.plot = null;
        this.plotKey = '';
        this.requestUpdate();
      }
      return;
    }
    const key = `${this.structureKey()}#${this.theme.value.key}`;
    const size = { width, height: this.height };
    if (this.plot === null || key !== this.plotKey) {
      const hadPlot = this.plot !== null;
      this.plot?.destroy();
      const opts = this.plotOptions(size);
      opts.plugins = [...(opts.plugins ?? []), this.readoutPlugin()];
      this.plot = new uPlot(opts, data, box);
      this.plotKey = key;
      if (!hadPlot) this.requestUpdate();
      return;
    }
    if (this.plot.width !== size.width || this.plot.height !== size.height) this.plot.setSize(size);
    this.plot.setData(data);
  }

  private readoutPlugin(): uPlot.Plugin {
    return {
      hooks: {
        setCursor: (u) => {
          const idx = u.cursor.idx;
          this.readout = idx == null ? '' : this.readoutAt(idx);
        },
      },
    };
  }
}
