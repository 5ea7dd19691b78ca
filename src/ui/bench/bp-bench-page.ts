/**
 * The benchmark page (bench.html): a form for the suites, sizes, grid and backends (kept in the URL), a run
 * with progress bar and cancel button, charts of GFLOP/s against size, the GPU/CPU speed-up with its crossover
 * and training steps/s across the grid, the results table, and JSON / CSV export.
 */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { describeCrossover } from '../../bench/crossover.js';
import { reportToCsv, type BenchReport, type BenchSuite } from '../../bench/report.js';
import { download } from '../export.js';
import { NoticeBoard } from '../notices.js';
import '../bp-notice.js';
import { controlStyles } from '../ui-styles.js';
import { BenchRunController } from './bench-run-controller.js';
import { gflopsChart, speedupChart, trainChart } from './bench-series.js';
import { formatQueryIssue, readSettingsQuery, settingsToQuery, settingsToRequest, type BenchSettings, type PageBackend } from './bench-settings.js';
import './bp-bench-chart.js';
import './bp-bench-table.js';

const SUITE_LABELS: Record<BenchSuite, string> = {
  matmul: 'matmul (sizes, layer shape)',
  train: 'training step (grid)',
  workload: 'digits MLP 784 → 256×4 → 10',
};

/**
 * The benchmark page.
 * @fires nothing
 */
