/**
 * The page ↔ training-worker protocol (src/ui/lab/trainer-protocol.ts): commands and events survive encoding and a
 * structured clone unchanged, and a malformed message is refused with a ProtocolError that names the field, the bad
 * value and what is allowed. The worker host (lab-worker-host.ts) answers such a message with that error and runs
 * nothing of it, and its replies come after the state that reflects the command.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { defaultLab } from '../../src/core/lab-spec.js';
import { deepStack } from '../../src/core/presets.js';
import { LocalLessonTrainer, TrainerChannel } from '../../src/ui/lessons/lesson-trainer.js';
import { WorkerLab, type WorkerPort } from '../../src/ui/lab/worker-lab.js';
import { FASTEST_FRAME_STEPS } from '../../src/ui/lab/cohort-steps.js';
import { LabWorkerHost, STATE_EVERY_MS } from '../../src/ui/lab/lab-worker-host.js';
import {
  decodeCommand,
  decodeEvent,
  encodeCommand,
  PROTOCOL_VERSION,
  ProtocolError,
  remoteError,
  replyEvent,
  type LabCommand,
  type WorkerEvent,
} from '../../src/ui/lab/trainer-protocol.js';
import { FakeClock } from './fake-clock.js';

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const lab = { ...defaultLab(), backend: 'cpu' as const, depth: 2, width: 4, samples: 20, logEvery: 2 };

describe('trainer protocol: commands', () => {
  const commands: LabCommand[] = [
    { op: 'start', lab },
    { op: 'apply', lab: { ...lab, speed: 5 } },
    { op: 'play' },
    { op: 'pause' },
    { op: 'step', n: 7, logAll: true },
    { op: 'reset' },
    { op: 'remove-run', index: 1 },
    { op: 'set-csv', csv: null },
    { op: 'read-parameters' },
    { op: 'lose-device' },
    { op: 'dismiss', notice: 3 },
    { op: 'request', name: 'predict', args: { x: new Float64Array([0.5, -0.25]), n: 1 } },
    { op: 'request', name: 'parameters', args: {} },
  ];

  it.each(commands.map((c) => [c.op, c] as const))('%s: encodes, clones and decodes to the same command', (_, cmd) => {
    const msg = encodeCommand(12, cmd);
    expect(msg).toEqual({ v: PROTOCOL_VERSION, id: 12, cmd });
    expect(decodeCommand(structuredClone(msg))).toEqual(msg);
  });

  it('carries CSV data with its arrays', () => {
    const dataset = { name: 'csv' as const, x: new Float64Array([1, 2, 3, 4]), y: new Float64Array([0, 1]), n: 2, inputDim: 2, outputDim: 1, task: 'binary' as const, classes: ['0', '1'] };
    const csv = { dataset, info: { features: ['a', 'b'], labelName: 'c', task: 'binary' as const, rows: 2, ranges: [[0, 1], [0, 1]] as [number, number][] }, name: 'two.csv' };
    const back = decodeCommand(structuredClone(encodeCommand(1, { op: 'set-csv', csv })));
    expect(back.cmd).toEqual({ op: 'set-csv', csv });
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'play', /^message: "play" is not allowed; expected a command message object$/],
    ['another version', { v: 2, id: 1, cmd: { op: 'play' } }, /^v: 2 is not allowed; expected protocol version 1$/],
    ['a negative id', { v: 1, id: -1, cmd: { op: 'play' } }, /^id: -1 is not allowed/],
    ['an unknown op', { v: 1, id: 1, cmd: { op: 'fly' } }, /^cmd\.op: "fly" is not allowed; expected one of start, apply, play/],
    ['a step of 0', { v: 1, id: 1, cmd: { op: 'step', n: 0, logAll: false } }, /^cmd\.n: 0 is not allowed; expected a whole number ≥ 1$/],
    ['a fractional step', { v: 1, id: 1, cmd: { op: 'step', n: 1.5, logAll: false } }, /^cmd\.n: 1\.5 is not allowed/],
    ['logAll missing', { v: 1, id: 1, cmd: { op: 'step', n: 2 } }, /^cmd\.logAll: nothing is not allowed; expected true or false$/],
    ['a lab with a bad depth', { v: 1, id: 1, cmd: { op: 'apply', lab: { ...lab, depth: -3 } } }, /^cmd\.lab\.depth: -3 is not allowed; expected an integer from 1 to 200$/],
    ['a lab with a bad speed', { v: 1, id: 1, cmd: { op: 'start', lab: { ...lab, speed: 2.5 } } }, /^cmd\.lab\.speed: 2\.5 is not allowed/],
    ['no lab', { v: 1, id: 1, cmd: { op: 'start' } }, /^cmd\.lab: nothing is not allowed; expected a lab spec object$/],
    ['a run index of -1', { v: 1, id: 1, cmd: { op: 'remove-run', index: -1 } }, /^cmd\.index: -1 is not allowed/],
    ['CSV x of the wrong length', { v: 1, id: 1, cmd: { op: 'set-csv', csv: { dataset: { x: new Float64Array(3), y: new Float64Array(2), n: 2, inputDim: 2, outputDim: 1 }, info: {}, name: 'a.csv' } } }, /^cmd\.csv\.dataset\.x: "3 numbers" is not allowed; expected n × inputDim = 4$/],
    ['CSV x as a plain array', { v: 1, id: 1, cmd: { op: 'set-csv', csv: { dataset: { x: [1, 2], y: new Float64Array(1), n: 1, inputDim: 2, outputDim: 1 }, info: {}, name: 'a.csv' } } }, /^cmd\.csv\.dataset\.x: \[1,2\] is not allowed; expected a Float64Array$/],
    ['an unknown request', { v: 1, id: 1, cmd: { op: 'request', name: 'weights', args: {} } }, /^cmd\.name: "weights" is not allowed; expected one of predict, parameters, threads$/],
    ['a prediction without rows', { v: 1, id: 1, cmd: { op: 'request', name: 'predict', args: { x: new Float64Array(2), n: 0 } } }, /^cmd\.args\.n: 0 is not allowed/],
  ];

  it.each(bad)('refuses %s with a ProtocolError naming the field', (_, msg, message) => {
    const e = thrown(() => decodeCommand(msg));
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).name).toBe('ProtocolError');
    expect((e as Error).message).toMatch(message);
  });

  it('encodeCommand refuses a bad command before it is posted', () => {
    expect(() => encodeCommand(1, { op: 'step', n: -2, logAll: false })).toThrow(ProtocolError);
    expect(() => encodeCommand(-1, { op: 'play' })).toThrow(/^id: -1 is not allowed/);
  });
});

describe('trainer protocol: events', () => {
  it('a reply carries the value, or the error with its name', () => {
    const ok = replyEvent(3, { ok: true, value: [1, 2] });
    expect(decodeEvent(structuredClone(ok))).toEqual({ v: 1, type: 'reply', id: 3, ok: true, value: [1, 2] });
    const failed = decodeEvent(structuredClone(replyEvent(4, { ok: false, error: new RangeError('step: expected 3') })));
    expect(failed).toEqual({ v: 1, type: 'reply', id: 4, ok: false, error: { name: 'RangeError', message: 'step: expected 3' } });
    const e = remoteError((failed as Extract<WorkerEvent, { ok: false }>).error);
    expect([e.name, e.message]).toEqual(['RangeError', 'step: expected 3']);
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown type', { v: 1, type: 'records' }, /^type: "records" is not allowed; expected one of reply, state, fatal$/],
    ['a reply without ok', { v: 1, type: 'reply', id: 1 }, /^ok: nothing is not allowed; expected true or false$/],
    ['a failed reply without its error', { v: 1, type: 'reply', id: 1, ok: false }, /^error: nothing is not allowed; expected \{ name, message \}$/],
    ['a state without runs', { v: 1, type: 'state', seen: 0, seq: 1, state: { lab, playing: false, notices: { added: [], removed: [] } } }, /^state\.runs: nothing is not allowed/],
    [
      'a run with a bad status',
      { v: 1, type: 'state', seen: 0, seq: 1, state: { lab, playing: false, runs: [{ key: 1, id: 'run0', status: 'lost', records: null }], notices: { added: [], removed: [] } } },
      /^state\.runs\[0\]\.status: "lost" is not allowed; expected active, diverged or stopped$/,
    ],
    [
      'a record batch without items',
      { v: 1, type: 'state', seen: 0, seq: 1, state: { lab, playing: false, runs: [{ key: 1, id: 'run0', status: 'active', records: { from: 0 } }], notices: { added: [], removed: [] } } },
      /^state\.runs\[0\]\.records\.items: nothing is not allowed/,
    ],
    ['a fatal without text', { v: 1, type: 'fatal' }, /^message: nothing is not allowed; expected a text$/],
  ];

  it.each(bad)('refuses %s with a ProtocolError', (_, msg, message) => {
    const e = thrown(() => decodeEvent(msg));
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toMatch(message);
  });
});

describe('the worker host', () => {
  /** A host on a fake clock, with the events it posts (each decoded as the page would). */
  function host() {
    const events: WorkerEvent[] = [];
    const clock = new FakeClock();
    const h = new LabWorkerHost((e) => events.push(decodeEvent(structuredClone(e))), () => clock);
    const reply = async (id: number) => {
      for (let i = 0; i < 10_000 && !events.some((e) => e.type === 'reply' && e.id === id); i++) await new Promise((r) => setTimeout(r, 0));
      return events.find((e) => e.type === 'reply' && e.id === id) as Extract<WorkerEvent, { type: 'reply' }>;
    };
    return { h, events, clock, reply };
  }

  it('answers a malformed command with a ProtocolError and runs nothing', async () => {
    const { h, events, reply } = host();
    h.receive({ v: 1, id: 5, cmd: { op: 'step', n: 0, logAll: false } });
    const r = await reply(5);
    expect(r).toMatchObject({ ok: false, error: { name: 'ProtocolError', message: expect.stringMatching(/^cmd\.n: 0 is not allowed/) } });
    expect(events.filter((e) => e.type === 'state')).toEqual([]);
    h.receive({ v: 1, id: 6, cmd: { op: 'play' } });
    expect(await reply(6)).toMatchObject({ ok: false, error: { name: 'ProtocolError', message: 'cmd.op: "play" is not allowed; expected start first' } });
  });

  it('starts, steps and resets; each reply follows the state that shows its effect', async () => {
    const { h, events, reply } = host();
    h.receive(encodeCommand(1, { op: 'start', lab }));
    expect(await reply(1)).toMatchObject({ ok: true });
    h.receive(encodeCommand(2, { op: 'step', n: 5, logAll: true }));
    expect(await reply(2)).toMatchObject({ ok: true });
    const i = events.findIndex((e) => e.type === 'reply' && e.id === 2);
    const state = events[i - 1]!;
    expect(state.type).toBe('state');
    if (state.type !== 'state') return;
    expect(state.seen).toBe(2);
    expect(state.state.step).toBe(5);
    // All records of the run so far, in batches: the first state replaced the (empty) list, later ones appended.
    const steps = (k: number) => {
      let list: number[] = [];
      for (const e of events) {
        if (e.type !== 'state') continue;
        const b = e.state.runs[k]!.records;
        if (b) list = [...list.slice(0, b.from), ...b.items.map((r) => r.step)];
      }
      return list;
    };
    expect(steps(0)).toEqual([0, 1, 2, 3, 4]);
    expect(steps(1)).toEqual([0, 1, 2, 3, 4]);
    h.receive(encodeCommand(3, { op: 'reset' }));
    await reply(3);
    expect(steps(0)).toEqual([]);
    h.receive(encodeCommand(4, { op: 'request', name: 'predict', args: { x: new Float64Array([0.1, 0.2, -0.3, 0.4]), n: 2 } }));
    const p = await reply(4);
    expect(p.ok && (p.value as { id: string; outputs: Float64Array }[]).map((o) => [o.id, o.outputs.length])).toEqual([['run0', 2], ['run1', 2]]);
  });

  it('at full speed a frame of the worker takes up to FASTEST_FRAME_STEPS steps; pause cancels the next frame', async () => {
    const { h, clock, reply } = host();
    h.receive(encodeCommand(1, { op: 'start', lab }));
    await reply(1);
    h.receive(encodeCommand(2, { op: 'play' }));
    await reply(2);
    clock.runFrame();
    // Queued behind the frame: the parameters after its steps (the clock stands still, so the CPU's time box never ends).
    h.receive(encodeCommand(3, { op: 'request', name: 'parameters', args: {} }));
    const r = await reply(3);
    expect(r.ok && (r.value as { step: number }[]).map((p) => p.step)).toEqual([FASTEST_FRAME_STEPS, FASTEST_FRAME_STEPS]);
    expect(clock.requestedFrames).toBe(1);
    h.receive(encodeCommand(4, { op: 'pause' }));
    await reply(4);
    expect(clock.requestedFrames).toBe(0);
  });
});

