/**
 * Autotuning of the matmul family: each shape class's candidates are timed once on the adapter in hand and the
 * fastest is kept, per adapter, in a cache (IndexedDB in a page, a file for the CLI). GPU-free: the timer is
 * injected, so that the choice is a pure function of the timings it returns.
 */
import { shapeClass, type MatmulCandidate, type MatmulProblem } from './matmul-candidates.js';

/** Milliseconds per product of `candidate` on `problem`, or null when it cannot run there. */
export type CandidateTimer = (candidate: MatmulCandidate, problem: MatmulProblem) => Promise<number | null>;

/** Winners (candidate names by shape class) of one adapter. */
export type TuneWinners = Readonly<Record<string, string>>;

/** Where winners outlive the backend: one record per adapter key. */
export interface TuneCache {
  /** The winners stored for `adapterKey` (empty when none). */
  load(adapterKey: string): Promise<TuneWinners>;
  /** Store the winners of `adapterKey`, replacing its record. */
  save(adapterKey: string, winners: TuneWinners): Promise<void>;
}

/** Bumped whenever a kernel or the candidate set changes, so that winners timed on older kernels are dropped. */
export const TUNE_VERSION = 1;

/** What identifies an adapter for the cache. */
export interface AdapterIdentity {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
}

/** The cache key of an adapter: vendor, architecture, device and driver description, and the kernels' version. */
export function adapterKey(a: AdapterIdentity): string {
  return `v${TUNE_VERSION}|${a.vendor}|${a.architecture}|${a.device}|${a.description}`;
}

/** A cache in memory (tests; a page without IndexedDB). */
export class MemoryTuneCache implements TuneCache {
  private readonly records = new Map<string, TuneWinners>();

  async load(key: string): Promise<TuneWinners> {
    return { ...(this.records.get(key) ?? {}) };
  }

  async save(key: string, winners: TuneWinners): Promise<void> {
    this.records.set(key, { ...winners });
  }
}

/** One timed candidate of a shape class. */
export interface TuneTiming {
  readonly candidate: string;
  /** Milliseconds per product, or null when the candidate could not run. */
  readonly ms: number | null;
}

/** The table of one shape class: every candidate's time and the winner. */
export interface TuneResult {
  readonly shapeClass: string;
  /** The product the class was timed on. */
  readonly problem: MatmulProblem;
  readonly timings: readonly TuneTiming[];
  readonly winner: string;
}

/** The fastest timing, ties to the earlier candidate; null when none ran. */
export function pickWinner(timings: readonly TuneTiming[]): string | null {
  let best: TuneTiming | null = null;
  for (const t of timings) {
    if (t.ms !== null && Number.isFinite(t.ms) && (best === null || t.ms < best.ms!)) best = t;
  }
  return best?.candidate ?? null;
}

/** Chooses each product's candidate: the winner of its shape class, timed at first use, else `fallback`. */
export class MatmulTuner {
  /** The last failure to read or write the cache (the tuner then works from memory), or null. */
  cacheError: string | null = null;
  private readonly winners = new Map<string, string>();
  private readonly pending = new Map<string, MatmulProblem>();
  private readonly loaded: Promise<void>;
  private readonly byName: Map<string, MatmulCandidate>;

  constructor(
    private readonly candidates: readonly MatmulCandidate[],
    private readonly key: string,
    private readonly timer: CandidateTimer,
    private readonly fallback: (p: MatmulProblem) => MatmulCandidate,
    private readonly cache: TuneCache | null = null,
  ) {
    if (candidates.length === 0) throw new Error('MatmulTuner: the candidate set is empty.');
    this.byName = new Map(candidates.map((c) => [c.name, c]));
    this.loaded = this.load();
  }

  /** Resolves once the cached winners (of this adapter key) are in. */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** The candidate of a product: its class's winner, or the fallback (and the class is queued for tuning). */
  choose(p: MatmulProblem): MatmulCandidate {
    const cls = shapeClass(p);
    const won = this.winners.get(cls);
    const c = won === undefined ? undefined : this.byName.get(won);
    if (c) return c;
    if (!this.pending.has(cls)) this.pending.set(cls, p);
    return this.fallback(p);
  }

  /** Shape classes used but not tuned yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The winners known now, by shape class. */
  known(): TuneWinners {
    return Object.fromEntries(this.winners);
  }

  /** Time every class used but not yet tuned (after the cache is read); returns their tables. */
  async tunePending(): Promise<TuneResult[]> {
    await this.loaded;
    const results: TuneResult[] = [];
    for (const [cls, p] of [...this.pending]) {
      this.pending.delete(cls);
      if (!this.winners.has(cls)) results.push(await this.tune(p));
    }
    return results;
  }

  /** Time every candidate on `p` (even when its class is known), keep and store the winner; returns the table. */
  async tune(p: MatmulProblem): Promise<TuneResult> {
    await this.loaded;
    const timings: TuneTiming[] = [];
    for (const c of this.candidates) timings.push({ candidate: c.name, ms: await this.timer(c, p) });
    const cls = shapeClass(p);
    const winner = pickWinner(timings) ?? this.fallback(p).name;
    this.winners.set(cls, winner);
    this.pending.delete(cls);
    try {
      await this.cache?.save(this.key, this.known());
    } catch (e) {
      this.cacheError = `saving tuned matmul winners failed: ${(e as Error).message}`;
    }
    return { shapeClass: cls, problem: p, timings, winner };
  }

  private async load(): Promise<void> {
    if (!this.cache) return;
    let stored: TuneWinners;
    try {
      stored = await this.cache.load(this.key);
    } catch (e) {
      this.cacheError = `reading tuned matmul winners failed (tuning anew): ${(e as Error).message}`;
      return;
    }
    for (const [cls, name] of Object.entries(stored)) {
      if (this.byName.has(name) && !this.winners.has(cls)) this.winners.set(cls, name);
    }
  }
}
