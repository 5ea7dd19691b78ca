/** Confusion matrix of each run on the training data (classification only): rows are true classes. */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunState } from './run-state.js';

/**
 * One small table per run.
 */
@customElement('bp-confusion')
export class BpConfusion extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      gap: 18px;
      flex-wrap: wrap;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      font-size: 12.5px;
    }
    table {
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    caption {
      font-weight: 600;
      text-align: left;
      padding-bottom: 2px;
    }
    th,
    td {
      border: 1px solid var(--bp-border, #d8dde3);
      padding: 2px 6px;
      text-align: right;
    }
    th {
      background: var(--bp-button-bg, #f3f4f6);
      font-weight: 500;
    }
    td.hit {
      font-weight: 700;
    }
  `;

  @property({ attribute: false }) runs: readonly RunState[] = [];
  /** Class names, index = class. */
  @property({ attribute: false }) classes: readonly string[] = [];
  @property() version = '';

  override render(): TemplateResult {
    return html`${this.runs.map((r) => {
      const m = r.confusion;
      if (!m) return nothing;
      const name = (i: number) => this.classes[i] ?? String(i);
      return html`<table>
        <caption style="color:${r.color}">${r.label}</caption>
        <tr>
          <th>true ↓ / predicted →</th>
          ${m.map((_, j) => html`<th scope="col">${name(j)}</th>`)}
        </tr>
        ${m.map(
          (row, i) => html`<tr>
            <th scope="row">${name(i)}</th>
            ${row.map((v, j) => html`<td class=${i === j ? 'hit' : ''} style=${`background: rgba(0,114,178,${(v / Math.max(1, ...row)) * 0.35})`}>${v}</td>`)}
          </tr>`,
        )}
      </table>`;
    })}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-confusion': BpConfusion;
  }
}
