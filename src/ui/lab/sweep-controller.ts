/**
 * The depth sweep of the lab as a lit ReactiveController: runs src/train/depth-sweep.ts one point (one pair at
 * one depth) at a time on a CPU backend of its own, yielding to the page between points, with progress and
 * cancel. Depths go outermost, so every pair's curve grows together.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { createCpuBackend } from '../../backend/cpu/cpu-backend.js';
import type { HiddenActivation } from '../../core/activations.js';
import type { Dataset } from '../../core/datasets.js';
import { LAB_LIMITS } from '../../core/lab-spec.js';
import type { InitName } from '../../core/spec.js';
import { depthSweep, type SweepPoint } from '../../train/depth-sweep.js';

/** One curve of the sweep: an activation/init pair (with its gain), as the chart labels and colours it. */
export interface SweepSeries {
  /** Identifies the curve ("relu|he|1"). */
  readonly key: string;
  readonly activation: HiddenActivation;
  readonly init: InitName;
  readonly gain: number;
  readonly label: string;
  readonly color: string;
}

/** A measured point of one curve. */
export interface SweepResult {
  readonly key: string;
  readonly point: SweepPoint;
}

/** What to sweep. */
export interface SweepRequest {
  readonly series: readonly SweepSeries[];
  readonly depths: readonly number[];
  readonly width: number;
  readonly data: Dataset;
  readonly seeds: readonly number[];
}

/** Most depths in one sweep. */
export const MAX_SWEEP_DEPTHS = 12;

/** The default depths of the sweep. */
export const DEFAULT_SWEEP_DEPTHS: readonly number[] = [1, 2, 5, 10, 20, 50];

/** Parse "1,2,5,10" into depths (whole numbers from 1 to the lab's maximum, at most MAX_SWEEP_DEPTHS, sorted, distinct); an error text otherwise. */
export function parseDepths(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const allowed = `whole numbers from 1 to ${LAB_LIMITS.maxDepth}, comma-separated, at most ${MAX_SWEEP_DEPTHS}`;
  if (parts.length === 0) return `depths: nothing given; expected ${allowed}`;
  const out = new Set<number>();
  for (const p of parts) {
    const v = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!(v >= 1 && v <= LAB_LIMITS.maxDepth)) return `depths: ${JSON.stringify(p.slice(0, 20))} is not allowed; expected ${allowed}`;
    out.add(v);
  }
  if (out.size > MAX_SWEEP_DEPTHS) return `depths: ${out.size} depths is too many; expected ${allowed}`;
  return [...out].sort((a, b) => a - b);
}

/** Runs depth sweeps for a host element; one at a time (a new one cancels the old). */
export class SweepController implements ReactiveController {
  running = false;
  done = 0;
  total = 0;
  results: SweepResult[] = [];
  error: string | null = null;
  /** Why the last sweep ended early ("cancelled"), or null. */
  stopped: string | null = null;
  private token = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  /** Stop the running sweep after the point in progress. */
  cancel(): void {
    if (!this.running) return;
    this.token++;
    this.stopped = 'cancelled';
    this.running = false;
    this.host.requestUpdate();
  }

  /** Run a sweep, replacing the previous results; resolves when it ends (finished, cancelled or failed). */
  async run(req: SweepRequest): Promise<void> {
    const token = ++this.token;
    Object.assign(this, { running: true, done: 0, total: req.series.length * req.depths.length, results: [], error: null, stopped: null });
    this.host.requestUpdate();
    const backend = createCpuBackend({ dtype: 'f64' });
    try {
      for (const depth of req.depths) {
        for (const s of req.series) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (token !== this.token) return;
          const pair = { activation: s.activation, init: s.init };
          const [point] = await depthSweep(backend, { pairs: [pair], depths: [depth], width: req.width, data: req.data, seeds: req.seeds, gain: s.gain });
          if (token !== this.token) return;
          this.results = [...this.results, { key: s.key, point: point! }];
          this.done++;
          this.host.requestUpdate();
        }
      }
    } catch (e) {
      if (token === this.token) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      backend.destroy();
      if (token === this.token) this.running = false;
      this.host.requestUpdate();
    }
  }
}
