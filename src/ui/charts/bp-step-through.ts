/**
 * Step-through of one training step: the stages (forward layer by layer, loss, backward layer by layer, update) as a
 * list, the current stage's equation and its numbers. → next stage, ← previous (while the focus is in the panel),
 * or the buttons. The network view highlights what the current stage reads and writes.
 */
import { css, html, LitElement, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Stage } from '../../core/step-stages.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import { formatCell, type ChartTable } from './chart-table.js';

/** Numbers of a stage shown at most per vector (a longer one is cut with "…"). */
const MAX_SHOWN = 64;

/**
 * The step-through panel.
 * @fires bp-stage - number: the stage index asked for (the parent sets `index`)
 */
@customElement('bp-step-through')
export class BpStepThrough extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
      font-size: calc(13.5px * var(--bp-font-scale, 1));
    }
    .panel:focus-visible {
      outline: 2px solid #0072b2;
      outline-offset: 2px;
    }
    ol {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      list-style: none;
      padding: 0;
      margin: 4px 0;
    }
    li {
      font-size: 12px;
      padding: 1px 6px;
      border-radius: 10px;
      border: 1px solid var(--bp-border, #d8dde3);
    }
    li[aria-current='step'] {
      background: #0072b2;
      border-color: #0072b2;
      color: #fff;
    }
    .nav {
      display: flex;
      gap: 8px;
      align-items: center;
      flex-wrap: wrap;
    }
    button {
      font: inherit;
      font-size: 12.5px;
      border: 1px solid var(--bp-control-border, #c9ced6);
      background: var(--bp-button-bg, #f3f4f6);
      color: inherit;
      border-radius: 5px;
      padding: 2px 8px;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 2px solid #0072b2;
    }
    .eq {
      font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
      font-size: 12.5px;
      overflow-wrap: anywhere;
      margin: 6px 0;
    }
    dl {
      margin: 0;
      display: grid;
      grid-template-columns: max-content minmax(0, 1fr);
      gap: 2px 10px;
      font-variant-numeric: tabular-nums;
    }
    dt {
      font-weight: 600;
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .muted {
      color: ${unsafeCSS(MUTED_CSS)};
    }
  `;

  @property({ attribute: false }) stages: readonly Stage[] = [];
  @property({ type: Number }) index = 0;
  /** A note on the numbers (which rows, which step). */
  @property() note = '';

  private go(i: number): void {
    if (i < 0 || i >= this.stages.length || i === this.index) return;
    this.dispatchEvent(new CustomEvent<number>('bp-stage', { detail: i, bubbles: true, composed: true }));
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowRight') this.go(this.index + 1);
    else if (e.key === 'ArrowLeft') this.go(this.index - 1);
    else return;
    // The page's → steps the training; inside this panel it means the next stage.
    e.preventDefault();
    e.stopPropagation();
  };

  /** Move the focus into the panel (so that ← and → work at once). */
  override focus(): void {
    this.renderRoot.querySelector<HTMLElement>('.panel')?.focus();
  }

  /** The current stage's numbers as a table. */
  tables(): ChartTable[] {
    const st = this.stages[this.index];
    if (!st) return [];
    return [{
      caption: `Step-through, stage ${this.index + 1} of ${this.stages.length}: ${st.title} — ${st.equation}`,
      columns: ['tensor', 'values'],
      rows: st.values.map((v) => [v.label, Array.from(v.values.subarray(0, MAX_SHOWN), formatCell).join(', ') + (v.values.length > MAX_SHOWN ? ', …' : '')]),
    }];
  }

  override render(): TemplateResult {
    const st = this.stages[this.index];
    if (!st) return html`<p class="muted">No stages.</p>`;
    const n = this.stages.length;
    return html`<div class="panel" tabindex="0" role="group" aria-label="Step-through: ← previous stage, → next stage" @keydown=${this.onKey}>
      <div class="nav">
        <button type="button" name="stage-prev" ?disabled=${this.index === 0} @click=${() => this.go(this.index - 1)}>← previous</button>
        <strong aria-live="polite">Stage ${this.index + 1} of ${n}: ${st.title}</strong>
        <button type="button" name="stage-next" ?disabled=${this.index === n - 1} @click=${() => this.go(this.index + 1)}>next →</button>
      </div>
      <ol aria-label="stages">
        ${this.stages.map((s, i) => html`<li aria-current=${i === this.index ? 'step' : 'false'}>${s.kind === 'loss' ? 'loss' : s.kind === 'update' ? 'update' : `${s.kind === 'forward' ? 'fwd' : 'bwd'} ${s.layer + 1}`}</li>`)}
      </ol>
      <p class="eq" data-stage=${`${st.kind}${st.layer}`}>${st.equation}</p>
      <dl>
        ${st.values.map(
          (v) => html`<dt>${v.label}</dt><dd data-label=${v.label} data-values=${Array.from(v.values.subarray(0, MAX_SHOWN)).join(',')}>[${Array.from(v.values.subarray(0, MAX_SHOWN), formatCell).join(', ')}${v.values.length > MAX_SHOWN ? ', …' : ''}]</dd>`,
        )}
      </dl>
      ${this.note ? html`<p class="muted">${this.note}</p>` : ''}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-step-through': BpStepThrough;
  }
}
