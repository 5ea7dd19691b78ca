/**
 * The CPU backend: tensors are typed arrays (Float64Array for the exact f64 reference, Float32Array for the
 * fast path), operations run synchronously, and `read` resolves at once. It is also the oracle the WebGPU
 * backend is tested against. Large matmuls (with their fused epilogue) are split by output rows between the
 * main thread and worker threads; the tensors then live in SharedArrayBuffers, and every element is computed
 * by the same code in the same order as with one thread, so results do not depend on the thread count.
 */
import { ACTIVATION_CODE, FROM_INPUT_FLAG, type ActivationName, type HiddenActivation, type OutputActivation } from '../../core/activations.js';
import { lossValue, outputGradient, type LossName } from '../../core/losses.js';
import type { Backend, BackendFault, BackendInfo, DropoutMask, MatmulOptions, NormKind, NormOptions, OptimizerSnapshot, Shape, Tensor, UpdateRule } from '../backend.js';
import { shapeSize } from '../backend.js';
import { applyActivation, applyDropout, columnSumsBand, multiplyByDerivative, multiplyByDerivativeFromInput, softmaxRowBand, type Buf } from './elementwise.js';
import { dropoutScale, dropoutThreshold } from '../../core/dropout-mask.js';
import { EPILOGUE, emptyJob, jobViews, runJobRows } from './matmul-job.js';
import { MatmulWorkspace } from './matmul.js';
import { batchNormForward, layerNormForward, normBackwardBlock } from './norm.js';
import { HISTOGRAM_BINS, QUANTILE_COUNT, histogramQuantiles } from './quantiles.js';
import { argmax, safeNorm, saturatedShare } from './metrics.js';
import { CpuOptimizer } from './cpu-optimizer.js';
import { cpu, sameShape, type CpuTensor } from './cpu-tensor.js';
import { coreCount, workerSource, type WorkerSource } from './spawn-worker.js';
import { ThreadPool, type PoolStats } from './thread-pool.js';

export { applyActivation, multiplyByDerivative } from './elementwise.js';
export { safeNorm, saturatedShare } from './metrics.js';

export type { CpuTensor } from './cpu-tensor.js';

/** Default ceiling for one CPU tensor (1 GiB), well under what a browser tab can allocate. */
export const CPU_MAX_TENSOR_BYTES = 1 << 30;

/** Products with at least this many multiply-adds (M·N·K per batch entry) are split between threads. */
export const SPLIT_MIN_MACS = 1 << 18;

/** Most threads the backend uses by default. */
export const DEFAULT_MAX_THREADS = 4;

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  readonly dtype: 'f32' | 'f64';
  readonly maxTensorBytes?: number;
  /**
   * Threads for large matmuls, the main thread included (default min(cores, 4) where SharedArrayBuffer and
   * workers are available, else 1).
   */
  readonly threads?: number;
  /** Where the worker threads come from (default: workerSource(), which says why there are none where there are none). */
  readonly workers?: WorkerSource;
}

/** Row alignment of the bands of a split matmul (the kernels' register block height). */
const BAND_ALIGN = 4;
const NO_EPILOGUE = { kind: 'none' } as const;

/** Create the CPU backend. */
export function createCpuBackend(opts: CpuBackendOptions): CpuBackend {
  return new CpuBackend(opts);
}

/** Backend on typed arrays. */
export class CpuBackend implements Backend {
  readonly info: BackendInfo;
  readonly maxTensorBytes: number;
  readonly bytesPerElement: number;
  /** Threads that share large matmuls (1: main thread only). */
  readonly threads: number;
  readonly fault: Promise<BackendFault> = new Promise(() => {});
  private readonly workspace = new MatmulWorkspace();
  private readonly pool: ThreadPool | null;
  private job = emptyJob(8);
  private readonly views = jobViews();
  private scratch = new Float64Array(0);
  /** Scratch counts of the quantile histogram. */
  private readonly histogram = new Uint32Array(HISTOGRAM_BINS + 1);
  private readonly optimizer: CpuOptimizer;

