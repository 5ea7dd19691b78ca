/**
 * Command-line flags → experiment spec. Flags are a thin layer: they fill a raw spec object that
 * `parseExperiment` validates, and its field-named issues are reported under the flag that set the field.
 */
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS } from '../core/activations.js';
import { LOSSES } from '../core/losses.js';
import { SCHEDULE_TEXT_FORMS, parseScheduleText } from '../core/lr-schedule.js';
import { PRESETS, preset, type PresetName } from '../core/presets.js';
import { DATASETS, DTYPES, INITS, LIMITS, NORMS, OPTIMIZERS, activationListAllowed, datasetDims, describeValue, formatIssue, parseActivationList, parseExperiment, parseLayers, type ExperimentSpec, type SpecIssue } from '../core/spec.js';

/** Where training runs. */
export const BACKEND_CHOICES = ['cpu', 'webgpu', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A usage error: exit code 2 with this message. */
export class UsageError extends Error {}

/** One flag: its name, whether it takes a value, and help text. */
interface FlagDef {
  readonly value: boolean;
  readonly help: string;
}

/** The flags of `train`. */
export const TRAIN_FLAGS: Record<string, FlagDef> = {
  preset: { value: true, help: `start from a named experiment: ${PRESETS.join(', ')}` },
  dataset: { value: true, help: `data set: ${DATASETS.join(', ')}` },
  samples: { value: true, help: 'number of samples of a generated data set' },
  noise: { value: true, help: 'noise of a generated data set' },
  'input-dim': { value: true, help: 'input dimension (random data set)' },
  'output-dim': { value: true, help: 'output dimension (random data set)' },
  layers: { value: true, help: 'hidden widths: 2, 16,16 or 256x20 (twenty layers of 256)' },
  activation: { value: true, help: `hidden activation: ${HIDDEN_ACTIVATIONS.join(', ')}; or per layer, counts adding up to the --layers: sigmoid*10,relu*10 (or ×)` },
  'output-activation': { value: true, help: `output activation: ${OUTPUT_ACTIVATIONS.join(', ')}` },
  loss: { value: true, help: `loss: ${LOSSES.join(', ')}` },
  init: { value: true, help: `weight init: ${INITS.join(', ')}` },
  gain: { value: true, help: 'multiplier of the init std (default 1)' },
  lr: { value: true, help: 'learning rate' },
  optimizer: { value: true, help: `optimizer: ${OPTIMIZERS.join(', ')} (default sgd)` },
  momentum: { value: true, help: 'momentum coefficient (momentum, nesterov; default 0.9)' },
  beta1: { value: true, help: 'Adam β₁ (default 0.9)' },
  beta2: { value: true, help: 'Adam β₂ (default 0.999)' },
  decay: { value: true, help: 'RMSProp decay ρ (default 0.9)' },
  eps: { value: true, help: 'ε of RMSProp and Adam (default 1e-8)' },
  'clip-norm': { value: true, help: 'clip gradients to this global L2 norm' },
  'clip-value': { value: true, help: 'clip each gradient entry to ±this value' },
  norm: { value: true, help: `normalise every hidden layer's pre-activation: ${NORMS.join(', ')} (default none)` },
  residual: { value: true, help: 'residual connections skipping every k hidden layers (where widths match); 0 = none' },
  'bias-std': { value: true, help: 'standard deviation of the initial biases (default 0: zero biases)' },
  dropout: { value: true, help: 'inverted dropout rate p of every hidden layer while training, 0 ≤ p < 1 (default 0: none; off at evaluation)' },
  'dropout-seed': { value: true, help: 'seed of the dropout masks (default: the --seed of the weights)' },
  'weight-decay': { value: true, help: 'L2 weight decay λ added to the gradient, g + λ·W (weights only, not biases; default 0)' },
  'decoupled-weight-decay': { value: true, help: 'decoupled weight decay λ as in AdamW, W ← W − lr·λ·W beside the update (weights only; default 0)' },
  'lr-schedule': { value: true, help: `learning-rate schedule: ${SCHEDULE_TEXT_FORMS} (default constant)` },
  'lr-warmup': { value: true, help: 'linear learning-rate warm-up over this many steps in front of the schedule (default 0)' },
  epochs: { value: true, help: 'passes over the data (sets --steps)' },
  steps: { value: true, help: 'number of updates' },
  batch: { value: true, help: 'rows per step; 0 or "full" = full batch' },
  seed: { value: true, help: 'seed of the data, the initial weights and the batch order' },
  backend: { value: true, help: `where to train: ${BACKEND_CHOICES.join(', ')} (default cpu)` },
  dtype: { value: true, help: `CPU element type: ${DTYPES.join(', ')}` },
  'log-every': { value: true, help: 'record metrics every N steps' },
  json: { value: false, help: 'JSON lines on stdout: {"step",…} per logged step, {"diverged":{"step","reason"}} if the run diverges, last {"predictions","samples"} (of the first 16 rows)' },
  save: { value: true, help: 'at the end, save the run (specs, weights, optimizer state, step, batch order, records) to this JSON file' },
  resume: { value: true, help: 'continue a run saved with --save exactly where it stopped; only --steps (the new total), --save, --npz, --backend, --json go with it' },
  npz: { value: true, help: 'at the end, write the trained weights to this NumPy .npz file (W0, b0, W1, …; np.load reads it)' },
  'lose-device-at': { value: true, help: 'rehearse a GPU driver reset: destroy the WebGPU device after step k (WebGPU only)' },
  help: { value: false, help: 'show this help' },
};

/** Which flag sets each spec field, for error messages. */
const FIELD_FLAG: [RegExp, string][] = [
  [/^model\.hidden/, '--layers'],
  [/^model\.activations/, '--activation'],
  [/^model\.outputActivation/, '--output-activation'],
  [/^model\.outputDim/, '--output-dim'],
  [/^model\.inputDim/, '--input-dim'],
  [/^model\.loss/, '--loss'],
  [/^model\.init$/, '--init'],
  [/^model\.gain/, '--gain'],
  [/^model\.initSeed/, '--seed'],
  [/^model\.optimizer\.lr/, '--lr'],
  [/^model\.optimizer\.kind/, '--optimizer'],
  [/^model\.optimizer\.momentum/, '--momentum'],
  [/^model\.optimizer\.beta1/, '--beta1'],
  [/^model\.optimizer\.beta2/, '--beta2'],
  [/^model\.optimizer\.decay/, '--decay'],
  [/^model\.optimizer\.eps/, '--eps'],
  [/^model\.optimizer\.weightDecay/, '--weight-decay / --decoupled-weight-decay'],
  [/^model\.optimizer\.schedule\.warmup/, '--lr-warmup'],
  [/^model\.optimizer\.schedule/, '--lr-schedule'],
  [/^model\.dropoutSeed/, '--dropout-seed'],
  [/^model\.dropout/, '--dropout'],
  [/^model\.clip/, '--clip-norm / --clip-value'],
  [/^model\.norm/, '--norm'],
  [/^model\.residual/, '--residual'],
  [/^model\.biasStd/, '--bias-std'],
  [/^data\.dataset/, '--dataset'],
  [/^data\.samples/, '--samples'],
  [/^data\.noise/, '--noise'],
  [/^data\.inputDim/, '--input-dim'],
  [/^data\.outputDim/, '--output-dim'],
  [/^data\.seed/, '--seed'],
  [/^schedule\.batchSize/, '--batch'],
  [/^schedule\.steps/, '--steps'],
  [/^schedule\.logEvery/, '--log-every'],
  [/^schedule\.batchSeed/, '--seed'],
  [/^schedule\.dtype/, '--dtype'],
];

/** Split argv into flag values; throws UsageError on unknown or malformed flags. */
export function parseFlags(argv: readonly string[], defs: Record<string, FlagDef>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${describeValue(arg)}; flags look like --name value (see --help)`);
    const name = m[1]!;
    const def = defs[name];
    if (!def) throw new UsageError(`unknown flag --${name}; valid flags: ${Object.keys(defs).map((k) => `--${k}`).join(', ')}`);
    if (out.has(name)) throw new UsageError(`--${name} is given twice`);
    if (!def.value) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out.set(name, 'true');
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value (${def.help})`);
    out.set(name, value);
  }
  return out;
}

