/**
 * The styles of an embedded lab: the page theme's custom properties (index.html sets them on the page's root; an
 * embed sets them on its own lab, so a course page's styles neither need them nor are touched by them).
 */
import { css } from 'lit';

/** Theme properties (light, dark when the system prefers it, projector) and the embed's box. */
export const embedStyles = css`
  :host {
    display: block;
    height: 640px;
    max-width: 100%;
    /* The lab's fixed-position parts (notices, the phone drawer) stay inside the embed's box. */
    contain: layout paint;
    border: 1px solid #d8dde3;
    border-radius: 6px;
  }
  bp-app {
    height: 100%;
    color-scheme: light;
    --bp-ink: #1f2328;
    --bp-muted: #57606a;
    --bp-grid: #e3e6ea;
    --bp-border: #d8dde3;
    --bp-control-border: #c9ced6;
    --bp-page-bg: #f6f7f9;
    --bp-card-bg: #ffffff;
    --bp-button-bg: #f3f4f6;
    --bp-button-hover: #e7e9ed;
    --bp-link: #0b5cad;
    --bp-band-fill: rgba(120, 120, 120, 0.13);
    --bp-line-scale: 1;
    --bp-font-scale: 1;
  }
  bp-app:focus-visible {
    outline: 3px solid #e69f00;
    outline-offset: -3px;
  }
  @media (prefers-color-scheme: dark) {
    bp-app:not([data-theme='projector']) {
      color-scheme: dark;
      --bp-ink: #e6edf3;
      --bp-muted: #9da7b3;
      --bp-grid: #30363d;
      --bp-border: #3d444d;
      --bp-control-border: #545d68;
      --bp-page-bg: #0d1117;
      --bp-card-bg: #161b22;
      --bp-button-bg: #21262d;
      --bp-button-hover: #30363d;
      --bp-link: #6cb6ff;
      --bp-band-fill: rgba(200, 200, 200, 0.14);
    }
  }
  bp-app[data-theme='projector'] {
    --bp-ink: #000000;
    --bp-muted: #1f2328;
    --bp-grid: #b8bec6;
    --bp-border: #6e7781;
    --bp-control-border: #57606a;
    --bp-page-bg: #ffffff;
    --bp-card-bg: #ffffff;
    --bp-band-fill: rgba(90, 90, 90, 0.18);
    --bp-line-scale: 1.8;
    --bp-font-scale: 1.25;
  }
`;
