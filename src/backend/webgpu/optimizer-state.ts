/**
 * Optimizer state on the device, kept per list of parameter tensors: first-moment (velocity / m) and
 * second-moment (s / v) tensors shaped like the parameters and allocated together, so that one dispatch covers
 * them, plus a small scratch buffer for the clipping statistics. Buffers are zero-filled at creation.
 */
import type { CallSites } from './call-sites.js';
import type { GPUTensor, TensorAllocator } from './gpu-tensor.js';
import type { CommandRecorder } from './recorder.js';

/** The state of one parameter list. */
export interface OptimizerRecord {
  /** Ids of the parameter tensors, in order. */
  readonly ids: readonly number[];
  /** Velocity (momentum) or first moment (Adam), one tensor per parameter; null until a rule needs it. */
  first: GPUTensor[] | null;
  /** Mean square (RMSProp) or second moment (Adam); null until a rule needs it. */
  second: GPUTensor[] | null;
  /** Clipping statistics and per-entry factors; null until clipping or a report is asked for. */
  scratch: GPUBuffer | null;
}

/** Every parameter list's optimizer state, released with its parameters. */
export class OptimizerStates {
  private readonly records = new Map<string, OptimizerRecord>();

  constructor(
    private readonly device: GPUDevice,
    private readonly allocator: TensorAllocator,
    private readonly recorder: CommandRecorder,
    private readonly sites: CallSites,
  ) {}

  /** The record of this parameter list, created (empty) on first use. */
  record(params: readonly GPUTensor[]): OptimizerRecord {
    const key = params.map((p) => p.id).join(',');
    let rec = this.records.get(key);
    if (!rec) {
      rec = { ids: params.map((p) => p.id), first: null, second: null, scratch: null };
      this.records.set(key, rec);
    }
    return rec;
  }

  /** The record's state tensors of kind `which`, allocated (zeroed) on first use. */
  slots(rec: OptimizerRecord, params: readonly GPUTensor[], which: 'first' | 'second'): GPUTensor[] {
    let ts = rec[which];
    if (!ts) {
      ts = this.allocator.allocate(params.map((p) => p.shape));
      rec[which] = ts;
    }
    return ts;
  }

  /** The record's scratch buffer, at least `bytes` long (a larger one replaces it, zeroed). */
  scratch(rec: OptimizerRecord, bytes: number): GPUBuffer {
    if (!rec.scratch || rec.scratch.size < bytes) {
      rec.scratch?.destroy();
      rec.scratch = this.device.createBuffer({
        label: 'optimizer scratch',
        size: Math.max(16, Math.ceil(bytes / 16) * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
    }
    return rec.scratch;
  }

  /** Zero (in recording order) the state of every list that holds one of `params`. */
  reset(params: readonly GPUTensor[]): void {
    const ids = new Set(params.map((p) => p.id));
    for (const rec of this.records.values()) {
      if (!rec.ids.some((id) => ids.has(id))) continue;
      for (const t of [...(rec.first ?? []), ...(rec.second ?? [])]) this.recorder.clear(t.buffer, t.byteOffset, t.bindingBytes);
    }
  }

  /** Release the state of every list that holds tensor `id` (the parameter was disposed). */
  evictTensor(id: number): void {
    for (const [key, rec] of this.records) {
      if (!rec.ids.includes(id)) continue;
      this.release(rec);
      this.records.delete(key);
    }
  }

  /** Release every state buffer. */
  destroy(): void {
    for (const rec of this.records.values()) this.release(rec);
    this.records.clear();
  }

  private release(rec: OptimizerRecord): void {
    for (const t of [...(rec.first ?? []), ...(rec.second ?? [])]) {
      this.sites.evictTensor(t.id);
      this.allocator.release(t);
    }
    rec.scratch?.destroy();
  }
}
