/**
 * Surviving a lost WebGPU device: parameters are read back on a schedule of wall time while training on WebGPU
 * (at frame ends and at the pauses of a multi-step), a failed step waits briefly for the device-lost report, and
 * after a loss the runs go on on the CPU from the last read-back (runs with none start again from their initial weights).
 */
import type { Backend, BackendFault } from '../../backend/backend.js';
import type { Parameters } from '../../core/init.js';
import { scheduleSpec } from '../../core/lab-spec.js';
import { Trainer } from '../../train/trainer.js';
import type { LabClock } from './lab-clock.js';
import { buildCohorts, newRunState, recordsDistributions, runModel, type Cohort, type CohortContext, type RunState } from './run-state.js';

/** Milliseconds between parameter read-backs on WebGPU while training, kept to survive a lost device. */
export const SNAPSHOT_EVERY_MS = 2000;
/** Parameters larger than this are not read back for a snapshot (a lost device then restarts those runs). */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 ** 2;

/** Milliseconds a failed step on WebGPU waits for the device-lost report before it counts as a plain error. */
export const FAULT_GRACE_MS = 1000;

/**
 * Whether a failure on `backend` was a lost device: true when the backend is WebGPU and reports a fault within
 * FAULT_GRACE_MS (a lost device often shows first as a failed step, a moment before the report).
 */
export function faultWithinGrace(backend: Backend | null, sleep: LabClock['sleep']): Promise<boolean> {
  return backend?.info.kind === 'webgpu' ? Promise.race([backend.fault.then(() => true), sleep(FAULT_GRACE_MS).then(() => false)]) : Promise.resolve(false);
}

/** When parameters are next read back: once at least `everyMs` of the clock have passed since the last read-back. */
export class ReadbackSchedule {
  private last: number;

  constructor(
    private readonly now: () => number,
    readonly everyMs = SNAPSHOT_EVERY_MS,
  ) {
    this.last = now();
  }

  /** Whether a read-back is due now. */
  due(): boolean {
    return this.now() - this.last >= this.everyMs;
  }

  /** A read-back starts now: the next is due `everyMs` from now. */
  taken(): void {
    this.last = this.now();
  }
}

/** Parameters read back from a trainer, and its step then. */
export interface Snapshot {
  readonly step: number;
  readonly params: Parameters[];
}

/** Parameters read back from each WebGPU trainer: where its runs go on after a lost device. */
export class ParameterSnapshots {
  private readonly byTrainer = new WeakMap<Trainer, Snapshot>();

  constructor(private readonly schedule: ReadbackSchedule) {}

  /** Read back every cohort's parameters when `backend` is WebGPU and a read-back is due (or `force`). */
  async take(backend: Backend | null, cohorts: readonly Cohort[], force: boolean): Promise<void> {
    if (!backend || backend.info.kind !== 'webgpu') return;
    if (!force && !this.schedule.due()) return;
    this.schedule.taken();
    for (const c of cohorts) {
      const count = c.trainer.sizes.reduce((s, n, i, a) => (i ? s + (a[i - 1]! + 1) * n : s), 0) * c.trainer.members;
      if (count * backend.bytesPerElement > SNAPSHOT_MAX_BYTES) continue;
      const step = c.trainer.step;
      const params = await c.trainer.readParameters();
      this.byTrainer.set(c.trainer, { step, params });
    }
  }

  /** The last snapshot of `trainer`, if any. */
  get(trainer: Trainer): Snapshot | undefined {
    return this.byTrainer.get(trainer);
  }

  /** The global step the cohorts would go on from after a loss now (the earliest over them), or null if one has none. */
  resumeStep(cohorts: readonly Cohort[]): number | null {
    const steps = cohorts.map((c) => this.get(c.trainer)?.step ?? null);
    if (!steps.length || steps.includes(null)) return null;
    return Math.min(...cohorts.map((c, i) => c.offset + steps[i]!));
  }
}

/** What the fault guard needs of the lab controller. */
export interface FaultHooks {
  /** The backend training now, or null. */
  backend(): Backend | null;
  playing(): boolean;
  pause(): void;
  /** Say that training stopped for a reason other than a lost device. */
  report(text: string): void;
  /** Queue the move to the CPU after `lost` reported `fault` (the runs are paused by then). */
  recover(lost: Backend, fault: BackendFault): void;
}

/**
 * Tells a lost device from other failures: a fault of the current backend pauses the runs and queues the move to
 * the CPU; a failed task pauses them and says "Training stopped" unless the device turns out to be lost within
 * FAULT_GRACE_MS (then it is reported once, by the recovery). Runs that were playing play on after the recovery.
 */
export class FaultGuard {
  /** Set as soon as the backend reports a fault, before the fault is handled in the queue. */
  faulted = false;
  /** Parameters read back from each WebGPU trainer, and its step then: where the runs go on after a lost device. */
  readonly snapshots: ParameterSnapshots;
  private resumeAfter = false;

