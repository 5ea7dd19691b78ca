/**
 * THE picture of the vanishing gradient: ‖∂L/∂W_l‖ per layer l (input side first) on a log axis, one line per
 * run from its latest record, redrawn live. Exact zeros (underflow) sit in a labelled "0 (underflow)" band.
 * Optional theory lines (dashed) give a predicted norm per layer, each with its own legend label; a checkbox
 * above the plot turns them off.
 */
import { html, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import { chartFont } from './chart-theme.js';
import { formatCell, type ChartTable } from './chart-table.js';
import type { LegendEntry } from './exportable.js';
import { layerTicks } from './series.js';
import { formatValue, logRange, toLogValue, type LogRange } from './log-scale.js';
import { logAxis, logScale, underflowPlugin } from './uplot-log.js';
import { UPlotElement, type PlotSize } from './uplot-element.js';

/** A #rrggbb colour at 55 % opacity (other colour forms are returned unchanged). */
function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}8c` : color;
}

/** Predicted gradient norm per layer (input side first), keyed by run id. */
export type GradientTheory = Readonly<Record<string, readonly number[]>>;

/**
 * Per-layer gradient norms of the latest record of each run.
 * @csspart plot - the plot box
 * @csspart legend - the legend row
 */
@customElement('bp-gradient-profile')
export class BpGradientProfile extends UPlotElement {
  /** Predicted norms per layer for some runs (drawn dashed in the run's colour), or null. */
  @property({ attribute: false }) theory: GradientTheory | null = null;
  /** Legend label of each run's theory line (e.g. "theory, χ = 0.056"); default "theory". */
  @property({ attribute: false }) theoryLabels: Readonly<Record<string, string>> = {};
  /** Draw the theory lines (a checkbox above the plot, shown when there are any). */
  @property({ type: Boolean, attribute: 'show-theory' }) showTheory = true;

  private range: LogRange | null = null;

  private latest(run: { records: readonly { gradNorms: readonly number[] }[] }): readonly number[] {
    return run.records[run.records.length - 1]?.gradNorms ?? [];
  }

  private hasTheory(): boolean {
    const theory = this.theory;
    return theory !== null && this.runs.some((r) => (theory[r.id]?.length ?? 0) > 0);
  }

  private theoryRuns() {
    const theory = this.theory;
    return theory && this.showTheory ? this.runs.filter((r) => (theory[r.id]?.length ?? 0) > 0) : [];
  }

  protected override renderControls(): TemplateResult {
    return this.hasTheory()
      ? html`<label title="dashed: mean-field prediction at initialisation"
          ><input type="checkbox" name="theory" .checked=${this.showTheory} @change=${(e: Event) => (this.showTheory = (e.target as HTMLInputElement).checked)} />theory at
          initialisation (dashed)</label
        >`
      : html``;
  }

  private layerCount(): number {
    let n = 0;
    for (const r of this.runs) n = Math.max(n, this.latest(r).length);
    for (const r of this.theoryRuns()) n = Math.max(n, this.theory![r.id]!.length);
    return n;
  }

  protected override structureKey(): string {
    return [...this.runs.map((r) => `${r.id}|${r.color}|${r.label}`), 'theory', ...this.theoryRuns().map((r) => r.id)].join(';');
  }

  protected override plotData(): uPlot.AlignedData | null {
    const layers = this.layerCount();
    if (layers === 0 || !this.runs.some((r) => r.records.length > 0)) return null;
    const theoryRuns = this.theoryRuns();
    const lines = [...this.runs.map((r) => this.latest(r)), ...theoryRuns.map((r) => this.theory![r.id]!)];
    this.range = logRange(lines.flat());
    const floor = this.range.floor;
    const x = Array.from({ length: layers }, (_, l) => l + 1);
    const columns = lines.map((line) => x.map((_, l) => (l < line.length ? toLogValue(line[l]!, floor) : null)));
    return [x, ...columns] as uPlot.AlignedData;
  }

  protected override plotOptions(size: PlotSize): uPlot.Options {
    const t = this.theme.value;
    const series: uPlot.Series[] = [{ label: 'layer' }];
    for (const r of this.runs) {
      series.push({ label: r.label, stroke: r.color, width: 2.5 * t.lineScale, points: { show: true, size: 7 * t.lineScale, fill: r.color, stroke: r.color } });
    }
    for (const r of this.theoryRuns()) {
      // Wide and translucent, so that the measured line stays visible where the two coincide (at initialisation).
      series.push({ label: `${r.label} (${this.theoryLabels[r.id] ?? 'theory'})`, stroke: translucent(r.color), width: 4 * t.lineScale, dash: [10, 6], points: { show: false } });
    }
    const axes: uPlot.Axis[] = [
      {
        scale: 'x', label: 'layer (1 = input side → output)', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink,
        grid: { stroke: t.grid }, labelSize: Math.round(20 * t.fontScale), size: Math.round(36 * t.fontScale),
        splits: (u, _i, _min, max) => layerTicks(Math.round(max - 0.3), u.bbox.width / uPlot.pxRatio),
      },
      logAxis('y', '‖∂L/∂W‖ (log scale)', () => this.range, 3, t),
    ];
    const scales: uPlot.Scales = {
      x: { time: false, auto: true, range: (_u, min, max) => [Math.min(min, 1) - 0.3, Math.max(max, 2) + 0.3] },
      y: logScale(() => this.range),
    };
    return {
      ...size, series, axes, scales, plugins: [underflowPlugin(() => this.range, 'y', t)], legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  override tables(): ChartTable[] {
    const layers = this.layerCount();
    if (layers === 0 || !this.runs.some((r) => r.records.length > 0)) return [];
    const theoryRuns = this.theoryRuns();
    const lines = [...this.runs.map((r) => this.latest(r)), ...theoryRuns.map((r) => this.theory![r.id]!)];
    return [{
      caption: 'Gradient norm ‖∂L/∂W‖ per layer (1 = input side) at the latest logged step',
      columns: ['layer', ...this.runs.map((r) => r.label), ...theoryRuns.map((r) => `${r.label}: theory at initialisation`)],
      rows: Array.from({ length: layers }, (_, l) => [l + 1, ...lines.map((line) => line[l] ?? null)]),
    }];
  }

  override summary(): string {
    const parts = this.runs.map((r) => {
      const g = this.latest(r);
      if (g.length === 0) return `${r.label}: no step yet`;
      return `${r.label}: ${formatCell(g[0]!)} at layer 1 (input side), ${formatCell(g[g.length - 1]!)} at layer ${g.length}`;
    });
    return `Gradient norm per layer at the latest step. ${parts.join('; ')}.`;
  }

  protected override legendEntries(): LegendEntry[] {
    const entries: LegendEntry[] = this.runs.map((r) => {
      const rec = r.records[r.records.length - 1];
      const when = r.divergedAt !== null ? `diverged at step ${r.divergedAt}` : rec ? `step ${rec.step}` : '';
      return { label: when ? `${r.label} — ${when}` : r.label, color: r.color };
    });
    for (const r of this.theoryRuns()) entries.push({ label: this.theoryLabels[r.id] ?? 'theory', color: r.color, dashed: true });
    return entries;
  }

  protected override readoutAt(idx: number | null): string {
    if (idx === null) return '';
    const parts = this.runs.map((r) => {
      const v = this.latest(r)[idx];
      const text = v === undefined ? '—' : v === 0 ? '0 (underflow)' : formatValue(v);
      const t = this.showTheory ? this.theory?.[r.id]?.[idx] : undefined;
      return `${r.label}: ${text}${t === undefined ? '' : ` (theory ${formatValue(t)})`}`;
    });
    return `layer ${idx + 1} · ${parts.join(' · ')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-gradient-profile': BpGradientProfile;
  }
}
