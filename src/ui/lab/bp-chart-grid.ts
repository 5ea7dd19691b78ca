/** The charts of the lab in a fixed grid (fixed heights, so nothing jumps while training). */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import './bp-confusion.js';
import '../charts/index.js';
import type { BoundaryPoints, GradientTheory, InspectSource } from '../charts/index.js';
import type { RunState } from './run-state.js';
import type { ThroughputSample } from './throughput.js';

const HELP = {
  loss: 'The training loss of each run over the steps (log scale). A run whose loss stays flat is not learning. For a run with gradient clipping, short ticks in its colour along the bottom mark the logged steps where clipping acted (norm clipping scaled the gradient down, or value clipping cut some entries); hover a step to read by how much.',
  profile:
    'How large the gradient is at each layer, input side on the left, from the latest step. Backprop multiplies by each layer’s derivative on the way back: with sigmoid (σ′ ≤ ¼) the gradient shrinks layer after layer and the first layers barely learn — the vanishing gradient. Exact zeros (underflow) sit in the grey band. Dashed: the mean-field prediction for a plain network at initialisation — ‖δ‖² changes by a factor χ per layer, so the norm falls (χ < 1) or grows (χ > 1) by √χ per layer towards the input, drawn from the last hidden layer of the first recorded step. It describes the initial weights only: once training moves them, the measured line leaves it. Runs with normalisation or residual connections get no theory line. Untick “theory” to hide it.',
  heatmap: 'Gradient norm of every layer (rows, input at the bottom) at every recorded step (columns). Dark = tiny gradient.',
  saturation: 'Share of sigmoid/tanh units stuck near their limits (saturated, derivative ≈ 0), or of ReLU units that never fire (dead), per layer.',
  distributions:
    'How the values of one layer are spread at every logged step, TensorBoard-style: the median as a line, shaded bands from min to max, 7–93 %, 16–84 % and 31–69 % (darker = more central). Pick the quantity: pre-activations z (hidden layers), activations a, gradients ∂L/∂z, or the weights. Red shading marks where sigmoid or tanh saturate (σ′ or tanh′ near 0): a layer whose band sits there learns slowly. Quantiles come from a 256-bin histogram on the backend, each within 1/256 of its range.',
  boundary: 'What each network predicts over the plane, with the training points on top (2-D data only).',
  confusion: 'How many training points of each true class (rows) each network assigns to each class (columns); the diagonal is right.',
  network:
    'The network itself, one panel per run, input on the left. Each line is a weight, coloured and thickened by the size of its gradient |∂L/∂w| on the current batch (log scale, the same colours as the heatmap: dark = tiny, grey = exactly 0). Each circle is a unit, darker the larger its mean |activation| (or, switched, the share of the batch where it is saturated or dead). Wide layers show a sample of units and “+N more”; deep stacks fold their middle layers into one band — click it to unfold. Click a unit to see its chain rule with this step’s numbers: ∂L/∂a from the layer above, φ′(z), ∂L/∂w of its weights, and the product of the per-layer factors that makes its gradient large or small. For small networks (≤ 4 hidden layers of ≤ 8), “step through” walks one training step stage by stage (→ next, ← previous); each stage highlights what it reads (blue) and writes (orange). Everything is recomputed on the page in f64 from the parameters read back, at most once a second while the card is on screen.',
  throughput: 'Training speed on this backend: steps per second per run, samples per second over all runs, and arithmetic throughput.',
} as const;

/**
 * All the chart cards.
 */
