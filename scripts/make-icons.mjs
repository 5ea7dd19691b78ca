#!/usr/bin/env node
/**
 * Writes the app's icons (public/icon-192.png, public/icon-512.png): a sigmoid and a ReLU curve on the lab's blue,
 * drawn per pixel with anti-aliased strokes and encoded as PNG with node:zlib alone. Run `node scripts/make-icons.mjs`.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** Icon sizes in pixels (the two a web app manifest needs to be installable). */
export const ICON_SIZES = [192, 512];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG bytes of an RGB image (`rgb`: width×height×3 bytes, rows top to bottom). */
export function encodePng(width, height, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (1 + width * 3) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Polyline of a curve y = f(x) over x in [-1, 1], in unit coordinates (0–1, y up). */
function curve(f, points = 256) {
  return Array.from({ length: points + 1 }, (_, i) => {
    const x = -1 + (2 * i) / points;
    return [0.18 + 0.64 * ((x + 1) / 2), 0.2 + 0.6 * f(x)];
  });
}

function distanceToPolyline(px, py, line) {
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = line[i - 1];
    const [bx, by] = line[i];
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(px - ax - t * dx, py - ay - t * dy));
  }
  return best;
}

/** RGB pixels of the icon at `size`: blue field, white sigmoid, orange ReLU (kept inside the maskable safe zone). */
export function drawIcon(size) {
  const background = [0x0b, 0x5c, 0xad];
  const strokes = [
    { line: curve((x) => 1 / (1 + Math.exp(-6 * x))), colour: [0xff, 0xff, 0xff] },
    { line: curve((x) => Math.max(0, x)), colour: [0xe6, 0x9f, 0x00] },
  ];
  const half = 0.035; // stroke half-width, in units of the icon side
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const v = 1 - (y + 0.5) / size;
      let colour = background;
      for (const { line, colour: ink } of strokes) {
        const cover = Math.max(0, Math.min(1, (half - distanceToPolyline(u, v, line)) * size + 0.5));
        colour = colour.map((c, i) => Math.round(c + (ink[i] - c) * cover));
      }
      rgb.set(colour, (y * size + x) * 3);
    }
  }
  return rgb;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const size of ICON_SIZES) {
    const file = fileURLToPath(new URL(`../public/icon-${size}.png`, import.meta.url));
    writeFileSync(file, encodePng(size, size, drawIcon(size)));
    console.log(`wrote ${file}`);
  }
}
