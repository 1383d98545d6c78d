/**
 * <gd-trace-chart>: the paper's Fig. 17 curves: for the layer the units were inserted in and every later
 * layer, the mean normalised change of its featuremaps, for insertions that made the concept appear and for
 * those that did not. An SVG line chart; polylines carry `data-series` and `data-points` (the plotted values).
 * A series with no insertions is left out (the engine's 0 there is no measurement).
 */
import { LitElement, css, html, svg } from 'lit';
import { baseStyles } from '../shared/theme';
import { lineChartStyles } from '../shared/line-chart-styles';

const PLOT_H = 168;
const LEGEND_ROW = 16;
const M = { left: 52, right: 16, top: 10, bottom: 58 };
const PITCH = 72;
const MIN_W = 320;

/** About `count` round ticks from 0 to at least `max` (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((s) => s * p >= raw) ?? 10) * p;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks[ticks.length - 1] < max - step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** A tick's label: short, as many decimals as the step needs. */
export function tickLabel(t: number, step: number): string {
  const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return t.toFixed(Math.min(6, d));
}

export interface TraceSeries {
  key: 'visible' | 'invisible';
  label: string;
  values: number[];
}

export class TraceChart extends LitElement {
  static override properties = {
    layers: { attribute: false },
    series: { attribute: false },
    concept: { type: String },
  };

  declare layers: string[];
  declare series: TraceSeries[];
  declare concept: string;

  constructor() {
    super();
    this.layers = [];
    this.series = [];
    this.concept = '';
  }

  static override styles = [
    baseStyles,
    lineChartStyles,
    css`
      .visible {
        --series: var(--vscode-charts-blue, #3794ff);
      }
      .invisible {
        --series: var(--vscode-charts-orange, #d18616);
      }
      polyline.invisible,
      .legend line.invisible {
        stroke-dasharray: 5 3;
      }
    `,
  ];

  override render() {
    const layers = this.layers ?? [];
    const series = (this.series ?? []).filter((s) => s.values.length === layers.length);
    if (layers.length === 0 || series.length === 0) return html`<p class="muted">No curve.</p>`;
    const n = layers.length;
    const W = Math.max(MIN_W, M.left + M.right + n * PITCH);
    // the legend above the plot, a row per series: it never hides a curve
    const top = M.top + LEGEND_ROW * series.length + 6;
    const H = top + PLOT_H + M.bottom;
    const ticks = niceTicks(Math.max(...series.flatMap((s) => s.values)));
    const yMax = ticks[ticks.length - 1];
    const step = ticks[1] - ticks[0];
    const pw = W - M.left - M.right;
    const ph = PLOT_H;
    const x = (i: number) => M.left + (n === 1 ? pw / 2 : (i / (n - 1)) * pw);
    const y = (v: number) => top + (1 - v / yMax) * ph;
    const line = (s: TraceSeries) => svg`<g class="series">
      <polyline class=${s.key} data-series=${s.key} data-points=${s.values.join(',')}
        points=${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}><title>${s.label}</title></polyline>
      ${s.values.map(
        (v, i) =>
          svg`<circle class=${s.key} cx=${x(i).toFixed(1)} cy=${y(v).toFixed(1)} r="3"><title>${s.label}, ${layers[i]}: ${v.toPrecision(3)}</title></circle>`,
      )}
    </g>`;
    return html`<svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img"
      aria-label="Mean normalised change of each layer after inserting ${this.concept} units, with and without a visible effect">
      ${ticks.map(
        (t) => svg`<g class="tick y"><line class="grid" x1=${M.left} x2=${W - M.right} y1=${y(t)} y2=${y(t)}></line>
          <text x=${M.left - 6} y=${y(t) + 4} text-anchor="end">${tickLabel(t, step)}</text></g>`,
      )}
      ${layers.map(
        (l, i) => svg`<g class="tick x"><line x1=${x(i)} x2=${x(i)} y1=${H - M.bottom} y2=${H - M.bottom + 4}></line>
          <text x=${x(i)} y=${H - M.bottom + 15} text-anchor="end" transform="rotate(-25 ${x(i)} ${H - M.bottom + 15})">${l}</text></g>`,
      )}
      <line class="axis" x1=${M.left} x2=${W - M.right} y1=${H - M.bottom} y2=${H - M.bottom}></line>
      <line class="axis" x1=${M.left} x2=${M.left} y1=${top} y2=${H - M.bottom}></line>
      <text class="title" x=${M.left + pw / 2} y=${H - 4} text-anchor="middle">layer (inserted in the first)</text>
      <text class="title" transform="translate(12 ${top + ph / 2}) rotate(-90)" text-anchor="middle">mean normalised change</text>
      ${series.map(line)}
      <g class="legend" transform="translate(${M.left} ${M.top})">
        ${series.map(
          (s, i) =>
            svg`<g class=${s.key}><line class=${s.key} x1="0" x2="18" y1=${6 + LEGEND_ROW * i} y2=${6 + LEGEND_ROW * i}></line><text x="24" y=${10 + LEGEND_ROW * i}>${s.label}</text></g>`,
        )}
      </g>
    </svg>`;
  }
}

customElements.define('gd-trace-chart', TraceChart);

declare global {
  interface HTMLElementTagNameMap {
    'gd-trace-chart': TraceChart;
  }
}
