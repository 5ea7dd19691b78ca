/**
 * The one place the network view gets its data from the lab: an async read of every run's parameters and the rows of
 * its next mini-batch (the lab's `parameters()`: the worker's parameter request, the same read-back as the weights
 * export) plus the data set, turned into per-run inspections computed on the page in f64. Bounded: a
 * network with more than MAX_INSPECT_PARAMETERS parameters is not read back, and a batch is traced on at most as many
 * rows as keep one forward pass under MAX_INSPECT_MACS multiply-adds (the view says how many).
 */
import type { Dataset } from '../../core/datasets.js';
import type { Parameters } from '../../core/init.js';
import { gatherRows, inspectModel, subsampleRows } from '../../core/inspect.js';
import { modelSpec, type DataShape, type LabSpec, type RunSpec } from '../../core/lab-spec.js';
import type { UpdateInfo } from '../../core/step-stages.js';
import { inspectRun, notInspected, type InspectSource } from '../charts/inspection.js';

export type { InspectSource } from '../charts/inspection.js';

/** Most parameters (per run) read back for the network view; larger networks show why they are not drawn. */
export const MAX_INSPECT_PARAMETERS = 2_000_000;
/** Most multiply-adds of one traced forward pass (the backward pass costs about twice that). */
export const MAX_INSPECT_MACS = 8_000_000;

/** One run's parameters as read back, and the step they are at. */
export interface ParameterRead {
  readonly id: string;
  readonly step: number;
  readonly params: Parameters;
  /**
   * The rows of the data set the run's next step trains on, when the reader knows them (a worker can send
   * `nextBatchRows(trainer.exportState(), n, rowsPerStep)`); then the trace is that exact batch.
   */
  readonly batchRows?: Uint32Array;
}

/** What the adapter needs to know of the lab now. */
export interface InspectContext {
  readonly lab: LabSpec;
  readonly data: Dataset | null;
  readonly shape: DataShape;
  readonly runs: readonly { readonly id: string; readonly spec: RunSpec }[];
}

/**
 * The network view's source over an async parameter read (`readParameters`, e.g. `() => controller.parameters()`)
 * and the lab's current context.
 */
export function inspectSource(readParameters: () => Promise<readonly ParameterRead[]>, context: () => InspectContext): InspectSource {
  return async () => {
    const ctx = context();
    const data = ctx.data;
    if (!data || ctx.runs.length === 0) return [];
    const specs = ctx.runs.map((r) => ({ id: r.id, spec: modelSpec(ctx.lab, r.spec, ctx.shape), run: r.spec }));
    const sizes = [ctx.shape.inputDim, ...Array<number>(ctx.lab.depth).fill(ctx.lab.width), ctx.shape.outputDim];
    let count = 0;
    let macs = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      count += (sizes[l]! + 1) * sizes[l + 1]!;
      macs += sizes[l]! * sizes[l + 1]!;
    }
    const updateOf = (s: (typeof specs)[number]): UpdateInfo => ({ optimizer: s.spec.optimizer.kind, lr: s.spec.optimizer.lr, ...(s.spec.clip ? { clip: s.spec.clip } : {}) });
    if (count > MAX_INSPECT_PARAMETERS) {
      const why = `${count.toLocaleString('en')} parameters per run: the view reads back at most ${MAX_INSPECT_PARAMETERS.toLocaleString('en')}`;
      return specs.map((s) => notInspected(s.id, 0, why, updateOf(s)));
    }
    const reads = await readParameters();
    const budget = Math.max(1, Math.floor(MAX_INSPECT_MACS / Math.max(1, macs)));
    const full = ctx.lab.batch === 0 || ctx.lab.batch >= data.n;
    const rows = full && data.n <= budget ? null : subsampleRows(data.n, Math.min(budget, full ? data.n : ctx.lab.batch));
    const count2 = rows ? rows.length : data.n;
    const batch = rows
      ? full
        ? `${count2} of the ${data.n} rows (evenly spread; training uses all ${data.n}, fewer here to keep the page responsive)`
        : `${count2} of the ${data.n} rows, evenly spread (training draws shuffled mini-batches of ${ctx.lab.batch}, so its batch differs)`
      : `the full batch of ${data.n} rows, as training uses`;
    const x = gatherRows(data.x, data.inputDim, rows);
    const y = gatherRows(data.y, data.outputDim, rows);
    return specs.map((s) => {
      const read = reads.find((r) => r.id === s.id);
      const model = inspectModel(s.spec);
      if (typeof model === 'string') return notInspected(s.id, read?.step ?? 0, model, updateOf(s));
      if (!read) return notInspected(s.id, 0, 'no parameters read back yet', updateOf(s));
      const own = read.batchRows && read.batchRows.length <= budget ? read.batchRows : null;
      try {
        if (own) {
          const text = `the trainer's next batch of ${own.length} rows`;
          return inspectRun({ id: s.id, step: read.step, model, params: read.params, x: gatherRows(data.x, data.inputDim, own), y: gatherRows(data.y, data.outputDim, own), rows: own.length, batch: text, exact: true, update: updateOf(s) });
        }
        return inspectRun({ id: s.id, step: read.step, model, params: read.params, x, y, rows: count2, batch, exact: rows === null, update: updateOf(s) });
      } catch (e) {
        // The lab was rebuilt between the look at its settings and the read: the next refresh reads the new network.
        if (e instanceof RangeError) return notInspected(s.id, read.step, 'the network changed while it was read; it is read again at the next step', updateOf(s));
        throw e;
      }
    });
  };
}
