/**
 * MT19937 with NumPy's legacy seeding and sampling, bit-for-bit equal to `np.random.seed(s)` followed by the
 * `np.random.*` functions below (numpy's `RandomState`: `mt19937_seed`, `legacy_gauss`, masked rejection
 * sampling in `randint`, Fisher–Yates with `random_interval` in `shuffle`). Gaussians need glibc's exact `log`
 * (emulated below, FMA variant, as numpy uses on x86-64 Linux with FMA and on aarch64); numpy linked against
 * another libm (macOS, Windows, pre-FMA x86) may differ from it by 1 ulp in about 0.06% of Gaussian pairs.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;

/** A snapshot of the generator: Mersenne Twister key, read position, and the cached second Gaussian. */
export interface RngState {
  /** The 624-word MT19937 key (as in numpy's `get_state()[1]`). */
  mt: Uint32Array;
  /** Index of the next key word to temper, 0..624 (624 means the key is regenerated before the next draw). */
  pos: number;
  /** Whether a second polar Box–Muller value is cached for the next `standardNormal`. */
  hasGauss: boolean;
  /** The cached Gaussian (0 when none is cached). */
  gauss: number;
}

/** Dekker's splitter 2**27 + 1, for exact products without hardware fused multiply-add. */
const SPLITTER = 134217729;

/** fl(a·b + c) with a single rounding (fused multiply-add), emulated with an exact product; for normal-range values. */
function fusedMultiplyAdd(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const productError = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const v = s - p;
  const sumError = p - (s - v) + (c - v);
  return s + (sumError + productError);
}

