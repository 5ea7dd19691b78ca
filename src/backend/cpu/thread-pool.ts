/**
 * The main thread's side of the CPU backend's worker threads. Tensors live in SharedArrayBuffers that each
 * worker learns by message (registered lazily, before the first job that reads them). A large matmul is cut
 * into bands of output rows (about 4 per thread); the main thread writes the job into each ready worker's
 * control block, bumps its sequence number, then takes bands from a shared atomic counter like the workers do,
 * so a worker whose core is busy elsewhere simply takes fewer bands. A worker claims a posted job with a
 * compare-exchange; one that has not claimed it when the main thread runs out of bands is withdrawn and not
 * waited for. Any band split gives the same bits, since every element is computed by the same code in the same
 * order. Both sides poll for 0.2 ms before sleeping (waking a sleeping thread costs far more on a VM), and
 * notify only a sleeper. The main thread sleeps in Atomics.wait where it may (Node, inside a worker) and keeps
 * polling on a browser page's main thread, where Atomics.wait throws: the ops it waits for last milliseconds.
 */
import {
  CTRL, encodeJob, jobTag, MAX_JOB_BATCH, nextSeq, OP, PHASE, runJobShare, SHARED_NEXT_BAND,
  type JobViews, type MatmulJob, type WorkerMessage,
} from './matmul-job.js';
import type { MatmulWorkspace } from './matmul.js';
import type { WorkerHandle, WorkerSource } from './spawn-worker.js';

/** Milliseconds the main thread polls a worker's `done` before it sleeps (where it may sleep). */
const SPIN_MS = 0.2;
/** Bands per thread of a split job: more balance the load when a core is busy elsewhere, fewer cost less. */
const BANDS_PER_THREAD = 4;
/** Longest wait for one worker job before the pool gives up (a worker that died without reporting). */
const JOB_TIMEOUT_MS = 120_000;
/** Longest wait, in Node, for a new worker to start its job loop (and in whenReady, for lent workers to come). */
const START_TIMEOUT_MS = 10_000;

/** Whether this thread may block in Atomics.wait (false on a browser page's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface PoolWorker {
  readonly handle: WorkerHandle;
  readonly ctrl: Int32Array;
  seq: number;
}

/** Counters of the work the pool has split, for tests and benchmarks. */
export interface PoolStats {
  /** Jobs split between the main thread and at least one worker. */
  splitJobs: number;
  /** Bands (of rows of one batch entry) run by workers. */
  workerBands: number;
}

/** Worker threads that share the rows of large matmuls with the main thread. */
export class ThreadPool {
  /** What has been split so far. */
  readonly stats: PoolStats = { splitJobs: 0, workerBands: 0 };
  private readonly workers: PoolWorker[] = [];
  private readonly ids = new WeakMap<ArrayBufferLike, number>();
  private readonly blocking = canBlock();
  private readonly inNode = typeof process === 'object' && typeof process.getBuiltinModule === 'function';
  private readonly band: number[] = [];
  private readonly shared = new Int32Array(new SharedArrayBuffer(64));
  private readonly cut = { bands: 0, bandRows: 0, stamp: 0 };
  private nextId = 1;
  private stamp = 0;
  private generation = 0;
  /** Buffers the workers know (every registration message so far), for a worker that joins late. */
  private readonly registered = new Map<number, SharedArrayBuffer>();
  private pendingAdd: [number, SharedArrayBuffer][] = [];
  private pendingRemove: number[] = [];
  private started = false;
  private destroyed = false;

  /** A pool of `workerCount` workers (started at the first split) for tensors of `dtype`. */
  constructor(readonly workerCount: number, private readonly dtype: 'f32' | 'f64', private readonly source: WorkerSource & { ok: true }) {}

  /** Start the workers now (otherwise at the first split); in Node, wait until their job loops run. */
  start(): void {
    if (this.started || this.destroyed) return;
    this.started = true;
    // A source of lent workers has only those in hand; any other starts as many as asked.
    this.fill(this.source.available?.() ?? this.workerCount);
    // Lent workers: ask for those missing; they join at a later split (topUp) as they come.
    if (this.workers.length < this.workerCount) this.source.request?.(this.workerCount - this.workers.length);
    if (this.inNode && this.blocking) {
      const deadline = performance.now() + START_TIMEOUT_MS;
      for (const w of this.workers) {
        while (Atomics.load(w.ctrl, CTRL.ready) === 0 && !w.handle.broken() && performance.now() < deadline) {
          Atomics.wait(w.ctrl, CTRL.ready, 0, 50);
        }
      }
    }
  }

