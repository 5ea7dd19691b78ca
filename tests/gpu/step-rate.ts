/**
 * Per-step overhead probe (not a test): steps/s of the xor-classic preset on the WebGPU backend, run like the
 * CLI (trainer.run in chunks of `logEvery`, parameters read back after every chunk), with dispatches and
 * submits per step and the process CPU time per step.
 * Run: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node tests/gpu/run-script.mjs tests/gpu/step-rate.ts [steps] [logEvery]
 */
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { preset } from '../../src/core/presets.js';
import { Trainer } from '../../src/train/trainer.js';
import { getTestGPU } from './setup-dawn.js';

const steps = Number(process.argv[2] ?? 5000);
const logEvery = Number(process.argv[3] ?? 10);
const spec = preset('xor-classic');
const be = await createWebGPUBackend({ gpu: await getTestGPU() });
const trainer = new Trainer(be, { models: [spec.model], data: makeDataset(spec.data), schedule: { ...spec.schedule, steps, logEvery } });
await trainer.run(20, () => {}, steps);
await trainer.readParameters();
for (const readParams of [true, false]) {
  const w0 = be.workStats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let records = 0;
  for (let done = 0; done < steps; done += logEvery) {
    await trainer.run(logEvery, () => records++, trainer.step + steps);
    if (readParams) await trainer.readParameters();
  }
  await be.sync();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const w = be.workStats();
  console.log(
    `xor-classic, log every ${logEvery}${readParams ? ', parameters read per chunk' : ''}: ${(steps / s).toFixed(0)} steps/s, ` +
      `${((w.dispatches - w0.dispatches) / steps).toFixed(2)} dispatches/step, ${((w.submits - w0.submits) / steps).toFixed(2)} submits/step, ` +
      `${((cpu.user + cpu.system) / 1000 / steps).toFixed(3)} CPU ms/step, ${records} records`,
  );
}
trainer.dispose();
be.destroy();
