/** Messages to the user (reset runs, bad URL values, divergence, device loss), each dismissable. */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Notice } from './lab/lab-controller.js';

/**
 * The list of notices.
 * @fires bp-notice-dismiss - number: id of the notice to remove
 */
@customElement('bp-notice')
export class BpNotice extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      font-size: 13px;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    li {
      display: flex;
      gap: 8px;
      align-items: flex-start;
      border-radius: 6px;
      padding: 5px 8px;
      border: 1px solid #0072b2;
      background: #eaf3fa;
      /* Dark text on the light tints, in every theme. */
      color: #1f2328;
    }
    li.warning {
      border-color: #e69f00;
      background: #fff6e0;
    }
    li.error {
      border-color: #d55e00;
      background: #fdece3;
    }
    .text {
      flex: 1;
    }
    .details {
      margin: 2px 0 0 1em;
      padding: 0;
      list-style: disc;
      display: block;
    }
    .details li {
      display: list-item;
      border: 0;
      background: none;
      padding: 0;
    }
    button {
      font: inherit;
      color: inherit;
      border: 0;
      background: none;
      cursor: pointer;
      font-size: 16px;
      line-height: 1;
      padding: 0 4px;
    }
    :focus-visible {
      outline: 3px solid #e69f00;
    }
  `;

  @property({ attribute: false }) notices: readonly Notice[] = [];

  override render(): TemplateResult {
    return html`<div role="status" aria-live="polite"><ul>
      ${this.notices.map(
        (n) => html`<li class=${n.kind} data-kind=${n.kind}>
          <div class="text">
            ${n.text}
            ${n.details.length ? html`<ul class="details">${n.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
          </div>
          <button aria-label="dismiss" @click=${() => this.dispatchEvent(new CustomEvent<number>('bp-notice-dismiss', { detail: n.id, bubbles: true, composed: true }))}>×</button>
        </li>`,
      )}
    </ul></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-notice': BpNotice;
  }
  interface HTMLElementEventMap {
    'bp-notice-dismiss': CustomEvent<number>;
  }
}
