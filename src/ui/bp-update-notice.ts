/** The notice that a new version of the app is ready: "A new version is available — Reload", or dismiss it for now. */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';

/**
 * A small fixed bar at the foot of the page, shown while a new service worker waits.
 * @fires bp-update-reload - the user asked for the new version (the page reloads once it takes over)
 * @fires bp-update-dismiss - the user closed the notice (the new version waits for the next visit)
 */
@customElement('bp-update-notice')
export class BpUpdateNotice extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      left: 50%;
      bottom: 12px;
      transform: translateX(-50%);
      z-index: 1000;
      max-width: calc(100vw - 24px);
      box-sizing: border-box;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      font-size: 14px;
    }
    div {
      display: flex;
      gap: 10px;
      align-items: center;
      border-radius: 6px;
      padding: 6px 10px;
      border: 1px solid #0072b2;
      background: #eaf3fa;
      color: #1f2328;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.18);
    }
    button {
      font: inherit;
      cursor: pointer;
    }
    button.reload {
      color: #ffffff;
      background: #0b5cad;
      border: 1px solid #0b5cad;
      border-radius: 4px;
      padding: 2px 10px;
    }
    button.dismiss {
      color: inherit;
      border: 0;
      background: none;
      font-size: 16px;
      line-height: 1;
      padding: 0 4px;
    }
    :focus-visible {
      outline: 3px solid #e69f00;
    }
  `;

  override render(): TemplateResult {
    return html`<div role="status" aria-live="polite">
      <span>A new version is available —</span>
      <button class="reload" name="reload" @click=${() => this.fire('bp-update-reload')}>Reload</button>
      <button class="dismiss" name="dismiss" aria-label="dismiss" @click=${() => this.fire('bp-update-dismiss')}>×</button>
    </div>`;
  }

  private fire(type: 'bp-update-reload' | 'bp-update-dismiss'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-update-notice': BpUpdateNotice;
  }
  interface HTMLElementEventMap {
    'bp-update-reload': CustomEvent<void>;
    'bp-update-dismiss': CustomEvent<void>;
  }
}
