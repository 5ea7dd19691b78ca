/**
 * Lesson 4: the classic 2-2-1 network on XOR, AND or a circle, trained live by the Trainer on the exact CPU f64
 * backend, beside the from-scratch NumPy program with the current phase of a step highlighted. The losses at the
 * logged epochs are the ones `node scripts/lab.mjs train --preset xor-classic --json` prints.
 */
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LessonBackend } from './lesson-backend.js';
import type { Backend } from '../../backend/backend.js';
import { makeDataset, type Dataset } from '../../core/datasets.js';
import type { Parameters } from '../../core/init.js';
import { lossValue } from '../../core/losses.js';
import '../charts/bp-decision-boundary.js';
import '../charts/bp-loss-chart.js';
import { RUN_COLORS } from '../run-view.js';
import { term } from './bp-term.js';
import { CLASSIC_ACTIVATIONS, CLASSIC_DATASETS, CLASSIC_INITS, classicHints, classicSettings, classicSpec, type ClassicSettings } from './classic-setup.js';
import { numpyProgram, PHASES, type Phase } from './classic-numpy.js';
import { cohortsVersion, LessonCohort } from './lesson-cohort.js';
import { LessonElement } from './lesson-element.js';
import { LessonLoop } from './lesson-loop.js';
import { lessonStyles } from './lesson-styles.js';
import { twoLayerStyles } from './two-layer-styles.js';
import { formatNumber as f } from './neuron-math.js';

/** Records are kept this often for the loss chart (the table shows the preset's logged epochs). */
const CHART_EVERY = 100;

/** What the phase walk-through has shown so far in the current step. */
interface Walk {
  readonly phase: Phase;
  readonly pred: Float64Array;
  readonly loss: number;
  readonly before: Parameters;
  readonly grads?: Parameters;
  readonly after?: Parameters;
}

/**
 * Lesson 4. Logged losses are in `tr[data-step]` rows, each loss cell with `data-loss` at full precision;
 * the run's state is in the host's `data-state` (idle, playing, done).
 */
@customElement('bp-lesson-two-layers')
export class BpLessonTwoLayers extends LessonElement {
  static override styles = [lessonStyles, twoLayerStyles];

  @state() private settings: ClassicSettings = classicSettings('xor-classic');
  @state() private walk: Walk | null = null;
  @state() private revision = 0;
  @state() private error = '';
  private cohort: LessonCohort | null = null;
  private data: Dataset | null = null;
  private readonly loop = new LessonLoop(
    this,
    () => this.refresh(),
    (e) => (this.error = e instanceof Error ? e.message : String(e)),
  );
  private readonly cpu = new LessonBackend(this, 'f64', () => {
    this.cohort?.dispose();
    this.cohort = null;
  });

  private get backend(): Backend | null {
    return this.cpu.backend;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.rebuild();
  }

  private rebuild(): void {
    this.loop.pause();
    void this.loop.exclusive(async () => {
      this.cohort?.dispose();
      const spec = classicSpec(this.settings);
      this.data = makeDataset(spec.data);
      const label = `${this.settings.hidden} ${this.settings.activation} units · lr ${this.settings.lr}`;
      this.cohort = new LessonCohort(this.backend!, this.data, [spec.model], [{ id: 'run0', label, color: RUN_COLORS[0], activation: this.settings.activation }], {
        ...spec.schedule,
        logEvery: CHART_EVERY,
      });
      this.walk = null;
      this.error = '';
      await this.refresh();
    });
  }

  private async refresh(): Promise<void> {
    await this.cohort?.refreshBoundaries();
    this.revision++;
  }

  private change(patch: Partial<ClassicSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.rebuild();
  }

  private play(): void {
    this.walk = null;
    this.loop.stepsPerFrame = null;
    this.loop.play(() => (this.cohort ? [this.cohort] : []));
  }

  /** Advance the walk-through by one phase (forward → loss → backward → update → next step's forward). */
  private nextPhase(): void {
    this.loop.pause();
    void this.loop.exclusive(async () => {
      const c = this.cohort;
      const d = this.data;
      if (!c || !d || c.done) return;
      const w = this.walk;
      if (!w || w.phase === 'update') {
        const [pred] = await c.trainer.predict(d.x, d.n);
        const [before] = await c.trainer.readParameters();
        this.walk = { phase: 'forward', pred: pred!, loss: lossValue('mse', pred!, d.y, d.n, 1), before: before! };
      } else if (w.phase === 'forward') {
        this.walk = { ...w, phase: 'loss' };
      } else if (w.phase === 'loss') {
        const r = c.trainer.stepOnce(true);
        if (r) c.keep(await r);
        const [grads] = await c.trainer.readGradients();
        this.walk = { ...w, phase: 'backward', grads: grads! };
      } else {
        const [after] = await c.trainer.readParameters();
        this.walk = { ...w, phase: 'update', after: after! };
        await this.refresh();
      }
    });
  }

