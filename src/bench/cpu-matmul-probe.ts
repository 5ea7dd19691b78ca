/**
 * Micro-benchmark of the CPU matmul kernels (not a test): GFLOP/s (2·M·N·K per product) of the f32 and f64
 * kernels for square sizes and for the backprop shapes (X·W, δ·Wᵀ, Xᵀ·δ), median / min / max over repeats
 * after a warm-up. Run:
 *   npx esbuild src/bench/cpu-matmul-probe.ts --bundle --platform=node --format=esm --outfile=/tmp/probe.mjs
 *   node /tmp/probe.mjs [--js] [--sizes=128,256,512,1024] [--mr=4 --nrv=2 --kc=256 --mc=128]
 */
import { matmul, MatmulWorkspace, type MatmulWorkspaceOptions, type MatView } from '../backend/cpu/matmul.js';

/** Command-line flags of the probe, `--name=value` or `--name`. */
function flags(argv: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (match) m.set(match[1]!, match[2] ?? 'true');
  }
  return m;
}

/** A matrix view of uniform(-1, 1) values. */
function randomView(rows: number, cols: number, f32: boolean): MatView {
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return { data, offset: 0, rows, cols };
}

/** Median, min and max GFLOP/s of op(A)·op(B) with op(A) M×K and op(B) K×N. */
function measure(
  m: number, k: number, n: number, transA: boolean, transB: boolean, f32: boolean, ws: MatmulWorkspace,
): { median: number; min: number; max: number } {
  const a = transA ? randomView(k, m, f32) : randomView(m, k, f32);
  const b = transB ? randomView(n, k, f32) : randomView(k, n, f32);
  const out = randomView(m, n, f32);
  const flop = 2 * m * n * k;
  const run = (): void => matmul(a, transA, b, transB, out, ws);
  const warmStart = performance.now();
  let reps = 0;
  while (reps < 3 || performance.now() - warmStart < 200) {
    run();
    reps++;
  }
  const perRun = (performance.now() - warmStart) / reps;
  const inner = Math.max(1, Math.ceil(20 / perRun));
  const rates: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    const seconds = (performance.now() - t0) / 1000 / inner;
    rates.push(flop / seconds / 1e9);
  }
  rates.sort((x, y) => x - y);
  return { median: rates[3]!, min: rates[0]!, max: rates[6]! };
}

/** Prints one result line. */
function report(label: string, r: { median: number; min: number; max: number }): void {
  const f = (x: number): string => x.toFixed(2).padStart(6);
  console.log(`${label.padEnd(34)} median ${f(r.median)}  min ${f(r.min)}  max ${f(r.max)} GFLOP/s`);
}

/** Runs the probe with the process arguments. */
function main(): void {
  const opt = flags(process.argv.slice(2));
  const num = (name: string, fallback: number): number => Number(opt.get(name) ?? fallback);
  const tuning = {
    shape: { mr: num('mr', 4), nrVectors: num('nrv', 2) },
    blocking: { kc: num('kc', 256), mc: num('mc', 128), nc: num('nc', 512) },
  };
  const options: MatmulWorkspaceOptions = {
    wasm: !opt.has('js'), wasmThreshold: num('threshold', 512), f32: tuning, f64: tuning,
  };
  const ws = new MatmulWorkspace(options);
  const sizes = (opt.get('sizes') ?? '128,256,512,1024').split(',').map(Number);
  const dtypes = (opt.get('dtypes') ?? 'f32,f64').split(',');
  console.log(`kernel: ${ws.useWasm ? 'wasm simd' : 'js'} ${JSON.stringify(tuning)}`);
  for (const dt of dtypes) {
    const f32 = dt === 'f32';
    for (const s of sizes) report(`${dt} ${s}x${s}x${s}`, measure(s, s, s, false, false, f32, ws));
    if (!opt.has('no-backprop')) {
      const s = 256;
      report(`${dt} ${s} X·W      (NN)`, measure(s, s, s, false, false, f32, ws));
      report(`${dt} ${s} δ·Wᵀ     (NT)`, measure(s, s, s, false, true, f32, ws));
      report(`${dt} ${s} Xᵀ·δ     (TN)`, measure(s, s, s, true, false, f32, ws));
      report(`${dt} ${s} Aᵀ·Bᵀ    (TT)`, measure(s, s, s, true, true, f32, ws));
    }
  }
}

main();
