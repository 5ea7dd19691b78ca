/** Your own data (a CSV file) and the downloads of results (records as CSV or JSON, weights as JSON). */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ControlName } from '../../core/lab-spec.js';
import { formatCsvError, readCsvFile, type CsvInfo, type CsvResult } from './csv.js';
import type { Dataset } from '../../core/datasets.js';
import { controlStyles } from '../ui-styles.js';

/** Detail of `bp-csv`: the loaded data, or null to go back to the built-in data set. */
export type CsvDetail = { readonly dataset: Dataset; readonly info: CsvInfo; readonly name: string } | null;

/** The downloads offered ('run-json': the whole run, to load again with Load run or resume with `lab train --resume`). */
export type ExportFormat = 'records-csv' | 'records-json' | 'weights-json' | 'weights-npz' | 'run-json';

/** Detail of `bp-run-file`: a run file chosen to load, and its text. */
export interface RunFileDetail {
  readonly name: string;
  readonly text: string;
}

/**
 * CSV loading and result downloads.
 * @fires bp-csv - CsvDetail: data loaded (or cleared)
 * @fires bp-export-data - ExportFormat: a download was asked for
 * @fires bp-run-file - RunFileDetail: a saved run was chosen to load
 */
@customElement('bp-data-panel')
export class BpDataPanel extends LitElement {
  static override styles = controlStyles;

  @property({ attribute: false }) hide: readonly ControlName[] = [];
  /** Description of the loaded CSV, or null. */
  @property({ attribute: false }) csv: { info: CsvInfo; name: string } | null = null;
  @state() private errors: string[] = [];
  @state() private label = '';
  /** The file being read (off the main thread) and the fraction done, or null. */
  @state() private reading: { readonly name: string; readonly fraction: number } | null = null;
  /** Stops the read in progress (a new file replaces it). */
  private abortRead: AbortController | null = null;

  private fire<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  override disconnectedCallback(): void {
    this.abortRead?.abort();
    super.disconnectedCallback();
  }

  /** Read the chosen file in a worker, showing progress; a file chosen meanwhile replaces it. */
  private async load(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = '';
    this.abortRead?.abort();
    const abort = (this.abortRead = new AbortController());
    const label = this.label.trim();
    this.errors = [];
    this.reading = { name: file.name, fraction: 0 };
    let result: CsvResult;
    try {
      const opts = label === '' ? {} : { label: /^\d+$/.test(label) ? Number(label) : label };
      result = await readCsvFile(file, opts, (fraction) => (this.reading = { name: file.name, fraction }), abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return;
      result = { ok: false as const, errors: [{ row: 1, column: null, message: err instanceof Error ? err.message : String(err) }] };
    } finally {
      if (this.abortRead === abort) {
        this.abortRead = null;
        this.reading = null;
      }
    }
    if (!result.ok) {
      this.errors = [`${file.name} could not be used:`, ...result.errors.map(formatCsvError)];
      return;
    }
    this.errors = [];
    this.fire<CsvDetail>('bp-csv', { dataset: result.dataset, info: result.info, name: file.name });
  }

  /** Read a chosen run file and hand its text on. */
  private async loadRun(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = '';
    this.fire<RunFileDetail>('bp-run-file', { name: file.name, text: await file.text() });
  }

  override render(): TemplateResult {
    const show = (n: ControlName) => !this.hide.includes(n);
    return html`
      ${show('csv')
        ? html`<fieldset>
            <legend>Your data (CSV)</legend>
            <div class="grid">
              <label
                >label column (name or number; default last)
                <input name="csv-label" .value=${this.label} @input=${(e: Event) => (this.label = (e.target as HTMLInputElement).value)}
              /></label>
              <label>file <input type="file" name="csv-file" accept=".csv,.tsv,.txt,text/csv" @change=${(e: Event) => void this.load(e)} /></label>
            </div>
            ${this.reading
              ? html`<p class="muted" style="margin: 6px 0 0" role="status">
                  Reading ${this.reading.name}… <progress name="csv-progress" max="1" .value=${this.reading.fraction}></progress>
                  ${Math.round(this.reading.fraction * 100)} %
                </p>`
              : nothing}
            ${this.csv
              ? html`<p class="muted" style="margin: 6px 0 0">
                  ${this.csv.name}: ${this.csv.info.rows} rows, ${this.csv.info.features.length} features, ${this.csv.info.task} on “${this.csv.info.labelName}”
                  (features scaled to [-1, 1]).
                  <button name="csv-clear" @click=${() => this.fire<CsvDetail>('bp-csv', null)}>Use built-in data</button>
                </p>`
              : nothing}
            ${this.errors.length
              ? html`<ul role="alert" style="color:#b34700; margin: 6px 0 0; padding-left: 1.2em">
                  ${this.errors.map((e) => html`<li>${e}</li>`)}
                </ul>`
              : nothing}
          </fieldset>`
        : nothing}
      ${show('export')
        ? html`<fieldset>
            <legend>Download</legend>
            <div class="row">
              <button name="records-csv" @click=${() => this.fire<ExportFormat>('bp-export-data', 'records-csv')}>Records CSV</button>
              <button name="records-json" @click=${() => this.fire<ExportFormat>('bp-export-data', 'records-json')}>Records JSON</button>
              <button name="weights-json" @click=${() => this.fire<ExportFormat>('bp-export-data', 'weights-json')}>Weights JSON</button>
              <button name="weights-npz" title="every run's weights for NumPy: np.load gives run1_W0, run1_b0, …" @click=${() => this.fire<ExportFormat>('bp-export-data', 'weights-npz')}>Weights .npz</button>
              <button name="save-run" title="the whole run (settings, weights, optimizer state, step, records) as a JSON file" @click=${() => this.fire<ExportFormat>('bp-export-data', 'run-json')}>
                Save run
              </button>
            </div>
            <label style="margin-top: 6px; display: block"
              >Load run <input type="file" name="run-file" accept=".json,application/json" @change=${(e: Event) => void this.loadRun(e)}
            /></label>
          </fieldset>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-data-panel': BpDataPanel;
  }
  interface HTMLElementEventMap {
    'bp-csv': CustomEvent<CsvDetail>;
    'bp-export-data': CustomEvent<ExportFormat>;
    'bp-run-file': CustomEvent<RunFileDetail>;
  }
}
