/** Styles shared by the lab's control elements: system fonts, compact labelled fields, visible focus. */
import { css } from 'lit';

/** Field, button and focus styles of the control panels. */
export const controlStyles = css`
  :host {
    display: block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    font-size: calc(13px * var(--bp-font-scale, 1));
    color: var(--bp-ink, #1f2328);
  }
  fieldset {
    border: 1px solid var(--bp-border, #d8dde3);
    border-radius: 8px;
    margin: 0 0 8px;
    padding: 6px 10px 8px;
    background: var(--bp-card-bg, #fff);
  }
  legend {
    font-weight: 600;
    font-size: calc(13px * var(--bp-font-scale, 1));
    padding: 0 4px;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 6px 10px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: calc(12px * var(--bp-font-scale, 1));
    color: var(--bp-muted, #57606a);
  }
  input,
  select,
  button {
    font: inherit;
    font-size: calc(13px * var(--bp-font-scale, 1));
    color: var(--bp-ink, #1f2328);
    box-sizing: border-box;
    min-width: 0;
  }
  input,
  select {
    border: 1px solid var(--bp-control-border, #c9ced6);
    border-radius: 5px;
    padding: 3px 5px;
    background: var(--bp-card-bg, #fff);
    height: calc(28px * var(--bp-font-scale, 1));
  }
  input[aria-invalid='true'] {
    border-color: #d55e00;
    background: #fff4ec;
  }
  button {
    background: var(--bp-button-bg, #f3f4f6);
    border: 1px solid var(--bp-control-border, #c9ced6);
    border-radius: 5px;
    padding: 3px 10px;
    height: calc(30px * var(--bp-font-scale, 1));
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    background: var(--bp-button-hover, #e7e9ed);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button.primary {
    background: #0072b2;
    border-color: #005a8c;
    color: #fff;
    font-weight: 600;
  }
  button.primary:hover:not(:disabled) {
    background: #005a8c;
  }
  :focus-visible {
    outline: 3px solid #e69f00;
    outline-offset: 1px;
  }
  .row {
    display: flex;
    gap: 6px;
    align-items: end;
    flex-wrap: wrap;
  }
  .muted {
    color: var(--bp-muted, #57606a);
  }
`;

/** Read a number input: its value as a number, or the raw text when it is not one (for the error message). */
export function inputNumber(e: Event): number | string {
  const el = e.target as HTMLInputElement;
  const v = el.value.trim();
  return v !== '' && Number.isFinite(Number(v)) ? Number(v) : el.value;
}

/** Read a select's or input's text value. */
export function inputText(e: Event): string {
  return (e.target as HTMLInputElement | HTMLSelectElement).value;
}
