/**
 * Activation saturation per layer from each run's latest record: the share of saturated units for sigmoid/tanh
 * runs, of dead units for ReLU runs (the label follows the run's activation), one line per run.
 */
import { customElement } from 'lit/decorators.js';
import uPlot from 'uplot';
import { ACTIVATIONS, type PointwiseActivation } from '../../core/activations.js';
import type { RunView } from '../run-view.js';
import { chartFont } from './chart-theme.js';
import { extremes, formatCell, type ChartTable } from './chart-table.js';
import type { LegendEntry } from './exportable.js';
import { layerTicks } from './series.js';
import { UPlotElement, type PlotSize } from './uplot-element.js';

/** "saturated", "dead" or null (no such notion, e.g. linear) for a run's hidden activation. */
export function saturationLabel(activation: string): 'saturated' | 'dead' | null {
  const table = ACTIVATIONS as Readonly<Record<string, PointwiseActivation | undefined>>;
  return table[activation]?.saturationLabel ?? null;
}

/**
 * Saturated / dead share per layer.
 * @csspart plot - the plot box
 * @csspart legend - the legend row
 */
@customElement('bp-saturation-chart')
export class BpSaturationChart extends UPlotElement {
  private latest(run: RunView): readonly number[] {
    return run.records[run.records.length - 1]?.saturation ?? [];
  }

  private axisLabel(): string {
    const labels = new Set(this.runs.map((r) => saturationLabel(r.activation)).filter((l) => l !== null));
    if (labels.size === 1) return labels.has('dead') ? 'dead units' : 'saturated units';
    return 'saturated / dead';
  }

  private seriesLabel(r: RunView): string {
    const what = saturationLabel(r.activation);
    return `${r.label} — ${what ?? 'n/a'}`;
  }

  protected override structureKey(): string {
    return [this.axisLabel(), ...this.runs.map((r) => `${r.id}|${r.color}|${this.seriesLabel(r)}`)].join(';');
  }

  protected override plotData(): uPlot.AlignedData | null {
    let layers = 0;
    for (const r of this.runs) layers = Math.max(layers, this.latest(r).length);
    if (layers === 0) return null;
    const x = Array.from({ length: layers }, (_, l) => l + 1);
    const columns = this.runs.map((r) => {
      const s = this.latest(r);
      // Runs without a saturation notion (linear) have nothing to show.
      return x.map((_, l) => (saturationLabel(r.activation) !== null && l < s.length && Number.isFinite(s[l]) ? s[l]! : null));
    });
    return [x, ...columns] as uPlot.AlignedData;
  }

  protected override plotOptions(size: PlotSize): uPlot.Options {
    const t = this.theme.value;
    const series: uPlot.Series[] = [{ label: 'layer' }];
    for (const r of this.runs) {
      series.push({ label: this.seriesLabel(r), stroke: r.color, width: 2.5 * t.lineScale, points: { show: true, size: 7 * t.lineScale, fill: r.color, stroke: r.color } });
    }
    return {
      ...size,
      series,
      axes: [
        {
          scale: 'x', label: 'layer (1 = input side → output)', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink,
          grid: { stroke: t.grid }, labelSize: Math.round(20 * t.fontScale), size: Math.round(36 * t.fontScale),
          splits: (u, _i, _min, max) => layerTicks(Math.round(max - 0.3), u.bbox.width / uPlot.pxRatio),
        },
        {
          scale: 'y', label: this.axisLabel(), labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, grid: { stroke: t.grid },
          size: Math.round(56 * t.fontScale), labelSize: Math.round(20 * t.fontScale), splits: () => [0, 0.25, 0.5, 0.75, 1], values: (_u, s) => s.map((v) => `${Math.round(v * 100)}%`),
        },
      ],
      scales: {
        x: { time: false, auto: true, range: (_u, min, max) => [Math.min(min, 1) - 0.3, Math.max(max, 2) + 0.3] },
        y: { auto: false, range: [-0.02, 1.02] },
      },
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  override tables(): ChartTable[] {
    let layers = 0;
    for (const r of this.runs) layers = Math.max(layers, this.latest(r).length);
    if (layers === 0) return [];
    return [{
      caption: 'Share of saturated (sigmoid, tanh) or dead (ReLU) units per layer (0–1) at the latest logged step',
      columns: ['layer', ...this.runs.map((r) => this.seriesLabel(r))],
      rows: Array.from({ length: layers }, (_, l) => [l + 1, ...this.runs.map((r) => (saturationLabel(r.activation) === null ? null : (this.latest(r)[l] ?? null)))]),
    }];
  }

  override summary(): string {
    const parts = this.runs.map((r) => {
      const what = saturationLabel(r.activation);
      const e = extremes(this.latest(r));
      if (what === null) return `${r.label}: not applicable`;
      if (!e) return `${r.label}: no step yet`;
      return `${r.label}: at most ${formatCell(e.max * 100)} % ${what}, at layer ${e.maxAt + 1}`;
    });
    return `Saturated or dead units per layer. ${parts.join('; ')}.`;
  }

  protected override legendEntries(): LegendEntry[] {
    return this.runs.map((r) => ({ label: this.seriesLabel(r), color: r.color }));
  }

  protected override readoutAt(idx: number | null): string {
    if (idx === null) return '';
    const parts = this.runs.map((r) => {
      const v = this.latest(r)[idx];
      const what = saturationLabel(r.activation);
      return `${r.label}: ${v === undefined || what === null ? '—' : `${(v * 100).toFixed(1)}% ${what}`}`;
    });
    return `layer ${idx + 1} · ${parts.join(' · ')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-saturation-chart': BpSaturationChart;
  }
}
