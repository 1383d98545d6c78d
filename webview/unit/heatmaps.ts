/** <gd-heatmaps>: fresh samples, each image beside the unit's activation heatmap over it. */
import { LitElement, css, html, nothing } from 'lit';
import { cssProps } from '../shared/css-props';
import type { HeatmapSet } from '../../extension/shared/webview/unit';
import { fmtAct } from '../shared/format';
import { baseStyles, imagePairStyles } from '../shared/theme';

export class Heatmaps extends LitElement {
  static override properties = {
    set: { attribute: false },
    unit: { type: Number },
  };

  declare set: HeatmapSet | undefined;
  declare unit: number;

  constructor() {
    super();
    this.set = undefined;
    this.unit = 0;
  }

  static override styles = [
    baseStyles,
    imagePairStyles,
    css`
      .grid {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
      }
      img {
        width: 192px;
        height: 192px;
        object-fit: contain;
        image-rendering: pixelated;
        display: block;
      }
      figcaption {
        margin-top: 4px;
        font-size: 0.9em;
      }
      .scale {
        margin: 0 0 12px;
        max-width: 420px;
      }
      .bar {
        position: relative;
        height: 12px;
        border: 1px solid var(--vscode-contrastBorder, transparent);
      }
      .threshold {
        position: absolute;
        top: -3px;
        bottom: -3px;
        width: 2px;
        background: var(--vscode-editor-foreground);
        outline: 1px solid var(--vscode-editor-background);
      }
      .scale figcaption {
        display: flex;
        justify-content: space-between;
        gap: 8px;
      }
    `,
  ];

  /** The colour scale the heatmaps share: 0 … the unit's top activation, with its threshold marked (the contour's level). */
  private scale() {
    const sc = this.set?.scale;
    if (!sc) return nothing;
    const gradient = sc.stops.map((c, i) => `rgb(${c.join(',')}) ${((i / (sc.stops.length - 1)) * 100).toFixed(0)}%`).join(', ');
    const at = sc.max > 0 ? Math.min(100, Math.max(0, (sc.threshold / sc.max) * 100)) : 0;
    return html`<figure class="scale" aria-label="colour scale: activation 0 to ${fmtAct(sc.max)}, threshold ${fmtAct(sc.threshold)}">
      <div class="bar" ${cssProps({ background: `linear-gradient(to right, ${gradient})` })}>
        <span class="threshold" ${cssProps({ left: `${Number(at.toFixed(1))}%` })} title="threshold ${fmtAct(sc.threshold)}: the white contour"></span>
      </div>
      <figcaption class="muted">
        <span>0</span><span>threshold ${fmtAct(sc.threshold)} (white contour)</span><span>${fmtAct(sc.max)} (the unit's top activation)</span>
      </figcaption>
    </figure>`;
  }

  override render() {
    const samples = this.set?.samples ?? [];
    if (samples.length === 0) return html`<p class="muted">No samples.</p>`;
    return html`${this.scale()}<div class="grid">
      ${samples.map(
        (s) => html`<figure class="sample" data-seed=${s.seed} data-sample=${s.sample}>
          <div class="pair">
            <img class="image" src=${s.image} alt="sample ${s.sample} (seed ${s.seed})" />
            <img class="heatmap" src=${s.heatmap} alt="activation of unit ${this.unit} on sample ${s.sample}" />
          </div>
          <figcaption class="muted">seed ${s.seed} · sample ${s.sample} · max ${fmtAct(s.maxact)}</figcaption>
        </figure>`,
      )}
    </div>`;
  }
}

customElements.define('gd-heatmaps', Heatmaps);

declare global {
  interface HTMLElementTagNameMap {
    'gd-heatmaps': Heatmaps;
  }
}
