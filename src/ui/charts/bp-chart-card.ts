/**
 * A card around one or more charts: a heading, a "what am I looking at?" button that shows a short plain-language
 * explanation over the chart (property `help` or slot "help"), a "Table" toggle that shows the charts' current
 * numbers as HTML tables over them (refreshed at most once a second while shown), and an "export PNG" button.
 */
import { css, html, LitElement, nothing, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import { formatCell, isTabular, type ChartTable, type Tabular } from './chart-table.js';
import { canvasWithTitle, isExportable, type Exportable } from './exportable.js';
import { Throttle } from './throttle.js';

/** Detail of `bp-export`: the PNG and a suggested file name. Cancel the event to stop the default download. */
export interface ExportDetail {
  readonly blob: Blob;
  readonly filename: string;
}

/** A file-name slug of a heading ("Gradient profile" → "gradient-profile"). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
}

/**
 * Card with heading, help and PNG export for the slotted chart(s).
 * @fires bp-export - ExportDetail; cancelable: if not cancelled the card downloads the file itself
 * @slot - the chart element(s); every element with `exportCanvas()` is exported, laid out as on screen, and
 *   every element with `tables()` is shown by the "Table" toggle
 * @slot help - rich explanation (used instead of the `help` text when given)
 * @csspart card - the card box
 * @csspart help - the explanation panel
 * @csspart table - the panel of tables
 */
@customElement('bp-chart-card')
export class BpChartCard extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
    }
    .card {
      position: relative;
      background: var(--bp-card-bg, #ffffff);
      border: 1px solid var(--bp-card-border, var(--bp-border, #d8dde3));
      border-radius: 8px;
      padding: 8px 12px 6px;
      box-sizing: border-box;
      height: 100%;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
      min-height: 28px;
    }
    h2 {
      font-size: calc(15px * var(--bp-font-scale, 1));
      font-weight: 600;
      margin: 0;
      flex: 1 1 8em;
      min-width: 0;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    button {
      font: inherit;
      font-size: 12.5px;
      color: ${unsafeCSS(INK_CSS)};
      background: var(--bp-button-bg, #f3f4f6);
      border: 1px solid var(--bp-control-border, #c9ced6);
      border-radius: 5px;
      padding: 2px 8px;
      cursor: pointer;
    }
    button:hover {
      background: var(--bp-button-hover, #e7e9ed);
    }
    button:focus-visible {
      outline: 2px solid #0072b2;
      outline-offset: 1px;
    }
    button[aria-pressed='true'] {
      background: #dbe9f5;
      border-color: #0072b2;
      color: #1f2328;
    }
    .body {
      position: relative;
    }
    .help {
      position: absolute;
      inset: 0 0 auto 0;
      max-height: 100%;
      overflow: auto;
      z-index: 2;
      background: var(--bp-card-bg, #fff);
      border: 1px solid #0072b2;
      border-radius: 6px;
      padding: 10px 14px;
      font-size: 14px;
      line-height: 1.45;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.12);
      box-sizing: border-box;
    }
    .help[hidden],
    .tables[hidden] {
      display: none;
    }
    .tables {
      position: absolute;
      inset: 0;
      z-index: 1;
      overflow: auto;
      background: var(--bp-card-bg, #ffffff);
      font-size: calc(13px * var(--bp-font-scale, 1));
    }
    table {
      border-collapse: collapse;
      margin: 0 0 10px;
      font-variant-numeric: tabular-nums;
    }
    caption {
      text-align: left;
      font-weight: 600;
      padding: 2px 0 4px;
    }
    th,
    td {
      border: 1px solid var(--bp-border, var(--bp-border, #d8dde3));
      padding: 2px 6px;
      text-align: right;
      white-space: nowrap;
    }
    thead th {
      position: sticky;
      top: 0;
      background: var(--bp-card-bg, #ffffff);
    }
    .none {
      color: ${unsafeCSS(MUTED_CSS)};
    }
    .status {
      font-size: 12px;
      color: ${unsafeCSS(MUTED_CSS)};
    }
  `;

  /** Heading of the card (named `heading`, not `title`, to avoid the native tooltip over the whole card). */
  @property() heading = '';
  /** Plain-language explanation shown by "what am I looking at?" (the `help` slot overrides it). */
  @property() help = '';
  /** File name of the export, without ".png" (default: the heading as a slug). */
  @property() filename = '';

  @state() private helpOpen = false;
  @state() private tableOpen = false;
  /** Whether any slotted chart offers its numbers as tables (the "Table" toggle shows then). */
  @state() private hasTables = false;
  @state() private status = '';
  /** Bumped (at most once a second) when a chart drew new data while the tables show. */
  @state() private tableVersion = 0;
  private readonly tableRefresh = new Throttle(() => this.tableVersion++);

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('bp-chart-drawn', this.onDrawn);
  }

  override disconnectedCallback(): void {
    this.removeEventListener('bp-chart-drawn', this.onDrawn);
    this.tableRefresh.cancel();
    super.disconnectedCallback();
  }

  private readonly onDrawn = (): void => {
    // Charts inside a wrapper (one per run) may come after the slot last changed.
    if (!this.hasTables) this.hasTables = this.tabulars().length > 0;
    if (this.tableOpen) this.tableRefresh.request();
  };

  override render(): TemplateResult {
    return html`<section class="card" part="card" aria-label=${this.heading}>
      <header>
        <h2>${this.heading}</h2>
        <span class="status" role="status">${this.status}</span>
        <button type="button" aria-pressed=${this.helpOpen ? 'true' : 'false'} aria-controls="help" @click=${() => this.toggle('help')}>
          what am I looking at?
        </button>
        ${this.hasTables
          ? html`<button type="button" name="table" aria-pressed=${this.tableOpen ? 'true' : 'false'} aria-controls="tables" title="the chart's numbers as a table" @click=${() => this.toggle('table')}>Table</button>`
          : nothing}
        <button type="button" @click=${this.exportPng}>export PNG</button>
      </header>
      <div class="body">
        <div id="help" class="help" part="help" ?hidden=${!this.helpOpen} @click=${() => (this.helpOpen = false)}>
          <slot name="help">${this.help || nothing}</slot>
        </div>
        <div id="tables" class="tables" part="table" role="region" aria-label=${`${this.heading}: the numbers`} tabindex="0" ?hidden=${!this.tableOpen}>
          ${this.tableOpen ? this.renderTables() : nothing}
        </div>
        <slot @slotchange=${() => (this.hasTables = this.tabulars().length > 0)}></slot>
      </div>
    </section>`;
  }

  private toggle(panel: 'help' | 'table'): void {
    this.helpOpen = panel === 'help' && !this.helpOpen;
    this.tableOpen = panel === 'table' && !this.tableOpen;
  }

  private renderTables(): TemplateResult {
    const tables = this.tabulars().flatMap((el) => el.tables());
    if (tables.length === 0) return html`<p class="none">No numbers yet: the table fills in after the first logged step.</p>`;
    return html`${tables.map((t) => this.renderTable(t))}`;
  }

  private renderTable(t: ChartTable): TemplateResult {
    return html`<table>
      <caption>${t.caption}</caption>
      <thead><tr>${t.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>
        ${t.rows.map((row) => html`<tr>${row.map((v, i) => (i === 0 ? html`<th scope="row">${formatCell(v)}</th>` : html`<td>${formatCell(v)}</td>`))}</tr>`)}
      </tbody>
    </table>`;
  }

  /** The chart(s) in the default slot that offer their numbers as tables, searched one level into wrappers. */
  private tabulars(): (Element & Tabular)[] {
    return this.slotted(isTabular);
  }

  /** Slotted elements, and their descendants, that pass `test`. */
  private slotted<T extends Element>(test: (el: Element) => el is T): T[] {
    const slot = this.renderRoot.querySelector<HTMLSlotElement>('slot:not([name])');
    const found: T[] = [];
    for (const el of slot?.assignedElements({ flatten: true }) ?? []) {
      if (test(el)) found.push(el);
      else for (const inner of el.querySelectorAll('*')) if (test(inner)) found.push(inner);
    }
    return found;
  }

  /** The chart(s) in the default slot that can export themselves, searched one level into wrappers. */
  private exportables(): (Element & Exportable)[] {
    return this.slotted(isExportable);
  }

  /** The slotted charts drawn where they sit on screen, on one canvas. */
  private compose(): HTMLCanvasElement | null {
    const ratio = window.devicePixelRatio || 1;
    const parts = this.exportables()
      .map((el) => ({ rect: el.getBoundingClientRect(), canvas: el.exportCanvas() }))
      .filter((p): p is { rect: DOMRect; canvas: HTMLCanvasElement } => p.canvas !== null);
    if (parts.length === 0) return null;
    if (parts.length === 1) return parts[0]!.canvas;
    const left = Math.min(...parts.map((p) => p.rect.left));
    const top = Math.min(...parts.map((p) => p.rect.top));
    const out = document.createElement('canvas');
    out.width = Math.ceil(Math.max(...parts.map((p) => (p.rect.left - left) * ratio + p.canvas.width)));
    out.height = Math.ceil(Math.max(...parts.map((p) => (p.rect.top - top) * ratio + p.canvas.height)));
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    for (const p of parts) ctx.drawImage(p.canvas, Math.round((p.rect.left - left) * ratio), Math.round((p.rect.top - top) * ratio));
    return out;
  }

  private async exportPng(): Promise<void> {
    const chart = this.compose();
    if (!chart) {
      this.status = 'nothing to export yet';
      return;
    }
    const canvas = canvasWithTitle(chart, this.heading, window.devicePixelRatio || 1);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) {
      this.status = 'export failed';
      return;
    }
    const filename = `${this.filename || slug(this.heading)}.png`;
    const event = new CustomEvent<ExportDetail>('bp-export', { detail: { blob, filename }, bubbles: true, composed: true, cancelable: true });
    if (!this.dispatchEvent(event)) return;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.status = `saved ${filename}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-chart-card': BpChartCard;
  }
  interface HTMLElementEventMap {
    'bp-export': CustomEvent<ExportDetail>;
  }
}
