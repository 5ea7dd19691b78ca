/**
 * The lab's long-lived behaviour as a lit ReactiveController: it owns the backend, the trainers (cohorts) and
 * the training loop. Each frame (frame-loop.ts) steps every cohort a few times (cohort-steps.ts: time-boxed on the
 * CPU; on WebGPU it submits the steps that fit its pace and then awaits the metrics read; in slow motion, `speed` N ≥ 1,
 * the steps due at N per second), takes the records (record-store.ts),
 * measures throughput and refreshes the decision boundaries (run-insights.ts). A lost WebGPU device moves the runs
 * to the CPU (device-recovery.ts). All work on the trainers is serialised through one queue, so a settings change
 * (run-changes.ts) never interleaves with a step.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend, BackendFault } from '../../backend/backend.js';
import { CpuBackend, createCpuBackend } from '../../backend/cpu/cpu-backend.js';
import { makeDataset, type Dataset } from '../../core/datasets.js';
import { Trainer } from '../../train/trainer.js';
import { parseLabRun, serializeLabRun } from './lab-run-file.js';
import type { Parameters } from '../../core/init.js';
import { builtinShape, dataSpec, resetScope, scheduleSpec, type DataShape, type LabSpec, type RunSpec } from '../../core/lab-spec.js';
import type { StepRecord } from '../../train/records.js';
import { activeCohorts, frameSteps, GpuPace, settle, StepPacer, stepCohorts, stepMany } from './cohort-steps.js';
import type { CsvInfo } from './csv.js';
import { discardLost, FaultGuard, loseDevice, resumeCohorts } from './device-recovery.js';
import { FrameLoop } from './frame-loop.js';
import type { LabControl } from './lab-control.js';
import { buildRefusal, csvRefusal } from './lab-budget.js';
import { pageClock, type LabClock } from './lab-clock.js';
import type { ThreadUse } from './trainer-protocol.js';
import { adapterName, openLabBackend, STARTING_STATUS, type BackendStatus } from './lab-backend.js';
import { NoticeBoard, type Notice } from '../notices.js';
import { takeRecords } from './record-store.js';
import { cohortParameters, cohortsWithout, resetsAll, resetSome, respecRuns } from './run-changes.js';
import { refreshInsights } from './run-insights.js';
import { buildCohorts, cohortStep, newRunState, recordsDistributions, renumber, runModel, type Cohort, type CohortContext, type RunState } from './run-state.js';
import { runsVersion, type RunView } from '../run-view.js';
import { Throughput, type ThroughputSample } from './throughput.js';

export { FRAME_BUDGET_MS, GPU_FRAME_BUDGET_MS } from './cohort-steps.js';
export { FAULT_GRACE_MS, SNAPSHOT_EVERY_MS, SNAPSHOT_MAX_BYTES } from './device-recovery.js';
export { adapterName, type BackendStatus } from './lab-backend.js';
export { INFO_NOTICE_MS, type Notice } from '../notices.js';
export { MAX_RECORD_NUMBERS, MAX_RECORDS, recordCap, thinRecords } from './record-store.js';

/** Milliseconds between decision-boundary refreshes while training (at least: see boundaryGapMs). */
export const BOUNDARY_EVERY_MS = 500;
/** Largest share of the playing time the decision boundaries may take (wide models predict a grid slowly). */
export const BOUNDARY_MAX_SHARE = 0.1;
/** Longest wait between two boundary refreshes while training, however dear one was (a cold first one, a pause). */
export const BOUNDARY_MAX_GAP_MS = 5000;

/** Milliseconds of training between two boundary refreshes when the last one took `costMs`. */
export function boundaryGapMs(costMs: number): number {
  return Math.min(BOUNDARY_MAX_GAP_MS, Math.max(BOUNDARY_EVERY_MS, (costMs * (1 - BOUNDARY_MAX_SHARE)) / BOUNDARY_MAX_SHARE));
}

/** Owns backend, trainers and the training loop of a lab page. */
export class LabController implements ReactiveController, LabControl {
  lab: LabSpec;
  readonly runs: RunState[] = [];
  backendStatus: BackendStatus = STARTING_STATUS;
  readonly throughput: Throughput;
  /** Loaded CSV data (replaces the built-in data set while set). */
  csv: { dataset: Dataset; info: CsvInfo; name: string } | null = null;
  private backend: Backend | null = null;
  private cohorts: Cohort[] = [];
  private data: Dataset | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private revision = 0;
  /** When the last boundary refresh ended, and how long it took (clock milliseconds). */
  private lastBoundary = 0;
  private boundaryCost = 0;
  /** The notice saying why the networks could not be built (dismissed once they are), or null. */
  private buildNotice: number | null = null;
  private readonly board = new NoticeBoard(() => this.host.requestUpdate());
  private readonly guard: FaultGuard;
  private readonly loop: FrameLoop;
  /** Steps per frame on WebGPU, bounded by the time the last frame's steps took. */
  private readonly pace = new GpuPace();
  /** Steps due in slow motion (speed N ≥ 1: N steps per second); at speed 0 as many as a frame fits. */
  private readonly pacer: StepPacer;

