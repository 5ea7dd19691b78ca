/**
 * What the lab page asks of its trainer: the surface the page (bp-app.ts) and its test hook use. Two implement it —
 * WorkerLab (worker-lab.ts: the training runs in a dedicated worker, the page only draws; the browser path) and
 * LabController (lab-controller.ts: the same training in the page; where no worker can be made, and in unit tests).
 */
import type { Dataset } from '../../core/datasets.js';
import type { DataShape, LabSpec } from '../../core/lab-spec.js';
import type { Notice } from '../notices.js';
import type { RunView } from '../run-view.js';
import type { CsvInfo } from './csv.js';
import type { BackendStatus } from './lab-backend.js';
import type { RunState } from './run-state.js';
import type { ThroughputSample } from './throughput.js';
import type { RunParameters, ThreadUse } from './trainer-protocol.js';

/** The lab's trainer as the page sees it. */
export interface LabControl {
  /** The lab spec in force. */
  readonly lab: LabSpec;
  /** The runs with their records, status and decision boundaries. */
  readonly runs: readonly RunState[];
  readonly views: readonly RunView[];
  /** Charts redraw when this changes. */
  readonly version: string;
  readonly backendStatus: BackendStatus;
  /** Loaded CSV data (replaces the built-in data set while set). */
  readonly csv: { dataset: Dataset; info: CsvInfo; name: string } | null;
  readonly dataset: Dataset | null;
  readonly dataShape: DataShape;
  readonly playing: boolean;
  readonly canTrain: boolean;
  /** Total steps of the slowest active run so far. */
  readonly step: number;
  readonly notices: Notice[];
  readonly rates: ThroughputSample | null;
  /** Layer sizes of the models, input first. */
  readonly sizes: readonly number[];
  /** The step the runs would go on from if the WebGPU device were lost now, or null. */
  readonly readBackStep: number | null;
  start(): Promise<void>;
  apply(next: LabSpec): Promise<void>;
  play(): void;
  pause(): void;
  toggle(): void;
  stepBy(n: number, logAll?: boolean): Promise<void>;
  reset(): Promise<void>;
  removeRun(index: number): Promise<void>;
  setCsv(csv: { dataset: Dataset; info: CsvInfo; name: string } | null): Promise<boolean>;
  parameters(): Promise<RunParameters[]>;
  /** The CPU backend's threads and what they have shared so far (threads 0 on WebGPU). */
  threadUse(): Promise<ThreadUse>;
  /** The run as a run file (lab-run-file.ts); rejects, saying why, when it cannot be saved. */
  saveRun(): Promise<string>;
  /** Go on from a run file; rejects (naming what is wrong) and changes nothing when it cannot be used. */
  loadRun(text: string): Promise<void>;
  /**
   * Resolves once the trainer has acted on everything asked of it so far (a pause, and a frame of steps in progress,
   * included) and the page holds its state: after `pause(); await settled()` no step follows.
   */
  settled(): Promise<void>;
  /** Test hook: lose the WebGPU device as a driver reset would; false when not training on WebGPU. */
  loseDevice(): boolean;
  notify(kind: Notice['kind'], text: string, details?: readonly string[]): void;
  dismiss(id: number): void;
}
