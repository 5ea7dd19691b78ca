/**
 * The depth sweep in one click: a dialog that measures the first layer's gradient norm at initialisation for
 * the current runs' activation/init pairs over a list of depths (src/train/depth-sweep.ts on the CPU, one point
 * at a time so the page stays responsive), with progress, cancel, and the mean-field theory line per pair.
 */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Dataset } from '../../core/datasets.js';
import '../charts/bp-chart-card.js';
import '../charts/bp-sweep-chart.js';
import { DEFAULT_SWEEP_DEPTHS, parseDepths, SweepController, type SweepSeries } from './sweep-controller.js';
import { controlStyles } from '../ui-styles.js';

/** Init seeds averaged over per point. */
export const SWEEP_SEEDS = 3;

const HELP =
  'Each point is a fresh network with that many hidden layers (the width and data of the lab, the activation and init of a run), measured at its initial weights: the norm of the gradient reaching the first layer, averaged over three weight seeds. On a log axis an exponential fall with depth is a straight line. Dashed: the mean-field prediction, anchored at each network’s measured output layer and multiplied by about √χ per hidden layer; χ < 1 vanishes, χ ≈ 1 keeps the gradient, χ > 1 explodes.';

/**
 * Dialog of the depth sweep.
 * @csspart dialog - the dialog box
 */
@customElement('bp-depth-sweep')
export class BpDepthSweep extends LitElement {
  static override styles = [
    controlStyles,
    css`
      dialog {
        width: min(920px, 94vw);
        max-height: 94vh;
        border: 1px solid #8c959f;
        border-radius: 10px;
        padding: 10px 14px 12px;
        box-shadow: 0 10px 40px rgba(0, 0, 0, 0.25);
        box-sizing: border-box;
      }
      dialog::backdrop {
        background: rgba(20, 24, 30, 0.35);
      }
      .top {
        display: flex;
        align-items: center;
        gap: 10px;
      }
      h2 {
        font-size: 17px;
        margin: 0;
        flex: 1;
      }
      .row {
        align-items: end;
        margin: 6px 0 8px;
      }
      .row label {
        width: 200px;
      }
      progress {
        width: 140px;
        height: 14px;
        align-self: center;
      }
      .status {
        align-self: center;
        font-variant-numeric: tabular-nums;
      }
      .error {
        color: #b34700;
        font-weight: 600;
      }
    `,
  ];

  /** The curves to measure (the current runs' distinct activation/init/gain). */
  @property({ attribute: false }) series: readonly SweepSeries[] = [];
  /** Width of every hidden layer. */
  @property({ type: Number }) width = 32;
  /** The data the networks see (the lab's). */
  @property({ attribute: false }) data: Dataset | null = null;
  /** First init seed (the others follow it). */
  @property({ type: Number }) seed = 0;

  @state() private depthsText = DEFAULT_SWEEP_DEPTHS.join(',');
  @state() private inputError = '';
  /** The series of the sweep shown (fixed when it starts). */
  @state() private shownSeries: readonly SweepSeries[] = [];
  @query('dialog') private dialog!: HTMLDialogElement;

  /** The sweep's state (public for tests: results, running, done, total). */
  readonly sweep = new SweepController(this);

  /** Open the dialog. */
  show(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Close the dialog (a running sweep is cancelled). */
  close(): void {
    this.sweep.cancel();
    this.dialog.close();
  }

  /** Start a sweep over the depths typed (resolves when it ends). */
  async start(): Promise<void> {
    const depths = parseDepths(this.depthsText);
    if (typeof depths === 'string') {
      this.inputError = depths;
      return;
    }
    this.inputError = '';
    if (!this.data || this.series.length === 0) {
      this.inputError = 'No data yet: wait until the lab has started.';
      return;
    }
    this.shownSeries = this.series;
    const seeds = Array.from({ length: SWEEP_SEEDS }, (_, i) => (this.seed + i) % 4294967296);
    await this.sweep.run({ series: this.series, depths, width: this.width, data: this.data, seeds });
  }

  override render(): TemplateResult {
    const s = this.sweep;
    const status = s.error
      ? html`<span class="error">Sweep failed: ${s.error}</span>`
      : s.total === 0
        ? ''
        : `${s.done} / ${s.total} points${s.running ? '…' : s.stopped ? ` (${s.stopped})` : ' — done'}`;
    return html`<dialog part="dialog" aria-labelledby="sweep-title" @close=${() => this.sweep.cancel()}>
      <div class="top">
        <h2 id="sweep-title">Depth sweep: the gradient reaching the first layer, at initialisation</h2>
        <button name="close" @click=${() => this.close()}>Close</button>
      </div>
      <div class="row">
        <label
          >hidden layers (depths)
          <input
            name="depths"
            .value=${this.depthsText}
            aria-invalid=${this.inputError ? 'true' : 'false'}
            @change=${(e: Event) => (this.depthsText = (e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && ((this.depthsText = (e.target as HTMLInputElement).value), void this.start())}
        /></label>
        <button name="run" class="primary" ?disabled=${s.running} @click=${() => void this.start()}>Run sweep</button>
        <button name="cancel" ?disabled=${!s.running} @click=${() => s.cancel()}>Cancel</button>
        ${s.total ? html`<progress max=${s.total} .value=${s.done}></progress>` : nothing}
        <span class="status muted" role="status">${status}</span>
      </div>
      ${this.inputError ? html`<p class="error" role="alert">${this.inputError}</p>` : nothing}
      <bp-chart-card heading=${`Width ${this.width}, ${SWEEP_SEEDS} weight seeds per point, CPU`} filename="depth-sweep" .help=${HELP}>
        <bp-sweep-chart .series=${this.shownSeries.length ? this.shownSeries : this.series} .results=${s.results} .version=${String(s.done)} .height=${330}></bp-sweep-chart>
      </bp-chart-card>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-depth-sweep': BpDepthSweep;
  }
}
