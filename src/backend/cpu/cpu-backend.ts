/**
 * The CPU backend: tensors are typed arrays (Float64Array for the exact f64 reference, Float32Array for the
 * fast path), operations run synchronously, and `read` resolves at once. It is also the oracle the WebGPU
 * backend is tested against.
 */
import { ACTIVATIONS, LEAKY_SLOPE, type ActivationName, type HiddenActivation, type OutputActivation } from '../../core/activations.js';
import { lossValue, outputGradient, type LossName } from '../../core/losses.js';
import type { Backend, BackendFault, BackendInfo, MatmulOptions, Shape, Tensor, UpdateRule } from '../backend.js';
import { shapeSize } from '../backend.js';
import { matmul, MatmulWorkspace, type MatView } from './matmul.js';

type Buf = Float32Array | Float64Array;

/** A CPU tensor: a shape and its typed array. */
export interface CpuTensor extends Tensor {
  readonly data: Buf;
}

/** Default ceiling for one CPU tensor (1 GiB), well under what a browser tab can allocate. */
export const CPU_MAX_TENSOR_BYTES = 1 << 30;

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  readonly dtype: 'f32' | 'f64';
  readonly maxTensorBytes?: number;
}

function cpu(t: Tensor): CpuTensor {
  return t as CpuTensor;
}

function view(t: CpuTensor, b: number): MatView {
  const { batch, rows, cols } = t.shape;
  const bi = batch === 1 ? 0 : b;
  return { data: t.data, offset: bi * rows * cols, rows, cols };
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.batch === b.batch && a.rows === b.rows && a.cols === b.cols;
}

/** Create the CPU backend. */
export function createCpuBackend(opts: CpuBackendOptions): CpuBackend {
  return new CpuBackend(opts);
}

/** Backend on typed arrays. */
export class CpuBackend implements Backend {
  readonly info: BackendInfo;
  readonly maxTensorBytes: number;
  readonly bytesPerElement: number;
  readonly fault: Promise<BackendFault> = new Promise(() => {});
  private readonly workspace = new MatmulWorkspace();
  private readonly scratch: { rowMax: Float64Array } = { rowMax: new Float64Array(0) };

  constructor(private readonly opts: CpuBackendOptions) {
    this.bytesPerElement = opts.dtype === 'f64' ? 8 : 4;
    this.maxTensorBytes = opts.maxTensorBytes ?? CPU_MAX_TENSOR_BYTES;
    this.info = { kind: 'cpu', dtype: opts.dtype, description: `CPU ${opts.dtype} (1 thread)` };
  }

