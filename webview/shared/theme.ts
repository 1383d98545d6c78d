/** Base styles shared by the apps' elements: everything themed with VS Code's --vscode-* variables. */
import { css, unsafeCSS } from 'lit';
import { categoryCssRules } from '../../extension/shared/webview/colours';

export const baseStyles = css`
  :host {
    /* warning-coloured text: the theme's warning colour toward the text colour, so it keeps 4.5:1 where the
       warning colour alone does not (Light Modern's #bf8803 on white is 3.1:1) */
    --gd-warning-text: color-mix(in srgb, var(--vscode-editorWarning-foreground, #cca700) 60%, var(--vscode-foreground, #cccccc));
    display: block;
    color: var(--vscode-foreground, #cccccc);
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    font-size: var(--vscode-font-size, 13px);
    font-weight: var(--vscode-font-weight, normal);
  }
  *:focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: -1px;
  }
  .muted {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .error {
    color: var(--vscode-errorForeground, #f48771);
    background: var(--vscode-inputValidation-errorBackground, transparent);
    border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground, #f48771));
    padding: 4px 8px;
  }
  /* a spinner with its message, shown while a view loads */
  .waiting,
  .loading {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  h1,
  h2,
  h3 {
    font-weight: 600;
    margin: 0;
  }
  h1 {
    font-size: 1.3em;
  }
  h2 {
    font-size: 1.1em;
  }
  h3 {
    font-size: 1em;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
  }
  .spacer {
    flex: 1;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .num {
    font-variant-numeric: tabular-nums;
    text-align: right;
  }
`;

/** The frame of a panel app: its padding and the header row of facts and actions. */
export const panelStyles = css`
  :host {
    padding: 8px 4px 16px;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 16px;
  }
`;

/** Framed figures holding an image and its heatmap side by side (unit heatmaps, insertion context). */
export const imagePairStyles = css`
  figure {
    margin: 0;
    padding: 5px;
    background: var(--vscode-editorWidget-background, #252526);
    border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
    border-radius: 4px;
  }
  .pair {
    display: flex;
    gap: 4px;
  }
`;

/**
 * `--cat` is the category colour (colours.ts, VS Code's chart colours) on any element with a category class
 * (`categoryClass`): fill for SVG bars, background for dots.
 */
export const categoryStyles = css`
  ${unsafeCSS(categoryCssRules())}
  rect.bar {
    fill: var(--cat);
  }
  .dot {
    display: inline-block;
    width: 0.7em;
    height: 0.7em;
    border-radius: 50%;
    margin-right: 0.35em;
    background: var(--cat);
    vertical-align: baseline;
  }
`;
