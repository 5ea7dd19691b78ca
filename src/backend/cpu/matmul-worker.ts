/**
 * Entry point of a CPU-backend worker thread (a Web Worker in the browser, a worker_threads Worker in Node).
 * It learns the tensors' SharedArrayBuffers by message, then sits in a blocking job loop on its control block:
 * wait for a new sequence number, run its band of rows of the posted matmul, publish `done`. A `yield` job
 * returns to the event loop so that the next registration message is delivered; the handler re-enters the loop.
 */
import type { Buf } from './elementwise.js';
import {
  CTRL, decodeJob, emptyJob, jobTag, jobViews, MAX_JOB_BATCH, OP, PHASE, runJobShare, SHARED_NEXT_BAND, type WorkerMessage,
} from './matmul-job.js';
import { MatmulWorkspace } from './matmul.js';

/** Milliseconds a worker polls for the next job before it sleeps in Atomics.wait (jobs come in bursts). */
const SPIN_MS = 0.2;

/** A message from the thread pool (the `port` message comes only from a page that lends this worker). */
type PoolMessage = Exclude<WorkerMessage, { kind: 'port' }>;

/** Receives messages from the main thread, in Node or in a browser worker. */
interface Inbox {
  onMessage(handler: (m: PoolMessage) => void): void;
  close(): void;
}

function inbox(): Inbox {
  const port = typeof process === 'object' && typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule('node:worker_threads').parentPort
    : null;
  if (port) {
    return { onMessage: (h) => port.on('message', h), close: () => port.close() };
  }
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null; close(): void };
  // A worker lent to a training worker gets the port to it from the page first; its messages come through it.
  let lent: MessagePort | null = null;
  return {
    onMessage: (h) => {
      scope.onmessage = (e) => {
        if (e.data.kind !== 'port') {
          h(e.data);
          return;
        }
        lent = e.data.port;
        lent.onmessage = (ev: MessageEvent<PoolMessage>) => h(ev.data);
      };
    },
    close: () => {
      lent?.close();
      scope.close();
    },
  };
}

/** State of this worker. */
class MatmulWorker {
  private ctrl: Int32Array | null = null;
  private shared: Int32Array | null = null;
  private dtype: 'f32' | 'f64' = 'f64';
  private readonly buffers = new Map<number, Buf>();
  private readonly workspace = new MatmulWorkspace();
  private readonly job = emptyJob(MAX_JOB_BATCH);
  private readonly views = jobViews();
  private readonly cut = { bands: 0, bandRows: 0, stamp: 0 };
  private lastSeq = 0;

  constructor(private readonly io: Inbox) {}

  handle(m: PoolMessage): void {
    if (m.kind === 'init') {
      this.ctrl = new Int32Array(m.ctrl);
      this.shared = new Int32Array(m.shared);
      this.dtype = m.dtype;
      this.lastSeq = Atomics.load(this.ctrl, CTRL.seq);
    } else {
      for (const id of m.remove) this.buffers.delete(id);
      for (const [id, sab] of m.add) this.buffers.set(id, this.dtype === 'f64' ? new Float64Array(sab) : new Float32Array(sab));
      Atomics.store(this.ctrl!, CTRL.registered, m.generation);
      Atomics.notify(this.ctrl!, CTRL.registered);
    }
    this.loop();
  }

  /** The blocking job loop; returns on `yield` (to receive messages) and on `exit`. */
  private loop(): void {
    const ctrl = this.ctrl!;
    Atomics.store(ctrl, CTRL.ready, 1);
    Atomics.notify(ctrl, CTRL.ready);
    for (;;) {
      let seq = Atomics.load(ctrl, CTRL.seq);
      if (seq === this.lastSeq) {
        const until = performance.now() + SPIN_MS;
        do {
          for (let i = 0; i < 64 && seq === this.lastSeq; i++) seq = Atomics.load(ctrl, CTRL.seq);
        } while (seq === this.lastSeq && performance.now() < until);
      }
      while (seq === this.lastSeq) {
        Atomics.store(ctrl, CTRL.workerAsleep, 1);
        if (Atomics.load(ctrl, CTRL.seq) === seq) Atomics.wait(ctrl, CTRL.seq, seq);
        Atomics.store(ctrl, CTRL.workerAsleep, 0);
        seq = Atomics.load(ctrl, CTRL.seq);
      }
      this.lastSeq = seq;
      // Claim the job; a failed claim means the main thread withdrew it (it ran every band itself).
      const claimed = Atomics.compareExchange(ctrl, CTRL.state, jobTag(seq, PHASE.posted), jobTag(seq, PHASE.running)) === jobTag(seq, PHASE.posted);
      const op = claimed ? ctrl[CTRL.op] : 0;
      if (op === OP.matmul) {
        try {
          decodeJob(ctrl, this.buffers, this.job);
          const cut = this.cut;
          cut.bands = ctrl[CTRL.bands]!;
          cut.bandRows = ctrl[CTRL.bandRows]!;
          cut.stamp = ctrl[CTRL.stamp]!;
          runJobShare(this.job, cut, this.shared!, SHARED_NEXT_BAND, this.workspace, this.views);
          ctrl[CTRL.failed] = 0;
        } catch (e) {
          console.error(e);
          ctrl[CTRL.failed] = 1;
        }
      }
      Atomics.store(ctrl, CTRL.done, seq);
      if (Atomics.load(ctrl, CTRL.mainAsleep) === 1) Atomics.notify(ctrl, CTRL.done);
      if (op === OP.yield) return;
      if (op === OP.exit) {
        this.io.close();
        return;
      }
    }
  }
}

const io = inbox();
const worker = new MatmulWorker(io);
io.onMessage((m) => worker.handle(m));
