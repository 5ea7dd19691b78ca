/** Lesson 1: learning from mistakes (a shot corrected by its miss) and the vanishing signal along a chain. */
import { html, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import './bp-aim-game.js';
import { term } from './bp-term.js';
import './bp-vanishing-chain.js';
import { LessonElement } from './lesson-element.js';
import { lessonStyles } from './lesson-styles.js';

/** Lesson 1. */
@customElement('bp-lesson-intuition')
export class BpLessonIntuition extends LessonElement {
  static override styles = [lessonStyles];

  override render(): TemplateResult {
    return html`
      <h2>Learning from mistakes</h2>
      <section class="step">
        <h3>1. Aim, miss, correct</h3>
        <p>
          Throw a ball at a flag. You miss by a few metres, so next time you throw a little softer or harder — by an amount
          that depends on how far you missed. That is the whole idea of training a neural network: make a guess, measure the
          mistake (the ${term('loss')}), and change each knob in proportion to how much it caused the mistake (its
          ${term('gradient')}).
        </p>
        <bp-aim-game></bp-aim-game>
        <p class="muted">
          Shoot once, then press <b>Correct by the miss</b> a few times. With a small correction size the shots creep towards
          the flag; with 0.07 they overshoot and swing back; with 0.09 every correction overshoots more than the last. The
          correction size is what a network calls the ${term('learning-rate', 'learning rate')}.
        </p>
      </section>
      <section class="step">
        <h3>2. A network is a chain of knobs</h3>
        <p>
          A network has many layers, one after another. The mistake is measured at the end, so the news of it has to travel
          backwards through every layer to reach the first ones. ${term('backpropagation', 'Backpropagation')} does exactly that, and at each
          layer it multiplies the message by that layer's local slope — the ${term('chain-rule', 'chain rule')}.
        </p>
        <p>
          If each factor is a bit below 1, the message shrinks at every layer; after many layers almost nothing is left. For a
          ${term('sigmoid')} layer the factor has two parts: the sigmoid's slope σ′(z), which is never more than 0.25 (its value at
          z = 0), times the layer's weights. The slope alone caps what a unit passes on at a quarter; the weights can shrink it
          further or, if they are large, make up for it.
        </p>
      </section>
      <section class="step">
        <h3>3. Watch the signal vanish</h3>
        <p>Set the factor per link and the number of links. The bars show what is left of the signal at each layer, on a log scale.</p>
        <bp-vanishing-chain></bp-vanishing-chain>
        <p>
          At 0.25 per link (the sigmoid's best slope, with weights that neither shrink nor grow the signal) and 20 links, less
          than a millionth of a millionth (9×10<sup>−13</sup>) reaches the first layer: the
          ${term('vanishing-gradient', 'vanishing gradient')}. At exactly 1 (a ${term('relu', 'ReLU')} unit that is switched on) the signal arrives
          whole. Above 1 it grows without limit: the ${term('exploding-gradient', 'exploding gradient')}. The rest of the course is about why
          this happens in real networks and how people fixed it.
        </p>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-intuition': BpLessonIntuition;
  }
}
