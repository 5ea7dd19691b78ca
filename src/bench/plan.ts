/**
 * Building benchmark plans: the tasks of each suite from sizes, a layer shape, a depth × width × batch grid
 * and the digits-sized workload (784 → 256×4 → 10, softmax cross-entropy), with the defaults of the CLI and of
 * the page (small enough to finish on SwiftShader).
 */
import type { HiddenActivation } from '../core/activations.js';
import { gridPoints, type TrainGrid } from './grid.js';
import type { BenchSuite } from './report.js';
import { matmulTask, trainTask, type BenchLimits, type BenchPlan, type BenchTask } from './runner.js';
import { layerShapes, squareShape, type LayerShape, type MatmulVariant } from './shapes.js';
import type { TrainBenchShape, TrainHead, TrainOptimizer } from './train-bench.js';

/** Everything a benchmark run can be asked for. */
export interface BenchRequest {
  readonly suites: readonly BenchSuite[];
  /** matmul: square sizes. */
  readonly sizes: readonly number[];
  /** matmul: variants of the square sizes. */
  readonly variants: readonly MatmulVariant[];
  /** matmul: a layer's three backprop products (X·W, δ·Wᵀ, Xᵀ·δ), or null. */
  readonly layer: LayerShape | null;
  /** train: the grid (widths are the hidden widths; input and output default to the width). */
  readonly grid: TrainGrid;
  /** train: one model's hidden widths instead of the grid's depth × width (the grid's batches still apply). */
  readonly layers: readonly number[] | null;
  readonly inputDim: number | null;
  readonly outputDim: number | null;
  readonly activation: HiddenActivation;
  /** train: output layer and loss, and update rule (defaults mse, sgd). */
  readonly head?: TrainHead;
  readonly optimizer?: TrainOptimizer;
  /** workload: batch of the 784 → 256×4 → 10 network. */
  readonly workloadBatch: number;
  /** Steps per timed repetition (0: automatic, about minRepMs per repetition). */
  readonly stepsPerRep: number;
  readonly logEvery: number;
  /** train: time each model twice, without and with distribution quantiles at its logged steps. */
  readonly distributions?: boolean;
  readonly reps: number;
  readonly minRepMs: number;
  readonly limits: BenchLimits;
}

/** The digits-sized workload: 784 inputs, four hidden layers of 256, 10 classes, softmax cross-entropy. */
export const WORKLOAD = { inputDim: 784, hidden: [256, 256, 256, 256], outputDim: 10, activation: 'relu' } as const;

/** Defaults of `lab bench`. */
export const CLI_DEFAULTS: BenchRequest = {
  suites: ['matmul'],
  sizes: [128, 256, 512, 1024],
  variants: ['AB'],
  layer: null,
  grid: { depth: [2, 10], width: [32, 128], batch: [16, 256] },
  layers: null,
  inputDim: null,
  outputDim: null,
  activation: 'sigmoid',
  workloadBatch: 256,
  stepsPerRep: 0,
  logEvery: 0,
  reps: 5,
  minRepMs: 20,
  limits: { maxGpuMatmulSize: null, maxStepFlops: 20e9, maxGpuStepFlops: null },
};

/** Defaults of the page: small, so that a run finishes in seconds even on SwiftShader (~0.3 GFLOP/s). */
export const PAGE_DEFAULTS: BenchRequest = {
  ...CLI_DEFAULTS,
  suites: ['matmul', 'train'],
  sizes: [32, 64, 128, 256, 512],
  grid: { depth: [2, 8], width: [32, 128], batch: [64] },
  workloadBatch: 64,
  minRepMs: 10,
  limits: { maxGpuMatmulSize: null, maxStepFlops: 2e9, maxGpuStepFlops: null },
};

/** GPU matmul cap on a software adapter (SwiftShader): sizes above it are skipped unless allowed. */
export const SOFTWARE_GPU_MAX_SIZE = 256;
/** GPU FLOPs-per-step cap on a software adapter. */
export const SOFTWARE_GPU_MAX_STEP_FLOPS = 2e8;

