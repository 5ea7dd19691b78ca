// CPU matmul threads lent by a page to its training worker (lent-threads.ts): the lending protocol over a real
// MessageChannel (workers started only when asked, never more than the cap, terminated when released, when they come
// after their pool was destroyed or when the lender closes, a failure reported as broken), and a thread pool whose lent workers come after it started: it runs
// on one thread until they come, then they join with every buffer registered before them and give the same bits.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { shape } from '../../src/backend/backend.js';
import { createCpuBackend, type CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { isLenderHandshake, ThreadBorrower, ThreadLender, type LentWorker } from '../../src/backend/cpu/lent-threads.js';
import type { WorkerMessage } from '../../src/backend/cpu/matmul-job.js';
import { workerSource, type WorkerSource } from '../../src/backend/cpu/spawn-worker.js';
import { ThreadPool } from '../../src/backend/cpu/thread-pool.js';
import { NumpyRandom } from '../../src/core/rng.js';

/** A stand-in for a page's matmul worker: keeps the port it is given and what comes through it. */
class FakeWorker implements LentWorker {
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  port: MessagePort | null = null;
  readonly received: unknown[] = [];
  postMessage(message: unknown): void {
    const m = message as WorkerMessage;
    if (m.kind !== 'port') throw new Error(`a lent worker's first message is its port, not ${m.kind}`);
    this.port = m.port;
    this.port.onmessage = (e) => this.received.push(e.data);
  }
  terminate(): void {
    this.terminated = true;
    this.port?.close();
  }
}

const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers) c();
});

function lending(max: number): { lender: ThreadLender; borrower: ThreadBorrower; workers: FakeWorker[] } {
  const channel = new MessageChannel();
  const workers: FakeWorker[] = [];
  const lender = new ThreadLender(channel.port1, () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  }, max);
  const borrower = new ThreadBorrower(channel.port2);
  closers.push(() => {
    lender.close();
    channel.port2.close();
  });
  return { lender, borrower, workers };
}

describe('the lending channel', () => {
  it('starts workers only when asked, up to the cap, and refuses the rest so that they are not waited for', async () => {
    const { lender, borrower, workers } = lending(3);
    expect(borrower.available()).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers.length).toBe(0); // nothing is started before a pool asks
    borrower.request(2);
    expect(borrower.pending).toBe(2);
    await vi.waitFor(() => expect(borrower.available()).toBe(2));
    expect(borrower.pending).toBe(0);
    expect(workers.length).toBe(2);
    expect(lender.running).toBe(2);
    borrower.request(5); // the cap leaves room for 1; 4 are refused
    await vi.waitFor(() => expect(borrower.pending).toBe(0));
    expect(borrower.available()).toBe(3);
    expect(workers.length).toBe(3);
    expect(lender.running).toBe(3);
    // Once one is taken and released there is room again.
    borrower.take().terminate();
    await vi.waitFor(() => expect(lender.running).toBe(2));
    borrower.request(1);
    await vi.waitFor(() => expect(borrower.available()).toBe(3));
    expect(workers.length).toBe(4);
    expect(lender.running).toBe(3);
  });

  it('a taken handle talks to its worker through the port; terminate releases it and the page terminates the worker', async () => {
    const { lender, borrower, workers } = lending(2);
    expect(() => borrower.take()).toThrow(/no lent matmul worker/);
    borrower.request(1);
    await vi.waitFor(() => expect(borrower.available()).toBe(1));
    const handle = borrower.take();
    expect(borrower.available()).toBe(0);
    const ctrl = new SharedArrayBuffer(64);
    handle.post({ kind: 'init', ctrl, shared: ctrl, dtype: 'f32' });
    await vi.waitFor(() => expect(workers[0]!.received.length).toBe(1));
    const got = workers[0]!.received[0] as { kind: string; ctrl: SharedArrayBuffer };
    expect(got.kind).toBe('init');
    // Shared memory is shared, not copied.
    new Int32Array(ctrl)[0] = 7;
    expect(new Int32Array(got.ctrl)[0]).toBe(7);
    expect(handle.broken()).toBe(false);
    handle.terminate();
    await handle.exited;
    await vi.waitFor(() => expect(workers[0]!.terminated).toBe(true));
    expect(lender.running).toBe(0);
  });

  it('a worker that fails is reported broken; closing the lender terminates every worker and lends no more', async () => {
    const { lender, borrower, workers } = lending(4);
    borrower.request(2);
    await vi.waitFor(() => expect(borrower.available()).toBe(2));
    const a = borrower.take();
    const b = borrower.take();
    workers[1]!.onerror!({ message: 'boom' } as ErrorEvent);
    await vi.waitFor(() => expect(b.broken()).toBe(true));
    expect(a.broken()).toBe(false);
    lender.close();
    expect(workers.every((w) => w.terminated)).toBe(true);
    expect(lender.running).toBe(0);
    borrower.request(4);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers.length).toBe(2);
  });

  it('workers that come after their pool was destroyed are released at once (the page terminates them)', async () => {
    const { lender, borrower, workers } = lending(4);
    const source: WorkerSource = {
      ok: true,
      spawn: () => borrower.take(),
      available: () => borrower.available(),
      request: (n) => borrower.request(n),
      pending: () => borrower.pending,
      cancel: (n) => borrower.cancel(n),
    };
    const pool = new ThreadPool(3, 'f32', source);
    pool.start(); // none in hand: asks for 3
    expect(borrower.pending).toBe(3);
    pool.destroy();
    await vi.waitFor(() => expect(workers.length).toBe(3));
    await vi.waitFor(() => expect(lender.running).toBe(0));
    expect(workers.every((w) => w.terminated)).toBe(true);
    expect(borrower.available()).toBe(0);
    // Another pool still gets what it asks for.
    borrower.request(2);
    await vi.waitFor(() => expect(borrower.available()).toBe(2));
    expect(lender.running).toBe(2);
  });

  it('recognises its handshake and nothing else', () => {
    const { port1, port2 } = new MessageChannel();
    expect(isLenderHandshake({ kind: 'bp-thread-lender', port: port1 })).toBe(true);
    expect(isLenderHandshake({ kind: 'bp-thread-lender', port: {} })).toBe(false);
    expect(isLenderHandshake({ v: 1, id: 1, cmd: { op: 'play' } })).toBe(false);
    expect(isLenderHandshake(null)).toBe(false);
    port1.close();
    port2.close();
  });
});

