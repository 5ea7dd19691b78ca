/**
 * Lesson 6: handwritten digits. A deep sigmoid and a deep ReLU network train side by side on the CPU; their
 * accuracy on held-out digits is measured as they go; a grid shows test digits with both networks' guesses;
 * a speed check times the same work on the CPU and on WebGPU.
 */
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LessonBackend } from './lesson-backend.js';
import type { TrainerSource } from './lesson-trainer.js';
import type { Dataset } from '../../core/datasets.js';
import '../charts/bp-loss-chart.js';
import { RUN_COLORS } from '../run-view.js';
import './bp-digit-grid.js';
import type { DigitGuesses } from './bp-digit-grid.js';
import { term } from './bp-term.js';
import { cohortsVersion, LessonCohort } from './lesson-cohort.js';
import { LessonElement } from './lesson-element.js';
import { LessonLoop } from './lesson-loop.js';
import { lessonStyles } from './lesson-styles.js';
import { argmaxAt, digitAccuracy, digitsDataset, loadDigits, type DigitSet } from './mnist-asset.js';
import { MNIST_CLAIM, MNIST_DEPTH, MNIST_EVAL_EVERY, MNIST_STEPS, MNIST_WIDTH, mnistModel, mnistSchedule } from './mnist-setup.js';
import { measureSpeed, type SpeedResult } from './speed-check.js';

/** Test digits shown in the grid. */
const GRID_COUNT = 30;

/** Held-out accuracy of both networks at one step. */
interface Evaluation {
  readonly step: number;
  readonly sigmoid: number;
  readonly relu: number;
}

/**
 * Lesson 6. The host carries `data-step`, `data-source` (mnist | synthetic) and `data-state`; the latest held-out
 * accuracies are in `[data-test-accuracy=sigmoid|relu]`.
 */
@customElement('bp-lesson-mnist')
export class BpLessonMnist extends LessonElement {
  static override styles = [lessonStyles];

  @state() private digits: DigitSet | null = null;
  @state() private fallback: string | null = null;
  @state() private evaluations: Evaluation[] = [];
  @state() private guesses: DigitGuesses[] = [];
  @state() private speed: SpeedResult[] = [];
  @state() private measuring = false;
  @state() private revision = 0;
  @state() private error = '';
  private cohort: LessonCohort | null = null;
  private test: Dataset | null = null;
  private readonly loop = new LessonLoop(this, () => this.afterFrame(), (e) => (this.error = e instanceof Error ? e.message : String(e)));
  private readonly cpu = new LessonBackend(this, 'f32', () => {
    this.cohort?.dispose();
    this.cohort = null;
  });

  private get backend(): TrainerSource | null {
    return this.cpu.source;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.loop.chunk = 4;
    void this.loop.exclusive(async () => {
      const loaded = await loadDigits();
      this.digits = loaded.digits;
      this.fallback = loaded.fallback;
      this.build();
    });
  }

  private build(): void {
    const d = this.digits;
    if (!d || !this.backend) return;
    this.cohort?.dispose();
    const train = digitsDataset(d.train, d.side);
    this.test = digitsDataset(d.test, d.side);
    const inputDim = d.side * d.side;
    this.cohort = new LessonCohort(this.backend, train, [mnistModel('sigmoid', inputDim), mnistModel('relu', inputDim)], [
      { id: 'sigmoid', label: `${MNIST_DEPTH} sigmoid layers`, color: RUN_COLORS[0], activation: 'sigmoid' },
      { id: 'relu', label: `${MNIST_DEPTH} ReLU layers`, color: RUN_COLORS[1], activation: 'relu' },
    ], mnistSchedule());
    this.evaluations = [];
    this.guesses = [];
    this.revision++;
  }

  private restart(): void {
    this.loop.pause();
    void this.loop.exclusive(async () => {
      this.build();
      await this.evaluate();
    });
  }

  private async afterFrame(): Promise<void> {
    const c = this.cohort;
    const last = this.evaluations.at(-1)?.step ?? -Infinity;
    if (c && (c.step - last >= MNIST_EVAL_EVERY || (c.done && last !== c.step))) await this.evaluate();
    this.revision++;
  }

