/**
 * The trainer a lesson drives, wherever it runs: in the training worker (WorkerLessonTrainer, through the trainer-*
 * commands of trainer-protocol.ts; the browser path) or in the page (LocalLessonTrainer, where no worker can be made,
 * and in unit tests). Both answer the same calls; the step count and the divergence status are mirrored after each.
 */
import type { Backend } from '../../backend/backend.js';
import type { Parameters } from '../../core/init.js';
import type { StepRecord } from '../../train/records.js';
import { Trainer } from '../../train/trainer.js';
import { advanceTrainer } from '../lab/trainer-host.js';
import { decodeEvent, encodeCommand, remoteError, type AdvanceResult, type LabCommand, type TrainerSetup } from '../lab/trainer-protocol.js';
import type { WorkerPort } from '../lab/worker-lab.js';

/** What a lesson asks of its trainer. */
export interface LessonTrainer {
  /** Steps taken so far (as of the last answer). */
  readonly step: number;
  /** Per model: the step it first showed a NaN or infinity, or null (as of the last answer). */
  readonly divergedAt: readonly (number | null)[];
  /** Up to `count` steps, never past the schedule's end (see advanceTrainer). */
  advance(count: number, keepLastPass: boolean): Promise<AdvanceResult>;
  /** One step, its records (one per model) when `log`. */
  stepOnce(log: boolean): Promise<StepRecord[] | null>;
  predict(x: Float64Array, n: number): Promise<Float64Array[]>;
  readParameters(): Promise<Parameters[]>;
  readGradients(): Promise<Parameters[]>;
  dispose(): void;
}

/** Makes a lesson's trainers. */
export interface TrainerSource {
  trainer(setup: TrainerSetup): LessonTrainer;
}

/** A lesson's trainer in the page, on `backend`. */
export class LocalLessonTrainer implements LessonTrainer {
  private readonly trainer: Trainer;

  constructor(
    backend: Backend,
    private readonly setup: TrainerSetup,
  ) {
    this.trainer = new Trainer(backend, { models: setup.models, data: setup.data, schedule: setup.schedule });
  }

  get step(): number {
    return this.trainer.step;
  }

  get divergedAt(): (number | null)[] {
    return this.trainer.memberStatus().map((s) => s.divergedAt);
  }

  advance(count: number, keepLastPass: boolean): Promise<AdvanceResult> {
    return advanceTrainer(this.trainer, this.setup, count, keepLastPass);
  }

  async stepOnce(log: boolean): Promise<StepRecord[] | null> {
    return this.trainer.stepOnce(log);
  }

  predict(x: Float64Array, n: number): Promise<Float64Array[]> {
    return this.trainer.predict(x, n);
  }

  readParameters(): Promise<Parameters[]> {
    return this.trainer.readParameters();
  }

  readGradients(): Promise<Parameters[]> {
    return this.trainer.readGradients();
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

/** The page's end of a training worker for single trainers: commands out, replies matched to them. */
export class TrainerChannel implements TrainerSource {
  private nextId = 1;
  private nextTrainer = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private failure: string | null = null;

  constructor(private readonly worker: WorkerPort & { terminate?: () => void }) {
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.fail(e.message || 'it could not be started');
    };
  }

  /** Send a command; resolves to the worker's answer. */
  send(cmd: LabCommand): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(new Error(`the training worker stopped: ${this.failure}`));
    const id = this.nextId++;
    let message;
    try {
      message = encodeCommand(id, cmd);
    } catch (e) {
      return Promise.reject(e);
    }
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage(message);
    return reply;
  }

  trainer(setup: TrainerSetup): LessonTrainer {
    return new WorkerLessonTrainer(this, this.nextTrainer++, setup);
  }

  /** Stop the worker (its trainers go with it). */
  close(): void {
    this.fail('closed');
    this.worker.terminate?.();
  }

  private receive(data: unknown): void {
    let ev;
    try {
      ev = decodeEvent(data);
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
      return;
    }
    if (ev.type === 'fatal') this.fail(ev.message);
    if (ev.type !== 'reply') return;
    const p = this.pending.get(ev.id);
    this.pending.delete(ev.id);
    if (ev.ok) p?.resolve(ev.value);
    else p?.reject(remoteError(ev.error));
  }

  private fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = message;
    for (const p of this.pending.values()) p.reject(new Error(`the training worker stopped: ${message}`));
    this.pending.clear();
  }
}

/** A lesson's trainer in the training worker. */
export class WorkerLessonTrainer implements LessonTrainer {
  step = 0;
  divergedAt: (number | null)[];
  private readonly created: Promise<unknown>;

  constructor(
    private readonly channel: TrainerChannel,
    private readonly id: number,
    setup: TrainerSetup,
  ) {
    this.divergedAt = setup.models.map(() => null);
    this.created = channel.send({ op: 'trainer-create', trainer: id, setup });
    // A failure to create shows in the first call that waits for it.
    this.created.catch(() => undefined);
  }

  private async send<T>(cmd: LabCommand): Promise<T> {
    await this.created;
    return (await this.channel.send(cmd)) as T;
  }

  async advance(count: number, keepLastPass: boolean): Promise<AdvanceResult> {
    const r = await this.send<AdvanceResult>({ op: 'trainer-advance', trainer: this.id, count, keepLastPass });
    this.step = r.step;
    this.divergedAt = r.divergedAt;
    return r;
  }

  async stepOnce(log: boolean): Promise<StepRecord[] | null> {
    const r = await this.send<{ records: StepRecord[] | null; divergedAt: (number | null)[]; step: number }>({ op: 'trainer-step', trainer: this.id, log });
    this.step = r.step;
    this.divergedAt = r.divergedAt;
    return r.records;
  }

  predict(x: Float64Array, n: number): Promise<Float64Array[]> {
    return this.send({ op: 'trainer-predict', trainer: this.id, x, n });
  }

  readParameters(): Promise<Parameters[]> {
    return this.send({ op: 'trainer-read', trainer: this.id, what: 'parameters' });
  }

  readGradients(): Promise<Parameters[]> {
    return this.send({ op: 'trainer-read', trainer: this.id, what: 'gradients' });
  }

  dispose(): void {
    void this.created.then(() => this.channel.send({ op: 'trainer-dispose', trainer: this.id })).catch(() => undefined);
  }
}
