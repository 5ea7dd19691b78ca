/**
 * The lab page: restores the experiment from the URL, wires the controls to the lab controller, keeps the URL
 * in step with every setting (history.replaceState), and handles the keyboard (space: play/pause, →: step).
 * Embedded (`params` set before it connects, as `<backprop-lab>` does) it reads those instead of the URL, leaves
 * the page's URL and root alone, and takes keys only while the focus is inside it.
 */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { parseLab } from '../../core/lab-parse.js';
import { modelSpec, nextRun, LAB_LIMITS, type LabSpec } from '../../core/lab-spec.js';
import type { Dataset } from '../../core/datasets.js';
import { dataMeanSquare } from '../../core/theory.js';
import { formatActivationList, formatIssue, rescaleActivations } from '../../core/spec.js';
import { controlField, decodeAutoplay, decodeLab, decodeTheme, encodeAutoplay, encodeLab, encodeTheme, type Theme } from '../../core/url-codec.js';
import './bp-backend-badge.js';
import './bp-chart-grid.js';
import './bp-controls.js';
import type { LabPatch } from './bp-controls.js';
import './bp-data-panel.js';
import './bp-depth-sweep.js';
import type { BpDepthSweep } from './bp-depth-sweep.js';
import type { SweepSeries } from './sweep-controller.js';
import type { CsvDetail, ExportFormat, RunFileDetail } from './bp-data-panel.js';
import '../bp-notice.js';
import './bp-run-controls.js';
import type { RunPatch } from './bp-run-controls.js';
import './bp-transport.js';
import type { LabAction } from './bp-transport.js';
import { download, recordsToCsv, recordsToJson, weightsToJson, weightsToNpz } from '../export.js';
import { LabController } from './lab-controller.js';
import { inspectSource } from './inspect-source.js';
import { ACTIVATION_HELP } from '../charts/index.js';
import type { LabControl } from './lab-control.js';
import { startLabWorker, WorkerLab } from './worker-lab.js';
import { TheoryCache, theoryLabel } from '../theory-lines.js';
import type { GradientTheory } from '../charts/index.js';

/** localStorage key that remembers the first-visit hint was seen (above the class: the element upgrades as it is defined). */
const HINT_KEY = 'backprop-lab:hint-seen';

