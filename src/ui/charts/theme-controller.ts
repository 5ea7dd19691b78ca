/**
 * A reactive controller that gives a chart the page theme (chart-theme's ChartTheme) and asks it to redraw
 * when the theme changes: the system's light/dark preference or a `data-theme` attribute (the page's root, or an
 * embedded lab's element).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { readChartTheme, type ChartTheme } from './chart-theme.js';

/** The page theme for one chart element, read once per change. */
export class ThemeController implements ReactiveController {
  private cached: ChartTheme | null = null;
  private media: MediaQueryList | null = null;
  private observer: MutationObserver | null = null;
  private readonly changed = (): void => {
    this.cached = null;
    this.host.requestUpdate();
    this.redraw();
  };

  /** `redraw` repaints the host's chart (a theme change alters no property, so `updated` sees nothing). */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly redraw: () => void,
  ) {
    host.addController(this);
  }

  /** The theme in force at the host now. */
  get value(): ChartTheme {
    return (this.cached ??= readChartTheme(this.host));
  }

  hostConnected(): void {
    this.cached = null;
    this.media = matchMedia('(prefers-color-scheme: dark)');
    this.media.addEventListener('change', this.changed);
    this.observer = new MutationObserver(this.changed);
    // The page's root, and every shadow host above the chart (an embedded lab carries its theme on its own element).
    for (let el: Element | undefined = this.host; el; el = (el.getRootNode() as Partial<ShadowRoot>).host) {
      this.observer.observe(el, { attributes: true, attributeFilter: ['data-theme'] });
    }
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  hostDisconnected(): void {
    this.media?.removeEventListener('change', this.changed);
    this.observer?.disconnect();
    this.media = null;
    this.observer = null;
  }
}
