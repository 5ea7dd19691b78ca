/**
 * CPU matmul threads for a trainer that runs in a worker, started by the page and lent to it. A worker's own (nested)
 * workers are not used: with them blocked in Atomics.wait, headless Chromium without a GPU process was seen to stop
 * answering for good after the page's next long task (see spawn-worker.ts). Instead the page starts each matmul
 * worker itself and hands the training worker a MessagePort to it; the training worker's thread pool then talks to
 * it exactly as to a worker of its own (messages through the port, jobs through shared memory).
 *
 * The two sides talk over one MessageChannel (the "lending channel"):
 * - trainer → page `want` (start this many more) and `release` (this one is done: terminate it);
 * - page → trainer `lend` (a port to a new matmul worker), `refused` (this many asked for will not come: over the cap,
 *   or the worker could not start) and `broken` (that worker reported an error).
 * Workers are started only when a pool asks, so a lab that trains on WebGPU starts none.
 */
import type { WorkerMessage } from './matmul-job.js';
import type { WorkerHandle } from './spawn-worker.js';

/** A message on the lending channel. */
export type LendMessage =
  | { readonly kind: 'want'; readonly count: number }
  | { readonly kind: 'release'; readonly id: number }
  | { readonly kind: 'lend'; readonly id: number; readonly port: MessagePort }
  | { readonly kind: 'refused'; readonly count: number }
  | { readonly kind: 'broken'; readonly id: number };

/** The message that hands the training worker its end of the lending channel (before any trainer command). */
export interface LenderHandshake {
  readonly kind: 'bp-thread-lender';
  readonly port: MessagePort;
}

/** Whether `m` is the lending channel's handshake. */
export function isLenderHandshake(m: unknown): m is LenderHandshake {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'bp-thread-lender'
    && typeof MessagePort === 'function' && (m as { port?: unknown }).port instanceof MessagePort;
}

/** The part of a MessagePort the two sides use (a test may pass a double). */
export interface LendPort {
  postMessage(message: LendMessage, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  close(): void;
}

/** The part of a Worker the page side uses. */
export interface LentWorker {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

/**
 * The page's side: starts matmul workers when the training worker asks and terminates them when it releases them
 * (or when the page closes the lender), never more than `max` at once.
 */
export class ThreadLender {
  private readonly live = new Map<number, LentWorker>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly channel: LendPort,
    private readonly start: () => LentWorker,
    private readonly max: number,
    private readonly newChannel: () => { port1: MessagePort; port2: MessagePort } = () => new MessageChannel(),
  ) {
    channel.onmessage = (e) => this.receive(e.data as LendMessage);
  }

  /** Number of matmul workers running now. */
  get running(): number {
    return this.live.size;
  }

  private receive(m: LendMessage): void {
    if (this.closed) return;
    if (m.kind === 'want') {
      const wanted = Math.max(0, Math.floor(m.count));
      let lent = 0;
      while (lent < wanted && this.live.size < this.max && this.lend()) lent++;
      if (lent < wanted) this.channel.postMessage({ kind: 'refused', count: wanted - lent });
    } else if (m.kind === 'release') {
      this.live.get(m.id)?.terminate();
      this.live.delete(m.id);
    }
  }

  /** Start a worker and lend it; false when it could not start. */
  private lend(): boolean {
    let worker: LentWorker;
    try {
      worker = this.start();
    } catch (e) {
      console.warn(`CPU backend: could not start a matmul worker (${(e as Error).message})`);
      return false;
    }
    const id = this.nextId++;
    try {
      const { port1, port2 } = this.newChannel();
      worker.onerror = (e) => {
        console.error('CPU matmul worker failed:', e.message);
        if (!this.closed) this.channel.postMessage({ kind: 'broken', id });
      };
      worker.postMessage({ kind: 'port', port: port1 } satisfies WorkerMessage, [port1]);
      this.live.set(id, worker);
      this.channel.postMessage({ kind: 'lend', id, port: port2 }, [port2]);
    } catch (e) {
      console.warn(`CPU backend: could not lend a matmul worker (${(e as Error).message})`);
      this.live.delete(id);
      worker.terminate();
      return false;
    }
    return true;
  }

  /** Terminate every lent worker and stop lending. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.live.values()) w.terminate();
    this.live.clear();
    this.channel.close();
  }
}

/**
 * The training worker's side: the ports lent and not yet taken, and the handles of those taken. It keeps no more ports
 * than pools still want: one that comes after its pool gave up waiting (destroyed) is released at once.
 */
export class ThreadBorrower {
  private readonly stock: { id: number; port: MessagePort }[] = [];
  private readonly brokenIds = new Set<number>();
  private asked = 0;
  /** Ports the pools asked for and have neither taken nor given up. */
  private wanted = 0;

  constructor(private readonly channel: LendPort) {
    channel.onmessage = (e) => this.receive(e.data as LendMessage);
  }

  private receive(m: LendMessage): void {
    if (m.kind === 'lend') {
      this.asked = Math.max(0, this.asked - 1);
      this.stock.push({ id: m.id, port: m.port });
      this.trim();
    } else if (m.kind === 'refused') {
      this.asked = Math.max(0, this.asked - m.count);
      this.wanted = Math.max(0, this.wanted - m.count);
    } else if (m.kind === 'broken') {
      this.brokenIds.add(m.id);
    }
  }

  /** Ports in hand, not yet taken. */
  available(): number {
    return this.stock.length;
  }

  /** Ask for `count` more ports (they arrive as messages, between tasks; the page may refuse some). */
  request(count: number): void {
    if (!(count > 0)) return;
    this.asked += count;
    this.wanted += count;
    this.channel.postMessage({ kind: 'want', count });
  }

  /** A pool no longer waits for `count` of the ports it asked for (it was destroyed): those in hand beyond what others want go back. */
  cancel(count: number): void {
    if (!(count > 0)) return;
    this.wanted = Math.max(0, this.wanted - count);
    this.trim();
  }

  /** Release the ports in hand that no pool wants (the page terminates their workers). */
  private trim(): void {
    while (this.stock.length > this.wanted) {
      const { id, port } = this.stock.pop()!;
      port.close();
      this.channel.postMessage({ kind: 'release', id });
    }
  }

  /** Ports asked for that have neither come nor been refused yet. */
  get pending(): number {
    return this.asked;
  }

  /** A handle on one lent worker (throws when none is in hand). */
  take(): WorkerHandle {
    const lent = this.stock.shift();
    if (!lent) throw new Error('no lent matmul worker in hand');
    this.wanted = Math.max(0, this.wanted - 1);
    const { id, port } = lent;
    let stopped = (): void => {};
    const exited = new Promise<void>((resolve) => { stopped = resolve; });
    let done = false;
    return {
      post: (m: WorkerMessage) => port.postMessage(m),
      terminate: () => {
        if (done) return;
        done = true;
        port.close();
        this.channel.postMessage({ kind: 'release', id });
        stopped();
      },
      broken: () => this.brokenIds.has(id),
      exited,
    };
  }
}

let borrower: ThreadBorrower | null = null;

/** Use `b` for the thread pools of CPU backends made from now on in this worker (null: none). */
export function installBorrower(b: ThreadBorrower | null): void {
  borrower = b;
}

/** The borrower installed in this worker, or null. */
export function installedBorrower(): ThreadBorrower | null {
  return borrower;
}
