/**
 * `lab sweep`: the first layer's gradient norm at initialisation against depth for every activation × init pair,
 * measured on the CPU backend beside the mean-field prediction, as a table or as one JSON object.
 */
import { createCpuBackend } from '../backend/cpu/cpu-backend.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../core/activations.js';
import { makeDataset } from '../core/datasets.js';
import { DATASETS, INITS, LIMITS, describeValue, parseData, type DataSpec, type InitName } from '../core/spec.js';
import { depthSweep, type SweepPair } from '../train/depth-sweep.js';
import { UsageError, helpText, parseFlags } from './args.js';
import { fmt } from './format.js';

const SWEEP_FLAGS = {
  activations: { value: true, help: `comma-separated hidden activations (default sigmoid,tanh,relu): ${HIDDEN_ACTIVATIONS.join(', ')}` },
  inits: { value: true, help: `comma-separated weight inits, every pair with every activation (default xavier,he): ${INITS.join(', ')}` },
  depths: { value: true, help: 'comma-separated numbers of hidden layers (default 1,2,5,10,20,50)' },
  width: { value: true, help: 'width of every hidden layer (default 32)' },
  dataset: { value: true, help: `data set (default spiral): ${DATASETS.join(', ')}` },
  samples: { value: true, help: 'samples of a generated data set, all in one full batch (default 200)' },
  noise: { value: true, help: 'noise of a generated data set (default 0.05)' },
  seeds: { value: true, help: 'number of init seeds averaged over (default 3)' },
  gain: { value: true, help: 'multiplier of the init std (default 1)' },
  dtype: { value: true, help: 'CPU element type: f64 (default) or f32 (f32 underflows below ~1e-38)' },
  json: { value: false, help: 'print one JSON object' },
  help: { value: false, help: 'show this help' },
};

function list<T extends string>(flag: string, text: string, choices: readonly T[]): T[] {
  const parts = text.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (!(choices as readonly string[]).includes(p)) throw new UsageError(`--${flag}: ${describeValue(p)} is not allowed; expected a comma-separated list of ${choices.join(', ')}`);
  }
  return [...new Set(parts)] as T[];
}

function ints(flag: string, text: string, min: number, max: number): number[] {
  const parts = text.split(',').map((p) => (p.trim() === '' ? NaN : Number(p.trim())));
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

function real(flag: string, text: string | undefined, dflt: number, min: number, max: number): number {
  if (text === undefined) return dflt;
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected a number from ${min} to ${max}`);
  return v;
}

/** Run `lab sweep …`. */
export async function runSweep(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, SWEEP_FLAGS);
  if (flags.has('help')) {
    process.stdout.write(`${helpText('sweep', SWEEP_FLAGS)}\n`);
    return;
  }
  const activations = list<HiddenActivation>('activations', flags.get('activations') ?? 'sigmoid,tanh,relu', HIDDEN_ACTIVATIONS);
  const inits = list<InitName>('inits', flags.get('inits') ?? 'xavier,he', INITS);
  const depths = ints('depths', flags.get('depths') ?? '1,2,5,10,20,50', 0, LIMITS.maxDepth);
  const width = int('width', flags.get('width'), 32, 1, 4096);
  const seedCount = int('seeds', flags.get('seeds'), 3, 1, 64);
  const gain = real('gain', flags.get('gain'), 1, 0, LIMITS.maxGain);
  const dtype = flags.get('dtype') ?? 'f64';
  if (dtype !== 'f32' && dtype !== 'f64') throw new UsageError(`--dtype: ${describeValue(dtype)} is not allowed; expected f32 or f64`);
  const dataset = flags.get('dataset') ?? 'spiral';
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new UsageError(`--dataset: ${describeValue(dataset)} is not allowed; expected one of ${DATASETS.join(', ')}`);
  const rawData: DataSpec = {
    dataset: dataset as DataSpec['dataset'],
    samples: int('samples', flags.get('samples'), 200, 1, 100_000),
    noise: real('noise', flags.get('noise'), 0.05, 0, LIMITS.maxNoise),
    inputDim: width,
    outputDim: 1,
    seed: 1,
  };
  const parsed = parseData(rawData);
  if (!parsed.ok) throw new UsageError(parsed.issues.map((i) => `--${i.field.replace(/^data\./, '')}: ${describeValue(i.value)} is not allowed; expected ${i.allowed}`).join('\n'));
  const data = makeDataset(parsed.value);
  const json = flags.has('json');

  const pairs: SweepPair[] = activations.flatMap((activation) => inits.map((init) => ({ activation, init })));
  const backend = createCpuBackend({ dtype });
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const started = performance.now();
  const points = await depthSweep(backend, { pairs, depths, width, data, seeds, gain });
  backend.destroy();
  const seconds = (performance.now() - started) / 1000;
  const setup = { dataset: data.name, samples: data.n, width, seeds: seedCount, gain, dtype, backend: backend.info.description };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...setup, points })}\n`);
    return;
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`first-layer ‖∂L/∂W_0‖ at initialisation: ${data.name} (${data.n} rows, full batch), hidden width ${width}, mean of ${seedCount} seeds, ${backend.info.description}`);
  out('predicted = mean-field theory anchored at the measured output layer; χ = per-layer factor of ‖δ‖² (√χ per layer for the norm)');
  for (const pair of pairs) {
    const rows = points.filter((p) => p.activation === pair.activation && p.init === pair.init);
    const c = rows[0]?.chi ?? NaN;
    out('');
    out(`${pair.activation} / ${pair.init}: χ = ${fmt(c)}, √χ = ${fmt(Math.sqrt(c))}`);
    out(`${'depth'.padStart(7)}${'measured'.padStart(13)}${'predicted'.padStart(13)}${'meas/pred'.padStart(11)}${'output'.padStart(13)}`);
    for (const p of rows) {
      const ratio = p.predicted > 0 ? p.measured / p.predicted : null;
      out(`${String(p.depth).padStart(7)}${fmt(p.measured).padStart(13)}${fmt(p.predicted).padStart(13)}${fmt(ratio, 3).padStart(11)}${fmt(p.outputNorm).padStart(13)}`);
    }
  }
  out('');
  out(`${pairs.length * depths.length} depth points in ${seconds.toFixed(2)} s`);
}
