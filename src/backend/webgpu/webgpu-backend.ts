/** The Backend interface on WebGPU: f32 tensors in GPU buffers, work recorded into one encoder per flush. */
import type { ActivationName, HiddenActivation, OutputActivation } from '../../core/activations.js';
import type { LossName } from '../../core/losses.js';
import type { Backend, BackendFault, BackendInfo, DropoutMask, MatmulOptions, NormKind, NormOptions, OptimizerSnapshot, Shape, Tensor, UpdateRule } from '../backend.js';
import { shapeSize } from '../backend.js';
import { CallSites } from './call-sites.js';
import { acquireDevice, describeAdapter, type DeviceHandle, type DeviceOptions } from './device.js';
import { ElementwiseKernels } from './elementwise-kernels.js';
import { GPUTensor, TensorAllocator } from './gpu-tensor.js';
import { GpuTimer } from './gpu-timer.js';
import { PipelineCache, type KernelContext } from './kernel-context.js';
import { LossKernels } from './loss-kernels.js';
import { candidatesWithin, type MatmulCandidate, type MatmulProblem } from './matmul-candidates.js';
import { MatmulKernel, canFuseColumnSums, fixedRule, type MatmulChooser } from './matmul-kernel.js';
import { deviceTimer, type TunerHost } from './matmul-tune-timer.js';
import { adapterKey, MatmulTuner, type CandidateTimer, type TuneCache, type TuneResult } from './matmul-tuner.js';
import { NormKernel } from './norm-kernel.js';
import { OptimizerStates } from './optimizer-state.js';
import { ReadbackRing } from './readback.js';
import { CommandRecorder, type RecorderTiming } from './recorder.js';
import { QuantileKernel } from './quantile-kernel.js';
import { ReduceKernels } from './reduce-kernels.js';
import { UpdateKernel } from './update-kernel.js';

export { WebGPUUnavailableError } from './device.js';

/** Options of `createWebGPUBackend`. */
export interface WebGPUBackendOptions extends DeviceOptions {
  /** Test hook: dispatch as if maxComputeWorkgroupsPerDimension were this small (exercises the x/y split). */
  readonly maxWorkgroupsPerDimension?: number;
  /** The command recorder's clock and end-of-task scheduler (default: performance.now and microtasks). */
  readonly timing?: RecorderTiming;
  /** How each product's matmul specialisation is chosen (default: tuning off, the fixed rule). */
  readonly matmulTuning?: MatmulTuningOptions;
  /** Test hook: every product's specialisation as this says (overrides matmulTuning). */
  readonly matmulChooser?: MatmulChooser;
}

/**
 * Matmul autotuning. 'off': the fixed rule. 'cached': each shape class's cached winner, else the fixed rule.
 * 'tune': as 'cached', and a class without a winner is timed (every candidate) at the first sync() after its first use.
 */
export interface MatmulTuningOptions {
  readonly mode: 'off' | 'cached' | 'tune';
  /** Where winners are kept per adapter (default: in this backend only). */
  readonly cache?: TuneCache;
  /** Times a candidate (default: on this device, timestamp queries where available, else wall clock). */
  readonly timer?: CandidateTimer;
  /** The candidate set (default: every candidate within the device's limits). */
  readonly candidates?: readonly MatmulCandidate[];
}

/** Counts of cached GPU objects, to check that a repeated training step creates none. */
export interface WebGPUCacheStats {
  readonly pipelines: number;
  readonly callSiteSlots: number;
}

/** Work recorded and submitted since the backend was created. */
export interface WebGPUWorkStats {
  readonly dispatches: number;
  readonly submits: number;
}

/** A Backend running every operation as WGSL compute kernels on one GPUDevice. */
export class WebGPUBackend implements Backend {
  readonly info: BackendInfo;
  readonly maxTensorBytes: number;
  readonly bytesPerElement = 4;
  readonly fault: Promise<BackendFault>;
  /** The device (exposed for tests and diagnostics). */
  readonly device: GPUDevice;

