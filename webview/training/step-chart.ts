/**
 * <gd-step-chart>: one figure of a layer over the training steps as an SVG line chart (steps on a linear
 * axis, 0 at the bottom). Each point is a circle carrying `data-step` and `data-value` with a tooltip;
 * themed with --vscode-* variables (the line in the charts' blue).
 */
import { LitElement, css, html, svg } from 'lit';
import { baseStyles } from '../shared/theme';
import type { StepPoint } from './series';

const W = 320;
const H = 150;
const M = { left: 44, right: 14, top: 12, bottom: 26 };

/** Steps as the axis shows them: 12000 → "12k", 1500000 → "1.5M". */
export function fmtStep(step: number): string {
  if (step >= 1e6) return `${Number((step / 1e6).toPrecision(3))}M`;
  if (step >= 1e4) return `${Number((step / 1e3).toPrecision(3))}k`;
  return String(step);
}

export class StepChart extends LitElement {
  static override properties = {
    points: { attribute: false },
    caption: {},
    name: {},
    max: { attribute: false },
    format: { attribute: false },
  };

  declare points: StepPoint[];
  declare caption: string;
  /** What the chart shows, for `data-chart` (tests, styling). */
  declare name: string;
  /** The top of the value axis at least (the units of the layer, 1 for an IoU); the data's maximum when larger. */
  declare max: number | undefined;
  declare format: (v: number) => string;

  constructor() {
    super();
    this.points = [];
    this.caption = '';
    this.name = '';
    this.max = undefined;
    this.format = (v) => String(v);
  }

  static override styles = [
    baseStyles,
    css`
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        margin-bottom: 4px;
      }
      svg {
        display: block;
        width: 100%;
        max-width: 520px;
        height: auto;
      }
      text {
        fill: var(--vscode-descriptionForeground, #9d9d9d);
        font-family: var(--vscode-font-family, sans-serif);
        font-size: 10px;
      }
      line.axis,
      line.grid {
        stroke: var(--vscode-editorWidget-border, var(--vscode-widget-border, #555));
      }
      line.grid {
        stroke-dasharray: 2 3;
      }
      polyline.line {
        fill: none;
        stroke: var(--vscode-charts-blue, #3794ff);
        stroke-width: 2;
      }
      circle.point {
        fill: var(--vscode-charts-blue, #3794ff);
        stroke: var(--vscode-editor-background, #1e1e1e);
        stroke-width: 1;
      }
      circle.point:hover {
        stroke: var(--vscode-focusBorder, #007fd4);
        stroke-width: 2;
      }
      .empty {
        margin: 8px 0;
      }
    `,
  ];

  override render() {
    const pts = this.points;
    const caption = html`<figcaption>${this.caption}</figcaption>`;
    if (pts.length === 0) return html`<figure data-chart=${this.name}>${caption}<p class="muted empty">No checkpoint dissected yet.</p></figure>`;
    const steps = pts.map((p) => p.step);
    const lo = Math.min(...steps);
    const hi = Math.max(...steps);
    const top = Math.max(this.max ?? 0, ...pts.map((p) => p.value)) || 1;
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const x = (s: number) => M.left + (hi === lo ? pw / 2 : ((s - lo) / (hi - lo)) * pw);
    const y = (v: number) => M.top + ph - (v / top) * ph;
    const ticks = [0, top / 2, top];
    const xTicks = hi === lo ? [lo] : pts.length > 2 ? [lo, steps[Math.floor((pts.length - 1) / 2)], hi] : [lo, hi];
    return html`<figure data-chart=${this.name}>
      ${caption}
      <svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img" aria-label="${this.caption} by training step">
        ${ticks.map(
          (t) => svg`<line class=${t === 0 ? 'axis' : 'grid'} x1=${M.left} x2=${W - M.right} y1=${y(t)} y2=${y(t)}></line>
            <text x=${M.left - 6} y=${y(t) + 3} text-anchor="end">${this.format(t)}</text>`,
        )}
        ${xTicks.map((s) => svg`<text class="step" x=${x(s)} y=${H - 8} text-anchor="middle">${fmtStep(s)}</text>`)}
        <polyline class="line" points=${pts.map((p) => `${x(p.step)},${y(p.value)}`).join(' ')}></polyline>
        ${pts.map(
          (p) => svg`<circle class="point" data-step=${p.step} data-value=${p.value} cx=${x(p.step)} cy=${y(p.value)} r="3.5">
            <title>step ${p.step}: ${this.format(p.value)}</title>
          </circle>`,
        )}
      </svg>
    </figure>`;
  }
}

customElements.define('gd-step-chart', StepChart);

declare global {
  interface HTMLElementTagNameMap {
    'gd-step-chart': StepChart;
  }
}
