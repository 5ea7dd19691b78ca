/**
 * `lab bench matmul|train|workload`: CPU vs WebGPU benchmark figures — median, min, max, GFLOP/s, samples/s,
 * warm-up apart, and the agreement of the two backends' results — as a table, one JSON report (the format the
 * benchmark page exports) or CSV.
 */
import { closeSync, existsSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Backend } from '../backend/backend.js';
import { selectBackend } from '../backend/select.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../core/activations.js';
import { describeValue, parseLayers } from '../core/spec.js';
import { describeCrossover } from '../bench/crossover.js';
import { formatGrid, parseGrid } from '../bench/grid.js';
import { CLI_DEFAULTS, makePlan, type BenchRequest } from '../bench/plan.js';
import { BENCH_SUITES, reportToCsv, type BenchEnvironment, type BenchPoint, type BenchSuite } from '../bench/report.js';
import { runBenchPlan } from '../bench/runner.js';
import { distributionOverheads, TRAIN_HEADS, type TrainHead, type TrainPoint } from '../bench/train-bench.js';
import { formatTuneTable, tuneForPlan } from '../bench/matmul-tune.js';
import { FileTuneCache } from '../backend/webgpu/tune-cache-file.js';
import { MATMUL_VARIANTS, parseLayerShape, type MatmulVariant } from '../bench/shapes.js';
import { UsageError, helpText, parseFlags } from './args.js';
import { fmt } from './format.js';
import { loadNodeGpu, type NodeGpu } from './node-gpu.js';

/** The flags of `bench`. */
export const BENCH_FLAGS = {
  backend: { value: true, help: 'comma-separated backends: cpu, webgpu (default cpu; cpu,webgpu compares them)' },
  dtype: { value: true, help: 'CPU element type: f32 (default, as on the GPU) or f64' },
  reps: { value: true, help: 'timed repetitions per point (default 5, at least 5)' },
  'min-rep-ms': { value: true, help: 'repeat the operation within a repetition to last at least this long (default 20)' },
  sizes: { value: true, help: 'matmul: square sizes (default 128,256,512,1024)' },
  variants: { value: true, help: 'matmul: AB, ABt, AtB for the square sizes (default AB)' },
  shape: { value: true, help: 'matmul: a layer batch×in×out (e.g. 256x784x256): times X·W, δ·Wᵀ and Xᵀ·δ' },
  'gpu-max-size': { value: true, help: 'matmul: skip WebGPU products with a dimension above this (default none)' },
  grid: { value: true, help: 'train: depth=2,10 width=32,128 batch=16,256 (default); widths also set input and output' },
  layers: { value: true, help: 'train: one model\'s hidden widths (e.g. 256x20) instead of the grid\'s depth × width' },
  activation: { value: true, help: `train: hidden activation (${HIDDEN_ACTIVATIONS.join(', ')}; default sigmoid)` },
  head: { value: true, help: 'train: output layer and loss: mse (default: linear output), bce (one sigmoid output, as the lab\'s two-class data), softmax_ce' },
  optimizer: { value: true, help: 'train: sgd (default, lr 0.01) or adam (lr 0.003, the lab\'s default)' },
  batch: { value: true, help: 'train, workload: batch sizes (comma-separated; default: the grid\'s, workload 256)' },
  'input-dim': { value: true, help: 'train: input dimension (default: the first hidden width)' },
  'output-dim': { value: true, help: 'train: output dimension (default: the last hidden width)' },
  'steps-per-rep': { value: true, help: 'train, workload: steps per timed repetition (default 0: about --min-rep-ms)' },
  'log-every': { value: true, help: 'train: also record metrics every N steps (default 0: never)' },
  distributions: { value: false, help: 'train: time each model also with per-layer distribution quantiles at every logged step (needs --log-every) and print the extra share of a step' },
  'max-step-gflop': { value: true, help: 'train, workload: skip models above this many GFLOP per step (default 20)' },
  tune: { value: false, help: 'matmul, train: time every matmul kernel candidate per shape class on the GPU first (train: in the warm-up), print the table, keep the winners (.cache/matmul-tune.json)' },
  json: { value: false, help: 'print one JSON report on stdout (the format of the benchmark page\'s export)' },
  csv: { value: true, help: 'also write the points as CSV to FILE (- for stdout instead of the table; not with --json)' },
  help: { value: false, help: 'show this help' },
};