  tensor(s: Shape, data?: ArrayLike<number>): CpuTensor {
    const n = shapeSize(s);
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`tensor shape ${s.batch}×${s.rows}×${s.cols} must have a positive whole number of elements`);
    const bytes = n * this.bytesPerElement;
    if (bytes > this.maxTensorBytes) {
      throw new RangeError(`tensor of ${s.batch}×${s.rows}×${s.cols} needs ${bytes} bytes; the CPU backend allows at most ${this.maxTensorBytes} per tensor`);
    }
    const buf = this.opts.dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
    const t: CpuTensor = { shape: { ...s }, data: buf };
    if (data) this.write(t, data);
    return t;
  }

  tensors(shapes: readonly Shape[]): CpuTensor[] {
    return shapes.map((s) => this.tensor(s));
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    const d = cpu(t).data;
    if (data.length !== d.length) throw new RangeError(`write of ${data.length} values into a tensor of ${d.length}`);
    d.set(data);
  }

  read(t: Tensor): Promise<Float64Array> {
    return Promise.resolve(Float64Array.from(cpu(t).data));
  }

  /** Synchronous read (CPU only), for tests and the CLI's final predictions. */
  readSync(t: Tensor): Float64Array {
    return Float64Array.from(cpu(t).data);
  }

  dispose(): void {}

  matmul(aT: Tensor, bT: Tensor, outT: Tensor, opts: MatmulOptions = {}): void {
    const a = cpu(aT);
    const b = cpu(bT);
    const out = cpu(outT);
    const transA = opts.transA ?? false;
    const transB = opts.transB ?? false;
    const m = transA ? a.shape.cols : a.shape.rows;
    const k = transA ? a.shape.rows : a.shape.cols;
    const kb = transB ? b.shape.cols : b.shape.rows;
    const n = transB ? b.shape.rows : b.shape.cols;
    const batch = out.shape.batch;
    if (k !== kb || out.shape.rows !== m || out.shape.cols !== n) {
      throw new RangeError(`matmul shapes: op(A) ${m}×${k}, op(B) ${kb}×${n}, out ${out.shape.rows}×${out.shape.cols}`);
    }
    for (const t of [a, b]) {
      if (t.shape.batch !== 1 && t.shape.batch !== batch) throw new RangeError(`matmul batch ${t.shape.batch} does not broadcast to ${batch}`);
    }
    const ep = opts.epilogue ?? { kind: 'none' };
    for (let bi = 0; bi < batch; bi++) {
      const ov = view(out, bi);
      matmul(view(a, bi), transA, view(b, bi), transB, ov, this.workspace);
      if (ep.kind === 'bias_act') this.biasAct(out, bi, cpu(ep.bias), ep.activations[bi]!);
      else if (ep.kind === 'act_grad') this.actGrad(out, bi, cpu(ep.act), ep.activations[bi]!);
    }
  }

  private biasAct(out: CpuTensor, bi: number, bias: CpuTensor, act: ActivationName): void {
    const { rows, cols } = out.shape;
    const o = out.data;
    const base = bi * rows * cols;
    const bb = bias.shape.batch === 1 ? 0 : bi * cols;
    const bd = bias.data;
    for (let r = 0; r < rows; r++) {
      const ro = base + r * cols;
      for (let c = 0; c < cols; c++) o[ro + c]! += bd[bb + c]!;
    }
    if (act === 'softmax') this.softmaxBlock(o, base, rows, cols);
    else applyActivation(act, o, base, base + rows * cols);
  }

  private actGrad(out: CpuTensor, bi: number, act: CpuTensor, name: HiddenActivation): void {
    const n = out.shape.rows * out.shape.cols;
    const base = bi * n;
    multiplyByDerivative(name, out.data, base, act.data, act.shape.batch === 1 ? 0 : base, n);
  }

  private softmaxBlock(o: Buf, base: number, rows: number, cols: number): void {
    for (let r = 0; r < rows; r++) {
      const ro = base + r * cols;
      let max = -Infinity;
      for (let c = 0; c < cols; c++) max = Math.max(max, o[ro + c]!);
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(o[ro + c]! - max);
        o[ro + c] = e;
        sum += e;
      }
      for (let c = 0; c < cols; c++) o[ro + c]! /= sum;
    }
  }

  gatherRows(srcT: Tensor, rows: Uint32Array, outT: Tensor): void {
    const src = cpu(srcT);
    const out = cpu(outT);
    const { cols } = src.shape;
    if (out.shape.cols !== cols || out.shape.rows !== rows.length) throw new RangeError(`gatherRows: ${rows.length} rows of ${cols} into ${out.shape.rows}×${out.shape.cols}`);
    for (let bi = 0; bi < out.shape.batch; bi++) {
      const sb = src.shape.batch === 1 ? 0 : bi * src.shape.rows * cols;
      const ob = bi * rows.length * cols;
      for (let r = 0; r < rows.length; r++) {
        const from = sb + rows[r]! * cols;
        out.data.set(src.data.subarray(from, from + cols), ob + r * cols);
      }
    }
  }

  softmaxRows(t: Tensor): void {
    const c = cpu(t);
    const { batch, rows, cols } = c.shape;
    for (let bi = 0; bi < batch; bi++) this.softmaxBlock(c.data, bi * rows * cols, rows, cols);
  }

  outputDelta(loss: LossName, outAct: OutputActivation, predT: Tensor, targetT: Tensor, deltaT: Tensor): void {
    const pred = cpu(predT);
    const target = cpu(targetT);
    const delta = cpu(deltaT);
    const { batch, rows, cols } = pred.shape;
    const n = rows * cols;
    for (let bi = 0; bi < batch; bi++) {
      const p = pred.data.subarray(bi * n, bi * n + n);
      const y = target.shape.batch === 1 ? target.data.subarray(0, n) : target.data.subarray(bi * n, bi * n + n);
      outputGradient(loss, outAct, p, y, rows, cols, delta.data.subarray(bi * n, bi * n + n));
    }
  }

  columnSums(srcT: Tensor, outT: Tensor): void {
    const src = cpu(srcT);
    const out = cpu(outT);
    const { batch, rows, cols } = src.shape;
    const sum = this.columnScratch(cols);
    for (let bi = 0; bi < batch; bi++) {
      const sb = bi * rows * cols;
      sum.fill(0);
      for (let r = 0; r < rows; r++) {
        const ro = sb + r * cols;
        for (let c = 0; c < cols; c++) sum[c]! += src.data[ro + c]!;
      }
      out.data.set(sum, bi * cols);
    }
  }

  private columnScratch(cols: number): Float64Array {
    if (this.scratch.rowMax.length < cols) this.scratch.rowMax = new Float64Array(cols);
    return this.scratch.rowMax.subarray(0, cols);
  }

  update(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule): void {
    params.forEach((pT, i) => {
      const p = cpu(pT);
      const g = cpu(grads[i]!);
      if (!sameShape(p.shape, g.shape)) throw new RangeError('update: parameter and gradient shapes differ');
      const per = p.shape.rows * p.shape.cols;
      for (let bi = 0; bi < p.shape.batch; bi++) {
        const lr = rule.lr[bi]!;
        const base = bi * per;
        for (let j = base; j < base + per; j++) p.data[j]! -= lr * g.data[j]!;
      }
    });
  }

  lossInto(loss: LossName, predT: Tensor, targetT: Tensor, metricsT: Tensor, col: number): void {
    const pred = cpu(predT);
    const target = cpu(targetT);
    const metrics = cpu(metricsT);
    const { batch, rows, cols } = pred.shape;
    const n = rows * cols;
    for (let bi = 0; bi < batch; bi++) {
      const y = target.shape.batch === 1 ? target.data.subarray(0, n) : target.data.subarray(bi * n, bi * n + n);
      metrics.data[bi * metrics.shape.cols + col] = lossValue(loss, pred.data.subarray(bi * n, bi * n + n), y, rows, cols);
    }
  }

  accuracyInto(predT: Tensor, targetT: Tensor, metricsT: Tensor, col: number): void {
    const pred = cpu(predT);
    const target = cpu(targetT);
    const metrics = cpu(metricsT);
    const { batch, rows, cols } = pred.shape;
    for (let bi = 0; bi < batch; bi++) {
      const pb = bi * rows * cols;
      const tb = target.shape.batch === 1 ? 0 : pb;
      let right = 0;
      for (let r = 0; r < rows; r++) {
        if (cols === 1) {
          if (pred.data[pb + r]! >= 0.5 === target.data[tb + r]! >= 0.5) right++;
        } else if (argmax(pred.data, pb + r * cols, cols) === argmax(target.data, tb + r * cols, cols)) right++;
      }
      metrics.data[bi * metrics.shape.cols + col] = right / rows;
    }
  }

  normsInto(tensors: readonly Tensor[], metricsT: Tensor, col: number): void {
    const metrics = cpu(metricsT);
    tensors.forEach((tT, i) => {
      const t = cpu(tT);
      const per = t.shape.rows * t.shape.cols;
      for (let bi = 0; bi < metrics.shape.batch; bi++) {
        const base = t.shape.batch === 1 ? 0 : bi * per;
        metrics.data[bi * metrics.shape.cols + col + i] = safeNorm(t.data, base, per);
      }
    });
  }

  activationStatsInto(aT: Tensor, activations: readonly ActivationName[], metricsT: Tensor, col: number): void {
    const a = cpu(aT);
    const metrics = cpu(metricsT);
    const { batch, rows, cols } = a.shape;
    const n = rows * cols;
    for (let bi = 0; bi < batch; bi++) {
      const base = bi * n;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += a.data[base + i]!;
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (a.data[base + i]! - mean) ** 2;
      const m = bi * metrics.shape.cols + col;
      metrics.data[m] = mean;
      metrics.data[m + 1] = Math.sqrt(ss / n);
      metrics.data[m + 2] = saturatedShare(a.data, base, rows, cols, activations[bi]!);
    }
  }

  flush(): void {}

  sync(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): void {}
}

