/** Lesson 3: one sigmoid neuron by hand — the forward pass, every chain-rule factor with its number, one step. */
import { html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { lessonStyles } from './lesson-styles.js';
import { LessonElement } from './lesson-element.js';
import { formatNumber as f, neuronTrace, type NeuronInput, type NeuronTrace } from './neuron-math.js';
import { term } from './bp-term.js';
import './bp-sigmoid-plot.js';

/** The starting values of the lesson. */
export const NEURON_START: NeuronInput = { x: 1.5, w: 0.8, b: -0.2, y: 1, lr: 0.5 };

type Field = keyof NeuronInput;

/**
 * Lesson 3. Every number is in a `[data-factor=name]` cell whose `data-value` holds it at full precision.
 */
@customElement('bp-lesson-neuron')
export class BpLessonNeuron extends LessonElement {
  static override styles = [lessonStyles];

  @state() private input: NeuronInput = NEURON_START;
  @state() private history: { w: number; b: number; loss: number }[] = [];

  private set(field: Field, e: Event): void {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isFinite(v)) this.input = { ...this.input, [field]: v };
  }

  private field(name: Field, label: TemplateResult | string, stepSize: number): TemplateResult {
    return html`<label>${label}<input type="number" name=${name} step=${stepSize} .value=${String(this.input[name])} @input=${(e: Event) => this.set(name, e)} /></label>`;
  }

  private stepOnce(t: NeuronTrace): void {
    this.history = [...this.history, { w: this.input.w, b: this.input.b, loss: t.loss }].slice(-12);
    this.input = { ...this.input, w: t.wNext, b: t.bNext };
  }

  private cell(name: keyof NeuronTrace, v: number): TemplateResult {
    return html`<td class="num" data-factor=${name} data-value=${String(v)}>${f(v, 5)}</td>`;
  }

  override render(): TemplateResult {
    const p = this.input;
    const t = neuronTrace(p);
    return html`
      <h2>One neuron, by hand</h2>
      <section class="step">
        <h3>1. The neuron and its mistake</h3>
        <p>
          A ${term('neuron')} takes an input x, multiplies it by a ${term('weight')} w, adds a ${term('bias')} b and squashes the
          sum z = wx + b with the ${term('sigmoid')}: ŷ = σ(z) = 1 / (1 + e<sup>−z</sup>). We want ŷ to be the target y. The
          ${term('loss')} measures the miss: L = ½(y − ŷ)².
        </p>
        <div class="row">
          ${this.field('x', 'input x', 0.1)} ${this.field('w', 'weight w', 0.1)} ${this.field('b', 'bias b', 0.1)}
          ${this.field('y', 'target y', 0.1)} ${this.field('lr', html`learning rate η`, 0.1)}
          <label>activation<select name="activation" @change=${(e: Event) => (this.input = { ...this.input, activation: (e.target as HTMLSelectElement).value === 'linear' ? 'linear' : 'sigmoid' })}>
            <option value="sigmoid" ?selected=${p.activation !== 'linear'}>sigmoid</option>
            <option value="linear" ?selected=${p.activation === 'linear'}>linear (ŷ = z)</option>
          </select></label>
        </div>
        ${p.activation === 'linear'
          ? html`<p class="note">With a linear activation ŷ = z = wx + b and ∂ŷ/∂z = 1: nothing vanishes here, but nothing bends either.
              Stack such neurons and the result is still one straight line wx + b, which is why a network needs a non-linear
              activation (question 1 of lesson 7; try <b>linear</b> on XOR in lesson 4).</p>`
          : ''}
        <table aria-label="forward pass">
          <tr><th>z = wx + b</th>${this.cell('z', t.z)}</tr>
          <tr><th>${p.activation === 'linear' ? 'ŷ = z' : 'ŷ = σ(z)'}</th>${this.cell('yHat', t.yHat)}</tr>
          <tr><th>L = ½(y − ŷ)²</th>${this.cell('loss', t.loss)}</tr>
        </table>
      </section>
      <section class="step">
        <h3>2. The ${term('chain-rule', 'chain rule')}: how L depends on w</h3>
        <p>
          L depends on ŷ, ŷ on z, z on w. So the ${term('gradient')} ∂L/∂w is a product of three local slopes, each easy on its
          own. ${term('backpropagation', 'Backpropagation')} is nothing more than this product, computed from the loss backwards.
        </p>
        <table aria-label="chain-rule factors">
          <tr><th>factor</th><th>formula</th><th>value</th></tr>
          <tr><th>∂L/∂ŷ</th><td>ŷ − y</td>${this.cell('dLdYHat', t.dLdYHat)}</tr>
          <tr><th>∂ŷ/∂z</th><td>${p.activation === 'linear' ? '1' : 'σ(z)(1 − σ(z))'}</td>${this.cell('dYHatdZ', t.dYHatdZ)}</tr>
          <tr><th>∂z/∂w</th><td>x</td>${this.cell('dZdW', t.dZdW)}</tr>
          <tr><th>∂z/∂b</th><td>1</td>${this.cell('dZdB', t.dZdB)}</tr>
          <tr><th>∂L/∂w</th><td>∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w</td>${this.cell('dLdW', t.dLdW)}</tr>
          <tr><th>∂L/∂b</th><td>∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂b</td>${this.cell('dLdB', t.dLdB)}</tr>
        </table>
        <p class="muted">
          Check it yourself: ${f(t.dLdYHat, 4)} × ${f(t.dYHatdZ, 4)} × ${f(t.dZdW, 4)} ≈ ${f(t.dLdW, 4)}.
        </p>
      </section>
      <section class="step">
        <h3>3. One step of ${term('gradient-descent', 'gradient descent')}</h3>
        <p>
          Move each parameter a little against its gradient: w ← w − η·∂L/∂w and b ← b − η·∂L/∂b, with the
          ${term('learning-rate', 'learning rate')} η = ${p.lr}.
        </p>
        <table aria-label="one step">
          <tr><th>new w</th>${this.cell('wNext', t.wNext)}</tr>
          <tr><th>new b</th>${this.cell('bNext', t.bNext)}</tr>
          <tr><th>loss after the step</th>${this.cell('lossNext', t.lossNext)}</tr>
        </table>
        <p>
          <button class="primary" name="take-step" @click=${() => this.stepOnce(t)}>Take this step</button>
          <button name="reset" @click=${() => ((this.input = NEURON_START), (this.history = []))}>Start again</button>
        </p>
        ${this.history.length
          ? html`<p class="muted" aria-live="polite">Loss after each step: ${[...this.history.map((h) => h.loss), t.loss].map((l) => f(l, 3)).join(' → ')}</p>`
          : ''}
      </section>
      <section class="step">
        <h3>4. The weak link: σ′ is at most 0.25</h3>
        <p>
          The middle factor ∂ŷ/∂z = σ′(z) is never more than 0.25, and for large |z| it is almost 0: the neuron is
          ${term('saturation', 'saturated')}. Press the button below (w = 8, x = 1.5, b = 0, target 0): z = 12, σ′ ≈ 6.1×10<sup>−6</sup>. The answer ŷ ≈ 1 is as
          wrong as it can be, yet the gradient almost disappears. Stack many sigmoid layers and these factors multiply — that is the
          ${term('vanishing-gradient', 'vanishing gradient')}.
        </p>
        <bp-sigmoid-plot .z=${t.z}></bp-sigmoid-plot>
        <p>
          <button name="saturate" @click=${() => (this.input = { ...this.input, w: 8, x: 1.5, b: 0, y: 0 })}>Saturate it (w = 8, target 0)</button>
        </p>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-neuron': BpLessonNeuron;
  }
}
