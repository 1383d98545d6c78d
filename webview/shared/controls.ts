/**
 * Native form controls (select, number and range inputs, radios) themed like VS Code's, for the controls the
 * component toolkit lacks or makes awkward (sliders, compact numbers). Native controls keep keyboard access.
 */
import { css } from 'lit';

export const controlStyles = css`
  select,
  input[type='number'],
  input[type='search'],
  input[type='text'] {
    font: inherit;
    color: var(--vscode-input-foreground, #cccccc);
    background: var(--vscode-input-background, #3c3c3c);
    border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, #3c3c3c));
    border-radius: 2px;
    padding: 3px 6px;
    min-height: 26px;
    box-sizing: border-box;
  }
  select {
    color: var(--vscode-dropdown-foreground, var(--vscode-input-foreground, #cccccc));
    background: var(--vscode-dropdown-background, var(--vscode-input-background, #3c3c3c));
  }
  input[type='number'] {
    width: 5em;
  }
  select:focus,
  input:focus {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: -1px;
  }
  input[type='range'] {
    accent-color: var(--vscode-button-background, #0e639c);
    vertical-align: middle;
  }
  input[type='radio'],
  input[type='checkbox'] {
    accent-color: var(--vscode-button-background, #0e639c);
    margin: 0 4px 0 0;
    vertical-align: middle;
  }
  fieldset {
    border: none;
    margin: 0;
    padding: 0;
    display: inline-flex;
    align-items: center;
    gap: 10px;
  }
  legend {
    float: left;
    margin-right: 8px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  label.field {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  label.field > span:first-child {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
`;
