/** A small readout of training speed on the current backend: steps/s, samples/s and GFLOP/s. */
import { css, html, LitElement, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';

/** A rate with 3 significant digits and a k/M suffix; "—" when unknown. */
export function formatRate(v: number | null): string {
  if (v === null || !Number.isFinite(v) || v < 0) return '—';
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (v >= 100) return String(Math.round(v));
  return v.toPrecision(3);
}

/**
 * Steps/s, samples/s and GFLOP/s of the backend that trains.
 * @csspart stat - one figure with its unit
 */
@customElement('bp-throughput')
export class BpThroughput extends LitElement {
  static override styles = css`
    :host {
      display: block;
      contain: inline-size;
      min-width: 0;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0 20px;
      min-height: 32px;
      white-space: nowrap;
    }
    .stat {
      display: inline-flex;
      align-items: baseline;
      gap: 5px;
    }
    .value {
      font-size: 22px;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
      min-width: 4.2ch;
      text-align: right;
    }
    .unit,
    .backend {
      font-size: 13px;
      color: ${unsafeCSS(MUTED_CSS)};
    }
    .backend {
      display: block;
      height: 18px;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
  `;

  /** Training steps per second (null: not measured yet). */
  @property({ type: Number }) stepsPerSecond: number | null = null;
  /** Training samples per second. */
  @property({ type: Number }) samplesPerSecond: number | null = null;
  /** Arithmetic throughput in GFLOP/s (matrix products of forward + backward). */
  @property({ type: Number }) gflops: number | null = null;
  /** Which backend runs, e.g. "WebGPU (NVIDIA …)" or "CPU (f64) — WebGPU adapter is software". */
  @property() backendLabel = '';

  override render(): TemplateResult {
    const stat = (v: number | null, unit: string) =>
      html`<span class="stat" part="stat"><span class="value">${formatRate(v)}</span><span class="unit">${unit}</span></span>`;
    return html`<div class="row">
        ${stat(this.stepsPerSecond, 'steps/s')} ${stat(this.samplesPerSecond, 'samples/s')} ${stat(this.gflops, 'GFLOP/s')}
      </div>
      <span class="backend" title=${this.backendLabel}>${this.backendLabel || '\u00a0'}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-throughput': BpThroughput;
  }
}
