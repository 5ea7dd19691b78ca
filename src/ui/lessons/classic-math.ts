/**
 * The equations of lesson 4's worked example (the course text's §5.1: forward pass, MSE loss, every gradient, the
 * update) as MathML, one equation per line of the NumPy loop and tagged with the same phase, so that the lesson
 * can highlight them together. MathML is native in the browser: no renderer, no TeX.
 */
import { html, mathml, type TemplateResult } from 'lit';

/** A MathML fragment (lit's `mathml` tag: its elements are created in the MathML namespace). */
type MathFragment = ReturnType<typeof mathml>;
import type { ClassicSettings } from './classic-setup.js';
import type { Phase } from './classic-numpy.js';

/** One equation and the phase of a training step it belongs to. */
export interface Equation {
  readonly id: string;
  readonly phase: Phase;
  readonly math: TemplateResult;
}

const v = (name: string, i: number | string) => mathml`<msub><mi>${name}</mi><mn>${i}</mn></msub>`;
const W = (i: number) => mathml`<msub><mi>W</mi><mn>${i}</mn></msub>`;
const T = (x: MathFragment) => mathml`<msup>${x}<mi>⊤</mi></msup>`;
const d = (of: MathFragment) => mathml`<mfrac><mrow><mo>∂</mo><mi>L</mi></mrow><mrow><mo>∂</mo>${of}</mrow></mfrac>`;
const eq = (lhs: MathFragment, rhs: MathFragment) => html`<math><mrow>${lhs}<mo>=</mo>${rhs}</mrow></math>`;
const sumRows = mathml`<munder><mo>∑</mo><mtext>rows</mtext></munder>`;

/** The hidden activation f and its slope f′(z₁) as MathML. */
function activation(a: ClassicSettings['activation']): { f: MathFragment; slope: MathFragment } {
  const z1 = v('z', 1);
  const a1 = v('a', 1);
  switch (a) {
    case 'sigmoid':
      return { f: mathml`<mi>σ</mi><mo>(</mo>${z1}<mo>)</mo>`, slope: mathml`${a1}<mo>⊙</mo><mo>(</mo><mn>1</mn><mo>−</mo>${a1}<mo>)</mo>` };
    case 'tanh':
      return { f: mathml`<mi>tanh</mi><mo>(</mo>${z1}<mo>)</mo>`, slope: mathml`<mo>(</mo><mn>1</mn><mo>−</mo><msup>${a1}<mn>2</mn></msup><mo>)</mo>` };
    case 'relu':
      return { f: mathml`<mi>max</mi><mo>(</mo>${z1}<mo>,</mo><mn>0</mn><mo>)</mo>`, slope: mathml`<mn>𝟙</mn><mo>[</mo>${z1}<mo>&gt;</mo><mn>0</mn><mo>]</mo>` };
    case 'linear':
      return { f: z1, slope: mathml`<mn>1</mn>` };
  }
}

/** The equations of one training step for these settings, in the order of the NumPy loop. */
export function classicEquations(s: ClassicSettings): Equation[] {
  const act = activation(s.activation);
  const [z1, a1, z2, a2] = [v('z', 1), v('a', 1), v('z', 2), v('a', 2)];
  const X = mathml`<mi>X</mi>`;
  const y = mathml`<mi>y</mi>`;
  const N = mathml`<mi>N</mi>`;
  return [
    { id: 'z1', phase: 'forward', math: eq(z1, mathml`${X}${W(1)}<mo>+</mo>${v('b', 1)}`) },
    { id: 'a1', phase: 'forward', math: eq(a1, act.f) },
    { id: 'z2', phase: 'forward', math: eq(z2, mathml`${a1}${W(2)}<mo>+</mo>${v('b', 2)}`) },
    { id: 'a2', phase: 'forward', math: eq(a2, mathml`<mi>σ</mi><mo>(</mo>${z2}<mo>)</mo>`) },
    {
      id: 'loss',
      phase: 'loss',
      math: eq(mathml`<mi>L</mi>`, mathml`<mfrac><mn>1</mn>${N}</mfrac><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow>${N}</munderover><msup><mrow><mo>(</mo><msub><mi>a</mi><mrow><mn>2</mn><mo>,</mo><mi>i</mi></mrow></msub><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub><mo>)</mo></mrow><mn>2</mn></msup>`),
    },
    { id: 'dL/da2', phase: 'backward', math: eq(d(a2), mathml`<mfrac><mn>2</mn>${N}</mfrac><mo>(</mo>${a2}<mo>−</mo>${y}<mo>)</mo>`) },
    { id: 'dL/dz2', phase: 'backward', math: eq(d(z2), mathml`${d(a2)}<mo>⊙</mo>${a2}<mo>⊙</mo><mo>(</mo><mn>1</mn><mo>−</mo>${a2}<mo>)</mo>`) },
    { id: 'dW2', phase: 'backward', math: eq(d(W(2)), mathml`${T(a1)}${d(z2)}`) },
    { id: 'db2', phase: 'backward', math: eq(d(v('b', 2)), mathml`${sumRows}${d(z2)}`) },
    { id: 'dL/da1', phase: 'backward', math: eq(d(a1), mathml`${d(z2)}${T(W(2))}`) },
    { id: 'dL/dz1', phase: 'backward', math: eq(d(z1), mathml`${d(a1)}<mo>⊙</mo>${act.slope}`) },
    { id: 'dW1', phase: 'backward', math: eq(d(W(1)), mathml`${T(X)}${d(z1)}`) },
    { id: 'db1', phase: 'backward', math: eq(d(v('b', 1)), mathml`${sumRows}${d(z1)}`) },
    {
      id: 'update',
      phase: 'update',
      math: html`<math><mrow><mi>θ</mi><mo>←</mo><mi>θ</mi><mo>−</mo><mi>α</mi><mfrac><mrow><mo>∂</mo><mi>L</mi></mrow><mrow><mo>∂</mo><mi>θ</mi></mrow></mfrac><mspace width="1em"></mspace><mtext>for</mtext><mspace width="0.5em"></mspace><mi>θ</mi><mo>∈</mo><mo>{</mo>${W(1)}<mo>,</mo>${v('b', 1)}<mo>,</mo>${W(2)}<mo>,</mo>${v('b', 2)}<mo>}</mo><mo>,</mo><mspace width="0.5em"></mspace><mi>α</mi><mo>=</mo><mn>${s.lr}</mn></mrow></math>`,
    },
  ];
}
