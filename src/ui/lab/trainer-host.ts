/**
 * Single trainers in the training worker, for pages that drive a Trainer step by step (the lessons): each is made on
 * the worker's CPU backend of its schedule's element type and answers the trainer-* commands of trainer-protocol.ts.
 * `advanceTrainer` is the lessons' stepping loop, shared by the worker and the in-page fallback.
 */
import type { Backend } from '../../backend/backend.js';
import { createCpuBackend } from '../../backend/cpu/cpu-backend.js';
import type { StepRecord } from '../../train/records.js';
import { Trainer } from '../../train/trainer.js';
import { ProtocolError, type AdvanceResult, type LabCommand, type TrainerSetup } from './trainer-protocol.js';

/**
 * Take up to `count` steps of `trainer` (never past the schedule's `steps`), with the records of the logged ones;
 * with `keepLastPass`, the first model's outputs on the data in the forward pass of the last step (before its update).
 */
export async function advanceTrainer(trainer: Trainer, setup: TrainerSetup, count: number, keepLastPass: boolean): Promise<AdvanceResult> {
  const total = setup.schedule.steps;
  const pending: Promise<StepRecord[]>[] = [];
  let last: Promise<Float64Array[]> | null = null;
  for (let i = 0; i < count && trainer.step < total; i++) {
    // predict() snapshots the outputs now, before the last step's update.
    if (keepLastPass && trainer.step === total - 1) last = trainer.predict(setup.data.x, setup.data.n);
    const r = trainer.stepOnce(trainer.shouldLog(trainer.step));
    if (r) pending.push(r);
  }
  const records: StepRecord[][] = [];
  for (const p of pending) records.push(await p);
  const lastPass = last ? (await last)[0]! : null;
  return { records, divergedAt: trainer.memberStatus().map((s) => s.divergedAt), step: trainer.step, lastPass };
}

/** The worker's single trainers by the page's number for them. */
export class TrainerHost {
  private readonly trainers = new Map<number, { trainer: Trainer; setup: TrainerSetup }>();
  private readonly backends = new Map<string, Backend>();

  private get(n: number): { trainer: Trainer; setup: TrainerSetup } {
    const t = this.trainers.get(n);
    if (!t) throw new ProtocolError('cmd.trainer', n, `a trainer made with trainer-create (made: ${[...this.trainers.keys()].join(', ') || 'none'})`);
    return t;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Run one trainer-* command after those before it; resolves to its answer. */
  run(cmd: Extract<LabCommand, { trainer: number }>): Promise<unknown> {
    const next = this.queue.then(() => this.runNow(cmd));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(cmd: Extract<LabCommand, { trainer: number }>): Promise<unknown> {
    switch (cmd.op) {
      case 'trainer-create': {
        if (this.trainers.has(cmd.trainer)) throw new ProtocolError('cmd.trainer', cmd.trainer, 'a number not in use');
        const dtype = cmd.setup.schedule.dtype;
        let backend = this.backends.get(dtype);
        if (!backend) this.backends.set(dtype, (backend = createCpuBackend({ dtype })));
        const trainer = new Trainer(backend, { models: cmd.setup.models, data: cmd.setup.data, schedule: cmd.setup.schedule });
        this.trainers.set(cmd.trainer, { trainer, setup: cmd.setup });
        return null;
      }
      case 'trainer-advance': {
        const t = this.get(cmd.trainer);
        return advanceTrainer(t.trainer, t.setup, cmd.count, cmd.keepLastPass);
      }
      case 'trainer-step': {
        const t = this.get(cmd.trainer).trainer;
        const records = await t.stepOnce(cmd.log);
        return { records, divergedAt: t.memberStatus().map((s) => s.divergedAt), step: t.step };
      }
      case 'trainer-predict':
        return this.get(cmd.trainer).trainer.predict(cmd.x, cmd.n);
      case 'trainer-read': {
        const t = this.get(cmd.trainer).trainer;
        return cmd.what === 'parameters' ? t.readParameters() : t.readGradients();
      }
      case 'trainer-dispose': {
        const t = this.trainers.get(cmd.trainer);
        this.trainers.delete(cmd.trainer);
        t?.trainer.dispose();
        return null;
      }
    }
  }
}
