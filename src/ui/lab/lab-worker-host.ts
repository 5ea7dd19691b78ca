/**
 * The training side of the lab worker: a LabController (the same one the page would run) driven by the commands of
 * trainer-protocol.ts, and the state the page draws from sent back in batches at a bounded rate — every
 * STATE_EVERY_MS at most while something changes (new records, status, notices, boundaries), and once before every
 * reply, so that a command's effects are on the page when its promise resolves. Records go as appends to each run's
 * list (the whole list again only after it was thinned, cut back or reset).
 */
import type { ReactiveControllerHost } from 'lit';
import type { Dataset } from '../../core/datasets.js';
import type { LabSpec } from '../../core/lab-spec.js';
import type { StepRecord } from '../../train/records.js';
import type { RunView } from '../run-view.js';
import type { LabClock } from './lab-clock.js';
import { LabController } from './lab-controller.js';
import type { RunState } from './run-state.js';
import { TrainerHost } from './trainer-host.js';
import {
  decodeCommand,
  PROTOCOL_VERSION,
  ProtocolError,
  replyEvent,
  type CommandMessage,
  type LabCommand,
  type LabState,
  type RecordBatch,
  type RunDelta,
  type WorkerEvent,
} from './trainer-protocol.js';

/**
 * Milliseconds between state messages at most while training (20 a second): each asks the page for one render, and
 * the charts redraw from all records, so this bounds the page's drawing whatever the step rate (page-bench: the
 * default lab's page took about 220 ms of main-thread CPU a second at 30 a second). Besides, a state goes only when
 * the page has drawn the one before (its `drawn` command): a page slower than this rate, or one whose main thread is
 * busy for a while, gets fewer, larger batches, never a queue of states it cannot work off.
 */
export const STATE_EVERY_MS = 50;

/** Milliseconds between frames in slow motion (speed ≥ 1), where a frame mostly finds no step due. */
export const SLOW_FRAME_MS = 10;

/** What was last sent of one run. */
interface SentRun {
  readonly key: number;
  list: readonly StepRecord[] | null;
  count: number;
  boundary: RunView['boundary'] | undefined;
}

/**
 * The worker's clock: performance.now; at full speed (`speed()` 0) frames and zero sleeps run as soon as the
 * messages already queued have been handled (a MessageChannel, not setTimeout's clamped 4 ms); in slow motion a frame
 * every SLOW_FRAME_MS.
 */
export function workerClock(speed: () => number): LabClock {
  const channel = new MessageChannel();
  const due = new Map<number, () => void>();
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  channel.port1.onmessage = (e: MessageEvent<number>) => {
    const fn = due.get(e.data);
    due.delete(e.data);
    fn?.();
  };
  const soon = (fn: () => void): number => {
    const id = next++;
    due.set(id, fn);
    channel.port2.postMessage(id);
    return id;
  };
  return {
    now: () => performance.now(),
    requestFrame: (fn) => {
      if (speed() <= 0) return soon(fn);
      const id = next++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          fn();
        }, SLOW_FRAME_MS),
      );
      return id;
    },
    cancelFrame: (id) => {
      due.delete(id);
      const t = timers.get(id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(id);
    },
    sleep: (ms) => new Promise((resolve) => (ms <= 0 ? soon(resolve) : setTimeout(resolve, ms))),
  };
}

/** Runs a LabController for the page at the other end of `post`. */
export class LabWorkerHost {
  private controller: LabController | null = null;
  /** Id of the last command received. */
  private seen = 0;
  private readonly sent = new WeakMap<RunState, SentRun>();
  private nextKey = 1;
  private sentNotices = new Set<number>();
  private sentDataset: Dataset | null | undefined = undefined;
  private sentLab: LabSpec | null = null;
  private lastKey = '';
  private ticking = false;
  /** Number of the last state sent, and of the last one the page has drawn. */
  private sentSeq = 0;
  private drawnSeq = 0;
  /** The single trainers of the trainer-* commands (the lessons'). */
  private readonly trainers = new TrainerHost();

  /** `post` sends a message to the page; `clock` times the lab and the state messages (`makeClock` gets the lab's speed). */
  constructor(
    private readonly post: (event: WorkerEvent) => void,
    private readonly makeClock: (speed: () => number) => LabClock = workerClock,
  ) {}

  /** Handle one message of the page: a malformed one is answered with a ProtocolError and changes nothing. */
  receive(data: unknown): void {
    let msg: CommandMessage;
    try {
      msg = decodeCommand(data);
    } catch (e) {
      const raw = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
      this.post(replyEvent(typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : 0, { ok: false, error: e }));
      return;
    }
    if (msg.cmd.op === 'drawn') {
      this.drawnSeq = Math.max(this.drawnSeq, Math.min(msg.cmd.seq, this.sentSeq));
      return;
    }
    this.seen = Math.max(this.seen, msg.id);
    // play and pause take effect here, before anything else queued in the worker runs.
    this.run(msg.cmd).then(
      (value) => {
        this.flush(true);
        this.post(replyEvent(msg.id, { ok: true, value }));
      },
      (error: unknown) => {
        this.flush(true);
        this.post(replyEvent(msg.id, { ok: false, error }));
      },
    );
  }

