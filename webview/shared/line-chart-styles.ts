/**
 * The look shared by the panels' line charts (the causal panel's ACE curves, the trace's per-layer curves):
 * axes, grid, labels and series drawn in `--series`, which each chart sets per series class.
 */
import { css } from 'lit';

export const lineChartStyles = css`
  svg {
    display: block;
    max-width: 100%;
    height: auto;
    overflow: visible;
  }
  .axis,
  .tick line {
    stroke: var(--vscode-charts-lines, var(--vscode-widget-border, #6b6b6b));
    stroke-width: 1;
  }
  .grid {
    stroke: var(--vscode-charts-lines, #6b6b6b);
    stroke-opacity: 0.25;
  }
  text {
    fill: var(--vscode-descriptionForeground, #9d9d9d);
    font-size: 11px;
    font-family: var(--vscode-font-family, sans-serif);
  }
  text.title {
    fill: var(--vscode-foreground, #cccccc);
  }
  polyline,
  .legend line {
    fill: none;
    stroke: var(--series);
    stroke-width: 2;
    stroke-linejoin: round;
  }
  circle {
    fill: var(--series);
    stroke: none;
  }
`;