describe('flow control: the worker sends a state while training only once the page has drawn the last', () => {
  it('holds its states until drawn, then sends one with every record since (training goes on meanwhile)', async () => {
    const events: WorkerEvent[] = [];
    const clock = new FakeClock();
    const h = new LabWorkerHost((e) => events.push(decodeEvent(structuredClone(e))), () => clock);
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    };
    const states = () => events.filter((e): e is Extract<WorkerEvent, { type: 'state' }> => e.type === 'state');
    /** Frames and state periods, as time passes in the worker. */
    const run = async (periods: number) => {
      for (let i = 0; i < periods; i++) {
        clock.runFrame();
        await settle();
        clock.advance(STATE_EVERY_MS);
        await settle();
      }
    };
    const reply = async (id: number) => {
      for (let i = 0; i < 10_000 && !events.some((e) => e.type === 'reply' && e.id === id); i++) await new Promise((r) => setTimeout(r, 0));
    };
    h.receive(encodeCommand(1, { op: 'start', lab }));
    await reply(1);
    h.receive(encodeCommand(2, { op: 'play' }));
    await reply(2);
    const forced = states().length;
    expect(states().map((s) => s.seq)).toEqual(Array.from({ length: forced }, (_, i) => i + 1));
    await run(8);
    // The page has drawn nothing: no state goes, however long it trains.
    expect(states()).toHaveLength(forced);
    h.receive(encodeCommand(3, { op: 'drawn', seq: forced }));
    expect(events.some((e) => e.type === 'reply' && e.id === 3)).toBe(false);
    await run(8);
    // One state, then none until that one is drawn too.
    expect(states()).toHaveLength(forced + 1);
    const one = states().at(-1)!;
    expect(one.seq).toBe(forced + 1);
    expect(one.state.step).toBeGreaterThan(0);
    h.receive(encodeCommand(4, { op: 'drawn', seq: forced + 1 }));
    await run(1);
    expect(states()).toHaveLength(forced + 2);
    const two = states().at(-1)!;
    expect(two.state.step).toBeGreaterThan(one.state.step);
    // A drawn number beyond the last state sent does not open the gate for states not yet drawn.
    h.receive(encodeCommand(5, { op: 'drawn', seq: 1000 }));
    await run(1);
    const n = states().length;
    await run(3);
    expect(states().length).toBeLessThanOrEqual(n + 1);
    // The state before the pause's reply goes whatever was drawn, and the batches join into the worker's whole list.
    h.receive(encodeCommand(6, { op: 'pause' }));
    await reply(6);
    let list: number[] = [];
    for (const s of states()) {
      const b = s.state.runs[0]!.records;
      if (b) list = [...list.slice(0, b.from), ...b.items.map((r) => r.step)];
    }
    const worker = (h as unknown as { controller: { runs: { records: { step: number }[] }[] } }).controller;
    expect(list.length).toBeGreaterThan(10);
    expect(list).toEqual(worker.runs[0]!.records.map((r) => r.step));
  });

  it('a fatal message stops the page’s worker (and the threads lent to it) and says so in a notice', () => {
    let terminated = 0;
    const port: WorkerPort = { onmessage: null, onerror: null, postMessage: () => undefined, terminate: () => void terminated++ };
    const host = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
    const page = new WorkerLab(host, lab, port, () => undefined);
    expect(terminated).toBe(0);
    port.onmessage!({ data: { v: 1, type: 'fatal', message: 'out of memory' } } as MessageEvent);
    expect(terminated).toBe(1);
    expect(page.notices.map((n) => n.text).join('\n')).toContain('the training worker failed (out of memory)');
    port.onmessage!({ data: { v: 1, type: 'fatal', message: 'again' } } as MessageEvent);
    expect(terminated).toBe(1);
  });

  it('the page answers drawn once per frame, with the number of the latest state it took', () => {
    const posted: unknown[] = [];
    const port: WorkerPort = { onmessage: null, onerror: null, postMessage: (m) => posted.push(m) };
    const frames: (() => void)[] = [];
    const host = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
    const page = new WorkerLab(host, lab, port, (fn) => frames.push(fn));
    const worker = new LabWorkerHost(() => undefined, () => new FakeClock());
    const state = (seq: number, step: number) => ({
      v: 1,
      type: 'state',
      seen: 0,
      seq,
      state: { lab, playing: true, canTrain: true, step, readBackStep: null, backend: page.backendStatus, rates: null, sizes: [], dataShape: page.dataShape, csv: false, runs: [], notices: { added: [], removed: [] } },
    });
    port.onmessage!({ data: state(1, 10) } as MessageEvent);
    port.onmessage!({ data: state(2, 20) } as MessageEvent);
    expect(page.step).toBe(20);
    expect(posted).toEqual([]);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(posted).toHaveLength(1);
    const cmd = decodeCommand(posted[0]);
    expect(cmd.cmd).toEqual({ op: 'drawn', seq: 2 });
    // The worker takes it without a reply.
    worker.receive(cmd);
    port.onmessage!({ data: state(3, 30) } as MessageEvent);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(decodeCommand(posted[1]).cmd).toEqual({ op: 'drawn', seq: 3 });
  });

  it('refuses a drawn command without its state number', () => {
    expect(() => decodeCommand({ v: 1, id: 1, cmd: { op: 'drawn' } })).toThrow(/^cmd\.seq: nothing is not allowed; expected a state number/);
  });
});

