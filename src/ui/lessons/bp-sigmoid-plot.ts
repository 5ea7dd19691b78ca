/** The sigmoid σ(z) and its slope σ′(z) on a canvas, with the current z marked and the slope's ceiling 0.25 drawn. */
import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sigmoid, sigmoidSlope } from './neuron-math.js';
import { scaledContext } from '../canvas.js';

const W = 520;
const H = 260;
const PAD = { left: 44, right: 12, top: 14, bottom: 34 };
const BLUE = '#0072B2';
const ORANGE = '#D55E00';

/**
 * σ and σ′ over z ∈ [−range, range], a marker at `z`.
 * @csspart canvas - the plot
 */
@customElement('bp-sigmoid-plot')
export class BpSigmoidPlot extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    canvas {
      display: block;
      max-width: 100%;
      height: auto;
    }
  `;

  /** The neuron's current weighted sum. */
  @property({ type: Number }) z = 0;
  /** Half-width of the z axis. */
  @property({ type: Number }) range = 10;

  override render(): TemplateResult {
    const s = sigmoid(this.z);
    return html`<canvas part="canvas" role="img" aria-label=${`Sigmoid and its slope; at z = ${this.z.toFixed(2)}, σ = ${s.toFixed(3)} and σ′ = ${sigmoidSlope(this.z).toFixed(4)}`}></canvas>`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.draw();
  }

  private draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const ctx = scaledContext(canvas, W, H, 'width');
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const r = this.range;
    const px = (z: number) => PAD.left + ((z + r) / (2 * r)) * (W - PAD.left - PAD.right);
    const py = (v: number) => H - PAD.bottom - v * (H - PAD.top - PAD.bottom);
    ctx.font = '12px system-ui, sans-serif';
    ctx.strokeStyle = '#e3e6ea';
    ctx.fillStyle = '#57606a';
    ctx.lineWidth = 1;
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, py(v));
      ctx.lineTo(W - PAD.right, py(v));
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(String(v), PAD.left - 6, py(v) + 4);
    }
    ctx.textAlign = 'center';
    for (let z = -r; z <= r; z += r / 5) ctx.fillText(String(Math.round(z)), px(z), H - PAD.bottom + 16);
    ctx.fillText('z', W - PAD.right - 6, H - 4);
    const curve = (f: (z: number) => number, color: string, width: number) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      for (let i = 0; i <= 200; i++) {
        const z = -r + (2 * r * i) / 200;
        if (i === 0) ctx.moveTo(px(z), py(f(z)));
        else ctx.lineTo(px(z), py(f(z)));
      }
      ctx.stroke();
    };
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = ORANGE;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(0.25));
    ctx.lineTo(W - PAD.right, py(0.25));
    ctx.stroke();
    ctx.setLineDash([]);
    curve(sigmoid, BLUE, 2.5);
    curve(sigmoidSlope, ORANGE, 2.5);
    ctx.textAlign = 'left';
    ctx.fillStyle = BLUE;
    ctx.fillText('σ(z)', px(r * 0.55), py(sigmoid(r * 0.55)) + 16);
    ctx.fillStyle = ORANGE;
    ctx.fillText('σ′(z) ≤ 0.25', px(0.6), py(0.25) - 6);
    const z = Math.max(-r, Math.min(r, this.z));
    ctx.strokeStyle = '#1f2328';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(z), PAD.top);
    ctx.lineTo(px(z), H - PAD.bottom);
    ctx.stroke();
    for (const [v, color] of [[sigmoid(z), BLUE], [sigmoidSlope(z), ORANGE]] as const) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(px(z), py(v), 5.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = '#1f2328';
      ctx.stroke();
    }
    ctx.fillStyle = '#1f2328';
    ctx.textAlign = px(z) > W / 2 ? 'right' : 'left';
    ctx.fillText(`z = ${this.z.toFixed(2)}${this.z !== z ? ' (off the chart)' : ''}`, px(z) + (px(z) > W / 2 ? -6 : 6), PAD.top + 10);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-sigmoid-plot': BpSigmoidPlot;
  }
}
