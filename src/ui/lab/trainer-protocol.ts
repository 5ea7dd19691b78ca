/**
 * The messages between the lab page and its training worker (lab-worker.ts), in one place: commands go down
 * (start, apply a lab, play/pause, step, reset, remove a run, load CSV data, read parameters, lose the device, dismiss
 * a notice, and generic named requests such as a prediction on a grid), and replies, state batches (record batches,
 * run status, divergence, the backend, throughput, notices) and fatal errors come up. The page never reaches into a
 * backend: everything it knows of the training arrives as these messages.
 *
 * Every message is checked on arrival (`decodeCommand`, `decodeEvent`): a malformed one is refused with a
 * ProtocolError naming the field, the bad value and what is allowed, and nothing of it is applied.
 */
import type { Dataset } from '../../core/datasets.js';
import type { Parameters } from '../../core/init.js';
import { parseLab } from '../../core/lab-parse.js';
import type { DataShape, LabSpec, RunSpec } from '../../core/lab-spec.js';
import { describeValue, parseModel, parseSchedule, type ModelSpec, type ScheduleSpec } from '../../core/spec.js';
import type { StepRecord } from '../../train/records.js';
import type { Notice } from '../notices.js';
import type { RunView } from '../run-view.js';
import type { CsvInfo } from './csv.js';
import type { BackendStatus } from './lab-backend.js';
import type { RunStatus } from './run-state.js';
import type { ThroughputSample } from './throughput.js';

/** Version of the protocol; a message of another version is refused. */
export const PROTOCOL_VERSION = 1;

/** A message that does not follow the protocol: `field` is where, the message says the bad value and what is allowed. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly field: string,
    value: unknown,
    allowed: string,
  ) {
    super(`${field}: ${describeValue(value)} is not allowed; expected ${allowed}`);
  }
}

/** CSV data for the runs, as the page loaded it. */
export interface CsvData {
  readonly dataset: Dataset;
  readonly info: CsvInfo;
  readonly name: string;
}

/** Named requests of the worker beyond the lab's own commands, with their arguments and answers. */
export interface WorkerRequests {
  /** Every run's outputs on the rows of x (n × inputDim), by run id, at the current weights (evaluation mode). */
  predict: { args: { x: Float64Array; n: number }; result: { id: string; outputs: Float64Array }[] };
  /** Every run's trained parameters (as `read-parameters`). */
  parameters: { args: Record<string, never>; result: RunParameters[] };
  /** The CPU backend's threads and the matmul work they shared so far (zeros on WebGPU). */
  threads: { args: Record<string, never>; result: ThreadUse };
}

/** How many threads the lab's CPU backend has and what they have shared (threads 0 on WebGPU). */
export interface ThreadUse {
  readonly threads: number;
  /** Products split between threads. */
  readonly splitJobs: number;
  /** Row bands of those run by the other threads. */
  readonly workerBands: number;
}

/** Name of a generic request. */
export type RequestName = keyof WorkerRequests;

/** Names of the generic requests, for validation. */
export const REQUEST_NAMES: readonly RequestName[] = ['predict', 'parameters', 'threads'];

/** One run's parameters as the weights export takes them. */
export interface RunParameters {
  readonly id: string;
  readonly label: string;
  readonly step: number;
  readonly params: Parameters;
  /** The rows of the run's next mini-batch (absent for full-batch training): the network view traces them. */
  readonly batchRows?: Uint32Array;
}

/**
 * A single trainer of the worker, for pages that drive a Trainer step by step (the lessons): made with `trainer-create`
 * (models, data, schedule; CPU backend of the schedule's dtype), addressed by the page's number for it.
 */
export interface TrainerSetup {
  readonly models: readonly ModelSpec[];
  readonly data: Dataset;
  readonly schedule: ScheduleSpec;
}

/** What `trainer-advance` answers: the records of the logged steps (one per model each), status and the step reached. */
export interface AdvanceResult {
  readonly records: StepRecord[][];
  /** Per model: the step at which it first showed a NaN or infinity, or null. */
  readonly divergedAt: (number | null)[];
  readonly step: number;
  /** The first model's outputs on the data in the forward pass of the schedule's last step, when asked and reached. */
  readonly lastPass: Float64Array | null;
}

