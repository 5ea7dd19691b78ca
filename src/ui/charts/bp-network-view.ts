/**
 * The network drawn layer by layer, one panel per run: each edge coloured and sized by |∂L/∂w| of the current step
 * (log scale, the heatmaps' viridis legend with exact zeros grey), each unit filled by its mean |activation| or its
 * saturated/dead share on the batch. Wide layers show a sample of units and "+N more"; deep stacks fold their middle
 * layers into one band (a click on it, or the card's button, unfolds them). Clicking a unit selects it; a stage of
 * the step-through is highlighted over the layers and weights it reads (blue) and writes (orange).
 */
import { css, html, LitElement, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { norm2, rms } from '../../core/inspect.js';
import type { Stage, TensorRef } from '../../core/step-stages.js';
import { scaledContext } from '../canvas.js';
import type { RunView } from '../run-view.js';
import { chartFont, FONT_FAMILY, INK_CSS } from './chart-theme.js';
import { formatCell, type ChartTable, type Tabular } from './chart-table.js';
import { canvasOnWhite, type Exportable } from './exportable.js';
import { FrameController } from './frame-controller.js';
import type { RunInspection } from './inspection.js';
import { decadeTicks, formatDecade, logPosition, logRange, NAN_INDEX, paletteIndex, ZERO_INDEX, type LogRange } from './log-scale.js';
import { hitUnit, layerName, networkColumns, placeColumns, type Column, type PlacedUnit } from './network-layout.js';
import { NAN_COLOR, viridisTable, ZERO_COLOR } from './palette.js';
import { ThemeController } from './theme-controller.js';

const PALETTE_SIZE = 256;
/** Margins of each run's panel, CSS pixels (the right one holds the shared legend). */
const M = { left: 34, right: 104, top: 26, bottom: 44 } as const;
/** Short names of the tensors a stage reads and writes. */
const TENSOR_NAMES: Record<TensorRef['what'], string> = { x: 'x', y: 'y', z: 'z', a: 'a', dZ: 'δ', W: 'W', b: 'b', dW: '∂W', dB: '∂b', loss: 'L' };
const READ_COLOR = 'rgba(0, 114, 178, 0.16)';
const WRITE_COLOR = 'rgba(230, 159, 0, 0.28)';

/** Which unit a user picked: run id, node layer (0 = input) and unit index. */
export interface UnitPick {
  readonly id: string;
  readonly layer: number;
  readonly unit: number;
}

/** How units are filled. */
export type NodeMode = 'activation' | 'saturation';

/** Mean |a| of node layer k's units (k = 0: mean |x| of the inputs). */
function nodeValues(ins: RunInspection, k: number): Float64Array | null {
  const t = ins.trace;
  if (!t || !ins.model) return null;
  if (k > 0) return ins.stats!.meanAbs[k - 1]!;
  const n = ins.model.sizes[0]!;
  const out = new Float64Array(n);
  for (let r = 0; r < t.rows; r++) for (let i = 0; i < n; i++) out[i]! += Math.abs(t.x[r * n + i]!) / t.rows;
  return out;
}

/**
 * The network view of every run.
 * @fires bp-unit-select - UnitPick: a unit was clicked
 * @fires bp-fold-toggle - the folded band was clicked
 * @csspart canvas - the canvas
 */
@customElement('bp-network-view')
export class BpNetworkView extends LitElement implements Exportable, Tabular {
  static override styles = css`
    :host {
      display: block;
      contain: inline-size;
      min-width: 0;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
    }
    canvas {
      display: block;
      cursor: pointer;
    }
  `;

  @property({ attribute: false }) runs: readonly RunView[] = [];
  @property({ attribute: false }) inspections: readonly RunInspection[] = [];
  @property() mode: NodeMode = 'activation';
  @property({ type: Boolean }) unfolded = false;
  @property({ attribute: false }) selected: UnitPick | null = null;
  @property({ attribute: false }) highlight: Stage | null = null;
  /** Height of one run's panel, CSS pixels. */
  @property({ type: Number }) panelHeight = 240;

  private readonly theme = new ThemeController(this, () => this.frames.request());
  private readonly palette = viridisTable(PALETTE_SIZE);
  private readonly frames = new FrameController(this, () => this.renderRoot.querySelector('.box'), () => this.draw());
  /** Units drawn, per run id, for clicks. */
  private placed = new Map<string, PlacedUnit[]>();
  /** Band rectangles drawn (x0, y0, x1, y1), for clicks. */
  private bands: [number, number, number, number][] = [];

  exportCanvas(): HTMLCanvasElement | null {
    const canvas = this.renderRoot.querySelector('canvas');
    return canvas && this.inspections.some((i) => i.trace) ? canvasOnWhite(canvas) : null;
  }

  override render(): TemplateResult {
    const h = Math.max(1, this.inspections.length) * this.panelHeight;
    return html`<div class="box" role="img" aria-label=${this.summary()} style="height: ${h}px"><canvas part="canvas" @click=${this.onClick}></canvas></div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.size) this.frames.request();
  }

  /** The units drawn for run `id` and where (CSS pixels), for tests and keyboard help. */
  placedUnits(id: string): readonly PlacedUnit[] {
    return this.placed.get(id) ?? [];
  }

  /** Per run: per layer, units, mean |a|, saturated share, rms ∂L/∂z and ‖∂L/∂W‖ of the traced step. */
  tables(): ChartTable[] {
    return this.inspections.flatMap((ins) => {
      const run = this.runs.find((r) => r.id === ins.id);
      if (!ins.trace || !ins.model || !ins.stats) return [];
      const t = ins.trace;
      return [{
        caption: `${run?.label ?? ins.id}, step ${ins.step}, on ${ins.batch}: per layer`,
        columns: ['layer', 'units', 'mean |a|', 'saturated/dead share', 'rms ∂L/∂z', '‖∂L/∂W‖', 'largest |∂L/∂w|'],
        rows: t.layers.map((layer, l) => [
          layerName(l + 1, ins.model!.sizes.length),
          ins.model!.sizes[l + 1]!,
          mean(ins.stats!.meanAbs[l]!),
          mean(ins.stats!.saturated[l]!),
          rms(layer.dZ),
          norm2(layer.dW),
          layer.dW.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
        ]),
      }];
    });
  }

  summary(): string {
    const parts = this.inspections.map((ins) => {
      const run = this.runs.find((r) => r.id === ins.id);
      if (!ins.trace) return `${run?.label ?? ins.id}: ${ins.reason ?? 'not read yet'}`;
      const g = ins.trace.layers.map((l) => norm2(l.dW));
      return `${run?.label ?? ins.id} at step ${ins.step}: ${g.length} weight layers, ‖∂L/∂W‖ ${formatCell(g[0]!)} at layer 1 and ${formatCell(g[g.length - 1]!)} at the output`;
    });
    return parts.length ? `Network view. ${parts.join('; ')}.` : 'Network view: waiting for the first parameter read-back.';
  }

  private columnsOf(ins: RunInspection): Column[] {
    return ins.model ? networkColumns(ins.model.sizes, this.unfolded) : [];
  }

  private draw(): void {
    this.dispatchEvent(new Event('bp-chart-drawn', { bubbles: true, composed: true }));
    const canvas = this.renderRoot.querySelector('canvas');
    const width = this.frames.width;
    if (!canvas || width <= 0) return;
    const height = Math.max(1, this.inspections.length) * this.panelHeight;
    const ctx = scaledContext(canvas, width, height, 'both');
    ctx.clearRect(0, 0, width, height);
    const theme = this.theme.value;
    this.placed = new Map();
    this.bands = [];
    const values: number[] = [];
    for (const ins of this.inspections) this.edgeValues(ins, values);
    const range = logRange(values);
    ctx.textBaseline = 'middle';
    if (this.inspections.length === 0) {
      ctx.font = chartFont(theme, 12);
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'center';
      ctx.fillText('Waiting for the first parameter read-back…', width / 2, this.panelHeight / 2);
      ctx.textAlign = 'left';
      return;
    }
    this.inspections.forEach((ins, i) => this.drawPanel(ctx, ins, i * this.panelHeight, width, range));
    this.drawLegend(ctx, width, height, range, values.some((v) => !Number.isFinite(v)));
  }

  /** |∂L/∂w| of every drawn edge of a run, appended to `out`. */
  private edgeValues(ins: RunInspection, out: number[]): void {
    if (!ins.trace || !ins.model) return;
    const cols = this.columnsOf(ins);
    for (let c = 0; c + 1 < cols.length; c++) {
      const a = cols[c]!;
      const b = cols[c + 1]!;
      if (a.kind !== 'layer' || b.kind !== 'layer') continue;
      const dW = ins.trace.layers[a.layer]!.dW;
      const m = ins.model.sizes[b.layer]!;
      for (const i of a.units) for (const j of b.units) out.push(Math.abs(dW[i * m + j]!));
    }
  }

  private edgeColor(v: number, range: LogRange): string {
    const k = paletteIndex(v, range.lo, range.hi, PALETTE_SIZE);
    if (k === ZERO_INDEX) return ZERO_COLOR;
    if (k === NAN_INDEX) return NAN_COLOR;
    return `rgb(${this.palette[3 * k]} ${this.palette[3 * k + 1]} ${this.palette[3 * k + 2]})`;
  }

  private drawPanel(ctx: CanvasRenderingContext2D, ins: RunInspection, y0: number, width: number, range: LogRange): void {
    const theme = this.theme.value;
    const run = this.runs.find((r) => r.id === ins.id);
    ctx.font = chartFont(theme, 13, '600 ');
    ctx.fillStyle = run?.color ?? theme.ink;
    ctx.textAlign = 'left';
    const head = `${run?.label ?? ins.id}${ins.trace ? ` · step ${ins.step}` : ''}`;
    ctx.fillText(head, 8, y0 + 12);
    if (!ins.trace || !ins.model || !ins.stats) {
      ctx.font = chartFont(theme, 12);
      ctx.fillStyle = theme.muted;
      ctx.fillText(ins.reason ?? 'waiting for parameters…', 8, y0 + this.panelHeight / 2);
      return;
    }
    const model = ins.model;
    const cols = this.columnsOf(ins);
    const top = y0 + M.top;
    const bottom = y0 + this.panelHeight - M.bottom;
    const { x, units } = placeColumns(cols, M.left, Math.max(M.left + 1, width - M.right - 20), top, bottom);
    this.placed.set(ins.id, units);
    const byLayer = new Map<number, PlacedUnit[]>();
    for (const u of units) byLayer.set(u.layer, [...(byLayer.get(u.layer) ?? []), u]);
    const slot = Math.min(...cols.map((c) => (c.kind === 'layer' ? (bottom - top) / (c.units.length + (c.more ? 1 : 0)) : Infinity)));
    const radius = Math.max(2.5, Math.min(7, slot / 2 - 1));
    this.drawHighlight(ctx, cols, x, top, bottom, radius);
    // Edges.
    for (let c = 0; c + 1 < cols.length; c++) {
      const a = cols[c]!;
      const b = cols[c + 1]!;
      if (a.kind === 'layer' && b.kind === 'layer') {
        const dW = ins.trace.layers[a.layer]!.dW;
        const m = model.sizes[b.layer]!;
        for (const ua of byLayer.get(a.layer) ?? []) {
          for (const ub of byLayer.get(b.layer) ?? []) {
            const v = Math.abs(dW[ua.unit * m + ub.unit]!);
            const t = Number.isFinite(v) && v > 0 ? logPosition(v, range.lo, range.hi) : 0;
            ctx.strokeStyle = this.edgeColor(v, range);
            ctx.lineWidth = 0.4 + 2.4 * t;
            ctx.globalAlpha = 0.35 + 0.65 * t;
            ctx.beginPath();
            ctx.moveTo(ua.x, ua.y);
            ctx.lineTo(ub.x, ub.y);
            ctx.stroke();
          }
        }
        ctx.globalAlpha = 1;
      } else {
        ctx.strokeStyle = theme.muted;
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x[c]!, (top + bottom) / 2);
        ctx.lineTo(x[c + 1]!, (top + bottom) / 2);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    // Bands and nodes.
    let unitMax = 1e-300;
    for (const v of ins.stats.meanAbs) for (const a of v) if (Number.isFinite(a) && a > unitMax) unitMax = a;
    ctx.font = chartFont(theme, 11);
    cols.forEach((c, i) => {
      if (c.kind === 'band') {
        const w = Math.min(70, (x[1]! - x[0]!) * 0.9);
        const rect: [number, number, number, number] = [x[i]! - w / 2, top, x[i]! + w / 2, bottom];
        this.bands.push(rect);
        ctx.fillStyle = theme.grid;
        ctx.strokeStyle = theme.muted;
        ctx.fillRect(rect[0], rect[1], w, bottom - top);
        ctx.strokeRect(rect[0] + 0.5, rect[1] + 0.5, w - 1, bottom - top - 1);
        const g = ins.trace!.layers.slice(c.from - 1, c.to).map((l) => norm2(l.dW));
        ctx.fillStyle = theme.ink;
        ctx.textAlign = 'center';
        const lines = [`hidden ${c.from}–${c.to}`, `(${c.to - c.from + 1} layers)`, '‖∂L/∂W‖', formatCell(Math.min(...g)), '…', formatCell(Math.max(...g)), 'click: unfold'];
        lines.forEach((s, k) => ctx.fillText(s, x[i]!, top + 14 + k * 14));
        return;
      }
      const vals = this.mode === 'saturation' ? (c.layer > 0 ? ins.stats!.saturated[c.layer - 1]! : null) : nodeValues(ins, c.layer);
      // Inputs against the largest input; units against the largest unit of the run.
      const max = c.layer === 0 && vals ? Math.max(1e-300, ...vals) : unitMax;
      for (const u of byLayer.get(c.layer) ?? []) {
        const v = vals ? vals[u.unit]! / (this.mode === 'saturation' ? 1 : max) : 0;
        ctx.fillStyle = this.mode === 'saturation' ? `rgba(213, 94, 0, ${v.toFixed(3)})` : `rgba(31, 35, 40, ${(0.9 * v).toFixed(3)})`;
        ctx.beginPath();
        ctx.arc(u.x, u.y, radius, 0, 2 * Math.PI);
        ctx.save();
        ctx.fillStyle = '#ffffff';
        ctx.fill();
        ctx.restore();
        ctx.fill();
        const sel = this.selected;
        const picked = sel && sel.id === ins.id && sel.layer === u.layer && sel.unit === u.unit;
        ctx.strokeStyle = picked ? (run?.color ?? theme.ink) : theme.muted;
        ctx.lineWidth = picked ? 3 : 1;
        ctx.stroke();
      }
      ctx.fillStyle = theme.ink;
      ctx.textAlign = 'center';
      ctx.fillText(layerName(c.layer, model.sizes.length).replace('hidden ', 'h'), x[i]!, bottom + 10);
      if (c.more > 0) ctx.fillText(`+${c.more} more`, x[i]!, bottom - 6);
    });
    ctx.textAlign = 'left';
    if (!ins.exact) {
      ctx.font = chartFont(theme, 11);
      ctx.fillStyle = theme.muted;
      ctx.fillText(`on ${ins.trace.rows} rows (see the notes)`, Math.max(8, width - M.right - 210), y0 + 12);
    }
  }

  /** Node layers (`a`, `z`, `dZ`, `x`, `y`, loss) and weight spans (`W`, `b`, `dW`, `dB`) of the highlighted stage. */
  private drawHighlight(ctx: CanvasRenderingContext2D, cols: readonly Column[], x: readonly number[], top: number, bottom: number, radius: number): void {
    const stage = this.highlight;
    if (!stage) return;
    const colOf = (layer: number) => cols.findIndex((c) => c.kind === 'layer' && c.layer === layer);
    const last = cols.length - 1;
    /** Per place (node column "n<c>" or weight span "s<c>"): the names read and written there. */
    const places = new Map<string, { x: number; reads: string[]; writes: string[] }>();
    const add = (refs: readonly TensorRef[], key: 'reads' | 'writes', fill: string) => {
      ctx.fillStyle = fill;
      for (const r of refs) {
        const node = !['W', 'b', 'dW', 'dB'].includes(r.what);
        const c = r.what === 'y' || r.what === 'loss' ? last : colOf(r.layer);
        if (c < 0 || (!node && c >= last)) continue;
        const id = `${node ? 'n' : 's'}${c}`;
        const place = places.get(id) ?? { x: node ? x[c]! : (x[c]! + x[c + 1]!) / 2, reads: [], writes: [] };
        places.set(id, place);
        place[key].push(TENSOR_NAMES[r.what]);
        if (node) ctx.fillRect(x[c]! - radius - 5, top - 4, 2 * radius + 10, bottom - top + 8);
        else ctx.fillRect(x[c]! + radius + 2, top - 4, x[c + 1]! - x[c]! - 2 * radius - 4, bottom - top + 8);
      }
    };
    add(stage.reads, 'reads', READ_COLOR);
    add(stage.writes, 'writes', WRITE_COLOR);
    ctx.font = chartFont(this.theme.value, 11, '600 ');
    ctx.textAlign = 'center';
    for (const p of places.values()) {
      if (p.reads.length) {
        ctx.fillStyle = '#005a8c';
        ctx.fillText(`reads ${[...new Set(p.reads)].join(' ')}`, p.x, bottom + 22);
      }
      if (p.writes.length) {
        ctx.fillStyle = '#8a5a00';
        ctx.fillText(`writes ${[...new Set(p.writes)].join(' ')}`, p.x, bottom + (p.reads.length ? 34 : 22));
      }
    }
    ctx.textAlign = 'left';
  }

  private drawLegend(ctx: CanvasRenderingContext2D, width: number, height: number, range: LogRange, hasNaN: boolean): void {
    const theme = this.theme.value;
    const x = width - M.right + 14;
    const barW = 14;
    const barH = Math.max(40, Math.min(height, 220) - M.top - 60);
    const y = M.top;
    const grad = ctx.createLinearGradient(0, y + barH, 0, y);
    for (let i = 0; i <= 16; i++) {
      const k = Math.min(PALETTE_SIZE - 1, Math.round((i / 16) * (PALETTE_SIZE - 1)));
      grad.addColorStop(i / 16, `rgb(${this.palette[3 * k]} ${this.palette[3 * k + 1]} ${this.palette[3 * k + 2]})`);
    }
    ctx.font = chartFont(theme, 11);
    ctx.fillStyle = theme.ink;
    ctx.textAlign = 'left';
    ctx.fillText('|∂L/∂w|', x - 4, y - 10);
    ctx.fillStyle = grad;
    ctx.fillRect(x, y, barW, barH);
    ctx.fillStyle = theme.ink;
    ctx.strokeStyle = theme.ink;
    for (const t of decadeTicks(range.lo, range.hi, Math.max(2, Math.floor(barH / 16)))) {
      const ty = y + barH - t.position * barH;
      ctx.beginPath();
      ctx.moveTo(x + barW, ty + 0.5);
      ctx.lineTo(x + barW + 4, ty + 0.5);
      ctx.stroke();
      ctx.fillText(formatDecade(t.exponent), x + barW + 7, ty);
    }
    const swatch = (sy: number, color: string, label: string) => {
      ctx.fillStyle = color;
      ctx.fillRect(x, sy, barW, 12);
      ctx.fillStyle = theme.ink;
      ctx.fillText(label, x + barW + 7, sy + 6);
    };
    swatch(y + barH + 6, ZERO_COLOR, '0');
    if (hasNaN) swatch(y + barH + 22, NAN_COLOR, 'NaN/∞');
    const lines = this.mode === 'saturation' ? ['units:', 'saturated', 'or dead share'] : ['units:', 'mean |a|', '(darker =', 'larger)'];
    lines.forEach((line, i) => ctx.fillText(line, x - 4, y + barH + (hasNaN ? 44 : 28) + 14 * i));
  }

  private onClick(e: MouseEvent): void {
    const px = e.offsetX;
    const py = e.offsetY;
    if (this.bands.some(([x0, y0, x1, y1]) => px >= x0 && px <= x1 && py >= y0 && py <= y1)) {
      this.dispatchEvent(new CustomEvent('bp-fold-toggle', { bubbles: true, composed: true }));
      return;
    }
    const panel = Math.floor(py / this.panelHeight);
    const ins = this.inspections[panel];
    if (!ins) return;
    const hit = hitUnit(this.placed.get(ins.id) ?? [], px, py, 10);
    if (hit) this.dispatchEvent(new CustomEvent<UnitPick>('bp-unit-select', { detail: { id: ins.id, layer: hit.layer, unit: hit.unit }, bubbles: true, composed: true }));
  }
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : 0;
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-network-view': BpNetworkView;
  }
  interface HTMLElementEventMap {
    'bp-unit-select': CustomEvent<UnitPick>;
  }
}
