/**
 * The lab's long-lived behaviour as a lit ReactiveController: it owns the backend, the trainers (cohorts) and
 * the training loop. The loop steps every cohort a few times per animation frame (time-boxed on the CPU; on
 * WebGPU it submits `speed` steps and then awaits the metrics read), collects records, stops diverged runs and
 * runs that met the stop condition, measures throughput and refreshes the decision boundaries. All work on
 * the trainers is serialised through one queue, so a settings change never interleaves with a step.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend, BackendFault } from '../backend/backend.js';
import { createCpuBackend } from '../backend/cpu/cpu-backend.js';
import { selectBackend } from '../backend/select.js';
import { makeDataset, type Dataset } from '../core/datasets.js';
import type { Parameters } from '../core/init.js';
import { builtinShape, dataSpec, resetScope, runLabel, scheduleSpec, type DataShape, type LabSpec, type RunSpec } from '../core/lab-spec.js';
import { isDiverged, type StepRecord } from '../train/records.js';
import { computeBoundaries } from './boundary.js';
import { confusionMatrix } from './confusion.js';
import type { CsvInfo } from './csv.js';
import { Trainer } from '../train/trainer.js';
import { buildCohorts, cohortStep, globalRecord, newRunState, renumber, runModel, withoutRuns, type Cohort, type CohortContext, type RunState } from './run-state.js';
import { runsVersion, type RunView } from './run-view.js';
import { Throughput, type ThroughputSample } from './throughput.js';

/** CPU milliseconds of stepping per animation frame at most. */
export const FRAME_BUDGET_MS = 12;
/** Milliseconds between decision-boundary refreshes while training. */
export const BOUNDARY_EVERY_MS = 500;

/** Milliseconds between parameter read-backs on WebGPU while playing, kept to survive a lost device. */
export const SNAPSHOT_EVERY_MS = 2000;
/** Parameters larger than this are not read back for a snapshot (a lost device then restarts those runs). */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 ** 2;

/** Milliseconds a failed step on WebGPU waits for the device-lost report before it counts as a plain error. */
export const FAULT_GRACE_MS = 1000;

/** Records kept per run at most: beyond it every other older record is dropped (the charts keep their shape). */
export const MAX_RECORDS = 5000;

/** Per-layer numbers kept per run at most (a record holds about 8 per layer): deep runs keep fewer records. */
export const MAX_RECORD_NUMBERS = 1_000_000;

/** How many records a run of `layers` weight layers keeps: MAX_RECORDS, fewer for deep nets, never below 500. */
export function recordCap(layers: number): number {
  return Math.max(500, Math.min(MAX_RECORDS, Math.floor(MAX_RECORD_NUMBERS / (8 * Math.max(1, layers)))));
}

/** Milliseconds an info notice stays (warnings and errors stay until dismissed). */
export const INFO_NOTICE_MS = 10_000;

/** A message shown to the user. */
export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'warning' | 'error';
  readonly text: string;
  /** Details, one per line (e.g. every bad URL parameter). */
  readonly details: readonly string[];
}

/** Which backend trains and why. */
export interface BackendStatus {
  readonly kind: 'cpu' | 'webgpu' | 'starting';
  /** Adapter name on WebGPU, "CPU f32" on the CPU. */
  readonly name: string;
  readonly reason: string;
}

/** The WebGPU entry point of the page, or undefined. */
function pageGpu(): GPU | undefined {
  return typeof navigator !== 'undefined' ? navigator.gpu : undefined;
}

/**
 * Every other record, keeping the first and the last: a run that trains for hours keeps at most recordCap
 * records (memory and chart drawing stay bounded), evenly thinned over its whole history.
 */
export function thinRecords<T>(records: readonly T[]): T[] {
  return records.filter((_, i) => i % 2 === 0 || i === records.length - 1);
}

