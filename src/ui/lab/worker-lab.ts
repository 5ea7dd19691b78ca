/**
 * The lab's trainer in a dedicated worker, as the page sees it: the same surface as LabController (LabControl), with
 * every command sent down as a trainer-protocol.ts message and the runs, records, notices and status mirrored from
 * the state batches the worker sends back. The page only draws: a state batch asks for one render, and the worker
 * sends at most 20 a second (lab-worker-host.ts), so charts never redraw once per step.
 *
 * Play and pause take effect on the page at once (the button, the hook's `playing`); a state taken before the worker
 * saw the latest of them does not undo it. Like the page's frame loop, it pauses while the page is hidden and plays on
 * when it is shown again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_MAX_THREADS } from '../../backend/cpu/cpu-backend.js';
import { ThreadLender, type LenderHandshake } from '../../backend/cpu/lent-threads.js';
import { coreCount, startMatmulWorker } from '../../backend/cpu/spawn-worker.js';
import type { Dataset } from '../../core/datasets.js';
import { builtinShape, type DataShape, type LabSpec } from '../../core/lab-spec.js';
import { NoticeBoard, type Notice } from '../notices.js';
import { runsVersion, type RunView } from '../run-view.js';
import type { CsvInfo } from './csv.js';
import type { LabControl } from './lab-control.js';
import { STARTING_STATUS, type BackendStatus } from './lab-backend.js';
import type { RunState } from './run-state.js';
import type { ThroughputSample } from './throughput.js';
import {
  decodeEvent,
  encodeCommand,
  remoteError,
  type LabCommand,
  type LabState,
  type RequestName,
  type RunParameters,
  type ThreadUse,
  type WorkerRequests,
} from './trainer-protocol.js';

/**
 * Start the lab's training worker (a module worker; Vite bundles it beside the page's script). On a cross-origin
 * isolated page with more than one core, the page lends it CPU matmul threads when its CPU backend asks for them
 * (lent-threads.ts); terminating the worker terminates them too.
 */
export function startLabWorker(): Worker {
  const worker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module', name: 'lab-trainer' });
  const threads = Math.min(coreCount(), DEFAULT_MAX_THREADS);
  if (globalThis.crossOriginIsolated !== true || threads < 2) return worker;
  const channel = new MessageChannel();
  // At most two pools' worth at once (the lab's CPU backend and a depth sweep's f64 one).
  const lender = new ThreadLender(channel.port1, startMatmulWorker, 2 * (threads - 1));
  worker.postMessage({ kind: 'bp-thread-lender', port: channel.port2 } satisfies LenderHandshake, [channel.port2]);
  const terminate = worker.terminate.bind(worker);
  worker.terminate = () => {
    lender.close();
    terminate();
  };
  return worker;
}

/** What a worker-like endpoint offers (a Worker, or a test double). */
export interface WorkerPort {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate?(): void;
}

/** The lab trained in a worker, mirrored on the page. */
export class WorkerLab implements ReactiveController, LabControl {
  lab: LabSpec;
  readonly runs: RunState[] = [];
  backendStatus: BackendStatus = STARTING_STATUS;
  csv: { dataset: Dataset; info: CsvInfo; name: string } | null = null;
  private data: Dataset | null = null;
  private shape: DataShape;
  private isPlaying = false;
  /** Id of the last play or pause command: states the worker took before it saw that one leave `playing` alone. */
  private playCommand = 0;
  private trainable = false;
  private stepCount = 0;
  private latestRates: ThroughputSample | null = null;
  private layerSizes: readonly number[] = [];
  private readBack: number | null = null;
  private revision = 0;
  private readonly board: NoticeBoard;
  /** Page notice id of each worker notice shown. */
  private readonly noticeIds = new Map<number, number>();
  /** The page's run of each worker run key. */
  private readonly byKey = new Map<number, RunState>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  /** Why the worker stopped answering, once it has. */
  private failure: string | null = null;
  private resumeOnVisible = false;
  private readonly onVisibility = () => this.visibilityChanged();
  /** Number of the latest state taken, and whether its `drawn` answer waits for a frame. */
  private stateSeq = 0;
  private drawnPending = false;