  private destroyed = false;
  private readonly owned = new WeakSet<GPUTensor>();
  /** Copies of tensors that were both operands of one product, by tensor id (see aliasCopy). */
  private readonly aliasCopies = new Map<number, GPUTensor>();
  private readonly recorder: CommandRecorder;
  private readonly sites: CallSites;
  private readonly pipelines: PipelineCache;
  private readonly allocator: TensorAllocator;
  private readonly readback: ReadbackRing;
  private readonly dummy: GPUBuffer;
  private readonly matmulKernel: MatmulKernel;
  private readonly elementwise: ElementwiseKernels;
  private readonly losses: LossKernels;
  private readonly reductions: ReduceKernels;
  private readonly quantiles: QuantileKernel;
  private readonly norms: NormKernel;
  private readonly updater: UpdateKernel;
  private readonly states: OptimizerStates;
  private readonly timer: GpuTimer;
  private upload = new Float32Array(0);
  private tuner: MatmulTuner | null = null;
  private tuneAtSync = false;
  private tuning: Promise<TuneResult[]> | null = null;
  /** A weight-gradient product Aᵀ·B held back one call, so that the column sums of B can join its dispatch. */
  private deferred: { a: GPUTensor; b: GPUTensor; out: GPUTensor; opts: MatmulOptions } | null = null;

  constructor(
    private readonly handle: DeviceHandle,
    opts: WebGPUBackendOptions = {},
  ) {
    const device = handle.device;
    this.device = device;
    const details = handle.details;
    this.info = {
      kind: 'webgpu',
      dtype: 'f32',
      description: describeAdapter(details),
      adapter: { ...details },
    };
    this.maxTensorBytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    this.fault = handle.fault.then((f) => (this.destroyed ? new Promise<BackendFault>(() => {}) : f));
    this.recorder = new CommandRecorder(device, opts.timing);
    this.sites = new CallSites(device, () => this.recorder.epoch);
    this.pipelines = new PipelineCache(device);
    this.allocator = new TensorAllocator(device, {
      maxTensorBytes: this.maxTensorBytes,
      offsetAlignment: Math.max(256, device.limits.minStorageBufferOffsetAlignment),
    });
    this.readback = new ReadbackRing(device, this.recorder);
    this.dummy = device.createBuffer({ label: 'unused binding', size: 1024, usage: GPUBufferUsage.STORAGE });
    const ctx: KernelContext = {
      device,
      recorder: this.recorder,
      sites: this.sites,
      pipelines: this.pipelines,
      dummy: this.dummy,
      maxWorkgroupsPerDimension: Math.min(
        device.limits.maxComputeWorkgroupsPerDimension,
        opts.maxWorkgroupsPerDimension ?? Infinity,
      ),
    };
    this.matmulKernel = new MatmulKernel(ctx);
    this.elementwise = new ElementwiseKernels(ctx);
    this.losses = new LossKernels(ctx);
    this.reductions = new ReduceKernels(ctx);
    this.quantiles = new QuantileKernel(ctx);
    this.norms = new NormKernel(ctx);
    this.states = new OptimizerStates(device, this.allocator, this.recorder, this.sites);
    this.updater = new UpdateKernel(ctx, this.states);
    this.timer = new GpuTimer(device, this.recorder);
    if (opts.matmulChooser) this.matmulKernel.choose = opts.matmulChooser;
    else if (opts.matmulTuning) this.configureMatmulTuning(opts.matmulTuning);
  }

  /** Switch matmul tuning (see MatmulTuningOptions); cached winners apply once `matmulTuningReady()` resolves. */
  configureMatmulTuning(t: MatmulTuningOptions): void {
    this.live();
    this.tuneAtSync = t.mode === 'tune';
    if (t.mode === 'off') {
      this.tuner = null;
      this.matmulKernel.choose = fixedRule;
      return;
    }
    const candidates = t.candidates ?? candidatesWithin(this.device.limits);
    const key = adapterKey(this.handle.details);
    this.tuner = new MatmulTuner(candidates, key, t.timer ?? deviceTimer(this.tunerHost()), fixedRule, t.cache ?? null);
    const tuner = this.tuner;
    this.matmulKernel.choose = (p) => tuner.choose(p);
  }

  /** Resolves once the tuner's cached winners are loaded (at once when tuning is off). */
  async matmulTuningReady(): Promise<void> {
    await this.tuner?.ready();
  }

  /** Time every candidate on each product (tuning must be on), keeping each class's winner; returns the tables. */
  async tuneMatmul(problems: readonly MatmulProblem[]): Promise<TuneResult[]> {
    const tuner = this.tuner;
    if (!tuner) throw new Error('tuneMatmul: matmul tuning is off; call configureMatmulTuning({ mode: "tune" }) first.');
    this.live();
    this.recorder.flush();
    const results: TuneResult[] = [];
    for (const p of problems) results.push(await tuner.tune(p));
    return results;
  }

