/**
 * The `lab` command line: `train` runs the trainer on the CPU or WebGPU backend and prints a table or JSON
 * lines; `bench` prints benchmark figures as JSON. Usage errors exit with code 2.
 *
 * `train --json` writes one JSON object per line on stdout, in this order: a step record (`{"step":…}`) per
 * logged step up to the last finite one; `{"diverged":{"step":k,"reason":…}}` when the run diverges at step k;
 * last, `{"predictions":[[…],…],"samples":n}`, the network's outputs for the first (at most 16) of the n rows.
 * JSON has no NaN or Infinity: such values are written as null.
 */
import { makeDataset } from '../core/datasets.js';
import type { Backend, BackendFault } from '../backend/backend.js';
import { createCpuBackend } from '../backend/cpu/cpu-backend.js';
import { selectBackend } from '../backend/select.js';
import type { Parameters } from '../core/init.js';
import { Trainer } from '../train/trainer.js';
import type { StepRecord } from '../train/records.js';
import { BACKEND_CHOICES, TRAIN_FLAGS, UsageError, checkResumeFlags, flagMessage, helpText, loseDeviceOnCpu, parseFlags, trainOptions, type TrainOptions } from './args.js';
import { readFile, writeFile } from 'node:fs/promises';
import { npzBytes } from '../core/npz.js';
import { parseExperiment } from '../core/spec.js';
import { CheckpointError, parameterArrays, parseRun, serializeRun, type RunCheckpoint } from '../train/checkpoint.js';
import { progressBar, tableHeader, tableRow } from './format.js';
import { loadNodeGpu, type NodeGpu } from './node-gpu.js';
import { runBench } from './bench.js';
import { runSweep } from './sweep.js';
import { runSoak } from './soak.js';
import { ResourceError } from '../train/memory.js';

/** Rows of a data set whose predictions are printed: all of a data set this small, else the first this many with `--json`. */
const PREDICTION_ROWS = 16;

const USAGE = `usage: npm run -s lab -- <command> [flags]
commands:
  train   train a network (see: npm run -s lab -- train --help)
  bench   benchmark figures as JSON (see: npm run -s lab -- bench --help)
  sweep   first-layer gradient norm at initialisation vs depth, measured and predicted by mean-field theory
          (see: npm run -s lab -- sweep --help)
  soak    a long run that reports heap and tensor counts at its start and end, as JSON
          (see: npm run -s lab -- soak --help)`;

/** What a diverged run's message and its `--json` line say happened. */
const DIVERGED_REASON = 'the loss or a gradient became NaN or infinite';

/** Reads a backend's fault without waiting: null while it runs. */
function watchFault(backend: Backend): { current: BackendFault | null } {
  const holder: { current: BackendFault | null } = { current: null };
  backend.fault.then((f) => (holder.current = f));
  return holder;
}