  private loggedRows(): { step: number; loss: number; accuracy: number | null }[] {
    const c = this.cohort;
    if (!c) return [];
    const every = classicSpec(this.settings).schedule.logEvery;
    const last = this.settings.epochs - 1;
    return c.views[0]!.records.filter((r) => r.step % every === 0 || r.step === last);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const c = this.cohort;
    this.dataset['state'] = this.loop.playing ? 'playing' : c?.done ? 'done' : 'idle';
    this.dataset['step'] = String(c?.step ?? 0);
  }

  private settingsForm(): TemplateResult {
    const s = this.settings;
    const num = (name: keyof ClassicSettings, label: string, min: number, max: number, stepSize: number) =>
      html`<label>${label}<input type="number" name=${name} min=${min} max=${max} step=${stepSize} .value=${String(s[name])}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isFinite(v) && v >= min && v <= max) this.change({ [name]: v });
        }} /></label>`;
    const pick = <K extends 'dataset' | 'activation' | 'init'>(name: K, label: string, options: readonly ClassicSettings[K][]) =>
      html`<label>${label}<select name=${name} @change=${(e: Event) => this.change({ [name]: (e.target as HTMLSelectElement).value })}>
        ${options.map((o) => html`<option value=${o} ?selected=${o === s[name]}>${o}</option>`)}
      </select></label>`;
    return html`<div class="row">
      ${pick('dataset', 'data', CLASSIC_DATASETS)} ${num('hidden', 'hidden units', 1, 16, 1)} ${pick('activation', 'hidden activation', CLASSIC_ACTIVATIONS)}
      ${pick('init', 'initialisation', CLASSIC_INITS)} ${num('lr', 'learning rate', 0.001, 50, 0.1)} ${num('epochs', 'epochs', 1, 200000, 1000)}
      ${num('seed', 'seed', 0, 100000, 1)}
    </div>`;
  }

  private code(): TemplateResult {
    const phase = this.loop.playing ? 'all' : this.walk?.phase ?? null;
    return html`<pre class="code" aria-label="NumPy code"><code>${numpyProgram(this.settings).map(
      (line) => html`<span class=${line.phase && (phase === 'all' || phase === line.phase) ? `line on ${line.phase}` : `line ${line.phase ?? ''}`} data-phase=${line.phase ?? 'setup'}>${line.text}</span>`,
    )}</code></pre>`;
  }

  private matrix(name: string, m: Float64Array | undefined, cols: number): TemplateResult {
    if (!m) return html``;
    const rows = Array.from({ length: m.length / cols }, (_, r) => Array.from(m.subarray(r * cols, (r + 1) * cols)));
    return html`<div class="mat"><span class="num">${name} =</span><table class="num">${rows.map((row) => html`<tr>${row.map((v) => html`<td>${f(v, 4)}</td>`)}</tr>`)}</table></div>`;
  }

  private walkView(): TemplateResult {
    const w = this.walk;
    const d = this.data;
    if (!w || !d) return html`<p class="muted">Press <b>Next phase</b> to walk through one training step.</p>`;
    const h = this.settings.hidden;
    const rows = Math.min(d.n, 4);
    return html`<div class="walk">
      <p><b>Epoch ${this.cohort?.views[0]?.records.at(-1)?.step ?? 0} · phase: ${w.phase}</b></p>
      <table class="num" aria-label="predictions">
        <tr><th>x₁</th><th>x₂</th><th>y</th><th>a2 (ŷ)</th></tr>
        ${Array.from({ length: rows }, (_, i) => html`<tr><td>${f(d.x[2 * i]!, 3)}</td><td>${f(d.x[2 * i + 1]!, 3)}</td><td>${d.y[i]}</td><td>${f(w.pred[i]!, 5)}</td></tr>`)}
      </table>
      ${w.phase !== 'forward' ? html`<p class="num">loss = ${w.loss.toPrecision(10)}</p>` : nothing}
      ${w.grads ? html`<div class="row">${this.matrix('dW1', w.grads.weights[0], h)}${this.matrix('db1', w.grads.biases[0], h)}${this.matrix('dW2', w.grads.weights[1], 1)}${this.matrix('db2', w.grads.biases[1], 1)}</div>` : nothing}
      ${w.after ? html`<div class="row">${this.matrix('W1 before', w.before.weights[0], h)}${this.matrix('W1 after', w.after.weights[0], h)}${this.matrix('W2 after', w.after.weights[1], 1)}</div>` : nothing}
    </div>`;
  }