  /** The tuning cache's key of this backend's adapter. */
  matmulTuningKey(): string {
    return adapterKey(this.handle.details);
  }

  /** The winners known now by shape class (empty when tuning is off). */
  matmulWinners(): Readonly<Record<string, string>> {
    return this.tuner?.known() ?? {};
  }

  private tunerHost(): TunerHost {
    return {
      device: this.device,
      tensors: (shapes) => this.tensors(shapes),
      write: (t, data) => this.write(t, data),
      dispose: (t) => this.dispose(t),
      matmulAs: (c, a, b, out, opts) => {
        this.live();
        this.matmulKernel.run(this.own(a), this.own(b), this.own(out), opts, null, c);
      },
      flush: () => this.recorder.flush(),
      finish: async () => {
        await this.device.queue.onSubmittedWorkDone();
        this.live();
      },
      timeGpu: (record) => this.timeGpu(record),
    };
  }

  tensor(shape: Shape, data?: ArrayLike<number>): Tensor {
    if (data && data.length !== shapeSize(shape)) {
      throw new Error(`tensor: expected ${shapeSize(shape)} values for [${shape.batch}, ${shape.rows}, ${shape.cols}], got ${data.length}.`);
    }
    const [t] = this.tensors([shape]);
    if (data) this.writeUnordered(t as GPUTensor, data);
    return t!;
  }

  tensors(shapes: readonly Shape[]): Tensor[] {
    this.live();
    const ts = this.allocator.allocate(shapes);
    ts.forEach((t) => this.owned.add(t));
    return ts;
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    const g = this.own(t);
    // Work recorded before this write must see the old contents: submit it before the queue write.
    this.recorder.flush();
    this.writeUnordered(g, data);
  }

  async read(t: Tensor): Promise<Float64Array> {
    const g = this.own(t);
    let values: Float64Array;
    try {
      values = await this.readback.read(g.buffer, g.byteOffset, g.size);
    } catch (e) {
      const f = this.handle.currentFault();
      throw new Error(f ? `WebGPU read failed: ${f.message}` : `WebGPU read failed: ${(e as Error).message}`);
    }
    this.live();
    return values;
  }

  dispose(t: Tensor): void {
    if (!(t instanceof GPUTensor) || !this.owned.has(t) || t.disposed) return;
    if (!this.destroyed) {
      this.recordDeferred();
      this.recorder.flush();
    }
    this.sites.evictTensor(t.id);
    this.states.evictTensor(t.id);
    this.allocator.release(t);
    const copy = this.aliasCopies.get(t.id);
    if (copy) {
      this.aliasCopies.delete(t.id);
      this.dispose(copy);
    }
  }

  /** A copy of t as of now (recorded in order with the work before it), kept for the next time t is bound twice. */
  private aliasCopy(t: GPUTensor): GPUTensor {
    this.recordDeferred();
    let copy = this.aliasCopies.get(t.id);
    if (!copy) {
      copy = this.tensors([t.shape])[0] as GPUTensor;
      this.aliasCopies.set(t.id, copy);
    }
    this.recorder.copy(t.buffer, t.byteOffset, copy.buffer, copy.byteOffset, t.size * 4);
    return copy;
  }

  matmul(a: Tensor, b: Tensor, out: Tensor, opts: MatmulOptions = {}): void {
    const ep = opts.epilogue;
    if (ep?.kind === 'bias_act') this.own(ep.bias);
    if (ep?.kind === 'act_grad') this.own(ep.act);
    const o = this.own(out);
    const ga = this.own(a);
    // One tensor bound twice would alias two writable storage bindings (a validation error): B becomes a copy.
    const gb = b === a ? this.aliasCopy(ga) : this.own(b);
    if (opts.transA && !opts.transB && (ep === undefined || ep.kind === 'none')) {
      this.matmulKernel.validate(ga, gb, o, opts);
      this.deferred = { a: ga, b: gb, out: o, opts };
      return;
    }
    if (this.matmulKernel.run(ga, gb, o, opts) && ep?.kind === 'bias_act') {
      this.elementwise.softmaxRows(o, ep.activations);
    }
  }

  gatherRows(src: Tensor, rows: Uint32Array, out: Tensor): void {
    this.elementwise.gatherRows(this.own(src), rows, this.own(out));
  }