async function train(argv: readonly string[], gpuHolder: { gpu?: NodeGpu }): Promise<void> {
  const flags = parseFlags(argv, TRAIN_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText('train', TRAIN_FLAGS)}\n`);
    return;
  }
  const resumed = flags.has('resume') ? await loadRun(flags) : null;
  const opts = resumed ? resumed.opts : trainOptions(flags);
  const { spec } = opts;
  let gpu: GPU | undefined;
  if (opts.backend !== 'cpu') {
    gpuHolder.gpu = await loadNodeGpu();
    gpu = gpuHolder.gpu.gpu;
    if (!gpu && opts.backend === 'webgpu') throw new Error(gpuHolder.gpu.problem ?? 'WebGPU is not available');
  }
  let { backend, reason } = await selectBackend(opts.backend, { dtype: spec.schedule.dtype, gpu });
  if (opts.loseDeviceAt !== null && backend.info.kind !== 'webgpu') {
    backend.destroy();
    throw new UsageError(loseDeviceOnCpu(`--backend ${opts.backend}: ${reason}`));
  }
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const info = (s: string) => (opts.json ? err(s) : out(s));
  info(`backend: ${backend.info.description} (${reason})`);
  let fault = watchFault(backend);

  const data = makeDataset(spec.data);
  const config = { models: [spec.model], data, schedule: spec.schedule };
  let trainer = new Trainer(backend, config);
  if (resumed) {
    try {
      trainer.restoreState(resumed.run.state);
    } catch (e) {
      throw new UsageError(`--resume ${flags.get('resume')}: ${(e as Error).message}`);
    }
    info(`resumed from ${flags.get('resume')} at step ${trainer.step}`);
  }
  // Every logged record of the run (those of the resumed file first), for --save.
  const allRecords: (readonly StepRecord[])[] = resumed ? [...resumed.run.records] : [];
  const total = spec.schedule.steps;
  const showProgress = total >= 1000 && process.stderr.isTTY === true;
  if (!opts.json) out(tableHeader(trainer.layers));
  let divergenceReported = false;
  // After a device loss, training resumes from an earlier snapshot: steps already printed are not printed again.
  let lastPrinted = -1;
  const onRecords = (records: StepRecord[]) => {
    const r = records[0]!;
    if (r.step <= lastPrinted) return;
    allRecords.push(records);
    if (showProgress) process.stderr.write('\r\x1b[K');
    const diverged = trainer.memberStatus()[0]!.divergedAt;
    if (diverged !== null && r.step >= diverged) {
      // Records from the step the run diverged at onwards hold NaN or Infinity: report the step, keep the finite ones.
      if (!divergenceReported) {
        err(`diverged at step ${diverged}: ${DIVERGED_REASON}; training stopped`);
        if (opts.json) out(JSON.stringify({ diverged: { step: diverged, reason: DIVERGED_REASON } }));
      }
      divergenceReported = true;
      return;
    }
    lastPrinted = r.step;
    if (opts.json) out(JSON.stringify(r));
    else out(tableRow(r));
  };
  // On the GPU, the parameters are read back at every chunk so that a lost device can be survived.
  let snapshot: { step: number; params: Parameters[] } | null = null;
  const onGpu = () => backend.info.kind === 'webgpu';
  if (onGpu()) snapshot = { step: trainer.step, params: await trainer.readParameters() };
  const chunk = Math.max(1, Math.min(1000, spec.schedule.logEvery));
  const firstStep = trainer.step;
  const started = performance.now();
  let lastBar = 0;
  let rehearsed = false;
  while (trainer.step < total) {
    try {
      await Promise.race([trainer.run(Math.min(chunk, total - trainer.step), onRecords, total), backend.fault]);
      if (opts.loseDeviceAt !== null && !rehearsed && trainer.step > opts.loseDeviceAt && onGpu()) {
        rehearsed = true;
        (backend as Backend & { loseDevice?: () => void }).loseDevice?.();
        await Promise.race([backend.fault, new Promise((r) => setTimeout(r, 2000))]);
      }
      if (onGpu() && !fault.current) snapshot = { step: trainer.step, params: await Promise.race([trainer.readParameters(), backend.fault.then(() => snapshot!.params)]) };
    } catch (e) {
      if (!fault.current) throw e;
    }
    if (fault.current) {
      const lostAt = trainer.step;
      const from = snapshot!;
      err(`WebGPU stopped at step ${lostAt}: ${fault.current.message}`);
      err(`continuing on the CPU (f32) from the parameters read back after step ${from.step} (mini-batch order restarts)`);
      backend = createCpuBackend({ dtype: 'f32' });
      reason = 'WebGPU device lost';
      info(`backend: ${backend.info.description} (${reason})`);
      fault = watchFault(backend);
      trainer = new Trainer(backend, config, from.params, from.step);
      continue;
    }
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
  const ran = trainer.step - firstStep;
  const summary = `${ran} steps in ${seconds.toFixed(2)} s (${(ran / Math.max(seconds, 1e-9)).toFixed(1)} steps/s)`;
  if (opts.json || data.n <= PREDICTION_ROWS) {
    const n = Math.min(data.n, PREDICTION_ROWS);
    const [pred] = await trainer.predict(data.x.subarray(0, n * data.inputDim), n);
    const rows = Array.from({ length: n }, (_, i) => Array.from(pred!.subarray(i * data.outputDim, (i + 1) * data.outputDim)));
    if (opts.json) out(JSON.stringify({ predictions: rows, samples: data.n }));
    else out(`predictions: ${rows.map((r) => `[${r.map((v) => v.toFixed(4)).join(', ')}]`).join(' ')}`);
  }
  info(summary);
  if (flags.has('save')) {
    const run: RunCheckpoint = { models: config.models, data: spec.data, schedule: spec.schedule, state: await trainer.exportState(), records: allRecords };
    await writeFile(flags.get('save')!, await serializeRun(run));
    info(`saved the run at step ${trainer.step} to ${flags.get('save')}`);
  }
  if (flags.has('npz')) {
    const [params] = await trainer.readParameters();
    await writeFile(flags.get('npz')!, npzBytes(parameterArrays(params!, trainer.sizes)));
    info(`wrote the weights to ${flags.get('npz')}`);
  }
  trainer.dispose();
  backend.destroy();
}

/** The run file of --resume and the options it trains with (its spec, --steps as the new total); usage errors name the flag. */
async function loadRun(flags: Map<string, string>): Promise<{ run: RunCheckpoint; opts: TrainOptions }> {
  checkResumeFlags(flags);
  const file = flags.get('resume')!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--resume: cannot read ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
  let run: RunCheckpoint;
  try {
    run = await parseRun(text);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(`--resume ${file}: ${e.message}`);
    throw e;
  }
  if (run.models.length !== 1) throw new UsageError(`--resume ${file}: the run holds ${run.models.length} models; lab train continues runs of one model`);
  const steps = flags.has('steps') ? Number(flags.get('steps')) : run.schedule.steps;
  if (steps < run.state.step) throw new UsageError(`--steps: ${steps} is fewer than the ${run.state.step} steps the resumed run has taken; give a total of at least ${run.state.step}`);
  const parsed = parseExperiment({ model: run.models[0], data: run.data, schedule: { ...run.schedule, steps } });
  if (!parsed.ok) throw new UsageError(parsed.issues.map(flagMessage).join('\n'));
  const backend = (flags.get('backend') ?? 'cpu') as (typeof BACKEND_CHOICES)[number];
  return { run, opts: { spec: parsed.value, backend, json: flags.has('json'), loseDeviceAt: null } };
}

/** Run the CLI with argv (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const gpuHolder: { gpu?: NodeGpu } = {};
  try {
    if (command === 'train') await train(rest, gpuHolder);
    else if (command === 'bench') await runBench(rest, gpuHolder);
    else if (command === 'sweep') await runSweep(rest);
    else if (command === 'soak') await runSoak(rest, gpuHolder);
    else if (command === undefined || command === '--help' || command === 'help') process.stdout.write(`${USAGE}\n`);
    else throw new UsageError(`unknown command ${JSON.stringify(command)}; valid commands: train, bench, sweep, soak`);
    return 0;
  } catch (e) {
    // A size the memory budget refuses is bad input, like a malformed flag.
    if (e instanceof UsageError || e instanceof ResourceError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
