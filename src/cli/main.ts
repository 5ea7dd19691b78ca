/**
 * The `lab` command line: `train` runs the trainer on the CPU or WebGPU backend and prints a table or JSON
 * lines; `bench` prints benchmark figures as JSON. Usage errors exit with code 2.
 */
import { makeDataset } from '../core/datasets.js';
import { selectBackend } from '../backend/select.js';
import { Trainer } from '../train/trainer.js';
import type { StepRecord } from '../train/records.js';
import { TRAIN_FLAGS, UsageError, helpText, parseFlags, trainOptions } from './args.js';
import { progressBar, tableHeader, tableRow } from './format.js';
import { loadNodeGpu, type NodeGpu } from './node-gpu.js';
import { runBench } from './bench.js';

/** Rows of a data set up to which `--json` ends with the network's predictions. */
const PREDICTION_ROWS = 16;

const USAGE = `usage: npm run -s lab -- <command> [flags]
commands:
  train   train a network (see: npm run -s lab -- train --help)
  bench   benchmark figures as JSON (see: npm run -s lab -- bench --help)`;

async function train(argv: readonly string[], gpuHolder: { gpu?: NodeGpu }): Promise<void> {
  const flags = parseFlags(argv, TRAIN_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText('train', TRAIN_FLAGS)}\n`);
    return;
  }
  const opts = trainOptions(flags);
  const { spec } = opts;
  let gpu: GPU | undefined;
  if (opts.backend !== 'cpu') {
    gpuHolder.gpu = await loadNodeGpu();
    gpu = gpuHolder.gpu.gpu;
    if (!gpu && opts.backend === 'webgpu') throw new Error(gpuHolder.gpu.problem ?? 'WebGPU is not available');
  }
  const { backend, reason } = await selectBackend(opts.backend, { dtype: spec.schedule.dtype, gpu });
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const note = `backend: ${backend.info.description} (${reason})`;
  if (opts.json) err(note);
  else out(note);
  backend.fault.then((f) => err(`backend fault: ${f.message}`));

  const data = makeDataset(spec.data);
  const trainer = new Trainer(backend, { models: [spec.model], data, schedule: spec.schedule });
  const total = spec.schedule.steps;
  const tty = process.stderr.isTTY === true;
  const showProgress = total >= 1000 && tty;
  if (!opts.json) out(tableHeader(trainer.layers));
  let lastBar = 0;
  const onRecords = (records: StepRecord[]) => {
    const r = records[0]!;
    if (showProgress) process.stderr.write('\r\x1b[K');
    if (opts.json) out(JSON.stringify(r));
    else out(tableRow(r));
    const status = trainer.memberStatus()[0]!;
    if (status.divergedAt !== null && status.divergedAt === r.step) err(`diverged at step ${r.step}: the loss or a gradient is NaN or infinite`);
  };
  const chunk = Math.max(1, Math.min(1000, spec.schedule.logEvery));
  const started = performance.now();
  while (trainer.step < total) {
    await trainer.run(Math.min(chunk, total - trainer.step), onRecords, total);
    if (trainer.memberStatus()[0]!.divergedAt !== null) break;
    const now = performance.now();
    if (showProgress && now - lastBar > 200) {
      process.stderr.write(`\r${progressBar(trainer.step, total)}`);
      lastBar = now;
    }
  }
  await backend.sync();
  if (showProgress) process.stderr.write('\r\x1b[K');
  const seconds = (performance.now() - started) / 1000;
  const summary = `${trainer.step} steps in ${seconds.toFixed(2)} s (${(trainer.step / Math.max(seconds, 1e-9)).toFixed(1)} steps/s)`;
  if (data.n <= PREDICTION_ROWS) {
    const [pred] = await trainer.predict(data.x, data.n);
    const rows = Array.from({ length: data.n }, (_, i) => Array.from(pred!.subarray(i * data.outputDim, (i + 1) * data.outputDim)));
    if (opts.json) out(JSON.stringify({ predictions: rows }));
    else out(`predictions: ${rows.map((r) => `[${r.map((v) => v.toFixed(4)).join(', ')}]`).join(' ')}`);
  }
  if (opts.json) err(summary);
  else out(summary);
  trainer.dispose();
  backend.destroy();
}

/** Run the CLI with argv (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const gpuHolder: { gpu?: NodeGpu } = {};
  try {
    if (command === 'train') await train(rest, gpuHolder);
    else if (command === 'bench') await runBench(rest, gpuHolder);
    else if (command === undefined || command === '--help' || command === 'help') process.stdout.write(`${USAGE}\n`);
    else throw new UsageError(`unknown command ${JSON.stringify(command)}; valid commands: train, bench`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