  constructor(private readonly opts: CpuBackendOptions) {
    this.bytesPerElement = opts.dtype === 'f64' ? 8 : 4;
    this.optimizer = new CpuOptimizer(opts.dtype);
    this.maxTensorBytes = opts.maxTensorBytes ?? CPU_MAX_TENSOR_BYTES;
    const wanted = Math.max(1, Math.floor(opts.threads ?? Math.min(coreCount(), DEFAULT_MAX_THREADS)));
    let why = '';
    let pool: ThreadPool | null = null;
    if (wanted > 1) {
      const source = opts.workers ?? workerSource();
      if (source.ok) pool = new ThreadPool(wanted - 1, opts.dtype, source);
      else why = `: ${source.reason}`;
    }
    this.pool = pool;
    this.threads = pool ? wanted : 1;
    const count = this.threads === 1 ? `1 thread${why}` : `${this.threads} threads`;
    this.info = { kind: 'cpu', dtype: opts.dtype, description: `CPU ${opts.dtype} (${count})` };
  }

  /** Start the worker threads now and resolve when they run (they otherwise start at the first large matmul). */
  async ready(): Promise<void> {
    await this.pool?.whenReady();
  }

  /** Split jobs and worker bands so far (zeros with one thread). */
  get threadStats(): Readonly<PoolStats> {
    return this.pool?.stats ?? { splitJobs: 0, workerBands: 0 };
  }

  tensor(s: Shape, data?: ArrayLike<number>): CpuTensor {
    const n = shapeSize(s);
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`tensor shape ${s.batch}×${s.rows}×${s.cols} must have a positive whole number of elements`);
    const bytes = n * this.bytesPerElement;
    if (bytes > this.maxTensorBytes) {
      throw new RangeError(`tensor of ${s.batch}×${s.rows}×${s.cols} needs ${bytes} bytes; the CPU backend allows at most ${this.maxTensorBytes} per tensor`);
    }
    const storage = this.pool ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const buf = this.opts.dtype === 'f64' ? new Float64Array(storage) : new Float32Array(storage);
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

  dispose(t: Tensor): void {
    this.pool?.release(cpu(t).data.buffer);
  }

  matmul(aT: Tensor, bT: Tensor, outT: Tensor, opts?: MatmulOptions): void {
    const a = cpu(aT);
    const b = cpu(bT);
    const out = cpu(outT);
    const transA = opts?.transA ?? false;
    const transB = opts?.transB ?? false;
    const m = transA ? a.shape.cols : a.shape.rows;
    const k = transA ? a.shape.rows : a.shape.cols;
    const kb = transB ? b.shape.cols : b.shape.rows;
    const n = transB ? b.shape.rows : b.shape.cols;
    const batch = out.shape.batch;
    if (k !== kb || out.shape.rows !== m || out.shape.cols !== n) {
      throw new RangeError(`matmul shapes: op(A) ${m}×${k}, op(B) ${kb}×${n}, out ${out.shape.rows}×${out.shape.cols}`);
    }
    if (a.shape.batch !== 1 && a.shape.batch !== batch) throw new RangeError(`matmul batch ${a.shape.batch} does not broadcast to ${batch}`);
    if (b.shape.batch !== 1 && b.shape.batch !== batch) throw new RangeError(`matmul batch ${b.shape.batch} does not broadcast to ${batch}`);
    const ep = opts?.epilogue ?? NO_EPILOGUE;
    if (this.job.acts.length < batch) this.job = emptyJob(batch);
    const job = this.job;
    job.a = a.data; job.aRows = a.shape.rows; job.aCols = a.shape.cols; job.aStride = a.shape.batch === 1 ? 0 : a.shape.rows * a.shape.cols;
    job.b = b.data; job.bRows = b.shape.rows; job.bCols = b.shape.cols; job.bStride = b.shape.batch === 1 ? 0 : b.shape.rows * b.shape.cols;
    job.out = out.data; job.outRows = m; job.outCols = n;
    job.transA = transA; job.transB = transB; job.batch = batch;
    if (ep.kind === 'none') {
      job.epilogue = EPILOGUE.none;
      job.aux = null;
    } else {
      const aux = cpu(ep.kind === 'bias_act' ? ep.bias : ep.act);
      const want = ep.kind === 'bias_act' ? n : m * n;
      if (aux.shape.rows * aux.shape.cols !== want || (aux.shape.batch !== 1 && aux.shape.batch !== batch)) {
        throw new RangeError(`matmul ${ep.kind} operand ${aux.shape.batch}×${aux.shape.rows}×${aux.shape.cols} does not fit out ${batch}×${m}×${n}`);
      }
      job.epilogue = ep.kind === 'bias_act' ? EPILOGUE.biasAct : EPILOGUE.actGrad;
      job.aux = aux.data;
      job.auxStride = aux.shape.batch === 1 ? 0 : want;
      const names: readonly ActivationName[] = ep.activations;
      const flag = ep.kind === 'act_grad' && ep.fromInput ? FROM_INPUT_FLAG : 0;
      for (let bi = 0; bi < batch; bi++) job.acts[bi] = ACTIVATION_CODE[names[bi]!] | flag;
    }
    if (this.pool && m * n * k >= SPLIT_MIN_MACS && m >= 2 * BAND_ALIGN && this.pool.run(job, this.workspace, this.views, BAND_ALIGN)) return;
    runJobRows(job, 0, m, this.workspace, this.views);
  }

