/**
 * Save run and Load run in the built app (headless Chromium, CPU f64, through the training worker): a run saved at
 * step 20, loaded back after training on, continues with exactly the records the unbroken run had (every number, the
 * distribution quantiles included);
 * the file is the CLI's run format (`format`, `version`, checksum) plus the lab's settings; a damaged file is refused
 * with a notice naming the checksum, and nothing changes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ElementHandle, Page } from 'puppeteer-core';
import { type AppSession, openApp } from './harness.js';
import { clean, click, noticeShown, notices, ready } from './lab-page.js';

let app: AppSession | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Every run's records as plain numbers, for exact comparison. */
async function records(page: Page): Promise<unknown[][]> {
  return page.evaluate(() => window.__lab!.records().map((r) => r.records.map((x) => ({ ...x, distributions: x.distributions ? Array.from(x.distributions) : null }))));
}

/** Click Save run and return the text of the file it downloads (the Blob handed to URL.createObjectURL). */
async function saveRun(page: Page): Promise<string> {
  await page.evaluate(() => {
    const w = window as unknown as { __saved: string | null };
    w.__saved = null;
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (b: Blob | MediaSource) => {
      if (b instanceof Blob) void b.text().then((t) => (w.__saved = t));
      return create(b);
    };
  });
  await click(page, ['bp-app', 'bp-data-panel'], 'button[name=save-run]');
  await page.waitForFunction(() => (window as unknown as { __saved: string | null }).__saved !== null);
  return page.evaluate(() => (window as unknown as { __saved: string }).__saved);
}

/** Choose `text` as a file in the Load run input. */
async function loadRun(page: Page, text: string, name: string): Promise<void> {
  dir ??= await mkdtemp(join(tmpdir(), 'backprop-lab-run-'));
  const file = join(dir, name);
  await writeFile(file, text);
  const input = (await page.evaluateHandle(() =>
    document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-data-panel')!.shadowRoot!.querySelector('input[name=run-file]'),
  )) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
}

