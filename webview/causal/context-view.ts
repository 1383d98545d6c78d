/**
 * <gd-context-view>: where a concept can be inserted (the paper's Fig. 11): the mean gain of the concept (as a
 * fraction of the image) per background class, as horizontal bars (`data-label`, `data-gain`), and a few
 * images with their per-location gain heatmaps; where the engine drew them, the image shown has yellow boxes
 * around the locations where inserting creates the concept (the context job's `boxes` picture).
 */
import { LitElement, css, html, svg } from 'lit';
import type { ContextView } from '../../extension/shared/webview/causal';
import { baseStyles, imagePairStyles } from '../shared/theme';

const ROW = 20;
const LABEL_W = 110;
const BAR_W = 240;
const VALUE_W = 120;

export const fmtGain = (g: number): string => `${g < 0 ? '\u2212' : '+'}${Math.abs(g * 100).toFixed(2)}%`;

export class ContextViewElement extends LitElement {
  static override properties = { context: { attribute: false } };

  declare context: ContextView | undefined;

  constructor() {
    super();
    this.context = undefined;
  }

  static override styles = [
    baseStyles,
    imagePairStyles,
    css`
      svg {
        display: block;
        max-width: 100%;
        height: auto;
      }
      text {
        fill: var(--vscode-foreground, #cccccc);
        font-size: 11px;
        font-family: var(--vscode-font-family, sans-serif);
      }
      text.value {
        fill: var(--vscode-descriptionForeground, #9d9d9d);
        font-variant-numeric: tabular-nums;
      }
      rect.bar {
        fill: var(--vscode-charts-green, #89d185);
      }
      rect.bar.negative {
        fill: var(--vscode-charts-red, #f14c4c);
      }
      line.zero {
        stroke: var(--vscode-charts-lines, #6b6b6b);
      }
      .heatmaps {
        display: flex;
        flex-wrap: wrap;
        gap: 10px;
        margin-top: 10px;
      }
      img {
        width: 96px;
        height: 96px;
        object-fit: contain;
        image-rendering: pixelated;
        display: block;
      }
      img.boxes {
        /* one-pixel boxes: averaged when shrunk, not dropped */
        image-rendering: auto;
      }
      figcaption {
        font-size: 0.9em;
        margin-top: 2px;
      }
    `,
  ];

  override render() {
    const c = this.context;
    if (!c) return html``;
    const rows = [...c.byClass].sort((a, b) => b.gain - a.gain || a.label.localeCompare(b.label));
    const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.gain)));
    const height = rows.length * ROW + 4;
    return html`
      <p class="muted summary">
        Inserting units ${c.units.join(', ')} at each of ${c.grid[0]}×${c.grid[1]} locations; the gain in ${c.concept}, by what the location showed before.
      </p>
      ${
        rows.length === 0
          ? html`<p class="muted">No locations.</p>`
          : html`<svg class="bars" viewBox="0 0 ${LABEL_W + BAR_W + VALUE_W} ${height}" width=${LABEL_W + BAR_W + VALUE_W} height=${height} role="img"
            aria-label="Gain of ${c.concept} per background class">
            ${rows.map((r, i) => {
              const w = (Math.abs(r.gain) / max) * BAR_W;
              const yy = i * ROW + 2;
              return svg`<g class="row">
                <text class="name" x=${LABEL_W - 6} y=${yy + 13} text-anchor="end">${r.label}</text>
                <rect class="bar ${r.gain < 0 ? 'negative' : ''}" data-label=${r.label} data-gain=${String(r.gain)} data-count=${r.count}
                  x=${LABEL_W} y=${yy + 2} width=${Math.max(0, w).toFixed(1)} height=${ROW - 6}><title>${r.label}: ${fmtGain(r.gain)} of the image over ${r.count} locations</title></rect>
                <text class="value" x=${LABEL_W + Math.max(0, w) + 6} y=${yy + 13}>${fmtGain(r.gain)} · ${r.count}</text>
              </g>`;
            })}
            <line class="zero" x1=${LABEL_W} x2=${LABEL_W} y1="0" y2=${height}></line>
          </svg>`
      }
      ${
        c.heatmaps.some((m) => m.boxes)
          ? html`<p class="muted boxes-note">Yellow boxes: the locations where inserting the units creates ${c.concept} (the paper's Fig. 11).</p>`
          : ''
      }
      ${
        c.heatmaps.length > 0
          ? html`<div class="heatmaps">
            ${c.heatmaps.map(
              (m) => html`<figure class="heatmap" data-sample=${m.sample}>
                <div class="pair">
                  ${
                    m.boxes
                      ? html`<img class="image boxes" src=${m.boxes} alt="sample ${m.sample}, yellow boxes where inserting creates ${c.concept}" />`
                      : html`<img class="image" src=${m.image} alt="sample ${m.sample}" />`
                  }
                  <img class="heat" src=${m.heatmap} alt="gain of ${c.concept} per location on sample ${m.sample}" />
                </div>
                <figcaption class="muted">sample ${m.sample}</figcaption>
              </figure>`,
            )}
          </div>`
          : ''
      }
    `;
  }
}

customElements.define('gd-context-view', ContextViewElement);

declare global {
  interface HTMLElementTagNameMap {
    'gd-context-view': ContextViewElement;
  }
}
