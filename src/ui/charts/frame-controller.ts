/**
 * A reactive controller for charts that draw into a box: it watches the box's width (ResizeObserver) and runs
 * the host's draw at most once per animation frame however often data arrives.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Draw-once-per-frame and resize tracking for one chart element. */
export class FrameController implements ReactiveController {
  /** Content width of the observed box in CSS pixels (0 until first measured). */
  width = 0;
  private frame = 0;
  private observer: ResizeObserver | null = null;
  private observed: Element | null = null;

  /** `target` returns the box to measure (in the host's render root); `draw` paints the chart. */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly target: () => Element | null,
    private readonly draw: () => void,
  ) {
    host.addController(this);
  }

  /** Ask for a draw in the next animation frame (coalesced). */
  request(): void {
    if (this.frame !== 0 || !this.host.isConnected) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.host.isConnected) this.draw();
    });
  }

  hostConnected(): void {
    this.observer ??= new ResizeObserver((entries) => {
      const w = Math.floor(entries[entries.length - 1]!.contentRect.width);
      if (w !== this.width) {
        this.width = w;
        this.request();
      }
    });
    this.observed = null;
  }

  hostUpdated(): void {
    const el = this.target();
    if (el && el !== this.observed) {
      if (this.observed) this.observer?.unobserve(this.observed);
      this.observer?.observe(el);
      this.observed = el;
      this.width = Math.floor(el.getBoundingClientRect().width);
    }
  }

  hostDisconnected(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.observer?.disconnect();
    this.observed = null;
  }
}
