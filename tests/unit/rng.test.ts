import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandom } from '../../src/core/rng.js';

type Op =
  | { op: 'seed'; args: { seed: number }; result: null }
  | { op: 'randn'; args: { n: number }; result: number[] }
  | { op: 'random_sample'; args: Record<string, never>; result: number }
  | { op: 'uniform'; args: { low: number; high: number }; result: number }
  | { op: 'randint'; args: { low: number; high: number }; result: number }
  | { op: 'permutation'; args: { n: number }; result: number[] };

interface SeedCase {
  seed: number;
  raw: number[];
  random_sample: number[];
  randn11: number[];
  uniform: { low: number; high: number; values: number[] };
  randint10: number[];
  randint1000: number[];
  permutation10: number[];
  permutation100: number[];
  shuffle_arange7: number[];
  interleaved: Op[];
}

interface RngFixture {
  numpy_version: string;
  seeds: SeedCase[];
  randn_long: { seed: number; values: number[] };
  numpy_state: {
    state: { mt: number[]; pos: number; hasGauss: boolean; gauss: number };
    randn3: number[];
    random_sample2: number[];
  };
  hashed: {
    op: 'randn' | 'permutation' | 'randint';
    args: { seed: number; n: number; low?: number; high?: number };
    fnv1a32: number;
    head: number[];
    tail: number[];
  }[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/rng.json', import.meta.url), 'utf8')) as RngFixture;

/** n draws of `draw`, as a plain array for exact comparison. */
function draws(n: number, draw: () => number): number[] {
  return Array.from({ length: n }, draw);
}

/** FNV-1a over the little-endian uint32 words of the values' float64 (randn) or int64 (integers) encoding. */
function fnv1a32Words(values: Float64Array | BigInt64Array): number {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.byteLength / 4);
  let h = 0x811c9dc5;
  for (const w of words) h = Math.imul(h ^ w, 16777619) >>> 0;
  return h;
}

/** Replays one interleaved op and returns what it produced (null for a reseed). */
function runOp(rng: NumpyRandom, op: Op): number | number[] | null {
  switch (op.op) {
    case 'seed':
      rng.seed(op.args.seed);
      return null;
    case 'randn':
      return Array.from(rng.randn(op.args.n));
    case 'random_sample':
      return rng.randomSample();
    case 'uniform':
      return rng.uniform(op.args.low, op.args.high);
    case 'randint':
      return rng.randint(op.args.low, op.args.high);
    case 'permutation':
      return Array.from(rng.permutation(op.args.n));
  }
}

describe(`NumpyRandom vs numpy ${fixture.numpy_version} legacy RandomState`, () => {
  it('fixture covers the required seeds', () => {
    expect(fixture.seeds.map((c) => c.seed)).toEqual([0, 1, 42, 123456789, 4294967295]);
  });

  describe.each(fixture.seeds)('seed $seed', (c) => {
    it('raw MT19937 outputs', () => {
      const rng = new NumpyRandom(c.seed);
      expect(draws(c.raw.length, () => rng.nextUint32())).toEqual(c.raw);
    });

    it('random_sample', () => {
      const rng = new NumpyRandom(c.seed);
      expect(draws(c.random_sample.length, () => rng.randomSample())).toEqual(c.random_sample);
    });

    it('randn (odd count, uses the cached Gaussian)', () => {
      const rng = new NumpyRandom(c.seed);
      expect(Array.from(rng.randn(c.randn11.length))).toEqual(c.randn11);
    });

    it('randn fills the given output array', () => {
      const rng = new NumpyRandom(c.seed);
      const out = new Float64Array(c.randn11.length);
      expect(rng.randn(out.length, out)).toBe(out);
      expect(Array.from(out)).toEqual(c.randn11);
    });

    it('uniform', () => {
      const rng = new NumpyRandom(c.seed);
      const { low, high, values } = c.uniform;
      expect(draws(values.length, () => rng.uniform(low, high))).toEqual(values);
    });

    it('randint(0, 10) and randint(0, 1000)', () => {
      const a = new NumpyRandom(c.seed);
      expect(draws(c.randint10.length, () => a.randint(0, 10))).toEqual(c.randint10);
      const b = new NumpyRandom(c.seed);
      expect(draws(c.randint1000.length, () => b.randint(0, 1000))).toEqual(c.randint1000);
    });

    it('permutation(10) and permutation(100)', () => {
      expect(Array.from(new NumpyRandom(c.seed).permutation(10))).toEqual(c.permutation10);
      expect(Array.from(new NumpyRandom(c.seed).permutation(100))).toEqual(c.permutation100);
    });

    it('shuffle of arange(7), on a plain array and a typed array', () => {
      const plain = [0, 1, 2, 3, 4, 5, 6];
      new NumpyRandom(c.seed).shuffle(plain);
      expect(plain).toEqual(c.shuffle_arange7);
      const typed = Float64Array.from([0, 1, 2, 3, 4, 5, 6]);
      new NumpyRandom(c.seed).shuffle(typed);
      expect(Array.from(typed)).toEqual(c.shuffle_arange7);
    });

    it('interleaved calls, reseeding and special randint ranges', () => {
      const rng = new NumpyRandom(c.seed);
      for (const op of c.interleaved) {
        expect(runOp(rng, op), `${op.op} ${JSON.stringify(op.args)}`).toEqual(op.result);
      }
    });
  });

  it(`a long Gaussian stream (${fixture.randn_long.values.length} values) matches exactly`, () => {
    const { seed, values } = fixture.randn_long;
    const got = new NumpyRandom(seed).randn(values.length);
    const mismatches = values.filter((v, i) => !Object.is(got[i], v)).length;
    expect(mismatches).toBe(0);
  });

  it.each(fixture.hashed)('long stream $op $args.n (hashed) matches exactly', (c) => {
    const rng = new NumpyRandom(c.args.seed);
    let values: number[];
    let encoded: Float64Array | BigInt64Array;
    if (c.op === 'randn') {
      const normals = rng.randn(c.args.n);
      values = Array.from(normals);
      encoded = normals;
    } else {
      const { low = 0, high = 0 } = c.args;
      values = c.op === 'permutation' ? Array.from(rng.permutation(c.args.n)) : draws(c.args.n, () => rng.randint(low, high));
      encoded = BigInt64Array.from(values, (v) => BigInt(v));
    }
    expect(values.slice(0, 3)).toEqual(c.head);
    expect(values.slice(-3)).toEqual(c.tail);
    expect(fnv1a32Words(encoded)).toBe(c.fnv1a32);
  });

  it('continues exactly from a state taken from numpy (mid-key, with a cached Gaussian)', () => {
    const { state, randn3, random_sample2 } = fixture.numpy_state;
    expect(state.hasGauss).toBe(true);
    const rng = new NumpyRandom(0);
    rng.setState({ ...state, mt: Uint32Array.from(state.mt) });
    expect(Array.from(rng.randn(3))).toEqual(randn3);
    expect(draws(2, () => rng.randomSample())).toEqual(random_sample2);
  });
});

describe('NumpyRandom state handling', () => {
  /** A mixed burst of draws that touches every sampler. */
  function burst(rng: NumpyRandom): number[] {
    return [
      ...rng.randn(3),
      rng.randomSample(),
      rng.uniform(-1, 1),
      rng.randint(-50, 50),
      ...rng.permutation(8),
      rng.nextUint32(),
    ];
  }

  it('reseeding reproduces the stream and drops the cached Gaussian', () => {
    const rng = new NumpyRandom(99);
    const first = burst(rng);
    rng.randn(2); // leaves a cached Gaussian behind
    expect(rng.getState().hasGauss).toBe(true);
    rng.seed(99);
    expect(rng.getState().hasGauss).toBe(false);
    expect(burst(rng)).toEqual(first);
    expect(burst(new NumpyRandom(99))).toEqual(first);
  });

  it('different seeds give different streams', () => {
    expect(burst(new NumpyRandom(1))).not.toEqual(burst(new NumpyRandom(2)));
  });

  it('getState/setState restores the stream, including the cached Gaussian and key regeneration', () => {
    const rng = new NumpyRandom(5);
    rng.randn(1);
    const saved = rng.getState();
    expect(saved.hasGauss).toBe(true);
    const expected = [...burst(rng), ...draws(700, () => rng.nextUint32())];
    rng.seed(6);
    rng.setState(saved);
    expect([...burst(rng), ...draws(700, () => rng.nextUint32())]).toEqual(expected);
  });

  it('getState returns a snapshot, not a view of the live key', () => {
    const rng = new NumpyRandom(5);
    const saved = rng.getState();
    const key = saved.mt.slice();
    draws(1000, () => rng.nextUint32());
    expect(saved.mt).toEqual(key);
  });

  it('rejects invalid seeds, ranges and states', () => {
    expect(() => new NumpyRandom(-1)).toThrow(RangeError);
    expect(() => new NumpyRandom(2 ** 32)).toThrow(RangeError);
    expect(() => new NumpyRandom(1.5)).toThrow(RangeError);
    expect(() => new NumpyRandom(Number.NaN)).toThrow(RangeError);
    const rng = new NumpyRandom(0);
    expect(() => rng.randn(4, new Float64Array(3))).toThrow(RangeError);
    expect(() => rng.randint(3, 3)).toThrow(RangeError);
    expect(() => rng.randint(0, 2 ** 32 + 1)).toThrow(RangeError);
    expect(() => rng.setState({ mt: new Uint32Array(10), pos: 0, hasGauss: false, gauss: 0 })).toThrow(RangeError);
    expect(() => rng.setState({ mt: new Uint32Array(624), pos: 625, hasGauss: false, gauss: 0 })).toThrow(RangeError);
  });
});
