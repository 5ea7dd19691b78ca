/**
 * TS twin of the apply and apply_small entry points of shaders/update.wgsl: SGD, momentum (Nesterov), RMSProp and
 * Adam after optional gradient clipping. Small models (every tensor kind in one buffer, ≤ SMALL_UPDATE_ELEMENTS per
 * model) take one serial dispatch for norm, clipping, report and update; others the clip kernel's two dispatches
 * (when clipping or reporting) and one update dispatch per group of (parameter, gradient, state) buffers.
 */
import type { UpdateRule } from '../backend.js';
import { CLIP_CODE, ClipKernel, clipScratchLayout } from './clip-kernel.js';
import { ceilDiv, workgroupGrid } from './dispatch.js';
import type { GPUTensor } from './gpu-tensor.js';
import { bindGroupLayout, dispatchLinear, entries, siteKey, type KernelContext } from './kernel-context.js';
import { checkMetrics } from './loss-kernels.js';
import type { OptimizerStates } from './optimizer-state.js';
import { elementOffset, groupIndices, spanOf, type BufferSpan } from './tensor-groups.js';

/** Invocations per workgroup. */
const WG = 64;
/** Most workgroups along x per entry; invocations stride over larger tensors. */
const MAX_GROUPS_X = 256;
/** Largest elements per batch entry for which one invocation per entry clips and updates serially (one dispatch). */
export const SMALL_UPDATE_ELEMENTS = 2048;
/** RULE override codes (nesterov is momentum with the look-ahead step). */
const RULE_CODE = { sgd: 0, momentum: 1, nesterov: 2, rmsprop: 3, adam: 4 } as const;

/** Words of hyperparameters per batch entry. */
const HYPER_WORDS = 12;

/** Hyperparameters of batch entry b as 12 f32, complements and bias corrections computed in f64 (see update.wgsl). */
export function packHyper(rule: UpdateRule, b: number, out: Float32Array, offset: number): void {
  const at = (xs: readonly number[], name: string): number => {
    const v = xs.length === 1 ? xs[0] : xs[b];
    if (v === undefined) throw new Error(`update: no ${name} for batch entry ${b}.`);
    return v;
  };
  const lr = at(rule.lr, 'learning rate');
  let [h1, h2, eps, c1, c2] = [0, 0, 0, 1, 1];
  if (rule.kind === 'momentum') h1 = at(rule.momentum, 'momentum');
  if (rule.kind === 'rmsprop') [h1, eps] = [at(rule.decay, 'decay'), rule.eps];
  if (rule.kind === 'adam') {
    if (!(rule.step >= 1)) throw new Error(`update: adam step must be ≥ 1, got ${rule.step}.`);
    [h1, h2, eps] = [at(rule.beta1, 'beta1'), at(rule.beta2, 'beta2'), rule.eps];
    [c1, c2] = [1 - h1 ** rule.step, 1 - h2 ** rule.step];
  }
  const clip = rule.clip ? at(rule.clip.max, 'clip maximum') : 0;
  const wd = rule.weightDecay;
  const coupled = wd ? (wd.coupled.length === 1 ? wd.coupled[0]! : (wd.coupled[b] ?? 0)) : 0;
  const decoupled = wd ? (wd.decoupled.length === 1 ? wd.decoupled[0]! : (wd.decoupled[b] ?? 0)) : 0;
  out.set([lr, h1, h2, eps, 1 - h1, 1 - h2, c1, c2, clip, coupled, lr * decoupled, 0], offset);
}

/** Owns the update pipelines (one per rule × clip kind) and the clipping kernel. */
export class UpdateKernel {
  private readonly layout: GPUBindGroupLayout;
  private readonly clipper: ClipKernel;
  private readonly uniform = new Uint32Array(8);
  private table = new Uint32Array(64);
  private floats = new Float32Array(this.table.buffer);

  constructor(
    private readonly ctx: KernelContext,
    private readonly states: OptimizerStates,
  ) {
    this.layout = bindGroupLayout(ctx.device, 'update', ['tensor', 'tensor', 'tensor', 'tensor', 'aux', 'tensor', 'uniform']);
    this.clipper = new ClipKernel(ctx);
  }