  /** `clock`: time and frames for the loop, the read-back schedule and the throughput (the page's by default). */
  constructor(
    private readonly host: ReactiveControllerHost,
    lab: LabSpec,
    private readonly clock: LabClock = pageClock(),
  ) {
    this.lab = lab;
    this.throughput = new Throughput(() => clock.now());
    this.pacer = new StepPacer(() => clock.now());
    this.guard = new FaultGuard(
      {
        backend: () => this.backend,
        playing: () => this.playing,
        pause: () => this.pause(),
        report: (text) => this.notify('error', text),
        recover: (lost, f) => void this.exclusive(() => this.onFault(lost, f)),
      },
      clock,
    );
    host.addController(this);
    // A failed frame is reported by the queue (FaultGuard.failed); the loop only schedules the next one.
    this.loop = new FrameLoop(host, { frame: () => this.exclusive(() => this.frame()), play: () => this.play(), pause: () => this.pause() }, clock);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.pause();
  }

  /** Whether the runs are training frame by frame. */
  get playing(): boolean {
    return this.loop.playing;
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

  /** The messages on show, oldest first. */
  get notices(): Notice[] {
    return this.board.items;
  }

  set notices(items: Notice[]) {
    this.board.items = items;
  }

  /** Show a message. */
  notify(kind: Notice['kind'], text: string, details: readonly string[] = []): void {
    this.board.notify(kind, text, details);
  }

  /** Hide a message. */
  dismiss(id: number): void {
    this.board.dismiss(id);
  }

  /** Run `fn` after everything queued before it (trainers are never used by two tasks at once). */
  private exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch((e: unknown) => this.guard.failed(e));
    return next;
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
    this.backendStatus = STARTING_STATUS;
    this.host.requestUpdate();
    const { backend, reason, warning } = await openLabBackend(choice, this.lab.dtype);
    if (warning) this.notify('warning', warning);
    this.backend = backend;
    this.guard.watch(backend);
    this.backendStatus = { kind: backend.info.kind, name: adapterName(backend), reason };
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
    discardLost(old, lost);
    const backend = createCpuBackend({ dtype: this.lab.dtype });
    this.backend = backend;
    this.guard.faulted = false;
    this.backendStatus = { kind: 'cpu', name: adapterName(backend), reason: `WebGPU device lost (${f.message})` };
    const how = resumeCohorts(this.context(), old, this.runs, this.guard.snapshots, this.cohorts);
    this.revision++;
    this.notify('error', `WebGPU device lost (${f.reason}: ${f.message}). Training stopped and moved to the CPU.`, how);
    await this.refreshBoundaries();
    this.host.requestUpdate();
    if (this.guard.takeResume()) this.play();
  }

  /** The step the runs would go on from if the WebGPU device were lost now (parameters last read back), or null. */
  get readBackStep(): number | null {
    return this.guard.snapshots.resumeStep(this.cohorts);
  }

