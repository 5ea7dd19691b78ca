/** Styles of lesson 4: the code listing with the current phase highlighted, phase chips, small matrices. */
import { css } from 'lit';

/** Phase colours (Okabe–Ito) on the code lines and the chips. */
export const twoLayerStyles = css`
  .code {
    margin: 0;
    padding: 0.6em 0.8em;
    background: #f6f8fa;
    border: 1px solid #d8dde3;
    border-radius: 8px;
    font-size: 0.78em;
    line-height: 1.45;
    overflow-x: auto;
  }
  .output {
    margin: 0.3em 0;
    padding: 0.5em 0.8em;
    background: #1f2328;
    color: #f6f8fa;
    border-radius: 8px;
    font-size: 0.8em;
    overflow-x: auto;
    white-space: pre;
  }
  .equations {
    font-size: 0.9em;
    min-width: 0;
    overflow-x: auto;
  }
  .eq {
    padding: 0 0.3em;
    border-left: 4px solid transparent;
  }
  .eq math {
    math-style: normal;
    margin: 0.2em 0;
  }
  .eq.on.forward {
    background: #dcecf7;
    border-color: #0072b2;
  }
  .eq.on.loss {
    background: #fbefd6;
    border-color: #e69f00;
  }
  .eq.on.backward {
    background: #fbe3d6;
    border-color: #d55e00;
  }
  .eq.on.update {
    background: #d8efe7;
    border-color: #009e73;
  }
  caption {
    text-align: left;
    font-size: 0.85em;
    color: var(--lesson-muted, #57606a);
  }
  .recipe li {
    margin: 0.3em 0;
  }
  .line {
    display: block;
    padding: 0 0.3em;
    border-left: 4px solid transparent;
  }
  .line.on {
    font-weight: 700;
  }
  .line.on.forward,
  .chip.on.forward {
    background: #dcecf7;
    border-color: #0072b2;
  }
  .line.on.loss,
  .chip.on.loss {
    background: #fbefd6;
    border-color: #e69f00;
  }
  .line.on.backward,
  .chip.on.backward {
    background: #fbe3d6;
    border-color: #d55e00;
  }
  .line.on.update,
  .chip.on.update {
    background: #d8efe7;
    border-color: #009e73;
  }
  .phases {
    display: flex;
    gap: 0.4em;
    margin: 0.3em 0;
  }
  .chip {
    border: 2px solid #c9ced6;
    border-radius: 999px;
    padding: 0 0.7em;
    font-size: 0.85em;
  }
  .mat {
    display: inline-flex;
    gap: 0.3em;
    align-items: center;
    font-size: 0.85em;
  }
  .mat table td {
    border: none;
    padding: 0 0.4em;
  }
  .charts {
    display: grid;
    gap: 0.5em;
  }
  .hints li {
    margin: 0.3em 0;
  }
  .hints details {
    display: inline-block;
    vertical-align: top;
  }
`;
