/**
 * The lab's animation-frame loop as a lit ReactiveController: while playing it runs one frame task per animation
 * frame of its clock (the next frame is requested once the task settles), and it pauses while the page is hidden,
 * playing on when the page is shown again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LabClock } from './lab-clock.js';

/** What the loop drives: the frame task, and play/pause as the page's visibility asks. */
export interface FrameLoopHooks {
  /** One frame of work; a rejection only ends that frame (whoever queued the work reports it). */
  frame(): Promise<unknown>;
  play(): void;
  pause(): void;
}

/** Runs a frame task once per animation frame while playing; pauses while the page is hidden. */
export class FrameLoop implements ReactiveController {
  /** Whether frames are being run. */
  playing = false;
  /** Id of the requested frame, 0 when none is. */
  private requested = 0;
  /** Whether a frame task is in progress (the next frame is requested when it settles). */
  private running = false;
  private resumeOnVisible = false;
  private readonly onVisibility = () => this.visibilityChanged();

  constructor(
    host: ReactiveControllerHost,
    private readonly hooks: FrameLoopHooks,
    private readonly clock: Pick<LabClock, 'requestFrame' | 'cancelFrame'>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Start running frames. */
  start(): void {
    this.playing = true;
    this.schedule();
  }

  /** Stop: the requested frame is cancelled, a frame in progress finishes. */
  stop(): void {
    this.playing = false;
    if (this.requested) this.clock.cancelFrame(this.requested);
    this.requested = 0;
  }

  private schedule(): void {
    if (!this.playing || this.requested || this.running) return;
    this.requested = this.clock.requestFrame(() => {
      this.requested = 0;
      this.running = true;
      void this.hooks
        .frame()
        .catch(() => undefined)
        .finally(() => {
          this.running = false;
          this.schedule();
        });
    });
  }

  private visibilityChanged(): void {
    if (document.hidden && this.playing) {
      this.resumeOnVisible = true;
      this.hooks.pause();
    } else if (!document.hidden && this.resumeOnVisible) {
      this.resumeOnVisible = false;
      this.hooks.play();
    }
  }
}
