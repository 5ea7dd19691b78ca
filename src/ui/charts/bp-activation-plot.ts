/**
 * A run's hidden activation φ and its derivative φ′ on one z axis (σ′'s 0.25 peak, ReLU's step, the saturation zones
 * shaded), with the run's latest recorded distribution of one layer's pre-activations z drawn under them as quantile
 * bands — so saturation is seen where it happens: a layer whose z sits where φ′ ≈ 0 passes almost no gradient.
 */
import { css, html, LitElement, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../../core/activations.js';
import { DISTRIBUTION_LEVELS, DISTRIBUTION_QUANTITIES, type StepRecord } from '../../train/records.js';
import { scaledContext } from '../canvas.js';
import { layerActivation, type RunView } from '../run-view.js';
import { chartFont, FONT_FAMILY, INK_CSS } from './chart-theme.js';
import { formatCell, type ChartTable, type Tabular } from './chart-table.js';
import { recordQuantiles, saturationZones } from './distribution-series.js';
import { canvasOnWhite, type Exportable } from './exportable.js';
import { FrameController } from './frame-controller.js';
import { ThemeController } from './theme-controller.js';

/** The "what am I looking at?" text of the plot's card. */
export const ACTIVATION_HELP =
  'The activation φ of the picked run (solid) and its derivative φ′ (dashed) over the pre-activation z. Backprop multiplies the gradient by φ′(z) at every layer: σ′ is at most ¼ (at z = 0) and near 0 in the red zones, where the unit is saturated; ReLU’s φ′ is a step, 0 for z < 0 (a dead unit) and 1 above. Under the curves: where the picked hidden layer’s pre-activations z actually sit at the latest logged step — min–max line, bands of 7–93 %, 16–84 %, 31–69 % and the median tick. A band inside a red zone means that layer passes almost no gradient.';

/** Half-width of the z axis per activation. */
const Z_RANGE: Record<HiddenActivation, number> = { sigmoid: 7, tanh: 4, relu: 3, leaky_relu: 3, linear: 3, gelu: 4, silu: 6, elu: 4, softplus: 6 };
const M = { left: 30, right: 10, top: 14, curve: 96, gap: 22, strip: 34, bottom: 22 } as const;
const ZONE_FILL = 'rgba(220, 50, 32, 0.10)';
const SLOPE_COLOR = '#1f2328';
const LEVEL_NAMES = ['min', '7%', '16%', '31%', 'median', '69%', '84%', '93%', 'max'];

/** Where φ′ peaks, and its value there, for the mark on the plot (null where φ′ is a step or constant). */
export function slopePeak(act: HiddenActivation): { z: number; value: number; label: string } | null {
  if (act === 'sigmoid') return { z: 0, value: 0.25, label: 'σ′(0) = ¼' };
  if (act === 'tanh') return { z: 0, value: 1, label: 'tanh′(0) = 1' };
  return null;
}

/** φ and φ′ at z (φ′ through the output where that determines it, as backprop computes it; else through z). */
export function activationPoint(act: HiddenActivation, z: number): { a: number; slope: number } {
  const f = ACTIVATIONS[act];
  const a = f.value(z);
  return { a, slope: f.derivativeFromOutput ? f.derivativeFromOutput(a) : f.derivative(z) };
}

/** Weight layers recorded in a record's distributions. */
function recordedLayers(rec: StepRecord | undefined): number {
  return rec?.distributions ? rec.distributions.length / (DISTRIBUTION_QUANTITIES.length * DISTRIBUTION_LEVELS) : 0;
}

/**
 * φ, φ′ and a layer's z distribution for the runs of the lab.
 * @csspart canvas - the canvas
 */
@customElement('bp-activation-plot')
export class BpActivationPlot extends LitElement implements Exportable, Tabular {
  static override styles = css`
    :host {
      display: block;
      contain: inline-size;
      min-width: 0;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
      font-size: calc(12.5px * var(--bp-font-scale, 1));
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 10px;
      margin: 2px 0 4px;
    }
    select {
      font: inherit;
      max-width: 100%;
    }
    canvas {
      display: block;
    }
  `;

  @property({ attribute: false }) runs: readonly RunView[] = [];
  /** Changes whenever records were appended (redraw). */
  @property() version = '';
  @state() private runIndex = 0;
  /** Hidden layer whose z is drawn (0 = first). */
  @state() private layer = 0;
  private readonly theme = new ThemeController(this, () => this.frames.request());
  private readonly frames = new FrameController(this, () => this.renderRoot.querySelector('.box'), () => this.draw());

  private get run(): RunView | undefined {
    return this.runs[Math.min(this.runIndex, this.runs.length - 1)];
  }

  private get activation(): HiddenActivation {
    const run = this.run;
    const a = run ? layerActivation(run, this.layer) : 'sigmoid';
    return (HIDDEN_ACTIVATIONS as readonly string[]).includes(a) ? (a as HiddenActivation) : 'sigmoid';
  }

  /** The latest record with distributions, its hidden-layer count and the drawn layer's quantiles (z, or a for ReLU). */
  private latest(): { rec: StepRecord; hidden: number; q: number[] | null; quantity: 'z' | 'a' } | null {
    const recs = this.run?.records ?? [];
    let rec: StepRecord | undefined;
    for (let i = recs.length - 1; i >= 0 && !rec; i--) if (recs[i]!.distributions) rec = recs[i];
    const L = recordedLayers(rec);
    if (!rec || L < 2) return null;
    const layer = Math.min(this.layer, L - 2);
    const z = recordQuantiles(rec, layer, 'z', this.activation, L);
    const q = z ?? recordQuantiles(rec, layer, 'a', this.activation, L);
    return { rec, hidden: L - 1, q, quantity: z ? 'z' : 'a' };
  }

  private get height(): number {
    return M.top + M.curve + M.gap + M.strip + M.bottom;
  }

  exportCanvas(): HTMLCanvasElement | null {
    const c = this.renderRoot.querySelector('canvas');
    return c ? canvasOnWhite(c) : null;
  }

  tables(): ChartTable[] {
    const act = this.activation;
    const R = Z_RANGE[act];
    const zs = Array.from({ length: 13 }, (_, i) => -R + (i * 2 * R) / 12);
    const out: ChartTable[] = [{
      caption: `${act} and its derivative`,
      columns: ['z', 'φ(z)', 'φ′(z)'],
      rows: zs.map((z) => {
        const p = activationPoint(act, z);
        return [Number(z.toPrecision(4)), p.a, p.slope];
      }),
    }];
    const l = this.latest();
    if (l?.q) {
      out.push({
        caption: `${this.run?.label ?? ''}: ${l.quantity} of hidden layer ${Math.min(this.layer, l.hidden - 1) + 1} at step ${l.rec.step}, quantiles`,
        columns: ['quantity', ...LEVEL_NAMES],
        rows: [[l.quantity, ...l.q]],
      });
    }
    return out;
  }

  summary(): string {
    const act = this.activation;
    const peak = slopePeak(act);
    const l = this.latest();
    const dist = l?.q ? ` Hidden layer ${Math.min(this.layer, l.hidden - 1) + 1} at step ${l.rec.step}: median ${l.quantity} ${formatCell(l.q[4]!)}, 16–84 % from ${formatCell(l.q[2]!)} to ${formatCell(l.q[6]!)}.` : ' No distribution recorded yet.';
    return `${act} and its derivative${peak ? ` (peak ${peak.label})` : ''}.${dist}`;
  }

  override render(): TemplateResult {
    const l = this.latest();
    const pick = (e: Event) => Number((e.target as HTMLSelectElement).value);
    return html`
      <div class="controls">
        ${this.runs.length > 1
          ? html`<label>run <select name="act-run" @change=${(e: Event) => (this.runIndex = pick(e))}>
              ${this.runs.map((r, i) => html`<option value=${i} ?selected=${i === this.runIndex}>${r.label}</option>`)}
            </select></label>`
          : ''}
        <label>layer <select name="act-layer" @change=${(e: Event) => (this.layer = pick(e))}>
          ${Array.from({ length: Math.max(1, l?.hidden ?? 1) }, (_, i) => html`<option value=${i} ?selected=${i === this.layer}>hidden ${i + 1}</option>`)}
        </select></label>
      </div>
      <div class="box" role="img" aria-label=${this.summary()} style="height: ${this.height}px"><canvas part="canvas"></canvas></div>
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.size) this.frames.request();
  }

  private draw(): void {
    this.dispatchEvent(new Event('bp-chart-drawn', { bubbles: true, composed: true }));
    const canvas = this.renderRoot.querySelector('canvas');
    const width = this.frames.width;
    if (!canvas || width <= 0) return;
    const t = this.theme.value;
    const ctx = scaledContext(canvas, width, this.height, 'both');
    ctx.clearRect(0, 0, width, this.height);
    const act = this.activation;
    const R = Z_RANGE[act];
    const x0 = M.left;
    const x1 = width - M.right;
    const X = (z: number) => x0 + ((z + R) / (2 * R)) * (x1 - x0);
    const samples = Array.from({ length: 241 }, (_, i) => -R + (i * 2 * R) / 240);
    const pts = samples.map((z) => activationPoint(act, z));
    const lo = Math.min(0, ...pts.map((p) => Math.min(p.a, p.slope)));
    const hi = Math.max(1, ...pts.map((p) => Math.max(p.a, p.slope)));
    const top = M.top;
    const bottom = M.top + M.curve;
    const Y = (v: number) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
    // Saturation zones on the z axis, through curve and strip.
    ctx.fillStyle = ZONE_FILL;
    for (const [a, b] of saturationZones('z', act)) {
      const xa = X(Math.max(a, -R));
      const xb = X(Math.min(b, R));
      if (xb > xa) ctx.fillRect(xa, top, xb - xa, this.height - M.bottom - top);
    }
    // Axes.
    ctx.strokeStyle = t.grid;
    ctx.lineWidth = 1;
    for (const v of [0, 0.25, 0.5, 1].filter((v) => v >= lo && v <= hi)) {
      ctx.beginPath();
      ctx.moveTo(x0, Y(v) + 0.5);
      ctx.lineTo(x1, Y(v) + 0.5);
      ctx.stroke();
    }
    ctx.font = chartFont(t, 11);
    ctx.fillStyle = t.ink;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [lo, 0.25, 1].filter((v, i, a) => a.indexOf(v) === i && v >= lo && v <= hi)) ctx.fillText(formatCell(v), x0 - 4, Y(v));
    // Curves: φ solid in the run's colour, φ′ dashed.
    const line = (vals: number[], color: string, dash: number[]) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * t.lineScale;
      ctx.setLineDash(dash);
      ctx.beginPath();
      vals.forEach((v, i) => (i ? ctx.lineTo(X(samples[i]!), Y(v)) : ctx.moveTo(X(samples[i]!), Y(v))));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    const color = this.run?.color ?? '#0072B2';
    line(pts.map((p) => p.a), color, []);
    line(pts.map((p) => p.slope), SLOPE_COLOR, [5, 3]);
    ctx.textAlign = 'left';
    ctx.fillStyle = color;
    ctx.fillText(`φ = ${act}`, x0 + 4, top + 4);
    ctx.fillStyle = SLOPE_COLOR;
    ctx.fillText(act.includes('relu') ? 'φ′ (a step)' : 'φ′ (dashed)', x0 + 4, top + 18);
    const peak = slopePeak(act);
    if (peak) {
      ctx.beginPath();
      ctx.arc(X(peak.z), Y(peak.value), 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillText(peak.label, X(peak.z) + 6, Y(peak.value) - 8);
    }
    // The distribution strip.
    const sTop = bottom + M.gap;
    const sMid = sTop + M.strip / 2;
    const l = this.latest();
    ctx.fillStyle = t.muted;
    ctx.font = chartFont(t, 11);
    if (!l?.q) {
      ctx.fillText(l ? 'not recorded for this layer' : 'distribution: after the first logged step', x0, sMid);
    } else {
      const q = l.q;
      const clampX = (v: number) => X(Math.max(-R, Math.min(R, v)));
      const box = (a: number, b: number, h: number, alpha: number) => {
        ctx.fillStyle = `rgba(0, 114, 178, ${alpha})`;
        ctx.fillRect(clampX(q[a]!), sMid - h / 2, Math.max(1, clampX(q[b]!) - clampX(q[a]!)), h);
      };
      box(0, 8, 4, 0.35);
      box(1, 7, 12, 0.3);
      box(2, 6, 18, 0.35);
      box(3, 5, 24, 0.45);
      ctx.fillStyle = SLOPE_COLOR;
      ctx.fillRect(clampX(q[4]!) - 1, sMid - 14, 2, 28);
      ctx.fillStyle = t.ink;
      ctx.textAlign = 'left';
      ctx.fillText(`${l.quantity} of hidden ${Math.min(this.layer, l.hidden - 1) + 1}, step ${l.rec.step}${l.quantity === 'a' ? ' (ReLU: a = max(0, z))' : ''}`, x0, sTop - 8);
      if (q[0]! < -R) ctx.fillText(`◀ ${formatCell(q[0]!)}`, x0, sMid + 22);
      if (q[8]! > R) {
        ctx.textAlign = 'right';
        ctx.fillText(`${formatCell(q[8]!)} ▶`, x1, sMid + 22);
      }
    }
    // z axis.
    ctx.fillStyle = t.ink;
    ctx.textAlign = 'center';
    const axisY = this.height - M.bottom + 10;
    for (const z of [-R, -R / 2, 0, R / 2, R]) ctx.fillText(formatCell(z), X(z), axisY);
    ctx.textAlign = 'left';
    ctx.fillText('z', x1 - 6, axisY - 12);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-activation-plot': BpActivationPlot;
  }
}