describe('Save run and Load run', () => {
  it('a run saved at step 20 and loaded back continues exactly as the unbroken run (CPU f64)', async () => {
    app = await openApp('/?backend=cpu&dtype=f64&depth=5&width=12&samples=80&dataset=spiral&logEvery=1&batch=16');
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(20));
    const saved = await saveRun(page);
    const doc = JSON.parse(saved) as { format: string; version: number; checksum: string; run: { state: { step: number } }; lab: { depth: number } };
    expect([doc.format, doc.version, doc.run.state.step, doc.lab.depth]).toEqual(['backprop-lab-run', 1, 20, 5]);
    expect(doc.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The unbroken run: 15 more steps (mini-batches of 16, so the batch order stream matters too).
    await page.evaluate(() => window.__lab!.step(15));
    const unbroken = await records(page);
    expect(unbroken.map((r) => r.length)).toEqual([35, 35]);

    await loadRun(page, saved, 'run.json');
    await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length === 20));
    await noticeShown(page, 'Loaded run.json: the runs go on from step 20');
    await page.evaluate(() => window.__lab!.step(15));
    const continued = await records(page);
    expect(continued).toEqual(unbroken);

    // A damaged file (one character of the weights changed) is refused by its checksum; the runs stay as they are.
    const at = saved.indexOf('"parameters":') + 40;
    const damaged = saved.slice(0, at) + (saved[at] === 'A' ? 'B' : 'A') + saved.slice(at + 1);
    await loadRun(page, damaged, 'damaged.json');
    await page.waitForFunction(() => window.__lab!.notices().some((n) => /damaged\.json was not loaded/.test(n.text)));
    expect(await notices(page)).toMatch(/damaged\.json was not loaded: checksum: .* the file was damaged or edited/);
    expect(await records(page)).toEqual(continued);
    clean(app);
  });

  it('on WebGPU (f32) a loaded run continues as the unbroken run within f32 tolerance', async () => {
    app = await openApp('/?backend=webgpu&depth=4&width=16&samples=80&dataset=spiral&logEvery=1&batch=16', { webgpu: true });
    const { page } = app;
    await ready(page);
    expect(await page.evaluate(() => window.__lab!.backendInfo().kind)).toBe('webgpu');
    await page.evaluate(() => window.__lab!.step(10));
    const saved = await saveRun(page);
    await page.evaluate(() => window.__lab!.step(10));
    const unbroken = (await records(page)) as { step: number; loss: number }[][];
    await loadRun(page, saved, 'gpu-run.json');
    await page.waitForFunction(() => window.__lab!.records().every((r) => r.records.length === 10));
    await page.evaluate(() => window.__lab!.step(10));
    const continued = (await records(page)) as { step: number; loss: number }[][];
    expect(continued.map((r) => r.map((x) => x.step))).toEqual(unbroken.map((r) => r.map((x) => x.step)));
    continued.forEach((run, m) =>
      run.forEach((rec, i) => {
        const want = unbroken[m]![i]!.loss;
        expect(Math.abs(rec.loss - want), `run ${m + 1} step ${rec.step}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
      }),
    );
    clean(app);
  });

  it('Weights .npz: np.load reads every run\'s arrays, equal to the Weights JSON export (CPU f64)', async () => {
    app = await openApp('/?backend=cpu&dtype=f64&depth=3&width=6&samples=40&dataset=spiral&logEvery=1');
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(4));
    const grab = async (button: string): Promise<string> => {
      await page.evaluate(() => {
        const w = window as unknown as { __blob: string | null };
        w.__blob = null;
        const create = URL.createObjectURL.bind(URL);
        URL.createObjectURL = (b: Blob | MediaSource) => {
          if (b instanceof Blob) {
            void b.arrayBuffer().then((buf) => {
              let bin = '';
              for (const byte of new Uint8Array(buf)) bin += String.fromCharCode(byte);
              w.__blob = btoa(bin);
            });
          }
          return create(b);
        };
      });
      await click(page, ['bp-app', 'bp-data-panel'], `button[name=${button}]`);
      await page.waitForFunction(() => (window as unknown as { __blob: string | null }).__blob !== null);
      return page.evaluate(() => (window as unknown as { __blob: string }).__blob);
    };
    const npz = Buffer.from(await grab('weights-npz'), 'base64');
    const json = JSON.parse(Buffer.from(await grab('weights-json'), 'base64').toString('utf8')) as { runs: { layers: { weights: number[][]; biases: number[] }[] }[] };
    dir ??= await mkdtemp(join(tmpdir(), 'backprop-lab-run-'));
    const file = join(dir, 'weights.npz');
    await writeFile(file, npz);
    const py = 'import json, sys, numpy as np\nz = np.load(sys.argv[1])\nprint(json.dumps({k: z[k].tolist() for k in z.files}))';
    const arrays = JSON.parse(execFileSync('python3', ['-c', py, file], { encoding: 'utf8' })) as Record<string, number[] | number[][]>;
    expect(Object.keys(arrays).sort()).toEqual(['run1_W0', 'run1_W1', 'run1_W2', 'run1_W3', 'run1_b0', 'run1_b1', 'run1_b2', 'run1_b3', 'run2_W0', 'run2_W1', 'run2_W2', 'run2_W3', 'run2_b0', 'run2_b1', 'run2_b2', 'run2_b3']);
    json.runs.forEach((run, r) =>
      run.layers.forEach((layer, l) => {
        expect(arrays[`run${r + 1}_W${l}`]).toEqual(layer.weights);
        expect(arrays[`run${r + 1}_b${l}`]).toEqual(layer.biases);
      }),
    );
    expect((arrays['run1_W0'] as number[][]).map((row) => row.length)).toEqual([6, 6]);
    clean(app);
  });

  it('runs in separate trainers after a per-run change cannot be saved, and the notice says how to fix it', async () => {
    app = await openApp('/?backend=cpu&depth=3&width=8&samples=40&dataset=spiral&logEvery=1');
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(3));
    // Run 2 alone back to its initial weights: it trains in a trainer of its own from then on.
    await page.evaluate(async () => {
      const el = document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')[1]!;
      el.dispatchEvent(new CustomEvent('bp-run-patch', { detail: { index: 1, patch: { gain: 2 } }, bubbles: true, composed: true }));
    });
    await page.waitForFunction(() => window.__lab!.records()[1]!.records.length === 0);
    await click(page, ['bp-app', 'bp-data-panel'], 'button[name=save-run]');
    await page.waitForFunction(() => window.__lab!.notices().some((n) => /^Save run:/.test(n.text)));
    expect(await notices(page)).toContain('press Reset to train them together again, then save');
    expect(app.pageErrors).toEqual([]);
  });
});
