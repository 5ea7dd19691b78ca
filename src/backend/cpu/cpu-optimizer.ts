/**
 * Parameter updates of the CPU backend: every optimizer of UpdateRule (state kept per parameter tensor),
 * gradient clipping by global norm or by value, and the per-update report of the global gradient norm.
 */
import type { OptimizerSnapshot, Tensor, UpdateRule } from '../backend.js';
import type { Buf } from './elementwise.js';
import { PLAIN_MAX, PLAIN_MIN } from './metrics.js';
import { applyRule, applyRuleDecayed, clipGradients, globalNorm, type OptimizerSlots } from './optimizers.js';
import { cpu, sameShape, type CpuTensor } from './cpu-tensor.js';

const NO_SLOTS: OptimizerSlots = { first: null, second: null };
const EMPTY = new Float64Array(0);

/** Updates the parameters of one CPU backend (of one element type) and keeps their optimizer state. */
export class CpuOptimizer {
  private readonly state = new WeakMap<CpuTensor, OptimizerSlots>();
  /** Reusable gradient slices of `clip`, by gradient count. */
  private readonly slices: { data: Buf; off: number; n: number }[][] = [];

  constructor(private readonly dtype: 'f32' | 'f64') {}

  /** Apply one update step to every parameter from its gradient (see Backend.update). */
  update(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule): void {
    if (params.length !== grads.length) throw new RangeError('update: one gradient per parameter is needed');
    for (let i = 0; i < params.length; i++) {
      if (!sameShape(params[i]!.shape, grads[i]!.shape)) throw new RangeError('update: parameter and gradient shapes differ');
    }
    if (params.length === 0) return;
    const batch = params[0]!.shape.batch;
    if (rule.kind === 'sgd' && !rule.clip && !rule.weightDecay && params.every((t) => t.shape.batch === batch)) {
      this.sgdReporting(params, grads, rule, batch);
      return;
    }
    if (rule.clip || rule.report) this.clip(grads, rule, batch);
    const first = rule.kind === 'momentum' || rule.kind === 'adam';
    const second = rule.kind === 'rmsprop' || rule.kind === 'adam';
    for (let i = 0; i < params.length; i++) {
      const p = cpu(params[i]!);
      const g = cpu(grads[i]!);
      const slots = first || second ? this.slotsOf(p, first, second) : NO_SLOTS;
      const per = p.shape.rows * p.shape.cols;
      const wd = rule.weightDecay && i < rule.weightDecay.tensors ? rule.weightDecay : null;
      for (let bi = 0; bi < p.shape.batch; bi++) {
        const [coupled, decoupled] = wd ? [wd.coupled[bi] ?? 0, wd.decoupled[bi] ?? 0] : [0, 0];
        if (coupled !== 0 || decoupled !== 0) applyRuleDecayed(rule, p.data, g.data, slots, bi * per, per, bi, coupled, decoupled);
        else applyRule(rule, p.data, g.data, slots, bi * per, per, bi);
      }
    }
  }

  /**
   * Plain SGD, the lab's most common rule: the update and the global gradient norm (for the report) in one pass
   * over the gradients; where the plain sum of squares is out of range the scaled norm is taken afterwards (SGD
   * leaves the gradients as they are).
   */
  private sgdReporting(params: readonly Tensor[], grads: readonly Tensor[], rule: UpdateRule, batch: number): void {
    const report = rule.report ? cpu(rule.report.metrics) : null;
    for (let bi = 0; bi < batch; bi++) {
      const lr = rule.lr[bi]!;
      let plain = 0;
      for (let i = 0; i < params.length; i++) {
        const p = cpu(params[i]!).data;
        const g = cpu(grads[i]!).data;
        const per = params[i]!.shape.rows * params[i]!.shape.cols;
        const end = (bi + 1) * per;
        for (let k = bi * per; k < end; k++) {
          const v = g[k]!;
          plain += v * v;
          p[k]! -= lr * v;
        }
      }
      if (!report) continue;
      const at = bi * report.shape.cols + rule.report!.col;
      report.data[at] = plain >= PLAIN_MIN && plain <= PLAIN_MAX ? Math.sqrt(plain) : this.batchNorm(grads, bi);
      report.data[at + 1] = 1;
    }
  }

  /** Global norm of batch entry bi's gradients (scaled where needed). */
  private batchNorm(grads: readonly Tensor[], bi: number): number {
    return globalNorm(
      grads.map((t) => {
        const g = cpu(t);
        const per = g.shape.rows * g.shape.cols;
        return { data: g.data, off: g.shape.batch === 1 ? 0 : bi * per, n: per };
      }),
    );
  }

  /** Clip the gradients of each batch entry (global norm or value) and report the norm and factor when asked. */
  private clip(grads: readonly Tensor[], rule: UpdateRule, batch: number): void {
    const report = rule.report ? cpu(rule.report.metrics) : null;
    const slices = (this.slices[grads.length] ??= Array.from({ length: grads.length }, () => ({ data: EMPTY, off: 0, n: 0 })));
    for (let bi = 0; bi < batch; bi++) {
      for (let i = 0; i < grads.length; i++) {
        const g = cpu(grads[i]!);
        const per = g.shape.rows * g.shape.cols;
        const slice = slices[i]!;
        slice.data = g.data;
        slice.off = g.shape.batch === 1 ? 0 : bi * per;
        slice.n = per;
      }
      const [norm, factor] = clipGradients(slices, rule.clip, bi);
      if (report) {
        const at = bi * report.shape.cols + rule.report!.col;
        report.data[at] = norm;
        report.data[at + 1] = factor;
      }
    }
  }

  private slotsOf(p: CpuTensor, first: boolean, second: boolean): OptimizerSlots {
    let slots = this.state.get(p);
    if (!slots) {
      slots = { first: null, second: null };
      this.state.set(p, slots);
    }
    const n = p.data.length;
    if (first && !slots.first) slots.first = this.dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
    if (second && !slots.second) slots.second = this.dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
    return slots;
  }

  /** Zero the optimizer state kept for these parameters. */
  reset(params: readonly Tensor[]): void {
    for (const t of params) {
      const slots = this.state.get(cpu(t));
      slots?.first?.fill(0);
      slots?.second?.fill(0);
    }
  }

  /** A copy of the optimizer state of these parameters (a part is null unless every parameter has it). */
  snapshot(params: readonly Tensor[]): OptimizerSnapshot {
    const slots = params.map((t) => this.state.get(cpu(t)));
    const part = (k: 'first' | 'second') => (slots.every((s) => s?.[k]) ? slots.map((s) => Float64Array.from(s![k]!)) : null);
    return { first: part('first'), second: part('second') };
  }

  /** Overwrite the optimizer state of these parameters (a null part is zeroed). */
  restore(params: readonly Tensor[], state: OptimizerSnapshot): void {
    for (const k of ['first', 'second'] as const) {
      const given = state[k];
      if (given && given.length !== params.length) throw new RangeError(`writeOptimizerState: ${k} needs ${params.length} arrays, got ${given.length}`);
      given?.forEach((a, i) => {
        const n = cpu(params[i]!).data.length;
        if (a.length !== n) throw new RangeError(`writeOptimizerState: ${k}[${i}] needs ${n} values, got ${a.length}`);
      });
    }
    for (let i = 0; i < params.length; i++) {
      const p = cpu(params[i]!);
      const slots = this.slotsOf(p, state.first !== null, state.second !== null);
      if (state.first) slots.first!.set(state.first[i]!);
      else slots.first?.fill(0);
      if (state.second) slots.second!.set(state.second[i]!);
      else slots.second?.fill(0);
    }
  }
}