  /** Clip (optionally) and apply `rule` to every parameter tensor from its gradient. */
  run(params: readonly GPUTensor[], grads: readonly GPUTensor[], rule: UpdateRule): void {
    const batch = this.check(params, grads, rule);
    if (params.length === 0) return;
    const rec = this.states.record(params);
    const first = rule.kind === 'momentum' || rule.kind === 'adam' ? this.states.slots(rec, params, 'first') : null;
    const second = rule.kind === 'rmsprop' || rule.kind === 'adam' ? this.states.slots(rec, params, 'second') : null;
    const key = (i: number) => `${params[i]!.storage.id}|${grads[i]!.storage.id}|${first?.[i]!.storage.id}|${second?.[i]!.storage.id}`;
    const groups = groupIndices(params.map((_, i) => i), key, (i) => params[i]!.buffer === grads[i]!.buffer);
    const elements = params.reduce((n, p) => n + p.shape.rows * p.shape.cols, 0);
    const small = groups.length === 1 && elements <= SMALL_UPDATE_ELEMENTS;
    const report = rule.report ? (rule.report.metrics as GPUTensor) : null;
    if (report) checkMetrics('update report', report, batch, rule.report!.col, 2);
    let scratch: GPUBuffer | null = null;
    const { factorOffset, bytes } = clipScratchLayout(batch, params.length);
    if ((rule.clip || rule.report) && !small) {
      scratch = this.states.scratch(rec, bytes);
      this.clipper.run(params, grads, batch, rule, scratch);
    }
    const clip = CLIP_CODE[rule.clip?.kind ?? 'none'];
    const ruleCode = rule.kind === 'momentum' && rule.nesterov ? RULE_CODE.nesterov : RULE_CODE[rule.kind];
    const pipeline = this.ctx.pipelines.get('update', small ? 'apply_small' : 'apply', this.layout, { WG, RULE: ruleCode, CLIP: clip });
    for (const group of groups) {
      const [ps, gs] = [group.map((i) => params[i]!), group.map((i) => grads[i]!)];
      const fs = first ? group.map((i) => first[i]!) : null;
      const ss = second ? group.map((i) => second[i]!) : null;
      const spans = [spanOf(ps), spanOf(gs), fs ? spanOf(fs) : null, ss ? spanOf(ss) : null] as const;
      const entryCount = group.length * batch;
      const words = 8 * entryCount + HYPER_WORDS * batch;
      this.ensureTable(words);
      let e = 0;
      let largest = 0;
      group.forEach((i, j) => {
        const per = params[i]!.shape.rows * params[i]!.shape.cols;
        largest = Math.max(largest, per);
        const base = [ps[j]!, gs[j]!, fs?.[j], ss?.[j]].map((t, s) => (t ? elementOffset(t, spans[s]!) : 0));
        const decays = rule.weightDecay && i < rule.weightDecay.tensors ? 1 : 0;
        for (let b = 0; b < batch; b++, e++) {
          this.table.set([base[0]! + b * per, base[1]! + b * per, base[2]! + b * per, base[3]! + b * per, per, b, decays, 0], 8 * e);
        }
      });
      for (let b = 0; b < batch; b++) packHyper(rule, b, this.floats, 8 * entryCount + HYPER_WORDS * b);
      if (small) this.uniform.set([entryCount, 0, batch, group.length, report ? 1 : 0, report?.shape.cols ?? 0, rule.report?.col ?? 0, elements]);
      else this.uniform.set([entryCount, factorOffset, batch, group.length, 0, 0, 0, 0]);
      const bound = [...ps, ...gs, ...(fs ?? []), ...(ss ?? []), ...(small && report ? [report] : [])];
      const factors = clip === CLIP_CODE.norm && !small ? scratch : null;
      const fifth = factors ? { buffer: factors, offset: 0, size: Math.ceil(bytes / 16) * 16 } : small && report ? report.binding() : this.unused(512);
      const site = siteKey('update', bound, ruleCode, clip, factors ? 'f' : '', small ? 'small' : '');
      const bindGroup = this.ctx.sites.bind(site, bound.map((t) => t.id), this.uniform, this.table, words, (uniform, aux) =>
        this.ctx.device.createBindGroup({
          layout: this.layout,
          entries: entries(
            [],
            binding(spans[0]),
            binding(spans[1]),
            spans[2] ? binding(spans[2]) : this.unused(0),
            spans[3] ? binding(spans[3]) : this.unused(256),
            { buffer: aux! },
            fifth,
            { buffer: uniform },
          ),
        }),
      );
      if (small) {
        dispatchLinear(this.ctx, pipeline, bindGroup, ceilDiv(batch, WG));
        continue;
      }
      const [y, z] = workgroupGrid(entryCount, this.ctx.maxWorkgroupsPerDimension);
      this.ctx.recorder.dispatch(pipeline, bindGroup, Math.min(MAX_GROUPS_X, this.ctx.maxWorkgroupsPerDimension, ceilDiv(largest, WG)), y, z);
    }
  }

  /** Check shapes and per-entry arrays; returns the common batch of the parameters. */
  private check(params: readonly GPUTensor[], grads: readonly GPUTensor[], rule: UpdateRule): number {
    if (!(rule.kind in RULE_CODE)) throw new Error(`update: unknown rule '${String((rule as { kind: unknown }).kind)}'.`);
    if (params.length !== grads.length) throw new Error(`update: ${params.length} parameters but ${grads.length} gradients.`);
    if (rule.clip && !(rule.clip.kind in CLIP_CODE)) throw new Error(`update: unknown clip kind '${String(rule.clip.kind)}'.`);
    const batch = params[0]?.shape.batch ?? 0;
    const ids = new Set<number>();
    params.forEach((p, i) => {
      const g = grads[i]!;
      const [ps, gs] = [p.shape, g.shape];
      if (ps.batch !== gs.batch || ps.rows !== gs.rows || ps.cols !== gs.cols) throw new Error(`update: gradient ${i} does not match its parameter's shape.`);
      if (ps.batch !== batch) throw new Error(`update: parameter ${i} has batch ${ps.batch}, parameter 0 has ${batch}.`);
      if (p === g) throw new Error('update: a parameter cannot be its own gradient.');
      if (ids.has(p.id)) throw new Error('update: a parameter is listed twice.');
      ids.add(p.id);
    });
    return batch;
  }

  private unused(offset: number): GPUBufferBinding {
    return { buffer: this.ctx.dummy, offset, size: 16 };
  }

  private ensureTable(words: number): void {
    if (this.table.length >= words) return;
    this.table = new Uint32Array(2 ** Math.ceil(Math.log2(words)));
    this.floats = new Float32Array(this.table.buffer);
  }
}

function binding(span: BufferSpan): GPUBufferBinding {
  return { buffer: span.buffer, offset: span.byteOffset, size: span.byteSize };
}
