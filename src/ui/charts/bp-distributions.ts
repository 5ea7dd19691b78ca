/**
 * Distributions over time: for one run, one layer and one quantity (z, a, ∂L/∂z or W), the quantiles recorded at
 * each logged step drawn as TensorBoard-style bands — min–max, 7–93 %, 16–84 %, 31–69 % — with the median as a
 * line; sigmoid's and tanh's saturation zones are shaded on the a and z axes.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES } from '../../train/records.js';
import { layerActivation, type RunView } from '../run-view.js';
import { chartFont } from './chart-theme.js';
import { formatCell, type ChartTable } from './chart-table.js';
import { DISTRIBUTION_VIEWS, VIEW_LABELS, recordQuantiles, saturationZones, type DistributionView } from './distribution-series.js';
import type { LegendEntry } from './exportable.js';
import { UPlotElement, type PlotSize } from './uplot-element.js';

/** Column names of the quantile levels. */
const LEVEL_NAMES = ['min', '7%', '16%', '31%', 'median', '69%', '84%', '93%', 'max'];
/** Band opacities, outermost (min–max) first. */
const BAND_ALPHA = [0.12, 0.2, 0.3, 0.42];
/** Fill of the saturation zones. */
const ZONE_FILL = 'rgba(220, 50, 32, 0.10)';

/** `color` with opacity `alpha` (hex colours; anything else falls back to grey). */
function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return `rgba(110, 110, 110, ${alpha})`;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}

/**
 * Quantile bands of one layer's z, a, ∂L/∂z or W over the logged steps.
 * @csspart plot - the plot box
 * @csspart legend - the legend row
 */
@customElement('bp-distributions')
export class BpDistributions extends UPlotElement {
  /** Index of the run drawn. */
  @state() private runIndex = 0;
  /** Weight layer drawn (0 = input side). */
  @state() private layer = 0;
  @state() private view: DistributionView = 'a';

  private get run(): RunView | undefined {
    return this.runs[Math.min(this.runIndex, this.runs.length - 1)];
  }

  private layers(): number {
    const d = this.run?.records.find((r) => r.distributions)?.distributions;
    return d ? d.length / (DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS) : 0;
  }

  /** Steps and quantiles of the selected run, layer and quantity. */
  private series(): { steps: number[]; q: number[][] } {
    const run = this.run;
    const steps: number[] = [];
    const q: number[][] = LEVEL_NAMES.map(() => []);
    if (!run) return { steps, q };
    const L = this.layers();
    for (const rec of run.records) {
      const v = recordQuantiles(rec, this.layer, this.view, layerActivation(run, this.layer), L);
      if (!v) continue;
      steps.push(rec.step);
      v.forEach((x, i) => q[i]!.push(x));
    }
    return { steps, q };
  }

  protected override renderControls(): TemplateResult {
    const L = this.layers();
    const pick = (e: Event) => (e.target as HTMLSelectElement).value;
    return html`
      ${this.runs.length > 1
        ? html`<label>run <select @change=${(e: Event) => (this.runIndex = Number(pick(e)))}>
            ${this.runs.map((r, i) => html`<option value=${i} ?selected=${i === this.runIndex}>${r.label}</option>`)}
          </select></label>`
        : nothing}
      <label>layer <select aria-label="layer" @change=${(e: Event) => (this.layer = Number(pick(e)))}>
        ${Array.from({ length: Math.max(L, 1) }, (_, l) => html`<option value=${l} ?selected=${l === this.layer}>${l + 1}${l === L - 1 ? ' (output)' : ''}</option>`)}
      </select></label>
      <label>quantity <select aria-label="quantity" @change=${(e: Event) => (this.view = pick(e) as DistributionView)}>
        ${DISTRIBUTION_VIEWS.map((v) => html`<option value=${v} ?selected=${v === this.view}>${VIEW_LABELS[v]}</option>`)}
      </select></label>
    `;
  }

  protected override emptyMessage(): string {
    const run = this.run;
    if (run && run.records.length > 0 && this.layers() > 0 && this.view === 'z') {
      return 'z is recorded for hidden layers only (the output layer has none to show)';
    }
    if (run && run.records.length > 0 && this.layers() === 0) {
      return 'Not recorded for a network this large (over a million activations, gradients and weights per logged step)';
    }
    return 'Waiting for the first logged step…';
  }

  protected override structureKey(): string {
    const run = this.run;
    return `${run?.id}|${run?.color}|${run ? layerActivation(run, this.layer) : ''}|${this.layer}|${this.view}`;
  }

