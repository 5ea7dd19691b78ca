/**
 * The benchmark run behind the page, as a reactive controller: creates the CPU and WebGPU backends
 * (selectBackend), caps GPU sizes on a software adapter, runs the plan yielding to the event loop between
 * repetitions, reports progress and points as they finish, and cancels on request.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend } from '../../backend/backend.js';
import { selectBackend } from '../../backend/select.js';
import { gpuLimits, makePlan, type BenchRequest } from '../../bench/plan.js';
import type { BenchEnvironment, BenchPoint, BenchReport, SkippedPoint } from '../../bench/report.js';
import { runBenchPlan } from '../../bench/runner.js';
import type { PageBackend } from './bench-settings.js';

/** Where a run is. */
export type RunPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** The browser a benchmark runs in. */
export function browserEnvironment(): BenchEnvironment {
  const ua = navigator.userAgent;
  const m = /(Edg|Chrome|Firefox|Version)\/([\d.]+)/.exec(ua);
  const name = m ? (m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1]!) : 'browser';
  return {
    runtime: 'browser',
    version: m ? `${name} ${m[2]}` : ua,
    userAgent: ua,
    platform: (navigator as { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform,
    cpuThreads: navigator.hardwareConcurrency ?? 1,
  };
}

/** Resolves in a fresh task (a MessageChannel message, not clamped like nested timers), so the page can paint. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Runs benchmarks for a host element and keeps their state. */
export class BenchRunController implements ReactiveController {
  phase: RunPhase = 'idle';
  done = 0;
  total = 0;
  /** What runs now. */
  current = '';
  points: BenchPoint[] = [];
  skipped: SkippedPoint[] = [];
  report: BenchReport | null = null;
  /** Notes about the backends (WebGPU missing, software adapter capped). */
  notes: string[] = [];
  error = '';
  private abort: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  /** Stop the run after the current repetition. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Run a request on the chosen backends. */
  async start(request: BenchRequest, kinds: readonly PageBackend[], allowLarge: boolean): Promise<void> {
    if (this.phase === 'running') return;
    const abort = new AbortController();
    this.abort = abort;
    Object.assign(this, { phase: 'running', done: 0, total: 0, current: 'starting backends…', points: [], skipped: [], report: null, notes: [], error: '' });
    this.host.requestUpdate();
    const backends: Backend[] = [];
    try {
      let limits = request.limits;
      for (const kind of kinds) {
        try {
          const { backend } = await selectBackend(kind, { dtype: 'f32', gpu: navigator.gpu });
          backends.push(backend);
          const software = backend.info.adapter?.isFallbackAdapter === true;
          if (kind === 'webgpu') {
            limits = gpuLimits(limits, software, allowLarge);
            if (software && !allowLarge) this.notes.push(`${backend.info.description} is a software adapter: GPU sizes above ${limits.maxGpuMatmulSize} are skipped (tick "large GPU sizes" to run them).`);
          }
        } catch (e) {
          this.notes.push(`${kind === 'webgpu' ? 'WebGPU' : 'CPU'} backend unavailable: ${(e as Error).message}`);
        }
      }
      if (backends.length === 0) throw new Error('no backend could start');
      const report = await runBenchPlan(makePlan(request, limits), backends, browserEnvironment(), {
        signal: abort.signal,
        pause: yieldToEventLoop,
        onProgress: (done, total, label) => {
          Object.assign(this, { done, total, current: label });
          this.host.requestUpdate();
        },
        onPoint: (p) => {
          this.points = [...this.points, p];
          this.host.requestUpdate();
        },
      });
      this.report = report;
      this.skipped = [...report.skipped];
      this.phase = report.cancelled ? 'cancelled' : 'done';
      if (backends.some((b) => b.info.kind === 'webgpu')) {
        this.notes.push(report.backends.find((b) => b.kind === 'webgpu')?.timing ?? '');
      }
    } catch (e) {
      this.error = (e as Error).message;
      this.phase = 'failed';
    } finally {
      for (const b of backends) b.destroy();
      this.abort = null;
      this.host.requestUpdate();
    }
  }
}
