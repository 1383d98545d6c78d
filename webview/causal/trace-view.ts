/**
 * <gd-trace-view>: a trace of insertions through the later layers (the paper's S-6.5, Fig. 17): what was
 * inserted where, the per-layer curves split by whether the concept appeared (<gd-trace-chart>), the
 * numbers per layer, and the last layer's change over the insertion locations (<gd-trace-heatmap>) beside
 * the engine's heatmap over the first sample.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TraceView } from '../../extension/shared/webview/causal';
import { baseStyles, imagePairStyles } from '../shared/theme';
import { insertionLabel } from './insertion';
import type { TraceSeries } from './trace-chart';
import './trace-chart';
import './trace-heatmap';

const f3 = (x: number): string => x.toFixed(3);

/** The curves to draw: a split with no insertions has no curve. */
export function traceSeries(t: TraceView): TraceSeries[] {
  const out: TraceSeries[] = [];
  if (t.counts.visible > 0) out.push({ key: 'visible', label: `${t.concept} appeared (${t.counts.visible} insertions)`, values: t.curves.visible });
  if (t.counts.invisible > 0)
    out.push({ key: 'invisible', label: `no visible effect (${t.counts.invisible} insertions)`, values: t.curves.invisible });
  return out;
}

export class TraceViewElement extends LitElement {
  static override properties = { trace: { attribute: false } };

  declare trace: TraceView | undefined;

  constructor() {
    super();
    this.trace = undefined;
  }

  static override styles = [
    baseStyles,
    imagePairStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 12px 24px;
        align-items: flex-start;
        margin-top: 6px;
      }
      table {
        border-collapse: collapse;
      }
      th,
      td {
        padding: 2px 10px 2px 0;
        text-align: right;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      th {
        color: var(--vscode-descriptionForeground, #9d9d9d);
        font-weight: 600;
      }
      td {
        font-variant-numeric: tabular-nums;
      }
      img {
        width: 112px;
        height: 112px;
        object-fit: contain;
        image-rendering: pixelated;
        display: block;
      }
      figcaption {
        font-size: 0.9em;
        margin-top: 2px;
        max-width: 232px;
      }
      h4 {
        margin: 4px 0;
        font-weight: 600;
      }
    `,
  ];

  override render() {
    const t = this.trace;
    if (!t) return nothing;
    const total = t.counts.visible + t.counts.invisible;
    const last = t.layers[t.layers.length - 1]?.layer ?? t.layer;
    const series = traceSeries(t);
    return html`
      <p class="muted summary">
        Inserting units ${t.units.join(', ')} of ${t.layer} at each of ${t.grid[0]}×${t.grid[1]} locations in ${t.samples} samples
        (${total} insertions: ${t.concept} appeared in ${t.counts.visible}, not in ${t.counts.invisible}; it appears when it gains at least
        ${(t.visibleMin * 100).toFixed(1)}% of the image)${t.insertion ? html`; insertion ${insertionLabel(t.insertion)}` : nothing}. A layer's change
        is the mean |r′ − r| of each channel over its mean |r| on the unedited samples, averaged over channels.
      </p>
      <div class="row">
        <gd-trace-chart .layers=${t.layers.map((l) => l.layer)} .series=${series} .concept=${t.concept}></gd-trace-chart>
        <table class="layers">
          <thead><tr><th>Layer</th><th>Shape</th><th>All</th><th>Appeared</th><th>No effect</th></tr></thead>
          <tbody>
            ${t.layers.map(
              (l, i) => html`<tr data-layer=${l.layer}>
                <td>${l.layer}</td>
                <td class="muted">${l.shape.join('×')}</td>
                <td class="all">${f3(t.curves.all[i])}</td>
                <td class="visible">${t.counts.visible > 0 ? f3(t.curves.visible[i]) : '—'}</td>
                <td class="invisible">${t.counts.invisible > 0 ? f3(t.curves.invisible[i]) : '—'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <h4>Effect on ${last} by insertion location</h4>
      <div class="row">
        <gd-trace-heatmap .grid=${t.grid} .values=${t.heatmap} .share=${t.visibleShare} .concept=${t.concept} .layer=${last}></gd-trace-heatmap>
        ${
          t.images
            ? html`<figure class="engine-heatmap">
              <div class="pair">
                <img class="sample" src=${t.images.sample} alt="the first sample" />
                <img class="heat" src=${t.images.heatmap} alt="change of ${last} per insertion location over the first sample" />
              </div>
              <figcaption class="muted">The first sample, and over it the change of ${last} by insertion location (the mean over the samples).</figcaption>
            </figure>`
            : nothing
        }
      </div>
    `;
  }
}

customElements.define('gd-trace-view', TraceViewElement);

declare global {
  interface HTMLElementTagNameMap {
    'gd-trace-view': TraceViewElement;
  }
}
