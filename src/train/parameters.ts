/**
 * The trainable state of a cohort on a backend: weights W_l, biases b_l (the shift β of a normalised layer), the
 * scales γ_l of normalised hidden layers, their gradients, and batch norm's running statistics; packed per model
 * as the batch dimension of each tensor, and unpacked to one `Parameters` per model.
 */
import type { Backend, Tensor } from '../backend/backend.js';
import { shape } from '../backend/backend.js';
import type { Parameters } from '../core/init.js';
import type { NormName } from '../core/spec.js';

/** Parameter, gradient and running-statistics tensors of `members` models of layer sizes `sizes`. */
export class ParameterTensors {
  /** W_l: [members, sizes[l], sizes[l+1]]. */
  readonly weights: Tensor[];
  /** b_l (β_l where normalised): [members, 1, sizes[l+1]]. */
  readonly biases: Tensor[];
  /** Scale γ of each normalised hidden layer (empty without normalisation). */
  readonly gammas: Tensor[];
  /** ∂L/∂W_l, ∂L/∂b_l and ∂L/∂γ_l, shaped as the parameters. */
  readonly wGrads: Tensor[];
  readonly bGrads: Tensor[];
  readonly gGrads: Tensor[];
  /** Batch norm's running mean and variance per hidden layer (empty otherwise). */
  readonly runMean: Tensor[];
  readonly runVar: Tensor[];
  /** Every parameter tensor (weights, biases, γ) and its gradient, in update order. */
  readonly params: readonly Tensor[];
  readonly grads: readonly Tensor[];

  constructor(
    private readonly backend: Backend,
    private readonly sizes: readonly number[],
    private readonly members: number,
    private readonly norm: NormName,
  ) {
    const B = members;
    const L = sizes.length - 1;
    const wShapes = [];
    const bShapes = [];
    for (let l = 0; l < L; l++) {
      wShapes.push(shape(B, sizes[l]!, sizes[l + 1]!));
      bShapes.push(shape(B, 1, sizes[l + 1]!));
    }
    const gShapes = norm === 'none' ? [] : sizes.slice(1, L).map((w) => shape(B, 1, w));
    const all = backend.tensors([...wShapes, ...bShapes, ...gShapes]);
    this.params = all;
    this.weights = all.slice(0, L);
    this.biases = all.slice(L, 2 * L);
    this.gammas = all.slice(2 * L);
    const grads = backend.tensors([...wShapes, ...bShapes, ...gShapes]);
    this.grads = grads;
    this.wGrads = grads.slice(0, L);
    this.bGrads = grads.slice(L, 2 * L);
    this.gGrads = grads.slice(2 * L);
    const running = norm === 'batch' ? backend.tensors([...gShapes, ...gShapes]) : [];
    this.runMean = running.slice(0, gShapes.length);
    this.runVar = running.slice(gShapes.length);
  }

  /** Current parameters of each model, read back from the backend (with γ and batch norm's running statistics). */
  async read(): Promise<Parameters[]> {
    const [pairs, gammas, means, vars] = await Promise.all([
      this.readPairs(this.weights, this.biases),
      this.readVectors(this.gammas),
      this.readVectors(this.runMean),
      this.readVectors(this.runVar),
    ]);
    return pairs.map((p, b) => ({
      ...p,
      ...(this.norm === 'none' ? {} : { gammas: gammas[b]! }),
      ...(this.norm === 'batch' ? { runningMean: means[b]!, runningVar: vars[b]! } : {}),
    }));
  }

  /** Gradients of the last step (∂L/∂W, ∂L/∂b and ∂L/∂γ at the parameters before its update), per model. */
  async readGradients(): Promise<Parameters[]> {
    const [pairs, gammas] = await Promise.all([this.readPairs(this.wGrads, this.bGrads), this.readVectors(this.gGrads)]);
    return this.norm === 'none' ? pairs : pairs.map((p, b) => ({ ...p, gammas: gammas[b]! }));
  }

  /** One entry per model (index b). */
  private perModel<T>(f: (b: number) => T): T[] {
    return Array.from({ length: this.members }, (_, b) => f(b));
  }

  private async readPairs(wt: readonly Tensor[], bt: readonly Tensor[]): Promise<Parameters[]> {
    const ws = await Promise.all(wt.map((t) => this.backend.read(t)));
    const bs = await Promise.all(bt.map((t) => this.backend.read(t)));
    return this.perModel((b) => ({
      weights: ws.map((w, l) => w.slice(b * this.sizes[l]! * this.sizes[l + 1]!, (b + 1) * this.sizes[l]! * this.sizes[l + 1]!)),
      biases: bs.map((v, l) => v.slice(b * this.sizes[l + 1]!, (b + 1) * this.sizes[l + 1]!)),
    }));
  }

  /** Per-hidden-layer [B, 1, width] tensors read back, split per model. */
  private async readVectors(ts: readonly Tensor[]): Promise<Float64Array[][]> {
    const flat = await Promise.all(ts.map((t) => this.backend.read(t)));
    return this.perModel((b) => flat.map((v, l) => v.slice(b * this.sizes[l + 1]!, (b + 1) * this.sizes[l + 1]!)));
  }

  /**
   * Overwrite the parameters of every model (the optimizer state starts afresh). Absent γ start at 1, absent
   * running statistics at mean 0 and variance 1.
   */
  set(params: readonly Parameters[]): void {
    this.backend.resetOptimizerState([...this.weights, ...this.biases, ...this.gammas]);
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const fan = this.sizes[l]! * this.sizes[l + 1]!;
      const w = new Float64Array(this.members * fan);
      const b = new Float64Array(this.members * this.sizes[l + 1]!);
      params.forEach((p, m) => {
        w.set(p.weights[l]!, m * fan);
        b.set(p.biases[l]!, m * this.sizes[l + 1]!);
      });
      this.backend.write(this.weights[l]!, w);
      this.backend.write(this.biases[l]!, b);
    }
    const fill = (ts: readonly Tensor[], pick: (p: Parameters) => Float64Array[] | undefined, dflt: number) => {
      ts.forEach((t, l) => {
        const width = this.sizes[l + 1]!;
        const v = new Float64Array(this.members * width).fill(dflt);
        params.forEach((p, m) => {
          const given = pick(p)?.[l];
          if (given) v.set(given, m * width);
        });
        this.backend.write(t, v);
      });
    };
    fill(this.gammas, (p) => p.gammas, 1);
    fill(this.runMean, (p) => p.runningMean, 0);
    fill(this.runVar, (p) => p.runningVar, 1);
  }

  /** Every tensor held here, for release. */
  tensors(): Tensor[] {
    return [...this.weights, ...this.biases, ...this.gammas, ...this.wGrads, ...this.bGrads, ...this.gGrads, ...this.runMean, ...this.runVar];
  }
}
