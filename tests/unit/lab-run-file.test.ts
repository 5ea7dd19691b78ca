/**
 * The lab's run file (src/ui/lab/lab-run-file.ts): the CLI's run format plus the lab's settings. The CLI's reader
 * takes it as it is (`lab train --resume`); the lab refuses, naming the problem, a file without lab settings, with
 * settings that do not give the saved models, or damaged; a loaded run goes on exactly as the unbroken one (CPU f64).
 */
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { defaultLab } from '../../src/core/lab-spec.js';
import { CheckpointError, parseRun, serializeRun } from '../../src/train/checkpoint.js';
import { LabController } from '../../src/ui/lab/lab-controller.js';
import { parseLabRun } from '../../src/ui/lab/lab-run-file.js';
import { FakeClock } from './fake-clock.js';

const host: ReactiveControllerHost = { addController: () => undefined, removeController: () => undefined, requestUpdate: () => undefined, updateComplete: Promise.resolve(true) };
const lab = { ...defaultLab(), backend: 'cpu' as const, dtype: 'f64' as const, depth: 3, width: 6, samples: 40, logEvery: 3, batch: 8 };

async function started(): Promise<LabController> {
  const c = new LabController(host, lab, new FakeClock());
  await c.start();
  return c;
}

describe('the lab run file', () => {
  it('is read by the CLI as a run file, and loads back to go on exactly as the unbroken run', async () => {
    const c = await started();
    await c.stepBy(10, false);
    const text = await c.saveRun();
    const run = await parseRun(text);
    expect(run.state.step).toBe(10);
    expect(run.models).toHaveLength(2);
    await c.stepBy(8, false);
    const unbroken = c.runs.map((r) => r.records.map((x) => ({ ...x })));
    await c.loadRun(text);
    expect(c.step).toBe(10);
    await c.stepBy(8, false);
    expect(c.runs.map((r) => r.records)).toEqual(unbroken);
  });

  it('refuses a CLI file without lab settings, settings that do not give the saved models, and a damaged file', async () => {
    const c = await started();
    await c.stepBy(2, false);
    const text = await c.saveRun();
    const cli = await serializeRun(await parseRun(text));
    await expect(parseLabRun(cli)).rejects.toThrow(/^lab: the file has no lab settings/);
    const doc = JSON.parse(text) as { lab: { width: number } };
    const other = JSON.stringify({ ...doc, lab: { ...doc.lab, width: 7 } });
    await expect(parseLabRun(other)).rejects.toThrow(/^lab: run 1's settings do not give the saved model 1$/);
    const cut = text.slice(0, text.length - 20);
    const e = await parseLabRun(cut).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(/^run file: not a complete JSON document/);
    // Nothing changed by the refused loads.
    await expect(c.loadRun(other)).rejects.toThrow(CheckpointError);
    expect(c.step).toBe(2);
  });
});
