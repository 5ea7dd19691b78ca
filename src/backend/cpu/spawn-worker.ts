/**
 * Starting CPU-backend worker threads in each environment, and saying why threads are off where they are:
 * - browser: a module Web Worker on `matmul-worker.ts` (Vite bundles it); needs `crossOriginIsolated` for
 *   SharedArrayBuffer, and a page (a worker uses workers its page lent it: see workerSource and lent-threads.ts);
 * - Node, bundled CLI: `matmul-worker.mjs` next to the bundle (a second esbuild entry point);
 * - Node, from source (Vitest, scripts): `matmul-worker.ts` bundled in memory with esbuild (a devDependency,
 *   loaded at run time only on this path) and started as an `eval` worker.
 */
import { installedBorrower } from './lent-threads.js';
import type { WorkerMessage } from './matmul-job.js';

/** The main thread's handle on one worker. */
export interface WorkerHandle {
  post(message: WorkerMessage): void;
  terminate(): void;
  /** Whether the worker reported an error (it is then left out of every job). */
  broken(): boolean;
  /** Resolves once the worker has stopped (in a browser: once it was terminated). */
  readonly exited: Promise<void>;
}

/**
 * Where workers can come from here, or why they cannot. A source of lent workers (lent-threads.ts) has only those in
 * hand: `available` counts them, `request` asks for more, which come later, `pending` counts those still to come, and
 * `cancel` says that some asked for are no longer wanted.
 */
export type WorkerSource =
  | {
    readonly ok: true;
    spawn(): WorkerHandle;
    available?(): number;
    request?(count: number): void;
    pending?(): number;
    cancel?(count: number): void;
  }
  | { readonly ok: false; readonly reason: string };

interface NodeApi {
  readonly workerThreads: typeof import('node:worker_threads');
  readonly fs: typeof import('node:fs');
  readonly url: typeof import('node:url');
  readonly module: typeof import('node:module');
}

function nodeApi(): NodeApi | null {
  if (typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') return null;
  return {
    workerThreads: process.getBuiltinModule('node:worker_threads'),
    fs: process.getBuiltinModule('node:fs'),
    url: process.getBuiltinModule('node:url'),
    module: process.getBuiltinModule('node:module'),
  };
}

/** Number of logical cores (1 when unknown). */
export function coreCount(): number {
  const os = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:os') : null;
  if (os) return os.availableParallelism();
  return typeof navigator === 'object' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

/** How to start matmul workers in this environment. */
export function workerSource(): WorkerSource {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return { ok: false, reason: isolated === false ? 'page not cross-origin isolated' : 'no SharedArrayBuffer' };
  }
  const node = nodeApi();
  if (node) return nodeSource(node);
  if (typeof Worker !== 'function') return { ok: false, reason: 'no Web Workers' };
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return { ok: false, reason: 'page not cross-origin isolated' };
  // Inside a worker (the lab's training worker) matmul threads of its own would be nested workers. With those blocked
  // in Atomics.wait, headless Chromium without a GPU process was seen to stop answering for good after the page's next
  // long main-thread task (1 to 4 of 8 tries; never with the threads started by a page). So a worker uses only
  // threads the page started and lent to it (lent-threads.ts), and one thread when the page lends none.
  if (typeof (globalThis as { document?: unknown }).document === 'undefined') {
    const lent = installedBorrower();
    if (!lent) return { ok: false, reason: 'inside a worker' };
    return { ok: true, spawn: () => lent.take(), available: () => lent.available(), request: (n) => lent.request(n), pending: () => lent.pending, cancel: (n) => lent.cancel(n) };
  }
  return {
    ok: true,
    spawn() {
      const w = startMatmulWorker();
      let broken = false;
      w.onerror = (e) => {
        broken = true;
        console.error('CPU matmul worker failed:', e.message);
      };
      let stopped = (): void => {};
      const exited = new Promise<void>((resolve) => { stopped = resolve; });
      const terminate = (): void => {
        w.terminate();
        stopped();
      };
      return { post: (m) => w.postMessage(m), terminate, broken: () => broken, exited };
    },
  };
}

/** Start a browser matmul worker (a module worker that Vite bundles beside the page's script). */
export function startMatmulWorker(): Worker {
  return new Worker(new URL('./matmul-worker.ts', import.meta.url), { type: 'module', name: 'cpu-matmul' });
}

function nodeSource(node: NodeApi): WorkerSource {
  const here = import.meta.url;
  if (!here.startsWith('file:')) return { ok: false, reason: 'worker script location unknown' };
  const built = new URL('./matmul-worker.mjs', here);
  const source = new URL('./matmul-worker.ts', here);
  let start: () => InstanceType<typeof node.workerThreads.Worker>;
  if (node.fs.existsSync(built)) {
    start = () => new node.workerThreads.Worker(built);
  } else if (node.fs.existsSync(source)) {
    // Bundled at the first spawn only (most backends of a test run never split a product).
    let code: string | null = null;
    start = () => new node.workerThreads.Worker((code ??= bundleWithEsbuild(node, source)), { eval: true });
  } else {
    return { ok: false, reason: 'worker script matmul-worker.mjs not found next to the bundle' };
  }
  return {
    ok: true,
    spawn() {
      const w = start();
      // A backend that is never destroyed must not keep the process alive.
      w.unref();
      let broken = false;
      w.on('error', (e) => {
        broken = true;
        console.error('CPU matmul worker failed:', e);
      });
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      return { post: (m) => w.postMessage(m), terminate: () => void w.terminate(), broken: () => broken, exited };
    },
  };
}

interface EsbuildSync {
  buildSync(o: Record<string, unknown>): { outputFiles: { text: string }[] };
}

function bundleWithEsbuild(node: NodeApi, source: URL): string {
  const esbuild = node.module.createRequire(source)('esbuild') as EsbuildSync;
  const out = esbuild.buildSync({
    entryPoints: [node.url.fileURLToPath(source)],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}
