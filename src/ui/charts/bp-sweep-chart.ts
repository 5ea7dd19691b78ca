/**
 * The depth sweep's chart: measured first-layer gradient norm ‖∂L/∂W₁‖ at initialisation against the number of
 * hidden layers (log y, so an exponential fall with depth is a straight line), one colour per activation/init
 * pair, with the mean-field prediction dashed and labelled with χ. Zeros sit in the "0 (underflow)" band.
 */
import { customElement, property } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { SweepResult, SweepSeries } from '../lab/sweep-controller.js';
import { theoryLabel } from '../theory-lines.js';
import { chartFont } from './chart-theme.js';
import { formatCell, type ChartTable } from './chart-table.js';
import type { LegendEntry } from './exportable.js';
import { formatValue, logRange, toLogValue, type LogRange } from './log-scale.js';
import { logAxis, logScale, underflowPlugin } from './uplot-log.js';
import { UPlotElement, type PlotSize } from './uplot-element.js';

/**
 * Measured and predicted first-layer gradient norm against depth.
 * @csspart plot - the plot box
 * @csspart legend - the legend row
 */
@customElement('bp-sweep-chart')
export class BpSweepChart extends UPlotElement {
  /** The curves (one per activation/init pair). */
  @property({ attribute: false }) series: readonly SweepSeries[] = [];
  /** Points measured so far. */
  @property({ attribute: false }) results: readonly SweepResult[] = [];

  private range: LogRange | null = null;
  private x: number[] = [];

  protected override emptyMessage(): string {
    return 'Press “Run sweep” to measure.';
  }

  protected override structureKey(): string {
    return this.series.map((s) => `${s.key}|${s.color}|${s.label}`).join(';');
  }

  private at(key: string, depth: number): SweepResult['point'] | undefined {
    return this.results.find((r) => r.key === key && r.point.depth === depth)?.point;
  }

  protected override plotData(): uPlot.AlignedData | null {
    if (this.results.length === 0) return null;
    this.x = [...new Set(this.results.map((r) => r.point.depth))].sort((a, b) => a - b);
    this.range = logRange(this.results.flatMap((r) => [r.point.measured, r.point.predicted]));
    const floor = this.range.floor;
    const columns: (number | null)[][] = [];
    for (const s of this.series) {
      columns.push(this.x.map((d) => { const p = this.at(s.key, d); return p ? toLogValue(p.measured, floor) : null; }));
      columns.push(this.x.map((d) => { const p = this.at(s.key, d); return p ? toLogValue(p.predicted, floor) : null; }));
    }
    return [this.x, ...columns] as uPlot.AlignedData;
  }

  protected override plotOptions(size: PlotSize): uPlot.Options {
    const t = this.theme.value;
    const series: uPlot.Series[] = [{ label: 'hidden layers' }];
    for (const s of this.series) {
      series.push({ label: `${s.label} measured`, stroke: s.color, width: 1.5 * t.lineScale, points: { show: true, size: 9 * t.lineScale, fill: s.color, stroke: s.color } });
      series.push({ label: `${s.label} theory`, stroke: s.color, width: 2 * t.lineScale, dash: [8, 5], points: { show: false } });
    }
    const axes: uPlot.Axis[] = [
      { scale: 'x', label: 'hidden layers (depth)', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, grid: { stroke: t.grid }, labelSize: Math.round(20 * t.fontScale), size: Math.round(36 * t.fontScale) },
      logAxis('y', '‖∂L/∂W₁‖ at init (log)', () => this.range, 3, t),
    ];
    const scales: uPlot.Scales = {
      x: { time: false, auto: true, range: (_u, min, max) => [0, Math.max(max, 2) * 1.04] },
      y: logScale(() => this.range),
    };
    return { ...size, series, axes, scales, plugins: [underflowPlugin(() => this.range, 'y', t)], legend: { show: false }, cursor: { drag: { x: false, y: false } } };
  }

  /** The χ of a curve (from its first measured point), or null before any. */
  chiOf(key: string): number | null {
    return this.results.find((r) => r.key === key)?.point.chi ?? null;
  }

  override tables(): ChartTable[] {
    if (this.results.length === 0) return [];
    const depths = [...new Set(this.results.map((r) => r.point.depth))].sort((a, b) => a - b);
    return [{
      caption: 'First-layer gradient norm ‖∂L/∂W₁‖ at initialisation against depth: measured and theory',
      columns: ['hidden layers', ...this.series.flatMap((s) => [`${s.label}: measured`, `${s.label}: theory`])],
      rows: depths.map((d) => [d, ...this.series.flatMap((s) => { const p = this.at(s.key, d); return p ? [p.measured, p.predicted] : [null, null]; })]),
    }];
  }

  override summary(): string {
    if (this.results.length === 0) return 'Depth sweep: nothing measured yet.';
    const parts = this.series.map((s) => {
      const points = this.results.filter((r) => r.key === s.key).map((r) => r.point).sort((a, b) => a.depth - b.depth);
      const first = points[0];
      const last = points[points.length - 1];
      if (!first || !last) return `${s.label}: not measured yet`;
      return `${s.label}: ${formatCell(first.measured)} at ${first.depth} layers, ${formatCell(last.measured)} at ${last.depth} layers`;
    });
    return `First-layer gradient norm against depth. ${parts.join('; ')}.`;
  }

  protected override legendEntries(): LegendEntry[] {
    const entries: LegendEntry[] = [];
    for (const s of this.series) {
      entries.push({ label: `${s.label}: measured`, color: s.color });
      const chi = this.chiOf(s.key);
      if (chi !== null) entries.push({ label: theoryLabel(chi), color: s.color, dashed: true });
    }
    return entries;
  }

  protected override readoutAt(idx: number | null): string {
    const d = idx === null ? undefined : this.x[idx];
    if (d === undefined) return '';
    const parts = this.series.map((s) => {
      const p = this.at(s.key, d);
      return p ? `${s.label}: ${formatValue(p.measured)} (theory ${formatValue(p.predicted)})` : `${s.label}: —`;
    });
    return `${d} layers · ${parts.join(' · ')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-sweep-chart': BpSweepChart;
  }
}
