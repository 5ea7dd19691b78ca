/**
 * `lab bench matmul|train`: benchmark figures for the CPU and WebGPU backends, as a table or as one JSON
 * object carrying the environment (Node version, CPU, adapter) with every point.
 */
import os from 'node:os';
import type { Backend } from '../backend/backend.js';
import { selectBackend } from '../backend/select.js';
import { HIDDEN_ACTIVATIONS } from '../core/activations.js';
import { describeValue, parseLayers } from '../core/spec.js';
import { benchMatmul, type MatmulVariant } from '../bench/matmul-bench.js';
import { benchTrain } from '../bench/train-bench.js';
import { UsageError, helpText, parseFlags } from './args.js';
import { fmt } from './format.js';
import { loadNodeGpu, type NodeGpu } from './node-gpu.js';

const BENCH_FLAGS = {
  backend: { value: true, help: 'comma-separated backends: cpu, webgpu (default cpu)' },
  dtype: { value: true, help: 'CPU element type: f32 (default) or f64' },
  sizes: { value: true, help: 'matmul: square sizes (default 128,256,512,1024)' },
  variants: { value: true, help: 'matmul: AB, AtB, ABt (default AB)' },
  reps: { value: true, help: 'timed repetitions per point (default 5, at least 5)' },
  layers: { value: true, help: 'train: hidden widths (default 256x20)' },
  activation: { value: true, help: `train: hidden activation (default sigmoid)` },
  batch: { value: true, help: 'train: batch size (default 256)' },
  'input-dim': { value: true, help: 'train: input dimension (default 256)' },
  'output-dim': { value: true, help: 'train: output dimension (default 256)' },
  'steps-per-rep': { value: true, help: 'train: steps per timed repetition (default 5)' },
  'log-every': { value: true, help: 'train: record metrics every N steps (default 0: never)' },
  json: { value: false, help: 'print one JSON object' },
  help: { value: false, help: 'show this help' },
};

function ints(flag: string, text: string, min: number, max: number): number[] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected comma-separated whole numbers from ${min} to ${max}`);
  }
  return parts;
}

function int(flag: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  return ints(flag, text, min, max)[0]!;
}

/** The machine a benchmark ran on. */
function environment(): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform} ${process.arch}`, cpuModel: os.cpus()[0]?.model ?? 'unknown', cpuThreads: os.cpus().length };
}

/** Run `lab bench …`. */
export async function runBench(argv: readonly string[], gpuHolder: { gpu?: NodeGpu }): Promise<void> {
  const [suite, ...rest] = argv;
  if (suite === undefined || suite === '--help') {
    process.stdout.write(`${helpText('bench matmul|train', BENCH_FLAGS)}\n`);
    return;
  }
  if (suite !== 'matmul' && suite !== 'train') throw new UsageError(`unknown benchmark ${describeValue(suite)}; valid: matmul, train`);
  const flags = parseFlags(rest, BENCH_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText(`bench ${suite}`, BENCH_FLAGS)}\n`);
    return;
  }
  const kinds = (flags.get('backend') ?? 'cpu').split(',').map((s) => s.trim());
  for (const k of kinds) if (k !== 'cpu' && k !== 'webgpu') throw new UsageError(`--backend: ${describeValue(k)} is not allowed; expected cpu, webgpu or both (cpu,webgpu)`);
  const dtype = flags.get('dtype') ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f64') throw new UsageError(`--dtype: ${describeValue(dtype)} is not allowed; expected f32 or f64`);
  const reps = int('reps', flags.get('reps'), 5, 5, 1000);
  const json = flags.has('json');
  const log = (s: string) => process.stderr.write(`${s}\n`);

  const backends: Backend[] = [];
  for (const k of kinds) {
    let gpu: GPU | undefined;
    if (k === 'webgpu') {
      gpuHolder.gpu ??= await loadNodeGpu();
      gpu = gpuHolder.gpu.gpu;
      if (!gpu) throw new Error(gpuHolder.gpu.problem ?? 'WebGPU is not available');
    }
    backends.push((await selectBackend(k as 'cpu' | 'webgpu', { dtype, gpu })).backend);
  }
  const result: Record<string, unknown> = {
    suite,
    environment: environment(),
    backends: backends.map((b) => b.info),
  };
  if (suite === 'matmul') {
    const sizes = ints('sizes', flags.get('sizes') ?? '128,256,512,1024', 1, 8192);
    const variants = (flags.get('variants') ?? 'AB').split(',') as MatmulVariant[];
    for (const v of variants) if (!['AB', 'AtB', 'ABt'].includes(v)) throw new UsageError(`--variants: ${describeValue(v)} is not allowed; expected AB, AtB, ABt`);
    const points = [];
    for (const b of backends) {
      for (const v of variants) {
        for (const n of sizes) {
          log(`matmul ${v} n=${n} on ${b.info.description} …`);
          const p = await benchMatmul(b, n, v, { reps });
          points.push(p);
          if (!json) process.stdout.write(`${b.info.description.padEnd(40)} ${v.padEnd(4)} n=${String(n).padEnd(5)} ${fmt(p.gflops, 2).padStart(9)} GFLOP/s  median ${fmt(p.medianMs, 2)} ms (min ${fmt(p.minMs, 2)}, max ${fmt(p.maxMs, 2)}), warm-up ${fmt(p.warmupMs, 1)} ms, max abs err ${p.maxAbsError.toExponential(1)}\n`);
        }
      }
    }
    result.points = points;
  } else {
    const hidden = parseLayers(flags.get('layers') ?? '256x20');
    if (!hidden || hidden.length === 0) throw new UsageError(`--layers: ${describeValue(flags.get('layers'))} is not allowed; expected widths like 256x20`);
    const activation = flags.get('activation') ?? 'sigmoid';
    if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(activation)) throw new UsageError(`--activation: ${describeValue(activation)} is not allowed; expected one of ${HIDDEN_ACTIVATIONS.join(', ')}`);
    const shapeSpec = {
      inputDim: int('input-dim', flags.get('input-dim'), 256, 1, 65536),
      hidden,
      outputDim: int('output-dim', flags.get('output-dim'), 256, 1, 65536),
      activation: activation as (typeof HIDDEN_ACTIVATIONS)[number],
      batch: int('batch', flags.get('batch'), 256, 1, 1_000_000),
      stepsPerRep: int('steps-per-rep', flags.get('steps-per-rep'), 5, 1, 1_000_000),
      logEvery: int('log-every', flags.get('log-every'), 0, 0, 1_000_000),
    };
    const points = [];
    for (const b of backends) {
      log(`train ${flags.get('layers') ?? '256x20'} batch ${shapeSpec.batch} on ${b.info.description} …`);
      const p = await benchTrain(b, shapeSpec, reps);
      points.push(p);
      if (!json) process.stdout.write(`${b.info.description.padEnd(40)} ${fmt(p.stepsPerSecond, 2).padStart(9)} steps/s  ${fmt(p.samplesPerSecond, 0).padStart(9)} samples/s  ${fmt(p.gflops, 2)} GFLOP/s  (median ${fmt(p.medianMs, 2)} ms/step, min ${fmt(p.minMs, 2)}, max ${fmt(p.maxMs, 2)}; warm-up ${fmt(p.warmupMs, 1)} ms)\n`);
    }
    result.points = points;
  }
  for (const b of backends) b.destroy();
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
}
