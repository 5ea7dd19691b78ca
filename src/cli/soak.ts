/**
 * `lab soak`: a long training run that prints, as one JSON object, the JavaScript heap (after a forced garbage
 * collection where possible) and the live backend tensors at the start and end, and the steps per second — the
 * check that nothing grows over 100 000 steps. Takes the flags of `train` (model, data, schedule, backend).
 */
import { createRequire } from 'node:module';
import { makeDataset } from '../core/datasets.js';
import { selectBackend } from '../backend/select.js';
import { runSoakBenchmark, type SoakHost } from '../train/soak.js';
import { TRAIN_FLAGS, UsageError, helpText, parseFlags, trainOptions } from './args.js';
import { loadNodeGpu, type NodeGpu } from './node-gpu.js';

/** The flags of `soak`: those of `train` that describe the run, plus the soak's own. */
export const SOAK_FLAGS = {
  ...Object.fromEntries(Object.entries(TRAIN_FLAGS).filter(([k]) => k !== 'json' && k !== 'lose-device-at' && k !== 'help')),
  warmup: { value: true, help: 'steps before the start figures are taken (default 200)' },
  checkpoints: { value: true, help: 'heap and tensor samples along the run, at least 2 (default 10)' },
  help: TRAIN_FLAGS.help!,
};

function count(flag: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  const v = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${flag}: ${JSON.stringify(text.slice(0, 60))} is not allowed; expected a whole number from ${min} to ${max}`);
  return v;
}

/** A full garbage collection: node's `gc` under --expose-gc, else exposed at run time through V8 flags, else null. */
export function nodeGc(): { gc: (() => void) | null; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: () => g(), how: '--expose-gc' };
  try {
    const require = createRequire(import.meta.url);
    const v8 = require('node:v8') as typeof import('node:v8');
    const vm = require('node:vm') as typeof import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    if (typeof fn === 'function') return { gc: () => (fn as () => void)(), how: 'V8 flag set at run time' };
  } catch {
    // fall through: no forced collection
  }
  return { gc: null, how: 'none' };
}

/** Run `lab soak` with its flags (without the command name); prints one JSON report on stdout. */
export async function runSoak(argv: readonly string[], gpuHolder: { gpu?: NodeGpu } = {}): Promise<void> {
  const flags = parseFlags(argv, SOAK_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText('soak', SOAK_FLAGS)}\n`);
    return;
  }
  const warmupSteps = count('warmup', flags.get('warmup'), 200, 0, 1_000_000);
  const checkpoints = count('checkpoints', flags.get('checkpoints'), 10, 2, 1000);
  const opts = trainOptions(flags);
  let gpu: GPU | undefined;
  if (opts.backend !== 'cpu') {
    gpuHolder.gpu = await loadNodeGpu();
    gpu = gpuHolder.gpu.gpu;
    if (!gpu && opts.backend === 'webgpu') throw new Error(gpuHolder.gpu.problem ?? 'WebGPU is not available');
  }
  const { backend, reason } = await selectBackend(opts.backend, { dtype: opts.spec.schedule.dtype, gpu });
  const { gc, how } = nodeGc();
  const host: SoakHost = { heapUsed: () => process.memoryUsage().heapUsed, gc, now: () => performance.now() };
  try {
    const report = await runSoakBenchmark({ spec: opts.spec, data: makeDataset(opts.spec.data), backend, host, warmupSteps, checkpoints });
    const mb = (b: number) => Math.round((b / 2 ** 20) * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        ...report,
        backendReason: reason,
        gcMethod: how,
        heapStartMB: mb(report.heapStartBytes),
        heapEndMB: mb(report.heapEndBytes),
        heapGrowthMB: mb(report.heapGrowthBytes),
      })}\n`,
    );
  } finally {
    backend.destroy();
  }
}
