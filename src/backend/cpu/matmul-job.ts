/**
 * One batched matrix product with its fused epilogue, described by plain numbers and typed arrays so that
 * the main thread and the workers run exactly the same code on disjoint bands of output rows (and so get
 * the same bits as one thread doing every row). The control block layout is the wire format between them.
 */
import { ACTIVATION_CODE, FROM_INPUT_FLAG, HIDDEN_ACTIVATIONS, type ActivationName, type HiddenActivation } from '../../core/activations.js';
import { addBiasRows, applyActivation, multiplyByDerivative, multiplyByDerivativeFromInput, softmaxRowBand, type Buf } from './elementwise.js';
import { matmulRows, type MatmulWorkspace, type MatView } from './matmul.js';

/** Epilogue codes: out = P, out = φ(P + bias), out = P ⊙ φ′(act). */
export const EPILOGUE = { none: 0, biasAct: 1, actGrad: 2 } as const;

/** Activation names by their numeric code (inverse of ACTIVATION_CODE). */
export const ACTIVATION_BY_CODE: readonly ActivationName[] = Object.entries(ACTIVATION_CODE)
  .sort((x, y) => x[1] - y[1])
  .map(([name]) => name as ActivationName);

/**
 * out[b] = epilogue(op(A[b])·op(B[b])) for b < batch; a batch stride of 0 broadcasts that operand. `aux` is
 * the bias ([batch|1, 1, cols], stride auxStride) or the stored activations (same shape as out).
 */
export interface MatmulJob {
  a: Buf;
  aRows: number;
  aCols: number;
  aStride: number;
  b: Buf;
  bRows: number;
  bCols: number;
  bStride: number;
  out: Buf;
  outRows: number;
  outCols: number;
  transA: boolean;
  transB: boolean;
  batch: number;
  epilogue: number;
  aux: Buf | null;
  auxStride: number;
  /** Activation code of each batch entry (length ≥ batch when there is an epilogue). */
  acts: Int32Array;
}

/** A job with empty operands, to be filled in place (no allocation per call). */
export function emptyJob(maxBatch: number): MatmulJob {
  const z = new Float64Array(0);
  return {
    a: z, aRows: 0, aCols: 0, aStride: 0, b: z, bRows: 0, bCols: 0, bStride: 0, out: z, outRows: 0, outCols: 0,
    transA: false, transB: false, batch: 0, epilogue: 0, aux: null, auxStride: 0, acts: new Int32Array(maxBatch),
  };
}

/** Reusable matrix views of one thread (mutated per call). */
export interface JobViews {
  readonly a: MatView;
  readonly b: MatView;
  readonly out: MatView;
}

/** Fresh views for `jobRows`. */
export function jobViews(): JobViews {
  const z = new Float64Array(0);
  return { a: { data: z, offset: 0, rows: 0, cols: 0 }, b: { data: z, offset: 0, rows: 0, cols: 0 }, out: { data: z, offset: 0, rows: 0, cols: 0 } };
}

/** Run rows [rowStart, rowEnd) of every batch entry of a job: the product, then the epilogue on those rows. */
export function runJobRows(job: MatmulJob, rowStart: number, rowEnd: number, ws: MatmulWorkspace, v: JobViews): void {
  for (let bi = 0; bi < job.batch; bi++) runJobBand(job, bi, rowStart, rowEnd, ws, v, 0);
}

/** How a job is cut: `bands` bands of `bandRows` rows per batch entry, and the job's stamp (see matmulRows). */
export interface JobBands {
  bands: number;
  bandRows: number;
  stamp: number;
}

/**
 * Take bands of a shared job from the counter until none is left; band i is rows [c·bandRows, (c+1)·bandRows)
 * of batch entry b, with i = b·bands + c. Every thread of the job runs this. Returns the number of bands run.
 */
export function runJobShare(job: MatmulJob, cut: JobBands, counter: Int32Array, index: number, ws: MatmulWorkspace, v: JobViews): number {
  const { bands, bandRows, stamp } = cut;
  const total = bands * job.batch;
  let taken = 0;
  for (let i = Atomics.add(counter, index, 1); i < total; i = Atomics.add(counter, index, 1)) {
    const bi = Math.floor(i / bands);
    const start = (i - bi * bands) * bandRows;
    runJobBand(job, bi, start, Math.min(job.outRows, start + bandRows), ws, v, stamp);
    taken++;
  }
  return taken;
}