/** Limits for a GPU: caps on a software (fallback) adapter unless `allowLarge`. */
export function gpuLimits(base: BenchLimits, softwareAdapter: boolean, allowLarge: boolean): BenchLimits {
  if (!softwareAdapter || allowLarge) return base;
  return { ...base, maxGpuMatmulSize: SOFTWARE_GPU_MAX_SIZE, maxGpuStepFlops: SOFTWARE_GPU_MAX_STEP_FLOPS };
}

/** The training shape of a grid point (hidden layers of one width; input and output default to the width). */
export function gridShape(r: Pick<BenchRequest, 'inputDim' | 'outputDim' | 'activation' | 'stepsPerRep' | 'logEvery' | 'head' | 'optimizer'>, p: { depth: number; width: number; batch: number }): TrainBenchShape {
  return {
    ...(r.head && r.head !== 'mse' ? { head: r.head } : {}),
    ...(r.optimizer === 'adam' ? { optimizer: r.optimizer } : {}),
    inputDim: r.inputDim ?? p.width,
    hidden: Array.from({ length: p.depth }, () => p.width),
    outputDim: r.outputDim ?? p.width,
    activation: r.activation,
    batch: p.batch,
    stepsPerRep: r.stepsPerRep,
    logEvery: r.logEvery,
  };
}

/** The workload shape at a batch size. */
export function workloadShape(batch: number, stepsPerRep = 0): TrainBenchShape {
  return { ...WORKLOAD, hidden: [...WORKLOAD.hidden], batch, stepsPerRep, logEvery: 0, head: 'softmax_ce' };
}

/** The tasks of a request, suite by suite. */
export function planTasks(r: BenchRequest): BenchTask[] {
  const tasks: BenchTask[] = [];
  for (const suite of r.suites) {
    if (suite === 'matmul') {
      for (const v of r.variants) for (const n of r.sizes) tasks.push(matmulTask(squareShape(n, v)));
      if (r.layer) for (const s of layerShapes(r.layer)) tasks.push(matmulTask(s));
    } else if (suite === 'train' && r.layers) {
      const hidden = r.layers;
      for (const batch of r.grid.batch) {
        const base = gridShape(r, { depth: hidden.length, width: hidden[0]!, batch });
        tasks.push(trainTask('train', { ...base, hidden, outputDim: r.outputDim ?? hidden[hidden.length - 1]! }));
      }
    } else if (suite === 'train') {
      for (const p of gridPoints(r.grid)) tasks.push(trainTask('train', gridShape(r, p)));
    } else {
      tasks.push(trainTask('workload', workloadShape(r.workloadBatch, r.stepsPerRep)));
    }
  }
  if (!r.distributions) return tasks;
  return tasks.flatMap((t) => (t.suite === 'train' ? [t, trainTask('train', { ...t.train, distributions: true })] : [t]));
}

/** A plan from a request (settings echo the request). */
export function makePlan(r: BenchRequest, limits: BenchLimits = r.limits): BenchPlan {
  return {
    suites: r.suites,
    tasks: planTasks(r),
    reps: r.reps,
    minRepMs: r.minRepMs,
    limits,
    settings: {
      sizes: r.suites.includes('matmul') ? r.sizes : undefined,
      variants: r.suites.includes('matmul') ? r.variants : undefined,
      layer: r.layer ?? undefined,
      grid: r.suites.includes('train') ? (r.layers ? { batch: r.grid.batch } : r.grid) : undefined,
      layers: r.suites.includes('train') && r.layers ? r.layers : undefined,
      inputDim: r.inputDim ?? undefined,
      outputDim: r.outputDim ?? undefined,
      workloadBatch: r.suites.includes('workload') ? r.workloadBatch : undefined,
      activation: r.activation,
      stepsPerRep: r.stepsPerRep || 'auto',
    },
  };
}
