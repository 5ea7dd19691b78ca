/** f64 reference implementations of every backend operation, the oracle of the GPU tests. */
import { ACTIVATIONS, LEAKY_SLOPE, type ActivationName } from '../../src/core/activations.js';
import { lossValue, outputGradient, type LossName } from '../../src/core/losses.js';
import type { OutputActivation } from '../../src/core/activations.js';

/** A [batch, rows, cols] array of f64 values. */
export interface Host {
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Seeded uniform random numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A host tensor of f32-representable values drawn from `draw`. */
export function host(batch: number, rows: number, cols: number, draw: () => number): Host {
  const data = new Float64Array(batch * rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(draw());
  return { batch, rows, cols, data };
}

/** Uniform values in [lo, hi). */
export function uniform(r: () => number, lo = -1, hi = 1): () => number {
  return () => lo + (hi - lo) * r();
}

function at(t: Host, b: number, r: number, c: number): number {
  return t.data[(t.batch === 1 ? 0 : b) * t.rows * t.cols + r * t.cols + c]!;
}

/** φ(z) in f64 (softmax handled row-wise by the caller). */
export function activate(name: ActivationName, z: number): number {
  return name === 'softmax' ? z : ACTIVATIONS[name].value(z);
}

/** φ′ from the output a (with `fromInput`, from the pre-activation z = a), in f64. */
export function derivative(name: ActivationName, a: number, fromInput = false): number {
  if (name === 'softmax') return 1;
  if (fromInput) return ACTIVATIONS[name].derivative(a);
  if (name === 'leaky_relu') return a > 0 ? 1 : LEAKY_SLOPE;
  const fromOutput = ACTIVATIONS[name].derivativeFromOutput;
  if (!fromOutput) throw new Error(`${name}′ is not a function of the output`);
  return fromOutput(a);
}

/** Options of the reference product. */
export interface RefMatmul {
  transA?: boolean;
  transB?: boolean;
  bias?: Host;
  act?: Host;
  activations?: readonly ActivationName[];
  /** `act` holds pre-activations z (the act_grad epilogue's fromInput). */
  fromInput?: boolean;
}

/** out = epilogue(op(A)·op(B)) and, per element, Σ_k |op(A)_ik·op(B)_kj| (the scale of f32 rounding error). */
export function matmulRef(a: Host, b: Host, batch: number, o: RefMatmul): { out: Host; scale: Float64Array } {
  const [m, k] = o.transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const n = o.transB ? b.rows : b.cols;
  const out = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    const name = o.activations ? (o.activations.length === 1 ? o.activations[0]! : o.activations[bt]!) : 'linear';
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let q = 0; q < k; q++) {
          const x = o.transA ? at(a, bt, q, i) : at(a, bt, i, q);
          const y = o.transB ? at(b, bt, j, q) : at(b, bt, q, j);
          s += x * y;
          abs += Math.abs(x * y);
        }
        const idx = bt * m * n + i * n + j;
        if (o.bias) {
          s = activate(name, s + at(o.bias, bt, 0, j));
        } else if (o.act) {
          const d = derivative(name, o.act.data[idx]!, o.fromInput);
          s *= d;
          abs *= Math.abs(d);
        }
        out[idx] = s;
        scale[idx] = abs;
      }
    }
    if (name === 'softmax') softmaxInPlace(out.subarray(bt * m * n, (bt + 1) * m * n), m, n);
  }
  return { out: { batch, rows: m, cols: n, data: out }, scale };
}

/** Row-wise softmax of an m×n block, in place. */
export function softmaxInPlace(x: Float64Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = x.subarray(i * n, (i + 1) * n);
    const mx = Math.max(...row);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(row[j]! - mx);
    for (let j = 0; j < n; j++) row[j] = Math.exp(row[j]! - mx) / s;
  }
}

/** The slice of batch entry b (or the only one of a batch-1 tensor). */
export function entry(t: Host, b: number): Float64Array {
  const per = t.rows * t.cols;
  const bb = t.batch === 1 ? 0 : b;
  return t.data.subarray(bb * per, (bb + 1) * per);
}

/** δ of the output layer per batch entry (core/losses.ts, in f64). */
export function outputDeltaRef(loss: LossName, outAct: OutputActivation, pred: Host, target: Host): Float64Array {
  const out = new Float64Array(pred.data.length);
  const per = pred.rows * pred.cols;
  for (let b = 0; b < pred.batch; b++) {
    const view = out.subarray(b * per, (b + 1) * per);
    outputGradient(loss, outAct, entry(pred, b), entry(target, b), pred.rows, pred.cols, view);
  }
  return out;
}

