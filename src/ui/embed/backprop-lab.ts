/**
 * `<backprop-lab>`: a whole lab as one element, for slides and course pages. Its attributes are the lab's URL keys
 * (`<backprop-lab depth="20" act="sigmoid,relu" init="xavier,he" autoplay="1" theme="projector">`), read once when it
 * first connects. Each element has its own controller; none touches the page's URL; keys act only while the focus
 * is inside it. The entry of the embed bundle (vite.embed.config.ts → dist/embed/backprop-lab.js).
 */
import { html, LitElement, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import '../lab/bp-app.js';
import type { BpApp } from '../lab/bp-app.js';
import { labHook, type LabHook } from '../lab/test-hook.js';
import { attributesToParams } from './embed-params.js';
import { embedStyles } from './embed-styles.js';

/**
 * An embedded Backprop Lab, configured by attributes named as the lab's URL keys.
 * @csspart nothing; size the element itself (default 640 px high, the width of its container)
 */
@customElement('backprop-lab')
export class BackpropLab extends LitElement {
  static override styles = embedStyles;

  private app: BpApp | null = null;

  /** A handle on this lab (wait until ready, step, read records and settings), or null until it has first rendered. */
  get lab(): LabHook | null {
    return this.app?.lab ? labHook(this.app) : null;
  }

  override connectedCallback(): void {
    if (!this.app) {
      const app = document.createElement('bp-app');
      app.params = attributesToParams(this.attributes);
      this.app = app;
    }
    super.connectedCallback();
  }

  override render(): TemplateResult {
    return html`${this.app}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'backprop-lab': BackpropLab;
  }
}