/** A command of the page to the worker. */
export type LabCommand =
  | { readonly op: 'trainer-create'; readonly trainer: number; readonly setup: TrainerSetup }
  | { readonly op: 'trainer-advance'; readonly trainer: number; readonly count: number; readonly keepLastPass: boolean }
  | { readonly op: 'trainer-step'; readonly trainer: number; readonly log: boolean }
  | { readonly op: 'trainer-predict'; readonly trainer: number; readonly x: Float64Array; readonly n: number }
  | { readonly op: 'trainer-read'; readonly trainer: number; readonly what: 'parameters' | 'gradients' }
  | { readonly op: 'trainer-dispose'; readonly trainer: number }
  | { readonly op: 'start'; readonly lab: LabSpec }
  | { readonly op: 'apply'; readonly lab: LabSpec }
  | { readonly op: 'play' }
  | { readonly op: 'pause' }
  | { readonly op: 'step'; readonly n: number; readonly logAll: boolean }
  | { readonly op: 'reset' }
  | { readonly op: 'remove-run'; readonly index: number }
  | { readonly op: 'set-csv'; readonly csv: CsvData | null }
  | { readonly op: 'read-parameters' }
  | { readonly op: 'lose-device' }
  | { readonly op: 'dismiss'; readonly notice: number }
  | { readonly op: 'save-run' }
  | { readonly op: 'load-run'; readonly text: string }
  /** The page has drawn the states up to `seq` (flow control: no reply; the worker sends the next state only then). */
  | { readonly op: 'drawn'; readonly seq: number }
  /** Answered once everything sent before it has been acted on (its reply follows the state that shows it). */
  | { readonly op: 'sync' }
  | { readonly [K in RequestName]: { readonly op: 'request'; readonly name: K; readonly args: WorkerRequests[K]['args'] } }[RequestName];

/** The operations a command may name. */
export const COMMAND_OPS = [
  'start', 'apply', 'play', 'pause', 'step', 'reset', 'remove-run', 'set-csv', 'read-parameters', 'lose-device', 'dismiss', 'request',
  'save-run', 'load-run', 'drawn', 'sync',
  'trainer-create', 'trainer-advance', 'trainer-step', 'trainer-predict', 'trainer-read', 'trainer-dispose',
] as const;

/** A command as posted: protocol version, an id its reply carries, and the command. */
export interface CommandMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly id: number;
  readonly cmd: LabCommand;
}

/** Records of one run since the last batch: `items` start at index `from` of its list (a `from` of 0 replaces the list). */
export interface RecordBatch {
  readonly from: number;
  readonly items: readonly StepRecord[];
}

/** One run as the page shows it: everything of its state but the records, which come as a batch. */
export interface RunDelta {
  /** Stable while the run lives in the worker (ids follow positions and change when a run before it is removed). */
  readonly key: number;
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly spec: RunSpec;
  readonly divergedAt: number | null;
  readonly activation: string;
  readonly status: RunStatus;
  readonly message: string | null;
  readonly confusion: number[][] | null;
  readonly clip: RunSpec['clip'] | null;
  /** New records, or null when none came. */
  readonly records: RecordBatch | null;
  /** The decision boundary when it changed since the last state (null: none), else undefined. */
  readonly boundary?: RunView['boundary'];
}

/** The lab as the worker holds it, sent whenever it changed (at a bounded rate while training). */
export interface LabState {
  readonly lab: LabSpec;
  readonly playing: boolean;
  readonly canTrain: boolean;
  readonly step: number;
  readonly readBackStep: number | null;
  readonly backend: BackendStatus;
  readonly rates: ThroughputSample | null;
  readonly sizes: readonly number[];
  readonly dataShape: DataShape;
  /** Whether CSV data (rather than the built-in data set) is in use. */
  readonly csv: boolean;
  /** The data set the runs train on, when it changed since the last state (null: none yet), else undefined. */
  readonly dataset?: Dataset | null;
  readonly runs: readonly RunDelta[];
  /** Notices shown since the last state (worker ids) and those taken down. */
  readonly notices: { readonly added: readonly Notice[]; readonly removed: readonly number[] };
}

