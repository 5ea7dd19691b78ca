/** A glossary term in running text: underlined, its definition shown on hover and keyboard focus, a link to the glossary. */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { glossaryEntry } from './glossary.js';

/**
 * A linked glossary term; the slotted text is what the reader sees (defaults to the entry's term).
 * @csspart link - the term's link
 * @csspart tip - the definition popup
 */
@customElement('bp-term')
export class BpTerm extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: inline;
    }
    a {
      color: inherit;
      text-decoration: underline dotted 2px;
      text-underline-offset: 3px;
      text-decoration-color: var(--lesson-accent, #0072b2);
    }
    a:focus-visible {
      outline: 3px solid #e69f00;
      outline-offset: 1px;
    }
    .tip {
      display: none;
      position: absolute;
      left: 0;
      top: calc(100% + 4px);
      z-index: 20;
      width: min(24em, 80vw);
      padding: 8px 10px;
      border-radius: 6px;
      background: var(--lesson-tip-bg, #1f2328);
      color: var(--lesson-tip-ink, #fff);
      font-size: 0.85em;
      font-weight: 400;
      line-height: 1.4;
      white-space: normal;
      box-shadow: 0 3px 10px rgba(0, 0, 0, 0.25);
    }
    .tip b {
      display: block;
    }
    :host(:hover) .tip,
    :host(:focus-within) .tip {
      display: block;
    }
  `;

  /** Glossary id of the term. */
  @property() term = '';

  override render(): TemplateResult {
    const entry = glossaryEntry(this.term);
    if (!entry) return html`<slot></slot>`;
    return html`<a part="link" href=${`#/8/${entry.id}`} aria-describedby="tip"><slot>${entry.term}</slot></a
      ><span class="tip" id="tip" role="tooltip" part="tip"><b>${entry.term}</b>${entry.definition}</span>`;
  }
}

/** A linked glossary term in a lit template: `${term('gradient', 'gradients')}`. */
export function term(id: string, text?: string): TemplateResult {
  return html`<bp-term term=${id}>${text ?? glossaryEntry(id)?.term ?? id}</bp-term>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-term': BpTerm;
  }
}