  /** `afterFrame` runs a function once the page has drawn its next frame (requestAnimationFrame in a browser). */
  constructor(
    private readonly host: ReactiveControllerHost,
    lab: LabSpec,
    private readonly worker: WorkerPort = startLabWorker(),
    private readonly afterFrame: (fn: () => void) => void = typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(() => fn()) : (fn) => setTimeout(fn, 0),
  ) {
    this.lab = lab;
    this.shape = builtinShape(lab);
    this.board = new NoticeBoard(() => host.requestUpdate());
    host.addController(this);
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.fail(e.message || 'it could not be started');
    };
  }

  hostConnected(): void {
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
    this.pause();
  }

  get playing(): boolean {
    return this.isPlaying;
  }

  get canTrain(): boolean {
    return this.trainable && this.failure === null;
  }

  get step(): number {
    return this.stepCount;
  }

  get version(): string {
    return runsVersion(this.runs, this.revision);
  }

  get views(): readonly RunView[] {
    return this.runs;
  }

  get dataset(): Dataset | null {
    return this.data;
  }

  get dataShape(): DataShape {
    return this.shape;
  }

  get rates(): ThroughputSample | null {
    return this.latestRates;
  }

  get sizes(): readonly number[] {
    return this.layerSizes;
  }

  get readBackStep(): number | null {
    return this.readBack;
  }

  get notices(): Notice[] {
    return this.board.items;
  }

  notify(kind: Notice['kind'], text: string, details: readonly string[] = []): void {
    this.board.notify(kind, text, details);
  }

  dismiss(id: number): void {
    this.board.dismiss(id);
    for (const [wid, pid] of this.noticeIds) {
      if (pid !== id) continue;
      this.noticeIds.delete(wid);
      this.send({ op: 'dismiss', notice: wid }).promise.catch(() => undefined);
    }
  }

  /** Send a command; its promise settles with the worker's reply (after the state that reflects it). */
  private send(cmd: LabCommand): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    if (this.failure !== null) return { id, promise: Promise.reject(new Error(`the training worker stopped: ${this.failure}`)) };
    let message;
    try {
      message = encodeCommand(id, cmd);
    } catch (e) {
      return { id, promise: Promise.reject(e) };
    }
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage(message);
    return { id, promise };
  }

  /** A named request of the worker (predictions, parameters, …): resolves to its answer. */
  request<K extends RequestName>(name: K, args: WorkerRequests[K]['args']): Promise<WorkerRequests[K]['result']> {
    return this.send({ op: 'request', name, args } as LabCommand).promise as Promise<WorkerRequests[K]['result']>;
  }

  start(): Promise<void> {
    return this.send({ op: 'start', lab: this.lab }).promise.then(() => undefined);
  }

  apply(next: LabSpec): Promise<void> {
    return this.send({ op: 'apply', lab: next }).promise.then(() => undefined);
  }

  play(): void {
    if (this.isPlaying || !this.canTrain) return;
    this.isPlaying = true;
    const { id, promise } = this.send({ op: 'play' });
    this.playCommand = id;
    promise.catch(() => undefined);
    this.host.requestUpdate();
  }

  pause(): void {
    const { id, promise } = this.send({ op: 'pause' });
    this.isPlaying = false;
    this.playCommand = id;
    promise.catch(() => undefined);
    this.host.requestUpdate();
  }

  toggle(): void {
    if (this.isPlaying) this.pause();
    else this.play();
  }

  /** Take `n` steps in the worker; resolves when they are done (a failure shows as a notice, as in the page). */
  stepBy(n: number, logAll = n === 1): Promise<void> {
    return this.send({ op: 'step', n, logAll }).promise.then(
      () => undefined,
      () => undefined,
    );
  }

  reset(): Promise<void> {
    return this.send({ op: 'reset' }).promise.then(() => undefined);
  }

  removeRun(index: number): Promise<void> {
    return this.send({ op: 'remove-run', index }).promise.then(() => undefined);
  }

  async setCsv(csv: { dataset: Dataset; info: CsvInfo; name: string } | null): Promise<boolean> {
    const taken = (await this.send({ op: 'set-csv', csv }).promise) === true;
    if (taken) this.csv = csv;
    this.host.requestUpdate();
    return taken;
  }

  saveRun(): Promise<string> {
    return this.send({ op: 'save-run' }).promise as Promise<string>;
  }

  loadRun(text: string): Promise<void> {
    return this.send({ op: 'load-run', text }).promise.then(() => undefined);
  }

  settled(): Promise<void> {
    return this.send({ op: 'sync' }).promise.then(() => undefined);
  }

  parameters(): Promise<RunParameters[]> {
    return this.send({ op: 'read-parameters' }).promise as Promise<RunParameters[]>;
  }

  threadUse(): Promise<ThreadUse> {
    return this.request('threads', {});
  }

  /** Every run's outputs on the rows of x (n × inputDim) at its current weights, by run id. */
  predict(x: Float64Array, n: number): Promise<{ id: string; outputs: Float64Array }[]> {
    return this.request('predict', { x, n });
  }

  /** Lose the worker's WebGPU device (its backend's test hook); false, and nothing sent, when not on WebGPU. */
  loseDevice(): boolean {
    if (this.backendStatus.kind !== 'webgpu') return false;
    this.send({ op: 'lose-device' }).promise.catch(() => undefined);
    return true;
  }

  private receive(data: unknown): void {
    let ev;
    try {
      ev = decodeEvent(data);
    } catch (e) {
      this.notify('error', `The training worker sent a message the page cannot read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (ev.type === 'reply') {
      const p = this.pending.get(ev.id);
      this.pending.delete(ev.id);
      if (ev.ok) p?.resolve(ev.value);
      else p?.reject(remoteError(ev.error));
    } else if (ev.type === 'state') {
      this.take(ev.seen, ev.state);
      this.stateSeq = Math.max(this.stateSeq, ev.seq);
      this.answerDrawn();
    }
    else this.fail(ev.message);
  }

  /** Mirror a state of the worker. */
  private take(seen: number, s: LabState): void {
    this.lab = s.lab;
    if (seen >= this.playCommand) this.isPlaying = s.playing;
    this.trainable = s.canTrain;
    this.stepCount = s.step;
    this.readBack = s.readBackStep;
    this.backendStatus = s.backend;
    this.latestRates = s.rates;
    this.layerSizes = s.sizes;
    this.shape = s.dataShape;
    if (!s.csv) this.csv = null;
    if (s.dataset !== undefined) this.data = s.dataset;
    const keys = new Set<number>();
    const runs = s.runs.map((d) => {
      keys.add(d.key);
      let r = this.byKey.get(d.key);
      if (!r) {
        r = { ...d, records: [], boundary: null };
        this.byKey.set(d.key, r);
      }
      Object.assign(r, { id: d.id, label: d.label, color: d.color, spec: d.spec, divergedAt: d.divergedAt, activation: d.activation, activations: d.spec.activations, status: d.status, message: d.message, confusion: d.confusion, clip: d.clip });
      if (d.records) {
        if (d.records.from === 0) {
          r.records = d.records.items.slice();
          this.revision++;
        } else {
          r.records.length = d.records.from;
          for (const rec of d.records.items) r.records.push(rec);
        }
      }
      if (d.boundary !== undefined) {
        r.boundary = d.boundary;
        this.revision++;
      }
      return r;
    });
    for (const k of [...this.byKey.keys()]) if (!keys.has(k)) this.byKey.delete(k);
    this.runs.splice(0, this.runs.length, ...runs);
    for (const n of s.notices.added) this.noticeIds.set(n.id, this.board.notify(n.kind, n.text, n.details));
    for (const wid of s.notices.removed) {
      const pid = this.noticeIds.get(wid);
      this.noticeIds.delete(wid);
      if (pid !== undefined) this.board.dismiss(pid);
    }
    this.host.requestUpdate();
  }

  /** Tell the worker, once the next frame is drawn, that the states taken so far are on the page (flow control). */
  private answerDrawn(): void {
    if (this.drawnPending) return;
    this.drawnPending = true;
    this.afterFrame(() => {
      this.drawnPending = false;
      if (this.failure !== null) return;
      try {
        this.worker.postMessage(encodeCommand(this.nextId++, { op: 'drawn', seq: this.stateSeq }));
      } catch {
        // a worker that cannot take messages has failed already; its onerror says so
      }
    });
  }

  /** The worker is gone: stop, say so, and fail what waits on it. */
  private fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = message;
    this.isPlaying = false;
    this.notify('error', `Training stopped: the training worker failed (${message}). Reload the page to start again.`);
    // Nothing more can come from it: stop it, and with it the CPU threads the page lent it.
    this.worker.terminate?.();
    for (const p of this.pending.values()) p.reject(new Error(`the training worker stopped: ${message}`));
    this.pending.clear();
    this.host.requestUpdate();
  }

  private visibilityChanged(): void {
    if (document.hidden && this.isPlaying) {
      this.resumeOnVisible = true;
      this.pause();
    } else if (!document.hidden && this.resumeOnVisible) {
      this.resumeOnVisible = false;
      this.play();
    }
  }
}
