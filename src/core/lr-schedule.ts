/**
 * Learning-rate schedules: the rate of update t (t = 0 for the first) as a pure function of the base rate and t,
 * with an optional linear warm-up in front. Both backends take the rate from here, step by step, so a run's
 * schedule is the same wherever it trains, and a resumed run picks its rate up from the step counter alone.
 *
 *   warm-up W:   t < W:  rate = lr·(t + 1)/W;  afterwards the schedule below runs on s = t − W
 *   constant:    lr
 *   step:        lr·factor^⌊s/every⌋
 *   exponential: lr·factor^s
 *   cosine:      lr·(floor + (1 − floor)·(1 + cos(π·min(s, steps)/steps))/2)   (stays at lr·floor after `steps`)
 */

/** Kinds of learning-rate schedule. */
export const LR_SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

/** A learning-rate schedule; only the fields of its kind may be present. */
export interface LrScheduleSpec {
  readonly kind: LrScheduleName;
  /** Steps of linear warm-up in front of the schedule (absent or 0: none). */
  readonly warmup?: number;
  /** step: the rate is multiplied by `factor` every this many steps. */
  readonly every?: number;
  /** step: the factor per `every` steps; exponential: the factor per step (both in (0, 1]). */
  readonly factor?: number;
  /** cosine: steps from the base rate down to the floor (after the warm-up). */
  readonly steps?: number;
  /** cosine: the final rate as a share of the base rate, in [0, 1) (absent: 0). */
  readonly floor?: number;
}

/** The fields each schedule kind has besides `kind` and `warmup`, and which of them are required. */
export const LR_SCHEDULE_FIELDS: Readonly<Record<LrScheduleName, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  constant: { required: [], optional: [] },
  step: { required: ['every', 'factor'], optional: [] },
  exponential: { required: ['factor'], optional: [] },
  cosine: { required: ['steps'], optional: ['floor'] },
};

/** The learning rate of update `t` (0 for the first) under `schedule` from the base rate `lr`; no schedule: lr. */
export function scheduledRate(lr: number, schedule: LrScheduleSpec | undefined, t: number): number {
  if (!schedule) return lr;
  const warmup = schedule.warmup ?? 0;
  if (t < warmup) return (lr * (t + 1)) / warmup;
  const s = t - warmup;
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.factor! ** Math.floor(s / schedule.every!);
    case 'exponential':
      return lr * schedule.factor! ** s;
    case 'cosine': {
      const T = schedule.steps!;
      const floor = schedule.floor ?? 0;
      return lr * (floor + ((1 - floor) * (1 + Math.cos((Math.PI * Math.min(s, T)) / T))) / 2);
    }
  }
}

/** Whether the rate changes from step to step (a warm-up or any kind but constant). */
export function isVaryingSchedule(schedule: LrScheduleSpec | undefined): boolean {
  return schedule !== undefined && (schedule.kind !== 'constant' || (schedule.warmup ?? 0) > 0);
}

/** The text form of a schedule without its warm-up: `constant`, `step:EVERY:FACTOR`, `exponential:FACTOR`, `cosine:STEPS[:FLOOR]`. */
export function formatSchedule(s: LrScheduleSpec): string {
  switch (s.kind) {
    case 'constant':
      return 'constant';
    case 'step':
      return `step:${s.every}:${s.factor}`;
    case 'exponential':
      return `exponential:${s.factor}`;
    case 'cosine':
      return s.floor ? `cosine:${s.steps}:${s.floor}` : `cosine:${s.steps}`;
  }
}

/**
 * Parse the text form of formatSchedule (with `exp` for exponential) into a plain object for validation by
 * spec.parseLrSchedule; text that fits no form stays text (so that the message shows what was typed).
 */
export function parseScheduleText(text: string, warmup?: number): unknown {
  const parts = text.trim().split(':');
  const kind = parts[0] === 'exp' ? 'exponential' : parts[0];
  const nums = parts.slice(1).map((p) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(p.trim()) ? Number(p) : p));
  const w = warmup === undefined ? {} : { warmup };
  switch (kind) {
    case 'constant':
      return nums.length === 0 ? { kind, ...w } : text;
    case 'step':
      return nums.length === 2 ? { kind, every: nums[0], factor: nums[1], ...w } : text;
    case 'exponential':
      return nums.length === 1 ? { kind, factor: nums[0], ...w } : text;
    case 'cosine':
      return nums.length === 1 || nums.length === 2 ? { kind, steps: nums[0], ...(nums.length === 2 ? { floor: nums[1] } : {}), ...w } : text;
    default:
      return text;
  }
}

/** What a schedule text may be, for messages. */
export const SCHEDULE_TEXT_FORMS = 'constant, step:EVERY:FACTOR, exponential:FACTOR (or exp:FACTOR), cosine:STEPS or cosine:STEPS:FLOOR';

/**
 * The steps worth drawing of a schedule: its warm-up plus, after it, the cosine's length, four steps of a step
 * decay, the steps an exponential decay takes to 1 % of the rate, or as long again as the warm-up (at least 10 and
 * at most LIMIT steps).
 */
export function scheduleHorizon(s: LrScheduleSpec | undefined, limit = 1_000_000): number {
  const warmup = s?.warmup ?? 0;
  let tail = Math.max(warmup, 10);
  if (s?.kind === 'cosine') tail = s.steps! + Math.ceil(s.steps! / 10);
  else if (s?.kind === 'step') tail = 4 * s.every!;
  else if (s?.kind === 'exponential') tail = s.factor! < 1 ? Math.ceil(Math.log(0.01) / Math.log(s.factor!)) : 100;
  return Math.min(limit, Math.max(10, warmup + tail));
}

/** `points` samples (step, rate) of a schedule from step 0 to its horizon, for a small curve and its table. */
export function scheduleCurve(lr: number, s: LrScheduleSpec | undefined, points: number): { step: number; rate: number }[] {
  const horizon = scheduleHorizon(s);
  return Array.from({ length: points }, (_, i) => {
    const step = Math.round((i * (horizon - 1)) / Math.max(1, points - 1));
    return { step, rate: scheduledRate(lr, s, step) };
  });
}
