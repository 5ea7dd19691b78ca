/**
 * The mitigation switches, the theory line and the depth sweep in the built lab app (headless Chromium, CPU):
 * optimizer and clipping set through a run's controls reach the URL and the trainer (records equal a Node
 * Trainer on the same spec, and differ from plain SGD), clipping markers sit at the steps where clipping acted
 * (clipFactor = max/‖g‖, closed form), the gradient profile's dashed theory line carries the χ of
 * src/core/theory.ts and falls by √χ per layer, and the depth sweep draws its points.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec, modelSpec, scheduleSpec, type LabSpec } from '../../src/core/lab-spec.js';
import { chi, dataMeanSquare, sigmaW2For } from '../../src/core/theory.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';
import { type AppSession, openApp } from './harness.js';
import { clean, ready, RUN, setField, text } from './lab-page.js';

let app: AppSession | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// Plain SGD at 0.1 (the runs named without `opt`): the case the mitigation switches are set against.
const URL_SMALL = '/?backend=cpu&depth=20&width=32&samples=200&dataset=spiral&logEvery=5&lr=0.1&act=sigmoid,relu';

const GRID = ['bp-app', 'bp-chart-grid'];

async function records(page: Page): Promise<{ label: string; records: StepRecord[] }[]> {
  return page.evaluate(() => window.__lab!.records());
}

/** The same run trained by a Node Trainer on the CPU backend (the oracle of the app's plumbing). */
async function nodeRecords(lab: LabSpec, run: number, steps: number): Promise<StepRecord[]> {
  const backend = createCpuBackend({ dtype: lab.dtype, threads: 1 });
  const trainer = new Trainer(backend, { models: [modelSpec(lab, lab.runs[run]!, builtinShape(lab))], data: makeDataset(dataSpec(lab)), schedule: scheduleSpec(lab) });
  const out: StepRecord[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await trainer.stepOnce(s % lab.logEvery === 0 || s === steps - 1);
    if (r) out.push(r[0]!);
  }
  trainer.dispose();
  backend.destroy();
  return out;
}