  /**
   * Start one more worker; false when it could not start. A worker that joins after buffers were registered gets
   * every registered buffer in one message, numbered as the latest registration.
   */
  private add(): boolean {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
    let handle: WorkerHandle;
    try {
      handle = this.source.spawn();
    } catch (e) {
      console.warn(`CPU backend: a worker thread is unavailable (${(e as Error).message.split('\n')[0]}); running on ${this.workers.length + 1}`);
      return false;
    }
    handle.post({ kind: 'init', ctrl: ctrl.buffer as SharedArrayBuffer, shared: this.shared.buffer as SharedArrayBuffer, dtype: this.dtype });
    if (this.generation > 0) handle.post({ kind: 'buffers', generation: this.generation, add: [...this.registered], remove: [] });
    this.workers.push({ handle, ctrl, seq: 0 });
    return true;
  }

  /** Start up to `count` more workers, never more than workerCount in all. */
  private fill(count: number): void {
    for (let i = 0; i < count && this.workers.length < this.workerCount; i++) {
      if (!this.add()) break;
    }
  }

  /** Take in the lent workers that have come since the pool started (a source of lent workers only). */
  private topUp(): void {
    this.fill(this.source.available?.() ?? 0);
  }

  /** Resolves when every worker runs its job loop (or has failed). */
  async whenReady(): Promise<void> {
    this.start();
    // Lent workers come by message: wait for those asked for and not refused (at most START_TIMEOUT_MS).
    const deadline = performance.now() + START_TIMEOUT_MS;
    const coming = () => (this.source.available?.() ?? 0) > 0 || (this.source.pending?.() ?? 0) > 0;
    while (this.source.available && this.workers.length < this.workerCount && !this.destroyed && coming() && performance.now() < deadline) {
      this.topUp();
      if (this.workers.length < this.workerCount) await new Promise((r) => setTimeout(r, 5));
    }
    while (this.workers.some((w) => Atomics.load(w.ctrl, CTRL.ready) === 0 && !w.handle.broken())) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Number of workers whose job loop is running. */
  get readyWorkers(): number {
    return this.workers.filter((w) => Atomics.load(w.ctrl, CTRL.ready) === 1 && !w.handle.broken()).length;
  }

  /** Forget a tensor's buffer (it is unregistered from the workers with the next registration). */
  release(buffer: ArrayBufferLike): void {
    const id = this.ids.get(buffer);
    if (id === undefined) return;
    this.ids.delete(buffer);
    const pending = this.pendingAdd.findIndex(([i]) => i === id);
    if (pending >= 0) this.pendingAdd.splice(pending, 1);
    else this.pendingRemove.push(id);
  }

  /**
   * Run a job with its output rows cut into bands aligned to `align` rows, shared between the main thread and
   * the ready workers (each takes one band, then the next free one). Returns false (nothing done) when no
   * worker can take part.
   */
  run(job: MatmulJob, ws: MatmulWorkspace, views: JobViews, align: number): boolean {
    if (this.destroyed || job.batch > MAX_JOB_BATCH) return false;
    this.start();
    if (this.workers.length < this.workerCount && this.source.available) this.topUp();
    const ids = { a: this.idOf(job.a), b: this.idOf(job.b), out: this.idOf(job.out), aux: job.aux ? this.idOf(job.aux) : -1 };
    if (ids.a < 0 || ids.b < 0 || ids.out < 0 || (job.aux && ids.aux < 0)) return false;
    this.flushRegistrations();
    const parts = this.band;
    parts.length = 0;
    for (let i = 0; i < this.workers.length; i++) if (this.usable(this.workers[i]!)) parts.push(i);
    if (parts.length === 0) return false;
    const rows = job.outRows;
    const threads = parts.length + 1;
    const cut = this.cut;
    cut.bandRows = Math.ceil(Math.ceil(rows / (threads * BANDS_PER_THREAD)) / align) * align;
    cut.bands = Math.ceil(rows / cut.bandRows);
    cut.stamp = this.nextStamp();
    const total = cut.bands * job.batch;
    const used = Math.min(parts.length, total - 1);
    Atomics.store(this.shared, SHARED_NEXT_BAND, 0);
    for (let p = 0; p < used; p++) {
      const w = this.workers[parts[p]!]!;
      encodeJob(job, ids, w.ctrl);
      w.ctrl[CTRL.bandRows] = cut.bandRows;
      w.ctrl[CTRL.bands] = cut.bands;
      w.ctrl[CTRL.stamp] = cut.stamp;
      this.post(w);
    }
    const mine = runJobShare(job, cut, this.shared, SHARED_NEXT_BAND, ws, views);
    let failed = false;
    for (let p = 0; p < used; p++) {
      const w = this.workers[parts[p]!]!;
      // A worker that has not claimed its job yet (asleep, or its core busy elsewhere) is not waited for.
      const posted = jobTag(w.seq, PHASE.posted);
      if (Atomics.compareExchange(w.ctrl, CTRL.state, posted, jobTag(w.seq, PHASE.cancelled)) === posted) continue;
      this.waitDone(w);
      if (w.ctrl[CTRL.failed] !== 0) failed = true;
    }
    this.stats.splitJobs++;
    this.stats.workerBands += total - mine;
    if (failed) throw new Error('a CPU matmul worker failed (see the console)');
    return true;
  }

  private nextStamp(): number {
    this.stamp = this.stamp >= 0x3fffffff ? 1 : this.stamp + 1;
    return this.stamp;
  }

  /** Stop the workers (`stopped` resolves when they have exited). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // Lent workers still on their way are not wanted any more.
    if (this.started) this.source.cancel?.(this.workerCount - this.workers.length);
    for (const w of this.workers) {
      w.ctrl[CTRL.op] = OP.exit;
      this.post(w);
      w.handle.terminate();
    }
  }

  /** Resolves when every started worker has exited (after `destroy`). */
  async stopped(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.handle.exited));
  }

  private idOf(buffer: Float32Array | Float64Array): number {
    const sab = buffer.buffer;
    if (!(sab instanceof SharedArrayBuffer) || buffer.byteOffset !== 0 || buffer.byteLength !== sab.byteLength) return -1;
    let id = this.ids.get(sab);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(sab, id);
      this.pendingAdd.push([id, sab]);
    }
    return id;
  }

  private flushRegistrations(): void {
    if (this.pendingAdd.length === 0 && this.pendingRemove.length === 0) return;
    const message: WorkerMessage = { kind: 'buffers', generation: ++this.generation, add: this.pendingAdd, remove: this.pendingRemove };
    for (const w of this.workers) w.handle.post(message);
    for (const [id, sab] of this.pendingAdd) this.registered.set(id, sab);
    for (const id of this.pendingRemove) this.registered.delete(id);
    this.pendingAdd = [];
    this.pendingRemove = [];
  }

  /** Whether a worker can take a job now: running, and aware of every registered buffer (yielding it to its event loop if needed). */
  private usable(w: PoolWorker): boolean {
    if (w.handle.broken() || Atomics.load(w.ctrl, CTRL.ready) === 0) return false;
    while (Atomics.load(w.ctrl, CTRL.registered) < this.generation) {
      const seen = Atomics.load(w.ctrl, CTRL.registered);
      w.ctrl[CTRL.op] = OP.yield;
      this.post(w);
      this.waitDone(w);
      if (!this.waitChange(w.ctrl, CTRL.registered, seen)) return false;
    }
    return true;
  }

  /** Post the job written in w.ctrl: its state, then its sequence number (what the worker waits on). */
  private post(w: PoolWorker): void {
    w.seq = nextSeq(w.seq);
    Atomics.store(w.ctrl, CTRL.state, jobTag(w.seq, PHASE.posted));
    Atomics.store(w.ctrl, CTRL.seq, w.seq);
    if (Atomics.load(w.ctrl, CTRL.workerAsleep) === 1) Atomics.notify(w.ctrl, CTRL.seq);
  }

  private waitDone(w: PoolWorker): void {
    let cur = Atomics.load(w.ctrl, CTRL.done);
    if (cur === w.seq) return;
    const spinUntil = performance.now() + SPIN_MS;
    do {
      for (let i = 0; i < 64 && cur !== w.seq; i++) cur = Atomics.load(w.ctrl, CTRL.done);
    } while (cur !== w.seq && performance.now() < spinUntil);
    const deadline = performance.now() + JOB_TIMEOUT_MS;
    while (cur !== w.seq) {
      if (performance.now() > deadline) throw new Error('a CPU matmul worker stopped answering');
      if (this.blocking) {
        Atomics.store(w.ctrl, CTRL.mainAsleep, 1);
        if (Atomics.load(w.ctrl, CTRL.done) === cur) Atomics.wait(w.ctrl, CTRL.done, cur, 1000);
        Atomics.store(w.ctrl, CTRL.mainAsleep, 0);
      }
      cur = Atomics.load(w.ctrl, CTRL.done);
    }
  }

  /** Wait until ctrl[index] differs from `from`; false after the timeout. */
  private waitChange(ctrl: Int32Array, index: number, from: number): boolean {
    const deadline = performance.now() + JOB_TIMEOUT_MS;
    while (Atomics.load(ctrl, index) === from) {
      if (performance.now() > deadline) return false;
      if (this.blocking) Atomics.wait(ctrl, index, from, 1000);
    }
    return true;
  }
}