  private async run(cmd: LabCommand): Promise<unknown> {
    if ('trainer' in cmd) return this.trainers.run(cmd);
    if (cmd.op === 'start') {
      if (this.controller) throw new ProtocolError('cmd.op', cmd.op, 'one start per worker');
      const host: ReactiveControllerHost = {
        addController: () => undefined,
        removeController: () => undefined,
        requestUpdate: () => undefined,
        updateComplete: Promise.resolve(true),
      };
      const c = new LabController(host, cmd.lab, this.makeClock(() => this.controller?.lab.speed ?? 0));
      this.controller = c;
      void this.tick();
      await c.start();
      return null;
    }
    const c = this.controller;
    if (!c) throw new ProtocolError('cmd.op', cmd.op, 'start first');
    switch (cmd.op) {
      case 'apply':
        return c.apply(cmd.lab).then(() => null);
      case 'play':
        c.play();
        return null;
      case 'pause':
        c.pause();
        return null;
      case 'step':
        return c.stepBy(cmd.n, cmd.logAll).then(() => null);
      case 'reset':
        return c.reset().then(() => null);
      case 'remove-run':
        return c.removeRun(cmd.index).then(() => null);
      case 'set-csv':
        return c.setCsv(cmd.csv ? { dataset: cmd.csv.dataset, info: cmd.csv.info, name: cmd.csv.name } : null);
      case 'read-parameters':
        return c.parameters();
      case 'lose-device':
        return c.loseDevice();
      case 'dismiss':
        c.dismiss(cmd.notice);
        return null;
      case 'save-run':
        return c.saveRun();
      case 'load-run':
        return c.loadRun(cmd.text).then(() => null);
      case 'sync':
        return c.settled().then(() => null);
      case 'request':
        if (cmd.name === 'predict') return c.predict(cmd.args.x, cmd.args.n);
        if (cmd.name === 'threads') return c.threadUse();
        return c.parameters();
    }
  }

  /**
   * Send the state every STATE_EVERY_MS while it changes (between the lab's frames and multi-step pauses), once the
   * page has drawn the last one sent.
   */
  private async tick(): Promise<void> {
    if (this.ticking || !this.controller) return;
    this.ticking = true;
    const clock = this.makeClock(() => 1);
    for (;;) {
      await clock.sleep(STATE_EVERY_MS);
      if (this.drawnSeq >= this.sentSeq) this.flush(false);
    }
  }

  /** Post the state if anything changed since the last (always when `force`). */
  flush(force: boolean): void {
    const c = this.controller;
    if (!c) return;
    const runs = c.runs.map((r) => this.runDelta(r));
    const items = c.notices;
    const ids = new Set(items.map((n) => n.id));
    const added = items.filter((n) => !this.sentNotices.has(n.id));
    const removed = [...this.sentNotices].filter((id) => !ids.has(id));
    this.sentNotices = ids;
    const data = c.dataset;
    const dataset = data !== this.sentDataset ? data : undefined;
    this.sentDataset = data;
    const b = c.backendStatus;
    const rates = c.rates;
    const key = [
      c.version,
      c.playing,
      c.canTrain,
      c.step,
      c.readBackStep,
      b.kind,
      b.name,
      b.reason,
      rates?.at ?? '',
      c.csv ? c.csv.name : '',
      JSON.stringify(runs.map((r) => [r.key, r.label, r.status, r.message, r.divergedAt, r.confusion])),
    ].join('|');
    const labChanged = c.lab !== this.sentLab;
    this.sentLab = c.lab;
    const changed = labChanged || key !== this.lastKey || added.length > 0 || removed.length > 0 || dataset !== undefined || runs.some((r) => r.records || r.boundary !== undefined);
    this.lastKey = key;
    if (!changed && !force) return;
    const state: LabState = {
      lab: c.lab,
      playing: c.playing,
      canTrain: c.canTrain,
      step: c.step,
      readBackStep: c.readBackStep,
      backend: { ...b },
      rates,
      sizes: [...c.sizes],
      dataShape: c.dataShape,
      csv: c.csv !== null,
      ...(dataset !== undefined ? { dataset } : {}),
      runs,
      notices: { added, removed },
    };
    this.post({ v: PROTOCOL_VERSION, type: 'state', seen: this.seen, seq: ++this.sentSeq, state });
  }

  /** One run's state, with its records and boundary since the last state. */
  private runDelta(r: RunState): RunDelta & { key: number } {
    let s = this.sent.get(r);
    if (!s) {
      s = { key: this.nextKey++, list: null, count: 0, boundary: undefined };
      this.sent.set(r, s);
    }
    let records: RecordBatch | null = null;
    if (s.list !== r.records || r.records.length < s.count) records = { from: 0, items: r.records.slice() };
    else if (r.records.length > s.count) records = { from: s.count, items: r.records.slice(s.count) };
    s.list = r.records;
    s.count = r.records.length;
    const boundaryChanged = r.boundary !== s.boundary;
    s.boundary = r.boundary;
    return {
      key: s.key,
      id: r.id,
      label: r.label,
      color: r.color,
      spec: r.spec,
      divergedAt: r.divergedAt,
      activation: r.activation,
      status: r.status,
      message: r.message,
      confusion: r.confusion,
      clip: r.clip,
      records,
      ...(boundaryChanged ? { boundary: r.boundary } : {}),
    };
  }
}
