import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  matmul, matmulRows, matmulRowsJs, MatmulWorkspace, type MatView,
} from '../../src/backend/cpu/matmul.js';
import { sleb, uleb } from '../../src/backend/cpu/wasm/assembler.js';

interface FixtureCase {
  m: number; k: number; n: number; transA: boolean; transB: boolean; seedA: number; seedB: number;
  entries: [number, number][];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/matmul.json', import.meta.url), 'utf8'),
) as { cases: FixtureCase[] };

/** (M, K, N) shapes of op(A)·op(B) covering vectors, outer products, tails of the register block, tall/wide. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 17, 1], [9, 1, 11], [1, 13, 6], [6, 13, 1], [7, 13, 5], [33, 65, 17], [64, 64, 64],
  [300, 3, 2], [2, 3, 300], [2, 300, 3], [37, 300, 21],
];
const COMBOS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

/** Kernels under test: WebAssembly for every size, WebAssembly with tiny cache blocks, JavaScript only. */
const WORKSPACES: [string, () => MatmulWorkspace][] = [
  ['wasm', () => new MatmulWorkspace({ wasmThreshold: 0 })],
  ['wasm tiny blocks', () => new MatmulWorkspace({
    wasmThreshold: 0,
    f32: { blocking: { kc: 5, mc: 8, nc: 16 } },
    f64: { blocking: { kc: 7, mc: 4, nc: 4 } },
  })],
  ['js', () => new MatmulWorkspace({ wasm: false })],
];

/** Park–Miller values, the generator of make_matmul_fixtures.py. */
function parkMiller(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let t = 0; t < n; t++) {
    s = (s * 48271) % 2147483647;
    out[t] = Math.floor(s / 2048) / 1048576 - 0.5;
  }
  return out;
}

/** Seeded full-precision values in (-1, 1) (mulberry32), so that every sum rounds. */
function randomValues(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const hi = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (hi * 2 - 1) * (1 + i / (n * 7919));
  }
  return out;
}

/** op(A)(i, k) and op(B)(k, j) from storage-order arrays. */
interface Operands { a: Float64Array; b: Float64Array; m: number; k: number; n: number; transA: boolean; transB: boolean }
const opA = (o: Operands, i: number, k: number): number => (o.transA ? o.a[k * o.m + i]! : o.a[i * o.k + k]!);
const opB = (o: Operands, k: number, j: number): number => (o.transB ? o.b[j * o.k + k]! : o.b[k * o.n + j]!);

/** The oracle: s = 0; s += a·b for k = 0..K−1, each operation rounded to f64 or (with `f32`) to f32. */
function naive(o: Operands, f32: boolean): Float64Array {
  const out = new Float64Array(o.m * o.n);
  for (let i = 0; i < o.m; i++) {
    for (let j = 0; j < o.n; j++) {
      let s = 0;
      for (let k = 0; k < o.k; k++) {
        s = f32
          ? Math.fround(s + Math.fround(Math.fround(opA(o, i, k)) * Math.fround(opB(o, k, j))))
          : s + opA(o, i, k) * opB(o, k, j);
      }
      out[i * o.n + j] = s;
    }
  }
  return out;
}

/** Σ_k |a_ik·b_kj|, the scale of the rounding error of entry (i, j). */
function absScale(o: Operands, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < o.k; k++) s += Math.abs(opA(o, i, k) * opB(o, k, j));
  return s;
}

/** Copies values into a fresh array of the given type at `offset`, with sentinel padding around. */
function place(values: Float64Array, f32: boolean, offset: number, rows: number, cols: number): MatView {
  const data = f32 ? new Float32Array(offset + values.length + 3) : new Float64Array(offset + values.length + 3);
  data.fill(-777);
  data.set(values, offset);
  return { data, offset, rows, cols };
}

/** Runs matmul on the operands (with offsets and a garbage-filled out) and returns out's values. */
function run(o: Operands, f32: boolean, ws: MatmulWorkspace, offsets = [0, 0, 0]): MatView {
  const a = place(o.a, f32, offsets[0]!, o.transA ? o.k : o.m, o.transA ? o.m : o.k);
  const b = place(o.b, f32, offsets[1]!, o.transB ? o.n : o.k, o.transB ? o.k : o.n);
  const out = place(new Float64Array(o.m * o.n).fill(Number.NaN), f32, offsets[2]!, o.m, o.n);
  matmul(a, o.transA, b, o.transB, out, ws);
  return out;
}

/** Out's entries as f64. */
function entries(v: MatView): Float64Array {
  return Float64Array.from(v.data.subarray(v.offset, v.offset + v.rows * v.cols));
}