/** glibc's log constants (sysdeps/ieee754/dbl-64/e_log_data.c, __log_data): ln 2 split in two parts. */
const LOG_LN2_HI = 0.6931471805598903;
const LOG_LN2_LO = 5.497923018708371e-14;
/** Coefficients A[0..4] of log1p(r) − r on the table-reduced argument. */
const LOG_A = [-0.5000000000000001, 0.33333333331825593, -0.2499999999622955, 0.20000304511814496, -0.16667054827627667] as const;
/** Coefficients B[0..10] of log(1 + r) − r for x near 1 (B[0] = −1/2 is applied exactly, the rest by Horner). */
const LOG_B = [-0.5, 0.3333333333333352, -0.24999999999998432, 0.19999999999320328, -0.16666666669929706, 0.14285715076560868, -0.12499997863982555, 0.11110712032936046, -0.10000486757818193, 0.09181994006195467, -0.08328363062289341] as const;
/** 128 pairs (1/c, log c) for subintervals of [0.6875, 1.375), interleaved. */
const LOG_TABLE = new Float64Array([
  1.4504249240398293, -0.3718565645633589, 1.442253508327276, -0.36620682668944937,
  1.4341736174350004, -0.3605888069791945, 1.426183816329995, -0.3550022171419869,
  1.4182825527052965, -0.34944666968829097, 1.4104682921759335, -0.3439217713603284,
  1.4027396147468003, -0.3384271921261188, 1.3950954438932313, -0.332962831494342,
  1.3875338232485754, -0.32752794345742586, 1.3800539211058593, -0.32212257167088865,
  1.3726542695419708, -0.3167462884799761, 1.3653332798446802, -0.3113985598928366,
  1.358090204587874, -0.3060794515165526, 1.3509234892132138, -0.300788424667644,
  1.3438320840699889, -0.2955252968476998, 1.3368146974742003, -0.29028969275850613,
  1.329870114677736, -0.2850812793277555, 1.322997339161106, -0.27989987391470095,
  1.316195352741367, -0.27474526621870154, 1.3094628125672239, -0.2696169863701243,
  1.3027990455471041, -0.26451506180308115, 1.2962024229438942, -0.2594387762767383,
  1.2896726275815547, -0.2543884090981692, 1.2832080305745537, -0.24936321635129843,
  1.276807885983376, -0.24436312405975968, 1.2704714060687552, -0.23938801747897287,
  1.2641976054949482, -0.23443761696705678, 1.257985357514882, -0.22951151871518505,
  1.2518337750655457, -0.2246094963439873, 1.2457421919097305, -0.21973149037705753,
  1.2397094966625508, -0.2148770752847895, 1.2337348463589233, -0.210046029103637,
  1.2278176973028803, -0.20523836373934046, 1.2219570190618474, -0.20045368751368642,
  1.2161519732977757, -0.1956917537758045, 1.2104018095009725, -0.19095237845203883,
  1.204705805718973, -0.18623539250290833, 1.1990631185441964, -0.18154051731551135,
  1.1934733004462308, -0.1768677957431919, 1.1879350812847385, -0.17221657406412305,
  1.1824481322833125, -0.16758697765942543, 1.1770114976921955, -0.16297859687290384,
  1.1716248121809465, -0.15839151377804228, 1.1662869231674715, -0.15382513241456763,
  1.1609977486762766, -0.14927976358922024, 1.1557563220795803, -0.14475495398119165,
  1.1505619105480347, -0.14025044090817573, 1.1454138888505974, -0.1357660466685502,
  1.140311877374656, -0.1313018016355727, 1.1352550225747513, -0.12685731518763532,
  1.1302429094831266, -0.1224325737671279, 1.1252747693068048, -0.11802724521862729,
  1.1203501571039876, -0.11364127671663482, 1.1154683327680124, -0.10927434611278386,
  1.1106291463292157, -0.10492665324943573, 1.1058315813301596, -0.10059761422644442,
  1.1010752177696026, -0.09628717309055901, 1.0963597137952512, -0.09199534069557558,
  1.0916844827550398, -0.08772190036688698, 1.0870487291277784, -0.08346643613867855,
  1.082452357388312, -0.07922916827544668, 1.0778948225025884, -0.0750099004750382,
  1.0733751731601076, -0.07080805133352897, 1.068893585073351, -0.06662408085151128,
  1.0644491706655506, -0.06245745471915143, 1.0600414846328305, -0.0583080438042316,
  1.0556701316181605, -0.05417576112313327, 1.051334750556926, -0.050060547896805474,
  1.0470347288442157, -0.045962101199052086, 1.0427699229652954, -0.04188056008865715,
  1.0385395013738175, -0.03781540056183985, 1.034343418940345, -0.03376684757915882,
  1.0301811073173315, -0.029734619131772888, 1.026052043621297, -0.025718470239212365,
  1.0219561082336197, -0.021718543925430822, 1.0178926505784922, -0.01773446126981071,
  1.0138614436244586, -0.013766252464051831, 1.0098620186501341, -0.009813706322574944,
  1.0058938559734134, -0.005876555150052809, 1.00195696235014, -0.0019550499938532084,
  0.9961089923088509, 0.0038985973556009412, 0.9884170338185201, 0.011650571286395461,
  0.9808429191005297, 0.019342955478919066, 0.9733840169987446, 0.0269766014846482,
  0.9660377568876556, 0.034552359728422744, 0.9588014945307369, 0.04207121767183253,
  0.9516728569073111, 0.049533940950141186, 0.9446494635965822, 0.056941358295944156,
  0.9377288993026223, 0.06429439168346107, 0.9309091073790681, 0.0715936354946507,
  0.924187681612722, 0.07884010933776153, 0.9175626765599192, 0.08603438905970506,
  0.9110320403624034, 0.09317721180013905, 0.9045935839762024, 0.10026951462748457,
  0.8982456375922825, 0.10731170956330516, 0.8919860966782501, 0.11430473320717738,
  0.8858131121185129, 0.12124928503033061, 0.879725075760676, 0.12814583422959913,
  0.8737201372634685, 0.1349951636851756, 0.8677966405782273, 0.1417978768189414,
  0.8619528050060739, 0.14855476039031146, 0.8561872354420692, 0.1552661937658968,
  0.8504983927816893, 0.16193275688146969, 0.8448844572790304, 0.16855539792220497,
  0.8393442741575965, 0.1751343179947753, 0.8338762249349438, 0.1816702989864325,
  0.8284789320557778, 0.18816387146023317, 0.8231510800065832, 0.1946155228479256,
  0.8178913903778707, 0.20102572579389744, 0.8126984007245374, 0.2073952090795501,
  0.8075710029460227, 0.21372429840596396, 0.8025078881160415, 0.2200135945981856,
  0.7975077379364331, 0.22626374162859975, 0.792569604966373, 0.23247494747693054,
  0.7876923641254114, 0.23864766620658884, 0.7828746724940998, 0.24478265647405806,
  0.7781155388790811, 0.25088025827324145, 0.7734139557869777, 0.2569408552510595,
  0.7687687179914933, 0.26296511155101143, 0.7641790698041854, 0.2689531327189343,
  0.7596438763692399, 0.27490553924610595, 0.7551621951078668, 0.2808227248478943,
  0.7507331780216866, 0.286704979267256, 0.7463557196361751, 0.29255295645509705,
  0.7420289364869653, 0.2983670386142876, 0.7377521537065876, 0.30414734587282055,
  0.7335242966002608, 0.30989455774829366, 0.729344777457841, 0.31560871301871884,
]);

