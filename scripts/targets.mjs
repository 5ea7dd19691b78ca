#!/usr/bin/env node
// The benchmark issue's targets, measured side by side in one run: the reference figures of
// ../shared/anchors (TensorFlow.js cpu/wasm/webgpu in headless Chromium, NumPy) and this project's own
// (`lab bench`, Node; WebGPU through Dawn for Node, on SwiftShader where there is no GPU), one after the other.
// Every figure of this project is measured in --runs separate runs (default 3), each warmed up by `lab bench` (first
// call apart, then sized repetitions) and timed over long repetitions (XOR: 200 ms, as a 20 ms repetition of a
// microsecond step measures the loop's start-up more than the step); the table gives the median run and
// min/median/max with the spread (max − min) / median. Prints a table and, as the last line, one JSON object.
//   node scripts/targets.mjs [--runs 3] [--anchors ../shared/anchors/run.sh] [--skip-anchors FILE.json]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const log = (s) => process.stderr.write(`${s}\n`);

function run(cmd, argv, env = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 ** 2, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}
const lastJson = (text) => JSON.parse(text.trim().split('\n').at(-1));

// 1. The anchors (one run of each reference, about 2.5 minutes).
let anchors;
const saved = opt('skip-anchors');
if (saved) anchors = JSON.parse(readFileSync(saved, 'utf8'));
else {
  const script = opt('anchors', path.join(root, '..', 'shared', 'anchors', 'run.sh'));
  log(`anchors: bash ${script} --runs 1 --only chromium,numpy`);
  anchors = lastJson(run('bash', [script, '--runs', '1', '--only', 'chromium,numpy', '--quiet']));
}
const a = anchors.runs[0];
const mm = (rows, N) => rows.find((r) => r.N === N && !r.variant)?.gflops ?? null;
const tf = (be) => a.chromium.backends[be];
const ref = {
  wasmMatmul512: mm(tf('wasm').matmul, 512),
  cpuMatmul512: mm(tf('cpu').matmul, 512),
  numpyMatmul512: mm(a.numpy.matmul.float32, 512),
  webgpuMatmul512: mm(tf('webgpu').matmul, 512),
  wasmMlp: tf('wasm').mlp.runs.find((r) => r.act === 'sigmoid' && r.sync_every === 1)?.steps_per_s ?? null,
  webgpuMlp: tf('webgpu').mlp.runs.find((r) => r.act === 'sigmoid' && r.sync_every === 10 && !r.skipped)?.steps_per_s
    ?? tf('webgpu').mlp.runs.find((r) => r.act === 'sigmoid' && r.sync_every === 1)?.steps_per_s ?? null,
  numpyMlpF32: a.numpy.mlp.runs.find((r) => r.act === 'sigmoid' && r.dtype === 'float32').steps_per_s,
  numpyXorF64: a.numpy.xor.runs.find((r) => r.dtype === 'float64').steps_per_s,
  webgpuXor10: tf('webgpu').xor.runs.find((r) => r.sync_every === 10 && r.readback === 'data')?.steps_per_s ?? null,
};

