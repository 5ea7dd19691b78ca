// The mitigation presets show what they claim on the CPU path: the 20-layer classic sigmoid stack does not learn
// the circle, ReLU+He and tanh+Xavier do; the exploding linear stack diverges and clipping keeps it finite.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { preset, type PresetName } from '../../src/core/presets.js';
import type { StepRecord } from '../../src/train/records.js';
import { Trainer } from '../../src/train/trainer.js';

async function train(name: PresetName) {
  const spec = preset(name);
  const data = makeDataset(spec.data);
  const trainer = new Trainer(createCpuBackend({ dtype: 'f32' }), { models: [spec.model], data, schedule: spec.schedule });
  const records: StepRecord[] = [];
  await trainer.run(spec.schedule.steps, (r) => records.push(r[0]!));
  return { records, status: trainer.memberStatus()[0]!, trainer, data };
}

describe('mitigation presets', () => {
  it('vanishing-sigmoid stays at chance, its first layer barely reached by the gradient', async () => {
    const { records } = await train('vanishing-sigmoid');
    const last = records[records.length - 1]!;
    expect(last.loss).toBeGreaterThan(0.6);
    expect(last.accuracy).toBeLessThan(0.6);
    expect(last.gradNorms[0]!).toBeLessThan(1e-3);
  });

  it.each<PresetName>(['fix-relu-he', 'fix-tanh-xavier'])('%s learns the same task', async (name) => {
    const { records } = await train(name);
    const last = records[records.length - 1]!;
    expect(last.loss).toBeLessThan(0.3);
    expect(last.accuracy).toBeGreaterThan(0.85);
  });

  it('exploding-linear diverges (detected at its step) and exploding-clipped stays finite', async () => {
    const wild = await train('exploding-linear');
    expect(wild.status.divergedAt).not.toBeNull();
    expect(wild.status.divergedAt!).toBeLessThan(20);
    const tame = await train('exploding-clipped');
    expect(tame.status.divergedAt).toBeNull();
    expect(tame.records.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(tame.records.some((r) => r.clipFactor < 1)).toBe(true);
  });

  it('fix-batchnorm learns the vanishing-sigmoid task, and predicts it from its running statistics', async () => {
    const { records, trainer, data } = await train('fix-batchnorm');
    const last = records[records.length - 1]!;
    expect(last.loss).toBeLessThan(0.1);
    expect(last.accuracy).toBeGreaterThan(0.95);
    expect(last.gradNorms[0]!).toBeGreaterThan(1e-3);
    // Evaluation mode normalises with the running statistics, one row at a time if need be.
    const [pred] = await trainer.predict(data.x, data.n);
    let right = 0;
    for (let i = 0; i < data.n; i++) if (pred![i]! >= 0.5 === data.y[i]! >= 0.5) right++;
    expect(right / data.n).toBeGreaterThan(0.9);
    const [one] = await trainer.predict(data.x.slice(0, 2), 1);
    expect(one![0]).toBeCloseTo(pred![0]!, 5);
  });

  it('fix-residual learns the vanishing-sigmoid task: the skips carry the gradient to the first layer', async () => {
    const { records } = await train('fix-residual');
    const first = records[0]!;
    const last = records[records.length - 1]!;
    expect(first.gradNorms[0]!).toBeGreaterThan(1e-3);
    expect(last.loss).toBeLessThan(0.5);
    expect(last.accuracy).toBeGreaterThan(0.8);
  });

  it('vanishing-tanh stays stuck and fix-layernorm, the same stack with layer norm, learns', async () => {
    const stuck = (await train('vanishing-tanh')).records;
    expect(stuck[stuck.length - 1]!.loss).toBeGreaterThan(0.55);
    expect(stuck[stuck.length - 1]!.gradNorms[0]!).toBeLessThan(1e-6);
    const fixed = (await train('fix-layernorm')).records;
    expect(fixed[fixed.length - 1]!.loss).toBeLessThan(0.1);
    expect(fixed[fixed.length - 1]!.accuracy).toBeGreaterThan(0.95);
  });
});
