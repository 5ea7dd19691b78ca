/** The settings of one run: activation, init, gain and an optional learning rate of its own. */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { customElement, property } from 'lit/decorators.js';
import { HIDDEN_ACTIVATIONS } from '../core/activations.js';
import type { ControlName } from '../core/lab-spec.js';
import { INITS } from '../core/spec.js';
import type { RunState } from './run-state.js';
import { controlStyles, inputNumber, inputText } from './ui-styles.js';

/** Detail of `bp-run-patch`: run index and raw new values of its fields. */
export interface RunPatch {
  readonly index: number;
  readonly patch: Readonly<Record<string, unknown>>;
}

/**
 * One run's card.
 * @fires bp-run-patch - RunPatch: a setting of this run changed (not yet validated)
 * @fires bp-run-remove - number: remove this run
 */
@customElement('bp-run-controls')
export class BpRunControls extends LitElement {
  static override styles = [
    controlStyles,
  ];

  @property({ attribute: false }) run: RunState | null = null;
  /** Position of the run. */
  @property({ type: Number }) index = 0;
  /** Shared learning rate (placeholder of the run's own). */
  @property({ type: Number }) sharedLr = 0.1;
  @property({ type: Boolean }) removable = false;
  @property({ attribute: false }) hide: readonly ControlName[] = [];
  /** Changes when the run's status changes. */
  @property() version = '';

  private patch(p: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent<RunPatch>('bp-run-patch', { detail: { index: this.index, patch: p }, bubbles: true, composed: true }));
  }

  private shown(n: ControlName): boolean {
    return !this.hide.includes(n);
  }

  override render(): TemplateResult {
    const run = this.run;
    if (!run) return html``;
    const s = run.spec;
    const last = run.records[run.records.length - 1];
    return html`<fieldset style="border-left: 5px solid ${run.color}">
      <legend><span style="color:${run.color}">■</span> Run ${this.index + 1}</legend>
      <div class="grid">
        ${this.shown('activation')
          ? html`<label
              >activation
              <select name="activation" @change=${(e: Event) => this.patch({ activation: inputText(e) })}>
                ${HIDDEN_ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === s.activation}>${a}</option>`)}
              </select></label
            >`
          : nothing}
        ${this.shown('init')
          ? html`<label
              >init
              <select name="init" @change=${(e: Event) => this.patch({ init: inputText(e) })}>
                ${INITS.map((i) => html`<option value=${i} ?selected=${i === s.init}>${i}</option>`)}
              </select></label
            >`
          : nothing}
        ${this.shown('gain')
          ? html`<label
              >gain
              <input type="number" name="gain" step="any" min="0" .value=${live(String(s.gain))} @change=${(e: Event) => this.patch({ gain: inputNumber(e) })}
            /></label>`
          : nothing}
        ${this.shown('runLr')
          ? html`<label
              >own learning rate
              <input
                type="number"
                name="runLr"
                step="any"
                min="0"
                placeholder=${`shared (${this.sharedLr})`}
                .value=${live(s.lr === null ? '' : String(s.lr))}
                @change=${(e: Event) => this.patch({ lr: (e.target as HTMLInputElement).value.trim() === '' ? null : inputNumber(e) })}
            /></label>`
          : nothing}
      </div>
      <div class="row" style="margin-top: 4px; min-height: 30px; align-items: center">
        <span class="muted" role="status" style="flex: 1; font-variant-numeric: tabular-nums">
          ${run.message
            ? html`<strong style="color:#b34700">${run.message}</strong>`
            : last
              ? `loss ${last.loss.toPrecision(3)}${last.accuracy === null ? '' : ` · acc ${(100 * last.accuracy).toFixed(0)}%`}`
              : 'not trained yet'}
        </span>
        ${this.removable && this.shown('runs')
          ? html`<button name="remove" aria-label=${`remove run ${this.index + 1}`} @click=${() => this.dispatchEvent(new CustomEvent<number>('bp-run-remove', { detail: this.index, bubbles: true, composed: true }))}>
              Remove
            </button>`
          : nothing}
      </div>
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-run-controls': BpRunControls;
  }
  interface HTMLElementEventMap {
    'bp-run-patch': CustomEvent<RunPatch>;
    'bp-run-remove': CustomEvent<number>;
  }
}
