/**
 * <gd-ace-chart>: the paper's Fig. 4 for one concept: the fraction of the concept removed by ablating the first
 * k units (k = 1…n) of the causal ranking and of the IoU ranking. An SVG line chart with axes, ticks and a
 * legend; polylines carry `data-series` and `data-points` (the plotted values) for tests and tools.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import { baseStyles } from '../shared/theme';
import { lineChartStyles } from '../shared/line-chart-styles';

const W = 420;
const H = 240;
const M = { left: 46, right: 16, top: 14, bottom: 40 };

/** Integer ticks 1…n, about `count` of them, always including 1 and n. */
export function unitTicks(n: number, count = 6): number[] {
  if (n <= 1) return [1];
  const step = Math.max(1, [1, 2, 5, 10, 20, 50, 100, 200, 500].find((s) => n / s <= count) ?? Math.ceil(n / count));
  const ticks = [1];
  for (let t = step; t < n; t += step) if (t - 1 >= step / 2) ticks.push(t);
  ticks.push(n);
  return ticks;
}

export class AceChart extends LitElement {
  static override properties = {
    ace: { attribute: false },
    iou: { attribute: false },
    concept: { type: String },
  };

  declare ace: number[];
  declare iou: number[] | undefined;
  declare concept: string;

  constructor() {
    super();
    this.ace = [];
    this.iou = undefined;
    this.concept = '';
  }

  static override styles = [
    baseStyles,
    lineChartStyles,
    css`
      .ace {
        --series: var(--vscode-charts-blue, #3794ff);
      }
      .iou {
        --series: var(--vscode-charts-orange, #d18616);
      }
      polyline.iou,
      .legend line.iou {
        stroke-dasharray: 5 3;
      }
    `,
  ];

  override render() {
    const ace = this.ace ?? [];
    const iou = this.iou ?? [];
    const n = Math.max(ace.length, iou.length);
    if (n === 0) return html`<p class="muted">No curve.</p>`;
    const yMax = Math.max(1, ...ace, ...iou);
    const yMin = Math.min(0, ...ace, ...iou);
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const x = (k: number) => M.left + (n === 1 ? pw / 2 : ((k - 1) / (n - 1)) * pw);
    const y = (v: number) => M.top + ((yMax - v) / (yMax - yMin)) * ph;
    const yTicks = [0, 0.25, 0.5, 0.75, 1].filter((t) => t >= yMin && t <= yMax);
    const series = (name: 'ace' | 'iou', values: number[], label: string) =>
      values.length === 0
        ? nothing
        : svg`<g class="series">
            <polyline class=${name} data-series=${name} data-points=${values.join(',')}
              points=${values.map((v, i) => `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}><title>${label}</title></polyline>
            ${values.map((v, i) => svg`<circle class=${name} cx=${x(i + 1).toFixed(1)} cy=${y(v).toFixed(1)} r="2.5"><title>${label}, ${i + 1} units: ${(v * 100).toFixed(1)}% removed</title></circle>`)}
          </g>`;
    return html`<svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img"
      aria-label="Fraction of ${this.concept} removed against the number of units ablated, causal and IoU rankings">
      ${yTicks.map(
        (t) => svg`<g class="tick y"><line class="grid" x1=${M.left} x2=${W - M.right} y1=${y(t)} y2=${y(t)}></line>
          <text x=${M.left - 6} y=${y(t) + 4} text-anchor="end">${Math.round(t * 100)}%</text></g>`,
      )}
      ${unitTicks(n).map(
        (k) => svg`<g class="tick x"><line x1=${x(k)} x2=${x(k)} y1=${H - M.bottom} y2=${H - M.bottom + 4}></line>
          <text x=${x(k)} y=${H - M.bottom + 16} text-anchor="middle">${k}</text></g>`,
      )}
      <line class="axis" x1=${M.left} x2=${W - M.right} y1=${H - M.bottom} y2=${H - M.bottom}></line>
      <line class="axis" x1=${M.left} x2=${M.left} y1=${M.top} y2=${H - M.bottom}></line>
      <text class="title" x=${M.left + pw / 2} y=${H - 6} text-anchor="middle">units ablated</text>
      <text class="title" transform="translate(12 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${this.concept} removed</text>
      ${series('iou', iou, 'IoU ranking')}
      ${series('ace', ace, 'causal ranking')}
      <g class="legend" transform="translate(${M.left + 10} ${M.top + 4})">
        <line class="ace" x1="0" x2="18" y1="6" y2="6""></line><text x="24" y="10">causal ranking</text>
        ${iou.length > 0 ? svg`<line class="iou" x1="0" x2="18" y1="22" y2="22"></line><text x="24" y="26">IoU ranking</text>` : nothing}
      </g>
    </svg>`;
  }
}

customElements.define('gd-ace-chart', AceChart);

declare global {
  interface HTMLElementTagNameMap {
    'gd-ace-chart': AceChart;
  }
}
