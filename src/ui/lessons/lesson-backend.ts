/**
 * Where a lesson trains, as a reactive controller: while the lesson is connected, a training worker of its own
 * (trainer-* commands of trainer-protocol.ts; the page only draws), or the CPU backend in the page where no worker can
 * be started. On disconnect the lesson's trainers are released first (the `release` callback), then the worker or
 * backend goes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Backend } from '../../backend/backend.js';
import { createCpuBackend } from '../../backend/cpu/cpu-backend.js';
import type { TrainerSetup } from '../lab/trainer-protocol.js';
import { startLabWorker } from '../lab/worker-lab.js';
import { LocalLessonTrainer, TrainerChannel, type LessonTrainer, type TrainerSource } from './lesson-trainer.js';

/** A lesson's trainers. Register it after the lesson's loops, so that they stop before it is released. */
export class LessonBackend implements ReactiveController {
  /** The in-page backend while the lesson is connected and no worker could be started, else null. */
  backend: Backend | null = null;
  private channel: TrainerChannel | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly dtype: 'f32' | 'f64',
    private readonly release: () => void,
  ) {
    host.addController(this);
  }

  /** Where the lesson's trainers are made while it is connected (in `dtype` arithmetic), else null. */
  get source(): TrainerSource | null {
    const dtype = this.dtype;
    const withDtype = (setup: TrainerSetup): TrainerSetup => ({ ...setup, schedule: { ...setup.schedule, dtype } });
    if (this.channel) {
      const channel = this.channel;
      return { trainer: (setup): LessonTrainer => channel.trainer(withDtype(setup)) };
    }
    const backend = this.backend;
    return backend ? { trainer: (setup): LessonTrainer => new LocalLessonTrainer(backend, setup) } : null;
  }

  hostConnected(): void {
    if (this.channel || this.backend) return;
    if (typeof Worker === 'function') {
      try {
        this.channel = new TrainerChannel(startLabWorker());
        return;
      } catch (e) {
        console.warn('The training worker could not be started; the lesson trains in the page instead:', e);
      }
    }
    this.backend = createCpuBackend({ dtype: this.dtype });
  }

  hostDisconnected(): void {
    this.release();
    this.channel?.close();
    this.channel = null;
    this.backend?.destroy();
    this.backend = null;
  }
}