function num(flag: string, text: string, allowed: string): number {
  // Decimal notation only: Number() would also take 0x10, 0b11 and 1_0 (the last as NaN, the others silently).
  const v = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected ${allowed}`);
  return v;
}

function wholeNumber(flag: string, text: string): number {
  const v = num(flag, text, 'a whole number ≥ 0');
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected a whole number ≥ 0`);
  return v;
}

function choice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`--${flag}: ${describeValue(text)} is not allowed; expected one of ${choices.join(', ')}`);
  return text as T;
}

/** What `train` runs: a validated spec, where, and how to print. */
export interface TrainOptions {
  readonly spec: ExperimentSpec;
  readonly backend: BackendChoice;
  readonly json: boolean;
  /** Step after which to destroy the WebGPU device (a rehearsal of a lost device), or null. */
  readonly loseDeviceAt: number | null;
}

/** Build the experiment spec of `train` from its flags. */
export function trainOptions(flags: Map<string, string>): TrainOptions {
  const get = (k: string) => flags.get(k);
  const base = preset(choice('preset', get('preset') ?? 'xor-classic', PRESETS) as PresetName);
  const model = { ...base.model, optimizer: { ...base.model.optimizer } } as { -readonly [K in keyof typeof base.model]: (typeof base.model)[K] };
  const data = { ...base.data } as { -readonly [K in keyof typeof base.data]: (typeof base.data)[K] };
  const schedule = { ...base.schedule } as { -readonly [K in keyof typeof base.schedule]: (typeof base.schedule)[K] };

  const dataset = get('dataset');
  if (dataset !== undefined) {
    data.dataset = choice('dataset', dataset, DATASETS);
    if (data.dataset !== 'xor' && data.dataset !== 'and' && get('samples') === undefined) data.samples = 200;
    if (data.dataset === 'random') {
      model.outputActivation = 'linear';
      model.loss = 'mse';
    }
  }
  if (get('samples') !== undefined) data.samples = num('samples', get('samples')!, 'a whole number of samples');
  if (get('noise') !== undefined) data.noise = num('noise', get('noise')!, 'a noise level ≥ 0');
  if (get('input-dim') !== undefined) data.inputDim = num('input-dim', get('input-dim')!, 'a positive whole number');
  if (get('output-dim') !== undefined) data.outputDim = num('output-dim', get('output-dim')!, 'a positive whole number');
  if (get('seed') !== undefined) {
    const s = num('seed', get('seed')!, 'a whole number from 0 to 4294967295');
    data.seed = s;
    model.initSeed = s;
    schedule.batchSeed = s;
  }
  const dims = datasetDims(data);
  model.inputDim = dims.inputDim;
  model.outputDim = dims.outputDim;

  const layers = get('layers');
  if (layers !== undefined) {
    const hidden = parseLayers(layers);
    if (!hidden) throw new UsageError(`--layers: ${describeValue(layers)} is not allowed; expected widths like 2, 16,16 or 256x20`);
    model.hidden = hidden;
    model.activations = hidden.map(() => model.activations[0] ?? 'sigmoid');
  }
  const act = get('activation');
  if (act !== undefined) {
    const list = parseActivationList(act, model.hidden.length);
    if (!list) throw new UsageError(`--activation: ${describeValue(act)} is not allowed; expected ${activationListAllowed(model.hidden.length)} (the --layers)`);
    model.activations = list;
  }
  if (get('output-activation') !== undefined) model.outputActivation = choice('output-activation', get('output-activation')!, OUTPUT_ACTIVATIONS);
  if (get('loss') !== undefined) model.loss = choice('loss', get('loss')!, LOSSES);
  if (get('init') !== undefined) model.init = choice('init', get('init')!, INITS);
  if (get('gain') !== undefined) model.gain = num('gain', get('gain')!, 'a number ≥ 0');
  const optimizer: Record<string, unknown> = { ...model.optimizer };
  if (get('lr') !== undefined) optimizer.lr = num('lr', get('lr')!, 'a positive number');
  if (get('optimizer') !== undefined) optimizer.kind = choice('optimizer', get('optimizer')!, OPTIMIZERS);
  for (const k of ['momentum', 'beta1', 'beta2', 'decay', 'eps'] as const) {
    if (get(k) !== undefined) optimizer[k] = num(k, get(k)!, k === 'eps' ? 'a small positive number' : 'a number from 0 up to 1');
  }
  if (get('weight-decay') !== undefined && get('decoupled-weight-decay') !== undefined) throw new UsageError('give --weight-decay or --decoupled-weight-decay, not both');
  if (get('weight-decay') !== undefined) optimizer.weightDecay = { kind: 'coupled', lambda: num('weight-decay', get('weight-decay')!, 'a weight decay λ ≥ 0') };
  if (get('decoupled-weight-decay') !== undefined) {
    optimizer.weightDecay = { kind: 'decoupled', lambda: num('decoupled-weight-decay', get('decoupled-weight-decay')!, 'a weight decay λ ≥ 0') };
  }
  const warmup = get('lr-warmup') === undefined ? undefined : num('lr-warmup', get('lr-warmup')!, 'a whole number of steps ≥ 0');
  const scheduleText = get('lr-schedule');
  if (scheduleText !== undefined || warmup !== undefined) {
    const raw = parseScheduleText(scheduleText ?? 'constant', warmup);
    if (typeof raw === 'string') throw new UsageError(`--lr-schedule: ${describeValue(scheduleText)} is not allowed; expected ${SCHEDULE_TEXT_FORMS}`);
    optimizer.schedule = raw;
  }
  model.optimizer = optimizer as unknown as typeof model.optimizer;
  if (get('dropout') !== undefined) model.dropout = num('dropout', get('dropout')!, 'a dropout rate from 0 up to (not including) 1');
  if (get('dropout-seed') !== undefined) model.dropoutSeed = num('dropout-seed', get('dropout-seed')!, 'a whole number from 0 to 4294967295');
  if (get('clip-norm') !== undefined && get('clip-value') !== undefined) throw new UsageError('give --clip-norm or --clip-value, not both');
  if (get('clip-norm') !== undefined) model.clip = { kind: 'norm', max: num('clip-norm', get('clip-norm')!, 'a positive number') };
  if (get('clip-value') !== undefined) model.clip = { kind: 'value', max: num('clip-value', get('clip-value')!, 'a positive number') };
  if (get('norm') !== undefined) model.norm = choice('norm', get('norm')!, NORMS);
  if (get('residual') !== undefined) model.residual = num('residual', get('residual')!, 'a whole number of layers from 0 to 200');
  if (get('bias-std') !== undefined) model.biasStd = num('bias-std', get('bias-std')!, 'a standard deviation ≥ 0');
  if (get('dtype') !== undefined) schedule.dtype = choice('dtype', get('dtype')!, DTYPES);
  const batch = get('batch');
  if (batch !== undefined) schedule.batchSize = batch === 'full' ? 0 : num('batch', batch, 'a whole number of rows, or 0 / "full" for the full batch');
  if (get('epochs') !== undefined && get('steps') !== undefined) throw new UsageError('give --epochs or --steps, not both');
  if (get('steps') !== undefined) schedule.steps = num('steps', get('steps')!, 'a whole number of steps');
  if (get('epochs') !== undefined) {
    const epochs = num('epochs', get('epochs')!, 'a whole number of epochs');
    const rows = schedule.batchSize === 0 ? dims.samples : schedule.batchSize;
    schedule.steps = Number.isInteger(epochs) && epochs >= 0 && rows > 0 ? epochs * Math.ceil(dims.samples / rows) : epochs;
  }
  if (get('log-every') !== undefined) schedule.logEvery = num('log-every', get('log-every')!, 'a whole number of steps ≥ 1');
  else if (get('preset') === undefined && (get('steps') !== undefined || get('epochs') !== undefined)) {
    // Within its own range whatever --steps is: an out-of-range --steps is reported under --steps alone.
    schedule.logEvery = Math.max(1, Math.min(LIMITS.maxSteps, Math.round(schedule.steps / 10)));
  }

  const parsed = parseExperiment({ model, data, schedule });
  if (!parsed.ok) throw new UsageError(parsed.issues.map(flagMessage).join('\n'));
  const backend = choice('backend', get('backend') ?? 'cpu', BACKEND_CHOICES);
  const loseDeviceAt = flags.has('lose-device-at') ? wholeNumber('lose-device-at', flags.get('lose-device-at')!) : null;
  if (loseDeviceAt !== null && backend === 'cpu') throw new UsageError(loseDeviceOnCpu(backend === get('backend') ? '--backend cpu' : 'the default backend, cpu'));
  return { spec: parsed.value, backend, json: flags.has('json'), loseDeviceAt };
}