/** Loss per batch entry. */
export function lossRef(loss: LossName, pred: Host, target: Host): number[] {
  return Array.from({ length: pred.batch }, (_, b) => lossValue(loss, entry(pred, b), entry(target, b), pred.rows, pred.cols));
}

function argmax(x: Float64Array, start: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (x[start + c]! > x[start + best]!) best = c;
  return best;
}

/** Accuracy per batch entry. */
export function accuracyRef(pred: Host, target: Host): number[] {
  const { rows: n, cols: k } = pred;
  return Array.from({ length: pred.batch }, (_, b) => {
    const p = entry(pred, b);
    const t = entry(target, b);
    let right = 0;
    for (let r = 0; r < n; r++) {
      if (k === 1) right += Number(p[r]! >= 0.5 === t[r]! >= 0.5);
      else right += Number(argmax(p, r * k, k) === argmax(t, r * k, k));
    }
    return right / n;
  });
}

/** Frobenius norm of batch entry b, in f64. */
export function normRef(t: Host, b: number): number {
  let s = 0;
  for (const x of entry(t, b)) s += x * x;
  return Math.sqrt(s);
}

/** Mean, population standard deviation and saturated share of batch entry b. */
export function statsRef(a: Host, b: number, name: ActivationName): [number, number, number] {
  const x = entry(a, b);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
  let share = 0;
  if (name === 'sigmoid' || name === 'tanh') {
    const sat = ACTIVATIONS[name].saturated!;
    share = x.reduce((s, v) => s + Number(sat(v)), 0) / x.length;
  } else if (name === 'relu' || name === 'leaky_relu') {
    let dead = 0;
    for (let c = 0; c < a.cols; c++) {
      let all = true;
      for (let r = 0; r < a.rows; r++) if (x[r * a.cols + c]! > 0) all = false;
      dead += Number(all);
    }
    share = dead / a.cols;
  }
  return [mean, std, share];
}

/** Largest absolute and relative error of `got` against `want` (relative to max(|want|, floor)). */
export function errors(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-30): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!);
    abs = Math.max(abs, e);
    rel = Math.max(rel, e / Math.max(Math.abs(want[i]!), floor));
  }
  return { abs, rel };
}

/** Collects the worst errors per kernel and prints them as a table. */
export class ErrorReport {
  private readonly worst = new Map<string, { abs: number; rel: number; cases: number }>();

  /** Record one comparison's errors under `kernel`. */
  add(kernel: string, e: { abs: number; rel: number }): void {
    const w = this.worst.get(kernel) ?? { abs: 0, rel: 0, cases: 0 };
    w.abs = Math.max(w.abs, e.abs);
    w.rel = Math.max(w.rel, e.rel);
    w.cases++;
    this.worst.set(kernel, w);
  }

  /** Print "kernel: max abs, max rel (cases)" lines. */
  print(title: string): void {
    const lines = [...this.worst].map(
      ([k, w]) => `  ${k.padEnd(28)} max abs ${w.abs.toExponential(2)}  max rel ${w.rel.toExponential(2)}  (${w.cases} cases)`,
    );
    console.log(`${title} — GPU f32 vs f64 reference\n${lines.join('\n')}`);
  }
}

/** Stored shape of a matmul operand used as op(X) = rows×cols, transposed or not. */
export function storedOperand(batch: number, rows: number, cols: number, trans: boolean, draw: () => number): Host {
  return trans ? host(batch, cols, rows, draw) : host(batch, rows, cols, draw);
}

/**
 * The worst ratio of a matmul output's error to the forward-error bound of f32 accumulation over depth k
 * (≤ 1 passes), recording the errors in the report; `floorShare` sets the relative error's floor to that share of
 * the largest |reference| (0: none).
 */
export function matmulErrorRatio(
  report: ErrorReport,
  kernel: string,
  got: ArrayLike<number>,
  want: Host,
  scale: Float64Array,
  k: number,
  extra = 0,
  floorShare = 0,
): number {
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) {
    const tol = 2 ** -20 * (k + 4) * (scale[i]! + extra) + 2e-6 * Math.abs(want.data[i]!) + 2e-7;
    worst = Math.max(worst, Math.abs(got[i]! - want.data[i]!) / tol);
  }
  let largest = 0;
  for (const v of want.data) largest = Math.max(largest, Math.abs(v));
  report.add(kernel, floorShare > 0 ? errors(got, want.data, floorShare * largest) : errors(got, want.data));
  return worst;
}
