/** Lesson 7: questions to ponder, each with a revealed answer and a link that sets up the experiment in the lab. */
import { html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LAB_EXPERIMENTS, labLink } from './lab-links.js';
import { LessonElement } from './lesson-element.js';
import { lessonStyles } from './lesson-styles.js';
import { QUESTIONS } from './questions.js';

/** Lesson 7: one step per question. */
@customElement('bp-lesson-questions')
export class BpLessonQuestions extends LessonElement {
  static override styles = [lessonStyles];

  @state() private revealed = new Set<string>();

  private toggle(id: string): void {
    const next = new Set(this.revealed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.revealed = next;
  }

  override render(): TemplateResult {
    return html`
      <h2>Questions to ponder</h2>
      <p>Think first, talk it over, then reveal the answer — and run the experiment to see it happen.</p>
      ${QUESTIONS.map((q, i) => {
        const open = this.revealed.has(q.id);
        return html`<section class="step" data-question=${q.id}>
          <h3>${i + 1}. ${q.question}</h3>
          <p class="row">
            <button name="reveal" aria-expanded=${open} aria-controls=${`answer-${q.id}`} @click=${() => this.toggle(q.id)}>${open ? 'Hide the answer' : 'Reveal the answer'}</button>
            ${q.experiment ? html`<a class="button primary" name="experiment" href=${labLink(LAB_EXPERIMENTS[q.experiment])}>Set up the experiment in the lab</a>` : ''}
          </p>
          <p class="note answer" id=${`answer-${q.id}`} ?hidden=${!open}>${q.answer}</p>
        </section>`;
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-questions': BpLessonQuestions;
  }
}
