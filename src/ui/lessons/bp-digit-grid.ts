/** A grid of digit images on a canvas, each with its label and optionally the predictions of the networks. */
import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { scaledContext } from '../canvas.js';

/** One network's guesses for the shown digits. */
export interface DigitGuesses {
  readonly name: string;
  readonly color: string;
  /** Predicted class per shown digit. */
  readonly guesses: readonly number[];
}

const CELL = 64;
const LABEL_H = 18;

/**
 * Digits (side×side bytes each), labels underneath, guesses marked right (✓) or wrong (✗).
 * @csspart canvas - the grid
 */
@customElement('bp-digit-grid')
export class BpDigitGrid extends LitElement {
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

  /** Pixels of the digits, side² bytes each. */
  @property({ attribute: false }) images: Uint8Array | null = null;
  @property({ attribute: false }) labels: Uint8Array | null = null;
  @property({ type: Number }) side = 14;
  /** How many digits to show (from the start). */
  @property({ type: Number }) count = 20;
  @property({ type: Number }) columns = 10;
  /** Guesses of each network (its `name` should be short: one or two letters), or empty. */
  @property({ attribute: false }) guesses: readonly DigitGuesses[] = [];

  override render(): TemplateResult {
    return html`<canvas part="canvas" role="img" aria-label=${`${this.count} digits with their labels${this.guesses.length ? ' and the networks\u2019 guesses' : ''}`}></canvas>`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const images = this.images;
    const labels = this.labels;
    if (!canvas || !images || !labels) return;
    const n = Math.min(this.count, labels.length);
    const rows = Math.ceil(n / this.columns);
    const cellH = CELL + LABEL_H * (1 + this.guesses.length);
    const w = this.columns * (CELL + 8);
    const h = rows * (cellH + 8);
    const ctx = scaledContext(canvas, w, h, 'width');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const side = this.side;
    const img = new ImageData(side, side);
    const tile = document.createElement('canvas');
    tile.width = side;
    tile.height = side;
    const tctx = tile.getContext('2d')!;
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < side * side; p++) {
        const v = 255 - images[i * side * side + p]!;
        img.data.set([v, v, v, 255], 4 * p);
      }
      tctx.putImageData(img, 0, 0);
      const x = (i % this.columns) * (CELL + 8) + 4;
      const y = Math.floor(i / this.columns) * (cellH + 8) + 4;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, x, y, CELL, CELL);
      ctx.strokeStyle = '#c9ced6';
      ctx.strokeRect(x - 0.5, y - 0.5, CELL + 1, CELL + 1);
      ctx.fillStyle = '#1f2328';
      ctx.fillText(`label ${labels[i]}`, x + CELL / 2, y + CELL + 14);
      this.guesses.forEach((g, k) => {
        const guess = g.guesses[i];
        if (guess === undefined) return;
        const right = guess === labels[i];
        ctx.fillStyle = right ? g.color : '#b00020';
        ctx.fillText(`${g.name}: ${guess} ${right ? '✓' : '✗'}`, x + CELL / 2, y + CELL + 14 + LABEL_H * (k + 1));
      });
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-digit-grid': BpDigitGrid;
  }
}