@customElement('bp-chart-grid')
export class BpChartGrid extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: repeat(2, minmax(0, 1fr));
      gap: 10px;
      align-content: start;
    }
    .wide {
      grid-column: 1 / -1;
    }
    /* Three legend rows: the runs, their theory lines or accuracy, and the clipping marker. */
    bp-gradient-profile,
    bp-loss-chart {
      --bp-legend-height: 60px;
    }
    .pair {
      display: grid;
      grid-template-columns: repeat(var(--cols, 2), minmax(0, 1fr));
      gap: 8px;
    }
    /* A phone: one chart per row. */
    @media (max-width: 600px) {
      :host,
      .pair {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `;

  @property({ attribute: false }) runs: readonly RunState[] = [];
  /** Class names of a multiclass data set (a confusion matrix is shown), else empty. */
  @property({ attribute: false }) classes: readonly string[] = [];
  @property() version = '';
  /** Training points of 2-D data, else null (no decision boundary). */
  @property({ attribute: false }) points: BoundaryPoints | null = null;
  @property({ attribute: false }) rates: ThroughputSample | null = null;
  @property() backendLabel = '';
  /** Theory lines of the gradient profile by run id, and their labels. */
  @property({ attribute: false }) theory: GradientTheory | null = null;
  @property({ attribute: false }) theoryLabels: Readonly<Record<string, string>> = {};
  /** Where the Network card reads the runs' parameters and batch from; null: the card waits. */
  @property({ attribute: false }) inspect: InspectSource | null = null;

  override render(): TemplateResult {
    const runs = this.runs;
    const v = this.version;
    const cols = `--cols: ${Math.min(Math.max(runs.length, 1), 4)}`;
    return html`
      <bp-chart-card heading="Gradients" filename="gradient-per-layer" .help=${HELP.profile}>
        <bp-gradient-profile .runs=${runs} .version=${v} .theory=${this.theory} .theoryLabels=${this.theoryLabels} .height=${190}></bp-gradient-profile>
      </bp-chart-card>
      <bp-chart-card heading="Loss" .help=${HELP.loss}>
        <bp-loss-chart .runs=${runs} .version=${v} .height=${190}></bp-loss-chart>
      </bp-chart-card>
      <bp-chart-card class="wide" heading="Gradient norm of every layer over time" filename="gradient-heatmap" .help=${HELP.heatmap}>
        <div class="pair" style=${cols}>${runs.map((r) => html`<bp-grad-heatmap .run=${r} .version=${v} .height=${170}></bp-grad-heatmap>`)}</div>
      </bp-chart-card>
      <bp-chart-card heading="Saturation" filename="saturated-dead-units" .help=${HELP.saturation}>
        <bp-saturation-chart .runs=${runs} .version=${v} .height=${210}></bp-saturation-chart>
      </bp-chart-card>
      <bp-chart-card heading="Distributions" filename="distributions" .help=${HELP.distributions}>
        <bp-distributions .runs=${runs} .version=${v} .height=${190}></bp-distributions>
      </bp-chart-card>
      ${this.points
        ? html`<bp-chart-card heading="Predictions" filename="decision-boundary" .help=${HELP.boundary}>
            <div class="pair" style=${`--cols: ${Math.min(runs.length, 2)}`}>
              ${runs.map((r) => html`<bp-decision-boundary .run=${r} .points=${this.points} .version=${v} .size=${runs.length > 2 ? 110 : 180}></bp-decision-boundary>`)}
            </div>
          </bp-chart-card>`
        : nothing}
      ${this.classes.length > 2
        ? html`<bp-chart-card class="wide" heading="Confusion matrix (training data)" .help=${HELP.confusion}>
            <bp-confusion .runs=${runs} .classes=${this.classes} .version=${v}></bp-confusion>
          </bp-chart-card>`
        : nothing}
      <bp-chart-card class="wide" heading="Network" filename="network" .help=${HELP.network}>
        <bp-network-inspector .runs=${runs} .version=${v} .source=${this.inspect}></bp-network-inspector>
      </bp-chart-card>
      <bp-chart-card class="wide" heading="Throughput" .help=${HELP.throughput}>
        <bp-throughput
          .stepsPerSecond=${this.rates?.stepsPerSec ?? null}
          .samplesPerSecond=${this.rates?.samplesPerSec ?? null}
          .gflops=${this.rates?.gflops ?? null}
          .backendLabel=${this.backendLabel}
        ></bp-throughput>
      </bp-chart-card>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-chart-grid': BpChartGrid;
  }
}