const USAGE_SUITES = `bench ${BENCH_SUITES.join('|')}[,…]`;

function ints(flag: string, text: string, min: number, max: number): number[] {
  const parts = text.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  if (parts.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected comma-separated whole numbers from ${min} to ${max}`);
  }
  return parts;
}

function int(flag: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  const v = ints(flag, text, min, max);
  if (v.length !== 1) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected one whole number from ${min} to ${max}`);
  return v[0]!;
}

function positive(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected a positive number`);
  return v;
}

/** `--grid depth=2,10 width=32 batch=16` given as separate words: join the axis words into the flag's value. */
export function joinGridWords(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]!);
    if (argv[i] === '--grid' && i + 1 < argv.length) {
      const words = [argv[++i]!];
      while (i + 1 < argv.length && /^(depth|width|batch)=/.test(argv[i + 1]!)) words.push(argv[++i]!);
      out.push(words.join(' '));
    }
  }
  return out;
}

/**
 * Checks before anything runs that the CSV can be written where `--csv` says: opens the file for appending (which
 * leaves an existing file as it is) and removes it again if it was not there before. Throws a UsageError naming
 * `--csv` otherwise.
 */
export function checkCsvPath(file: string): void {
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, 'a'));
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    throw new UsageError(`--csv: cannot write ${describeValue(file)} (${code ?? message}); expected a writable file path, or - for stdout`);
  }
  if (!existed) unlinkSync(file);
}

/** The machine a benchmark runs on. */
export function nodeEnvironment(): BenchEnvironment {
  const cpus = os.cpus();
  return {
    runtime: 'node',
    version: `node ${process.version}`,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuThreads: cpus.length,
  };
}

/** The benchmark request of the flags. */
export function benchRequest(suites: BenchSuite[], flags: Map<string, string>): BenchRequest {
  const get = (k: string) => flags.get(k);
  const variants = (get('variants') ?? 'AB').split(',').map((s) => s.trim()) as MatmulVariant[];
  for (const v of variants) if (!MATMUL_VARIANTS.includes(v)) throw new UsageError(`--variants: ${describeValue(v)} is not allowed; expected AB, ABt, AtB`);
  const shapeText = get('shape');
  const layer = shapeText === undefined ? null : parseLayerShape(shapeText);
  if (shapeText !== undefined && !layer) throw new UsageError(`--shape: ${describeValue(shapeText)} is not allowed; expected batch×in×out like 256x784x256`);
  const activation = get('activation') ?? CLI_DEFAULTS.activation;
  if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new UsageError(`--activation: ${describeValue(activation)} is not allowed; expected one of ${HIDDEN_ACTIVATIONS.join(', ')}`);
  }
  const head = get('head') ?? 'mse';
  if (!(TRAIN_HEADS as readonly string[]).includes(head)) throw new UsageError(`--head: ${describeValue(head)} is not allowed; expected one of ${TRAIN_HEADS.join(', ')}`);
  const optimizer = get('optimizer') ?? 'sgd';
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new UsageError(`--optimizer: ${describeValue(optimizer)} is not allowed; expected sgd or adam`);
  const layersText = get('layers');
  const layers = layersText === undefined ? null : parseLayers(layersText);
  if (layersText !== undefined && (!layers || layers.length === 0)) throw new UsageError(`--layers: ${describeValue(layersText)} is not allowed; expected widths like 256x20`);
  if (layers && get('grid') !== undefined) throw new UsageError('give --grid or --layers, not both');
  const batches = get('batch') === undefined ? null : ints('batch', get('batch')!, 1, 1_000_000);
  let grid = batches ? { ...CLI_DEFAULTS.grid, batch: batches } : CLI_DEFAULTS.grid;
  if (get('grid') !== undefined) {
    const parsed = parseGrid(get('grid')!, grid);
    if (typeof parsed === 'string') throw new UsageError(`--grid: ${parsed}`);
    grid = parsed;
  }
  // Sizes given with a layer shape add squares; a layer shape alone times only its three products.
  const sizes = get('sizes') !== undefined ? ints('sizes', get('sizes')!, 1, 16384) : layer ? [] : CLI_DEFAULTS.sizes;
  const gpuMax = get('gpu-max-size');
  return {
    ...CLI_DEFAULTS,
    suites,
    sizes,
    variants,
    layer,
    grid,
    layers,
    inputDim: get('input-dim') === undefined ? null : int('input-dim', get('input-dim'), 0, 1, 65536),
    outputDim: get('output-dim') === undefined ? null : int('output-dim', get('output-dim'), 0, 1, 65536),
    activation: activation as HiddenActivation,
    head: head as TrainHead,
    optimizer,
    workloadBatch: batches?.[0] ?? CLI_DEFAULTS.workloadBatch,
    stepsPerRep: int('steps-per-rep', get('steps-per-rep'), 0, 0, 1_000_000),
    logEvery: int('log-every', get('log-every'), 0, 0, 1_000_000),
    distributions: distributionsFlag(flags),
    reps: int('reps', get('reps'), 5, 5, 1000),
    minRepMs: get('min-rep-ms') === undefined ? CLI_DEFAULTS.minRepMs : positive('min-rep-ms', get('min-rep-ms')!),
    limits: {
      maxGpuMatmulSize: gpuMax === undefined ? null : int('gpu-max-size', gpuMax, 0, 1, 1 << 20),
      maxStepFlops: get('max-step-gflop') === undefined ? CLI_DEFAULTS.limits.maxStepFlops : positive('max-step-gflop', get('max-step-gflop')!) * 1e9,
      maxGpuStepFlops: null,
    },
  };
}

function distributionsFlag(flags: Map<string, string>): boolean {
  if (!flags.has('distributions')) return false;
  const every = flags.get('log-every');
  if (every === undefined || Number(every) === 0) {
    throw new UsageError(`--distributions needs --log-every N with N ≥ 1 (got ${every === undefined ? 'none' : describeValue(every)}): distributions are recorded at logged steps`);
  }
  return true;
}

/** One table line of a point: the rate, the timings and the agreement beside them. */
export function pointLine(p: BenchPoint): string {
  const agree = p.agreement ? `max |Δ| ${p.agreement.maxAbsDiff.toExponential(2)} vs ${p.agreement.against}` : '';
  const head = `${p.backend.padEnd(34)} ${p.suite.padEnd(8)} ${p.label.padEnd(22)}`;
  const times = `median ${fmt(p.medianMs, 3)} ms (min ${fmt(p.minMs, 3)}, max ${fmt(p.maxMs, 3)}), warm-up ${fmt(p.warmupMs, 1)} ms`;
  if (p.suite === 'matmul') {
    const gpu = p.gpuMedianMs !== null ? `, GPU timestamps ${fmt(p.gpuMedianMs, 3)} ms (${fmt(p.gpuGflops!, 2)} GFLOP/s)` : '';
    return `${head} ${fmt(p.gflops, 2).padStart(9)} GFLOP/s ${fmt(p.samplesPerSecond, 0).padStart(11)} samples/s  ${times}${gpu}, err ${p.maxAbsError.toExponential(1)}  ${agree}`;
  }
  return `${head} ${fmt(p.stepsPerSecond, 2).padStart(9)} steps/s ${fmt(p.samplesPerSecond, 0).padStart(11)} samples/s ${fmt(p.gflops, 2).padStart(8)} GFLOP/s  ${times}  ${agree}`;
}

/** Run `lab bench …`. */
export async function runBench(argv: readonly string[], gpuHolder: { gpu?: NodeGpu }): Promise<void> {
  const [suiteArg, ...rest] = argv;
  if (suiteArg === undefined || suiteArg === '--help' || suiteArg === 'help') {
    process.stdout.write(`${helpText(USAGE_SUITES, BENCH_FLAGS)}\n`);
    return;
  }
  const suites = suiteArg === 'all' ? [...BENCH_SUITES] : suiteArg.split(',');
  for (const s of suites) {
    if (!(BENCH_SUITES as readonly string[]).includes(s)) throw new UsageError(`unknown benchmark ${describeValue(s)}; valid: ${BENCH_SUITES.join(', ')}, all`);
  }
  const flags = parseFlags(joinGridWords(rest), BENCH_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText(USAGE_SUITES, BENCH_FLAGS)}\n`);
    return;
  }
  const kinds = [...new Set((flags.get('backend') ?? 'cpu').split(',').map((s) => s.trim()))];
  for (const k of kinds) if (k !== 'cpu' && k !== 'webgpu') throw new UsageError(`--backend: ${describeValue(k)} is not allowed; expected cpu, webgpu or both (cpu,webgpu)`);
  const dtype = flags.get('dtype') ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f64') throw new UsageError(`--dtype: ${describeValue(dtype)} is not allowed; expected f32 or f64`);
  const request = benchRequest(suites as BenchSuite[], flags);
  const json = flags.has('json');
  const csv = flags.get('csv');
  // stdout carries one format: the JSON report, or the CSV, or the table.
  if (json && csv === '-') throw new UsageError('--json and --csv - would both write to stdout; give one of them, or write the CSV to a file (--csv FILE)');
  if (csv !== undefined && csv !== '-') checkCsvPath(csv);
  const log = (s: string) => process.stderr.write(`${s}\n`);

  const backends: Backend[] = [];
  try {
    for (const k of kinds) {
      let gpu: GPU | undefined;
      if (k === 'webgpu') {
        gpuHolder.gpu ??= await loadNodeGpu();
        gpu = gpuHolder.gpu.gpu;
        if (!gpu) throw new Error(gpuHolder.gpu.problem ?? 'WebGPU is not available');
      }
      backends.push((await selectBackend(k as 'cpu' | 'webgpu', { dtype, gpu })).backend);
    }
    if (request.suites.includes('train') && !request.layers) log(`train grid: ${formatGrid(request.grid)}`);
    const plan = makePlan(request);
    if (flags.has('tune')) {
      for (const t of await tuneForPlan(plan, backends, new FileTuneCache())) {
        const table = `${t.backend}\n${formatTuneTable(t.results)}\n`;
        if (json) log(`${table}matmul tuning JSON: ${JSON.stringify(t)}`);
        else process.stdout.write(table);
      }
    }
    const report = await runBenchPlan(plan, backends, nodeEnvironment(), {
      log,
      onPoint: (p) => {
        // The table goes to stdout unless the JSON report or the CSV does; beside the CSV it goes to stderr.
        if (csv === '-') log(pointLine(p));
        else if (!json) process.stdout.write(`${pointLine(p)}\n`);
      },
    });
    const kindsRun = new Set(backends.map((b) => b.info.kind));
    if (kindsRun.has('cpu') && kindsRun.has('webgpu')) {
      if (request.suites.includes('matmul')) log(`matmul crossover: ${describeCrossover(report.crossover.matmul, 'n')}`);
      if (request.suites.some((s) => s !== 'matmul')) log(`training crossover: ${describeCrossover(report.crossover.train, 'FLOPs/step')}`);
    }
    for (const b of report.backends) if (b.kind === 'webgpu') log(`${b.description}: ${b.timing}`);
    if (request.distributions) for (const line of distributionOverheads(report.points.filter((p): p is TrainPoint => p.suite === 'train'))) log(line);
    if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
    if (csv === '-') process.stdout.write(reportToCsv(report));
    else if (csv !== undefined) writeFileSync(csv, reportToCsv(report));
  } finally {
    for (const b of backends) b.destroy();
  }
}
