/**
 * Lesson 5: the vanishing gradient in a deep network — a sigmoid stack beside a ReLU stack with the gradient
 * profile, then the fixes: ReLU, initialisation (links into the lab), optimizers (a race run here), batch
 * normalisation and residual connections, clipping for the exploding case, and the mean-field theory line.
 */
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LessonBackend } from './lesson-backend.js';
import type { TrainerSource } from './lesson-trainer.js';
import { makeDataset } from '../../core/datasets.js';
import '../charts/bp-gradient-profile.js';
import '../charts/bp-loss-chart.js';
import { RUN_COLORS } from '../run-view.js';
import { term } from './bp-term.js';
import { DEEP_WIDTH, gradientCost, parameterCount, PROFILE_DEPTH, profileSpec, RACE_STEPS, raceEntries } from './deep-setup.js';
import { LAB_EXPERIMENTS, labLink } from './lab-links.js';
import { cohortsVersion, LessonCohort } from './lesson-cohort.js';
import { LessonElement } from './lesson-element.js';
import { LessonLoop } from './lesson-loop.js';
import { lessonStyles } from './lesson-styles.js';
import { formatNumber } from './neuron-math.js';

/**
 * Lesson 5. The profile section's host data: `data-profile-step`, `data-race-step`.
 */
@customElement('bp-lesson-deep')
export class BpLessonDeep extends LessonElement {
  static override styles = [lessonStyles];

  @state() private depth = PROFILE_DEPTH;
  @state() private revision = 0;
  @state() private error = '';
  private profile: LessonCohort | null = null;
  private race: LessonCohort[] = [];
  private readonly onError = (e: unknown) => (this.error = e instanceof Error ? e.message : String(e));
  private readonly profileLoop = new LessonLoop(this, () => void this.revision++, this.onError);
  private readonly raceLoop = new LessonLoop(this, () => void this.revision++, this.onError);
  private readonly cpu = new LessonBackend(this, 'f32', () => {
    this.profile?.dispose();
    this.race.forEach((c) => c.dispose());
    this.profile = null;
    this.race = [];
  });

  private get backend(): TrainerSource | null {
    return this.cpu.source;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.buildProfile();
    this.buildRace();
  }

  private buildProfile(): void {
    this.profileLoop.pause();
    void this.profileLoop.exclusive(async () => {
      this.profile?.dispose();
      const sig = profileSpec('sigmoid', this.depth);
      const relu = profileSpec('relu', this.depth);
      this.profile = new LessonCohort(this.backend!, makeDataset(sig.data), [sig.model, relu.model], [
        { id: 'sigmoid', label: `sigmoid · Xavier`, color: RUN_COLORS[0], activation: 'sigmoid' },
        { id: 'relu', label: `ReLU · He`, color: RUN_COLORS[1], activation: 'relu' },
      ], sig.schedule);
      await this.profile.advance(1);
      this.revision++;
    });
  }