/** A message of the worker to the page. */
export type WorkerEvent =
  | { readonly v: typeof PROTOCOL_VERSION; readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly v: typeof PROTOCOL_VERSION; readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } }
  /**
   * `seen`: the id of the last command received before this state was taken; `seq`: the state's number (1, 2, …),
   * which the page sends back in a `drawn` command once it has drawn it.
   */
  | { readonly v: typeof PROTOCOL_VERSION; readonly type: 'state'; readonly seen: number; readonly seq: number; readonly state: LabState }
  | { readonly v: typeof PROTOCOL_VERSION; readonly type: 'fatal'; readonly message: string };

/** The event types, for validation. */
export const EVENT_TYPES = ['reply', 'state', 'fatal'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function need(ok: boolean, field: string, value: unknown, allowed: string): void {
  if (!ok) throw new ProtocolError(field, value, allowed);
}

/** A lab spec from a message: every field valid (parseLab finds no issue), else a ProtocolError naming the first bad one. */
function checkLab(field: string, v: unknown): LabSpec {
  need(isObject(v), field, v, 'a lab spec object');
  const parsed = parseLab(v as Record<string, unknown>);
  const first = parsed.issues[0];
  if (first) throw new ProtocolError(`${field}.${first.field}`, first.value, first.allowed);
  return parsed.value;
}

function checkDataset(field: string, v: unknown): void {
  need(isObject(v), field, v, 'a data set object');
  const d = v as Record<string, unknown>;
  need(d['x'] instanceof Float64Array, `${field}.x`, d['x'], 'a Float64Array');
  need(d['y'] instanceof Float64Array, `${field}.y`, d['y'], 'a Float64Array');
  for (const k of ['n', 'inputDim', 'outputDim']) need(isCount(d[k]) && (d[k] as number) > 0, `${field}.${k}`, d[k], 'a whole number ≥ 1');
  const n = d['n'] as number;
  need((d['x'] as Float64Array).length === n * (d['inputDim'] as number), `${field}.x`, `${(d['x'] as Float64Array).length} numbers`, `n × inputDim = ${n * (d['inputDim'] as number)}`);
  need((d['y'] as Float64Array).length === n * (d['outputDim'] as number), `${field}.y`, `${(d['y'] as Float64Array).length} numbers`, `n × outputDim = ${n * (d['outputDim'] as number)}`);
}

/** Check a command object (not its envelope); returns it typed, or throws a ProtocolError. */
export function checkCommand(cmd: unknown, field = 'cmd'): LabCommand {
  need(isObject(cmd), field, cmd, 'a command object');
  const c = cmd as Record<string, unknown>;
  const op = c['op'];
  need(typeof op === 'string' && (COMMAND_OPS as readonly string[]).includes(op), `${field}.op`, op, `one of ${COMMAND_OPS.join(', ')}`);
  if (typeof op === 'string' && op.startsWith('trainer-')) return checkTrainerCommand(field, c);
  switch (op as LabCommand['op']) {
    case 'start':
    case 'apply':
      return { op: op as 'start' | 'apply', lab: checkLab(`${field}.lab`, c['lab']) };
    case 'step':
      need(isCount(c['n']) && (c['n'] as number) >= 1, `${field}.n`, c['n'], 'a whole number ≥ 1');
      need(typeof c['logAll'] === 'boolean', `${field}.logAll`, c['logAll'], 'true or false');
      return { op: 'step', n: c['n'] as number, logAll: c['logAll'] as boolean };
    case 'remove-run':
      need(isCount(c['index']), `${field}.index`, c['index'], 'a run index, a whole number ≥ 0');
      return { op: 'remove-run', index: c['index'] as number };
    case 'load-run':
      need(typeof c['text'] === 'string', `${field}.text`, typeof c['text'] === 'string' ? '' : c['text'], 'the text of a run file');
      return { op: 'load-run', text: c['text'] as string };
    case 'drawn':
      need(isCount(c['seq']), `${field}.seq`, c['seq'], 'a state number, a whole number ≥ 0');
      return { op: 'drawn', seq: c['seq'] as number };
    case 'dismiss':
      need(isCount(c['notice']), `${field}.notice`, c['notice'], 'a notice id, a whole number ≥ 0');
      return { op: 'dismiss', notice: c['notice'] as number };
    case 'set-csv': {
      const csv = c['csv'];
      if (csv !== null) {
        need(isObject(csv), `${field}.csv`, csv, 'null or { dataset, info, name }');
        const o = csv as Record<string, unknown>;
        checkDataset(`${field}.csv.dataset`, o['dataset']);
        need(typeof o['name'] === 'string', `${field}.csv.name`, o['name'], 'a file name');
        need(isObject(o['info']), `${field}.csv.info`, o['info'], 'the CSV info object');
      }
      return { op: 'set-csv', csv: csv as CsvData | null };
    }
    case 'request': {
      const name = c['name'];
      need(typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name), `${field}.name`, name, `one of ${REQUEST_NAMES.join(', ')}`);
      need(isObject(c['args']), `${field}.args`, c['args'], 'an arguments object');
      const args = c['args'] as Record<string, unknown>;
      if (name === 'predict') {
        need(isCount(args['n']) && (args['n'] as number) >= 1, `${field}.args.n`, args['n'], 'a whole number ≥ 1');
        need(args['x'] instanceof Float64Array, `${field}.args.x`, args['x'], 'a Float64Array of n × inputDim numbers');
      }
      return { op: 'request', name, args } as LabCommand;
    }
    default:
      return { op } as LabCommand;
  }
}

