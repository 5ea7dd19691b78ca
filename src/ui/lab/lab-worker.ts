/**
 * Entry point of the lab's training worker (a dedicated module worker started by worker-lab.ts): the lab's trainers
 * run here, on the CPU (with matmul threads the page lends it) or WebGPU backend, and the page only draws. Messages
 * follow trainer-protocol.ts; an error that escapes is reported to the page as a `fatal` message.
 */
import { installBorrower, isLenderHandshake, ThreadBorrower } from '../../backend/cpu/lent-threads.js';
import { LabWorkerHost } from './lab-worker-host.js';
import { PROTOCOL_VERSION, type WorkerEvent } from './trainer-protocol.js';

/** The parts of a dedicated worker's global scope used here. */
interface WorkerScope {
  onmessage: ((e: MessageEvent<unknown>) => void) | null;
  postMessage(message: WorkerEvent): void;
  addEventListener(type: 'error' | 'unhandledrejection', fn: (e: ErrorEvent | PromiseRejectionEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const host = new LabWorkerHost((event) => scope.postMessage(event));
scope.onmessage = (e) => {
  // The page's lending channel for CPU matmul threads (lent-threads.ts) comes before any trainer command.
  if (isLenderHandshake(e.data)) installBorrower(new ThreadBorrower(e.data.port));
  else host.receive(e.data);
};

const fatal = (reason: unknown) => scope.postMessage({ v: PROTOCOL_VERSION, type: 'fatal', message: reason instanceof Error ? reason.message : String(reason) });
scope.addEventListener('error', (e) => fatal((e as ErrorEvent).error ?? (e as ErrorEvent).message));
scope.addEventListener('unhandledrejection', (e) => fatal((e as PromiseRejectionEvent).reason));
