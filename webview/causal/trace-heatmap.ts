/**
 * <gd-trace-heatmap>: the trace's effect on the last layer over the insertion locations (the paper's Fig. 17):
 * one cell per grid location, its opacity the mean normalised change of the last layer when inserting there
 * (relative to the largest), and a dot whose area is the share of samples where the concept appeared. Cells
 * carry `data-location`, `data-value` and `data-share`.
 */
import { LitElement, css, html, svg } from 'lit';
import { baseStyles } from '../shared/theme';

const CELL = 28;
const LEGEND = [0, 0.25, 0.5, 0.75, 1];

export class TraceHeatmap extends LitElement {
  static override properties = {
    grid: { attribute: false },
    values: { attribute: false },
    share: { attribute: false },
    concept: { type: String },
    layer: { type: String },
  };

  declare grid: [number, number];
  declare values: number[];
  declare share: number[];
  declare concept: string;
  declare layer: string;

  constructor() {
    super();
    this.grid = [0, 0];
    this.values = [];
    this.share = [];
    this.concept = '';
    this.layer = '';
  }

  static override styles = [
    baseStyles,
    css`
      .wrap {
        display: flex;
        gap: 12px;
        align-items: flex-start;
        flex-wrap: wrap;
      }
      svg {
        display: block;
        overflow: visible;
      }
      rect.cell,
      rect.swatch {
        fill: var(--vscode-charts-orange, #d18616);
        stroke: var(--vscode-charts-lines, var(--vscode-widget-border, #6b6b6b));
        stroke-opacity: 0.35;
        stroke-width: 1;
      }
      circle.seen {
        fill: var(--vscode-foreground, #cccccc);
        stroke: var(--vscode-editor-background, #1e1e1e);
        stroke-width: 1;
      }
      text {
        fill: var(--vscode-descriptionForeground, #9d9d9d);
        font-size: 11px;
        font-family: var(--vscode-font-family, sans-serif);
      }
      .legend {
        display: flex;
        flex-direction: column;
        gap: 6px;
        max-width: 260px;
      }
    `,
  ];

  override render() {
    const [gh, gw] = this.grid ?? [0, 0];
    const values = this.values ?? [];
    if (gh * gw === 0 || values.length !== gh * gw) return html`<p class="muted">No heatmap.</p>`;
    const max = Math.max(0, ...values);
    const opacity = (v: number) => (max > 0 ? Math.max(0, v) / max : 0);
    const share = this.share ?? [];
    const rMax = CELL / 2 - 4;
    return html`<div class="wrap">
      <svg class="grid" viewBox="0 0 ${gw * CELL} ${gh * CELL}" width=${gw * CELL} height=${gh * CELL} role="img"
        aria-label="Change of ${this.layer} per insertion location of ${this.concept}, ${gh} by ${gw}">
        ${values.map((v, g) => {
          const cx = (g % gw) * CELL;
          const cy = Math.floor(g / gw) * CELL;
          const s = share[g] ?? 0;
          return svg`<g class="location">
            <rect class="cell" data-location=${g} data-value=${String(v)} data-share=${String(s)} x=${cx} y=${cy} width=${CELL} height=${CELL}
              fill-opacity=${opacity(v).toFixed(3)}><title>location ${g} (row ${Math.floor(g / gw) + 1}, column ${(g % gw) + 1}): change of ${this.layer} ${v.toPrecision(3)}; ${this.concept} appeared in ${Math.round(s * 100)}% of samples</title></rect>
            ${s > 0 ? svg`<circle class="seen" cx=${cx + CELL / 2} cy=${cy + CELL / 2} r=${(Math.sqrt(Math.min(1, s)) * rMax).toFixed(2)}></circle>` : ''}
          </g>`;
        })}
      </svg>
      <div class="legend muted">
        <svg viewBox="0 0 ${LEGEND.length * 40} 30" width=${LEGEND.length * 40} height="30" role="img" aria-label="Colour scale">
          ${LEGEND.map(
            (f, i) => svg`<rect class="swatch" x=${i * 40} y="0" width="16" height="14" fill-opacity=${f}></rect>
              <text class="swatch-label" x=${i * 40} y="27">${(f * max).toPrecision(2)}</text>`,
          )}
        </svg>
        <span>Colour: the mean normalised change of ${this.layer} when inserting at that location.</span>
        <span>Dot: the share of samples where ${this.concept} appeared (a full dot: all of them).</span>
      </div>
    </div>`;
  }
}

customElements.define('gd-trace-heatmap', TraceHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'gd-trace-heatmap': TraceHeatmap;
  }
}