/** Check a trainer-* command. */
function checkTrainerCommand(field: string, c: Record<string, unknown>): LabCommand {
  const op = c['op'] as LabCommand['op'];
  need(isCount(c['trainer']), `${field}.trainer`, c['trainer'], 'a trainer number, a whole number ≥ 0');
  const trainer = c['trainer'] as number;
  switch (op) {
    case 'trainer-create': {
      const s = c['setup'];
      need(isObject(s), `${field}.setup`, s, '{ models, data, schedule }');
      const setup = s as Record<string, unknown>;
      need(Array.isArray(setup['models']) && (setup['models'] as unknown[]).length > 0, `${field}.setup.models`, setup['models'], 'a list of model specs');
      (setup['models'] as unknown[]).forEach((m, i) => {
        const parsed = parseModel(m, `${field}.setup.models[${i}]`);
        if (!parsed.ok) throw new ProtocolError(parsed.issues[0]!.field, parsed.issues[0]!.value, parsed.issues[0]!.allowed);
      });
      const sched = parseSchedule(setup['schedule'], `${field}.setup.schedule`);
      if (!sched.ok) throw new ProtocolError(sched.issues[0]!.field, sched.issues[0]!.value, sched.issues[0]!.allowed);
      checkDataset(`${field}.setup.data`, setup['data']);
      return { op, trainer, setup: setup as unknown as TrainerSetup };
    }
    case 'trainer-advance':
      need(isCount(c['count']), `${field}.count`, c['count'], 'a whole number ≥ 0');
      need(typeof c['keepLastPass'] === 'boolean', `${field}.keepLastPass`, c['keepLastPass'], 'true or false');
      return { op, trainer, count: c['count'] as number, keepLastPass: c['keepLastPass'] as boolean };
    case 'trainer-step':
      need(typeof c['log'] === 'boolean', `${field}.log`, c['log'], 'true or false');
      return { op, trainer, log: c['log'] as boolean };
    case 'trainer-predict':
      need(isCount(c['n']) && (c['n'] as number) >= 1, `${field}.n`, c['n'], 'a whole number ≥ 1');
      need(c['x'] instanceof Float64Array, `${field}.x`, c['x'], 'a Float64Array of n × inputDim numbers');
      return { op, trainer, x: c['x'] as Float64Array, n: c['n'] as number };
    case 'trainer-read':
      need(c['what'] === 'parameters' || c['what'] === 'gradients', `${field}.what`, c['what'], 'parameters or gradients');
      return { op, trainer, what: c['what'] as 'parameters' | 'gradients' };
    default:
      return { op: 'trainer-dispose', trainer };
  }
}

