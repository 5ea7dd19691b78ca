/**
 * The CPU backend a lesson trains on, as a reactive controller: created when the lesson is connected, and on
 * disconnect the lesson's trainers are released first (the `release` callback), then the backend destroyed.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend } from '../../backend/backend.js';
import { createCpuBackend } from '../../backend/cpu/cpu-backend.js';

/** A lesson's own CPU backend. Register it after the lesson's loops, so that they stop before it is released. */
export class LessonBackend implements ReactiveController {
  /** The backend while the lesson is connected, else null. */
  backend: Backend | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly dtype: 'f32' | 'f64',
    private readonly release: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.backend ??= createCpuBackend({ dtype: this.dtype });
  }

  hostDisconnected(): void {
    this.release();
    this.backend?.destroy();
    this.backend = null;
  }
}