/** A readable adapter name from a backend's info. */
export function adapterName(backend: Backend): string {
  const a = backend.info.adapter;
  if (backend.info.kind !== 'webgpu' || !a) return backend.info.description;
  const pick = (k: string) => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : null);
  return pick('description') ?? ([pick('vendor'), pick('architecture'), pick('device')].filter(Boolean).join(' ') || backend.info.description);
}

/** Owns backend, trainers and the training loop of a lab page. */
export class LabController implements ReactiveController {
  lab: LabSpec;
  readonly runs: RunState[] = [];
  notices: Notice[] = [];
  backendStatus: BackendStatus = { kind: 'starting', name: 'starting…', reason: '' };
  playing = false;
  readonly throughput = new Throughput();
  /** Loaded CSV data (replaces the built-in data set while set). */
  csv: { dataset: Dataset; info: CsvInfo; name: string } | null = null;
  private backend: Backend | null = null;
  private cohorts: Cohort[] = [];
  private data: Dataset | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private frameId = 0;
  private revision = 0;
  private noticeId = 0;
  private lastBoundary = 0;
  private lastSnapshot = 0;
  /** Parameters read back from each WebGPU trainer, and its step then: where the runs go on after a lost device. */
  private snapshots = new WeakMap<Trainer, { step: number; params: Parameters[] }>();
  /** Set as soon as the backend reports a fault, before the fault is handled in the queue. */
  private faulted = false;
  private resumeOnVisible = false;
  private resumeAfterFault = false;
  private readonly onVisibility = () => this.visibilityChanged();

  constructor(private readonly host: ReactiveControllerHost, lab: LabSpec) {
    this.lab = lab;
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.pause();
  }

  /** Charts redraw when this changes. */
  get version(): string {
    return runsVersion(this.runs, this.revision);
  }

  /** The runs as the charts see them. */
  get views(): readonly RunView[] {
    return this.runs;
  }

  /** The data set the runs train on. */
  get dataset(): Dataset | null {
    return this.data;
  }

  /** Total steps of the slowest active run so far. */
  get step(): number {
    return this.cohorts.length ? Math.min(...this.cohorts.map(cohortStep)) : 0;
  }

  /** Show a message. */
  notify(kind: Notice['kind'], text: string, details: readonly string[] = []): void {
    const id = ++this.noticeId;
    this.notices = [...this.notices.filter((n) => n.text !== text), { id, kind, text, details }];
    if (kind === 'info') setTimeout(() => this.dismiss(id), INFO_NOTICE_MS);
    this.host.requestUpdate();
  }