  /** Test hook: lose the WebGPU device as a driver reset would; false when the backend has no such hook. */
  loseDevice(): boolean {
    return loseDevice(this.backend);
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

  /** Whether the runs can train: the networks are built and some run is active. */
  get canTrain(): boolean {
    return this.cohorts.length > 0 && this.runs.some((r) => r.status === 'active');
  }

  /** Every run back to step 0 and its initial weights, in freshly grouped trainers (none when they do not fit the budget). */
  private rebuild(): void {
    for (const c of this.cohorts) c.trainer.dispose();
    this.cohorts = [];
    this.data = null;
    this.runs.length = 0;
    this.lab.runs.forEach((spec, i) => this.runs.push(newRunState(spec, i)));
    this.revision++;
    this.throughput.clear();
    this.pace.reset();
    if (this.buildNotice !== null) this.board.dismiss(this.buildNotice);
    this.buildNotice = null;
    const refusal = this.backend && buildRefusal(this.backend, this.lab, this.shape(), this.csv ? 'file' : 'samples');
    try {
      if (refusal) {
        this.pause();
        this.buildNotice = this.board.notify('error', refusal.text, refusal.details);
      } else this.cohorts = buildCohorts(this.context(), this.runs);
    } catch (e) {
      this.buildNotice = this.board.notify('error', `Cannot build the networks: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.lastBoundary = 0;
    this.boundaryCost = 0;
    // Not awaited, so frames may run in its pauses: its time is not a measure of its cost.
    void this.refreshBoundaries(false);
    this.host.requestUpdate();
  }

  /** Reset the runs in `which` to their initial weights; the others keep training where they are. */
  private async resetRuns(which: readonly RunState[]): Promise<void> {
    if (resetsAll(this.runs, which)) {
      this.rebuild();
      return;
    }
    this.cohorts = await resetSome(this.context(), this.runs, this.cohorts, which);
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
      const added = respecRuns(this.runs, next.runs);
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
      this.cohorts = await cohortsWithout(this.context(), this.cohorts, new Set([run]));
      this.runs.splice(index, 1);
      renumber(this.runs);
      this.lab = { ...this.lab, runs: this.lab.runs.filter((_, i) => i !== index) };
      this.revision++;
      this.host.requestUpdate();
    });
  }

  /**
   * Use a loaded CSV data set (null: back to the built-in data); every run starts again. A data set the runs do not
   * fit in the memory budget is refused before anything changes (a notice says what to change); returns whether it was taken.
   */
  setCsv(csv: LabController['csv']): Promise<boolean> {
    return this.exclusive(() => {
      const refusal = csv && this.backend && csvRefusal(this.backend, this.lab, csv, this.csv?.name ?? `the ${this.lab.dataset} data set`);
      if (refusal) {
        this.notify('error', refusal.text, refusal.details);
        return false;
      }
      this.csv = csv;
      this.rebuild();
      return true;
    });
  }

  /** Every run back to its initial weights. */
  reset(): Promise<void> {
    return this.exclusive(() => this.rebuild());
  }

  play(): void {
    if (this.playing || !this.canTrain) return;
    this.loop.start();
    this.pacer.restart();
    this.throughput.resume();
    this.host.requestUpdate();
  }

  pause(): void {
    this.loop.stop();
    this.host.requestUpdate();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /**
   * Take `n` steps now (every one logged when n is 1), then refresh the boundaries. Resolves when they are done or
   * were cut short: a failure is reported by the fault guard (a notice, or the move to the CPU after a lost device).
   */
  stepBy(n: number, logAll = n === 1): Promise<void> {
    return this.exclusive(async () => {
      await stepMany(n, logAll, (pending, log) => this.stepCohorts(pending, log), { clock: this.clock, checkpoint: () => this.checkpoint() });
      await this.guard.snapshot(this.backend, this.cohorts, true);
      await this.refreshBoundaries();
      this.revision++;
      this.host.requestUpdate();
    }).catch(() => undefined);
  }

  /**
   * A pause of a multi-step: on WebGPU wait for the queued steps (so that the queue holds at most one pause's worth of
   * work), then read the parameters back if that is due.
   */
  private async checkpoint(): Promise<void> {
    if (this.backend?.info.kind === 'webgpu') await this.backend.sync();
    await this.guard.snapshot(this.backend, this.cohorts, false);
  }

  private async frame(): Promise<void> {
    if (!this.playing || !this.backend) return;
    const gpu = this.backend.info.kind === 'webgpu';
    const pending: Promise<void>[] = [];
    const due = this.pacer.allowance(this.lab.speed);
    // Slow motion: no step due in this frame.
    if (due === 0) return;
    const t0 = this.clock.now();
    const steps = frameSteps(gpu ? this.pace.steps(due) : due, !gpu, pending, (p, log) => this.stepCohorts(p, log), () => this.clock.now());
    this.pacer.took(steps);
    const logged = pending.length;
    await settle(pending);
    if (gpu && logged === 0) await this.backend.sync();
    const now = this.clock.now();
    if (gpu) this.pace.measured(steps, now - t0);
    this.throughput.add(steps, activeCohorts(this.cohorts), now);
    await this.guard.snapshot(this.backend, this.cohorts, false);
    if (this.clock.now() - this.lastBoundary > boundaryGapMs(this.boundaryCost)) await this.refreshBoundaries();
    if (!this.runs.some((r) => r.status === 'active')) this.pause();
    this.host.requestUpdate();
  }

  /** One step of every cohort with an active run; false when none is left. */
  private stepCohorts(pending: Promise<void>[], forceLog: boolean): boolean {
    // A lost device is reported before its work fails: take no more steps on it.
    if (this.guard.faulted) return false;
    return stepCohorts(this.cohorts, this.lab, this.data?.n ?? 1, pending, forceLog, (c, recs) => this.take(c, recs));
  }

  private take(c: Cohort, recs: StepRecord[]): void {
    takeRecords(c, recs, this.runs, this.data?.n ?? 1, this.lab.stop, (run) =>
      this.notify('warning', `Run ${this.runs.indexOf(run) + 1} (${run.label}) diverged at step ${run.divergedAt} (NaN or infinity); its records are kept, the other runs go on.`),
    );
  }

  /**
   * Recompute the decision boundaries (2-D data) and confusion matrices (several classes). `measure`: take its time as
   * the cost that paces the next refresh (false where frames may run beside it).
   */
  private async refreshBoundaries(measure = true): Promise<void> {
    const t0 = this.clock.now();
    this.lastBoundary = t0;
    const data = this.data;
    if (!data) return;
    await refreshInsights(this.cohorts, data, () => this.clock.sleep(0));
    this.lastBoundary = this.clock.now();
    if (measure) this.boundaryCost = this.lastBoundary - t0;
    this.revision++;
  }

  /** The CPU backend's threads and what they have shared so far (threads 0 on WebGPU). */
  threadUse(): Promise<ThreadUse> {
    const b = this.backend;
    if (!(b instanceof CpuBackend)) return Promise.resolve({ threads: 0, splitJobs: 0, workerBands: 0 });
    return Promise.resolve({ threads: b.threads, ...b.threadStats });
  }

  /** Trained parameters of every run (the weights export, the network view), with its next mini-batch's rows. */
  parameters(): Promise<{ id: string; label: string; step: number; params: Parameters; batchRows?: Uint32Array }[]> {
    return this.exclusive(() => cohortParameters(this.cohorts));
  }

  /** Every run's outputs on the rows of x (n × inputDim) at its current weights (evaluation mode), by run id. */
  predict(x: Float64Array, n: number): Promise<{ id: string; outputs: Float64Array }[]> {
    return this.exclusive(async () => {
      const out: { id: string; outputs: Float64Array }[] = [];
      for (const c of this.cohorts) {
        const outs = await c.trainer.predict(x, n);
        c.members.forEach((r, i) => out.push({ id: r.id, outputs: outs[i]! }));
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  /** Resolves when the frame or command in progress, and those queued before this call, are done. */
  settled(): Promise<void> {
    return this.exclusive(() => undefined);
  }

  /**
   * The run as a run file (lab-run-file.ts: the CLI's format plus the lab's settings): specs, weights, optimizer
   * state, step, mini-batch order, divergence and records. Refused (an Error saying why) while the runs train in
   * separate trainers (after a per-run reset or change) or on CSV data, which the file cannot hold.
   */
  saveRun(): Promise<string> {
    return this.exclusive(async () => {
      if (this.csv) throw new Error(`runs on CSV data (${this.csv.name}) cannot be saved: the run file holds a built-in data set's settings, not the data`);
      const c = this.cohorts[0];
      if (!c || this.cohorts.length !== 1 || c.offset !== 0 || c.members.length !== this.runs.length) {
        throw new Error('the runs train in separate trainers since a per-run reset or change; press Reset to train them together again, then save');
      }
      const ctx = this.context();
      const state = await c.trainer.exportState();
      const logged = Math.min(...c.members.map((r) => r.records.length));
      const records = Array.from({ length: logged }, (_, i) => c.members.map((r) => r.records[i]!));
      return serializeLabRun(this.lab, { models: c.members.map((r) => runModel(ctx, r)), data: dataSpec(this.lab), schedule: scheduleSpec(this.lab), state, records });
    });
  }

  /**
   * Go on from a run file of saveRun: its lab settings, weights, optimizer state, step, batch order and records, on the
   * current backend. A file that cannot be read or does not fit is refused (CheckpointError or RangeError naming what
   * is wrong) and nothing changes.
   */
  loadRun(text: string): Promise<void> {
    return this.exclusive(async () => {
      const { lab, run } = await parseLabRun(text);
      const backend = this.backend;
      if (!backend) throw new Error('no backend has started');
      const data = makeDataset(run.data);
      const runs = lab.runs.map((spec, i) => newRunState(spec, i));
      const ctx: CohortContext = { backend, data, shape: builtinShape(lab), lab };
      const trainer = new Trainer(backend, { models: run.models, data, schedule: run.schedule, distributions: recordsDistributions(ctx) });
      try {
        trainer.restoreState(run.state);
      } catch (e) {
        trainer.dispose();
        throw e;
      }
      // Everything checked: replace the runs.
      this.pause();
      for (const c of this.cohorts) c.trainer.dispose();
      this.lab = lab;
      this.csv = null;
      this.data = data;
      runs.forEach((r, m) => {
        r.records = run.records.map((step) => step[m]!);
        const at = run.state.divergedAt[m] ?? null;
        if (at !== null) Object.assign(r, { status: 'diverged', divergedAt: at, message: `diverged at step ${at}` });
      });
      this.runs.splice(0, this.runs.length, ...runs);
      this.cohorts = [{ trainer, members: runs, offset: 0 }];
      this.revision++;
      this.throughput.clear();
      this.pace.reset();
      if (this.buildNotice !== null) this.board.dismiss(this.buildNotice);
      this.buildNotice = null;
      await this.refreshBoundaries();
      this.host.requestUpdate();
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
}