  softmaxRows(t: Tensor): void {
    this.elementwise.softmaxRows(this.own(t));
  }

  outputDelta(loss: LossName, outAct: OutputActivation, pred: Tensor, target: Tensor, delta: Tensor): void {
    this.losses.outputDelta(loss, outAct, this.own(pred), this.own(target), this.own(delta));
  }

  columnSums(src: Tensor, out: Tensor): void {
    const d = this.deferred;
    if (d && d.b === src && out instanceof GPUTensor && this.owned.has(out) && !out.disposed && out !== d.a && canFuseColumnSums(d.b, d.out, d.opts, out)) {
      this.deferred = null;
      this.live();
      this.matmulKernel.run(d.a, d.b, d.out, d.opts, out);
      return;
    }
    this.reductions.columnSums(this.own(src), this.own(out));
  }

  update(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule): void {
    if (rule.report) this.own(rule.report.metrics);
    this.updater.run(params.map((t) => this.own(t)), grads.map((t) => this.own(t)), rule);
  }

  normForward(kind: NormKind, z: Tensor, gamma: Tensor, beta: Tensor, out: Tensor, activations: readonly HiddenActivation[], opts: NormOptions): void {
    const running = opts.running && { ...opts.running, mean: this.own(opts.running.mean), variance: this.own(opts.running.variance) };
    const o = { ...opts, xhat: this.own(opts.xhat), invStd: this.own(opts.invStd), ...(running ? { running } : {}) };
    this.norms.forward(kind, this.own(z), this.own(gamma), this.own(beta), this.own(out), activations, o);
  }

  normBackward(kind: NormKind, g: Tensor, xhat: Tensor, invStd: Tensor, gamma: Tensor, dz: Tensor, dGamma: Tensor, dBeta: Tensor): void {
    const [gg, gx, gi, gm] = [this.own(g), this.own(xhat), this.own(invStd), this.own(gamma)];
    this.norms.backward(kind, gg, gx, gi, gm, this.own(dz), this.own(dGamma), this.own(dBeta));
  }

  addInto(dst: Tensor, src: Tensor): void {
    this.elementwise.addInto(this.own(dst), this.own(src));
  }

  dropout(src: Tensor, dst: Tensor, mask: DropoutMask): void {
    this.elementwise.dropout(this.own(src), this.own(dst), mask);
  }

  actGradInPlace(t: Tensor, act: Tensor, activations: readonly HiddenActivation[], fromInput = false): void {
    this.elementwise.actGrad(this.own(t), this.own(act), activations, fromInput);
  }

  activateInto(z: Tensor, out: Tensor, activations: readonly HiddenActivation[]): void {
    this.elementwise.activateInto(this.own(z), this.own(out), activations);
  }

  resetOptimizerState(params: readonly Tensor[]): void {
    this.states.reset(params.map((t) => this.own(t)));
  }

  async readOptimizerState(params: readonly Tensor[]): Promise<OptimizerSnapshot> {
    const rec = this.states.record(params.map((t) => this.own(t)));
    const part = async (ts: readonly GPUTensor[] | null) => (ts ? Promise.all(ts.map((g) => this.readback.read(g.buffer, g.byteOffset, g.size))) : null);
    const [first, second] = await Promise.all([part(rec.first), part(rec.second)]);
    this.live();
    return { first, second };
  }

  writeOptimizerState(params: readonly Tensor[], state: OptimizerSnapshot): void {
    const gs = params.map((t) => this.own(t));
    for (const k of ['first', 'second'] as const) {
      const given = state[k];
      if (given && given.length !== gs.length) throw new RangeError(`writeOptimizerState: ${k} needs ${gs.length} arrays, got ${given.length}`);
      given?.forEach((a, i) => {
        if (a.length !== shapeSize(gs[i]!.shape)) throw new RangeError(`writeOptimizerState: ${k}[${i}] needs ${shapeSize(gs[i]!.shape)} values, got ${a.length}`);
      });
    }
    // Zero everything in recording order, submit, then upload the given parts after the clears.
    this.states.reset(gs);
    this.recorder.flush();
    const rec = this.states.record(gs);
    for (const k of ['first', 'second'] as const) {
      const given = state[k];
      if (!given) continue;
      this.states.slots(rec, gs, k).forEach((t, i) => this.writeUnordered(t, given[i]!));
    }
  }