/** Rows [rowStart, rowEnd) of batch entry bi: the product, then the epilogue on those rows. */
export function runJobBand(job: MatmulJob, bi: number, rowStart: number, rowEnd: number, ws: MatmulWorkspace, v: JobViews, stamp: number): void {
  const { outRows: rows, outCols: cols } = job;
  const per = rows * cols;
  setView(v.a, job.a, bi * job.aStride, job.aRows, job.aCols);
  setView(v.b, job.b, bi * job.bStride, job.bRows, job.bCols);
  setView(v.out, job.out, bi * per, rows, cols);
  matmulRows(v.a, job.transA, v.b, job.transB, v.out, rowStart, rowEnd, ws, stamp);
  if (job.epilogue === EPILOGUE.none) return;
  const code = job.acts[bi]!;
  const fromInput = (code & FROM_INPUT_FLAG) !== 0;
  const act = ACTIVATION_BY_CODE[code & ~FROM_INPUT_FLAG]!;
  const aux = job.aux!;
  const base = bi * per;
  if (job.epilogue === EPILOGUE.biasAct) {
    addBiasRows(job.out, base, cols, rowStart, rowEnd, aux, bi * job.auxStride);
    if (act === 'softmax') softmaxRowBand(job.out, base, cols, rowStart, rowEnd);
    else applyActivation(act, job.out, base + rowStart * cols, base + rowEnd * cols);
  } else if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(act)) {
    throw new Error(`act_grad epilogue: ${act} is not a hidden activation`);
  } else {
    const from = rowStart * cols;
    const multiply = fromInput ? multiplyByDerivativeFromInput : multiplyByDerivative;
    multiply(act as HiddenActivation, job.out, base + from, aux, bi * job.auxStride + from, (rowEnd - rowStart) * cols);
  }
}

function setView(v: MatView, data: Buf, offset: number, rows: number, cols: number): void {
  v.data = data;
  v.offset = offset;
  v.rows = rows;
  v.cols = cols;
}

/** Control block layout (Int32 indices) shared by the pool and a worker. */
export const CTRL = {
  /** Job sequence number, bumped by the main thread to post a job. */
  seq: 0,
  /** Sequence number of the last job the worker finished. */
  done: 1,
  /** 1 once the worker has started its job loop. */
  ready: 2,
  /** Operation of the posted job (OP). */
  op: 3,
  /** Number of the last buffer-registration message the worker has processed. */
  registered: 4,
  /** 1 when the last job failed (message sent to the console of the worker). */
  failed: 5,
  /** jobTag(seq, phase): a posted job is claimed by the worker (running) or withdrawn by the main thread (cancelled). */
  state: 6,
  /** 1 while the worker sleeps in Atomics.wait on seq (the main thread notifies only then). */
  workerAsleep: 7,
  /** 1 while the main thread sleeps in Atomics.wait on done (the worker notifies only then). */
  mainAsleep: 28,
  aId: 8, aRows: 9, aCols: 10, aStride: 11,
  bId: 12, bRows: 13, bCols: 14, bStride: 15,
  outId: 16, outRows: 17, outCols: 18, flags: 19,
  batch: 20, epilogue: 21, auxId: 22, auxStride: 23,
  /** Rows per band, bands per batch entry and the job's stamp (see runJobShare). */
  bandRows: 24, bands: 25, stamp: 26,
  /** First of the per-batch-entry activation codes. */
  acts: 32,
  /** Int32 slots of a control block. */
  size: 32 + 96,
} as const;

/** Largest batch a single posted job carries (larger batches are posted entry by entry). */
export const MAX_JOB_BATCH = CTRL.size - CTRL.acts;

/** Index of the band counter in the pool's shared block (one per pool, read by every thread of a job). */
export const SHARED_NEXT_BAND = 0;