  override render(): TemplateResult {
    const c = this.cohort;
    const view = c?.views[0] ?? null;
    const d = this.data;
    const rows = this.loggedRows();
    const last = view?.records.at(-1);
    const version = `${cohortsVersion(c ? [c] : [], this.revision)}`;
    return html`
      <h2>Two layers, from scratch</h2>
      <section class="step">
        <h3>1. The network</h3>
        <p>
          Two inputs, one ${term('hidden-layer', 'hidden layer')} of two sigmoid units, one sigmoid output: the network the first
          ${term('backpropagation')} tutorials use. We teach it ${term('xor', 'XOR')}: output 1 when exactly one input is 1. The ${term('loss')} is the
          ${term('mse', 'mean squared error')}, every step uses all four examples (one step = one ${term('epoch')}), and the learning rate is 0.1.
          Below is the same program written from scratch in NumPy. This page trains it with the lab's own trainer in
          64-bit arithmetic, and the numbers agree with the NumPy program to about 12 digits.
        </p>
        ${this.settingsForm()}
      </section>
      <section class="step">
        <h3>2. Train it, and watch the four phases</h3>
        <div class="cols">
          <div>
            <p class="row">
              <button class="primary" name="play" @click=${() => (this.loop.playing ? this.loop.pause() : this.play())} ?disabled=${!!c?.done}>${this.loop.playing ? 'Pause' : 'Train'}</button>
              <button name="phase" @click=${() => this.nextPhase()} ?disabled=${!!c?.done}>Next phase</button>
              <button name="reset" @click=${() => this.rebuild()}>Start again</button>
              <span class="num" aria-live="polite">epoch ${c?.step ?? 0} of ${this.settings.epochs}</span>
            </p>
            <div class="phases">${PHASES.map((p) => html`<span class=${`chip ${p} ${this.walk?.phase === p || this.loop.playing ? 'on' : ''}`}>${p}</span>`)}</div>
            ${this.walkView()}
            ${this.error ? html`<p class="note warn">${this.error}</p>` : nothing}
          </div>
          ${this.code()}
        </div>
      </section>
      <section class="step">
        <h3>3. The loss, epoch by epoch</h3>
        <div class="cols">
          <div>
            <table aria-label="loss at logged epochs" class="logged">
              <tr><th>epoch</th><th>loss</th><th>accuracy</th></tr>
              ${rows.map((r) => html`<tr data-step=${r.step}><td class="num">${r.step}</td><td class="num" data-loss=${String(r.loss)}>${r.loss.toPrecision(12)}</td><td class="num">${r.accuracy === null ? '' : `${Math.round(r.accuracy * 100)} %`}</td></tr>`)}
            </table>
            <p class="muted">
              The same numbers come out of <code>node scripts/lab.mjs train --preset ${this.settings.dataset === 'and' ? 'and' : 'xor'}-classic --json</code>
              with the preset's settings.
            </p>
            ${last ? html`<p>Now: loss <span class="num">${last.loss.toPrecision(6)}</span>, ${last.accuracy === null ? '' : html`<span class="num">${Math.round(last.accuracy * 100)} %</span> right`}.</p>` : nothing}
          </div>
          <div class="charts">
            <bp-loss-chart .runs=${view ? [view] : []} .version=${version} .height=${220} log-scale></bp-loss-chart>
            <bp-decision-boundary .run=${view} .points=${d ? { x: d.x, y: d.y, n: d.n } : null} .version=${version} .size=${220}></bp-decision-boundary>
          </div>
        </div>
      </section>
      <section class="step">
        <h3>4. Stuck? Find out what fixes it</h3>
        <p>
          With these settings XOR learns slowly: after 10 000 epochs two answers are still wrong. Is the
          ${term('learning-rate', 'learning rate')} too small? Is the start unlucky? Are two hidden units too few? Try each button, train, and read
          the loss.
        </p>
        <ul class="hints">
          ${classicHints().map(
            (h) => html`<li><button name=${`hint-${h.id}`} @click=${() => this.change(h.settings)}>${h.label}</button> <details><summary>what happens?</summary>${h.outcome}</details></li>`,
          )}
        </ul>
        <p>
          Then pick <b>circle</b> as the data: the points inside a circle are one class. Two hidden units can only draw two
          straight edges; give the network more units and watch the ${term('decision-boundary', 'decision boundary')} become round.
        </p>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-two-layers': BpLessonTwoLayers;
  }
}
