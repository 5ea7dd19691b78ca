/**
 * The settings of one run: activation (and under "per layer" a form that sets a range of layers to one
 * activation), init, gain and an optional learning rate of its own, and under a
 * "mitigations" disclosure the standard answers to the vanishing gradient (optimizer, clipping, bias std,
 * residual connections, normalisation).
 */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { customElement, property, state } from 'lit/decorators.js';
import { HIDDEN_ACTIVATIONS } from '../../core/activations.js';
import { formatActivationList } from '../../core/spec.js';
import { hypersOf, mitigationLabel, type ControlName, type OptimizerHyper, type RunSpec } from '../../core/lab-spec.js';
import { INITS, NORMS, OPTIMIZERS, OPTIMIZER_DEFAULTS, type OptimizerName } from '../../core/spec.js';
import { layerRangeIssue, setLayerRange } from './layer-range.js';
import type { RunState } from './run-state.js';
import { controlStyles, inputNumber, inputText } from '../ui-styles.js';
import './bp-lr-schedule.js';

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
    css`
      details {
        margin-top: 6px;
      }
      summary {
        cursor: pointer;
        font-size: 12px;
        color: var(--bp-muted, #57606a);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      summary strong {
        color: var(--bp-ink, #1f2328);
        font-weight: 600;
      }
      details .grid {
        margin-top: 4px;
      }
      fieldset {
        /* A fieldset is min-content wide by default: a long one-line summary would push the card past its column. */
        min-width: 0;
      }
    `,
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
  /** Number of hidden layers of the lab (for the per-layer activation control; 0: unknown, the control is left out). */
  @property({ type: Number }) depth = 0;
  /** What is wrong with the layer range typed into the per-layer control, or null. */
  @state() private rangeError: string | null = null;

  private patch(p: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent<RunPatch>('bp-run-patch', { detail: { index: this.index, patch: p }, bubbles: true, composed: true }));
  }

  private shown(n: ControlName): boolean {
    return !this.hide.includes(n);
  }

  /** The optional number of a text field: undefined when left empty (the default), else the number or the raw text. */
  private optionalNumber(e: Event): number | string | undefined {
    return (e.target as HTMLInputElement).value.trim() === '' ? undefined : inputNumber(e);
  }

  private renderMitigations(s: RunSpec): TemplateResult {
    const kind: OptimizerName = s.optimizer ?? 'sgd';
    const summary = mitigationLabel(s);
    const hyperLabels: Record<OptimizerHyper, string> = { momentum: 'momentum μ', beta1: 'β₁', beta2: 'β₂', decay: 'decay ρ' };
    const clipKind = s.clip?.kind ?? 'none';
    const clearHypers = { momentum: undefined, beta1: undefined, beta2: undefined, decay: undefined };
    return html`<details>
      <summary>mitigations: ${summary ? html`<strong>${summary}</strong>` : 'none (plain SGD)'}</summary>
      <div class="grid">
        <label
          >optimizer
          <select name="optimizer" @change=${(e: Event) => this.patch({ ...clearHypers, optimizer: inputText(e) })}>
            ${OPTIMIZERS.map((o) => html`<option value=${o} ?selected=${o === kind}>${o}</option>`)}
          </select></label
        >
        ${hypersOf(kind).map(
          (h) => html`<label
            >${hyperLabels[h]}
            <input
              type="number"
              name=${h}
              step="any"
              min="0"
              max="0.9999"
              placeholder=${String(OPTIMIZER_DEFAULTS[h])}
              .value=${live(s[h] === undefined ? '' : String(s[h]))}
              @change=${(e: Event) => this.patch({ [h]: this.optionalNumber(e) })}
          /></label>`,
        )}
        <label
          >gradient clipping
          <select
            name="clip"
            @change=${(e: Event) => {
              const k = inputText(e);
              this.patch({ clip: k === 'none' ? null : { kind: k, max: s.clip?.max ?? 1 } });
            }}
          >
            <option value="none" ?selected=${clipKind === 'none'}>none</option>
            <option value="norm" ?selected=${clipKind === 'norm'}>by global norm</option>
            <option value="value" ?selected=${clipKind === 'value'}>by value</option>
          </select></label
        >
        <label
          >clip max
          <input
            type="number"
            name="clipMax"
            step="any"
            min="0"
            ?disabled=${!s.clip}
            .value=${live(s.clip ? String(s.clip.max) : '')}
            placeholder="—"
            @change=${(e: Event) => s.clip && this.patch({ clip: { kind: s.clip.kind, max: inputNumber(e) } })}
        /></label>
        <label
          >bias std σ_b
          <input
            type="number"
            name="biasStd"
            step="any"
            min="0"
            placeholder="0"
            .value=${live(s.biasStd === undefined ? '' : String(s.biasStd))}
            @change=${(e: Event) => this.patch({ biasStd: this.optionalNumber(e) })}
        /></label>
        <label
           title="a skip connection around every k hidden layers; 0 = none"
          >residual every k
          <input
            type="number"
            name="residual"
            step="1"
            min="0"
            .value=${live(String(s.residual ?? 0))}
            @change=${(e: Event) => this.patch({ residual: this.optionalNumber(e) })}
        /></label>
        <label
          >normalisation
          <select name="norm" @change=${(e: Event) => this.patch({ norm: inputText(e) })}>
            ${NORMS.map((n) => html`<option value=${n} ?selected=${n === (s.norm ?? 'none')}>${n === 'none' ? 'none' : `${n} norm`}</option>`)}
          </select></label
        >
      </div>
      ${this.renderRegularisation(s)}
    </details>`;
  }

  /** Set the layers from–to of the form to its activation (a range outside 1…depth or reversed is refused, with why). */
  private onSetLayers(e: Event, s: RunSpec): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value;
    const from = Number(field('layerFrom'));
    const to = Number(field('layerTo'));
    this.rangeError = layerRangeIssue(field('layerFrom'), field('layerTo'), this.depth);
    if (this.rangeError) return;
    this.patch({ activation: setLayerRange(s, this.depth, from, to, field('layerActivation')), activations: undefined });
  }

  /** The per-layer activation control: the run's layers as text, and a form that sets a range of layers to one activation. */
  private renderLayers(s: RunSpec): TemplateResult {
    const current = s.activations ? formatActivationList(s.activations) : `${s.activation}×${this.depth}`;
    const id = `layers-error-${this.index}`;
    return html`<details class="layers">
      <summary>per layer: <strong>${current}</strong></summary>
      <form class="grid" @submit=${(e: Event) => this.onSetLayers(e, s)} aria-describedby=${id}>
        <label>from layer <input type="number" name="layerFrom" min="1" max=${this.depth} step="1" value="1" required /></label>
        <label>to layer <input type="number" name="layerTo" min="1" max=${this.depth} step="1" value=${this.depth} required /></label>
        <label
          >set to
          <select name="layerActivation">
            ${HIDDEN_ACTIVATIONS.map((a) => html`<option value=${a} ?selected=${a === 'sigmoid'}>${a}</option>`)}
          </select></label
        >
        <button type="submit" name="setLayers">Set layers</button>
      </form>
      <p id=${id} class="muted" role="status">${this.rangeError ?? html`e.g. layers 5–10: sigmoid puts six sigmoid layers into the stack (URL: sigmoid*10+relu*10).`}</p>
    </details>`;
  }

  /** Dropout (rate and mask seed), weight decay (none, coupled L2, decoupled AdamW-style) and the learning-rate schedule with its curve. */
  private renderRegularisation(s: RunSpec): TemplateResult {
    const wdKind = s.weightDecay?.kind ?? 'none';
    return html`<div class="grid">
        <label title="inverted dropout of every hidden layer while training (off for the decision boundary)"
          >dropout rate p
          <input
            type="number"
            name="dropout"
            step="any"
            min="0"
            max="0.99"
            placeholder="0"
            .value=${live(s.dropout === undefined ? '' : String(s.dropout))}
            @change=${(e: Event) => this.patch({ dropout: this.optionalNumber(e) })}
        /></label>
        <label title="seed of this run's dropout masks: runs with the same weights and other mask seeds drop other units (empty: the weights seed)"
          >dropout mask seed
          <input
            type="number"
            name="dropoutSeed"
            step="1"
            min="0"
            max="4294967295"
            ?disabled=${!s.dropout}
            placeholder="weights seed"
            .value=${live(s.dropoutSeed === undefined ? '' : String(s.dropoutSeed))}
            @change=${(e: Event) => this.patch({ dropoutSeed: this.optionalNumber(e) })}
        /></label>
        <label
          >weight decay
          <select
            name="weightDecay"
            @change=${(e: Event) => {
              const k = inputText(e);
              this.patch({ weightDecay: k === 'none' ? null : { kind: k, lambda: s.weightDecay?.lambda ?? 0.0005 } });
            }}
          >
            <option value="none" ?selected=${wdKind === 'none'}>none</option>
            <option value="coupled" ?selected=${wdKind === 'coupled'}>L2 (coupled)</option>
            <option value="decoupled" ?selected=${wdKind === 'decoupled'}>decoupled (AdamW)</option>
          </select></label
        >
        <label
          >decay λ (weights only)
          <input
            type="number"
            name="weightDecayLambda"
            step="any"
            min="0"
            ?disabled=${!s.weightDecay}
            placeholder="—"
            .value=${live(s.weightDecay ? String(s.weightDecay.lambda) : '')}
            @change=${(e: Event) => s.weightDecay && this.patch({ weightDecay: { kind: s.weightDecay.kind, lambda: inputNumber(e) } })}
        /></label>
      </div>
      <bp-lr-schedule
        style="margin-top: 6px"
        .schedule=${s.schedule}
        .lr=${s.lr ?? this.sharedLr}
        run=${`run ${this.index + 1}`}
        @bp-schedule-change=${(e: CustomEvent<Record<string, unknown>>) => this.patch({ schedule: e.detail })}
      ></bp-lr-schedule>`;
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
              <select name="activation" @change=${(e: Event) => this.patch({ activation: inputText(e), activations: undefined })}>
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
      ${this.shown('mitigations') ? this.renderMitigations(s) : nothing}
      ${this.shown('activation') && this.depth > 0 ? this.renderLayers(s) : nothing}
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
