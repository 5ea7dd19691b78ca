/** Lesson 2: a short history of backpropagation and the vanishing gradient, as a timeline. */
import { css, html, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { term } from './bp-term.js';
import { HISTORY } from './history.js';
import { LessonElement } from './lesson-element.js';
import { lessonStyles } from './lesson-styles.js';

/** Lesson 2: every event is a step (presenter mode walks the timeline). */
@customElement('bp-lesson-history')
export class BpLessonHistory extends LessonElement {
  static override styles = [
    lessonStyles,
    css`
      .timeline {
        border-left: 4px solid var(--lesson-accent, #0072b2);
        margin-left: 0.6em;
        padding-left: 1.2em;
      }
      .when {
        display: inline-block;
        min-width: 7em;
        font-weight: 700;
        color: var(--lesson-accent, #0072b2);
      }
      .who {
        font-size: 0.88em;
        color: var(--lesson-muted, #57606a);
        margin: 0;
      }
    `,
  ];

  override render(): TemplateResult {
    return html`
      <h2>A short history</h2>
      <p>
        Backpropagation is older than most of its users think, and the vanishing gradient was understood long before it was
        fixed. Here are the milestones of this course.
      </p>
      <div class="timeline">
        ${HISTORY.map(
          (e) => html`<section class="step">
            <h3><span class="when">${e.when}</span> ${e.term ? term(e.term, e.title) : e.title}</h3>
            <p class="who">${e.who}</p>
            <p>${e.text}</p>
          </section>`,
        )}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-history': BpLessonHistory;
  }
}