  gatherRows(srcT: Tensor, rows: Uint32Array, outT: Tensor): void {
    const src = cpu(srcT);
    const out = cpu(outT);
    const { cols } = src.shape;
    if (out.shape.cols !== cols || out.shape.rows !== rows.length) throw new RangeError(`gatherRows: ${rows.length} rows of ${cols} into ${out.shape.rows}×${out.shape.cols}`);
    const sd = src.data;
    const od = out.data;
    for (let bi = 0; bi < out.shape.batch; bi++) {
      const sb = src.shape.batch === 1 ? 0 : bi * src.shape.rows * cols;
      const ob = bi * rows.length * cols;
      for (let r = 0; r < rows.length; r++) {
        const from = sb + rows[r]! * cols;
        const to = ob + r * cols;
        for (let c = 0; c < cols; c++) od[to + c] = sd[from + c]!;
      }
    }
  }

  softmaxRows(t: Tensor): void {
    const c = cpu(t);
    const { batch, rows, cols } = c.shape;
    for (let bi = 0; bi < batch; bi++) softmaxRowBand(c.data, bi * rows * cols, cols, 0, rows);
  }

  outputDelta(loss: LossName, outAct: OutputActivation, predT: Tensor, targetT: Tensor, deltaT: Tensor): void {
    const pred = cpu(predT);
    const target = cpu(targetT);
    const delta = cpu(deltaT);
    const { batch, rows, cols } = pred.shape;
    const n = rows * cols;
    if (batch === 1) {
      outputGradient(loss, outAct, pred.data, target.data, rows, cols, delta.data);
      return;
    }
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
    if (out.shape.batch !== batch || out.shape.rows !== 1 || out.shape.cols !== cols) throw new RangeError('columnSums: out must be [batch, 1, cols] of src');
    if (this.scratch.length < cols) this.scratch = new Float64Array(cols);
    for (let bi = 0; bi < batch; bi++) columnSumsBand(src.data, bi * rows * cols, rows, cols, 0, cols, out.data, bi * cols, this.scratch);
  }

  update(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule): void {
    this.optimizer.update(params, grads, rule);
  }

  normForward(kind: NormKind, zT: Tensor, gammaT: Tensor, betaT: Tensor, outT: Tensor, activations: readonly HiddenActivation[], opts: NormOptions): void {
    const z = cpu(zT);
    const { batch, rows, cols } = z.shape;
    const out = cpu(outT);
    const xhat = cpu(opts.xhat);
    const invStd = cpu(opts.invStd);
    if (!sameShape(out.shape, z.shape) || !sameShape(xhat.shape, z.shape)) throw new RangeError('normForward: out and xhat must have the shape of z');
    this.checkNormVectors('normForward', z.shape, invStd, kind, [cpu(gammaT), cpu(betaT)]);
    const running = kind === 'batch' && opts.running ? { mean: cpu(opts.running.mean), variance: cpu(opts.running.variance), momentum: opts.running.momentum } : null;
    if (running) this.checkNormVectors('normForward', z.shape, invStd, kind, [running.mean, running.variance]);
    const evaluate = kind === 'batch' && (opts.evaluate ?? false);
    if (running && !evaluate && rows < 2) throw new RangeError('normForward: updating running statistics needs at least 2 rows');
    if (this.scratch.length < 4 * cols) this.scratch = new Float64Array(4 * cols);
    const gamma = cpu(gammaT);
    const beta = cpu(betaT);
    const view = (t: CpuTensor, bi: number) => t.data.subarray(t.shape.batch === 1 ? 0 : bi * cols, (t.shape.batch === 1 ? 0 : bi * cols) + cols);
    for (let bi = 0; bi < batch; bi++) {
      const blk = { rows, cols, base: bi * rows * cols, sbase: bi * invStd.shape.rows * invStd.shape.cols };
      const act = activations[bi]!;
      if (kind === 'layer') {
        layerNormForward(blk, z.data, view(gamma, bi), view(beta, bi), out.data, xhat.data, invStd.data, act, opts.eps);
      } else {
        const stats = running && { mean: view(running.mean, bi), variance: view(running.variance, bi), momentum: running.momentum };
        batchNormForward(blk, z.data, view(gamma, bi), view(beta, bi), out.data, xhat.data, invStd.data, act, opts.eps, stats, evaluate, this.scratch);
      }
    }
  }