/**
 * Messages from the main thread to a worker: its control block and the pool's shared block first, then
 * buffer (un)registrations. A worker lent to a training worker (lent-threads.ts) first gets a `port` from the page
 * that started it; the training worker's messages then come through that port.
 */
export type WorkerMessage =
  | { readonly kind: 'port'; readonly port: MessagePort }
  | { readonly kind: 'init'; readonly ctrl: SharedArrayBuffer; readonly shared: SharedArrayBuffer; readonly dtype: 'f32' | 'f64' }
  | {
    readonly kind: 'buffers';
    /** Number of this registration message (1, 2, …); the worker publishes it in CTRL.registered. */
    readonly generation: number;
    readonly add: readonly (readonly [number, SharedArrayBuffer])[];
    readonly remove: readonly number[];
  };

/** Phases of a posted job in CTRL.state. */
export const PHASE = { posted: 1, running: 2, cancelled: 3 } as const;

/** The CTRL.state word of job `seq` (below 2²⁸) in a phase. */
export function jobTag(seq: number, phase: number): number {
  return seq * 4 + phase;
}

/** Next job sequence number (wraps below 2²⁸, never 0 twice in a row). */
export function nextSeq(seq: number): number {
  return (seq + 1) & 0x0fffffff;
}

/** Operations a worker runs. */
export const OP = { matmul: 1, yield: 2, exit: 3 } as const;

/** Write a job (buffers given by id) into a control block; the row band is set separately. */
export function encodeJob(job: MatmulJob, ids: { a: number; b: number; out: number; aux: number }, ctrl: Int32Array): void {
  ctrl[CTRL.op] = OP.matmul;
  ctrl[CTRL.aId] = ids.a; ctrl[CTRL.aRows] = job.aRows; ctrl[CTRL.aCols] = job.aCols; ctrl[CTRL.aStride] = job.aStride;
  ctrl[CTRL.bId] = ids.b; ctrl[CTRL.bRows] = job.bRows; ctrl[CTRL.bCols] = job.bCols; ctrl[CTRL.bStride] = job.bStride;
  ctrl[CTRL.outId] = ids.out; ctrl[CTRL.outRows] = job.outRows; ctrl[CTRL.outCols] = job.outCols;
  ctrl[CTRL.flags] = (job.transA ? 1 : 0) | (job.transB ? 2 : 0);
  ctrl[CTRL.batch] = job.batch; ctrl[CTRL.epilogue] = job.epilogue; ctrl[CTRL.auxId] = ids.aux; ctrl[CTRL.auxStride] = job.auxStride;
  for (let i = 0; i < job.batch; i++) ctrl[CTRL.acts + i] = job.acts[i]!;
}

/** Read a job from a control block into `job`, resolving buffer ids through `buffers`. */
export function decodeJob(ctrl: Int32Array, buffers: ReadonlyMap<number, Buf>, job: MatmulJob): void {
  const buf = (id: number): Buf => {
    const b = buffers.get(id);
    if (!b) throw new Error(`matmul worker: unknown buffer ${id}`);
    return b;
  };
  job.a = buf(ctrl[CTRL.aId]!); job.aRows = ctrl[CTRL.aRows]!; job.aCols = ctrl[CTRL.aCols]!; job.aStride = ctrl[CTRL.aStride]!;
  job.b = buf(ctrl[CTRL.bId]!); job.bRows = ctrl[CTRL.bRows]!; job.bCols = ctrl[CTRL.bCols]!; job.bStride = ctrl[CTRL.bStride]!;
  job.out = buf(ctrl[CTRL.outId]!); job.outRows = ctrl[CTRL.outRows]!; job.outCols = ctrl[CTRL.outCols]!;
  const flags = ctrl[CTRL.flags]!;
  job.transA = (flags & 1) !== 0;
  job.transB = (flags & 2) !== 0;
  job.batch = ctrl[CTRL.batch]!;
  job.epilogue = ctrl[CTRL.epilogue]!;
  const auxId = ctrl[CTRL.auxId]!;
  job.aux = auxId < 0 ? null : buf(auxId);
  job.auxStride = ctrl[CTRL.auxStride]!;
  for (let i = 0; i < job.batch; i++) job.acts[i] = ctrl[CTRL.acts + i]!;
}
