/**
 * Save and resume: on CPU f64, 200 steps in one go equal 100 steps, a save to the run file's text, a load into a
 * fresh trainer and 100 more, bit for bit (losses and weights), for every optimizer with mini-batches, batch norm and
 * clipping; and every bad file (truncated, newer version, wrong checksum, wrong shapes) is refused by name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { TRAIN_FLAGS, parseFlags, trainOptions } from '../../src/cli/args.js';
import { makeDataset } from '../../src/core/datasets.js';
import type { ExperimentSpec } from '../../src/core/spec.js';
import { CheckpointError, parseRun, serializeRun, sha256Hex } from '../../src/train/checkpoint.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';

/** The spec of `lab train` flags (every one with a value; a later flag replaces an earlier one). */
function specOf(flags: string): ExperimentSpec {
  const words = flags.split(' ');
  const byName = new Map<string, string>();
  for (let i = 0; i < words.length; i += 2) byName.set(words[i]!, words[i + 1]!);
  return trainOptions(parseFlags([...byName].flat(), TRAIN_FLAGS)).spec;
}

function trainerOf(spec: ExperimentSpec): Trainer {
  return new Trainer(createCpuBackend({ dtype: spec.schedule.dtype }), { models: [spec.model], data: makeDataset(spec.data), schedule: spec.schedule });
}

async function steps(t: Trainer, n: number, total: number, into: StepRecord[][]): Promise<void> {
  await t.run(n, (r) => into.push(r), total);
}

const BASE = '--dataset spiral --samples 90 --layers 8,8 --activation tanh --batch 16 --steps 200 --log-every 10 --seed 7';

const CASES = [
  ['sgd', `${BASE} --optimizer sgd --lr 0.1`],
  ['momentum', `${BASE} --optimizer momentum --lr 0.05`],
  ['nesterov + clip-norm', `${BASE} --optimizer nesterov --lr 0.05 --clip-norm 1`],
  ['rmsprop', `${BASE} --optimizer rmsprop --lr 0.01`],
  ['adam + batch norm', `${BASE} --optimizer adam --lr 0.01 --norm batch`],
  ['adam + layer norm', `${BASE} --optimizer adam --lr 0.01 --norm layer --clip-value 0.5`],
  // The dropout stream's state is its seed (in the spec) and the step; the schedule's position is the step.
  ['momentum + dropout + cosine with warm-up + weight decay', `${BASE} --optimizer momentum --lr 0.05 --dropout 0.3 --lr-schedule cosine:150:0.1 --lr-warmup 20 --weight-decay 0.01`],
  ['adam + dropout + step schedule + decoupled weight decay', `${BASE} --optimizer adam --lr 0.01 --dropout 0.2 --dropout-seed 3 --lr-schedule step:30:0.5 --decoupled-weight-decay 0.1`],
] as const;

describe('save and resume on CPU f64', () => {
  it.each(CASES)('%s: 200 steps ≡ 100, save, load, 100 (bit-identical)', async (_, flags) => {
    const spec = specOf(flags);
    expect(spec.schedule.dtype).toBe('f64');
    const whole = trainerOf(spec);
    const wholeRecs: StepRecord[][] = [];
    await steps(whole, 200, 200, wholeRecs);

    // 100 is not a multiple of the 90-row epoch nor of the 16-row batch: the save falls mid-permutation.
    const first = trainerOf(spec);
    const firstRecs: StepRecord[][] = [];
    await steps(first, 100, 200, firstRecs);
    const text = await serializeRun({ models: [spec.model], data: spec.data, schedule: spec.schedule, state: await first.exportState(), records: firstRecs });
    const run = await parseRun(text);
    expect(run.records.length).toBe(firstRecs.length);
    const resumed = new Trainer(createCpuBackend({ dtype: 'f64' }), { models: run.models, data: makeDataset(run.data), schedule: run.schedule });
    resumed.restoreState(run.state);
    expect(resumed.step).toBe(100);
    const restRecs: StepRecord[][] = [];
    await steps(resumed, 100, 200, restRecs);

    const losses = (rs: StepRecord[][]) => rs.map((r) => [r[0]!.step, r[0]!.loss, r[0]!.gradNormTotal]);
    expect(losses([...firstRecs, ...restRecs])).toEqual(losses(wholeRecs));
    const [a] = await whole.readParameters();
    const [b] = await resumed.readParameters();
    for (const k of ['weights', 'biases', 'gammas', 'runningMean', 'runningVar'] as const) {
      expect(b![k]?.map((v) => Array.from(v))).toEqual(a![k]?.map((v) => Array.from(v)));
    }
    // Without the optimizer state or the batch order, the run would differ: the test can fail.
    const fresh = trainerOf(spec);
    fresh.restoreState({ ...run.state, order: new Uint32Array(0), orderPos: 0 });
    await steps(fresh, 100, 200, []);
    const [c] = await fresh.readParameters();
    expect(Array.from(c!.weights[0]!)).not.toEqual(Array.from(a!.weights[0]!));
  });
});