/** Random operands of a shape and transpose combination. */
function operands(m: number, k: number, n: number, transA: boolean, transB: boolean, seed: number, f32: boolean): Operands {
  const round = (x: Float64Array): Float64Array => (f32 ? x.map(Math.fround) : x);
  return { a: round(randomValues(seed, m * k)), b: round(randomValues(seed + 1, k * n)), m, k, n, transA, transB };
}

describe('wasm assembler', () => {
  it('encodes LEB128 as in the DWARF / WebAssembly spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
  });

  it('runs the SIMD kernel in this engine (no silent fallback to JavaScript)', () => {
    expect(new MatmulWorkspace().useWasm).toBe(true);
  });
});

describe.each(WORKSPACES)('matmul (%s)', (_label, makeWorkspace) => {
  const ws = makeWorkspace();

  describe.each(COMBOS)('transA=%s transB=%s', (transA, transB) => {
    it.each(SHAPES)('f64 %i×%i×%i is bit-identical to the naive ordered loop', (m, k, n) => {
      const o = operands(m, k, n, transA, transB, m * 1000 + k * 10 + n, false);
      const got = entries(run(o, false, ws, [3, 1, 5]));
      const want = naive(o, false);
      expect(Array.from(got)).toEqual(Array.from(want));
    });

    it.each(SHAPES)('f32 %i×%i×%i is bit-identical to the f32-rounded loop and close to f64', (m, k, n) => {
      const o = operands(m, k, n, transA, transB, m * 77 + k * 7 + n, true);
      const got = entries(run(o, true, ws, [1, 2, 3]));
      expect(Array.from(got)).toEqual(Array.from(naive(o, true)));
      const exact = naive(o, false);
      const gamma = (k + 1) * 2 ** -24;
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const err = Math.abs(got[i * n + j]! - exact[i * n + j]!);
          worst = Math.max(worst, err / (gamma * absScale(o, i, j)));
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
    });
  });

  it('agrees with the NumPy fixture to 1e-12 relative to Σ|a·b|', () => {
    expect(fixture.cases.length).toBe(44);
    for (const c of fixture.cases) {
      const o: Operands = {
        a: parkMiller(c.seedA, c.m * c.k), b: parkMiller(c.seedB, c.k * c.n),
        m: c.m, k: c.k, n: c.n, transA: c.transA, transB: c.transB,
      };
      const got = entries(run(o, false, ws));
      for (const [index, value] of c.entries) {
        const i = Math.floor(index / c.n);
        const j = index % c.n;
        expect(Math.abs(got[index]! - value)).toBeLessThanOrEqual(1e-12 * absScale(o, i, j));
      }
    }
  });

  it('writes only inside the out view and ignores what out held', () => {
    const o = operands(13, 9, 11, false, true, 5, false);
    const out = run(o, false, ws, [7, 0, 9]);
    expect(Array.from(out.data.subarray(0, 9))).toEqual(new Array(9).fill(-777));
    expect(Array.from(out.data.subarray(9 + 13 * 11))).toEqual([-777, -777, -777]);
    expect(Array.from(entries(out))).toEqual(Array.from(naive(o, false)));
  });

  it('computes row ranges independently and leaves other rows untouched', () => {
    for (const [f32, transA] of [[false, true], [true, true], [false, false], [true, false]] as const) {
      const o = operands(23, 19, 10, transA, false, 9, f32);
      const a = transA ? place(o.a, f32, 2, 19, 23) : place(o.a, f32, 2, 23, 19);
      const b = place(o.b, f32, 0, 19, 10);
      const out = place(new Float64Array(23 * 10), f32, 0, 23, 10);
      matmulRows(a, transA, b, false, out, 5, 12, ws);
      const want = naive(o, f32);
      const got = entries(out);
      for (let i = 0; i < 23; i++) {
        for (let j = 0; j < 10; j++) expect(got[i * 10 + j]).toBe(i >= 5 && i < 12 ? want[i * 10 + j] : 0);
      }
      matmulRows(a, transA, b, false, out, 0, 5, ws);
      matmulRows(a, transA, b, false, out, 12, 23, ws);
      matmulRows(a, transA, b, false, out, 23, 23, ws);
      expect(Array.from(entries(out))).toEqual(Array.from(want));
    }
  });

  it('gives zeros for K = 0 and does nothing for empty outputs', () => {
    const out = { data: new Float64Array(6).fill(5), offset: 0, rows: 2, cols: 3 };
    matmul({ data: new Float64Array(0), offset: 0, rows: 2, cols: 0 }, false,
      { data: new Float64Array(0), offset: 0, rows: 0, cols: 3 }, false, out, ws);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = { data: new Float32Array(0), offset: 0, rows: 0, cols: 3 };
    matmul({ data: new Float32Array(0), offset: 0, rows: 0, cols: 4 }, false,
      { data: new Float32Array(12), offset: 0, rows: 4, cols: 3 }, false, empty, ws);
  });
});

