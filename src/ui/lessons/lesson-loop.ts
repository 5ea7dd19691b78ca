/**
 * The lessons' training loop as a lit ReactiveController: while playing it advances its cohorts a few steps per
 * animation frame within a time budget, and all work on the trainers goes through one queue so that a change of
 * settings never interleaves with a step.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LessonCohort } from './lesson-cohort.js';
import { browserClock, type FrameClock } from './lesson-clock.js';

/** Milliseconds of stepping per animation frame at most. */
export const LOOP_FRAME_MS = 14;

/** Plays cohorts and serialises work on them. */
export class LessonLoop implements ReactiveController {
  /** Whether the loop is running. */
  playing = false;
  /** Steps per chunk between time checks. */
  chunk = 10;
  /** A fixed number of steps per frame (slow motion), or null for as many as the time budget allows. */
  stepsPerFrame: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private frame = 0;
  private cohorts: () => readonly LessonCohort[] = () => [];

  /** `onFrame` runs after every frame's steps (refresh charts there); `onError` when a task fails; `clock` times the frames. */
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onFrame: () => Promise<void> | void = () => undefined,
    private readonly onError: (e: unknown) => void = (e) => console.warn(e),
    private readonly clock: FrameClock = browserClock,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.pause();
  }

  /** Run `fn` after everything queued before it. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch((e: unknown) => {
      this.pause();
      this.onError(e);
    });
    return next;
  }

  /** Start playing the cohorts `cohorts()` returns, until all are done or paused. */
  play(cohorts: () => readonly LessonCohort[]): void {
    this.cohorts = cohorts;
    if (this.playing) return;
    this.playing = true;
    this.host.requestUpdate();
    this.schedule();
  }

  /** Stop after the current frame. */
  pause(): void {
    this.playing = false;
    if (this.frame) this.clock.cancelFrame(this.frame);
    this.frame = 0;
    this.host.requestUpdate();
  }

  /** Resolves when every queued task has run. */
  idle(): Promise<unknown> {
    return this.queue;
  }

  private schedule(): void {
    this.frame = this.clock.requestFrame(() => {
      this.frame = 0;
      void this.exclusive(() => this.tick());
    });
  }

  private async tick(): Promise<void> {
    if (!this.playing) return;
    const start = this.clock.now();
    const active = () => this.cohorts().filter((c) => !c.done);
    if (this.stepsPerFrame !== null) {
      for (const c of active()) await c.advance(this.stepsPerFrame);
    } else {
      while (this.clock.now() - start < LOOP_FRAME_MS && active().length > 0) {
        for (const c of active()) await c.advance(this.chunk);
      }
    }
    await this.onFrame();
    if (active().length === 0) this.playing = false;
    this.host.requestUpdate();
    if (this.playing) this.schedule();
  }
}
