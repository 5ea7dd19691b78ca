/** The benchmark results as a table: one row per point and backend, with the agreement beside the speed. */
import { css, html, LitElement, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BenchPoint, SkippedPoint } from '../../bench/report.js';
import { FONT_FAMILY, INK, MUTED } from '../charts/chart-theme.js';
import { formatRate } from '../charts/bp-throughput.js';

/** A duration in ms with 3 significant digits. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}

/** A max |Δ| in exponent form ("3.8e-6"), "0" for exact agreement, "NaN" when a side is NaN. */
export function formatDiff(d: number | undefined): string {
  if (d === undefined) return '—';
  if (Number.isNaN(d)) return 'NaN';
  return d === 0 ? '0' : d.toExponential(1);
}

/**
 * Results table.
 * @csspart table - the table
 */
@customElement('bp-bench-table')
export class BpBenchTable extends LitElement {
  static override styles = css`
    :host {
      display: block;
      overflow-x: auto;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK)};
      font-size: 13px;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      padding: 3px 8px;
      border-bottom: 1px solid #e3e6ea;
      text-align: right;
      white-space: nowrap;
    }
    th:nth-child(-n + 3),
    td:nth-child(-n + 3) {
      text-align: left;
    }
    td:nth-child(3) {
      white-space: normal;
      min-width: 12em;
    }
    th {
      font-weight: 600;
      color: ${unsafeCSS(MUTED)};
    }
    .skipped {
      color: ${unsafeCSS(MUTED)};
      margin-top: 6px;
    }
  `;

  @property({ attribute: false }) points: readonly BenchPoint[] = [];
  @property({ attribute: false }) skipped: readonly SkippedPoint[] = [];

  override render(): TemplateResult {
    return html`<table part="table">
        <thead>
          <tr>
            <th>suite</th><th>point</th><th>backend</th><th>median ms</th><th>min ms</th><th>max ms</th><th>warm-up ms</th>
            <th>GFLOP/s</th><th>samples/s</th><th>steps/s</th><th title="max |Δ| of the result against the other backend">max |Δ|</th>
          </tr>
        </thead>
        <tbody>
          ${this.points.map(
            (p) => html`<tr data-backend-kind=${p.backendKind} data-suite=${p.suite}>
              <td>${p.suite}</td><td>${p.label}</td><td>${p.backend}</td>
              <td>${formatMs(p.medianMs)}</td><td>${formatMs(p.minMs)}</td><td>${formatMs(p.maxMs)}</td><td>${formatMs(p.warmupMs)}</td>
              <td>${formatRate(p.gflops)}</td><td>${formatRate(p.samplesPerSecond)}</td>
              <td>${p.suite === 'matmul' ? '—' : formatRate(p.stepsPerSecond)}</td>
              <td class="agreement" title=${p.agreement ? `against ${p.agreement.against}; max |value| ${p.agreement.maxAbsValue.toExponential(2)}` : ''}>
                ${formatDiff(p.agreement?.maxAbsDiff)}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.skipped.length > 0
        ? html`<div class="skipped">Skipped: ${this.skipped.map((s) => `${s.key} on ${s.backend} (${s.reason})`).join('; ')}</div>`
        : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-bench-table': BpBenchTable;
  }
}
