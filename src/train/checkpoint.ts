/**
 * Save and resume a run: the models, data and schedule specs, the trainer's state (parameters, optimizer state,
 * step, mini-batch order stream, divergence) and the records so far, as one JSON document. Typed arrays are
 * base64 of their little-endian bytes; a `format` and `version` field say what the file is, and a SHA-256 of the
 * `run` member's JSON text (WebCrypto, in browsers and Node alike) catches a damaged or edited file.
 */
import type { OptimizerSnapshot } from '../backend/backend.js';
import type { Parameters } from '../core/init.js';
import type { NpyArray } from '../core/npz.js';
import type { RngState } from '../core/rng.js';
import { describeValue, formatIssue, isRecord, parseExperiment, type DataSpec, type ModelSpec, type ScheduleSpec } from '../core/spec.js';
import type { StepRecord } from './records.js';
import type { TrainerState } from './trainer.js';

/** The `format` field of a run file. */
export const RUN_FORMAT = 'backprop-lab-run';
/** The newest run-file version this code writes and reads. */
export const RUN_VERSION = 1;

/** A saved run: what was trained, where it stands, and what was recorded. */
export interface RunCheckpoint {
  readonly models: readonly ModelSpec[];
  readonly data: DataSpec;
  readonly schedule: ScheduleSpec;
  readonly state: TrainerState;
  /** Logged records so far, one array (one record per model) per logged step; non-finite numbers read back as null. */
  readonly records: readonly (readonly StepRecord[])[];
}

/** A run file that cannot be read: the message names the part that is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The run file's text: `{"format", "version", "checksum": "sha256:<hex>", "run": {…}}`. */
export async function serializeRun(run: RunCheckpoint): Promise<string> {
  const s = run.state;
  const body = {
    models: run.models,
    data: run.data,
    schedule: run.schedule,
    state: {
      step: s.step,
      parameters: s.parameters.map(encodeParameters),
      optimizer: { first: s.optimizer.first?.map(f64ToBase64) ?? null, second: s.optimizer.second?.map(f64ToBase64) ?? null },
      batchRng: { mt: u32ToBase64(s.batchRng.mt), pos: s.batchRng.pos, hasGauss: s.batchRng.hasGauss, gauss: f64ToBase64(Float64Array.of(s.batchRng.gauss)) },
      order: u32ToBase64(s.order),
      orderPos: s.orderPos,
      divergedAt: s.divergedAt,
    },
    records: run.records,
  };
  const text = JSON.stringify(body);
  return `{"format":${JSON.stringify(RUN_FORMAT)},"version":${RUN_VERSION},"checksum":"sha256:${await sha256Hex(text)}","run":${text}}`;
}

/**
 * Read a run file's text back. Throws a CheckpointError naming what is wrong: not JSON (a truncated file), another
 * format, a newer version, a checksum that does not match, an invalid spec or a malformed array. Shapes against the
 * specs are checked again by `Trainer.restoreState`, which changes nothing unless all fit.
 */
