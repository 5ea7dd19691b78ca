#!/usr/bin/env bash
# The real-GPU benchmark of issue 16, in two steps (recipe: ../shared/device/README.md).
#
#   scripts/gpu-bench.sh pack          on the development machine: fills .devcarry/ (git-ignored, ≤ 64 MiB) with Node
#                                      (xz), the CLI bundle, Dawn's native module (xz), the Vulkan loader (.deb) and,
#                                      when the anchors' node_modules are installed, TF.js's webgpu reference bundled.
#   scripts/gpu-bench.sh run [OUT]     on the GPU machine (no Node, no network): unpacks .devcarry/, then runs
#     - lab bench matmul --tune on WebGPU: square 512…8192 (AB, ABt, AtB) and the MLP layer shapes (1024x1024x1024,
#       256x784x256), then the CPU path on 512…2048;
#     - lab bench train: 20 × 1024, batch 1024 (cpu,webgpu), and the digits workload (784 → 256×4 → 10) at 256 and 1024;
#     - TF.js's webgpu backend on the same Dawn in the same run (square 512…8192);
#     each writing OUT/<name>.json (OUT defaults to $OUT, else results/gpu-bench), then OUT/gpu-bench.json: the adapter
#     information, nvidia-smi -L, and the figures against the targets (matmul 4096² ≥ 25 TFLOP/s, ≥ 3× TF.js webgpu,
#     20×1024 training step ≥ 20× the CPU path).
# Sizes can be narrowed for a first short try: GPU_BENCH_SIZES=512,1024 GPU_BENCH_CPU_SIZES=512 scripts/gpu-bench.sh run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
carry="$root/.devcarry"
cmd=${1:-}