function argmax(d: Buf, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (d[off + i]! > d[off + best]!) best = i;
  return best;
}

/** Euclidean norm with scaling by the largest magnitude, exact for tiny and huge entries alike. */
export function safeNorm(d: ArrayLike<number>, off: number, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(d[off + i]!);
    if (v > max || Number.isNaN(v)) max = v;
  }
  if (max === 0 || !Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = d[off + i]! / max;
    s += v * v;
  }
  return max * Math.sqrt(s);
}

/** Share of saturated entries (sigmoid/tanh), of dead columns (relu/leaky_relu), or 0 (linear, softmax). */
export function saturatedShare(d: ArrayLike<number>, off: number, rows: number, cols: number, act: ActivationName): number {
  if (act === 'softmax') return 0;
  const info = ACTIVATIONS[act];
  if (!info.saturated) return 0;
  if (info.saturationLabel === 'dead') {
    let dead = 0;
    for (let c = 0; c < cols; c++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) alive = d[off + r * cols + c]! > 0;
      if (!alive) dead++;
    }
    return dead / cols;
  }
  let sat = 0;
  const n = rows * cols;
  for (let i = 0; i < n; i++) if (info.saturated(d[off + i]!)) sat++;
  return sat / n;
}

/** Apply a pointwise activation in place to o[from, to), with one tight loop per activation. */
export function applyActivation(act: Exclude<ActivationName, 'softmax'>, o: Buf, from: number, to: number): void {
  switch (act) {
    case 'sigmoid':
      for (let i = from; i < to; i++) {
        const z = o[i]!;
        if (z >= 0) o[i] = 1 / (1 + Math.exp(-z));
        else {
          const e = Math.exp(z);
          o[i] = e / (1 + e);
        }
      }
      return;
    case 'tanh':
      for (let i = from; i < to; i++) o[i] = Math.tanh(o[i]!);
      return;
    case 'relu':
      for (let i = from; i < to; i++) if (!(o[i]! > 0)) o[i] = o[i]! === o[i]! ? 0 : o[i]!;
      return;
    case 'leaky_relu':
      for (let i = from; i < to; i++) if (o[i]! < 0) o[i]! *= LEAKY_SLOPE;
      return;
    case 'linear':
      return;
  }
}

/** o[base + i] *= φ′ expressed through the activations a[abase + i], for i < n. */
export function multiplyByDerivative(act: HiddenActivation, o: Buf, base: number, a: Buf, abase: number, n: number): void {
  switch (act) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = a[abase + i]!;
        o[base + i]! *= v * (1 - v);
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const v = a[abase + i]!;
        o[base + i]! *= 1 - v * v;
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (!(a[abase + i]! > 0)) o[base + i] = 0;
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) if (!(a[abase + i]! > 0)) o[base + i]! *= LEAKY_SLOPE;
      return;
    case 'linear':
      return;
  }
}
