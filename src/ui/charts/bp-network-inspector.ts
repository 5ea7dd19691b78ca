/**
 * The Network card's body: the network view of every run, refreshed from the lab's parameter read-back at most
 * once per interval (a Throttle on an injectable clock) while the card is on screen; the chain rule of a picked unit
 * (click it, or pick it in the selectors); and the step-through of one step for small networks.
 */
import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { stepStages, stepThroughFits, type Stage } from '../../core/step-stages.js';
import type { RunView } from '../run-view.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import type { ChartTable, Tabular } from './chart-table.js';
import type { Exportable } from './exportable.js';
import type { InspectSource, RunInspection } from './inspection.js';
import { layerName, MAX_COLUMNS } from './network-layout.js';
import { realClock, Throttle, type Clock } from './throttle.js';
import './bp-network-view.js';
import type { BpNetworkView, NodeMode, UnitPick } from './bp-network-view.js';
import './bp-neuron-panel.js';
import type { BpNeuronPanel } from './bp-neuron-panel.js';
import './bp-step-through.js';
import type { BpStepThrough } from './bp-step-through.js';

/** Milliseconds between refreshes of the view while training (the parameter read-back's rate). */
export const NETWORK_REFRESH_MS = 1000;

/** A step being walked through: the run's frozen inspection, its stages and the current one. */
interface Walk {
  readonly inspection: RunInspection;
  readonly stages: readonly Stage[];
  readonly index: number;
}

/**
 * Network view, neuron panel and step-through of the lab's runs.
 * @csspart controls - the row of selectors and buttons
 */
@customElement('bp-network-inspector')
export class BpNetworkInspector extends LitElement implements Exportable, Tabular {
  static override styles = css`
    :host {
      display: block;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
      min-width: 0;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
      align-items: center;
      font-size: calc(13px * var(--bp-font-scale, 1));
      margin: 2px 0 6px;
    }
    select,
    button {
      font: inherit;
      font-size: 12.5px;
      color: inherit;
      background: var(--bp-button-bg, #f3f4f6);
      border: 1px solid var(--bp-control-border, #c9ced6);
      border-radius: 5px;
      padding: 1px 6px;
    }
    button {
      cursor: pointer;
    }
    button[aria-pressed='true'] {
      background: #dbe9f5;
      border-color: #0072b2;
      color: #1f2328;
    }
    button:focus-visible,
    select:focus-visible {
      outline: 2px solid #0072b2;
    }
    .notes {
      font-size: 12px;
      color: ${unsafeCSS(MUTED_CSS)};
      margin: 2px 0 6px;
    }
    .detail {
      border-top: 1px solid var(--bp-border, #d8dde3);
      margin-top: 6px;
      padding-top: 4px;
    }
  `;

  @property({ attribute: false }) runs: readonly RunView[] = [];
  /** Changes whenever records were appended or runs reset: the view refreshes (at most once per interval). */
  @property() version = '';
  /** Where the inspections come from; null: nothing to draw. */
  @property({ attribute: false }) source: InspectSource | null = null;
  /** Time for the refresh throttle (tests pass a fake one). */
  @property({ attribute: false }) clock: Clock = realClock;

