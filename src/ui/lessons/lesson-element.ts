/**
 * Base of the lesson elements (abstract, not a tag): a lesson is a column of `section.step` cards; the lessons
 * app tells it which step is current, and in presenter mode the current step is highlighted and scrolled to.
 */
import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';

/** A lesson: steps the presenter walks through. */
export abstract class LessonElement extends LitElement {
  /** Presenter mode: large type, the current step highlighted. */
  @property({ type: Boolean, reflect: true }) presenting = false;
  /** Index of the current step (0-based). */
  @property({ type: Number }) step = 0;

  /** The step cards, in order. */
  steps(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('section.step')];
  }

  /** Number of steps. */
  get stepCount(): number {
    return this.steps().length;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('step') && !changed.has('presenting')) return;
    const steps = this.steps();
    steps.forEach((s, i) => s.classList.toggle('current', this.presenting && i === this.step));
    if (this.presenting || changed.has('step')) {
      const target = steps[Math.min(this.step, steps.length - 1)];
      if (target && (this.presenting || this.step > 0)) target.scrollIntoView({ block: 'start', behavior: 'auto' });
    }
  }
}