@customElement('bp-bench-page')
export class BpBenchPage extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: #f6f7f9;
      }
      header {
        display: flex;
        align-items: center;
        gap: 16px;
        padding: 6px 14px;
        border-bottom: 1px solid #d8dde3;
        background: #fff;
      }
      h1 {
        font-size: 19px;
        margin: 0;
      }
      main {
        padding: 12px 14px;
        display: grid;
        gap: 12px;
        max-width: 1200px;
      }
      .checks {
        display: flex;
        gap: 14px;
        flex-wrap: wrap;
      }
      .checks label {
        flex-direction: row;
        align-items: center;
        gap: 4px;
        color: inherit;
        font-size: 13px;
      }
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
        gap: 6px 10px;
        margin-top: 6px;
      }
      progress {
        width: 260px;
        height: 14px;
      }
      .errors {
        color: #b3261e;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(360px, 1fr));
        gap: 12px;
      }
      section {
        background: #fff;
        border: 1px solid #d8dde3;
        border-radius: 8px;
        padding: 8px 10px;
        min-width: 0;
      }
      h2 {
        font-size: 14px;
        margin: 0 0 6px;
      }
    `,
  ];

  @state() private settings: BenchSettings;
  @state() private errors: string[] = [];
  private readonly run = new BenchRunController(this);
  /** What the page tells the user about its link (parameters it could not use). */
  private readonly notices = new NoticeBoard(() => this.requestUpdate());

  constructor() {
    super();
    const { settings, issues } = readSettingsQuery(new URLSearchParams(location.search));
    this.settings = settings;
    if (issues.length > 0) this.notices.notify('warning', 'Some parameters in the link could not be used; their defaults apply instead:', issues.map(formatQueryIssue));
  }

  /** The last finished (or cancelled) run's report, or null. */
  get report(): BenchReport | null {
    return this.run.report;
  }

  override updated(): void {
    this.dataset['phase'] = this.run.phase;
  }

  private set(patch: Partial<BenchSettings>): void {
    this.settings = { ...this.settings, ...patch };
    history.replaceState(null, '', `${location.pathname}${settingsToQuery(this.settings)}`);
  }

  private toggle<T extends string>(list: readonly T[], item: T, on: boolean): T[] {
    return on ? [...new Set([...list, item])] : list.filter((x) => x !== item);
  }

  private start(): void {
    const r = settingsToRequest(this.settings);
    if ('errors' in r) {
      this.errors = r.errors;
      return;
    }
    this.errors = [];
    void this.run.start(r.request, this.settings.backends, this.settings.allowLarge);
  }

  private exportJson(): void {
    if (this.report) download('backprop-lab-bench.json', `${JSON.stringify(this.report, null, 2)}\n`, 'application/json');
  }

  private exportCsv(): void {
    if (this.report) download('backprop-lab-bench.csv', reportToCsv(this.report), 'text/csv');
  }

  private renderForm(): TemplateResult {
    const s = this.settings;
    const running = this.run.phase === 'running';
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    const checked = (e: Event) => (e.target as HTMLInputElement).checked;
    return html`<fieldset ?disabled=${running}>
      <legend>Benchmark</legend>
      <div class="checks">
        ${(Object.keys(SUITE_LABELS) as BenchSuite[]).map(
          (k) => html`<label><input type="checkbox" name="suite-${k}" .checked=${s.suites.includes(k)}
            @change=${(e: Event) => this.set({ suites: this.toggle(s.suites, k, checked(e)) })} />${SUITE_LABELS[k]}</label>`,
        )}
        ${(['cpu', 'webgpu'] as PageBackend[]).map(
          (k) => html`<label><input type="checkbox" name="backend-${k}" .checked=${s.backends.includes(k)}
            @change=${(e: Event) => this.set({ backends: this.toggle(s.backends, k, checked(e)) })} />${k === 'cpu' ? 'CPU' : 'WebGPU'}</label>`,
        )}
        <label title="SwiftShader (a CPU-emulated GPU) runs at about 0.3 GFLOP/s: GPU sizes are capped at 256 there unless ticked">
          <input type="checkbox" name="large" .checked=${s.allowLarge} @change=${(e: Event) => this.set({ allowLarge: checked(e) })} />large GPU sizes on a software adapter
        </label>
      </div>
      <div class="fields">
        <label>matmul sizes <input name="sizes" .value=${s.sizes} @change=${(e: Event) => this.set({ sizes: text(e) })} /></label>
        <label>layer shape batch×in×out <input name="shape" placeholder="e.g. 64x784x256" .value=${s.shape} @change=${(e: Event) => this.set({ shape: text(e) })} /></label>
        <label>training grid <input name="grid" .value=${s.grid} @change=${(e: Event) => this.set({ grid: text(e) })} /></label>
        <label>digits batch <input name="batch" type="number" min="1" .value=${String(s.workloadBatch)} @change=${(e: Event) => this.set({ workloadBatch: Number(text(e)) })} /></label>
        <label>repetitions (≥ 5) <input name="reps" type="number" min="5" .value=${String(s.reps)} @change=${(e: Event) => this.set({ reps: Number(text(e)) })} /></label>
      </div>
    </fieldset>
    <div class="row">
      <button class="primary" name="run" ?disabled=${running} @click=${() => this.start()}>Run</button>
      <button name="cancel" ?disabled=${!running} @click=${() => this.run.cancel()}>Cancel</button>
      <progress max=${Math.max(1, this.run.total)} .value=${this.run.done}></progress>
      <span class="muted status">${this.statusText()}</span>
      <button name="export-json" ?disabled=${!this.report} @click=${() => this.exportJson()}>Export JSON</button>
      <button name="export-csv" ?disabled=${!this.report} @click=${() => this.exportCsv()}>Export CSV</button>
    </div>
    ${this.errors.length > 0 ? html`<div class="errors">${this.errors.map((e) => html`<div>${e}</div>`)}</div>` : ''}`;
  }

  private statusText(): string {
    const r = this.run;
    switch (r.phase) {
      case 'idle':
        return 'Ready.';
      case 'running':
        return `${r.done}/${r.total} · ${r.current}`;
      case 'done':
        return `Done: ${r.points.length} points.`;
      case 'cancelled':
        return `Cancelled after ${r.points.length} points.`;
      case 'failed':
        return `Failed: ${r.error}`;
    }
  }

  private renderSummary(): TemplateResult {
    const report = this.report;
    const env = report?.environment;
    const kinds = new Set(this.run.points.map((p) => p.backendKind));
    const both = kinds.has('cpu') && kinds.has('webgpu');
    const sp = speedupChart(this.run.points);
    return html`<div class="muted summary">
      ${env ? html`<div>${env.version} · ${env.cpuThreads} CPU threads · ${report!.backends.map((b) => b.description).join(' · ')}</div>` : ''}
      ${both && this.run.points.some((p) => p.suite === 'matmul') ? html`<div class="crossover">Matmul crossover: ${describeCrossover(sp.crossover)}.</div>` : ''}
      ${this.run.notes.filter((n) => n !== '').map((n) => html`<div>${n}</div>`)}
    </div>`;
  }

  override render(): TemplateResult {
    const points = this.run.points;
    const sp = speedupChart(points);
    return html`<header>
        <h1>Backprop Lab — CPU vs GPU benchmark</h1>
        <a href="./">← back to the lab</a>
      </header>
      <main>
        <bp-notice .notices=${this.notices.items} @bp-notice-dismiss=${(e: CustomEvent<number>) => this.notices.dismiss(e.detail)}></bp-notice>
        ${this.renderForm()} ${this.renderSummary()}
        <div class="charts">
          <section>
            <h2>Matmul GFLOP/s against size n (n×n·n×n)</h2>
            <bp-bench-chart id="gflops" .data=${gflopsChart(points)} xLabel="n" yLabel="GFLOP/s" xLog yLog></bp-bench-chart>
          </section>
          <section>
            <h2>GPU / CPU speed-up (above 1: the GPU is faster)</h2>
            <bp-bench-chart id="speedup" .data=${sp} .refY=${1} xLabel="n" yLabel="speed-up ×" xLog yLog
              empty="Needs sizes run on both CPU and WebGPU."></bp-bench-chart>
          </section>
          <section>
            <h2>Training steps/s across the grid</h2>
            <bp-bench-chart id="train" .data=${trainChart(points)} xLabel="depth · width · batch" yLabel="steps/s" yLog></bp-bench-chart>
          </section>
        </div>
        <section>
          <h2>Results</h2>
          <bp-bench-table .points=${points} .skipped=${this.run.skipped}></bp-bench-table>
        </section>
      </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-bench-page': BpBenchPage;
  }
}
