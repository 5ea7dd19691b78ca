/**
 * Styles shared by the lesson elements: readable text at classroom size, steps as cards, figures, buttons and
 * fields. Sizes and colours come from custom properties that the lessons app changes for presenter mode.
 */
import { css } from 'lit';

/** Base lesson styles (text, steps, figures, controls). */
export const lessonStyles = css`
  :host {
    display: block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    font-size: var(--lesson-font, 17px);
    line-height: 1.5;
    color: var(--lesson-ink, #1f2328);
  }
  h2 {
    font-size: 1.6em;
    margin: 0 0 0.4em;
    line-height: 1.2;
  }
  h3 {
    font-size: 1.15em;
    margin: 0 0 0.4em;
  }
  p,
  li {
    max-width: 48em;
  }
  p {
    margin: 0.4em 0 0.7em;
  }
  section.step {
    background: var(--lesson-card, #fff);
    border: var(--lesson-border, 1px solid #d8dde3);
    border-radius: 10px;
    padding: 0.8em 1.1em;
    margin: 0 0 1em;
    scroll-margin-top: 12px;
  }
  section.step.current {
    outline: 4px solid var(--lesson-accent, #0072b2);
  }
  :host([presenting]) section.step:not(.current) {
    opacity: 0.35;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6em 1.2em;
    align-items: flex-end;
  }
  .cols {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 22em), 1fr));
    gap: 1em;
    align-items: start;
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 2px;
    font-size: 0.85em;
    color: var(--lesson-muted, #57606a);
  }
  input,
  select,
  button {
    font: inherit;
    font-size: 0.95em;
    color: var(--lesson-ink, #1f2328);
  }
  input,
  select {
    border: 1px solid #8c959f;
    border-radius: 5px;
    padding: 2px 6px;
    background: #fff;
    min-height: 1.9em;
  }
  input[type='number'] {
    width: 6.5em;
  }
  input[type='range'] {
    padding: 0;
    border: none;
    background: none;
    width: 12em;
  }
  button,
  a.button {
    display: inline-block;
    background: #f3f4f6;
    border: 1px solid #8c959f;
    border-radius: 6px;
    padding: 0.25em 0.8em;
    cursor: pointer;
    text-decoration: none;
    color: var(--lesson-ink, #1f2328);
    font-size: 0.95em;
  }
  button.primary,
  a.button.primary {
    background: #0072b2;
    border-color: #005a8c;
    color: #fff;
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  :focus-visible {
    outline: 3px solid #e69f00;
    outline-offset: 1px;
  }
  .num {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace;
    font-variant-numeric: tabular-nums;
  }
  .muted {
    color: var(--lesson-muted, #57606a);
  }
  .note {
    border-left: 4px solid var(--lesson-accent, #0072b2);
    padding: 0.2em 0.8em;
    background: var(--lesson-note, #eef5fb);
    border-radius: 0 6px 6px 0;
  }
  .warn {
    border-left-color: #d55e00;
    background: #fff4ec;
  }
  table {
    border-collapse: collapse;
  }
  th,
  td {
    padding: 0.15em 0.7em;
    border-bottom: 1px solid #e3e6ea;
    text-align: right;
  }
  th {
    font-weight: 600;
  }
  canvas {
    display: block;
    max-width: 100%;
  }
`;