/** A command message for posting (the command checked first, so that a bad one never leaves the page). */
export function encodeCommand(id: number, cmd: LabCommand): CommandMessage {
  need(isCount(id), 'id', id, 'a whole number ≥ 0');
  return { v: PROTOCOL_VERSION, id, cmd: checkCommand(cmd) };
}

/** A command message as received: checked field by field; a ProtocolError names what is wrong. */
export function decodeCommand(data: unknown): CommandMessage {
  need(isObject(data), 'message', data, 'a command message object');
  const m = data as Record<string, unknown>;
  need(m['v'] === PROTOCOL_VERSION, 'v', m['v'], `protocol version ${PROTOCOL_VERSION}`);
  need(isCount(m['id']), 'id', m['id'], 'a whole number ≥ 0');
  return { v: PROTOCOL_VERSION, id: m['id'] as number, cmd: checkCommand(m['cmd']) };
}

function checkRun(field: string, v: unknown): void {
  need(isObject(v), field, v, 'a run object');
  const r = v as Record<string, unknown>;
  need(isCount(r['key']), `${field}.key`, r['key'], 'a whole number ≥ 0');
  need(typeof r['id'] === 'string', `${field}.id`, r['id'], 'a run id');
  need(['active', 'diverged', 'stopped'].includes(r['status'] as string), `${field}.status`, r['status'], 'active, diverged or stopped');
  const recs = r['records'];
  if (recs !== null) {
    need(isObject(recs), `${field}.records`, recs, 'null or { from, items }');
    const b = recs as Record<string, unknown>;
    need(isCount(b['from']), `${field}.records.from`, b['from'], 'a whole number ≥ 0');
    need(Array.isArray(b['items']), `${field}.records.items`, b['items'], 'an array of step records');
  }
}

/** A worker message as received: checked; a ProtocolError names what is wrong. */
export function decodeEvent(data: unknown): WorkerEvent {
  need(isObject(data), 'message', data, 'a worker message object');
  const m = data as Record<string, unknown>;
  need(m['v'] === PROTOCOL_VERSION, 'v', m['v'], `protocol version ${PROTOCOL_VERSION}`);
  const type = m['type'];
  need(typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type), 'type', type, `one of ${EVENT_TYPES.join(', ')}`);
  if (type === 'reply') {
    need(isCount(m['id']), 'id', m['id'], 'a whole number ≥ 0');
    need(typeof m['ok'] === 'boolean', 'ok', m['ok'], 'true or false');
    if (m['ok'] === false) {
      const e = m['error'];
      need(isObject(e) && typeof e['name'] === 'string' && typeof e['message'] === 'string', 'error', e, '{ name, message }');
    }
  } else if (type === 'state') {
    need(isCount(m['seen']), 'seen', m['seen'], 'a whole number ≥ 0');
    need(isCount(m['seq']) && (m['seq'] as number) >= 1, 'seq', m['seq'], 'a whole number ≥ 1');
    need(isObject(m['state']), 'state', m['state'], 'a lab state object');
    const s = m['state'] as Record<string, unknown>;
    need(isObject(s['lab']), 'state.lab', s['lab'], 'a lab spec object');
    need(typeof s['playing'] === 'boolean', 'state.playing', s['playing'], 'true or false');
    need(Array.isArray(s['runs']), 'state.runs', s['runs'], 'an array of runs');
    (s['runs'] as unknown[]).forEach((r, i) => checkRun(`state.runs[${i}]`, r));
    const n = s['notices'];
    need(isObject(n) && Array.isArray(n['added']) && Array.isArray(n['removed']), 'state.notices', n, '{ added, removed }');
  } else {
    need(typeof m['message'] === 'string', 'message', m['message'], 'a text');
  }
  return data as WorkerEvent;
}

/** A reply to command `id`: its value, or the error it failed with (name and message kept). */
export function replyEvent(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): WorkerEvent {
  if (outcome.ok) return { v: PROTOCOL_VERSION, type: 'reply', id, ok: true, value: outcome.value };
  const e = outcome.error;
  const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
  return { v: PROTOCOL_VERSION, type: 'reply', id, ok: false, error };
}

/** An error of the worker as the page rethrows it (its name kept, e.g. ProtocolError or RangeError). */
export function remoteError(error: { name: string; message: string }): Error {
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}
