/**
 * A run's learning-rate schedule control: the kind (constant, step, exponential, cosine), its parameters and a
 * linear warm-up, with a small curve of the rate against the step drawn beside it (scheduleCurve of
 * src/core/lr-schedule.ts, the function the trainer uses), described in words for screen readers and tabulated
 * under a disclosure. Values are passed up raw: the lab validates them through the spec and names a bad one.
 */
import { css, html, LitElement, nothing, svg, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { customElement, property } from 'lit/decorators.js';
import { LR_SCHEDULES, scheduleCurve, type LrScheduleName, type LrScheduleSpec } from '../../core/lr-schedule.js';
import { scheduleOf } from '../../core/lab-parse.js';
import { controlStyles, inputNumber, inputText } from '../ui-styles.js';

/** Parameters a new choice of kind starts from (a schedule must end: the cosine gets its length). */
const STARTS: Record<LrScheduleName, Record<string, number>> = {
  constant: {},
  step: { every: 100, factor: 0.5 },
  exponential: { factor: 0.999 },
  cosine: { steps: 1000 },
};

/** Curve samples drawn, and rows of the table. */
const CURVE_POINTS = 48;
const TABLE_ROWS = 6;

/** The curve's box in SVG units. */
const W = 120;
const H = 36;

/** A rate for people: three significant digits. */
function rateText(v: number): string {
  return v === 0 ? '0' : v.toPrecision(3).replace(/\.?0+(e|$)/, '$1');
}

/** One sentence that says what the curve shows. */
export function describeSchedule(lr: number, s: LrScheduleSpec | undefined): string {
  const warm = s?.warmup ? `rises linearly over the first ${s.warmup} steps to ${rateText(lr)}, then ` : '';
  const start = warm ? '' : `starts at ${rateText(lr)} and `;
  switch (s?.kind ?? 'constant') {
    case 'constant':
      return `Learning rate ${warm ? warm.replace(/, then $/, '') : `${rateText(lr)}`}${warm ? ' and stays there' : ' at every step'}.`;
    case 'step':
      return `Learning rate ${start}${warm}is multiplied by ${s!.factor} every ${s!.every} steps.`;
    case 'exponential':
      return `Learning rate ${start}${warm}is multiplied by ${s!.factor} every step.`;
    case 'cosine':
      return `Learning rate ${start}${warm}falls along a half cosine to ${rateText(lr * (s!.floor ?? 0))} over ${s!.steps} steps, and stays there.`;
  }
}

/**
 * The schedule control of one run.
 * @fires bp-schedule-change - the new raw schedule ({ kind, …, warmup }), not yet validated
 */
@customElement('bp-lr-schedule')
export class BpLrSchedule extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .sched {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: 6px 10px;
        align-items: end;
      }
      .curve {
        grid-column: 1 / -1;
        display: flex;
        gap: 8px;
        align-items: center;
        min-width: 0;
      }
      svg {
        width: 100%;
        max-width: 240px;
        height: 44px;
        flex: 1 1 auto;
        min-width: 0;
        border: 1px solid var(--bp-border, #d8dde3);
        border-radius: 4px;
        background: var(--bp-card-bg, #fff);
      }
      .line {
        fill: none;
        stroke: #0072b2;
        stroke-width: 1.6;
        vector-effect: non-scaling-stroke;
      }
      .axis {
        stroke: var(--bp-muted, #57606a);
        stroke-width: 0.6;
        vector-effect: non-scaling-stroke;
      }
      .ends {
        font-size: calc(11px * var(--bp-font-scale, 1));
        color: var(--bp-muted, #57606a);
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      details {
        grid-column: 1 / -1;
        font-size: calc(12px * var(--bp-font-scale, 1));
      }
      summary {
        cursor: pointer;
        color: var(--bp-muted, #57606a);
      }
      table {
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        text-align: right;
        padding: 1px 8px 1px 0;
      }
    `,
  ];

  /** The run's schedule (absent: constant). */
  @property({ attribute: false }) schedule: LrScheduleSpec | undefined = undefined;
  /** The run's base learning rate. */
  @property({ type: Number }) lr = 0.1;
  /** Names the run in labels ("run 1"). */
  @property() run = '';

  private emit(next: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent<Record<string, unknown>>('bp-schedule-change', { detail: next, bubbles: true, composed: true }));
  }

  /** The current schedule as a plain object (constant when absent). */
  private current(): Record<string, unknown> {
    return { ...(this.schedule ?? { kind: 'constant' }) };
  }

  private setKind(kind: LrScheduleName): void {
    const cur = this.current();
    this.emit({ ...STARTS[kind], ...scheduleOf(kind, cur.kind === kind ? cur : { warmup: cur.warmup as number | undefined }) });
  }

  private setField(field: string, e: Event): void {
    const v = (e.target as HTMLInputElement).value.trim() === '' ? undefined : inputNumber(e);
    const next = this.current();
    if (v === undefined) delete next[field];
    else next[field] = v;
    this.emit(next);
  }

  private field(name: string, label: string, value: number | undefined, opts: { step: string; min: string; max?: string; placeholder?: string }): TemplateResult {
    return html`<label
      >${label}
      <input
        type="number"
        name=${name}
        step=${opts.step}
        min=${opts.min}
        max=${opts.max ?? nothing}
        placeholder=${opts.placeholder ?? nothing}
        .value=${live(value === undefined ? '' : String(value))}
        @change=${(e: Event) => this.setField(name.replace(/^schedule/, '').replace(/^./, (c) => c.toLowerCase()), e)}
    /></label>`;
  }

  private renderCurve(): TemplateResult {
    const points = scheduleCurve(this.lr, this.schedule, CURVE_POINTS);
    const top = Math.max(...points.map((p) => p.rate), 1e-300);
    const last = points[points.length - 1]!.step || 1;
    const xy = points.map((p) => `${((p.step / last) * W).toFixed(2)},${(H - (p.rate / top) * (H - 2)).toFixed(2)}`).join(' ');
    const text = describeSchedule(this.lr, this.schedule);
    const rows = scheduleCurve(this.lr, this.schedule, TABLE_ROWS);
    return html`<div class="curve">
        <svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${`Learning-rate curve${this.run ? ` of ${this.run}` : ''}: ${text}`}>
          ${svg`<line class="axis" x1="0" y1=${H} x2=${W} y2=${H}></line><polyline class="line" points=${xy}></polyline>`}
        </svg>
        <span class="ends">${rateText(points[0]!.rate)} → ${rateText(points[points.length - 1]!.rate)}<br />steps 0–${last}</span>
      </div>
      <details>
        <summary>rate by step</summary>
        <p>${text}</p>
        <table>
          <caption class="muted" style="text-align:left">Learning rate at chosen steps</caption>
          <thead><tr><th scope="col">step</th><th scope="col">rate</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr><td>${r.step}</td><td>${rateText(r.rate)}</td></tr>`)}</tbody>
        </table>
      </details>`;
  }

  override render(): TemplateResult {
    const s = this.schedule;
    const kind = s?.kind ?? 'constant';
    return html`<div class="sched">
      <label
        >lr schedule
        <select name="schedule" @change=${(e: Event) => this.setKind(inputText(e) as LrScheduleName)}>
          ${LR_SCHEDULES.map((k) => html`<option value=${k} ?selected=${k === kind}>${k}</option>`)}
        </select></label
      >
      ${this.field('warmup', 'warm-up steps', s?.warmup, { step: '1', min: '0', placeholder: '0' })}
      ${kind === 'step'
        ? html`${this.field('scheduleEvery', 'every (steps)', s?.every, { step: '1', min: '1' })}${this.field('scheduleFactor', 'factor', s?.factor, { step: 'any', min: '0', max: '1' })}`
        : nothing}
      ${kind === 'exponential' ? this.field('scheduleFactor', 'factor per step', s?.factor, { step: 'any', min: '0', max: '1' }) : nothing}
      ${kind === 'cosine'
        ? html`${this.field('scheduleSteps', 'length (steps)', s?.steps, { step: '1', min: '1' })}${this.field('scheduleFloor', 'floor (share of lr)', s?.floor, { step: 'any', min: '0', max: '0.99', placeholder: '0' })}`
        : nothing}
      ${this.renderCurve()}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-lr-schedule': BpLrSchedule;
  }
  interface HTMLElementEventMap {
    'bp-schedule-change': CustomEvent<Record<string, unknown>>;
  }
}