/** Flags that may go with --resume (the spec comes from the run file). */
export const RESUME_FLAGS = ['resume', 'steps', 'save', 'npz', 'backend', 'json', 'help'] as const;

/** Throw a UsageError naming the first flag given with --resume that would change the saved spec. */
export function checkResumeFlags(flags: Map<string, string>): void {
  const extra = [...flags.keys()].find((k) => !(RESUME_FLAGS as readonly string[]).includes(k));
  if (extra !== undefined) {
    throw new UsageError(`--${extra} cannot be given with --resume: the run file holds the spec; with --resume give only ${RESUME_FLAGS.filter((f) => f !== 'resume' && f !== 'help').map((f) => `--${f}`).join(', ')}`);
  }
  if (flags.has('steps')) wholeNumber('steps', flags.get('steps')!);
  choice('backend', flags.get('backend') ?? 'cpu', BACKEND_CHOICES);
}

/** Why --lose-device-at is refused when the run is on the CPU (`where` says how the CPU was chosen). */
export function loseDeviceOnCpu(where: string): string {
  return `--lose-device-at destroys the WebGPU device, and this run is on the CPU (${where}): there is no device to lose; give --backend webgpu, or drop --lose-device-at`;
}

/** A spec issue phrased for the command line: the flag that set the field first. */
export function flagMessage(issue: SpecIssue): string {
  const flag = FIELD_FLAG.find(([re]) => re.test(issue.field))?.[1];
  return flag ? `${flag}: ${formatIssue(issue)}` : formatIssue(issue);
}

/** Help text of a flag table. */
export function helpText(command: string, defs: Record<string, FlagDef>): string {
  const lines = Object.entries(defs).map(([k, d]) => `${`  --${k}${d.value ? ' <value>' : ''}`.padEnd(30)} ${d.help}`);
  return `usage: npm run -s lab -- ${command} [flags]\n${lines.join('\n')}`;
}