describe('mitigation switches per run', () => {
  it('optimizer adam and norm clipping set through the controls: URL, reset of that run only, trainer, clip markers', async () => {
    app = await openApp(URL_SMALL, { viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(6));
    await page.evaluate(() => {
      const rc = document.querySelector('bp-app')!.shadowRoot!.querySelectorAll('bp-run-controls')[1]!;
      rc.shadowRoot!.querySelector('details')!.open = true;
    });
    await setField(page, RUN(1), 'select[name=optimizer]', 'adam');
    await page.waitForFunction(() => window.__lab!.lab().runs[1]!.optimizer === 'adam');
    await setField(page, RUN(1), 'select[name=clip]', 'norm');
    await page.waitForFunction(() => window.__lab!.lab().runs[1]!.clip?.kind === 'norm');
    await setField(page, RUN(1), 'input[name=clipMax]', '0.001');
    await page.waitForFunction(() => window.__lab!.lab().runs[1]!.clip?.max === 0.001);
    const lab = await page.evaluate(() => window.__lab!.lab());
    expect(lab.runs[0]).toEqual({ activation: 'sigmoid', init: 'xavier', gain: 1, lr: null });
    expect(lab.runs[1]).toEqual({ activation: 'relu', init: 'he', gain: 1, lr: null, optimizer: 'adam', clip: { kind: 'norm', max: 0.001 } });
    // The link follows once the change is applied (the state with the new lab may reach the page just before).
    await page.waitForFunction(() => new URL(location.href).searchParams.get('clip') === 'none,norm:0.001');
    const params = await page.evaluate(() => Object.fromEntries(new URL(location.href).searchParams));
    expect(params['opt']).toBe('sgd,adam');
    expect(params['clip']).toBe('none,norm:0.001');
    const notes = await page.evaluate(() => window.__lab!.notices().map((n) => n.text));
    expect(notes.some((t) => /Run 2 reset \(clip changed\)/.test(t))).toBe(true);
    // The plain run kept training; the changed run starts again.
    let rs = await records(page);
    expect(rs[0]!.records.map((r) => r.step)).toEqual([0, 5]);
    expect(rs[1]!.records).toEqual([]);
    expect(rs[1]!.label).toBe('relu · he · adam · clip norm 0.001');

    // Play until the changed run has a few records.
    await page.evaluate(() => window.__lab!.play());
    await page.waitForFunction(() => window.__lab!.records()[1]!.records.length >= 4, { timeout: 60_000 });
    await page.evaluate(() => window.__lab!.pause());
    await page.evaluate(() => window.__lab!.step(1));
    rs = await records(page);
    const clipped = rs[1]!.records;
    // Norm clipping to 0.001: every step scaled by max/‖g‖ (closed form), the plain run never.
    for (const r of clipped) {
      expect(r.gradNormTotal).toBeGreaterThan(0.001);
      expect(r.clipFactor).toBeCloseTo(0.001 / r.gradNormTotal, 6);
    }
    for (const r of rs[0]!.records) expect(r.clipFactor).toBe(1);
    // The app trained exactly this spec: equal to a Node Trainer with adam + clip, unlike plain SGD.
    const n = clipped[clipped.length - 1]!.step + 1;
    const oracle = await nodeRecords(lab, 1, n);
    const byStep = new Map(oracle.map((r) => [r.step, r]));
    for (const r of clipped) {
      const o = byStep.get(r.step)!;
      expect(o, `step ${r.step}`).toBeDefined();
      expect(Math.abs(r.loss - o.loss) / o.loss).toBeLessThan(1e-5);
      expect(Math.abs(r.gradNorms[0]! - o.gradNorms[0]!) / o.gradNorms[0]!).toBeLessThan(1e-4);
    }
    // How far Play got before the pause took effect varies (the worker trains at full speed), and late in a run both
    // may sit on the same plateau: compare over every logged step, the first few of which are always there.
    const sgd = await nodeRecords({ ...lab, runs: [lab.runs[0]!, { ...lab.runs[1]!, optimizer: undefined, clip: undefined }] }, 1, n);
    const sgdAt = new Map(sgd.map((r) => [r.step, r.loss]));
    expect(Math.max(...clipped.map((r) => Math.abs(r.loss - sgdAt.get(r.step)!)))).toBeGreaterThan(1e-4);

    // Markers: the loss chart's clipped steps are exactly the changed run's logged steps; the legend says so.
    await page.waitForFunction(
      (len) => {
        const chart = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-loss-chart') as unknown as { clippedSteps(): number[][] };
        return chart.clippedSteps()[1]!.length === len;
      },
      { timeout: 10_000 },
      clipped.length,
    );
    const marks = await page.evaluate(() => {
      const chart = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-loss-chart') as unknown as { clippedSteps(): number[][] };
      return chart.clippedSteps();
    });
    expect(marks).toEqual([[], clipped.map((r) => r.step)]);
    const lossCard = await page.evaluate(() => {
      const chart = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-loss-chart')!;
      return chart.shadowRoot!.querySelector('.legend')!.textContent!.replace(/\s+/g, ' ');
    });
    expect(lossCard).toContain('clipping acted');
    await app.screenshot('mitigations-controls');
    clean(app);
  });

  it('a bad clip max is refused by name and the run keeps its clipping', async () => {
    app = await openApp(`${URL_SMALL}&clip=none,norm:1`);
    const { page } = app;
    await ready(page);
    expect(await page.evaluate(() => window.__lab!.lab().runs[1]!.clip)).toEqual({ kind: 'norm', max: 1 });
    await setField(page, RUN(1), 'input[name=clipMax]', '-3');
    await page.waitForFunction(() => window.__lab!.notices().some((n) => n.text === 'Not applied:'));
    const n = await page.evaluate(() => window.__lab!.notices().find((x) => x.text === 'Not applied:')!);
    expect(n.details.join(' ')).toMatch(/Run 2's clipping \(clip\): "norm:-3"/);
    expect(await page.evaluate(() => window.__lab!.lab().runs[1]!.clip)).toEqual({ kind: 'norm', max: 1 });
    const bad = await openApp(`${URL_SMALL}&opt=sgd,lion&res=0,x`);
    try {
      await ready(bad.page);
      const warn = await bad.page.evaluate(() => window.__lab!.notices().map((x) => x.details.join(' ')).join(' '));
      expect(warn).toMatch(/opt \(run 2\): "lion"/);
      expect(warn).toMatch(/res \(run 2\): "x"/);
    } finally {
      await bad.close();
    }
    clean(app);
  });
});

describe('theory line on the gradient profile', () => {
  it('draws a dashed line per plain run labelled with the χ of src/core/theory.ts, falling by √χ per layer; it can be hidden', async () => {
    app = await openApp(URL_SMALL, { viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => window.__lab!.step(1));
    const lab = await page.evaluate(() => window.__lab!.lab());
    const m0 = dataMeanSquare(makeDataset(dataSpec(lab)).x);
    const expected = lab.runs.map((r) => chi(r.activation, sigmaW2For(r.init, 1, 32, 32), 0, sigmaW2For(r.init, 1, 2, 32) * m0));
    expect(expected[0]).toBeLessThan(0.1); // sigmoid: vanishing
    expect(expected[1]).toBeCloseTo(1, 6); // ReLU with He: critical
    const legend = async () =>
      page.evaluate(() => {
        const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')!;
        return [...p.shadowRoot!.querySelectorAll('.legend span')].map((s) => s.textContent!.trim());
      });
    await page.waitForFunction(() => {
      const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')!;
      return [...p.shadowRoot!.querySelectorAll('.legend span')].some((s) => s.textContent!.includes('χ'));
    });
    const labels = (await legend()).filter((t) => t.startsWith('theory'));
    expect(labels).toEqual(expected.map((c) => `theory, χ = ${Number(c.toPrecision(2))}`));
    // The line: anchored at the measured last hidden layer of the first record, √χ per layer deeper in the stack.
    const { theory, measured } = await page.evaluate(() => {
      const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')! as unknown as { theory: Record<string, number[]> };
      return { theory: p.theory, measured: window.__lab!.records().map((r) => r.records[0]!.gradNorms) };
    });
    const sig = theory['run0']!;
    expect(sig).toHaveLength(21);
    expect(sig[19]! / measured[0]![19]!).toBeCloseTo(1, 9);
    for (let l = 4; l < 18; l++) expect(sig[l]! / sig[l + 1]!).toBeCloseTo(Math.sqrt(expected[0]!), 2);
    // The measured sigmoid profile at initialisation follows it within a factor of 3 over the middle layers.
    for (let l = 5; l < 19; l++) {
      const ratio = measured[0]![l]! / sig[l]!;
      expect(ratio, `layer ${l + 1}`).toBeGreaterThan(1 / 3);
      expect(ratio, `layer ${l + 1}`).toBeLessThan(3);
    }
    await app.screenshot('mitigations-theory');
    await page.evaluate(() => {
      const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')!;
      p.shadowRoot!.querySelector<HTMLInputElement>('input[name=theory]')!.click();
    });
    await page.waitForFunction(() => {
      const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')!;
      return ![...p.shadowRoot!.querySelectorAll('.legend span')].some((s) => s.textContent!.includes('χ'));
    });
    expect(await text(page, [...GRID, 'bp-gradient-profile'], '.legend')).not.toContain('theory');
    clean(app);
  });
});

describe('normalisation, residual connections and bias std', () => {
  it('train end to end from the controls; only the plain run gets a theory line', async () => {
    app = await openApp(URL_SMALL, { viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await ready(page);
    await setField(page, RUN(1), 'select[name=norm]', 'batch');
    await page.waitForFunction(() => window.__lab!.lab().runs[1]!.norm === 'batch');
    await setField(page, RUN(1), 'input[name=residual]', '2');
    await page.waitForFunction(() => window.__lab!.lab().runs[1]!.residual === 2);
    await setField(page, RUN(0), 'input[name=biasStd]', '0.1');
    await page.waitForFunction(() => window.__lab!.lab().runs[0]!.biasStd === 0.1);
    const params = await page.evaluate(() => Object.fromEntries(new URL(location.href).searchParams));
    expect([params['norm'], params['res'], params['biasStd']]).toEqual(['none,batch', '0,2', '0.1,0']);
    await page.evaluate(() => window.__lab!.step(11));
    const rs = await records(page);
    expect(await page.evaluate(() => window.__lab!.notices().filter((n) => n.kind !== 'info').map((n) => n.text))).toEqual([]);
    for (const r of rs) {
      expect(r.records.map((x) => x.step)).toEqual([0, 5, 10]);
      for (const x of r.records) expect(Number.isFinite(x.loss)).toBe(true);
    }
    // Batch norm and skips keep the first layer's gradient far above the plain sigmoid stack's.
    expect(rs[1]!.records[0]!.gradNorms[0]!).toBeGreaterThan(1e3 * rs[0]!.records[0]!.gradNorms[0]!);
    // The plain (biased) sigmoid run keeps its theory line, with χ for σ_b = 0.1; the normalised run has none.
    const lab = await page.evaluate(() => window.__lab!.lab());
    const m0 = dataMeanSquare(makeDataset(dataSpec(lab)).x);
    const c = chi('sigmoid', sigmaW2For('xavier', 1, 32, 32), 0.01, sigmaW2For('xavier', 1, 2, 32) * m0 + 0.01);
    await page.waitForFunction(() => {
      const p = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-chart-grid')!.shadowRoot!.querySelector('bp-gradient-profile')!;
      return [...p.shadowRoot!.querySelectorAll('.legend span')].some((s) => s.textContent!.includes('χ'));
    });
    const legend = await text(page, [...GRID, 'bp-gradient-profile'], '.legend');
    expect(legend.match(/theory, χ = [0-9.]+/g)).toEqual([`theory, χ = ${Number(c.toPrecision(2))}`]);
    await app.screenshot('mitigations-norm-residual');
    clean(app);
  });
});

describe('depth sweep', () => {
  it('runs from the header button, shows progress, draws measured points and theory per pair', async () => {
    app = await openApp(URL_SMALL, { viewport: { width: 1280, height: 720 } });
    const { page } = app;
    await ready(page);
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('button[name=depth-sweep]') as HTMLElement).click());
    await setField(page, ['bp-app', 'bp-depth-sweep'], 'input[name=depths]', '1,2,5,10,20');
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep')!.shadowRoot!.querySelector('button[name=run]') as HTMLElement).click());
    await page.waitForFunction(
      () => {
        const s = (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep') as unknown as { sweep: { running: boolean; done: number; total: number } }).sweep;
        return s.total === 10 && s.done === 10 && !s.running;
      },
      { timeout: 60_000 },
    );
    const results = await page.evaluate(() => {
      const el = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep') as unknown as { sweep: { results: { key: string; point: { depth: number; measured: number; predicted: number; chi: number } }[] } };
      return el.sweep.results;
    });
    expect(results.map((r) => `${r.key}@${r.point.depth}`)).toEqual(
      [1, 2, 5, 10, 20].flatMap((d) => [`sigmoid|xavier|1@${d}`, `relu|he|1@${d}`]),
    );
    const sig = results.filter((r) => r.key.startsWith('sigmoid'));
    const relu = results.filter((r) => r.key.startsWith('relu'));
    for (const r of results) expect(r.point.measured).toBeGreaterThan(0);
    // Sigmoid falls by orders of magnitude with depth; ReLU/He stays within one.
    expect(sig[4]!.point.measured / sig[0]!.point.measured).toBeLessThan(1e-4);
    expect(relu[4]!.point.measured / relu[0]!.point.measured).toBeGreaterThan(0.05);
    // Theory within a factor of 5 of the measurement at every depth for the sigmoid stack.
    for (const r of sig) expect(Math.abs(Math.log10(r.point.measured / r.point.predicted)), `depth ${r.point.depth}`).toBeLessThan(Math.log10(5));
    await page.waitForFunction(() => {
      const c = document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep')!.shadowRoot!.querySelector('bp-sweep-chart') as unknown as { exportCanvas(): unknown };
      return c.exportCanvas() !== null;
    });
    const legend = await text(page, ['bp-app', 'bp-depth-sweep', 'bp-sweep-chart'], '.legend');
    expect(legend).toContain(`theory, χ = ${Number(sig[0]!.point.chi.toPrecision(2))}`);
    expect(await text(page, ['bp-app', 'bp-depth-sweep'], '.status')).toBe('10 / 10 points — done');
    await app.screenshot('mitigations-depth-sweep');

    // Cancel: a long sweep stops after the point in progress and says so; the page stays responsive meanwhile.
    await setField(page, ['bp-app', 'bp-depth-sweep'], 'input[name=depths]', '100,110,120,130,140,150,160,170,180,190,200');
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep')!.shadowRoot!.querySelector('button[name=run]') as HTMLElement).click());
    await page.waitForFunction(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep') as unknown as { sweep: { done: number } }).sweep.done >= 1, { timeout: 60_000 });
    // The page still paints while the sweep runs (a frozen page would never answer this frame).
    const painted = await page.evaluate(() => new Promise<boolean>((r) => requestAnimationFrame(() => r(true))));
    expect(painted).toBe(true);
    await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep')!.shadowRoot!.querySelector('button[name=cancel]') as HTMLElement).click());
    const after = await page.evaluate(() => {
      const s = (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep') as unknown as { sweep: { running: boolean; done: number; total: number; stopped: string | null } }).sweep;
      return { running: s.running, done: s.done, total: s.total, stopped: s.stopped };
    });
    expect(after.running).toBe(false);
    expect(after.stopped).toBe('cancelled');
    expect(after.total).toBe(22);
    expect(after.done).toBeLessThan(22);
    // Cancelled means no further point: ten frames later the count is the same.
    await page.evaluate(async () => {
      for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
    });
    const later = await page.evaluate(() => (document.querySelector('bp-app')!.shadowRoot!.querySelector('bp-depth-sweep') as unknown as { sweep: { done: number } }).sweep.done);
    expect(later).toBe(after.done);
    expect(await text(page, ['bp-app', 'bp-depth-sweep'], '.status')).toMatch(/cancelled/);
    clean(app);
  });
});
