/**
 * Loss per logged step of every run, overlaid (log or linear y), with accuracy as dashed lines on a right-hand
 * 0–100 % axis where the runs report it, a vertical marker where a run diverged, and short ticks along the
 * bottom (one row per run) at the logged steps where gradient clipping acted.
 */
import { html, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { chartFont } from './chart-theme.js';
import { formatCell, MAX_TABLE_ROWS, type ChartTable } from './chart-table.js';
import type { LegendEntry } from './exportable.js';
import { formatValue, logRange, toLogValue, type LogRange } from './log-scale.js';
import { alignToSteps, columnSamples, sameSteps, unionSteps } from './series.js';
import { clipNote, clippedSteps } from './clip-marks.js';
import { logAxis, logScale, underflowPlugin, uPlotPxRatio } from './uplot-log.js';
import { UPlotElement, type PlotSize } from './uplot-element.js';

/**
 * Loss curves of all runs.
 * @csspart plot - the plot box
 * @csspart legend - the legend row
 */
@customElement('bp-loss-chart')
export class BpLossChart extends UPlotElement {
  /** Log-scaled loss axis (zeros drawn in the underflow band). */
  @property({ type: Boolean, attribute: 'log-scale' }) logScale = true;
  /** Show accuracy (dashed, right axis) where the records have it. */
  @property({ type: Boolean, attribute: 'show-accuracy' }) showAccuracy = true;

  private range: LogRange | null = null;
  private x: number[] = [];

  private hasAccuracy(): boolean {
    return this.runs.some((r) => r.records.length > 0 && r.records[r.records.length - 1]!.accuracy !== null);
  }

  private accuracyShown(): boolean {
    return this.showAccuracy && this.hasAccuracy();
  }

  protected override structureKey(): string {
    return [this.logScale, this.accuracyShown(), ...this.runs.map((r) => `${r.id}|${r.color}|${r.label}|${r.clip?.kind ?? ''}`)].join(';');
  }

  protected override plotData(): uPlot.AlignedData | null {
    const runs = this.runs;
    if (!runs.some((r) => r.records.length > 0)) return null;
    const steps = runs.map((r) => r.records.map((rec) => rec.step));
    this.x = sameSteps(steps) ? steps[0]! : unionSteps(steps);
    const losses = runs.map((r) => r.records.map((rec) => rec.loss));
    this.range = this.logScale ? logRange(losses.flat()) : null;
    const floor = this.range?.floor ?? 0;
    const columns: (number | null)[][] = runs.map((_, i) => {
      const ys = losses[i]!.map((v) => (this.logScale ? toLogValue(v, floor) : Number.isFinite(v) ? v : null));
      return alignToSteps(this.x, steps[i]!, ys);
    });
    if (this.accuracyShown()) {
      runs.forEach((r, i) => columns.push(alignToSteps(this.x, steps[i]!, r.records.map((rec) => rec.accuracy))));
    }
    return [this.x, ...columns] as uPlot.AlignedData;
  }

  protected override plotOptions(size: PlotSize): uPlot.Options {
    const t = this.theme.value;
    const acc = this.accuracyShown();
    const series: uPlot.Series[] = [{ label: 'step' }];
    for (const r of this.runs) series.push({ label: r.label, stroke: r.color, width: 2 * t.lineScale, scale: 'y', spanGaps: false });
    if (acc) {
      for (const r of this.runs) {
        series.push({ label: `${r.label} accuracy`, stroke: r.color, width: 1.5 * t.lineScale, dash: [6, 4], scale: 'acc', points: { show: false } });
      }
    }
    const yAxis: uPlot.Axis = this.logScale
      ? logAxis('y', 'loss (log scale)', () => this.range, 3, t)
      : { scale: 'y', label: 'loss', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, size: Math.round(56 * t.fontScale), labelSize: Math.round(20 * t.fontScale), grid: { stroke: t.grid } };
    const axes: uPlot.Axis[] = [
      { scale: 'x', label: 'step', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, grid: { stroke: t.grid }, labelSize: Math.round(20 * t.fontScale), size: Math.round(36 * t.fontScale) },
      yAxis,
    ];
    if (acc) {
      axes.push({
        scale: 'acc', side: 1, label: 'accuracy (dashed)', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, size: Math.round(50 * t.fontScale),
        labelSize: Math.round(20 * t.fontScale), grid: { show: false }, splits: () => [0, 0.25, 0.5, 0.75, 1], values: (_u, s) => s.map((v) => `${Math.round(v * 100)}%`),
      });
    }
    const scales: uPlot.Scales = {
      x: { time: false },
      y: this.logScale ? logScale(() => this.range) : { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
      acc: { auto: false, range: [0, 1] },
    };
    const plugins: uPlot.Plugin[] = [this.divergencePlugin(), this.clipPlugin()];
    if (this.logScale) plugins.unshift(underflowPlugin(() => this.range, 'y', t));
    return { ...size, series, axes, scales, plugins, legend: { show: false }, cursor: { drag: { x: false, y: false } } };
  }

  protected override legendEntries(): LegendEntry[] {
    const entries: LegendEntry[] = this.runs.map((r) => ({
      label: r.divergedAt === null ? r.label : `${r.label} (diverged at step ${r.divergedAt})`,
      color: r.color,
    }));
    if (this.accuracyShown()) entries.push({ label: 'dashed: accuracy', color: this.theme.value.ink, dashed: true });
    if (this.runs.some((r) => r.clip)) entries.push({ label: 'ticks at the bottom: clipping acted', color: this.theme.value.ink, tick: true });
    return entries;
  }

  protected override readoutAt(idx: number | null): string {
    if (idx === null) return '';
    const step = this.x[idx];
    if (step === undefined) return '';
    const parts = this.runs.map((r) => {
      const rec = r.records.find((q) => q.step === step);
      if (!rec) return `${r.label}: —`;
      const acc = rec.accuracy === null ? '' : `, acc ${(rec.accuracy * 100).toFixed(1)}%`;
      const clip = clipNote(rec.clipFactor, r.clip?.kind ?? null);
      return `${r.label}: loss ${formatValue(rec.loss)}${acc}${clip ? ` (${clip})` : ''}`;
    });
    return `step ${step} · ${parts.join(' · ')}`;
  }

  override tables(): ChartTable[] {
    const runs = this.runs;
    if (!runs.some((r) => r.records.length > 0)) return [];
    const steps = runs.map((r) => r.records.map((rec) => rec.step));
    const x = sameSteps(steps) ? steps[0]! : unionSteps(steps);
    const acc = this.hasAccuracy();
    const column = (pick: (rec: (typeof runs)[number]['records'][number]) => number | null) =>
      runs.map((r, i) => alignToSteps(x, steps[i]!, r.records.map(pick)));
    const columns = [...column((rec) => rec.loss), ...(acc ? column((rec) => rec.accuracy) : [])];
    const rows = columnSamples(x.length, MAX_TABLE_ROWS).map((j) => [x[j]!, ...columns.map((c) => c[j]!)]);
    const some = rows.length < x.length ? `, ${rows.length} of ${x.length} logged steps (the latest last)` : '';
    return [{
      caption: `Loss${acc ? ' and accuracy (0–1)' : ''} per logged step${some}`,
      columns: ['step', ...runs.map((r) => `${r.label}: loss`), ...(acc ? runs.map((r) => `${r.label}: accuracy`) : [])],
      rows,
    }];
  }

  override summary(): string {
    const parts = this.runs.map((r) => {
      const rec = r.records[r.records.length - 1];
      if (!rec) return `${r.label}: no step yet`;
      const acc = rec.accuracy === null ? '' : `, accuracy ${formatCell(rec.accuracy * 100)} %`;
      const diverged = r.divergedAt === null ? '' : `, diverged at step ${r.divergedAt}`;
      return `${r.label}: loss ${formatCell(rec.loss)}${acc} at step ${rec.step}${diverged}`;
    });
    return `Training loss per step. ${parts.join('; ')}.`;
  }

  protected override renderControls(): TemplateResult {
    return html`
      <label><input type="checkbox" .checked=${this.logScale} @change=${(e: Event) => (this.logScale = (e.target as HTMLInputElement).checked)} />log scale</label>
      ${this.hasAccuracy()
        ? html`<label><input type="checkbox" .checked=${this.showAccuracy} @change=${(e: Event) => (this.showAccuracy = (e.target as HTMLInputElement).checked)} />accuracy</label>`
        : html``}
    `;
  }

  /** Steps at which each run's clipping acted (empty for runs without clipping), in run order. */
  clippedSteps(): number[][] {
    return this.runs.map((r) => clippedSteps(r.records, r.clip?.kind ?? null));
  }

  /** A short tick along the bottom of the plot at each step where a run's clipping acted, one row per run. */
  private clipPlugin(): uPlot.Plugin {
    return {
      hooks: {
        draw: (u) => {
          const ratio = uPlotPxRatio(u);
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const rows = this.clippedSteps();
          ctx.save();
          ctx.lineWidth = 2 * ratio * this.theme.value.lineScale;
          let row = 0;
          this.runs.forEach((r, i) => {
            if (!r.clip) return;
            const y1 = top + height - (2 + row * 10) * ratio;
            ctx.strokeStyle = r.color;
            ctx.beginPath();
            for (const step of rows[i]!) {
              const x = u.valToPos(step, 'x', true);
              if (x < left - 1 || x > left + width + 1) continue;
              ctx.moveTo(x, y1);
              ctx.lineTo(x, y1 - 8 * ratio);
            }
            ctx.stroke();
            row++;
          });
          ctx.restore();
        },
      },
    };
  }

  /** Vertical dashed line and "diverged at step k" label for each diverged run. */
  private divergencePlugin(): uPlot.Plugin {
    return {
      hooks: {
        draw: (u) => {
          const ratio = uPlotPxRatio(u);
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          let row = 0;
          ctx.save();
          ctx.font = chartFont(this.theme.value, 12 * ratio, '600 ');
          ctx.textBaseline = 'top';
          for (const r of this.runs) {
            if (r.divergedAt === null) continue;
            const x = Math.min(left + width, Math.max(left, u.valToPos(r.divergedAt, 'x', true)));
            ctx.strokeStyle = r.color;
            ctx.lineWidth = 2 * ratio;
            ctx.setLineDash([6 * ratio, 4 * ratio]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.setLineDash([]);
            const text = `diverged at step ${r.divergedAt}`;
            const tw = ctx.measureText(text).width + 8 * ratio;
            const tx = x + tw + 4 * ratio > left + width ? x - tw - 4 * ratio : x + 4 * ratio;
            const ty = top + (4 + row * 20) * ratio;
            ctx.fillStyle = 'rgba(255,255,255,0.9)';
            ctx.fillRect(tx, ty, tw, 18 * ratio);
            ctx.fillStyle = r.color;
            ctx.fillText(text, tx + 4 * ratio, ty + 3 * ratio);
            row++;
          }
          ctx.restore();
        },
      },
    };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-loss-chart': BpLossChart;
  }
}