describe('matmul workspace and validation', () => {
  it('reuses one workspace across growing and shrinking products (memory growth)', () => {
    const ws = new MatmulWorkspace({ wasmThreshold: 0 });
    for (const [m, k, n] of [[4, 4, 4], [200, 300, 250], [3, 5, 7], [300, 260, 120], [9, 2, 4]] as const) {
      for (const f32 of [true, false]) {
        const o = operands(m, k, n, false, false, m + k + n, f32);
        expect(Array.from(entries(run(o, f32, ws)))).toEqual(Array.from(naive(o, f32)));
      }
    }
  });

  it('works without a workspace argument and matches the JavaScript kernel', () => {
    const o = operands(40, 30, 20, true, true, 3, true);
    const got = run(o, true, new MatmulWorkspace());
    const js = place(new Float64Array(40 * 20), true, 0, 40, 20);
    matmulRowsJs(place(o.a, true, 0, 30, 40), true, place(o.b, true, 0, 20, 30), true, js, 0, 40);
    expect(Array.from(entries(got))).toEqual(Array.from(entries(js)));
    const noWs = place(new Float64Array(40 * 20), true, 0, 40, 20);
    matmul(place(o.a, true, 0, 30, 40), true, place(o.b, true, 0, 20, 30), true, noWs);
    expect(Array.from(entries(noWs))).toEqual(Array.from(entries(js)));
  });

  it('widens f32 inputs exactly when the output is f64', () => {
    const o = operands(19, 23, 10, true, false, 13, true);
    for (const ws of [new MatmulWorkspace({ wasmThreshold: 0 }), new MatmulWorkspace({ wasm: false })]) {
      const out = place(new Float64Array(19 * 10), false, 0, 19, 10);
      matmul(place(o.a, true, 0, 23, 19), true, place(o.b, true, 0, 23, 10), false, out, ws);
      expect(out.data).toBeInstanceOf(Float64Array);
      expect(Array.from(entries(out))).toEqual(Array.from(naive(o, false)));
    }
  });

  it('rounds f64 inputs to f32 when the output is f32', () => {
    const o = operands(17, 21, 9, false, false, 11, false);
    const a = place(o.a, false, 0, 17, 21);
    const b = place(o.b, false, 0, 21, 9);
    for (const ws of [new MatmulWorkspace({ wasmThreshold: 0 }), new MatmulWorkspace({ wasm: false })]) {
      const out = place(new Float64Array(17 * 9), true, 0, 17, 9);
      matmul(a, false, b, false, out, ws);
      expect(Array.from(entries(out))).toEqual(Array.from(naive(o, true)));
    }
  });

  it('rejects mismatched shapes, views past their array and bad row ranges', () => {
    const v = (rows: number, cols: number, offset = 0): MatView => ({ data: new Float64Array(rows * cols), offset, rows, cols });
    expect(() => matmul(v(2, 3), false, v(4, 2), false, v(2, 2))).toThrow(/op\(A\) is 2×3, op\(B\) is 4×2/);
    expect(() => matmul(v(2, 3), false, v(3, 2), false, v(3, 2))).toThrow(/out is 3×2/);
    expect(() => matmul(v(2, 3), true, v(2, 2), false, v(3, 2))).not.toThrow();
    expect(() => matmul(v(2, 3, 1), false, v(3, 2), false, v(2, 2))).toThrow(/A view/);
    expect(() => matmulRows(v(2, 3), false, v(3, 2), false, v(2, 2), 1, 3)).toThrow(/row range/);
  });
});

describe('matmul fixture sanity', () => {
  it('regenerates the fixture inputs exactly (first Park–Miller values)', () => {
    expect(parkMiller(1, 2)[0]).toBe(Math.floor(48271 / 2048) / 1048576 - 0.5);
    const c = fixture.cases.find((x) => x.m === 1 && x.k === 1 && x.n === 1 && !x.transA && !x.transB)!;
    expect(parkMiller(c.seedA, 1)[0]! * parkMiller(c.seedB, 1)[0]!).toBe(c.entries[0]![1]);
  });
});
