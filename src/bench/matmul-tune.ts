/**
 * `lab bench matmul --tune`: time every matmul candidate on each shape class of the planned products (on each WebGPU
 * backend), keep the winners in the tuner's cache, and print the whole table. The benchmark that follows runs
 * with the winners.
 */
import type { Backend } from '../backend/backend.js';
import { shapeClass, type MatmulProblem } from '../backend/webgpu/matmul-candidates.js';
import type { TuneCache, TuneResult } from '../backend/webgpu/matmul-tuner.js';
import { skipReason, type BenchPlan } from './runner.js';

/** A backend whose matmul can be tuned (the WebGPU backend). */
export interface MatmulTunable {
  configureMatmulTuning(t: { mode: 'tune'; cache?: TuneCache }): void;
  matmulTuningReady(): Promise<void>;
  tuneMatmul(problems: readonly MatmulProblem[]): Promise<TuneResult[]>;
}

/** Whether a backend can be tuned. */
export function isTunable(b: object): b is MatmulTunable {
  return typeof (b as Partial<MatmulTunable>).tuneMatmul === 'function';
}

/** One product per shape class of the plan's matmul tasks that this backend runs (first of each class). */
export function planProblems(plan: BenchPlan, backend: Backend): MatmulProblem[] {
  const byClass = new Map<string, MatmulProblem>();
  for (const task of plan.tasks) {
    if (task.suite !== 'matmul' || skipReason(task, backend, plan.limits) !== null) continue;
    const s = task.matmul;
    const p = { m: s.m, n: s.n, k: s.k, batch: 1, transA: s.variant === 'AtB', transB: s.variant === 'ABt' };
    if (!byClass.has(shapeClass(p))) byClass.set(shapeClass(p), p);
  }
  return [...byClass.values()];
}

/** The tuning table: per shape class, every candidate's time per product, GFLOP/s and slowdown against the winner. */
export function formatTuneTable(results: readonly TuneResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const p = r.problem;
    const flops = 2 * p.m * p.n * p.k * p.batch;
    const best = r.timings.find((t) => t.candidate === r.winner)?.ms ?? null;
    lines.push(`matmul tuning, class ${r.shapeClass} (timed on ${p.m}x${p.k}x${p.n}): winner ${r.winner}`);
    for (const t of r.timings) {
      const cells =
        t.ms === null
          ? 'cannot run here'
          : `${t.ms.toFixed(4).padStart(11)} ms ${(flops / (t.ms / 1000) / 1e9).toFixed(2).padStart(10)} GFLOP/s ${
              best ? `${(t.ms / best).toFixed(2)}×` : ''
            }`;
      lines.push(`  ${t.candidate.padEnd(18)} ${cells}${t.candidate === r.winner ? '  ← winner' : ''}`);
    }
  }
  return lines.join('\n');
}

/**
 * Tune every WebGPU backend on the plan's matmul products (winners into `cache`) and leave it in 'tune' mode, so that
 * the products of a training suite are tuned at their first sync (inside the warm-up); returns the tables.
 */
export async function tuneForPlan(plan: BenchPlan, backends: readonly Backend[], cache: TuneCache): Promise<{ backend: string; results: TuneResult[] }[]> {
  const out: { backend: string; results: TuneResult[] }[] = [];
  for (const b of backends) {
    if (!isTunable(b)) continue;
    b.configureMatmulTuning({ mode: 'tune', cache });
    await b.matmulTuningReady();
    out.push({ backend: b.info.description, results: await b.tuneMatmul(planProblems(plan, b)) });
  }
  return out;
}