describe('lesson trainers through the worker host', () => {
  /** A TrainerChannel wired to a LabWorkerHost in this process, every message structured-cloned as postMessage does. */
  function channel(): TrainerChannel {
    const port: WorkerPort = { onmessage: null, onerror: null, postMessage: (m) => host.receive(structuredClone(m)) };
    const host = new LabWorkerHost((e) => port.onmessage?.({ data: structuredClone(e) } as MessageEvent), () => new FakeClock());
    return new TrainerChannel(port);
  }

  const spec = deepStack('sigmoid', 3, 8);
  const setup = { models: [spec.model, deepStack('relu', 3, 8).model], data: makeDataset({ ...spec.data, samples: 50 }), schedule: { ...spec.schedule, steps: 30, logEvery: 4, dtype: 'f64' as const } };

  it('advance, stepOnce, predict and the reads answer exactly what the in-page trainer answers (CPU f64)', async () => {
    const remote = channel().trainer(setup);
    const backend = createCpuBackend({ dtype: 'f64' });
    const local = new LocalLessonTrainer(backend, setup);
    for (const t of [remote, local]) expect(t.step).toBe(0);
    const a = await Promise.all([remote.advance(10, true), local.advance(10, true)]);
    expect(a[0]).toEqual(a[1]);
    expect(a[0].records.map((r) => r[0]!.step)).toEqual([0, 4, 8]);
    expect([remote.step, local.step]).toEqual([10, 10]);
    const s = await Promise.all([remote.stepOnce(true), local.stepOnce(true)]);
    expect(s[0]).toEqual(s[1]);
    const x = new Float64Array([0.3, -0.2, 0.9, 0.1]);
    expect(await remote.predict(x, 2)).toEqual(await local.predict(x, 2));
    expect(await remote.readParameters()).toEqual(await local.readParameters());
    expect(await remote.readGradients()).toEqual(await local.readGradients());
    // To the schedule's end (30 steps), with the last step's forward pass.
    const end = await Promise.all([remote.advance(100, true), local.advance(100, true)]);
    expect(end[0]).toEqual(end[1]);
    expect(end[0].step).toBe(30);
    expect(end[0].lastPass).toHaveLength(50);
    remote.dispose();
    local.dispose();
    backend.destroy();
  });

  it('a trainer that was never made, or a bad setup, is refused by name', async () => {
    const ch = channel();
    await expect(ch.send({ op: 'trainer-advance', trainer: 7, count: 1, keepLastPass: false })).rejects.toThrow(/^cmd\.trainer: 7 is not allowed; expected a trainer made with trainer-create/);
    const bad = ch.trainer({ ...setup, schedule: { ...setup.schedule, logEvery: 0 } });
    await expect(bad.advance(1, false)).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringMatching(/^cmd\.setup\.schedule\.logEvery: 0 is not allowed/) });
  });
});
