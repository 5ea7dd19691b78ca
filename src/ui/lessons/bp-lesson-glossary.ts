/** Lesson 8: the glossary, every term with its definition and related terms; `#/8/<id>` scrolls to an entry. */
import { css, html, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { GLOSSARY, glossaryEntry } from './glossary.js';
import { LessonElement } from './lesson-element.js';
import { lessonStyles } from './lesson-styles.js';

/** Lesson 8 (one step: the whole list). */
@customElement('bp-lesson-glossary')
export class BpLessonGlossary extends LessonElement {
  static override styles = [
    lessonStyles,
    css`
      dl {
        margin: 0;
      }
      dt {
        font-weight: 700;
        margin-top: 0.8em;
        scroll-margin-top: 40px;
      }
      dt:target,
      dt.target {
        color: var(--lesson-accent, #0072b2);
      }
      dd {
        margin: 0.1em 0 0 1.2em;
        max-width: 46em;
      }
      .see {
        font-size: 0.88em;
      }
    `,
  ];

  override render(): TemplateResult {
    const sorted = [...GLOSSARY].sort((a, b) => a.term.localeCompare(b.term, 'en', { sensitivity: 'base' }));
    return html`
      <h2>Glossary</h2>
      <section class="step">
        <dl>
          ${sorted.map(
            (e) => html`<dt id=${`term-${e.id}`} data-term=${e.id}>${e.term}</dt>
              <dd>
                ${e.definition}
                ${e.see?.length
                  ? html`<span class="see muted">See also: ${e.see.map((id, i) => html`${i ? ', ' : ''}<a href=${`#/8/${id}`}>${glossaryEntry(id)?.term ?? id}</a>`)}.</span>`
                  : ''}
              </dd>`,
          )}
        </dl>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lesson-glossary': BpLessonGlossary;
  }
}