  lossInto(loss: LossName, pred: Tensor, target: Tensor, metrics: Tensor, col: number): void {
    this.losses.lossInto(loss, this.own(pred), this.own(target), this.own(metrics), col);
  }

  accuracyInto(pred: Tensor, target: Tensor, metrics: Tensor, col: number): void {
    this.losses.accuracyInto(this.own(pred), this.own(target), this.own(metrics), col);
  }

  normsInto(tensors: readonly Tensor[], metrics: Tensor, col: number): void {
    this.reductions.normsInto(tensors.map((t) => this.own(t)), this.own(metrics), col);
  }

  activationStatsInto(a: Tensor, activations: readonly ActivationName[], metrics: Tensor, col: number): void {
    this.reductions.activationStatsInto(this.own(a), activations, this.own(metrics), col);
  }

  quantilesInto(t: Tensor, metrics: Tensor, col: number): void {
    this.quantiles.quantilesInto(this.own(t), this.own(metrics), col);
  }

  flush(): void {
    this.live();
    this.recorder.endStep();
  }

  async sync(): Promise<void> {
    this.live();
    this.recorder.flush();
    const tuner = this.tuner;
    if (this.tuneAtSync && tuner && tuner.pendingCount > 0) {
      await this.device.queue.onSubmittedWorkDone();
      // One tuning at a time: a second sync meanwhile waits for it.
      this.tuning ??= tuner.tunePending().finally(() => (this.tuning = null));
      await this.tuning;
      this.live();
    }
    await this.device.queue.onSubmittedWorkDone();
    this.live();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.deferred = null;
    this.recorder.close();
    this.sites.destroy();
    this.states.destroy();
    this.readback.destroy();
    this.timer.destroy();
    this.dummy.destroy();
    this.device.destroy();
  }

  /** Test hook: lose the device as a driver reset would (fault resolves, later operations throw). */
  loseDevice(): void {
    this.device.destroy();
  }

  /** Counts of cached pipelines and call-site slots. */
  cacheStats(): WebGPUCacheStats {
    return { pipelines: this.pipelines.size, callSiteSlots: this.sites.slotCount };
  }

  /**
   * Milliseconds of GPU time (timestamp queries) of the work `record` enqueues on this backend, submitted apart;
   * null where the device has no 'timestamp-query'. Quantised by Dawn to 100 µs by default.
   */
  async timeGpu(record: () => void): Promise<number | null> {
    this.live();
    const ms = await this.timer.time(() => {
      record();
      this.live();
    });
    this.live();
    return ms;
  }

  /** Dispatches recorded and command buffers submitted so far. */
  workStats(): WebGPUWorkStats {
    return { dispatches: this.recorder.dispatches, submits: this.recorder.submits };
  }

  /** Checks that the backend can run, then records a held-back product: every operation calls this first. */
  private live(): void {
    if (this.destroyed) throw new Error('WebGPU backend used after destroy().');
    const f = this.handle.currentFault();
    if (f) throw new Error(`WebGPU backend can no longer run: ${f.message}`);
    this.recordDeferred();
  }

  private recordDeferred(): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = null;
    this.matmulKernel.run(d.a, d.b, d.out, d.opts);
  }

  private own(t: Tensor): GPUTensor {
    this.live();
    if (!(t instanceof GPUTensor) || !this.owned.has(t)) throw new Error('Tensor does not belong to this WebGPU backend.');
    if (t.disposed) throw new Error(`Tensor [${t.shape.batch}, ${t.shape.rows}, ${t.shape.cols}] used after dispose().`);
    return t;
  }

  private writeUnordered(t: GPUTensor, data: ArrayLike<number>): void {
    const n = shapeSize(t.shape);
    if (data.length !== n) throw new Error(`write: expected ${n} values for [${t.shape.batch}, ${t.shape.rows}, ${t.shape.cols}], got ${data.length}.`);
    if (n === 0) return;
    if (this.upload.length < n) this.upload = new Float32Array(n);
    for (let i = 0; i < n; i++) this.upload[i] = data[i]!;
    this.device.queue.writeBuffer(t.buffer, t.byteOffset, this.upload, 0, n);
  }
}

/** Create a WebGPU backend; throws a `WebGPUUnavailableError` (reason 'no-webgpu' | 'no-adapter' | 'device-failed'). */
export async function createWebGPUBackend(opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const backend = new WebGPUBackend(await acquireDevice(opts), opts);
  await backend.matmulTuningReady();
  return backend;
}
