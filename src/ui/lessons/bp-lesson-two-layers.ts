/**
 * Lesson 4: the classic 2-2-1 network on XOR, AND or a circle, trained live by the Trainer on the exact CPU f64
 * backend, beside the from-scratch NumPy program and its equations with the current phase of a step highlighted. XOR
 * and AND run as the course text runs them (presets `xor-classic`, `and-classic`); the program's printout, the final
 * predictions and the summary come from the student's own run. Ends with the seven-step recipe.
 */
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LessonBackend } from './lesson-backend.js';
import type { TrainerSource } from './lesson-trainer.js';
import { makeDataset, type Dataset } from '../../core/datasets.js';
import type { Parameters } from '../../core/init.js';
import { lossValue } from '../../core/losses.js';
import '../charts/bp-decision-boundary.js';
import '../charts/bp-loss-chart.js';
import { RUN_COLORS } from '../run-view.js';
import { term } from './bp-term.js';
import { CLASSIC_ACTIVATIONS, CLASSIC_DATASETS, CLASSIC_INITS, classicHints, classicSettings, classicSpec, type ClassicSettings } from './classic-setup.js';
import { numpyProgram, numpyColumn, PHASES, programOutput, type Phase } from './classic-numpy.js';
import { classicEquations } from './classic-math.js';
import { hiddenOutputs, isTextRun, presetOf, saturatedCount, summarize, unseenCorners } from './classic-report.js';
import { LAB_EXPERIMENTS, labLink } from './lab-links.js';
import { RECIPE } from './recipe.js';
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
  /** Final parameters once the run is done (for the summary's saturation count and the new-point predictions). */
  @state() private final: Parameters | null = null;
  @state() private unseen: { x: Float64Array; y: Float64Array; n: number; pred: Float64Array } | null = null;
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

  private get backend(): TrainerSource | null {
    return this.cpu.source;
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
      this.cohort = new LessonCohort(
        this.backend!,
        this.data,
        [spec.model],
        [{ id: 'run0', label, color: RUN_COLORS[0], activation: this.settings.activation }],
        { ...spec.schedule, logEvery: CHART_EVERY },
        true,
      );
      this.walk = null;
      this.final = null;
      this.unseen = null;
      this.error = '';
      await this.refresh();
    });
  }

  private async refresh(): Promise<void> {
    const c = this.cohort;
    await c?.refreshBoundaries();
    if (c?.done && !this.final) this.final = (await c.trainer.readParameters())[0]!;
    this.revision++;
  }

  /** Change settings; choosing XOR or AND loads the course text's own setup for it (seed, epochs, learning rate). */
  private change(patch: Partial<ClassicSettings>): void {
    const d = patch.dataset;
    const base = d && d !== 'circle' && d !== this.settings.dataset ? classicSettings(d === 'and' ? 'and-classic' : 'xor-classic') : this.settings;
    this.settings = { ...base, ...patch };
    this.rebuild();
  }

  /** The recipe's last step: the trained network's answers for points it never saw. */
  private predictUnseen(): void {
    void this.loop.exclusive(async () => {
      const c = this.cohort;
      if (!c) return;
      const s = this.settings;
      const pts = s.dataset === 'circle' ? makeDataset({ ...classicSpec(s).data, seed: s.seed + 1000, samples: 6 }) : unseenCorners(s.dataset);
      const [pred] = await c.trainer.predict(pts.x, pts.n);
      this.unseen = { x: pts.x, y: pts.y, n: pts.n, pred: pred! };
    });
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
        if (c.step === this.settings.epochs - 1) c.lastPass = w.pred;
        const recs = await c.trainer.stepOnce(true);
        if (recs) c.keep(recs);
        const [grads] = await c.trainer.readGradients();
        this.walk = { ...w, phase: 'backward', grads: grads! };
      } else {
        const [after] = await c.trainer.readParameters();
        this.walk = { ...w, phase: 'update', after: after! };
        await this.refresh();
        if (c.done) this.renderRoot.querySelector('[aria-label="final predictions"]')?.scrollIntoView({ block: 'center' });
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

  /** The phase highlighted in the code and the equations ('all' while playing). */
  private phaseOn(): Phase | 'all' | null {
    return this.loop.playing ? 'all' : this.walk?.phase ?? null;
  }

  private code(): TemplateResult {
    const phase = this.phaseOn();
    return html`<pre class="code" tabindex="0" role="region" aria-label="NumPy code"><code>${numpyProgram(this.settings).map(
      (line) => html`<span class=${line.phase && (phase === 'all' || phase === line.phase) ? `line on ${line.phase}` : `line ${line.phase ?? ''}`} data-phase=${line.phase ?? 'setup'}>${line.text}</span>`,
    )}</code></pre>`;
  }

  private equations(): TemplateResult {
    const phase = this.phaseOn();
    return html`<div class="equations" role="region" tabindex="0" aria-label="the equations of one step">
      ${classicEquations(this.settings).map((e) => html`<div class=${`eq ${e.phase}${phase === 'all' || phase === e.phase ? ' on' : ''}`} data-eq=${e.id} data-phase=${e.phase}>${e.math}</div>`)}
    </div>`;
  }

  /** The program's printout, the final predictions and the summary, from the run's own numbers. */
  private results(): TemplateResult {
    const c = this.cohort;
    const d = this.data;
    const s = this.settings;
    const view = c?.views[0];
    if (!c || !d || !view) return html``;
    const losses = new Map(view.records.map((r) => [r.step, r.loss]));
    const a2 = c.lastPass;
    const out = programOutput(s, losses, a2 ? [...a2] : null, view.records.at(-1)?.accuracy ?? null);
    const first = view.records[0]?.loss;
    const lastLoss = view.records.at(-1)?.loss;
    const a1 = this.final ? hiddenOutputs(this.final, s.activation, d.x, d.n) : null;
    const summary = a2 && first !== undefined && lastLoss !== undefined ? summarize(s, first, lastLoss, a2, d.y, a1 ? saturatedCount(a1, s.activation) : null) : null;
    const rows = Math.min(d.n, 4);
    return html`
      <p>What the program prints${a2 ? '' : ' so far'}:</p>
      <pre class="output num" data-output tabindex="0" role="region" aria-label="program output">${out.join('\n') || '(nothing yet)'}</pre>
      ${a2
        ? html`<table class="num" aria-label="final predictions">
            <caption>Final predictions: a2 in the last epoch's forward pass${d.n > rows ? ` (first ${rows} of ${d.n} points)` : ''}</caption>
            <tr><th scope="col">x₁</th><th scope="col">x₂</th><th scope="col">y</th><th scope="col">a2</th><th scope="col">rounded</th><th scope="col">right?</th></tr>
            ${Array.from({ length: rows }, (_, i) => {
              const r = a2[i]! >= 0.5 ? 1 : 0;
              return html`<tr data-row=${i} data-a2=${String(a2[i])}><td>${f(d.x[2 * i]!, 3)}</td><td>${f(d.x[2 * i + 1]!, 3)}</td><td>${d.y[i]}</td><td>${a2[i]!.toFixed(8)}</td><td>${r}</td><td>${r === d.y[i] ? 'yes' : 'no'}</td></tr>`;
            })}
          </table>`
        : nothing}
      ${summary ? html`<p data-summary data-wrong=${summary.wrong}>${summary.sentences.join(' ')}</p>` : nothing}
      ${a2 && s.dataset === 'xor' && isTextRun(s) && summary && summary.wrong > 0
        ? html`<p class="note" data-note="xor-output">
            A note on the course text: it calls this program one that learns XOR, and its listing stops at "Final predictions:"
            without showing them. Run it and they are <span class="num">${numpyColumn([...a2].map((v) => Math.round(v))).replace(/\n/g, ' ')}</span>:
            ${summary.wrong} of 4 wrong. From seed 42 at learning rate 0.1, 10 000 epochs are not enough; step 4 shows what is.
          </p>`
        : nothing}
      ${a2 ? html`<p class="muted">a2 is printed as the program prints it: from the last epoch's forward pass, which comes before that epoch's update.</p>` : nothing}
      ${s.dataset === 'and'
        ? html`<p class="muted">The losses are printed in full, as Python prints a float. The last one or two of those 17 digits depend on the
            order in which the machine adds numbers up: the course text shows 0.034526774761455825 at epoch 2000, NumPy 2.4 on our
            machine 0.03452677476145581, this page a number within a few units of the last digit of both.</p>`
        : nothing}
      ${this.presetNote()}
    `;
  }

  private presetNote(): TemplateResult {
    const p = presetOf(this.settings);
    if (!p.name) return html`<p class="muted" data-preset="none">The circle has no CLI preset: these numbers come from this page's run only.</p>`;
    if (p.exact) {
      return html`<p class="muted" data-preset=${p.name}>
        The same numbers come out of <code>npm run -s lab -- train --preset ${p.name} --json</code>.
      </p>`;
    }
    return html`<p class="muted" data-preset="changed">
      You changed the settings, so no preset reproduces this run; <code>--preset ${p.name}</code> runs the unchanged ${this.settings.dataset.toUpperCase()} setup.
    </p>`;
  }

  private recipe(): TemplateResult {
    const u = this.unseen;
    return html`<ol class="recipe">
        ${RECIPE.map(
          (r) => html`<li data-recipe=${r.id}><b>${r.title}.</b> ${r.text}
            ${r.lab ? html`<a name="recipe-link" data-control=${r.control} href=${labLink(r.lab)}>${r.link} (lab control: ${r.control})</a>` : nothing}</li>`,
        )}
      </ol>
      <p class="row">
        <button name="predict-new" ?disabled=${!this.cohort?.done} @click=${() => this.predictUnseen()}>Predict on new points</button>
        ${this.cohort?.done ? nothing : html`<span class="muted">Train the network above first.</span>`}
      </p>
      ${u
        ? html`<table class="num" aria-label="predictions on new points">
            <tr><th scope="col">x₁</th><th scope="col">x₂</th><th scope="col">true label</th><th scope="col">prediction</th><th scope="col">right?</th></tr>
            ${Array.from({ length: u.n }, (_, i) => {
              const r = u.pred[i]! >= 0.5 ? 1 : 0;
              return html`<tr data-unseen=${i}><td>${f(u.x[2 * i]!, 3)}</td><td>${f(u.x[2 * i + 1]!, 3)}</td><td>${u.y[i]}</td><td>${f(u.pred[i]!, 4)}</td><td>${r === u.y[i] ? 'yes' : 'no'}</td></tr>`;
            })}
          </table>`
        : nothing}`;
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
        <tr><th scope="col">x₁</th><th scope="col">x₂</th><th scope="col">y</th><th scope="col">a2 (ŷ)</th></tr>
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
          Two inputs, one ${term('hidden-layer', 'hidden layer')} of two sigmoid units, one sigmoid output: the network of the course
          text's worked example. We teach it ${term('xor', 'XOR')}: output 1 when exactly one input is 1. The ${term('loss')} is the
          ${term('mse', 'mean squared error')}, every step uses all four examples (one step = one ${term('epoch')}), and the learning rate is 0.1.
          Below is the same program written from scratch in NumPy, with its equations. This page trains it with the lab's own
          trainer in 64-bit arithmetic, and the numbers agree with the NumPy program to about 12 digits.
        </p>
        <p>
          Choose <b>and</b> for the text's exercise: it learns AND from seed 0 for 5 000 epochs at learning rate 0.1 and prints
          its loss every 1 000 epochs at full precision. Choose <b>linear</b> as the hidden activation to see why a network needs a
          non-linear one: without it the two layers collapse into one straight-line rule, and XOR stays out of reach however
          long you train.
        </p>
        ${this.settingsForm()}
      </section>
      <section class="step">
        <h3>2. Train it, and watch the four phases</h3>
        <p class="row">
          <button class="primary" name="play" @click=${() => (this.loop.playing ? this.loop.pause() : this.play())} ?disabled=${!!c?.done}>${this.loop.playing ? 'Pause' : 'Train'}</button>
          <button name="phase" @click=${() => this.nextPhase()} ?disabled=${!!c?.done}>Next phase</button>
          <button name="reset" @click=${() => this.rebuild()}>Start again</button>
          <span class="num" aria-live="polite">epoch ${c?.step ?? 0} of ${this.settings.epochs}</span>
        </p>
        <div class="phases">${PHASES.map((p) => html`<span class=${`chip ${p} ${this.walk?.phase === p || this.loop.playing ? 'on' : ''}`}>${p}</span>`)}</div>
        <div class="cols">
          ${this.code()}
          ${this.equations()}
        </div>
        ${this.walkView()}
        ${this.error ? html`<p class="note warn">${this.error}</p>` : nothing}
      </section>
      <section class="step">
        <h3>3. The loss, epoch by epoch</h3>
        <div class="cols">
          <div>
            <table aria-label="loss at logged epochs" class="logged">
              <tr><th>epoch</th><th>loss</th><th>accuracy</th></tr>
              ${rows.map((r) => html`<tr data-step=${r.step}><td class="num">${r.step}</td><td class="num" data-loss=${String(r.loss)}>${r.loss.toPrecision(12)}</td><td class="num">${r.accuracy === null ? '' : `${Math.round(r.accuracy * 100)} %`}</td></tr>`)}
            </table>
            ${last ? html`<p>Now: loss <span class="num">${last.loss.toPrecision(6)}</span>, ${last.accuracy === null ? '' : html`<span class="num">${Math.round(last.accuracy * 100)} %</span> right`}.</p>` : nothing}
            ${this.results()}
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
          And pick <b>linear</b>: however many units, the boundary stays one straight line.
          <a href=${labLink(LAB_EXPERIMENTS.linearXor)}>A deep linear network on XOR in the lab</a>.
        </p>
      </section>
      <section class="step">
        <h3>5. The recipe for a real problem</h3>
        <p>Everything above follows seven steps, the same for any problem a network is trained on. Each opens the lab at the control that does it.</p>
        ${this.recipe()}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-two-layers': BpLessonTwoLayers;
  }
}