describe('bad run files are refused by name and change nothing', () => {
  const spec = specOf(`${BASE} --optimizer adam --lr 0.01 --steps 20`);
  async function saved(): Promise<{ text: string; trainer: Trainer }> {
    const t = trainerOf(spec);
    await steps(t, 10, 20, []);
    return { text: await serializeRun({ models: [spec.model], data: spec.data, schedule: spec.schedule, state: await t.exportState(), records: [] }), trainer: t };
  }

  it('a truncated file', async () => {
    const { text } = await saved();
    await expect(parseRun(text.slice(0, text.length - 40))).rejects.toThrow(/not a complete JSON document \(truncated/);
  });

  it('a file from a newer version', async () => {
    const { text } = await saved();
    await expect(parseRun(text.replace('"version":1', '"version":2'))).rejects.toThrow(/version: the file is version 2, written by a newer Backprop Lab; this one reads versions up to 1/);
  });

  it('another format', async () => {
    const { text } = await saved();
    await expect(parseRun(text.replace('"backprop-lab-run"', '"other"'))).rejects.toThrow(/format: expected "backprop-lab-run", got "other"/);
  });

  it('a wrong checksum (one step count edited)', async () => {
    const { text } = await saved();
    const edited = text.replace('"step":10,', '"step":11,');
    expect(edited).not.toBe(text);
    await expect(parseRun(edited)).rejects.toThrow(/checksum: the file says "sha256:[0-9a-f]{64}" but its contents hash to sha256:[0-9a-f]{64}; the file was damaged or edited/);
    await expect(parseRun(text)).resolves.toBeTruthy();
  });

  it('mismatched shapes (a file of 8,8 into a trainer of 8,9) throw and leave the trainer as it was', async () => {
    const { text } = await saved();
    const run = await parseRun(text);
    const other = trainerOf(specOf(`${BASE} --optimizer adam --lr 0.01 --steps 20 --layers 8,9`));
    await steps(other, 3, 20, []);
    const before = await other.exportState();
    expect(() => other.restoreState(run.state)).toThrow(/model 0: weights\[1\] length \(8×9\): expected 72, got 64/);
    const after = await other.exportState();
    expect(after.step).toBe(3);
    expect(after.parameters).toEqual(before.parameters);
    expect(after.optimizer).toEqual(before.optimizer);
    expect(after.order).toEqual(before.order);
  });

  it('a state re-signed with a bad array length is refused by the trainer (optimizer moment)', async () => {
    const { text } = await saved();
    const doc = JSON.parse(text);
    doc.run.state.optimizer.first[0] = btoa('\0'.repeat(16)); // 2 values where W_0 (2×8) has 16
    doc.checksum = `sha256:${await sha256Hex(JSON.stringify(doc.run))}`;
    const run = await parseRun(JSON.stringify(doc));
    const t = trainerOf(spec);
    expect(() => t.restoreState(run.state)).toThrow(/optimizer first moment\[0\] length: expected 16, got 2/);
    expect(t.step).toBe(0);
  });

  it('a malformed array names its field', async () => {
    const { text } = await saved();
    const doc = JSON.parse(text);
    doc.run.state.order = 'AAA';
    doc.checksum = `sha256:${await sha256Hex(JSON.stringify(doc.run))}`;
    await expect(parseRun(JSON.stringify(doc))).rejects.toThrow(CheckpointError);
    await expect(parseRun(JSON.stringify(doc))).rejects.toThrow(/run\.state\.order/);
  });
});

describe('lab train --save / --resume / --npz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lab = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['scripts/lab.mjs', 'train', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const FLAGS = ['--dataset', 'spiral', '--samples', '90', '--layers', '8,8', '--activation', 'tanh', '--batch', '16', '--optimizer', 'adam', '--lr', '0.01', '--log-every', '10', '--seed', '7', '--json'];
  const stepLines = (out: string) => out.trim().split('\n').filter((l) => l.startsWith('{"step"'));

  it('200 steps ≡ 100, --save, --resume --steps 200: the same records and the same .npz bytes', { timeout: 300_000 }, () => {
    const whole = lab(...FLAGS, '--steps', '200', '--npz', join(dir, 'whole.npz'));
    expect(whole.code, whole.stderr).toBe(0);
    const first = lab(...FLAGS, '--steps', '100', '--save', join(dir, 'run.json'));
    expect(first.code, first.stderr).toBe(0);
    const rest = lab('--resume', join(dir, 'run.json'), '--steps', '200', '--json', '--npz', join(dir, 'resumed.npz'), '--save', join(dir, 'run2.json'));
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toContain('resumed from');
    // The whole run logs steps 0, 10, …, 190, 199; the resumed one 100, …, 190, 199, each the same line.
    expect(stepLines(rest.stdout)).toEqual(stepLines(whole.stdout).slice(10));
    expect(readFileSync(join(dir, 'resumed.npz')).equals(readFileSync(join(dir, 'whole.npz')))).toBe(true);
    const saved = JSON.parse(readFileSync(join(dir, 'run2.json'), 'utf8'));
    expect(saved.run.state.step).toBe(200);
    expect(saved.run.records.map((r: { step: number }[]) => r[0]!.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 199]);

    // Bad files and flags: exit 2, a message naming what is wrong.
    writeFileSync(join(dir, 'cut.json'), readFileSync(join(dir, 'run.json'), 'utf8').slice(0, 3000));
    const cut = lab('--resume', join(dir, 'cut.json'));
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/--resume .*cut\.json: run file: not a complete JSON document \(truncated/);
    const layers = lab('--resume', join(dir, 'run.json'), '--layers', '3');
    expect(layers.code).toBe(2);
    expect(layers.stderr).toMatch(/--layers cannot be given with --resume: the run file holds the spec/);
    const fewer = lab('--resume', join(dir, 'run.json'), '--steps', '50');
    expect(fewer.code).toBe(2);
    expect(fewer.stderr).toMatch(/--steps: 50 is fewer than the 100 steps the resumed run has taken/);
  });
});