  normBackward(kind: NormKind, gT: Tensor, xhatT: Tensor, invStdT: Tensor, gammaT: Tensor, dzT: Tensor, dGammaT: Tensor, dBetaT: Tensor): void {
    const g = cpu(gT);
    const { batch, rows, cols } = g.shape;
    const xhat = cpu(xhatT);
    const dz = cpu(dzT);
    const invStd = cpu(invStdT);
    const gamma = cpu(gammaT);
    const dGamma = cpu(dGammaT);
    const dBeta = cpu(dBetaT);
    if (!sameShape(xhat.shape, g.shape) || !sameShape(dz.shape, g.shape)) throw new RangeError('normBackward: xhat and dz must have the shape of g');
    this.checkNormVectors('normBackward', g.shape, invStd, kind, [gamma]);
    for (const t of [dGamma, dBeta]) if (!sameShape(t.shape, { batch, rows: 1, cols })) throw new RangeError('normBackward: dGamma and dBeta must be [batch, 1, cols]');
    if (this.scratch.length < 4 * cols) this.scratch = new Float64Array(4 * cols);
    const view = (t: CpuTensor, bi: number) => t.data.subarray(t.shape.batch === 1 ? 0 : bi * cols, (t.shape.batch === 1 ? 0 : bi * cols) + cols);
    for (let bi = 0; bi < batch; bi++) {
      const blk = { rows, cols, base: bi * rows * cols, sbase: bi * invStd.shape.rows * invStd.shape.cols };
      normBackwardBlock(kind === 'batch', blk, g.data, xhat.data, invStd.data, view(gamma, bi), dz.data, view(dGamma, bi), view(dBeta, bi), this.scratch);
    }
  }

  /** Shapes of γ-like [B|1, 1, cols] vectors and of invStd for a normalisation of z. */
  private checkNormVectors(op: string, z: Shape, invStd: CpuTensor, kind: NormKind, vectors: readonly CpuTensor[]): void {
    for (const v of vectors) {
      if (v.shape.rows !== 1 || v.shape.cols !== z.cols || (v.shape.batch !== 1 && v.shape.batch !== z.batch)) {
        throw new RangeError(`${op}: γ, β and running statistics must be [${z.batch}, 1, ${z.cols}], got ${v.shape.batch}×${v.shape.rows}×${v.shape.cols}`);
      }
    }
    const want = kind === 'batch' ? { batch: z.batch, rows: 1, cols: z.cols } : { batch: z.batch, rows: z.rows, cols: 1 };
    if (!sameShape(invStd.shape, want)) throw new RangeError(`${op}: invStd must be ${want.batch}×${want.rows}×${want.cols} for ${kind} norm`);
  }

  addInto(dstT: Tensor, srcT: Tensor): void {
    const dst = cpu(dstT);
    const src = cpu(srcT);
    if (src.shape.rows !== dst.shape.rows || src.shape.cols !== dst.shape.cols || (src.shape.batch !== 1 && src.shape.batch !== dst.shape.batch)) {
      throw new RangeError('addInto: src must have the shape of dst');
    }
    const d = dst.data;
    const s = src.data;
    const per = dst.shape.rows * dst.shape.cols;
    for (let bi = 0; bi < dst.shape.batch; bi++) {
      const db = bi * per;
      const sb = src.shape.batch === 1 ? 0 : db;
      for (let i = 0; i < per; i++) d[db + i] = d[db + i]! + s[sb + i]!;
    }
  }