export async function parseRun(text: string): Promise<RunCheckpoint> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`run file: not a complete JSON document (truncated or not a run file; ${text.length} characters): ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw new CheckpointError(`run file: expected a JSON object, got ${describeValue(doc)}`);
  if (doc.format !== RUN_FORMAT) throw new CheckpointError(`format: expected ${JSON.stringify(RUN_FORMAT)}, got ${describeValue(doc.format)}`);
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new CheckpointError(`version: expected a whole number ≥ 1, got ${describeValue(version)}`);
  if (version > RUN_VERSION) throw new CheckpointError(`version: the file is version ${version}, written by a newer Backprop Lab; this one reads versions up to ${RUN_VERSION}`);
  if (!isRecord(doc.run)) throw new CheckpointError(`run: expected an object, got ${describeValue(doc.run)}`);
  const want = `sha256:${await sha256Hex(JSON.stringify(doc.run))}`;
  if (doc.checksum !== want) throw new CheckpointError(`checksum: the file says ${typeof doc.checksum === 'string' ? JSON.stringify(doc.checksum) : describeValue(doc.checksum)} but its contents hash to ${want}; the file was damaged or edited`);
  return decodeRun(doc.run);
}

function decodeRun(run: Record<string, unknown>): RunCheckpoint {
  if (!Array.isArray(run.models) || run.models.length === 0) throw new CheckpointError(`run.models: expected a non-empty list of model specs, got ${describeValue(run.models)}`);
  const models = run.models.map((model, i) => {
    const parsed = parseExperiment({ model, data: run.data, schedule: run.schedule });
    if (!parsed.ok) throw new CheckpointError(parsed.issues.map((is) => `run.models[${i}] / run: ${formatIssue(is)}`).join('\n'));
    return parsed.value;
  });
  const st = run.state;
  if (!isRecord(st)) throw new CheckpointError(`run.state: expected an object, got ${describeValue(st)}`);
  if (!Array.isArray(st.parameters)) throw new CheckpointError(`run.state.parameters: expected a list, got ${describeValue(st.parameters)}`);
  const opt = st.optimizer;
  if (!isRecord(opt)) throw new CheckpointError(`run.state.optimizer: expected an object, got ${describeValue(opt)}`);
  const rng = st.batchRng;
  if (!isRecord(rng)) throw new CheckpointError(`run.state.batchRng: expected an object, got ${describeValue(rng)}`);
  const whole = (field: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new CheckpointError(`${field}: expected a whole number ≥ 0, got ${describeValue(v)}`);
    return v;
  };
  const optimizer: OptimizerSnapshot = {
    first: opt.first === null ? null : list(opt.first, 'run.state.optimizer.first', (v, f) => base64ToF64(v, f)),
    second: opt.second === null ? null : list(opt.second, 'run.state.optimizer.second', (v, f) => base64ToF64(v, f)),
  };
  const gauss = base64ToF64(rng.gauss, 'run.state.batchRng.gauss');
  if (gauss.length !== 1) throw new CheckpointError(`run.state.batchRng.gauss: expected 1 value, got ${gauss.length}`);
  const batchRng: RngState = { mt: base64ToU32(rng.mt, 'run.state.batchRng.mt'), pos: whole('run.state.batchRng.pos', rng.pos), hasGauss: rng.hasGauss === true, gauss: gauss[0]! };
  const divergedAt = list(st.divergedAt, 'run.state.divergedAt', (v, f) => (v === null ? null : whole(f, v)));
  const state: TrainerState = {
    step: whole('run.state.step', st.step),
    parameters: st.parameters.map((p, i) => decodeParameters(p, `run.state.parameters[${i}]`)),
    optimizer,
    batchRng,
    order: base64ToU32(st.order, 'run.state.order'),
    orderPos: whole('run.state.orderPos', st.orderPos),
    divergedAt,
  };
  if (!Array.isArray(run.records)) throw new CheckpointError(`run.records: expected a list, got ${describeValue(run.records)}`);
  const first = models[0]!;
  return { models: models.map((m) => m.model), data: first.data, schedule: first.schedule, state, records: run.records as StepRecord[][] };
}

/**
 * One model's parameters as named arrays for `.npz`: `W<l>` of shape (sizes[l], sizes[l+1]) (a layer computes
 * x·W + b), `b<l>` of shape (sizes[l+1],), and where present `gamma<l>`, `running_mean<l>`, `running_var<l>` of hidden layer l.
 */
export function parameterArrays(p: Parameters, sizes: readonly number[]): NpyArray[] {
  const out: NpyArray[] = [];
  p.weights.forEach((w, l) => out.push({ name: `W${l}`, shape: [sizes[l]!, sizes[l + 1]!], data: w }));
  p.biases.forEach((b, l) => out.push({ name: `b${l}`, shape: [b.length], data: b }));
  const vectors = (prefix: string, vs: readonly Float64Array[] | undefined) => vs?.forEach((v, l) => out.push({ name: `${prefix}${l}`, shape: [v.length], data: v }));
  vectors('gamma', p.gammas);
  vectors('running_mean', p.runningMean);
  vectors('running_var', p.runningVar);
  return out;
}

const PARAMETER_PARTS = ['weights', 'biases', 'gammas', 'runningMean', 'runningVar'] as const;

function encodeParameters(p: Parameters): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of PARAMETER_PARTS) if (p[k]) out[k] = p[k].map(f64ToBase64);
  return out;
}

function decodeParameters(v: unknown, field: string): Parameters {
  if (!isRecord(v)) throw new CheckpointError(`${field}: expected an object, got ${describeValue(v)}`);
  const part = (k: (typeof PARAMETER_PARTS)[number]) => list(v[k], `${field}.${k}`, (x, f) => base64ToF64(x, f));
  const p: { -readonly [K in keyof Parameters]: Parameters[K] } = { weights: part('weights'), biases: part('biases') };
  for (const k of ['gammas', 'runningMean', 'runningVar'] as const) if (v[k] !== undefined) p[k] = part(k);
  return p;
}

function list<T>(v: unknown, field: string, each: (x: unknown, field: string) => T): T[] {
  if (!Array.isArray(v)) throw new CheckpointError(`${field}: expected a list, got ${describeValue(v)}`);
  return v.map((x, i) => each(x, `${field}[${i}]`));
}

/** Hex SHA-256 of the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(v: unknown, field: string, width: number): DataView {
  if (typeof v !== 'string') throw new CheckpointError(`${field}: expected a base64 string, got ${describeValue(v)}`);
  let s: string;
  try {
    s = atob(v);
  } catch {
    throw new CheckpointError(`${field}: not valid base64 (${v.length} characters)`);
  }
  if (s.length % width !== 0) throw new CheckpointError(`${field}: ${s.length} bytes is not a whole number of ${width}-byte values`);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new DataView(bytes.buffer);
}

/** Base64 of the little-endian bytes of an f64 array. */
export function f64ToBase64(a: ArrayLike<number>): string {
  const view = new DataView(new ArrayBuffer(a.length * 8));
  for (let i = 0; i < a.length; i++) view.setFloat64(8 * i, a[i]!, true);
  return bytesToBase64(new Uint8Array(view.buffer));
}

function base64ToF64(v: unknown, field: string): Float64Array {
  const view = base64ToBytes(v, field, 8);
  const out = new Float64Array(view.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

function u32ToBase64(a: Uint32Array): string {
  const view = new DataView(new ArrayBuffer(a.length * 4));
  for (let i = 0; i < a.length; i++) view.setUint32(4 * i, a[i]!, true);
  return bytesToBase64(new Uint8Array(view.buffer));
}

function base64ToU32(v: unknown, field: string): Uint32Array {
  const view = base64ToBytes(v, field, 4);
  const out = new Uint32Array(view.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}