  /** Accuracy of both networks on the held-out digits, and their guesses for the grid. */
  private async evaluate(): Promise<void> {
    const c = this.cohort;
    const test = this.test;
    const d = this.digits;
    if (!c || !test || !d) return;
    const [sig, relu] = await c.trainer.predict(test.x, test.n);
    this.evaluations = [...this.evaluations, { step: c.step, sigmoid: digitAccuracy(sig!, d.test.labels), relu: digitAccuracy(relu!, d.test.labels) }];
    const guess = (p: Float64Array) => Array.from({ length: GRID_COUNT }, (_, i) => argmaxAt(p, i * 10, 10));
    this.guesses = [
      { name: 'S', color: '#0072B2', guesses: guess(sig!) },
      { name: 'R', color: '#D55E00', guesses: guess(relu!) },
    ];
  }

  private async measure(): Promise<void> {
    const d = this.digits;
    if (!d || this.measuring) return;
    this.loop.pause();
    this.measuring = true;
    this.speed = [];
    try {
      const train = digitsDataset(d.train, d.side);
      const models = [mnistModel('sigmoid', d.side * d.side), mnistModel('relu', d.side * d.side)];
      for (const request of ['cpu', 'webgpu'] as const) {
        this.speed = [...this.speed, await this.loop.exclusive(() => measureSpeed(request, train, models, mnistSchedule()))];
      }
    } finally {
      this.measuring = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.dataset['step'] = String(this.cohort?.step ?? 0);
    this.dataset['source'] = this.digits?.source ?? '';
    this.dataset['state'] = !this.digits ? 'loading' : this.loop.playing ? 'playing' : this.cohort?.done ? 'done' : 'idle';
  }

  private speedTable(): TemplateResult | typeof nothing {
    if (!this.speed.length) return nothing;
    const cpu = this.speed.find((s) => s.request === 'cpu')?.msPerStep ?? null;
    return html`<table aria-label="speed">
      <tr><th scope="col">backend</th><th scope="col">ms per step</th><th scope="col">steps per second</th><th scope="col">note</th></tr>
      ${this.speed.map(
        (s) => html`<tr data-backend=${s.request}><td style="text-align:left">${s.request === 'cpu' ? s.name : `WebGPU · ${s.name}`}</td>
          <td class="num" data-ms=${s.msPerStep ?? ''}>${s.msPerStep === null ? '—' : s.msPerStep.toFixed(2)}</td>
          <td class="num">${s.msPerStep === null ? '—' : (1000 / s.msPerStep).toFixed(0)}</td>
          <td style="text-align:left">${s.note}${s.msPerStep !== null && cpu !== null && s.request === 'webgpu' ? ` (${(cpu / s.msPerStep).toFixed(2)}× the CPU's speed)` : ''}</td></tr>`,
      )}
    </table>`;
  }

  override render(): TemplateResult {
    const d = this.digits;
    const c = this.cohort;
    const ev = this.evaluations.at(-1);
    const version = cohortsVersion(c ? [c] : [], this.revision);
    return html`
      <h2>A real problem: handwritten digits</h2>
      <section class="step">
        <h3>1. The data</h3>
        <p>
          MNIST is a classic collection of handwritten digits. Here are a few of the ${d ? d.train.n : '…'} training digits
          (shrunk to ${d?.side ?? 14}×${d?.side ?? 14} pixels so that everything runs quickly in your browser). Another
          ${d ? d.test.n : '…'} digits are kept apart as a ${term('test-set', 'test set')}: the networks never train on them, so they
          tell us how well the networks really read digits.
        </p>
        ${this.fallback
          ? html`<p class="note warn" data-fallback>The MNIST file is not installed on this server (${this.fallback}), so these are synthetic stand-in digits drawn from seven-segment strokes.</p>`
          : nothing}
        ${d ? html`<bp-digit-grid .images=${d.train.images} .labels=${d.train.labels} .side=${d.side} .count=${20}></bp-digit-grid>` : html`<p class="muted">Loading the digits…</p>`}
      </section>
      <section class="step">
        <h3>2. Deep sigmoid vs deep ReLU</h3>
        <p>
          Two networks with ${MNIST_DEPTH} hidden layers of ${MNIST_WIDTH} units, ${term('softmax')} outputs and the
          ${term('cross-entropy')} loss, train on ${term('batch', 'mini-batches')} of 50 digits with plain gradient descent. After
          ${MNIST_CLAIM.steps} steps the ReLU network reads more than ${Math.round(MNIST_CLAIM.reluAbove * 100)} % of the test digits
          correctly; the sigmoid network is still guessing (10 % is chance).
        </p>
        <div class="row">
          <button class="primary" name="play" ?disabled=${!c || c.done} @click=${() => (this.loop.playing ? this.loop.pause() : this.loop.play(() => (this.cohort ? [this.cohort] : [])))}>${this.loop.playing ? 'Pause' : 'Train'}</button>
          <button name="reset" ?disabled=${!c} @click=${() => this.restart()}>Start again</button>
          <span class="num">step ${c?.step ?? 0} of ${MNIST_STEPS}</span>
        </div>
        <table aria-label="held-out accuracy">
          <tr><th scope="col">measure</th><th scope="col">sigmoid</th><th scope="col">ReLU</th></tr>
          <tr>
            <th>${term('accuracy')} on test digits${ev ? ` (step ${ev.step})` : ''}</th>
            <td class="num" data-test-accuracy="sigmoid" data-value=${ev?.sigmoid ?? ''}>${ev ? `${(ev.sigmoid * 100).toFixed(1)} %` : '—'}</td>
            <td class="num" data-test-accuracy="relu" data-value=${ev?.relu ?? ''}>${ev ? `${(ev.relu * 100).toFixed(1)} %` : '—'}</td>
          </tr>
        </table>
        <bp-loss-chart .runs=${c?.views ?? []} .version=${version} .height=${220} log-scale show-accuracy></bp-loss-chart>
        ${this.error ? html`<p class="note warn">${this.error}</p>` : nothing}
      </section>
      <section class="step">
        <h3>3. What the networks read</h3>
        <p>The first ${GRID_COUNT} test digits with each network's guess — S: the sigmoid network, R: the ReLU network; a red ✗ marks a wrong guess. Train first, then look again.</p>
        ${d ? html`<bp-digit-grid .images=${d.test.images} .labels=${d.test.labels} .side=${d.side} .count=${GRID_COUNT} .guesses=${this.guesses}></bp-digit-grid>` : nothing}
      </section>
      <section class="step">
        <h3>4. CPU or GPU?</h3>
        <p>
          The same training step timed on your processor and on your ${term('gpu', 'GPU')} (through WebGPU). Networks this small
          give a GPU little to do in each step, so the CPU can win here; the lab's bigger networks are where the GPU pulls ahead.
        </p>
        <p><button name="measure" ?disabled=${!d || this.measuring} @click=${() => void this.measure()}>${this.measuring ? 'Measuring…' : 'Measure the speed'}</button></p>
        ${this.speedTable()}
      </section>
      <section class="step" data-section="real-world">
        <h3>5. The same principle, everywhere</h3>
        <p>
          Reading digits is image classification, the first of the course text's real-world uses. Speech recognition (sound to
          text) and language models (predicting the next word, translating, writing) are the others. All three train the same
          way as the networks on this page: compute the error, ${term('backpropagation', 'backpropagate')} it, adjust every weight.
          And in each, the ${term('vanishing-gradient', 'vanishing gradient')} struck when the networks grew deep:
        </p>
        <ul>
          <li>
            <b>Speech and language, through time.</b> A recurrent network reads a sentence or a sound one step at a time with the
            same weights, so backpropagation through time multiplies one factor per time step: over a hundred steps the signal
            from early words or sounds vanished (Hochreiter 1991; Bengio, Simard and Frasconi 1994). The fix was gates: the LSTM
            (1997) and later the GRU (2014) carry a memory cell along an additive path the gradient can follow. Today's language
            models (transformers) avoid the long chain altogether with attention, and keep residual connections around every block.
          </li>
          <li>
            <b>Images, through depth.</b> Convolutional networks for images got better with depth, until around twenty layers
            adding more made even the training error worse. ${term('residual', 'Residual connections')} (He et al., 2015) gave the
            gradient a shortcut around every block, and networks of 152 layers won ImageNet.
          </li>
        </ul>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-mnist': BpLessonMnist;
  }
}