  constructor(
    private readonly hooks: FaultHooks,
    private readonly clock: LabClock,
  ) {
    this.snapshots = new ParameterSnapshots(new ReadbackSchedule(() => clock.now()));
  }

  /** Watch a newly opened backend for a lost device. */
  watch(backend: Backend): void {
    this.faulted = false;
    void backend.fault.then((f) => {
      if (this.hooks.backend() !== backend) return;
      this.faulted = true;
      this.resumeAfter = this.hooks.playing();
      this.hooks.pause();
      this.hooks.recover(backend, f);
    });
  }

  /** A queued task failed with `e`: pause, and report it unless it was (or soon shows as) a lost device. */
  failed(e: unknown): void {
    const wasPlaying = this.hooks.playing();
    this.hooks.pause();
    // Work that failed because the device was lost is reported once, by the recovery.
    if (this.faulted) return;
    // A lost device often shows first as a failed step, a moment before the backend reports the fault: wait for
    // it briefly, so that the runs then go on playing on the CPU and no second, misleading notice is shown.
    void faultWithinGrace(this.hooks.backend(), (ms) => this.clock.sleep(ms)).then((isFault) => {
      if (isFault || this.faulted) {
        this.resumeAfter ||= wasPlaying;
        return;
      }
      this.hooks.report(`Training stopped: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Read back the cohorts' parameters on WebGPU (see ParameterSnapshots.take), unless a fault is pending. */
  async snapshot(backend: Backend | null, cohorts: readonly Cohort[], force: boolean): Promise<void> {
    if (!this.faulted) await this.snapshots.take(backend, cohorts, force);
  }

  /** Whether the runs were playing when the device was lost, so play on after the recovery; true once. */
  takeResume(): boolean {
    const resume = this.resumeAfter;
    this.resumeAfter = false;
    return resume;
  }
}

/** Test hook: lose `backend`'s WebGPU device as a driver reset would; false when the backend has no such hook. */
export function loseDevice(backend: Backend | null): boolean {
  const b = backend as (Backend & { loseDevice?: () => void }) | null;
  if (!b || typeof b.loseDevice !== 'function') return false;
  b.loseDevice();
  return true;
}

/** Dispose the trainers of a lost backend, then the backend; errors are ignored (the device took its buffers). */
export function discardLost(cohorts: readonly Cohort[], lost: Backend): void {
  for (const c of cohorts) {
    try {
      c.trainer.dispose();
    } catch {
      // the device is gone; its buffers went with it
    }
  }
  try {
    lost.destroy();
  } catch {
    // already unusable
  }
}

/**
 * Continue the runs of the lost cohorts `old` on `ctx.backend`, appending the new cohorts to `out`: a cohort with a
 * snapshot goes on from it (its runs' records after that step are dropped, a divergence after it is undone), runs
 * of one without start again from their initial weights; runs no longer among `runs` are left out.
 * Returns one line per kind of recovery, for the notice.
 */
export function resumeCohorts(ctx: CohortContext, old: readonly Cohort[], runs: readonly RunState[], snapshots: ParameterSnapshots, out: Cohort[]): string[] {
  const restarted: RunState[] = [];
  const resumed: string[] = [];
  for (const c of old) {
    const snap = snapshots.get(c.trainer);
    const members = c.members.filter((r) => runs.includes(r));
    if (!members.length) continue;
    if (!snap) {
      restarted.push(...members);
      continue;
    }
    const at = c.offset + snap.step;
    const params = members.map((r) => snap.params[c.members.indexOf(r)]!);
    const trainer = new Trainer(ctx.backend, { models: members.map((r) => runModel(ctx, r)), data: ctx.data, schedule: scheduleSpec(ctx.lab), distributions: recordsDistributions(ctx) }, params, snap.step);
    for (const r of members) {
      r.records = r.records.filter((x) => x.step < at);
      if (r.status === 'diverged' && (r.divergedAt ?? 0) >= at) Object.assign(r, { status: 'active', divergedAt: null, message: null });
    }
    out.push({ trainer, members, offset: c.offset });
    resumed.push(`${members.map((r) => `Run ${runs.indexOf(r) + 1}`).join(', ')} from step ${at}`);
  }
  for (const r of restarted) Object.assign(r, newRunState(r.spec, runs.indexOf(r)));
  if (restarted.length) out.push(...buildCohorts(ctx, restarted));
  return [
    ...(resumed.length ? [`continuing on the CPU from the parameters read back: ${resumed.join('; ')} (later records dropped; mini-batch order restarts)`] : []),
    ...(restarted.length ? [`${restarted.map((r) => `Run ${runs.indexOf(r) + 1}`).join(', ')} had no parameters read back and start again from their initial weights`] : []),
  ];
}
