/**
 * Quick matmul throughput probe (not a test): GFLOP/s of n×n·n×n on the WebGPU backend, after a warm-up,
 * timing `reps` products including one readback; also GFLOP per CPU-second of the whole process (robust
 * to other load on the machine, since SwiftShader runs on CPU threads).
 * Run: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node tests/gpu/run-script.mjs tests/gpu/matmul-gflops.ts [n | m,k,n ...]
 */
import { shape, type MatmulOptions } from '../../src/backend/backend.js';
import { createWebGPUBackend } from '../../src/backend/webgpu/webgpu-backend.js';
import { getTestGPU } from './setup-dawn.js';

/** Median GFLOP/s of `reps` products of m×k · k×n. */
async function measure(m: number, k: number, n: number, opts: MatmulOptions, reps: number): Promise<[number[], number]> {
  const be = await createWebGPUBackend({ gpu: await getTestGPU() });
  const fill = (len: number): Float64Array => Float64Array.from({ length: len }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = be.tensor(shape(1, opts.transA ? k : m, opts.transA ? m : k), fill(m * k));
  const b = be.tensor(shape(1, opts.transB ? n : k, opts.transB ? k : n), fill(k * n));
  const out = be.tensor(shape(1, m, n));
  be.matmul(a, b, out, opts);
  await be.read(out); // warm-up: pipeline compilation
  const rates: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    be.matmul(a, b, out, opts);
    await be.read(out);
    rates.push((2 * m * n * k) / ((performance.now() - t0) / 1000) / 1e9);
  }
  const cpu = process.cpuUsage(cpu0);
  const perCpuSecond = (2 * m * n * k * reps) / ((cpu.user + cpu.system) / 1e6) / 1e9;
  be.destroy();
  return [rates.sort((x, y) => x - y), perCpuSecond];
}

// Arguments: n (square) or m,k,n; default 256 and 512.
const args = process.argv.slice(2);
for (const arg of args.length ? args : ['256', '512']) {
  const dims = arg.split(',').map(Number);
  const [m, k, n] = dims.length === 3 ? (dims as [number, number, number]) : [dims[0]!, dims[0]!, dims[0]!];
  for (const [label, opts] of [['A·B', {}], ['Aᵀ·B', { transA: true }], ['A·Bᵀ', { transB: true }], ['Aᵀ·Bᵀ', { transA: true, transB: true }]] as const) {
    const [rates, perCpu] = await measure(m, k, n, opts, m * k * n >= 512 ** 3 ? 3 : 5);
    const median = rates[Math.floor(rates.length / 2)]!;
    console.log(
      `${m}×${k}·${k}×${n} ${label}: median ${median.toFixed(3)} GFLOP/s (min ${rates[0]!.toFixed(3)}, ` +
        `max ${rates.at(-1)!.toFixed(3)}); ${perCpu.toFixed(3)} GFLOP per CPU-second (all threads)`,
    );
  }
}
