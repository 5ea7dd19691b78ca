/** Which backend trains: the WebGPU adapter's name, or "CPU" and why the GPU is not used. */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BackendStatus } from './lab-controller.js';

/**
 * The backend badge.
 * @csspart badge - the badge box
 */
@customElement('bp-backend-badge')
export class BpBackendBadge extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      font-size: 13px;
      max-width: 620px;
      min-width: 0;
    }
    .badge {
      display: flex;
      gap: 6px;
      align-items: baseline;
      border-radius: 999px;
      padding: 3px 12px;
      border: 1px solid var(--bp-control-border, #c9ced6);
      background: var(--bp-button-bg, #f3f4f6);
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      max-width: 100%;
      box-sizing: border-box;
    }
    .webgpu {
      background: #e3f1e9;
      border-color: #009e73;
    }
    .kind {
      font-weight: 700;
    }
    .name {
      flex: 0 1 auto;
      min-width: 3em;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .why {
      /* The reason gives way first when space is short. */
      flex: 0 1000 auto;
      min-width: 0;
      color: var(--bp-muted, #57606a);
      overflow: hidden;
      text-overflow: ellipsis;
    }
  `;

  @property({ attribute: false }) status: BackendStatus | null = null;

  override render(): TemplateResult {
    const s = this.status;
    if (!s || s.kind === 'starting') return html`<span class="badge" part="badge" role="status">starting the backend…</span>`;
    const text = s.kind === 'webgpu' ? `WebGPU · ${s.name}` : `CPU · ${s.name}`;
    return html`<span class="badge ${s.kind}" part="badge" role="status" title=${`${text}: ${s.reason}`} data-kind=${s.kind}>
      <span class="kind">${s.kind === 'webgpu' ? 'WebGPU' : 'CPU'}</span>
      <span class="name">${s.kind === 'webgpu' ? s.name : s.name.replace(/^CPU\s*/, '')}</span>
      <span class="why">— ${s.reason}</span>
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-backend-badge': BpBackendBadge;
  }
}
