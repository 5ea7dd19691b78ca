/** Styles shared by the lab's control elements: system fonts, compact labelled fields, visible focus. */
import { css } from 'lit';

/** Field, button and focus styles of the control panels. */
export const controlStyles = css`
  :host {
    display: block;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    font-size: 13px;
    color: #1f2328;
  }
  fieldset {
    border: 1px solid #d8dde3;
    border-radius: 8px;
    margin: 0 0 8px;
    padding: 6px 10px 8px;
    background: #fff;
  }
  legend {
    font-weight: 600;
    font-size: 13px;
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
    font-size: 12px;
    color: #57606a;
  }
  input,
  select,
  button {
    font: inherit;
    font-size: 13px;
    color: #1f2328;
    box-sizing: border-box;
    min-width: 0;
  }
  input,
  select {
    border: 1px solid #c9ced6;
    border-radius: 5px;
    padding: 3px 5px;
    background: #fff;
    height: 28px;
  }
  input[aria-invalid='true'] {
    border-color: #d55e00;
    background: #fff4ec;
  }
  button {
    background: #f3f4f6;
    border: 1px solid #c9ced6;
    border-radius: 5px;
    padding: 3px 10px;
    height: 30px;
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    background: #e7e9ed;
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
    color: #57606a;
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