  dropout(srcT: Tensor, dstT: Tensor, mask: DropoutMask): void {
    const src = cpu(srcT);
    const dst = cpu(dstT);
    if (!sameShape(src.shape, dst.shape)) throw new RangeError('dropout: dst must have the shape of src');
    const batch = dst.shape.batch;
    if (mask.keys.length !== batch || mask.rates.length !== batch) throw new RangeError(`dropout: ${batch} keys and rates are needed`);
    const per = dst.shape.rows * dst.shape.cols;
    for (let bi = 0; bi < batch; bi++) {
      const rate = mask.rates[bi]!;
      if (rate === 0) {
        if (src !== dst) dst.data.set(src.data.subarray(bi * per, (bi + 1) * per), bi * per);
        continue;
      }
      applyDropout(src.data, dst.data, bi * per, per, mask.keys[bi]!, dropoutThreshold(rate), dropoutScale(rate));
    }
  }

  actGradInPlace(tT: Tensor, actT: Tensor, activations: readonly HiddenActivation[], fromInput = false): void {
    const t = cpu(tT);
    const act = cpu(actT);
    if (!sameShape(t.shape, act.shape)) throw new RangeError('actGradInPlace: act must have the shape of t');
    const per = t.shape.rows * t.shape.cols;
    const multiply = fromInput ? multiplyByDerivativeFromInput : multiplyByDerivative;
    for (let bi = 0; bi < t.shape.batch; bi++) multiply(activations[bi]!, t.data, bi * per, act.data, bi * per, per);
  }

  activateInto(zT: Tensor, outT: Tensor, activations: readonly HiddenActivation[]): void {
    const z = cpu(zT);
    const out = cpu(outT);
    if (!sameShape(z.shape, out.shape)) throw new RangeError('activateInto: out must have the shape of z');
    const per = z.shape.rows * z.shape.cols;
    out.data.set(z.data);
    for (let bi = 0; bi < z.shape.batch; bi++) applyActivation(activations[bi]!, out.data, bi * per, (bi + 1) * per);
  }

  resetOptimizerState(params: readonly Tensor[]): void {
    this.optimizer.reset(params);
  }

  async readOptimizerState(params: readonly Tensor[]): Promise<OptimizerSnapshot> {
    return this.optimizer.snapshot(params);
  }

  writeOptimizerState(params: readonly Tensor[], state: OptimizerSnapshot): void {
    this.optimizer.restore(params, state);
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
    for (let i = 0; i < tensors.length; i++) {
      const t = cpu(tensors[i]!);
      const per = t.shape.rows * t.shape.cols;
      for (let bi = 0; bi < metrics.shape.batch; bi++) {
        const base = t.shape.batch === 1 ? 0 : bi * per;
        metrics.data[bi * metrics.shape.cols + col + i] = safeNorm(t.data, base, per);
      }
    }
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

  quantilesInto(tT: Tensor, metricsT: Tensor, col: number): void {
    const t = cpu(tT);
    const metrics = cpu(metricsT);
    const { batch, rows, cols } = t.shape;
    const m = metrics.shape;
    if (m.batch !== batch || m.rows !== 1 || !Number.isInteger(col) || col < 0 || col + QUANTILE_COUNT > m.cols) {
      throw new Error(`quantilesInto: metrics [${m.batch}, ${m.rows}, ${m.cols}] has no room for ${QUANTILE_COUNT} values at column ${col} for batch ${batch}.`);
    }
    const n = rows * cols;
    for (let bi = 0; bi < batch; bi++) histogramQuantiles(t.data, bi * n, n, metrics.data, bi * m.cols + col, this.histogram);
  }

  flush(): void {}

  sync(): Promise<void> {
    return Promise.resolve();
  }

  /** Stop the worker threads; the backend must not be used afterwards. */
  destroy(): void {
    this.pool?.destroy();
  }

  /** Resolves when the worker threads started so far have exited (after `destroy`). */
  async stopped(): Promise<void> {
    await this.pool?.stopped();
  }
}