/** Whether this browser has seen the first-visit hint (storage that throws, as in some private modes, counts as no). */
function hintSeen(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

function rememberHint(): void {
  try {
    localStorage.setItem(HINT_KEY, '1');
  } catch {
    // Nothing to remember it in: the hint shows again next time.
  }
}

/**
 * The lab's trainer: in a dedicated worker (the page only draws), or in the page where no worker can be started or
 * when `window.__labTrainer` is 'page' before the app starts (a switch for tests that compare the two).
 */
function makeTrainer(host: BpApp, lab: LabSpec): LabControl {
  const inPage = (globalThis as { __labTrainer?: string }).__labTrainer === 'page';
  if (!inPage && typeof Worker === 'function') {
    try {
      return new WorkerLab(host, lab, startLabWorker());
    } catch (e) {
      console.warn('The training worker could not be started; training in the page instead:', e);
    }
  }
  return new LabController(host, lab);
}

/**
 * The Backprop Lab application.
 * @fires nothing; everything goes to the lab controller
 */
@customElement('bp-app')
export class BpApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto 1fr;
      height: 100vh;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
      color: var(--bp-ink, #1f2328);
      background: var(--bp-page-bg, #f6f7f9);
    }
    header {
      display: flex;
      align-items: center;
      gap: 8px 16px;
      padding: 6px 14px;
      border-bottom: 1px solid var(--bp-border, var(--bp-border, #d8dde3));
      background: var(--bp-card-bg, #fff);
      min-height: 40px;
      min-width: 0;
    }
    nav {
      display: flex;
      gap: 12px;
      font-size: 14px;
      white-space: nowrap;
    }
    nav a {
      color: var(--bp-link, var(--bp-link, #0b5cad));
    }
    h1 {
      font-size: calc(19px * var(--bp-font-scale, 1));
      margin: 0;
      white-space: nowrap;
    }
    .sub {
      color: var(--bp-muted, var(--bp-muted, #57606a));
      font-size: 13px;
      flex: 1 1 0;
      min-width: 0;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    bp-backend-badge {
      /* Shrinks (its reason is cut with an ellipsis, the full text is its tooltip) instead of widening the page. */
      flex: 0 1 auto;
      min-width: 0;
    }
    .body {
      display: grid;
      grid-template-columns: clamp(280px, 26vw, 340px) minmax(0, 1fr);
      min-height: 0;
      min-width: 0;
    }
    aside {
      overflow-y: auto;
      padding: 8px;
      border-right: 1px solid var(--bp-border, var(--bp-border, #d8dde3));
      scrollbar-gutter: stable;
    }
    main {
      overflow-y: auto;
      padding: 8px 10px;
      scrollbar-gutter: stable;
      min-width: 0;
    }
    .hint {
      display: flex;
      align-items: flex-start;
      gap: 8px;
      margin: 0 0 8px;
      padding: 6px 10px;
      border-radius: 6px;
      background: var(--bp-card-bg, #fff);
      border: 1px solid var(--bp-link, #0969da);
      font-size: 0.9rem;
      line-height: 1.4;
    }
    .hint span {
      flex: 1;
      min-width: 0;
    }
    .hint button {
      border: none;
      background: none;
      font: inherit;
      color: inherit;
      cursor: pointer;
      padding: 0 4px;
    }
    bp-notice {
      /* Over the charts, not above them: a notice during training must not move the charts. */
      position: fixed;
      right: 16px;
      bottom: 12px;
      width: min(620px, calc(100vw - 380px));
      min-width: min(300px, calc(100vw - 24px));
      max-height: 45vh;
      overflow-y: auto;
      z-index: 10;
      filter: drop-shadow(0 3px 8px rgba(0, 0, 0, 0.18));
    }
    bp-depth-sweep {
      position: absolute;
    }
    .sweep,
    .drawer-toggle {
      font: inherit;
      font-size: calc(13px * var(--bp-font-scale, 1));
      height: calc(28px * var(--bp-font-scale, 1));
      padding: 2px 10px;
      border: 1px solid #0072b2;
      border-radius: 5px;
      background: #eef5fb;
      color: #005a8c;
      cursor: pointer;
      white-space: nowrap;
    }
    .sweep[aria-pressed='true'] {
      background: #0072b2;
      color: #fff;
    }
    .sweep:focus-visible,
    .drawer-toggle:focus-visible {
      outline: 3px solid #e69f00;
    }
    .drawer-toggle {
      display: none;
      font-weight: 600;
    }
    .add {
      font: inherit;
      font-size: 13px;
      width: 100%;
      height: 30px;
      margin-bottom: 8px;
      border: 1px dashed #8c959f;
      border-radius: 6px;
      background: var(--bp-card-bg, #fff);
      cursor: pointer;
    }
    .add:focus-visible {
      outline: 3px solid #e69f00;
    }
    /* A phone: the controls fold into a drawer over the charts, opened by the "Controls" button. */
    @media (max-width: 600px) {
      header {
        flex-wrap: wrap;
        padding: 6px 8px;
      }
      .sub {
        display: none;
      }
      .drawer-toggle {
        display: inline-block;
      }
      .body {
        grid-template-columns: minmax(0, 1fr);
      }
      aside {
        position: fixed;
        z-index: 20;
        inset: 0 auto 0 0;
        width: min(340px, 92vw);
        box-sizing: border-box;
        background: var(--bp-page-bg, var(--bp-page-bg, #f6f7f9));
        box-shadow: 0 0 24px rgba(0, 0, 0, 0.3);
      }
      aside:not(.open) {
        /* Hidden also from the keyboard and from screen readers while closed. */
        visibility: hidden;
      }
      main {
        padding: 6px;
      }
      bp-notice {
        left: 8px;
        right: 8px;
        width: auto;
        min-width: 0;
      }
    }
  `;

  /** The lab's trainer (backend, trainers, loop; in a worker on the browser path); made when the element first connects. */
  lab!: LabControl;
  /** Resolves once the backend has started and the runs are built; made when the element first connects. */
  ready!: Promise<void>;
  /**
   * Settings of an embedded lab (URL keys, as the page URL would carry them); set before the element connects.
   * null (default): the page's own lab, read from and kept in `location.search`.
   */
  params: URLSearchParams | null = null;
  private readonly onKey = (e: KeyboardEvent) => this.keydown(e);
  private readonly theoryCache = new TheoryCache();
  /** The Network card's data: the runs' parameters read back (the weights export's read) and the data set. */
  private readonly inspect = inspectSource(() => this.lab.parameters(), () => ({ lab: this.lab.lab, data: this.lab.dataset, shape: this.lab.dataShape, runs: this.lab.runs }));
  private readonly meanSquares = new WeakMap<Dataset, number>();
  /** The page's look: `auto` (light or dark as the system prefers) or `projector`; in the URL as `theme`. */
  @state() private theme: Theme = 'auto';
  /** Whether the controls drawer is open (it exists only on narrow screens, ≤ 600 px). */
  @state() private drawerOpen = false;
  /** Whether the link starts training on load (`autoplay=1`, for slides and embeds); kept in the rewritten URL. */
  private autoplay = false;
  /** Whether the first-visit hint shows (until dismissed or Play is first pressed; remembered in localStorage). */
  @state() private hint = !hintSeen();

  /** Whether this lab is embedded in another page (its settings came from `params`, not the URL). */
  private get embedded(): boolean {
    return this.params !== null;
  }

  /** Build the lab from `params` or the page URL (once: the lab survives being moved in the document). */
  private init(): void {
    const params = this.params ?? new URLSearchParams(location.search);
    const parsed = decodeLab(params);
    this.setTheme(decodeTheme(params).value);
    this.autoplay = decodeAutoplay(params).value;
    this.lab = makeTrainer(this, parsed.value);
    if (parsed.issues.length) {
      const where = this.embedded ? 'attributes of this embedded lab' : 'settings in the link';
      this.lab.notify('warning', `Some ${where} were not valid; their defaults are used instead:`, parsed.issues.map(formatIssue));
    }
    this.syncUrl();
    this.ready = this.lab.start().then(() => {
      if (this.autoplay && this.lab.canTrain) this.play();
    });
  }

  /** Start training (and retire the first-visit hint: its job is done). */
  private play(): void {
    this.dismissHint();
    this.lab.play();
  }

  private dismissHint(): void {
    if (!this.hint) return;
    this.hint = false;
    rememberHint();
  }

  override connectedCallback(): void {
    // Before super's: the controller must exist when lit calls the controllers' hostConnected.
    if (!this.lab) this.init();
    super.connectedCallback();
    if (this.embedded && !this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.keyTarget().addEventListener('keydown', this.onKey as EventListener);
  }

  override disconnectedCallback(): void {
    this.keyTarget().removeEventListener('keydown', this.onKey as EventListener);
    super.disconnectedCallback();
  }

  /** Where keys are heard: the whole window for the page's lab; an embedded lab only while the focus is inside it. */
  private keyTarget(): EventTarget {
    return this.embedded ? this : window;
  }

  /** Write the settings to the link (only when they differ from it: browsers throttle frequent history calls). */
  private syncUrl(): void {
    if (this.embedded || !this.lab) return;
    const query = encodeAutoplay(this.autoplay, encodeTheme(this.theme, encodeLab(this.lab.lab))).toString();
    const search = query ? `?${query}` : '';
    if (search === location.search) return;
    history.replaceState(null, '', `${location.pathname}${search}${location.hash}`);
  }

  /** The link follows the lab after every render too: a state of the training worker can bring a change before its command's reply. */
  override updated(): void {
    this.syncUrl();
  }

  /** Apply a theme: the page's custom properties follow the root's `data-theme` (index.html). */
  private setTheme(theme: Theme): void {
    this.theme = theme;
    const root = this.embedded ? this : document.documentElement;
    if (theme === 'auto') delete root.dataset['theme'];
    else root.dataset['theme'] = theme;
  }

  /** Validate a new lab (bad fields keep their current value, with a notice) and move to it. */
  private async change(input: Record<string, unknown>): Promise<void> {
    const parsed = parseLab(input, this.lab.lab);
    if (parsed.issues.length) this.lab.notify('warning', 'Not applied:', parsed.issues.map((i) => formatIssue({ ...i, field: controlField(i.field) })));
    await this.lab.apply(parsed.value);
    this.syncUrl();
  }

  private async onPatch(p: LabPatch): Promise<void> {
    if ('dataset' in p && this.lab.csv) await this.lab.setCsv(null);
    await this.change({ ...this.lab.lab, ...p, ...this.rescaledRuns(p) });
  }

  /**
   * A new depth carries every run's per-layer activations over in proportion (sigmoid×10,relu×10 at depth 30 is
   * sigmoid×15,relu×15), saying so, rather than dropping them; nothing for any other change or a depth out of range.
   */
  private rescaledRuns(p: LabPatch): { runs?: LabSpec['runs'] } {
    const lab = this.lab.lab;
    const depth = p['depth'];
    if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > LAB_LIMITS.maxDepth || depth === lab.depth) return {};
    if (!lab.runs.some((r) => r.activations)) return {};
    const runs = lab.runs.map((r) => (r.activations ? { ...r, activations: rescaleActivations(r.activations, depth) } : r));
    const said = runs.flatMap((r, i) => (r.activations ? [`Run ${i + 1}: ${formatActivationList(r.activations)}`] : []));
    this.lab.notify('info', `The per-layer activations follow the new depth, ${depth}:`, said);
    return { runs };
  }

  private onRunPatch({ index, patch }: RunPatch): Promise<void> {
    const runs = this.lab.lab.runs.map((r, i) => (i === index ? { ...r, ...patch } : r));
    return this.change({ ...this.lab.lab, runs });
  }

  private async onAction(a: LabAction): Promise<void> {
    const lab = this.lab;
    if (a === 'play') this.play();
    else if (a === 'pause') lab.pause();
    else if (a === 'step') await lab.stepBy(1);
    else if (a === 'reset') {
      await lab.reset();
      lab.notify('info', 'Every run is back at its initial weights.');
    } else {
      const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
      await this.change({ ...lab.lab, initSeed: seed });
    }
  }

  private async addRun(): Promise<void> {
    const lab: LabSpec = this.lab.lab;
    if (lab.runs.length >= LAB_LIMITS.maxRuns) return;
    await this.change({ ...lab, runs: [...lab.runs, nextRun(lab)] });
  }

  private async removeRun(i: number): Promise<void> {
    await this.lab.removeRun(i);
    this.syncUrl();
  }

  private async onCsv(d: CsvDetail): Promise<void> {
    const taken = await this.lab.setCsv(d);
    if (d && taken) this.lab.notify('info', `Training on ${d.name} (${d.info.task}); the link does not include CSV data.`);
  }

  private async onExport(f: ExportFormat): Promise<void> {
    const lab = this.lab;
    if (f === 'run-json') {
      try {
        download('backprop-lab-run.json', await lab.saveRun(), 'application/json');
      } catch (e) {
        lab.notify('error', `Save run: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else if (f === 'records-csv') download('backprop-lab-records.csv', recordsToCsv(lab.views), 'text/csv');
    else if (f === 'records-json') download('backprop-lab-records.json', recordsToJson(lab.lab, lab.views), 'application/json');
    else if (f === 'weights-npz') download('backprop-lab-weights.npz', weightsToNpz(await lab.parameters(), lab.sizes), 'application/octet-stream');
    else download('backprop-lab-weights.json', weightsToJson(lab.lab, await lab.parameters(), lab.sizes), 'application/json');
  }

  /** Go on from a saved run; a file that cannot be used is refused with a notice naming what is wrong, nothing changed. */
  private async onRunFile(d: RunFileDetail): Promise<void> {
    try {
      await this.lab.loadRun(d.text);
    } catch (e) {
      this.lab.notify('error', `${d.name} was not loaded: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.syncUrl();
    this.lab.notify('info', `Loaded ${d.name}: the runs go on from step ${this.lab.step}.`);
  }

  /** The gradient profile's theory lines (runs with a first record whose model theory describes) and their labels. */
  theoryLines(): { lines: GradientTheory; labels: Record<string, string> } {
    const c = this.lab;
    const data = c.dataset;
    const lines: Record<string, readonly number[]> = {};
    const labels: Record<string, string> = {};
    if (!data) return { lines, labels };
    let m0 = this.meanSquares.get(data);
    if (m0 === undefined) this.meanSquares.set(data, (m0 = dataMeanSquare(data.x)));
    const shape = c.dataShape;
    for (const r of c.runs) {
      const first = r.records[0];
      if (!first) continue;
      const t = this.theoryCache.get(r.id, modelSpec(c.lab, r.spec, shape), first.gradNorms, m0);
      if (!t) continue;
      lines[r.id] = t.profile;
      labels[r.id] = theoryLabel(t.chi);
    }
    return { lines, labels };
  }

  /** The depth sweep's curves: the runs' distinct activation/init/gain, in run order and colour. */
  sweepSeries(): SweepSeries[] {
    const out: SweepSeries[] = [];
    for (const r of this.lab.runs) {
      const { activation, init, gain } = r.spec;
      const key = `${activation}|${init}|${gain}`;
      if (out.some((s) => s.key === key)) continue;
      out.push({ key, activation, init, gain, color: r.color, label: `${activation} · ${init}${gain === 1 ? '' : ` · gain ${gain}`}` });
    }
    return out;
  }

  private openSweep(): void {
    this.renderRoot.querySelector<BpDepthSweep>('bp-depth-sweep')?.show();
  }

  /** Open or close the controls drawer; opening moves the focus into it, closing back to its button. */
  private setDrawer(open: boolean): void {
    this.drawerOpen = open;
    void this.updateComplete.then(() => {
      const target = this.renderRoot.querySelector<HTMLElement>(open ? 'aside' : '.drawer-toggle');
      target?.focus();
    });
  }

  private keydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.drawerOpen && !e.defaultPrevented) {
      e.preventDefault();
      this.setDrawer(false);
      return;
    }
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.composedPath()[0];
    if (target instanceof HTMLElement && target.closest('input, select, textarea, button, [contenteditable]')) return;
    if (e.key === ' ') {
      e.preventDefault();
      this.dismissHint();
      this.lab.toggle();
    } else if (e.key === 'ArrowRight' && !this.lab.playing) {
      e.preventDefault();
      void this.lab.stepBy(1);
    }
  }

  override render(): TemplateResult {
    const c = this.lab;
    const lab = c.lab;
    const hide = lab.hide;
    const d = c.dataset;
    const points = d && d.inputDim === 2 ? { x: d.x, y: d.y, n: d.n } : null;
    const canTrain = c.canTrain;
    const b = c.backendStatus;
    const theory = this.theoryLines();
    return html`
      <header>
        <button class="drawer-toggle" name="drawer" aria-controls="controls" aria-expanded=${this.drawerOpen ? 'true' : 'false'} @click=${() => this.setDrawer(!this.drawerOpen)}>
          ${this.drawerOpen ? 'Close controls' : 'Controls'}
        </button>
        <h1>Backprop Lab</h1>
        <span class="sub">${lab.depth} hidden layers of ${lab.width} · ${c.csv ? c.csv.name : lab.dataset} · lr ${lab.lr} · ${lab.batch === 0 ? 'full batch' : `batch ${lab.batch}`}</span>
        ${hide.includes('sweep') ? '' : html`<button class="sweep" name="depth-sweep" title="Measure the first layer's gradient at initialisation for many depths" @click=${() => this.openSweep()}>Depth sweep…</button>`}
        <button
          class="sweep"
          name="projector"
          aria-pressed=${this.theme === 'projector' ? 'true' : 'false'}
          title="High contrast on white, thick lines, large type (theme=projector in the link)"
          @click=${() => {
            this.setTheme(this.theme === 'projector' ? 'auto' : 'projector');
            this.syncUrl();
          }}
        >
          Projector
        </button>
        ${this.embedded ? '' : html`<nav><a href="./lessons.html">Lessons</a> <a href="./bench.html">Benchmark</a></nav>`}
        <bp-backend-badge .status=${b}></bp-backend-badge>
      </header>
      <div class="body">
        <aside
          id="controls"
          class=${this.drawerOpen ? 'open' : ''}
          tabindex="-1"
          aria-label="Controls"
          @bp-lab-patch=${(e: CustomEvent<LabPatch>) => void this.onPatch(e.detail)}
          @bp-action=${(e: CustomEvent<LabAction>) => void this.onAction(e.detail)}
          @bp-run-patch=${(e: CustomEvent<RunPatch>) => void this.onRunPatch(e.detail)}
          @bp-run-remove=${(e: CustomEvent<number>) => void this.removeRun(e.detail)}
          @bp-csv=${(e: CustomEvent<CsvDetail>) => void this.onCsv(e.detail)}
          @bp-export-data=${(e: CustomEvent<ExportFormat>) => void this.onExport(e.detail)}
          @bp-run-file=${(e: CustomEvent<RunFileDetail>) => void this.onRunFile(e.detail)}
        >
          <bp-transport .lab=${lab} .playing=${c.playing} .canTrain=${canTrain} .step=${c.step} .hide=${hide}></bp-transport>
          ${c.runs.map(
            (r, i) =>
              html`<bp-run-controls .run=${r} .index=${i} .depth=${lab.depth} .sharedLr=${lab.lr} .removable=${c.runs.length > 1} .hide=${hide} .version=${`${r.status}:${r.records.length}:${r.label}:${r.color}`}></bp-run-controls>`,
          )}
          ${c.runs.length < LAB_LIMITS.maxRuns && !hide.includes('runs') ? html`<button class="add" name="add-run" @click=${() => void this.addRun()}>+ add a run</button>` : ''}
          <bp-chart-card heading="φ and φ′" filename="activation-derivative" style="margin-bottom: 8px" .help=${ACTIVATION_HELP}><bp-activation-plot .runs=${c.runs} .version=${c.version}></bp-activation-plot></bp-chart-card>
          <bp-controls .lab=${lab} .hide=${hide} .csvName=${c.csv?.name ?? null}></bp-controls>
          <bp-data-panel .hide=${hide} .csv=${c.csv}></bp-data-panel>
        </aside>
        <main @click=${() => this.drawerOpen && this.setDrawer(false)}>
          ${this.hint && !hide.includes('play')
            ? html`<p class="hint" role="note">
                <span><strong>Press ▶ Play</strong> (or Space). Within seconds the ReLU stack sorts the two spirals while the sigmoid
                stack stays at chance: in <em>Gradient norms</em>, its first layer gets some 10⁻⁷ of the gradient its last layer gets.</span>
                <button name="hint-dismiss" aria-label="Dismiss the hint" @click=${() => this.dismissHint()}>✕</button>
              </p>`
            : ''}
          <bp-notice .notices=${c.notices} @bp-notice-dismiss=${(e: CustomEvent<number>) => c.dismiss(e.detail)}></bp-notice>
          <bp-chart-grid
            .runs=${c.runs}
            .version=${c.version}
            .points=${points}
            .classes=${d?.task === 'multiclass' ? d.classes : []}
            .rates=${c.rates}
            .theory=${theory.lines}
            .theoryLabels=${theory.labels}
            .inspect=${this.inspect}
            .backendLabel=${b.kind === 'webgpu' ? `WebGPU · ${b.name}` : b.kind === 'cpu' ? b.name : ''}
          ></bp-chart-grid>
        </main>
      </div>
      <bp-depth-sweep .series=${this.sweepSeries()} .width=${lab.width} .data=${d} .seed=${lab.initSeed}></bp-depth-sweep>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-app': BpApp;
  }
}
