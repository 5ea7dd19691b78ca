/**
 * "A neuron, by hand": the chain rule of the clicked unit on the current batch, as lesson 3 writes it for one neuron —
 * ∂L/∂a from the layer above, φ′(z), ∂L/∂z, the incoming activations and ∂L/∂w of its largest weights, with the
 * numbers of the current step — and the product of the per-layer factors from the output down to the first layer,
 * which says why its gradient has the size it has.
 */
import { css, html, LitElement, nothing, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { neuronChain, type NeuronChain } from '../../core/neuron-chain.js';
import { FONT_FAMILY, INK_CSS, MUTED_CSS } from './chart-theme.js';
import { formatCell, type ChartTable } from './chart-table.js';
import type { RunInspection } from './inspection.js';
import { layerName } from './network-layout.js';

const f = (v: number) => formatCell(v);

/** The chain of the picked unit, or null when none fits (an input unit, no trace). */
export function pickedChain(ins: RunInspection | null, layer: number, unit: number): NeuronChain | null {
  if (!ins?.trace || !ins.model || !ins.params || layer < 1) return null;
  if (unit >= (ins.model.sizes[layer] ?? 0)) return null;
  return neuronChain(ins.model.sizes, ins.params, ins.trace, layer, unit);
}

/**
 * The chain rule of one unit.
 * @csspart panel - the panel box
 */
@customElement('bp-neuron-panel')
export class BpNeuronPanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: ${unsafeCSS(FONT_FAMILY)};
      color: ${unsafeCSS(INK_CSS)};
      font-size: calc(13.5px * var(--bp-font-scale, 1));
      line-height: 1.45;
    }
    h3 {
      font-size: 1em;
      margin: 6px 0 4px;
    }
    p {
      margin: 3px 0;
    }
    .eq {
      font-variant-numeric: tabular-nums;
    }
    .muted {
      color: ${unsafeCSS(MUTED_CSS)};
    }
    table {
      border-collapse: collapse;
      margin: 4px 0 8px;
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      border: 1px solid var(--bp-border, #d8dde3);
      padding: 1px 6px;
      text-align: right;
      white-space: nowrap;
    }
    caption {
      text-align: left;
      font-weight: 600;
    }
    tr.here {
      background: #fff3d6;
      color: #1f2328;
    }
    .scroll {
      overflow-x: auto;
    }
  `;

  @property({ attribute: false }) inspection: RunInspection | null = null;
  /** Node layer (1 … L) and unit picked. */
  @property({ type: Number }) layer = 1;
  @property({ type: Number }) unit = 0;
  @property() runLabel = '';

  private chain(): NeuronChain | null {
    return pickedChain(this.inspection, this.layer, this.unit);
  }

  /** The chain's numbers as tables (the card's Table view). */
  tables(): ChartTable[] {
    const c = this.chain();
    const ins = this.inspection;
    if (!c || !ins) return [];
    const name = `unit ${c.unit + 1} of ${layerName(c.layer, ins.model!.sizes.length)}`;
    return [
      {
        caption: `${this.runLabel}, ${name}, step ${ins.step}, row 1 of ${c.rows}: the chain rule`,
        columns: ['factor', 'value'],
        rows: [
          ['z', c.z],
          ['a = φ(z)', c.a],
          [c.output ? '∂L/∂z (from the loss)' : '∂L/∂a = Σ δ·W', c.dA],
          ['φ′(z)', c.output ? null : c.slope],
          ['∂L/∂z', c.dZ],
          ['∂L/∂b (batch)', c.biasGrad],
          ['mean |∂L/∂z| (batch)', c.meanAbsDz],
        ],
      },
      {
        caption: `${this.runLabel}, ${name}: its largest incoming gradients`,
        columns: ['from unit', 'a_i (row 1)', 'w_ij', 'a_i·∂L/∂z (row 1)', '∂L/∂w_ij (batch)'],
        rows: c.weights.map((w) => [w.from + 1, w.input, w.weight, w.rowTerm, w.grad]),
      },
    ];
  }

  override render(): TemplateResult {
    const ins = this.inspection;
    if (!ins?.trace || !ins.model) return html`<p class="muted">Click a unit in the network to see its chain rule.</p>`;
    const sizes = ins.model.sizes;
    const L = sizes.length - 1;
    if (this.layer === 0) {
      return html`<p>Input feature ${this.unit + 1}: the data itself. No weights lead into it, so it has no gradient to follow; pick a unit of a hidden or the output layer.</p>`;
    }
    const c = this.chain();
    if (!c) return html`<p class="muted">That unit is not in this run’s network.</p>`;
    const act = c.output ? ins.model.outputActivation : ins.model.activations[c.layer - 1]!;
    const name = `unit ${c.unit + 1} of ${layerName(c.layer, sizes.length)}`;
    const prev = c.layer === 1 ? 'x' : `a${c.layer - 1}`;
    const lr = ins.update.lr;
    return html`
      <h3>${this.runLabel}: ${name} (${act}), step ${ins.step}</h3>
      <p class="muted">Numbers of row 1 of ${ins.batch}; sums run over all ${c.rows} rows.</p>
      <p class="eq">Forward: z = Σᵢ ${prev}ᵢ·wᵢⱼ + bⱼ = <strong>${f(c.z)}</strong>, a = ${act}(z) = <strong>${f(c.a)}</strong>.</p>
      ${c.output
        ? html`<p class="eq">1. ∂L/∂z comes straight from the loss (fused with the ${act} output): <strong>${f(c.dZ)}</strong>.</p>`
        : html`<p class="eq">
              1. ∂L/∂a from the layer above = Σₖ δₖ·W<sub>jk</sub> over its ${c.aboveCount} units
              = ${c.above.map((t, i) => html`${i ? ' + ' : ''}(${f(t.delta)})·(${f(t.weight)})`)}${c.aboveCount > c.above.length ? ' + …' : ''}
              = <strong>${f(c.dA)}</strong>
            </p>
            <p class="eq">2. φ′(z) = ${act === 'sigmoid' ? 'a(1 − a)' : act === 'tanh' ? '1 − a²' : act.includes('relu') ? 'the step (1 where z > 0)' : '1'} = <strong>${f(c.slope)}</strong>${act === 'sigmoid' ? ' (at most 0.25)' : ''}</p>
            <p class="eq">3. ∂L/∂z = ∂L/∂a · φ′(z) = ${f(c.dA)} · ${f(c.slope)} = <strong>${f(c.dZ)}</strong></p>`}
      <p class="eq">${c.output ? '2' : '4'}. ∂L/∂wᵢⱼ = Σ<sub>rows</sub> ${prev}ᵢ · ∂L/∂z; its ${Math.min(c.weights.length, c.weightCount)} largest of ${c.weightCount}:</p>
      <div class="scroll">
        <table>
          <thead><tr><th scope="col">from unit i</th><th scope="col">${prev}ᵢ (row 1)</th><th scope="col">wᵢⱼ</th><th scope="col">${prev}ᵢ·∂L/∂z (row 1)</th><th scope="col">∂L/∂wᵢⱼ (batch)</th><th scope="col">step lr·∂L/∂w</th></tr></thead>
          <tbody>
            ${c.weights.map((w) => html`<tr><th scope="row">${w.from + 1}</th><td>${f(w.input)}</td><td>${f(w.weight)}</td><td>${f(w.rowTerm)}</td><td>${f(w.grad)}</td><td>${f(lr * w.grad)}</td></tr>`)}
          </tbody>
        </table>
      </div>
      <p class="eq">Over the batch: mean |∂L/∂z| = ${f(c.meanAbsDz)}, mean φ′(z) = ${f(c.meanSlope)}, ∂L/∂b = ${f(c.biasGrad)}.</p>
      ${this.renderChain(ins, c, L)}
    `;
  }

  /** Why the gradient has this size: the per-layer factors from the output down to layer 1. */
  private renderChain(ins: RunInspection, c: NeuronChain, L: number): TemplateResult | typeof nothing {
    if (ins.chain.length < 2) return nothing;
    const here = ins.chain.find((x) => x.layer === c.layer - 1);
    const bottom = ins.chain[ins.chain.length - 1]!;
    return html`
      <h3>Why this size: the product down to the first layer</h3>
      <p>
        Each layer on the way back multiplies ∂L/∂z by its weights and its φ′. At this layer the typical |∂L/∂z| is
        <strong>${f(here?.product ?? 1)}</strong> × the output layer’s (${L - c.layer} layers down); at layer 1 it is
        <strong>${f(bottom.product)}</strong> ×.
      </p>
      <div class="scroll">
        <table>
          <caption>Per layer, output first (rms over the batch and the layer’s units)</caption>
          <thead><tr><th scope="col">layer</th><th scope="col">mean φ′(z)</th><th scope="col">rms ∂L/∂z</th><th scope="col">× vs layer above</th><th scope="col">× vs output</th></tr></thead>
          <tbody>
            ${ins.chain.map(
              (x) => html`<tr class=${x.layer === c.layer - 1 ? 'here' : ''}>
                <th scope="row">${layerName(x.layer + 1, L + 1)}${x.layer === c.layer - 1 ? ' ◀' : ''}</th>
                <td>${x.layer === L - 1 ? '—' : f(x.meanSlope)}</td><td>${f(x.rmsDz)}</td><td>${x.layer === L - 1 ? '—' : f(x.ratio)}</td><td>${f(x.product)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bp-neuron-panel': BpNeuronPanel;
  }
}
