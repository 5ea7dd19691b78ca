/**
 * Lesson 7: the course text's five questions to ponder, each with an answer to reveal and links that set up the
 * experiment in the lab, then eight further questions.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LAB_EXPERIMENTS, labLink } from './lab-links.js';
import { LessonElement } from './lesson-element.js';
import { lessonStyles } from './lesson-styles.js';
import { QUESTIONS, TEXT_QUESTIONS } from './questions.js';

/** Lesson 7: one step per question. Text questions carry `data-text-question`, further ones `data-question`. */
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

  private revealButton(id: string): TemplateResult {
    const open = this.revealed.has(id);
    return html`<button name="reveal" aria-expanded=${open} aria-controls=${`answer-${id}`} @click=${() => this.toggle(id)}>${open ? 'Hide the answer' : 'Reveal the answer'}</button>`;
  }

  override render(): TemplateResult {
    return html`
      <h2>Questions to ponder</h2>
      <p>The course text's five questions first. Think, talk it over, then reveal the answer — and run the experiment to see it happen.</p>
      ${TEXT_QUESTIONS.map((q, i) => {
        const open = this.revealed.has(q.id);
        return html`<section class="step" data-text-question=${q.id}>
          <h3>${i + 1}. ${q.question}</h3>
          <p class="row">
            ${this.revealButton(q.id)}
            ${q.experiments.map((e) => html`<a class="button primary" name="experiment" data-experiment=${e.experiment} href=${labLink(LAB_EXPERIMENTS[e.experiment])}>${e.label}</a>`)}
          </p>
          <div class="answer" id=${`answer-${q.id}`} ?hidden=${!open}>
            <p class="note">${q.answer}</p>
            ${q.correction ? html`<p class="note warn">${q.correction}</p>` : nothing}
          </div>
        </section>`;
      })}
      <h2>Further questions</h2>
      ${QUESTIONS.map((q, i) => {
        const open = this.revealed.has(q.id);
        return html`<section class="step" data-question=${q.id}>
          <h3>${TEXT_QUESTIONS.length + i + 1}. ${q.question}</h3>
          <p class="row">
            ${this.revealButton(q.id)}
            ${q.experiment ? html`<a class="button" name="experiment" data-experiment=${q.experiment} href=${labLink(LAB_EXPERIMENTS[q.experiment])}>Set up the experiment in the lab</a>` : ''}
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
