/** Play, pause, single step, reset, new weights, speed and the stop condition. */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { customElement, property } from 'lit/decorators.js';
import type { ControlName, LabSpec } from '../../core/lab-spec.js';
import { formatStop } from '../../core/url-codec.js';
import { controlStyles, inputNumber, inputText } from '../ui-styles.js';
import type { LabPatch } from './bp-controls.js';

/** What a transport button asks for. */
export type LabAction = 'play' | 'pause' | 'step' | 'reset' | 'new-weights';

/** Steps-per-frame choices. */
/** Speeds offered: 0 = as fast as possible; N = slow motion, N steps per second. */
const SPEEDS = [0, 1, 2, 5, 10, 20, 50, 100] as const;

/** A speed as the menu names it. */
function speedName(s: number): string {
  return s === 0 ? 'fastest' : `${s} steps/s`;
}

/**
 * The training transport.
 * @fires bp-action - LabAction: a button was pressed
 * @fires bp-lab-patch - LabPatch: speed or stop condition changed
 */
@customElement('bp-transport')
export class BpTransport extends LitElement {
  static override styles = [controlStyles, css`
    .row button {
      padding: 3px 8px;
    }
  `];

  @property({ attribute: false }) lab: LabSpec | null = null;
  @property({ type: Boolean }) playing = false;
  /** Whether the lab can train: its networks are built (within the memory budget) and some run is active. */
  @property({ type: Boolean }) canTrain = true;
  /** Global step count shown next to the buttons. */
  @property({ type: Number }) step = 0;
  @property({ attribute: false }) hide: readonly ControlName[] = [];

  private act(a: LabAction): void {
    this.dispatchEvent(new CustomEvent<LabAction>('bp-action', { detail: a, bubbles: true, composed: true }));
  }

  private patch(p: LabPatch): void {
    this.dispatchEvent(new CustomEvent<LabPatch>('bp-lab-patch', { detail: p, bubbles: true, composed: true }));
  }

  private shown(n: ControlName): boolean {
    return !this.hide.includes(n);
  }

  private stopKind(e: Event): void {
    const kind = inputText(e);
    const stop = kind === 'epochs' ? { kind, value: 1000 } : kind === 'loss' ? { kind, value: 0.05 } : { kind: 'none' };
    this.patch({ stop });
  }

  override render(): TemplateResult {
    const lab = this.lab;
    if (!lab) return html``;
    const stop = lab.stop;
    return html`<fieldset>
      <legend>Training <span class="muted" style="font-weight: 400; font-variant-numeric: tabular-nums">· step ${this.step}</span></legend>
      <div class="row">
        ${this.shown('play')
          ? html`<button
              class="primary"
              name="play"
              style="min-width: 64px"
              aria-keyshortcuts="Space"
              ?disabled=${!this.playing && !this.canTrain}
              @click=${() => this.act(this.playing ? 'pause' : 'play')}
            >
              ${this.playing ? 'Pause' : 'Play'}
            </button>`
          : nothing}
        ${this.shown('step') ? html`<button name="step" aria-keyshortcuts="ArrowRight" title="one step (→)" ?disabled=${this.playing || !this.canTrain} @click=${() => this.act('step')}>Step</button>` : nothing}
        ${this.shown('reset') ? html`<button name="reset" title="back to the same initial weights" @click=${() => this.act('reset')}>Reset</button>` : nothing}
        ${this.shown('weights') ? html`<button name="new-weights" title="draw a new weights seed" @click=${() => this.act('new-weights')}>New weights</button>` : nothing}
      </div>
      <div class="grid" style="margin-top: 6px">
        ${this.shown('speed')
          ? html`<label
              >speed
              <select name="speed" title="fastest, or slow motion at so many steps per second" @change=${(e: Event) => this.patch({ speed: Number(inputText(e)) })}>
                ${[...new Set([...SPEEDS, lab.speed])].sort((a, b) => a - b).map((s) => html`<option value=${s} ?selected=${s === lab.speed}>${speedName(s)}</option>`)}
              </select></label
            >`
          : nothing}
        ${this.shown('stop')
          ? html`<label
              >stop
              <span class="row" style="flex-wrap: nowrap">
                <select name="stop-kind" title=${formatStop(stop)} @change=${(e: Event) => this.stopKind(e)}>
                  <option value="none" ?selected=${stop.kind === 'none'}>never</option>
                  <option value="epochs" ?selected=${stop.kind === 'epochs'}>after epochs</option>
                  <option value="loss" ?selected=${stop.kind === 'loss'}>at loss</option>
                </select>
                ${stop.kind === 'none'
                  ? nothing
                  : html`<input
                      type="number"
                      name="stop-value"
                      aria-label=${stop.kind === 'epochs' ? 'epochs' : 'target loss'}
                      style="width: 5.5em"
                      .value=${live(String(stop.value))}
                      step="any"
                      min="0"
                      @change=${(e: Event) => this.patch({ stop: { kind: stop.kind, value: inputNumber(e) } })}
                    />`}
              </span></label
            >`
          : nothing}
      </div>
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-transport': BpTransport;
  }
  interface HTMLElementEventMap {
    'bp-action': CustomEvent<LabAction>;
  }
}