  protected override plotData(): uPlot.AlignedData | null {
    const { steps, q } = this.series();
    if (steps.length === 0) return null;
    // A single step still draws: a second x value one step on repeats it.
    if (steps.length === 1) {
      steps.push(steps[0]! + 1);
      q.forEach((c) => c.push(c[0]!));
    }
    return [steps, ...q.map((c) => c.map((v) => (Number.isFinite(v) ? v : null)))] as uPlot.AlignedData;
  }

  protected override plotOptions(size: PlotSize): uPlot.Options {
    const t = this.theme.value;
    const color = this.run?.color ?? '#555555';
    const zones = saturationZones(this.view, this.run ? layerActivation(this.run, this.layer) : '');
    const series: uPlot.Series[] = [{ label: 'step' }];
    LEVEL_NAMES.forEach((name, i) => {
      series.push(i === 4 ? { label: name, stroke: color, width: 2 * t.lineScale } : { label: name, stroke: 'transparent', width: 0, points: { show: false } });
    });
    // Bands between levels i and 8 − i (series indices i + 1 and 9 − i), outermost first.
    const bands: uPlot.Band[] = BAND_ALPHA.map((alpha, i) => ({ series: [9 - i, i + 1], fill: withAlpha(color, alpha) }));
    return {
      ...size,
      series,
      bands,
      axes: [
        { scale: 'x', label: 'step', labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, grid: { stroke: t.grid }, labelSize: Math.round(20 * t.fontScale), size: Math.round(36 * t.fontScale) },
        { scale: 'y', label: VIEW_LABELS[this.view], labelFont: chartFont(t, 12), font: chartFont(t, 12), stroke: t.ink, grid: { stroke: t.grid }, size: Math.round(60 * t.fontScale), labelSize: Math.round(20 * t.fontScale) },
      ],
      scales: { x: { time: false }, y: { auto: true } },
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        drawClear: [
          (u) => {
            if (zones.length === 0) return;
            const { left, top, width, height } = u.bbox;
            u.ctx.save();
            u.ctx.fillStyle = ZONE_FILL;
            for (const [lo, hi] of zones) {
              const y0 = Math.max(top, Math.min(top + height, u.valToPos(hi, 'y', true)));
              const y1 = Math.max(top, Math.min(top + height, u.valToPos(lo, 'y', true)));
              if (y1 > y0) u.ctx.fillRect(left, y0, width, y1 - y0);
            }
            u.ctx.restore();
          },
        ],
      },
    };
  }

  override tables(): ChartTable[] {
    const run = this.run;
    const L = this.layers();
    const latest = run ? [...run.records].reverse().find((r) => r.distributions) : undefined;
    if (!run || !latest || L === 0) return [];
    return [{
      caption: `${VIEW_LABELS[this.view]} per layer of ${run.label} at step ${latest.step}: quantiles (each within one 1/256 of its range)`,
      columns: ['layer', ...LEVEL_NAMES],
      rows: Array.from({ length: L }, (_, l) => [l + 1, ...(recordQuantiles(latest, l, this.view, layerActivation(run, l), L) ?? LEVEL_NAMES.map(() => null))]),
    }];
  }

  override summary(): string {
    const run = this.run;
    const { steps, q } = this.series();
    if (!run || steps.length === 0) return `Distribution of ${VIEW_LABELS[this.view]} per layer over the logged steps: nothing recorded yet.`;
    const k = steps.length - 1;
    return `Distribution of ${VIEW_LABELS[this.view]} at layer ${this.layer + 1} of ${run.label}, step ${steps[k]}: median ${formatCell(q[4]![k]!)}, 16–84 % from ${formatCell(q[2]![k]!)} to ${formatCell(q[6]![k]!)}, min ${formatCell(q[0]![k]!)}, max ${formatCell(q[8]![k]!)}.`;
  }

  protected override legendEntries(): LegendEntry[] {
    const color = this.run?.color ?? '#555555';
    const entries: LegendEntry[] = [
      { label: 'median', color },
      { label: 'bands: min–max, 7–93 %, 16–84 %, 31–69 %', color: withAlpha(color, 0.35) },
    ];
    if (saturationZones(this.view, this.run ? layerActivation(this.run, this.layer) : '').length) entries.push({ label: 'saturation zone', color: ZONE_FILL.replace('0.10', '0.6') });
    return entries;
  }

  protected override readoutAt(idx: number | null): string {
    if (idx === null) return '';
    const { steps, q } = this.series();
    if (idx >= steps.length) return '';
    return `step ${steps[idx]} · ${LEVEL_NAMES.map((n, i) => `${n} ${formatCell(q[i]![idx]!)}`).join(' · ')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-distributions': BpDistributions;
  }
}