/**
 * Natural logarithm bit-identical to glibc's log (2.28+, FMA build), which numpy's legacy_gauss calls on Linux.
 * JS Math.log differs from it in about 6% of calls, and even a correctly rounded log in about 0.06%.
 * Only for finite x > 0 in the normal range (the Gaussian sampler's r² is always there).
 */
function glibcLog(x: number): number {
  if (!(x >= 2.2250738585072014e-308 && x < Infinity)) return Math.log(x);
  if (x >= 0.9375 && x < 1.064697265625) {
    if (x === 1) return 0;
    const r = x - 1;
    const r2 = r * r;
    const r3 = r * r2;
    const b = LOG_B;
    const inner = fusedMultiplyAdd(r3, b[10], fusedMultiplyAdd(r2, b[9], fusedMultiplyAdd(r, b[8], b[7])));
    const middle = fusedMultiplyAdd(r3, inner, fusedMultiplyAdd(r2, b[6], fusedMultiplyAdd(r, b[5], b[4])));
    const poly = fusedMultiplyAdd(r3, middle, fusedMultiplyAdd(r2, b[3], fusedMultiplyAdd(r, b[2], b[1])));
    const w = r * 134217728;
    const rhi = r + w - w;
    const rlo = r - rhi;
    const square = rhi * rhi * b[0];
    const hi = r + square;
    let lo = r - hi + square;
    lo = fusedMultiplyAdd(b[0] * rlo, rhi + r, lo);
    return fusedMultiplyAdd(r3, poly, lo) + hi;
  }
  // x = 2^k·z with z in [0.6875, 1.375); table entry i by the top 7 mantissa bits above 0.6875.
  let k = Math.floor(Math.log2(x) + 0.5405683813627028); // log2(1/0.6875); corrected below
  let z = x * 2 ** -k;
  while (z >= 1.375) {
    z *= 0.5;
    k++;
  }
  while (z < 0.6875) {
    z *= 2;
    k--;
  }
  const i = z < 1 ? Math.floor((2 * z - 1) * 128) - 48 : 80 + Math.floor((z - 1) * 128);
  const invc = LOG_TABLE[2 * i]!;
  const logc = LOG_TABLE[2 * i + 1]!;
  const r = fusedMultiplyAdd(z, invc, -1);
  const w = fusedMultiplyAdd(k, LOG_LN2_HI, logc);
  const hi = w + r;
  const lo = fusedMultiplyAdd(k, LOG_LN2_LO, w - hi + r);
  const r2 = r * r;
  const a = LOG_A;
  const poly = fusedMultiplyAdd(r2, fusedMultiplyAdd(r, a[4], a[3]), fusedMultiplyAdd(r, a[2], a[1]));
  return fusedMultiplyAdd(r * r2, poly, fusedMultiplyAdd(r2, a[0], lo)) + hi;
}

