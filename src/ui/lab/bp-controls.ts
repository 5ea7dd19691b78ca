/**
 * The shared settings of the lab: data set, network shape, learning rate, batch, seeds and backend. Values go
 * up raw (a number, or the text typed when it is not one); the app validates them through the lab spec.
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { customElement, property } from 'lit/decorators.js';
import { BACKEND_CHOICES, LAB_LIMITS, type ControlName, type LabSpec } from '../../core/lab-spec.js';
import { DATASETS, DTYPES } from '../../core/spec.js';
import { controlStyles, inputNumber, inputText } from '../ui-styles.js';

/** Detail of `bp-lab-patch`: lab fields and their new raw values. */
export type LabPatch = Readonly<Record<string, unknown>>;

/** Plain-language names of the data sets. */
const DATASET_LABELS: Record<string, string> = {
  spiral: 'two spirals',
  circle: 'circle',
  gaussian: 'two Gaussians',
  xor: 'XOR (4 points)',
  and: 'AND (4 points)',
  random: 'random regression',
};

/**
 * Data, network, training and backend settings shared by every run.
 * @fires bp-lab-patch - LabPatch: one or more settings changed (not yet validated)
 */
@customElement('bp-controls')
export class BpControls extends LitElement {
  static override styles = controlStyles;

  /** The current lab. */
  @property({ attribute: false }) lab: LabSpec | null = null;
  /** Controls to leave out. */
  @property({ attribute: false }) hide: readonly ControlName[] = [];
  /** Name of the loaded CSV file, or null when a built-in data set is used. */
  @property() csvName: string | null = null;

  private patch(p: LabPatch): void {
    this.dispatchEvent(new CustomEvent<LabPatch>('bp-lab-patch', { detail: p, bubbles: true, composed: true }));
  }

  private shown(name: ControlName): boolean {
    return !this.hide.includes(name);
  }

  private num(name: ControlName, field: keyof LabSpec, label: string, value: number, min: number, max: number, step: number | 'any' = 1): TemplateResult | typeof nothing {
    if (!this.shown(name)) return nothing;
    return html`<label
      >${label}
      <input
        type="number"
        name=${field}
        .value=${live(String(value))}
        min=${min}
        max=${max}
        step=${step}
        @change=${(e: Event) => this.patch({ [field]: inputNumber(e) })}
    /></label>`;
  }

  override render(): TemplateResult {
    const lab = this.lab;
    if (!lab) return html``;
    return html`
      <fieldset>
        <legend>Data</legend>
        <div class="grid">
          ${this.shown('dataset')
            ? html`<label
                >data set
                <select name="dataset" @change=${(e: Event) => this.patch({ dataset: inputText(e) })}>
                  ${DATASETS.map((d) => html`<option value=${d} ?selected=${!this.csvName && d === lab.dataset}>${DATASET_LABELS[d] ?? d}</option>`)}
                  ${this.csvName ? html`<option value="" selected disabled>CSV: ${this.csvName}</option>` : nothing}
                </select></label
              >`
            : nothing}
          ${this.num('samples', 'samples', 'points', lab.samples, 1, LAB_LIMITS.maxSamples)}
          ${this.num('noise', 'noise', 'noise', lab.noise, 0, 10, 'any')}
          ${this.num('seeds', 'dataSeed', 'data seed', lab.dataSeed, 0, 4294967295)}
        </div>
      </fieldset>
      <fieldset>
        <legend>Network and training</legend>
        <div class="grid">
          ${this.num('depth', 'depth', 'hidden layers', lab.depth, 1, LAB_LIMITS.maxDepth)}
          ${this.num('width', 'width', 'units per layer', lab.width, 1, LAB_LIMITS.maxWidth)}
          ${this.num('lr', 'lr', 'learning rate', lab.lr, 0, 1000, 'any')}
          ${this.num('batch', 'batch', 'batch (0 = all)', lab.batch, 0, LAB_LIMITS.maxSamples)}
          ${this.num('seeds', 'initSeed', 'weights seed', lab.initSeed, 0, 4294967295)}
          ${this.num('seeds', 'batchSeed', 'batch-order seed', lab.batchSeed, 0, 4294967295)}
          ${this.num('logEvery', 'logEvery', 'record every (steps)', lab.logEvery, 1, 100000)}
        </div>
      </fieldset>
      ${this.shown('backend') || this.shown('dtype')
        ? html`<fieldset>
            <legend>Backend</legend>
            <div class="grid">
              ${this.shown('backend')
                ? html`<label
                    >run on
                    <select name="backend" @change=${(e: Event) => this.patch({ backend: inputText(e) })}>
                      ${BACKEND_CHOICES.map((b) => html`<option value=${b} ?selected=${b === lab.backend}>${b === 'auto' ? 'auto' : b === 'webgpu' ? 'WebGPU' : 'CPU'}</option>`)}
                    </select></label
                  >`
                : nothing}
              ${this.shown('dtype')
                ? html`<label
                    >CPU precision
                    <select name="dtype" @change=${(e: Event) => this.patch({ dtype: inputText(e) })}>
                      ${DTYPES.map((d) => html`<option value=${d} ?selected=${d === lab.dtype}>${d}</option>`)}
                    </select></label
                  >`
                : nothing}
            </div>
          </fieldset>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-controls': BpControls;
  }
  interface HTMLElementEventMap {
    'bp-lab-patch': CustomEvent<LabPatch>;
  }
}
