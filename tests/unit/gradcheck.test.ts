// Gradient check: for every hidden activation × (output activation, loss) pair × init, the trainer's
// backprop gradients on the f64 CPU backend match central finite differences of the loss.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { HIDDEN_ACTIVATIONS } from '../../src/core/activations.js';
import type { Dataset } from '../../src/core/datasets.js';
import type { Parameters } from '../../src/core/init.js';
import { lossValue, type LossName } from '../../src/core/losses.js';
import { NumpyRandom } from '../../src/core/rng.js';
import { INITS, type ModelSpec } from '../../src/core/spec.js';
import { Trainer } from '../../src/train/trainer.js';

const PAIRS: { out: ModelSpec['outputActivation']; loss: LossName }[] = [
  { out: 'linear', loss: 'mse' },
  { out: 'sigmoid', loss: 'mse' },
  { out: 'sigmoid', loss: 'bce' },
  { out: 'softmax', loss: 'softmax_ce' },
];
const H = 1e-6;
const TOL = 1e-6;

function data(outputDim: number, loss: LossName, rng: NumpyRandom): Dataset {
  const n = 5;
  const inputDim = 3;
  const x = rng.randn(n * inputDim);
  const y = new Float64Array(n * outputDim);
  for (let i = 0; i < n; i++) {
    if (loss === 'softmax_ce') y[i * outputDim + rng.randint(0, outputDim)] = 1;
    else for (let k = 0; k < outputDim; k++) y[i * outputDim + k] = loss === 'mse' && outputDim > 1 ? rng.standardNormal() : rng.randint(0, 2);
  }
  return { name: 'random', x, y, n, inputDim, outputDim, task: loss === 'mse' ? 'regression' : loss === 'bce' ? 'binary' : 'multiclass', classes: [] };
}

/** ‖a − b‖ / ‖a + b‖ over all entries (0 when both vanish). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += (a[i]! + b[i]!) ** 2;
  }
  return s === 0 ? 0 : Math.sqrt(d / s);
}

describe('backprop matches central finite differences (f64)', () => {
  for (const act of HIDDEN_ACTIVATIONS) {
    for (const { out, loss } of PAIRS) {
      it(`${act} hidden, ${out} output, ${loss}, every init`, async () => {
        for (const init of INITS) {
          const outputDim = out === 'softmax' ? 3 : 2;
          const rng = new NumpyRandom(7);
          const ds = data(outputDim, loss, rng);
          const model: ModelSpec = {
            inputDim: 3,
            hidden: [4, 3],
            activations: [act, act],
            outputDim,
            outputActivation: out,
            loss,
            init,
            gain: init === 'classic' ? 0.5 : 1.3,
            initSeed: 3,
            optimizer: { kind: 'sgd', lr: 0.05 },
          };
          const backend = createCpuBackend({ dtype: 'f64' });
          const trainer = new Trainer(backend, { models: [model], data: ds, schedule: { batchSize: 0, steps: 1, logEvery: 1, batchSeed: 0, dtype: 'f64' } });
          const [p0] = await trainer.readParameters();
          const records = await trainer.stepOnce(true);
          const [grads] = await trainer.readGradients();
          const lossAt = async (p: Parameters) => {
            trainer.setParameters([p]);
            const [pred] = await trainer.predict(ds.x, ds.n);
            return lossValue(loss, pred!, ds.y, ds.n, outputDim);
          };
          expect(records![0]!.loss).toBeCloseTo(await lossAt(p0!), 12);
          for (const kind of ['weights', 'biases'] as const) {
            for (let l = 0; l < p0![kind].length; l++) {
              const g = grads![kind][l]!;
              const fd = new Float64Array(g.length);
              for (let i = 0; i < g.length; i++) {
                const plus = structuredClone(p0!);
                const minus = structuredClone(p0!);
                plus[kind][l]![i]! += H;
                minus[kind][l]![i]! -= H;
                fd[i] = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * H);
              }
              const err = relativeError(g, fd);
              expect(err, `${init} ${kind}[${l}]`).toBeLessThan(TOL);
              // The recorded norms are the norms of these gradients.
              if (kind === 'weights') expect(records![0]!.gradNorms[l]).toBeCloseTo(Math.hypot(...g), 12);
            }
          }
        }
      });
    }
  }
});