/** Smallest all-ones bit mask covering `max` (numpy's `gen_mask`), for 0 <= max < 2**32. */
function maskCovering(max: number): number {
  let mask = max >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

/** MT19937 with NumPy's legacy seeding and sampling (np.random.seed / RandomState). */
export class NumpyRandom {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  /** A generator in the state `np.random.seed(seed)` leaves, for an integer 0 <= seed < 2**32. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** Reseed as `np.random.seed(seed)` (numpy's init_genrand); also clears the cached Gaussian. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
      throw new RangeError(`seed must be an integer in [0, 2**32), got ${seed}`);
    }
    const mt = this.mt;
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      mt[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next raw (tempered) MT19937 output, an integer in [0, 2**32). */
  nextUint32(): number {
    if (this.pos >= N) this.regenerate();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits, as `np.random.random_sample()`. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A uniform double in [low, high), as `np.random.uniform(low, high)`: low + (high − low)·random_sample(). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.randomSample();
  }

  /** A standard normal, as `np.random.standard_normal()`: legacy polar Box–Muller caching the second value. */
  standardNormal(): number {
    if (this.hasGauss) {
      const cached = this.gauss;
      this.hasGauss = false;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * glibcLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `n` standard normals, as `np.random.randn(n)`; fills and returns `out` when given. */
  randn(n: number, out?: Float64Array): Float64Array {
    if (out && out.length < n) throw new RangeError(`randn output holds ${out.length} values, needs ${n}`);
    const dst = out ?? new Float64Array(n);
    for (let i = 0; i < n; i++) dst[i] = this.standardNormal();
    return dst;
  }

  /** A uniform integer in [low, high), as `np.random.randint(low, high)` (masked rejection), for high − low <= 2**32. */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low || high - low > TWO_POW_32) {
      throw new RangeError(`randint needs integers low < high with high - low <= 2**32, got [${low}, ${high})`);
    }
    const rng = high - low - 1;
    if (rng === 0) return low;
    if (rng === TWO_POW_32 - 1) return low + this.nextUint32();
    return low + this.maskedBelowOrEqual(rng);
  }

  /** Shuffle a 1-D array in place, as `np.random.shuffle(a)` (Fisher–Yates from the end, numpy's random_interval). */
  shuffle(a: { length: number; [i: number]: number }): void {
    if (a.length >= TWO_POW_32) throw new RangeError('shuffle supports arrays shorter than 2**32');
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.maskedBelowOrEqual(i);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /** A random permutation of 0..n−1, as `np.random.permutation(n)`. */
  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n >= TWO_POW_32) throw new RangeError(`permutation needs 0 <= n < 2**32, got ${n}`);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /** A copy of the full generator state. */
  getState(): RngState {
    return { mt: this.mt.slice(), pos: this.pos, hasGauss: this.hasGauss, gauss: this.gauss };
  }

  /** Restore a state from `getState` (or from numpy's `get_state()`: key, pos, has_gauss, cached_gaussian). */
  setState(s: RngState): void {
    if (s.mt.length !== N) throw new RangeError(`state needs ${N} key words, got ${s.mt.length}`);
    if (!Number.isInteger(s.pos) || s.pos < 0 || s.pos > N) throw new RangeError(`state pos must be in [0, ${N}], got ${s.pos}`);
    this.mt.set(s.mt);
    this.pos = s.pos;
    this.hasGauss = s.hasGauss;
    this.gauss = s.hasGauss ? s.gauss : 0;
  }

  /** Uniform integer in [0, max] by masked rejection on 32-bit draws, for 0 < max < 2**32. */
  private maskedBelowOrEqual(max: number): number {
    const mask = maskCovering(max);
    let v: number;
    do {
      v = (this.nextUint32() & mask) >>> 0;
    } while (v > max);
    return v;
  }

  /** Twist the whole key (numpy's mt19937_gen). */
  private regenerate(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % N]! & LOWER_MASK);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }
}
