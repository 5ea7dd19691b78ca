/**
 * A small handle on the running lab for browser tests and the console (`window.__lab`): wait until ready,
 * take steps, read records and the backend. It only calls the controller's public methods.
 */
import type { LabSpec } from '../../core/lab-spec.js';
import type { StepRecord } from '../../train/records.js';
import type { BpApp } from './bp-app.js';
import type { BackendStatus } from './lab-controller.js';

/** What `window.__lab` offers. */
export interface LabHook {
  /** Resolves when the backend has started and the runs are built. */
  ready(): Promise<void>;
  /** Take n steps (logged every logEvery steps and at the last), then refresh the boundaries; resolves when done or cut short (a failure shows as a notice). */
  step(n: number): Promise<void>;
  /** Plain copies of every run's records and status. */
  records(): { id: string; label: string; activation: string; status: string; divergedAt: number | null; boundary: boolean; records: StepRecord[] }[];
  backendInfo(): BackendStatus;
  lab(): LabSpec;
  /** Latest throughput window, or null. */
  rates(): { stepsPerSec: number; samplesPerSec: number; gflops: number } | null;
  play(): void;
  pause(): void;
  /** Resolves once the trainer has acted on everything asked so far and the page shows it (after pause(): no more steps). */
  settled(): Promise<void>;
  /** Lose the WebGPU device as a driver reset would (the backend's test hook); false when not on WebGPU. */
  loseDevice(): boolean;
  /** The step the runs would go on from after a lost device now (parameters last read back), or null. */
  readBackStep(): number | null;
  /** The CPU backend's threads and the matmul work they have shared so far (threads 0 on WebGPU). */
  threads(): Promise<{ threads: number; splitJobs: number; workerBands: number }>;
  /** Text of every notice shown, with its details. */
  notices(): { kind: string; text: string; details: readonly string[] }[];
}

/** The hook of an app element. */
export function labHook(app: BpApp): LabHook {
  const c = app.lab;
  return {
    ready: () => app.ready,
    step: (n) => c.stepBy(n, false),
    records: () =>
      c.runs.map((r) => ({
        id: r.id,
        label: r.label,
        activation: r.activation,
        status: r.status,
        divergedAt: r.divergedAt,
        boundary: r.boundary !== null,
        records: r.records.map((x) => ({ ...x })),
      })),
    backendInfo: () => ({ ...c.backendStatus }),
    lab: () => c.lab,
    rates: () => c.rates,
    play: () => c.play(),
    settled: () => c.settled(),
    pause: () => c.pause(),
    loseDevice: () => c.loseDevice(),
    readBackStep: () => c.readBackStep,
    threads: () => c.threadUse(),
    notices: () => c.notices.map((n) => ({ kind: n.kind, text: n.text, details: [...n.details] })),
  };
}

declare global {
  interface Window {
    __lab?: LabHook;
  }
}
