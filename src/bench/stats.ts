/** Timing statistics of benchmark repetitions. */

/** Median, min, max and count of a list of timings (ms). */
export interface TimingStats {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly reps: number;
}

/** Summarise timings. */
export function timingStats(ms: readonly number[]): TimingStats {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const medianMs = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { medianMs, minMs: s[0]!, maxMs: s[s.length - 1]!, reps: s.length };
}