  @state() private inspections: RunInspection[] = [];
  @state() private mode: NodeMode = 'activation';
  @state() private unfolded = false;
  @state() private pick: UnitPick | null = null;
  @state() private walk: Walk | null = null;
  @state() private error = '';
  private visible = typeof IntersectionObserver === 'undefined';
  private observer: IntersectionObserver | null = null;
  private inFlight = false;
  private dirty = false;
  private throttle: Throttle | null = null;
  /** Completed refreshes (tests wait on it). */
  refreshes = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    if (typeof IntersectionObserver !== 'undefined') {
      this.observer = new IntersectionObserver((entries) => {
        this.visible = entries.some((e) => e.isIntersecting);
        if (this.visible) this.request();
      });
      this.observer.observe(this);
    }
  }

  override disconnectedCallback(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.throttle?.cancel();
    super.disconnectedCallback();
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('clock')) {
      this.throttle?.cancel();
      this.throttle = null;
    }
    if (changed.has('version') || changed.has('source')) this.request();
  }

  /** Ask for a refresh: at most once per interval, only while on screen and not walking through a step. */
  private request(): void {
    if (!this.visible || this.walk || !this.source) return;
    this.throttle ??= new Throttle(() => void this.refresh(), this.clock, NETWORK_REFRESH_MS);
    this.throttle.request();
  }

  /** Read the runs' parameters now and redraw (a request during a read is served after it). */
  async refresh(): Promise<void> {
    const source = this.source;
    if (!source) return;
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    this.inFlight = true;
    try {
      this.inspections = await source();
      this.error = '';
    } catch (e) {
      this.error = `Could not read the parameters back: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.inFlight = false;
      this.refreshes++;
    }
    if (this.dirty) {
      this.dirty = false;
      this.request();
    }
  }

  private get view(): BpNetworkView | null {
    return this.renderRoot.querySelector('bp-network-view');
  }

  exportCanvas(): HTMLCanvasElement | null {
    return this.view?.exportCanvas() ?? null;
  }

  tables(): ChartTable[] {
    const neuron = this.renderRoot.querySelector<BpNeuronPanel>('bp-neuron-panel');
    const stepper = this.renderRoot.querySelector<BpStepThrough>('bp-step-through');
    return [...(stepper?.tables() ?? []), ...(neuron?.tables() ?? []), ...(this.view?.tables() ?? [])];
  }

  summary(): string {
    return this.view?.summary() ?? 'Network view: waiting for the first parameter read-back.';
  }

  private inspectionOf(id: string | undefined): RunInspection | null {
    return this.inspections.find((i) => i.id === id) ?? null;
  }

  private select(p: UnitPick): void {
    this.pick = p;
  }

  /** Start or stop walking through the next step of the picked run (or the first run that fits). */
  private toggleWalk(): void {
    if (this.walk) {
      this.walk = null;
      this.request();
      return;
    }
    const ins = this.walkable();
    if (!ins?.model || !ins.params || !ins.trace) return;
    this.walk = { inspection: ins, stages: stepStages(ins.model, ins.params, ins.trace, ins.update), index: 0 };
    void this.updateComplete.then(() => this.renderRoot.querySelector<BpStepThrough>('bp-step-through')?.focus());
  }

  /** The run the step-through would walk: the picked one if it fits, else the first that does. */
  private walkable(): RunInspection | null {
    const fits = (i: RunInspection | null) => (i?.model && i.trace && stepThroughFits(i.model.sizes) ? i : null);
    return fits(this.inspectionOf(this.pick?.id)) ?? this.inspections.map(fits).find((i) => i) ?? null;
  }

  /** Walk to stage `i` (tests and the panel's keys). */
  stage(i: number): void {
    if (this.walk && i >= 0 && i < this.walk.stages.length) this.walk = { ...this.walk, index: i };
  }

  override render(): TemplateResult {
    const walk = this.walk;
    const shown = walk ? [walk.inspection] : this.inspections;
    const pickIns = walk ? walk.inspection : (this.inspectionOf(this.pick?.id) ?? this.inspections.find((i) => i.model) ?? null);
    const sizes = pickIns?.model?.sizes ?? [];
    const pick = this.pick && pickIns && this.pick.id === pickIns.id ? this.pick : null;
    const deep = this.inspections.some((i) => (i.model?.sizes.length ?? 0) > MAX_COLUMNS);
    const canWalk = this.walkable() !== null;
    const run = (id: string) => this.runs.find((r) => r.id === id);
    const value = (e: Event) => (e.target as HTMLSelectElement).value;
    return html`
      <div class="controls" part="controls">
        <label>units show <select name="node-mode" @change=${(e: Event) => (this.mode = value(e) as NodeMode)}>
          <option value="activation" ?selected=${this.mode === 'activation'}>mean |activation|</option>
          <option value="saturation" ?selected=${this.mode === 'saturation'}>saturated / dead share</option>
        </select></label>
        ${this.inspections.length > 1 && !walk
          ? html`<label>run <select name="pick-run" @change=${(e: Event) => this.select({ id: value(e), layer: pick?.layer ?? 1, unit: 0 })}>
              ${this.inspections.map((i) => html`<option value=${i.id} ?selected=${i.id === pickIns?.id}>${run(i.id)?.label ?? i.id}</option>`)}
            </select></label>`
          : nothing}
        ${sizes.length
          ? html`<label>layer <select name="pick-layer" @change=${(e: Event) => this.select({ id: pickIns!.id, layer: Number(value(e)), unit: 0 })}>
                ${sizes.map((_, l) => html`<option value=${l} ?selected=${l === (pick?.layer ?? -1)}>${layerName(l, sizes.length)}</option>`)}
              </select></label>
              <label>unit <select name="pick-unit" @change=${(e: Event) => this.select({ id: pickIns!.id, layer: pick?.layer ?? 1, unit: Number(value(e)) })}>
                ${Array.from({ length: sizes[pick?.layer ?? 1] ?? 0 }, (_, u) => html`<option value=${u} ?selected=${u === (pick?.unit ?? -1)}>${u + 1}</option>`)}
              </select></label>`
          : nothing}
        ${deep && !walk
          ? html`<button type="button" name="fold" aria-pressed=${this.unfolded ? 'true' : 'false'} @click=${() => (this.unfolded = !this.unfolded)}>
              ${this.unfolded ? 'fold the middle layers' : 'unfold the middle layers'}
            </button>`
          : nothing}
        <button
          type="button"
          name="step-through"
          aria-pressed=${walk ? 'true' : 'false'}
          ?disabled=${!walk && !canWalk}
          title=${canWalk || walk ? 'Walk through the next training step stage by stage (← →)' : 'For networks of at most 4 hidden layers of at most 8 units'}
          @click=${() => this.toggleWalk()}
        >
          ${walk ? 'end step-through' : 'step through…'}
        </button>
      </div>
      <bp-network-view
        .runs=${this.runs}
        .inspections=${shown}
        .mode=${this.mode}
        .unfolded=${this.unfolded}
        .selected=${pick}
        .highlight=${walk ? walk.stages[walk.index]! : null}
        @bp-unit-select=${(e: CustomEvent<UnitPick>) => this.select(e.detail)}
        @bp-fold-toggle=${() => (this.unfolded = !this.unfolded)}
      ></bp-network-view>
      <p class="notes">${this.notes(shown)}</p>
      ${walk
        ? html`<div class="detail">
            <bp-step-through
              .stages=${walk.stages}
              .index=${walk.index}
              .note=${`Numbers of step ${walk.inspection.step} of ${run(walk.inspection.id)?.label ?? walk.inspection.id}, on ${walk.inspection.batch}; computed in f64 from the parameters read back, frozen while you step through.`}
              @bp-stage=${(e: CustomEvent<number>) => this.stage(e.detail)}
            ></bp-step-through>
          </div>`
        : nothing}
      ${pick
        ? html`<div class="detail"><bp-neuron-panel .inspection=${pickIns} .layer=${pick.layer} .unit=${pick.unit} .runLabel=${run(pick.id)?.label ?? pick.id}></bp-neuron-panel></div>`
        : nothing}
    `;
  }

  private notes(shown: readonly RunInspection[]): string {
    if (this.error) return this.error;
    if (!this.source) return 'No parameters to read.';
    const traced = shown.filter((i) => i.trace);
    if (traced.length === 0) return shown.length ? '' : 'Waiting for the first parameter read-back (the view refreshes at most once a second while it is on screen).';
    const batches = [...new Set(traced.map((i) => i.batch))].join('; ');
    return `Computed on the page in f64 from the parameters read back and ${batches}. Click a unit for its chain rule.`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-network-inspector': BpNetworkInspector;
  }
}
