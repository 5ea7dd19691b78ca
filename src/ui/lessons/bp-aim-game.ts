/** Lesson 1's game: choose a strength, shoot, see the miss, and let the miss correct the next shot. */
import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { corrected, landing } from './aim-game.js';
import { lessonStyles } from './lesson-styles.js';
import { scaledContext } from '../canvas.js';

const W = 720;
const H = 150;
const MAX_DISTANCE = 100;

/**
 * The shooting game (a canvas and its controls).
 * @csspart canvas - the field
 */
@customElement('bp-aim-game')
export class BpAimGame extends LitElement {
  static override styles = [
    lessonStyles,
    css`
      canvas {
        width: 100%;
        max-width: ${W}px;
        height: auto;
        border: 1px solid #d8dde3;
        border-radius: 8px;
      }
    `,
  ];

  @state() private target = 62;
  @state() private strength = 6;
  @state() private lr = 0.02;
  @state() private shots: number[] = [];

  private shoot(s: number): void {
    this.shots = [...this.shots, s].slice(-10);
    this.strength = Math.round(s * 1000) / 1000;
  }

  private newTarget(): void {
    this.target = 20 + Math.round(Math.random() * 70);
    this.shots = [];
  }

  override render(): TemplateResult {
    const last = this.shots.at(-1);
    const miss = last === undefined ? null : landing(last) - this.target;
    return html`
      <canvas part="canvas" role="img" aria-label=${`Target at ${this.target} m; last shot ${last === undefined ? 'none' : `landed at ${landing(last).toFixed(1)} m`}`}></canvas>
      <div class="row">
        <label>strength<input type="range" name="strength" min="0" max="20" step="0.1" .value=${String(this.strength)} @input=${(e: Event) => (this.strength = Number((e.target as HTMLInputElement).value))} /></label>
        <span class="num">${this.strength.toFixed(2)}</span>
        <button class="primary" name="shoot" @click=${() => this.shoot(this.strength)}>Shoot</button>
        <label>correction size η<select name="lr" @change=${(e: Event) => (this.lr = Number((e.target as HTMLSelectElement).value))}>
          ${[0.005, 0.02, 0.04, 0.07, 0.09].map((v) => html`<option value=${v} ?selected=${v === this.lr}>${v}</option>`)}
        </select></label>
        <button name="correct" ?disabled=${last === undefined} @click=${() => this.shoot(corrected(last!, this.target, this.lr))}>Correct by the miss</button>
        <button name="new-target" @click=${() => this.newTarget()}>New target</button>
      </div>
      <p class="num" aria-live="polite" data-miss=${miss === null ? '' : String(miss)}>
        ${miss === null ? 'Shoot once, then let the miss correct the next shot.' : `Landed at ${landing(last!).toFixed(2)} m, target ${this.target} m: missed by ${miss > 0 ? '+' : ''}${miss.toFixed(2)} m.`}
      </p>
    `;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const ctx = scaledContext(canvas, W, H);
    ctx.fillStyle = '#eef5fb';
    ctx.fillRect(0, 0, W, H);
    const ground = H - 30;
    const x = (d: number) => 30 + (Math.max(-5, Math.min(MAX_DISTANCE + 5, d)) / MAX_DISTANCE) * (W - 60);
    ctx.fillStyle = '#c7e3c0';
    ctx.fillRect(0, ground, W, H - ground);
    ctx.fillStyle = '#1f2328';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (let d = 0; d <= MAX_DISTANCE; d += 10) ctx.fillText(`${d} m`, x(d), H - 10);
    ctx.fillRect(x(0) - 6, ground - 14, 12, 14);
    ctx.strokeStyle = '#D55E00';
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(x(this.target), ground);
    ctx.lineTo(x(this.target), ground - 60);
    ctx.stroke();
    ctx.fillStyle = '#D55E00';
    ctx.beginPath();
    ctx.moveTo(x(this.target), ground - 60);
    ctx.lineTo(x(this.target) + 22, ground - 52);
    ctx.lineTo(x(this.target), ground - 44);
    ctx.fill();
    this.shots.forEach((s, i) => {
      const d = landing(s);
      const newest = i === this.shots.length - 1;
      const peak = 30 + (Math.abs(d) / MAX_DISTANCE) * 50;
      ctx.strokeStyle = newest ? '#0072B2' : 'rgba(0, 114, 178, 0.3)';
      ctx.lineWidth = newest ? 2.5 : 1.5;
      ctx.beginPath();
      ctx.moveTo(x(0), ground - 14);
      ctx.quadraticCurveTo((x(0) + x(d)) / 2, ground - 14 - 2 * peak, x(d), ground);
      ctx.stroke();
      ctx.fillStyle = newest ? '#0072B2' : 'rgba(0, 114, 178, 0.45)';
      ctx.beginPath();
      ctx.arc(x(d), ground, newest ? 6 : 4, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = '#1f2328';
      ctx.fillText(String(i + 1), x(d), ground - 10);
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-aim-game': BpAimGame;
  }
}