pack() {
  mkdir -p "$carry/lab/node_modules/webgpu/dist/linux-x64"
  grep -qx '/.devcarry/' "$root/.git/info/exclude" 2>/dev/null || grep -qx '/.devcarry/' "$root/.gitignore" || echo '/.devcarry/' >> "$root/.git/info/exclude"
  xz -9 -T2 -c "$(readlink -f "$(command -v node)")" > "$carry/node.xz"
  # The CLI bundle (scripts/lab.mjs builds it into node_modules/.cache/backprop-lab), beside a minimal `webgpu` package.
  (cd "$root" && node scripts/lab.mjs --help > /dev/null)
  cp "$root"/node_modules/.cache/backprop-lab/*.mjs "$carry/lab/"
  cp "$root/node_modules/webgpu/package.json" "$root/node_modules/webgpu/index.js" "$carry/lab/node_modules/webgpu/"
  xz -6 -T2 -c "$root/node_modules/webgpu/dist/linux-x64/dawn.node" > "$carry/dawn.node.xz"
  (cd "$carry" && rm -f ./*.deb && apt-get download libvulkan1 >&2)
  local anchors=${ANCHORS_WORK:-/tmp/backprop-lab-anchors}
  if [ -d "$anchors/node_modules/@tensorflow/tfjs-backend-webgpu" ]; then
    (cd "$anchors" && "$root/node_modules/.bin/esbuild" tfjs_node_webgpu.mjs --bundle --platform=node --format=esm \
      --external:webgpu --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
      --outfile="$carry/lab/tfjs-webgpu.mjs" --log-level=error)
  else
    echo "gpu-bench pack: no TF.js reference ($anchors/node_modules missing: run ../shared/anchors/run.sh once first)" >&2
    rm -f "$carry/lab/tfjs-webgpu.mjs"
  fi
  local bytes
  bytes=$(du -sb "$carry" | cut -f1)
  echo "gpu-bench pack: $carry holds $((bytes / 1048576)) MiB (limit 64)" >&2
  [ "$bytes" -le $((64 * 1048576)) ] || { echo "gpu-bench pack: over 64 MiB" >&2; exit 1; }
}

run() {
  local out=${1:-${OUT:-$root/results/gpu-bench}}
  mkdir -p "$out"
  for f in "$carry"/*.deb; do dpkg -x "$f" / ; done
  ldconfig || true
  xz -dc "$carry/node.xz" > /tmp/node && chmod +x /tmp/node
  xz -dc "$carry/dawn.node.xz" > "$carry/lab/node_modules/webgpu/dist/linux-x64/dawn.node"
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-$VK_DRIVER_FILES}
  nvidia-smi -L > "$out/nvidia-smi.txt" 2>&1 || echo "nvidia-smi failed" >> "$out/nvidia-smi.txt"
  local node=/tmp/node lab="$carry/lab/lab.mjs"
  local sizes=${GPU_BENCH_SIZES:-512,1024,2048,4096,8192} cpu_sizes=${GPU_BENCH_CPU_SIZES:-512,1024,2048}
  step() { # name, command…: stdout → OUT/name.json, stderr → OUT/name.log; a failing step is recorded, not fatal
    local name=$1; shift
    echo "gpu-bench: $name" >&2
    if ! (cd "$out" && "$@" > "$out/$name.json" 2> "$out/$name.log"); then echo "{\"failed\":\"$name\"}" > "$out/$name.json"; fi
  }
  step matmul-webgpu "$node" "$lab" bench matmul --backend webgpu --tune --sizes "$sizes" --variants AB,ABt,AtB --reps 5 --json
  step matmul-layers-webgpu "$node" "$lab" bench matmul --backend webgpu --tune --shape 1024x1024x1024 --reps 5 --json
  step matmul-digits-webgpu "$node" "$lab" bench matmul --backend webgpu --tune --shape 256x784x256 --reps 5 --json
  step matmul-cpu "$node" "$lab" bench matmul --backend cpu --sizes "$cpu_sizes" --reps 5 --json
  step train-20x1024 "$node" "$lab" bench train --backend cpu,webgpu --layers 1024x20 --input-dim 1024 --output-dim 1024 \
    --batch 1024 --activation relu --max-step-gflop 1000 --reps 5 --min-rep-ms 200 --tune --json
  step workload "$node" "$lab" bench workload --backend cpu,webgpu --batch 256,1024 --reps 5 --tune --json
  if [ -f "$carry/lab/tfjs-webgpu.mjs" ]; then
    step tfjs-webgpu "$node" "$carry/lab/tfjs-webgpu.mjs" --sizes "$sizes"
  else
    echo '{"failed":"tfjs-webgpu","why":"not packed"}' > "$out/tfjs-webgpu.json"
  fi
  "$node" - "$out" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const out = process.argv[2];
const read = (n) => { try { return JSON.parse(fs.readFileSync(path.join(out, `${n}.json`), 'utf8').trim().split('\n').at(-1)); } catch (e) { return { failed: n, why: String(e) }; } };
const mm = read('matmul-webgpu'), cpu = read('matmul-cpu'), train = read('train-20x1024'), tf = read('tfjs-webgpu');
const at = (r, n, v = 'AB') => r.points?.find((p) => p.n === n && p.square === n && p.variant === v) ?? null;
const g4096 = at(mm, 4096);
const gflops4096 = g4096 ? (g4096.gpuGflops ?? g4096.gflops) : null;
const tf4096 = tf.matmul?.find((r) => r.N === 4096)?.gflops ?? null;
const step = (kind) => train.points?.find((p) => p.backendKind === kind)?.stepsPerSecond ?? null;
const summary = {
  date: new Date().toISOString(),
  gpu: fs.readFileSync(path.join(out, 'nvidia-smi.txt'), 'utf8').trim(),
  adapter: mm.backends?.find((b) => b.kind === 'webgpu') ?? null,
  tfjsAdapter: tf.adapterInfo ?? null,
  targets: {
    matmul4096Tflops: { ours: gflops4096 && gflops4096 / 1000, goal: 25, met: gflops4096 != null && gflops4096 >= 25000 },
    matmul4096VsTfjs: { ours: gflops4096, tfjs: tf4096, ratio: gflops4096 && tf4096 && gflops4096 / tf4096, goal: 3 },
    train20x1024VsCpu: { webgpu: step('webgpu'), cpu: step('cpu'), ratio: step('webgpu') && step('cpu') && step('webgpu') / step('cpu'), goal: 20 },
  },
  squares: (mm.points ?? []).map((p) => ({ n: p.n, variant: p.variant, gflops: p.gflops, gpuGflops: p.gpuGflops, err: p.maxAbsError })),
};
fs.writeFileSync(path.join(out, 'gpu-bench.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary.targets)}\n`);
JS
}

case "$cmd" in
  pack) pack ;;
  run) shift; run "$@" ;;
  *) echo "usage: scripts/gpu-bench.sh pack | run [OUT]" >&2; exit 2 ;;
esac
