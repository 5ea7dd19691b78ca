/**
 * The lessons page: hash routing (`#/1` … `#/8`, `#/n/step`, `#/8/term`), the course navigation, presenter mode
 * (full screen, large type, high contrast, arrow keys through steps and lessons) and embed mode (`?embed=1`: one
 * lesson, no surrounding page).
 */
import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { unsafeStatic, html as staticHtml } from 'lit/static-html.js';
import { checkRoute, formatRoute, LESSONS, readFlag, stepProblem, type CheckedRoute, type Route } from './lesson-catalog.js';
import { glossaryEntry } from './glossary.js';
import type { LessonElement } from './lesson-element.js';
import './bp-lesson-intuition.js';
import './bp-lesson-history.js';
import './bp-lesson-neuron.js';
import './bp-lesson-two-layers.js';
import './bp-lesson-deep.js';
import './bp-lesson-mnist.js';
import './bp-lesson-questions.js';
import './bp-lesson-glossary.js';

/** The route of the page's hash, checked against the lessons and the glossary. */
function routeOfPage(): CheckedRoute {
  return checkRoute(location.hash, (id) => glossaryEntry(id) !== undefined);
}

/**
 * The course page.
 * @fires nothing; navigation goes through location.hash
 */
@customElement('bp-lessons-app')
export class BpLessonsApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: 250px minmax(0, 1fr);
      grid-template-rows: auto 1fr;
      min-height: 100vh;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
      color: #1f2328;
      background: #f6f7f9;
      --lesson-font: 17px;
    }
    :host([embed]) {
      display: block;
      min-height: 0;
      background: transparent;
    }
    :host([presenting]) {
      grid-template-columns: minmax(0, 1fr);
      --lesson-font: 26px;
      --lesson-ink: #000;
      --lesson-muted: #202020;
      --lesson-card: #fff;
      --lesson-border: 2px solid #000;
      --lesson-accent: #0047ab;
      --lesson-note: #e4eefb;
      background: #fff;
      color: #000;
    }
    header {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 16px;
      padding: 6px 16px;
      background: #fff;
      border-bottom: 1px solid #d8dde3;
    }
    header h1 {
      font-size: 19px;
      margin: 0;
      flex: 1;
    }
    header a,
    header button {
      font: inherit;
      font-size: 14px;
      color: #0b5394;
    }
    header button {
      background: #f3f4f6;
      border: 1px solid #8c959f;
      border-radius: 6px;
      padding: 3px 10px;
      cursor: pointer;
      color: #1f2328;
    }
    nav {
      padding: 10px 8px;
      border-right: 1px solid #d8dde3;
      background: #fff;
    }
    :host([presenting]) nav {
      display: none;
    }
    nav ol {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    nav a {
      display: block;
      padding: 6px 10px;
      border-radius: 6px;
      color: #1f2328;
      text-decoration: none;
      font-size: 15px;
      line-height: 1.3;
    }
    nav a small {
      display: block;
      color: #57606a;
      font-size: 12px;
    }
    nav a[aria-current='page'] {
      background: #dcecf7;
      font-weight: 600;
    }
    main {
      padding: 14px 22px 40px;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    main > * {
      min-width: 0;
    }
    /* The notice is rendered after the lesson (which stays main's first child) but shown above it. */
    .route-notice {
      order: -1;
    }
    :host([embed]) main {
      padding: 8px;
    }
    .pager {
      display: flex;
      justify-content: space-between;
      max-width: 60em;
      margin-top: 8px;
      font-size: 16px;
    }
    .pager a {
      color: #0b5394;
    }
    @media (max-width: 700px) {
      :host {
        grid-template-columns: minmax(0, 1fr);
        --lesson-font: 16px;
      }
      header {
        flex-wrap: wrap;
        gap: 6px 12px;
      }
      .keys {
        display: none;
      }
      nav {
        border-right: none;
        border-bottom: 1px solid #d8dde3;
        padding: 4px 6px;
      }
      nav ol {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 4px;
      }
      nav a {
        padding: 3px 8px;
        font-size: 14px;
      }
      nav a small {
        display: none;
      }
      main {
        padding: 10px 8px 30px;
      }
    }
    .route-notice {
      max-width: 60em;
      margin: 0 0 10px;
      padding: 2px 12px;
      border-left: 4px solid #d55e00;
      background: #fff4ec;
      border-radius: 0 6px 6px 0;
      font-size: 15px;
    }
    .route-notice p {
      margin: 6px 0;
    }
    .keys {
      color: #57606a;
      font-size: 13px;
    }
    a:focus-visible,
    button:focus-visible {
      outline: 3px solid #e69f00;
      outline-offset: 1px;
    }
  `;

  private readonly presentFlag = readFlag(location.search, 'present');
  private readonly embedFlag = readFlag(location.search, 'embed');
  private readonly firstRoute = routeOfPage();
  @state() private route: Route = this.firstRoute.route;
  /** What was wrong with the address and where the page went instead (shown above the lesson). */
  @state() private problems: readonly string[] = [this.presentFlag.problem, this.embedFlag.problem, this.firstRoute.problem].filter((p): p is string => p !== null);
  @state() private presenting = this.presentFlag.on;
  private readonly embed = this.embedFlag.on;
  private readonly onHash = () => {
    const { route, problem } = routeOfPage();
    this.route = route;
    this.problems = problem ? [problem] : [];
  };
  private readonly onKey = (e: KeyboardEvent) => this.keydown(e);
  private readonly onFullscreen = () => {
    if (!document.fullscreenElement && this.presenting) this.presenting = false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('keydown', this.onKey);
    document.addEventListener('fullscreenchange', this.onFullscreen);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('keydown', this.onKey);
    document.removeEventListener('fullscreenchange', this.onFullscreen);
    super.disconnectedCallback();
  }

  /** The lesson element on show. */
  lessonElement(): LessonElement | null {
    return this.renderRoot.querySelector<LessonElement>('main > [data-lesson]');
  }

  /** Go to a route (through the hash, so that the back button works). */
  go(route: Route): void {
    // The route changes now, not at the hashchange event: a second key pressed before that event moves on from here.
    this.route = route;
    const hash = formatRoute(route);
    if (location.hash !== hash) location.hash = hash;
  }

  /** Next (+1) or previous (−1) step, moving to the next or previous lesson at the ends. */
  move(delta: 1 | -1): void {
    const el = this.lessonElement();
    const count = el?.stepCount ?? 1;
    const { lesson, step } = this.route;
    if (delta > 0 && step + 1 < count) this.go({ lesson, step: step + 1, term: null });
    else if (delta < 0 && step > 0) this.go({ lesson, step: step - 1, term: null });
    else if (delta > 0 && lesson < LESSONS.length) this.go({ lesson: lesson + 1, step: 0, term: null });
    else if (delta < 0 && lesson > 1) this.go({ lesson: lesson - 1, step: 0, term: null });
  }

  /** Enter or leave presenter mode (full screen where the browser allows it). */
  togglePresenter(): void {
    this.presenting = !this.presenting;
    if (this.presenting && document.fullscreenEnabled && !document.fullscreenElement) {
      document.documentElement.requestFullscreen().catch(() => undefined);
    } else if (!this.presenting && document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    }
  }

  private keydown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.composedPath()[0];
    if (target instanceof HTMLElement && target.closest('input, select, textarea, [contenteditable]')) return;
    const next = ['ArrowRight', 'PageDown', 'ArrowDown'];
    const prev = ['ArrowLeft', 'PageUp', 'ArrowUp'];
    if (!this.presenting && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) return;
    if (next.includes(e.key)) {
      e.preventDefault();
      this.move(1);
    } else if (prev.includes(e.key)) {
      e.preventDefault();
      this.move(-1);
    } else if (e.key === 'p' || e.key === 'P') {
      this.togglePresenter();
    } else if (e.key === 'Escape' && this.presenting) {
      this.togglePresenter();
    } else if (/^[1-8]$/.test(e.key)) {
      this.go({ lesson: Number(e.key), step: 0, term: null });
    }
  }

  protected override updated(changed: PropertyValues): void {
    this.toggleAttribute('presenting', this.presenting);
    this.toggleAttribute('embed', this.embed);
    const info = LESSONS[this.route.lesson - 1]!;
    document.title = `${info.n}. ${info.title} — Backprop Lab lessons`;
    if (changed.has('route')) {
      void this.checkStep();
      const el = this.lessonElement();
      if (el && this.route.term) {
        void el.updateComplete.then(() => el.renderRoot.querySelector(`#term-${CSS.escape(this.route.term!)}`)?.scrollIntoView({ block: 'center' }));
      } else if (this.route.step === 0 && !this.presenting) {
        window.scrollTo(0, 0);
      }
    }
  }

  /** A step past the lesson's last goes to its last step, saying so (the address is corrected in place). */
  private async checkStep(): Promise<void> {
    const el = this.lessonElement();
    if (!el) return;
    await el.updateComplete;
    const route = this.route;
    const count = el.stepCount;
    if (!(count > 0)) return;
    const problem = stepProblem(route, count);
    if (!problem || route !== this.route) return;
    const fixed = { ...route, step: count - 1 };
    this.route = fixed;
    this.problems = [...this.problems, problem];
    history.replaceState(history.state, '', formatRoute(fixed));
  }

  private notices(): TemplateResult | string {
    if (!this.problems.length) return '';
    return html`<div class="route-notice" role="status" data-route-notice>${this.problems.map((p) => html`<p>${p}</p>`)}</div>`;
  }

  private lesson(): TemplateResult {
    const info = LESSONS[this.route.lesson - 1]!;
    const tag = unsafeStatic(info.tag);
    return staticHtml`<${tag} .step=${this.route.step} .presenting=${this.presenting} data-lesson=${info.n}></${tag}>`;
  }

  override render(): TemplateResult {
    const n = this.route.lesson;
    if (this.embed) return html`<main>${this.lesson()}${this.notices()}</main>`;
    const prev = LESSONS[n - 2];
    const next = LESSONS[n];
    return html`
      <header>
        <h1>Backprop Lab · Lessons</h1>
        <span class="keys">${this.presenting ? '← → steps · Esc leaves' : 'P: presenter mode'}</span>
        <button name="present" @click=${() => this.togglePresenter()} aria-pressed=${this.presenting}>${this.presenting ? 'Leave presenter mode' : 'Presenter mode'}</button>
        <a href="./index.html">Open the lab</a>
      </header>
      <nav aria-label="Lessons">
        <ol>
          ${LESSONS.map(
            (l) => html`<li><a href=${`#/${l.n}`} aria-current=${l.n === n ? 'page' : 'false'}>${l.n}. ${l.title}<small>${l.summary}</small></a></li>`,
          )}
        </ol>
      </nav>
      <main>
        ${this.lesson()} ${this.notices()}
        <div class="pager">
          ${prev ? html`<a href=${`#/${prev.n}`} rel="prev">← ${prev.n}. ${prev.title}</a>` : html`<span></span>`}
          ${next ? html`<a href=${`#/${next.n}`} rel="next">${next.n}. ${next.title} →</a>` : html`<span></span>`}
        </div>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lessons-app': BpLessonsApp;
  }
}