describe('a pool whose workers come after it started', () => {
  const live: CpuBackend[] = [];
  afterAll(() => {
    for (const b of live) b.destroy();
  });

  function product(b: CpuBackend, m: number, k: number, n: number, seed: number): Float64Array {
    const a = b.tensor(shape(1, m, k), new NumpyRandom(seed).randn(m * k));
    const w = b.tensor(shape(1, k, n), new NumpyRandom(seed + 1).randn(k * n));
    const out = b.tensor(shape(1, m, n));
    b.matmul(a, w, out, { transA: false, transB: false, epilogue: { kind: 'none' } });
    const r = b.readSync(out);
    for (const t of [a, w, out]) b.dispose(t);
    return r;
  }

  it('runs on one thread until they come, then splits with them: same bits as one thread', async () => {
    const node = workerSource();
    if (!node.ok) throw new Error(`Node worker threads are needed here: ${node.reason}`);
    let inHand = 0;
    const asked: number[] = [];
    const lent: WorkerSource = {
      ok: true,
      spawn: () => {
        if (inHand === 0) throw new Error('none in hand');
        inHand--;
        return node.spawn();
      },
      available: () => inHand,
      request: (n) => asked.push(n),
    };
    const one = createCpuBackend({ dtype: 'f64', threads: 1 });
    const three = createCpuBackend({ dtype: 'f64', threads: 3, workers: lent });
    live.push(one, three);
    expect(three.threads).toBe(3);
    // Tensors registered (by a product) before any worker comes, some of them disposed again.
    const kept = three.tensor(shape(1, 96, 96), new NumpyRandom(9).randn(96 * 96));
    const w0 = three.tensor(shape(1, 96, 96), new NumpyRandom(8).randn(96 * 96));
    const out0 = three.tensor(shape(1, 96, 96));
    three.matmul(kept, w0, out0, { transA: false, transB: false, epilogue: { kind: 'none' } });
    for (const t of [w0, out0]) three.dispose(t);
    expect(product(three, 96, 96, 96, 1)).toEqual(product(one, 96, 96, 96, 1));
    expect(asked).toEqual([2]);
    expect(three.threadStats.splitJobs).toBe(0);
    expect(product(three, 100, 90, 80, 3)).toEqual(product(one, 100, 90, 80, 3));

    inHand = 2;
    await three.ready();
    expect(inHand).toBe(0);
    // The late workers know `kept` (registered before they came): products that read it split, with the same bits.
    const oneKept = one.tensor(shape(1, 96, 96), new NumpyRandom(9).randn(96 * 96));
    for (let i = 0; i < 50 && three.threadStats.workerBands === 0; i++) {
      const w = three.tensor(shape(1, 96, 64), new NumpyRandom(20 + i).randn(96 * 64));
      const out = three.tensor(shape(1, 96, 64));
      three.matmul(kept, w, out, { transA: false, transB: false, epilogue: { kind: 'none' } });
      const oneW = one.tensor(shape(1, 96, 64), new NumpyRandom(20 + i).randn(96 * 64));
      const oneOut = one.tensor(shape(1, 96, 64));
      one.matmul(oneKept, oneW, oneOut, { transA: false, transB: false, epilogue: { kind: 'none' } });
      expect(three.readSync(out)).toEqual(one.readSync(oneOut));
      for (const t of [w, out]) three.dispose(t);
      for (const t of [oneW, oneOut]) one.dispose(t);
    }
    expect(three.threadStats.splitJobs).toBeGreaterThan(0);
    expect(three.threadStats.workerBands).toBeGreaterThan(0);
  });
});
