/**
 * Lesson 1's chain of multiplications: the error signal starts at 1 at the output and is multiplied by the
 * per-link factor at every layer on its way back (for a sigmoid layer: its slope σ′ ≤ 0.25 times its weights); an animation walks it down the chain on a log scale.
 */
import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { browserClock, type FrameClock } from './lesson-clock.js';
import { chainProduct, chainSignals } from './aim-game.js';
import { lessonStyles } from './lesson-styles.js';
import { formatNumber, powerOfTen } from './neuron-math.js';
import { scaledContext } from '../canvas.js';

const W = 860;
const H = 240;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };
/** Milliseconds per link of the animation. */
const LINK_MS = 70;

/** What the product does: vanish, hold or explode. */
export function chainVerdict(product: number): string {
  if (product < 1e-3) return 'vanishes: the first layers hear almost nothing';
  if (product > 1e3) return 'explodes: the first layers get huge, wild updates';
  return 'stays usable';
}

/**
 * The animated chain (a canvas and its controls). The product is in `[data-product]`.
 * @csspart canvas - the chart
 */
@customElement('bp-vanishing-chain')
export class BpVanishingChain extends LitElement {
  static override styles = [
    lessonStyles,
    css`
      canvas {
        width: 100%;
        max-width: ${W}px;
        height: auto;
      }
    `,
  ];

  /** The clock that times the animation (tests set a ManualClock before connecting). */
  @property({ attribute: false }) clock: FrameClock = browserClock;
  @state() private factor = 0.25;
  @state() private depth = 20;
  @state() private shown = 0;
  private frame = 0;
  private started = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.replay();
  }

  override disconnectedCallback(): void {
    this.clock.cancelFrame(this.frame);
    this.frame = 0;
    super.disconnectedCallback();
  }

  /** Restart the animation from the output end. */
  replay(): void {
    this.clock.cancelFrame(this.frame);
    this.started = this.clock.now();
    this.shown = 0;
    const tick = (now: number) => {
      this.shown = Math.min(this.depth, Math.floor((now - this.started) / LINK_MS));
      this.frame = this.shown < this.depth ? this.clock.requestFrame(tick) : 0;
    };
    this.frame = this.clock.requestFrame(tick);
  }

  private set(patch: { factor?: number; depth?: number }): void {
    if (patch.factor !== undefined) this.factor = patch.factor;
    if (patch.depth !== undefined) this.depth = patch.depth;
    this.replay();
  }

  override render(): TemplateResult {
    const product = chainProduct(this.factor, this.depth);
    return html`
      <div class="row">
        <label>factor per link<input type="range" name="factor" min="0.05" max="2" step="0.05" .value=${String(this.factor)} @input=${(e: Event) => this.set({ factor: Number((e.target as HTMLInputElement).value) })} /></label>
        <span class="num">${this.factor.toFixed(2)}</span>
        <label>depth (links)<input type="range" name="depth" min="1" max="50" step="1" .value=${String(this.depth)} @input=${(e: Event) => this.set({ depth: Number((e.target as HTMLInputElement).value) })} /></label>
        <span class="num">${this.depth}</span>
        <button name="sigmoid" @click=${() => this.set({ factor: 0.25 })}>sigmoid slope at best (0.25)</button>
        <button name="relu" @click=${() => this.set({ factor: 1 })}>ReLU, active (1)</button>
        <button name="explode" @click=${() => this.set({ factor: 1.5 })}>too big (1.5)</button>
        <button name="replay" @click=${() => this.replay()}>Replay</button>
      </div>
      <canvas part="canvas" role="img" aria-label=${`Signal after ${this.depth} links of ${this.factor}: ${product.toExponential(2)}`}></canvas>
      <p class="num" aria-live="polite">
        ${this.factor.toFixed(2)}<sup>${this.depth}</sup> = <b data-product=${String(product)}>${formatNumber(product, 3)}</b> — the signal ${chainVerdict(product)}.
      </p>
    `;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const ctx = scaledContext(canvas, W, H);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const signals = chainSignals(this.factor, this.depth);
    const logs = signals.map((v) => Math.log10(Math.max(v, 1e-300)));
    const lo = Math.floor(Math.min(0, ...logs)) - 1;
    const hi = Math.ceil(Math.max(0, ...logs)) + 1;
    const n = signals.length;
    const slot = (W - PAD.left - PAD.right) / n;
    // Output on the right: link k (k links back from the output) sits k slots left of it.
    const cx = (k: number) => W - PAD.right - (k + 0.5) * slot;
    const py = (lg: number) => PAD.top + ((hi - lg) / (hi - lo)) * (H - PAD.top - PAD.bottom);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#57606a';
    ctx.strokeStyle = '#e3e6ea';
    ctx.textAlign = 'right';
    const every = Math.max(1, Math.ceil((hi - lo) / 8));
    for (let e = lo; e <= hi; e += every) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, py(e));
      ctx.lineTo(W - PAD.right, py(e));
      ctx.stroke();
      ctx.fillText(powerOfTen(e), PAD.left - 6, py(e) + 4);
    }
    ctx.strokeStyle = '#1f2328';
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(0));
    ctx.lineTo(W - PAD.right, py(0));
    ctx.stroke();
    const width = Math.max(2, slot * 0.7);
    for (let k = 0; k <= Math.min(this.shown, n - 1); k++) {
      const lg = logs[k]!;
      const color = lg < -3 ? '#0072B2' : lg > 3 ? '#D55E00' : '#009E73';
      ctx.fillStyle = color;
      const top = Math.min(py(lg), py(0));
      ctx.fillRect(cx(k) - width / 2, top, width, Math.max(2, Math.abs(py(lg) - py(0))));
    }
    ctx.fillStyle = '#1f2328';
    ctx.textAlign = 'center';
    ctx.fillText('output', cx(0), H - 18);
    ctx.fillText('first layer', cx(n - 1) + 10, H - 18);
    ctx.fillText('← the error signal travels back', W / 2, H - 4);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-vanishing-chain': BpVanishingChain;
  }
}