// 2. This project, right after, each command `runs` times.
const runs = Number(opt('runs', '3'));
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: ${opt('runs')} is not allowed; expected a whole number ≥ 1`);
const lab = (...argv) => JSON.parse(run(process.execPath, [path.join(root, 'scripts', 'lab.mjs'), 'bench', ...argv, '--json']));
const repeated = (what, ...argv) =>
  Array.from({ length: runs }, (_, i) => {
    log(`${what} (run ${i + 1} of ${runs})`);
    return lab(...argv);
  });
/** min/median/max over the runs of a figure read from each run's report, and the spread (max − min) / median. */
const over = (reports, read) => {
  const v = reports.map(read).filter((x) => x != null && Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return { min: null, median: null, max: null, spread: null, values: [] };
  const median = v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { min: v[0], median, max: v.at(-1), spread: (v.at(-1) - v[0]) / median, values: reports.map(read) };
};
const point = (report, kind) => report.points.find((p) => p.backendKind === kind);
const matmul = repeated('lab bench matmul 64…1024, cpu and webgpu', 'matmul', '--backend', 'cpu,webgpu', '--sizes', '64,128,256,512,1024');
const at512 = (kind) => over(matmul, (r) => r.points.find((p) => p.backendKind === kind && p.n === 512)?.gflops ?? null);
// Repetitions of at least 1 s: about 20 CPU steps each, so that every one holds its share of logged steps (the
// references time their steps over 1–2 s too).
const mlp = repeated('lab bench train 256 → 20×256 sigmoid → 256, batch 256, cpu and webgpu', 'train', '--backend', 'cpu,webgpu', '--layers', '256x20', '--input-dim', '256', '--output-dim', '256', '--activation', 'sigmoid', '--batch', '256', '--log-every', '10', '--min-rep-ms', '1000');
const xorArgs = ['--layers', '2', '--input-dim', '2', '--output-dim', '1', '--activation', 'sigmoid', '--batch', '4', '--log-every', '10', '--min-rep-ms', '200'];
const xorCpu = repeated('lab bench train XOR 2-2-1, batch 4, CPU f64, 200 ms repetitions', 'train', '--backend', 'cpu', '--dtype', 'f64', ...xorArgs);
const xorGpu = repeated('lab bench train XOR 2-2-1, batch 4, WebGPU, 200 ms repetitions', 'train', '--backend', 'webgpu', ...xorArgs);
const steps = (reports, kind) => over(reports, (r) => point(r, kind)?.stepsPerSecond ?? null);

const rows = [
  ['CPU f32 matmul N=512, GFLOP/s', at512('cpu'), 'TF.js wasm', ref.wasmMatmul512, 1.0],
  ['CPU 20×256 sigmoid MLP step, batch 256, steps/s', steps(mlp, 'cpu'), 'TF.js wasm (sync1)', ref.wasmMlp, 10],
  ['  the same', steps(mlp, 'cpu'), 'NumPy f32', ref.numpyMlpF32, 0.2],
  ['CPU XOR 2-2-1 steps/s (f64)', steps(xorCpu, 'cpu'), 'NumPy f64', ref.numpyXorF64, 5],
  ['GPU (SwiftShader) f32 matmul N=512, GFLOP/s', at512('webgpu'), 'TF.js webgpu', ref.webgpuMatmul512, 1.5],
  ['GPU (SwiftShader) 20×256 MLP step, steps/s', steps(mlp, 'webgpu'), 'TF.js webgpu', ref.webgpuMlp, 3],
  ['GPU (SwiftShader) XOR steps/s, metrics every 10', steps(xorGpu, 'webgpu'), 'TF.js webgpu (sync10)', ref.webgpuXor10, 10],
].map(([what, runsOf, refName, refValue, target]) => ({
  what,
  ours: runsOf.median,
  runs: runsOf,
  reference: refName,
  referenceValue: refValue,
  ratio: runsOf.median / refValue,
  target,
  met: runsOf.median / refValue >= target,
}));

const f = (x) => (x == null ? '-' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const pct = (x) => (x == null ? '-' : `${(100 * x).toFixed(1)} %`);
process.stdout.write(`| target | this project (median of ${runs}) | min / max | spread | reference | reference figure | ratio | goal | met |\n| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |\n`);
for (const r of rows) {
  process.stdout.write(`| ${r.what} | ${f(r.ours)} | ${f(r.runs.min)} / ${f(r.runs.max)} | ${pct(r.runs.spread)} | ${r.reference} | ${f(r.referenceValue)} | ${f(r.ratio)}× | ≥ ${r.target}× | ${r.met ? 'yes' : 'no'} |\n`);
}
const last = (reports) => reports.at(-1);
process.stdout.write(`\nmatmul crossover (GPU/CPU, last run): ${JSON.stringify(last(matmul).crossover.matmul)}; train: ${JSON.stringify(last(mlp).crossover.train)}\n`);
process.stdout.write(`agreement (20×256 MLP, max |Δ| of the gradients, last run): ${point(last(mlp), 'webgpu').agreement?.maxAbsDiff}\n`);
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), runs, rows, ref, crossover: last(matmul).crossover, adapter: last(matmul).backends })}\n`);
