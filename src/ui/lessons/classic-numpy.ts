/**
 * The from-scratch NumPy program of lesson 4 (the loop of tests/fixtures/make_classic_fixtures.py, the oracle the
 * trainer is tested against), as lines tagged with the phase of a training step they belong to. The text follows
 * the student's settings (activation, initialisation, learning rate, epochs, seed, data set).
 */
import type { ClassicSettings } from './classic-setup.js';

/** The four phases of one training step. */
export const PHASES = ['forward', 'loss', 'backward', 'update'] as const;
/** A phase of a training step. */
export type Phase = (typeof PHASES)[number];

/** One line of code and the phase it belongs to (null: set-up). */
export interface CodeLine {
  readonly text: string;
  readonly phase: Phase | null;
}

const ACT: Record<ClassicSettings['activation'], { def: string; value: string; slope: string }> = {
  sigmoid: { def: 'def sigmoid(z): return 1 / (1 + np.exp(-z))', value: 'sigmoid(z1)', slope: 'a1 * (1 - a1)' },
  tanh: { def: 'def tanh(z): return np.tanh(z)', value: 'tanh(z1)', slope: '(1 - a1 ** 2)' },
  relu: { def: 'def relu(z): return np.maximum(z, 0)', value: 'relu(z1)', slope: '(a1 > 0)' },
  linear: { def: '', value: 'z1', slope: '1' },
};

function initLine(name: string, shape: string, s: ClassicSettings, fanIn: string, fanOut: string): string {
  if (s.init === 'classic') return `${name} = np.random.randn(${shape})`;
  if (s.init === 'xavier') return `${name} = np.random.randn(${shape}) * np.sqrt(2 / (${fanIn} + ${fanOut}))`;
  return `${name} = np.random.randn(${shape}) * np.sqrt(2 / ${fanIn})`;
}

/** The program for these settings. */
export function numpyProgram(s: ClassicSettings): CodeLine[] {
  const a = ACT[s.activation];
  const h = String(s.hidden);
  const data =
    s.dataset === 'circle'
      ? ['X, y = circle_points(200)                      # 200 points, label 1 inside the circle']
      : ['X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)', `y = np.array(${s.dataset === 'xor' ? '[[0], [1], [1], [0]]' : '[[0], [0], [0], [1]]'}, dtype=float)`];
  const setup = [
    'import numpy as np',
    'def sigmoid(z): return 1 / (1 + np.exp(-z))',
    ...(a.def === '' || s.activation === 'sigmoid' ? [] : [a.def]),
    ...data,
    `np.random.seed(${s.seed})`,
    initLine('W1', `2, ${h}`, s, '2', h),
    `b1 = np.zeros((1, ${h}))`,
    initLine('W2', `${h}, 1`, s, h, '1'),
    'b2 = np.zeros((1, 1))',
    `lr = ${s.lr}`,
    `for epoch in range(${s.epochs}):`,
  ].map((text) => ({ text, phase: null }));
  const body: [string, Phase][] = [
    ['z1 = X @ W1 + b1', 'forward'],
    [`a1 = ${a.value}`, 'forward'],
    ['z2 = a1 @ W2 + b2', 'forward'],
    ['a2 = sigmoid(z2)', 'forward'],
    ['loss = np.mean((a2 - y) ** 2)', 'loss'],
    ['d_a2 = 2 * (a2 - y) / y.shape[0]', 'backward'],
    ['d_z2 = d_a2 * a2 * (1 - a2)', 'backward'],
    ['dW2 = a1.T @ d_z2', 'backward'],
    ['db2 = np.sum(d_z2, axis=0, keepdims=True)', 'backward'],
    ['d_a1 = d_z2 @ W2.T', 'backward'],
    [`d_z1 = d_a1 * ${a.slope}`, 'backward'],
    ['dW1 = X.T @ d_z1', 'backward'],
    ['db1 = np.sum(d_z1, axis=0, keepdims=True)', 'backward'],
    ['W1 -= lr * dW1', 'update'],
    ['b1 -= lr * db1', 'update'],
    ['W2 -= lr * dW2', 'update'],
    ['b2 -= lr * db2', 'update'],
  ];
  const every = printEvery(s);
  const print = s.dataset === 'and' ? 'print(f"Epoch {epoch}, Loss: {loss}")' : 'print(f"Epoch {epoch}, Loss: {loss:.4f}")';
  const after =
    s.dataset === 'and'
      ? ['print("Trained!")', 'print("Test predictions:", a2)']
      : s.dataset === 'xor'
        ? ['print("Final predictions:")', 'print(a2.round())']
        : ['print(f"Accuracy: {np.mean((a2 > 0.5) == y):.0%}")'];
  return [
    ...setup,
    ...body.map(([text, phase]) => ({ text: `    ${text}`, phase })),
    { text: `    if epoch % ${every} == 0:`, phase: null },
    { text: `        ${print}`, phase: null },
    ...after.map((text) => ({ text, phase: null })),
  ];
}

/** How often the program prints its loss: every 1000 epochs for AND (the exercise), every 2000 otherwise. */
export function printEvery(s: Pick<ClassicSettings, 'dataset'>): number {
  return s.dataset === 'and' ? 1000 : 2000;
}

/** A float as Python's repr prints it (the shortest text that reads back as the same double, like JS). */
export function pythonRepr(v: number): string {
  if (Number.isInteger(v)) return `${v}.0`;
  const t = String(v);
  // JS writes 1e-7 where Python writes 1e-07.
  return t.replace(/e([-+])(\d)$/, 'e$10$2');
}

/** A column vector as NumPy prints it (`[[0.02746471]\n [0.08113197]]`): 8 decimals, trailing zeros dropped alike. */
export function numpyColumn(values: readonly number[]): string {
  const texts = values.map((v) => v.toFixed(8).replace(/0+$/, ''));
  const decimals = Math.max(...texts.map((t) => t.length - t.indexOf('.') - 1));
  const padded = texts.map((t, i) => (decimals === 0 ? t : values[i]!.toFixed(decimals)));
  return `[${padded.map((t, i) => `${i === 0 ? '' : ' '}[${t}]`).join('\n')}]`;
}

/** What the program prints: the loss at every printed epoch, then its closing lines (from the run's numbers). */
export function programOutput(s: ClassicSettings, losses: ReadonlyMap<number, number>, lastA2: readonly number[] | null, accuracy: number | null): string[] {
  const every = printEvery(s);
  const lines: string[] = [];
  for (let e = 0; e < s.epochs; e += every) {
    const loss = losses.get(e);
    if (loss === undefined) break;
    lines.push(`Epoch ${e}, Loss: ${s.dataset === 'and' ? pythonRepr(loss) : loss.toFixed(4)}`);
  }
  if (!lastA2) return lines;
  if (s.dataset === 'and') lines.push('Trained!', `Test predictions: ${numpyColumn(lastA2)}`);
  else if (s.dataset === 'xor') lines.push('Final predictions:', numpyColumn(lastA2.map((v) => Math.round(v))));
  else if (accuracy !== null) lines.push(`Accuracy: ${Math.round(accuracy * 100)}%`);
  return lines;
}
