/**
 * <gd-summary-chart>: the paper's per-layer summary (Fig. 5/6) as an SVG bar chart: interpretable units per
 * concept, most first, bars coloured by category, the count above each bar and the concept name below.
 * Bars carry `data-label`/`data-count`; the one-line summary counts units per category.
 */
import { LitElement, css, html, svg } from 'lit';
import type { LayerSummary } from '../../extension/shared/webview/layer';
import { categoryClass } from '../../extension/shared/webview/colours';
import { baseStyles, categoryStyles } from '../shared/theme';

const MIN_BAR = 22; // bar pitch: at least this, wider to fill the panel
const MAX_BAR = 56;
const PLOT_H = 180;
const TOP = 16; // room for the count above the tallest bar
const CHAR_W = 6.5; // ~ width of a character of the 11 px concept names
const COS = Math.cos(Math.PI / 3);
const SIN = Math.sin(Math.PI / 3);

/** "12/64 units interpretable · object 8 · part 3 · material 1" */
export function summaryLine(s: LayerSummary): string {
  const cats = Object.entries(s.categories)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`);
  return [`${s.interpretable}/${s.units} units interpretable`, ...cats].join(' · ');
}

export class SummaryChart extends LitElement {
  static override properties = {
    summary: { attribute: false },
    caption: {},
    available: { state: true },
  };

  /** The width the chart may fill (the element's own), measured as it changes. */
  declare available: number;
  private readonly resize = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && w !== this.available) this.available = w;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    this.resize.disconnect();
    super.disconnectedCallback();
  }

  declare summary: LayerSummary | undefined;
  /** Optional title above the chart (model · layer in the compare view). */
  declare caption: string;

  constructor() {
    super();
    this.summary = undefined;
    this.caption = '';
    this.available = 0;
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      .line {
        margin: 4px 0 8px;
      }
      .scroll {
        overflow-x: auto;
      }
      svg {
        display: block;
      }
      text {
        fill: var(--vscode-foreground, #cccccc);
        font-family: var(--vscode-font-family, sans-serif);
      }
      text.count {
        font-size: 10px;
        fill: var(--vscode-descriptionForeground, #9d9d9d);
      }
      text.name {
        font-size: 11px;
      }
      line.axis {
        stroke: var(--vscode-editorWidget-border, var(--vscode-widget-border, #555));
      }
      rect.bar:hover {
        opacity: 0.8;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        margin-top: 4px;
      }
    `,
  ];

  override render() {
    const s = this.summary;
    if (!s) return html``;
    const concepts = s.concepts;
    const max = Math.max(1, ...concepts.map((c) => c.count));
    // Names are rotated -60° and end under their bar: reserve room below for the longest and on the left for
    // the first ones (which reach left of the first bar).
    const textW = (label: string) => Math.min(24, label.length) * CHAR_W;
    // bars as wide as fill the panel (between MIN_BAR and MAX_BAR a concept); many concepts scroll
    const n = Math.max(1, concepts.length);
    const BAR = Math.max(MIN_BAR, Math.min(MAX_BAR, Math.floor((this.available - 60) / n)));
    const BAR_W = Math.round(BAR * 0.72);
    const left = 4 + Math.max(0, ...concepts.slice(0, 4).map((c, i) => textW(c.label) * COS - i * BAR));
    const labelsH = 16 + Math.max(0, ...concepts.map((c) => textW(c.label) * SIN));
    const width = left + n * BAR + 8;
    const base = TOP + PLOT_H;
    const cats = [...new Set(concepts.map((c) => c.category))];
    return html`
      ${this.caption ? html`<h3 class="caption">${this.caption}</h3>` : ''}
      <p class="line summary-line">${summaryLine(s)}</p>
      ${
        concepts.length === 0
          ? html`<p class="muted empty">No interpretable units.</p>`
          : html`<div class="scroll">
              <svg width=${Math.ceil(width)} height=${Math.ceil(base + labelsH)} role="img" aria-label="Interpretable units per concept">
                <line class="axis" x1=${left - 4} x2=${width} y1=${base + 0.5} y2=${base + 0.5}></line>
                ${concepts.map((c, i) => {
                  const h = Math.max(1, Math.round((c.count / max) * PLOT_H));
                  const x = left + i * BAR;
                  const cx = x + BAR_W / 2;
                  return svg`<g class="concept">
                    <title>${c.label} (${c.category}): ${c.count}</title>
                    <rect class="bar ${categoryClass(c.category)}" data-label=${c.label} data-category=${c.category}
                      data-count=${c.count} x=${x} y=${base - h} width=${BAR_W} height=${h}></rect>
                    <text class="count" x=${cx} y=${base - h - 4} text-anchor="middle">${c.count}</text>
                    <text class="name" text-anchor="end" transform="translate(${cx + 4},${base + 8}) rotate(-60)">${c.label}</text>
                  </g>`;
                })}
              </svg>
            </div>
            <div class="legend muted">
              ${cats.map((c) => html`<span><span class="dot ${categoryClass(c)}"></span>${c}</span>`)}
            </div>`
      }
    `;
  }
}

customElements.define('gd-summary-chart', SummaryChart);

declare global {
  interface HTMLElementTagNameMap {
    'gd-summary-chart': SummaryChart;
  }
}