  private buildRace(): void {
    this.raceLoop.pause();
    void this.raceLoop.exclusive(() => {
      this.race.forEach((c) => c.dispose());
      const entries = raceEntries();
      const data = makeDataset(entries[0]!.spec.data);
      this.race = entries.map(
        (e, i) => new LessonCohort(this.backend!, data, [e.spec.model], [{ id: e.id, label: e.label, color: RUN_COLORS[i % RUN_COLORS.length]!, activation: 'sigmoid' }], e.spec.schedule),
      );
      this.revision++;
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.dataset['profileStep'] = String(this.profile?.step ?? 0);
    this.dataset['raceStep'] = String(Math.min(...this.race.map((c) => c.step), Infinity));
  }

  private ratio(): TemplateResult | typeof nothing {
    const views = this.profile?.views;
    const sig = views?.[0]?.records.at(-1)?.gradNorms;
    const relu = views?.[1]?.records.at(-1)?.gradNorms;
    if (!sig || !relu) return nothing;
    const share = (g: readonly number[]) => g[0]! / Math.max(g[g.length - 1]!, 1e-300);
    return html`<p class="num" aria-live="polite">
      First layer ÷ last layer: sigmoid <b data-ratio="sigmoid" data-value=${share(sig)}>${formatNumber(share(sig), 2)}</b>, ReLU <b data-ratio="relu" data-value=${share(relu)}>${formatNumber(share(relu), 2)}</b>.
    </p>`;
  }

  /** Finite differences against backpropagation, counted for the network of the slider. */
  private costParagraph(): TemplateResult {
    const sizes = [2, ...Array<number>(this.depth).fill(DEEP_WIDTH), 1];
    const p = parameterCount(sizes);
    const cost = gradientCost(p);
    const n = (v: number) => v.toLocaleString('en-US');
    return html`<p data-cost data-params=${p}>
      There is a simpler way to get a gradient: nudge one weight by a tiny amount, run the network forward again and see how
      much the loss moves (a finite difference). It needs one forward pass per weight. The network above (${this.depth} hidden
      layers of ${DEEP_WIDTH}) has <b>${n(p)}</b> weights and biases, so one gradient costs <b>${n(cost.forwardDifferences)}</b> forward
      passes (${n(cost.centralDifferences)} with the more accurate central differences). Backpropagation gets all ${n(p)} derivatives
      exactly from one forward and one backward pass, together about ${cost.backprop} forward passes' worth of work: about
      ${n(Math.round(cost.forwardDifferences / cost.backprop))} times less here, and the gap grows with every weight added. (The course text
      calls the cost of backpropagation linear in the number of parameters; so is one pass, and finite differences are
      quadratic, one pass per parameter, not exponential.)
    </p>`;
  }

  /** The measured first ÷ last gradient ratio of the student's run, in words. */
  private ratioSentence(): TemplateResult {
    const views = this.profile?.views;
    const sig = views?.[0]?.records.at(-1)?.gradNorms;
    const relu = views?.[1]?.records.at(-1)?.gradNorms;
    if (!sig || !relu) return html`Measuring the gradients of the first step…`;
    const times = (g: readonly number[]) => g[g.length - 1]! / Math.max(g[0]!, 1e-300);
    return html`In this run (${this.depth} hidden layers, step ${this.profile?.step ?? 0}) the sigmoid stack's first layer gets a
      gradient <b data-times="sigmoid">${formatNumber(times(sig), 2)}</b> times smaller than its last layer's, so it hardly
      changes; the ReLU stack's ratio is ${formatNumber(times(relu), 2)}.`;
  }

  override render(): TemplateResult {
    const version = cohortsVersion([...(this.profile ? [this.profile] : []), ...this.race], this.revision);
    const profileRuns = this.profile?.views ?? [];
    const raceRuns = this.race.map((c) => c.views[0]!);
    const raceStep = Math.min(...this.race.map((c) => c.step), RACE_STEPS);
    return html`
      <h2>Deep networks and the vanishing gradient</h2>
      <section class="step">
        <h3>1. Sigmoid vs ReLU, layer by layer</h3>
        <p>
          Two ${term('deep-network', 'deep networks')} of the same shape learn to separate the two arms of a spiral. One uses
          ${term('sigmoid')} units, the other ${term('relu', 'ReLU')} units. The chart shows, for every layer, how large its
          ${term('gradient')} is — on a log scale, input side on the left. Each step to the left multiplies by another
          layer's slope.
        </p>
        <div class="row">
          <label>hidden layers<input type="range" name="depth" min="2" max="30" .value=${String(this.depth)} @change=${(e: Event) => ((this.depth = Number((e.target as HTMLInputElement).value)), this.buildProfile())} /></label>
          <span class="num">${this.depth}</span>
          <button class="primary" name="play-profile" @click=${() => (this.profileLoop.playing ? this.profileLoop.pause() : this.profileLoop.play(() => (this.profile ? [this.profile] : [])))}>${this.profileLoop.playing ? 'Pause' : 'Train'}</button>
          <span class="num">step ${this.profile?.step ?? 0}</span>
        </div>
        ${this.ratio()}
        <bp-gradient-profile .runs=${profileRuns} .version=${version} .height=${240}></bp-gradient-profile>
        <p class="muted">
          ${this.ratioSentence()} <a href=${labLink(LAB_EXPERIMENTS.sigmoidVsRelu)}>Open this comparison in the lab</a>
          (20 layers of 32, with every chart).
        </p>
      </section>
      <section class="step">
        <h3>Why backpropagation, and not just nudging each weight?</h3>
        ${this.costParagraph()}
      </section>
      <section class="step">
        <h3>2. Fix one: an activation with slope 1</h3>
        <p>
          ReLU's slope is exactly 1 wherever the unit is on, so it passes the error back unchanged (where it is off, it passes
          nothing — a ${term('dead-relu', 'dead ReLU')} that stays off for every input never learns again). tanh sits between: its slope
          reaches 1 at z = 0. <a href=${labLink(LAB_EXPERIMENTS.threeActivations)}>Compare sigmoid, tanh and ReLU in the lab</a>.
        </p>
      </section>
      <section class="step">
        <h3>3. Fix two: the right ${term('init', 'initialisation')}</h3>
        <p>
          The weights multiply the signal too. If they are too large, sigmoid units ${term('saturation', 'saturate')}; if too small, the
          signal fades. ${term('xavier', 'Xavier initialisation')} picks their spread for sigmoid and tanh, ${term('he-init', 'He initialisation')}
          for ReLU. ReLU zeroes about half of the signal, so He doubles the weights' <i>variance</i>: 2/fan-in against LeCun's
          1/fan-in (and against Xavier's 2/(fan-in + fan-out) when a layer has as many inputs as outputs). The standard deviation,
          the spread you see in the weights, is therefore √2 ≈ 1.41 times larger, not twice.
        </p>
        <p>
          A third choice keeps the signal's length exactly instead of on average: ${term('orthogonal-init', 'orthogonal initialisation')}
          draws a random matrix and replaces it by the nearest one whose columns are orthonormal, so at the start each layer
          rotates the signal without stretching it (times a gain: √2 for ReLU, to make up for the half it zeroes). Saxe, McClelland
          and Ganguli (2014) showed that it lets very deep linear networks learn as fast as shallow ones; it is also a common start
          for recurrent networks, whose one matrix is applied at every time step.
        </p>
        <p class="row">
          <a class="button" href=${labLink(LAB_EXPERIMENTS.sigmoidInit)}>Sigmoid: std 1 vs Xavier</a>
          <a class="button" href=${labLink(LAB_EXPERIMENTS.reluInit)}>ReLU: Xavier vs He vs He × 2</a>
          <a class="button" name="orthogonal" href=${labLink(LAB_EXPERIMENTS.orthogonal)}>ReLU: He vs orthogonal</a>
        </p>
      </section>
      <section class="step">
        <h3>4. Fix three: a smarter ${term('optimizer')}</h3>
        <p>
          Six sigmoid layers on the circle data, four ways of turning gradients into steps. Plain gradient descent and
          ${term('momentum')} follow the gradient's size, so the early layers barely move and the loss stays flat at chance level
          (0.69). ${term('rmsprop', 'RMSProp')} and ${term('adam', 'Adam')} divide each gradient by its own recent size, so even tiny gradients
          give steps of a useful size — Adam gets over 95 % right within ${RACE_STEPS} steps. (A ReLU network of the same shape
          gets there with plain gradient descent.)
        </p>
        <div class="row">
          <button class="primary" name="play-race" ?disabled=${raceStep >= RACE_STEPS} @click=${() => (this.raceLoop.playing ? this.raceLoop.pause() : this.raceLoop.play(() => this.race))}>${this.raceLoop.playing ? 'Pause' : 'Race'}</button>
          <button name="reset-race" @click=${() => this.buildRace()}>Start again</button>
          <span class="num">step ${raceStep} of ${RACE_STEPS}</span>
        </div>
        <bp-loss-chart .runs=${raceRuns} .version=${version} .height=${240} log-scale show-accuracy></bp-loss-chart>
        <table aria-label="race results">
          <tr><th>optimizer</th><th>loss</th><th>accuracy</th></tr>
          ${raceRuns.map((r) => {
            const rec = r.records.at(-1);
            return html`<tr data-run=${r.id}><td style="text-align:left">${r.label}</td><td class="num">${rec ? rec.loss.toFixed(4) : '—'}</td><td class="num" data-accuracy=${rec?.accuracy ?? ''}>${rec?.accuracy != null ? `${Math.round(rec.accuracy * 100)} %` : '—'}</td></tr>`;
          })}
        </table>
      </section>
      <section class="step">
        <h3>5. Fix four: ${term('batch-norm', 'batch normalisation')} and ${term('residual', 'residual connections')}</h3>
        <p>
          Two more fixes made networks with a hundred layers trainable. Batch normalisation rescales every unit's values over
          the batch to mean 0 and spread 1 before the activation (then learns its own scale and shift), so sigmoid units stay
          in the middle, where their slope is largest — even with weights that would otherwise saturate them.
          ${term('layer-norm', 'Layer normalisation')} does the same across each sample's units instead. A residual connection adds a
          block's input to its output, so on the way back the gradient has a shortcut that skips the block's slopes.
        </p>
        <p class="row">
          <a class="button" href=${labLink(LAB_EXPERIMENTS.batchNorm)}>Sigmoid, std-1 init: without and with batch norm</a>
          <a class="button" href=${labLink(LAB_EXPERIMENTS.residual)}>Sigmoid: without and with a shortcut every 3 layers</a>
        </p>
        <p class="muted">
          From the command line: <code>npm run -s lab -- train --preset vanishing-sigmoid</code> stays at chance level (loss 0.69),
          <code>--preset fix-batchnorm</code> reaches a loss near 0.01, <code>--preset fix-residual</code> about 0.43 after 600 steps.
        </p>
      </section>
      <section class="step">
        <h3>6. The other way round: ${term('exploding-gradient', 'exploding gradients')} and ${term('gradient-clipping', 'clipping')}</h3>
        <p>
          If every layer multiplies the gradient by more than 1, it grows exponentially instead: twenty linear layers with
          weights 1.6 times too large multiply it by about 1.6²⁰ ≈ 12 000, one step throws the weights far away, and the loss
          becomes infinite. The lab stops such a run and says at which step it diverged. Clipping shrinks any gradient longer
          than a chosen maximum before the step: the run stays finite, and the loss chart marks the steps where clipping acted.
        </p>
        <p class="row"><a class="button" href=${labLink(LAB_EXPERIMENTS.exploding)}>Exploding, and the same clipped</a></p>
      </section>
      <section class="step">
        <h3>7. How far does it fall? Theory against measurement</h3>
        <p>
          For a network at its initial weights, a short calculation (mean-field theory) predicts the factor χ by which the
          squared gradient changes from layer to layer: about 0.056 for sigmoid with Xavier init, so the gradient shrinks by
          √0.056 ≈ 0.24 per layer, and exactly 1 for ReLU with He init. The lab draws this prediction as a dashed line on the
          gradient chart, and its <b>Depth sweep…</b> button measures the first layer's gradient for depths from 1 to 50
          beside the prediction. <a href=${labLink(LAB_EXPERIMENTS.sigmoidVsRelu)}>Open the lab and try it</a>.
        </p>
      </section>
      ${this.error ? html`<p class="note warn">${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-deep': BpLessonDeep;
  }
}
