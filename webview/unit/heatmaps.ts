/** <gd-heatmaps>: fresh samples, each image beside the unit's activation heatmap over it. */
import { LitElement, css, html } from 'lit';
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
        width: 128px;
        height: 128px;
        object-fit: contain;
        image-rendering: pixelated;
        display: block;
      }
      figcaption {
        margin-top: 4px;
        font-size: 0.9em;
      }
    `,
  ];

  override render() {
    const samples = this.set?.samples ?? [];
    if (samples.length === 0) return html`<p class="muted">No samples.</p>`;
    return html`<div class="grid">
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