  /** Hide a message. */
  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.host.requestUpdate();
  }

  /** Run `fn` after everything queued before it (trainers are never used by two tasks at once). */
  private exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch((e: unknown) => this.failed(e));
    return next;
  }

  private failed(e: unknown): void {
    const wasPlaying = this.playing;
    this.pause();
    // Work that failed because the device was lost is reported once, by the fault handler.
    if (this.faulted) return;
    // A lost device often shows first as a failed step, a moment before the backend reports the fault: wait for
    // it briefly, so that the runs then go on playing on the CPU and no second, misleading notice is shown.
    const backend = this.backend;
    const fault =
      backend?.info.kind === 'webgpu'
        ? Promise.race([backend.fault.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), FAULT_GRACE_MS))])
        : Promise.resolve(false);
    void fault.then((isFault) => {
      if (isFault || this.faulted) {
        this.resumeAfterFault ||= wasPlaying;
        return;
      }
      this.notify('error', `Training stopped: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Start the backend and the runs of the current lab. */
  start(): Promise<void> {
    return this.exclusive(async () => {
      await this.openBackend(this.lab.backend);
      this.rebuild();
    });
  }

  private async openBackend(choice: LabSpec['backend']): Promise<void> {
    this.closeBackend();
    this.backendStatus = { kind: 'starting', name: 'starting…', reason: '' };
    this.host.requestUpdate();
    let backend: Backend;
    let reason: string;
    try {
      ({ backend, reason } = await selectBackend(choice, { dtype: this.lab.dtype, gpu: pageGpu() }));
    } catch (e) {
      backend = createCpuBackend({ dtype: this.lab.dtype });
      reason = `WebGPU was requested but is unavailable: ${e instanceof Error ? e.message : String(e)}`;
      this.notify('warning', `${reason}. Training on the CPU instead.`);
    }
    this.backend = backend;
    this.faulted = false;
    this.backendStatus = { kind: backend.info.kind, name: adapterName(backend), reason };
    void backend.fault.then((f) => {
      if (this.backend !== backend) return;
      this.faulted = true;
      this.resumeAfterFault = this.playing;
      this.pause();
      void this.exclusive(() => this.onFault(backend, f));
    });
  }

  private closeBackend(): void {
    for (const c of this.cohorts) c.trainer.dispose();
    this.cohorts = [];
    const old = this.backend;
    this.backend = null;
    old?.destroy();
  }

  /**
   * The GPU is gone: stop, move to the CPU, and go on from the parameters last read back (records after that step
   * are dropped, since they are retrained); runs with no parameters read back start again from their initial weights.
   */
  private async onFault(lost: Backend, f: BackendFault): Promise<void> {
    this.pause();
    const old = this.cohorts;
    this.cohorts = [];
    for (const c of old) {
      try {
        c.trainer.dispose();
      } catch {
        // the device is gone; its buffers went with it
      }
    }
    try {
      lost.destroy();
    } catch {
      // already unusable
    }
    const backend = createCpuBackend({ dtype: this.lab.dtype });
    this.backend = backend;
    this.faulted = false;
    this.backendStatus = { kind: 'cpu', name: adapterName(backend), reason: `WebGPU device lost (${f.message})` };
    const ctx = this.context();
    const restarted: RunState[] = [];
    const resumed: string[] = [];
    for (const c of old) {
      const snap = this.snapshots.get(c.trainer);
      const members = c.members.filter((r) => this.runs.includes(r));
      if (!members.length) continue;
      if (!snap) {
        restarted.push(...members);
        continue;
      }
      const at = c.offset + snap.step;
      const params = members.map((r) => snap.params[c.members.indexOf(r)]!);
      const trainer = new Trainer(backend, { models: members.map((r) => runModel(ctx, r)), data: ctx.data, schedule: scheduleSpec(this.lab) }, params, snap.step);
      for (const r of members) {
        r.records = r.records.filter((x) => x.step < at);
        if (r.status === 'diverged' && (r.divergedAt ?? 0) >= at) Object.assign(r, { status: 'active', divergedAt: null, message: null });
      }
      this.cohorts.push({ trainer, members, offset: c.offset });
      resumed.push(`${members.map((r) => `Run ${this.runs.indexOf(r) + 1}`).join(', ')} from step ${at}`);
    }
    for (const r of restarted) Object.assign(r, newRunState(r.spec, this.runs.indexOf(r)));
    if (restarted.length) this.cohorts.push(...buildCohorts(ctx, restarted));
    this.revision++;
    const how = [
      ...(resumed.length ? [`continuing on the CPU from the parameters read back: ${resumed.join('; ')} (later records dropped; mini-batch order restarts)`] : []),
      ...(restarted.length ? [`${restarted.map((r) => `Run ${this.runs.indexOf(r) + 1}`).join(', ')} had no parameters read back and start again from their initial weights`] : []),
    ];
    this.notify('error', `WebGPU device lost (${f.reason}: ${f.message}). Training stopped and moved to the CPU.`, how);
    await this.refreshBoundaries();
    this.host.requestUpdate();
    if (this.resumeAfterFault) {
      this.resumeAfterFault = false;
      this.play();
    }
  }

  /** Read back every WebGPU trainer's parameters (for a lost device), at most every SNAPSHOT_EVERY_MS unless forced. */
  private async snapshot(force: boolean): Promise<void> {
    const b = this.backend;
    if (!b || b.info.kind !== 'webgpu' || this.faulted) return;
    const now = performance.now();
    if (!force && now - this.lastSnapshot < SNAPSHOT_EVERY_MS) return;
    this.lastSnapshot = now;
    for (const c of this.cohorts) {
      const count = c.trainer.sizes.reduce((s, n, i, a) => (i ? s + (a[i - 1]! + 1) * n : s), 0) * c.trainer.members;
      if (count * b.bytesPerElement > SNAPSHOT_MAX_BYTES) continue;
      const step = c.trainer.step;
      const params = await c.trainer.readParameters();
      this.snapshots.set(c.trainer, { step, params });
    }
  }

  /** Test hook: lose the WebGPU device as a driver reset would; false when the backend has no such hook. */
  loseDevice(): boolean {
    const b = this.backend as (Backend & { loseDevice?: () => void }) | null;
    if (!b || typeof b.loseDevice !== 'function') return false;
    b.loseDevice();
    return true;
  }

  private context(): CohortContext {
    if (!this.backend) throw new Error('no backend');
    if (!this.data) this.data = this.csv?.dataset ?? makeDataset(dataSpec(this.lab));
    return { backend: this.backend, data: this.data, shape: this.shape(), lab: this.lab };
  }

  /** Shape of the data the runs train on (the CSV's or the built-in data set's). */
  get dataShape(): DataShape {
    return this.shape();
  }

  private shape(): DataShape {
    const d = this.csv?.dataset;
    return d ? { inputDim: d.inputDim, outputDim: d.outputDim, task: d.task, samples: d.n } : builtinShape(this.lab);
  }

  /** Every run back to step 0 and its initial weights, in freshly grouped trainers. */
  private rebuild(): void {
    for (const c of this.cohorts) c.trainer.dispose();
    this.cohorts = [];
    this.data = null;
    this.runs.length = 0;
    this.lab.runs.forEach((spec, i) => this.runs.push(newRunState(spec, i)));
    this.revision++;
    this.throughput.clear();
    try {
      this.cohorts = buildCohorts(this.context(), this.runs);
    } catch (e) {
      this.notify('error', `Cannot build the networks: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.lastBoundary = 0;
    void this.refreshBoundaries();
    this.host.requestUpdate();
  }

  /** Reset the runs in `which` to their initial weights; the others keep training where they are. */
  private async resetRuns(which: readonly RunState[]): Promise<void> {
    if (which.length === this.runs.length || this.runs.every((r) => r.records.length === 0 || which.includes(r))) {
      this.rebuild();
      return;
    }
    const ctx = this.context();
    const leaving = new Set(which);
    const kept: Cohort[] = [];
    for (const c of this.cohorts) {
      const next = await withoutRuns(ctx, c, leaving);
      if (next) kept.push(next);
    }
    for (const r of which) Object.assign(r, newRunState(r.spec, this.runs.indexOf(r)));
    this.cohorts = [...kept, ...buildCohorts(ctx, which)];
    this.revision++;
    await this.refreshBoundaries();
    this.host.requestUpdate();
  }

  /** Move to a new lab spec, resetting what the change requires and saying so. */
  apply(next: LabSpec): Promise<void> {
    return this.exclusive(async () => {
      const prev = this.lab;
      this.lab = next;
      const scope = resetScope(prev, next);
      if (prev.backend !== next.backend || (prev.dtype !== next.dtype && this.backend?.info.kind === 'cpu')) {
        this.pause();
        await this.openBackend(next.backend);
        this.rebuild();
        this.notify('info', `Backend changed: every run starts again.`);
        return;
      }
      if (prev.dataset !== next.dataset && this.csv) this.csv = null;
      if (scope.all || next.runs.length < this.runs.length) {
        this.rebuild();
        const why = scope.why.length ? `${scope.why.join(', ')} changed` : 'runs removed';
        this.notify('info', `Every run was reset (${why}); the initial weights are the same as before.`);
        return;
      }
      next.runs.forEach((spec, i) => {
        const run = this.runs[i];
        if (run) {
          run.spec = spec;
          run.label = runLabel(spec);
          run.activation = spec.activation;
          run.clip = spec.clip ?? null;
        }
      });
      const added = next.runs.slice(this.runs.length).map((spec, j) => newRunState(spec, this.runs.length + j));
      this.runs.push(...added);
      const reset = [...scope.runs.map((i) => this.runs[i]!), ...added];
      if (reset.length) {
        await this.resetRuns(reset);
        if (scope.runs.length) {
          this.notify('info', `${scope.runs.map((i) => `Run ${i + 1}`).join(' and ')} reset (${scope.why.join(', ')} changed), from the same initial weights.`);
        }
      }
      if (prev.stop !== next.stop) for (const r of this.runs) if (r.status === 'stopped') Object.assign(r, { status: 'active', message: null });
      this.host.requestUpdate();
    });
  }

  /** Remove run `index`; the others keep training. */
  removeRun(index: number): Promise<void> {
    return this.exclusive(async () => {
      const run = this.runs[index];
      if (!run || this.runs.length <= 1) return;
      const ctx = this.context();
      const kept: Cohort[] = [];
      for (const c of this.cohorts) {
        const next = await withoutRuns(ctx, c, new Set([run]));
        if (next) kept.push(next);
      }
      this.cohorts = kept;
      this.runs.splice(index, 1);
      renumber(this.runs);
      this.lab = { ...this.lab, runs: this.lab.runs.filter((_, i) => i !== index) };
      this.revision++;
      this.host.requestUpdate();
    });
  }

  /** Use a loaded CSV data set (null: back to the built-in data); every run starts again. */
  setCsv(csv: LabController['csv']): Promise<void> {
    return this.exclusive(() => {
      this.csv = csv;
      this.rebuild();
    });
  }

  /** Every run back to its initial weights. */
  reset(): Promise<void> {
    return this.exclusive(() => this.rebuild());
  }

  play(): void {
    if (this.playing || !this.runs.some((r) => r.status === 'active')) return;
    this.playing = true;
    this.throughput.resume();
    this.scheduleFrame();
    this.host.requestUpdate();
  }

  pause(): void {
    this.playing = false;
    if (this.frameId) cancelAnimationFrame(this.frameId);
    this.frameId = 0;
    this.host.requestUpdate();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Take `n` steps now (every one logged when n is 1), then refresh the boundaries. */
  stepBy(n: number, logAll = n === 1): Promise<void> {
    return this.exclusive(async () => {
      let t0 = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        if (!this.stepCohorts(pending, logAll || i === n - 1)) break;
        if (performance.now() - t0 > FRAME_BUDGET_MS) {
          await Promise.all(pending.splice(0));
          await new Promise((r) => setTimeout(r, 0));
          t0 = performance.now();
        }
      }
      await Promise.all(pending);
      await this.snapshot(true);
      await this.refreshBoundaries();
      this.revision++;
      this.host.requestUpdate();
    });
  }

  private scheduleFrame(): void {
    if (!this.playing || this.frameId) return;
    this.frameId = requestAnimationFrame(() => {
      // A failed frame is reported by the queue (failed()); this chain only schedules the next one.
      void this.exclusive(() => this.frame())
        .catch(() => undefined)
        .finally(() => {
          this.frameId = 0;
          this.scheduleFrame();
        });
    });
  }

  private async frame(): Promise<void> {
    if (!this.playing || !this.backend) return;
    const gpu = this.backend.info.kind === 'webgpu';
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    let steps = 0;
    while (steps < this.lab.speed && (gpu || steps === 0 || performance.now() - t0 < FRAME_BUDGET_MS)) {
      if (!this.stepCohorts(pending, false)) break;
      steps++;
    }
    await Promise.all(pending);
    if (gpu && pending.length === 0) await this.backend.sync();
    this.throughput.add(steps, this.activeCohorts(), performance.now());
    await this.snapshot(false);
    if (performance.now() - this.lastBoundary > BOUNDARY_EVERY_MS) await this.refreshBoundaries();
    if (!this.runs.some((r) => r.status === 'active')) this.pause();
    this.host.requestUpdate();
  }

  private activeCohorts(): Cohort[] {
    return this.cohorts.filter((c) => c.members.some((r) => r.status === 'active'));
  }

  /** One step of every cohort with an active run; false when none is left. */
  private stepCohorts(pending: Promise<void>[], forceLog: boolean): boolean {
    const active = this.activeCohorts();
    for (const c of active) {
      const step = cohortStep(c);
      const stop = this.lab.stop;
      if (stop.kind === 'epochs' && (step * c.trainer.rowsPerStep) / (this.data?.n ?? 1) >= stop.value) {
        for (const r of c.members) if (r.status === 'active') Object.assign(r, { status: 'stopped', message: `reached ${stop.value} epochs` });
        continue;
      }
      const p = c.trainer.stepOnce(forceLog || step % this.lab.logEvery === 0);
      if (p) pending.push(p.then((recs) => this.take(c, recs)));
    }
    return active.length > 0;
  }

  private take(c: Cohort, recs: StepRecord[]): void {
    const n = this.data?.n ?? 1;
    c.members.forEach((run, i) => {
      if (run.status !== 'active' || !this.runs.includes(run)) return;
      const rec = globalRecord(recs[i]!, c.offset, c.trainer.rowsPerStep, n);
      // Judged per record (not from trainer.memberStatus(), which may already know of a later step's NaN).
      if (isDiverged(rec)) {
        run.status = 'diverged';
        run.divergedAt = rec.step;
        run.message = `diverged at step ${run.divergedAt}`;
        this.notify('warning', `Run ${this.runs.indexOf(run) + 1} (${run.label}) diverged at step ${run.divergedAt} (NaN or infinity); its records are kept, the other runs go on.`);
        return;
      }
      run.records.push(rec);
      if (run.records.length > recordCap(rec.gradNorms.length)) run.records = thinRecords(run.records);
      const stop = this.lab.stop;
      if (stop.kind === 'loss' && rec.loss <= stop.value) {
        run.status = 'stopped';
        run.message = `reached loss ${stop.value} at step ${rec.step}`;
      }
    });
  }

  /** Recompute the decision boundaries (2-D data) and confusion matrices (several classes). */
  private async refreshBoundaries(): Promise<void> {
    this.lastBoundary = performance.now();
    const data = this.data;
    if (!data) return;
    for (const c of this.cohorts) {
      if (data.inputDim === 2) {
        const grids = await computeBoundaries(c.trainer);
        c.members.forEach((r, i) => (r.boundary = grids[i]!));
      }
      if (data.task === 'multiclass') {
        const preds = await c.trainer.predict(data.x, data.n);
        c.members.forEach((r, i) => (r.confusion = confusionMatrix(preds[i]!, data.y, data.n, data.outputDim)));
      }
    }
    this.revision++;
  }

  /** Trained parameters of every run, for the weights export. */
  parameters(): Promise<{ id: string; label: string; step: number; params: Parameters }[]> {
    return this.exclusive(async () => {
      const out = [];
      for (const c of this.cohorts) {
        const ps = await c.trainer.readParameters();
        out.push(...c.members.map((r, i) => ({ id: r.id, label: r.label, step: cohortStep(c), params: ps[i]! })));
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  /** Layer sizes of the models, input first. */
  get sizes(): readonly number[] {
    return this.cohorts[0]?.trainer.sizes ?? [];
  }

  /** Latest throughput figures. */
  get rates(): ThroughputSample | null {
    return this.throughput.latest;
  }

  /** A run spec with a patch applied, for the controls. */
  static patchRun(lab: LabSpec, index: number, patch: Partial<RunSpec>): LabSpec {
    return { ...lab, runs: lab.runs.map((r, i) => (i === index ? { ...r, ...patch } : r)) };
  }

  private visibilityChanged(): void {
    if (document.hidden && this.playing) {
      this.resumeOnVisible = true;
      this.pause();
    } else if (!document.hidden && this.resumeOnVisible) {
      this.resumeOnVisible = false;
      this.play();
    }
  }
}
