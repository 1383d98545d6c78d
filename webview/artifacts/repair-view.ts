/**
 * <gd-repair-view>: the repair's measure (the paper's Table 1): the distance to the reference of the
 * generator as it is, repaired (its flagged units ablated everywhere), and with as many random units
 * ablated (mean of the draws ± its 95% interval); how far the pixels away from the ablated units move, in
 * words; and before/after pairs of the samples where the ablated units fired most, scaled up by a whole factor.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { RepairView } from '../../extension/shared/webview/artifacts';
import { fmtShare, fmtSig4 } from '../shared/format';
import { baseStyles, imagePairStyles } from '../shared/theme';

/** Pairs are scaled by the largest whole factor that keeps them about this tall. */
const PAIR_TARGET_HEIGHT = 160;

export class RepairViewElement extends LitElement {
  static override properties = {
    repair: { attribute: false },
    measure: { attribute: false },
  };

  declare repair: RepairView | undefined;
  /** What the distances are in and to what (the result's own labels). */
  declare measure: { features: string; reference: string };

  constructor() {
    super();
    this.repair = undefined;
    this.measure = { features: '', reference: '' };
  }

  static override styles = [
    baseStyles,
    imagePairStyles,
    css`
      table {
        border-collapse: collapse;
        margin: 6px 0 8px;
      }
      th,
      td {
        padding: 3px 14px 3px 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      th {
        color: var(--vscode-descriptionForeground, #9d9d9d);
        font-weight: 600;
      }
      caption {
        text-align: left;
        caption-side: bottom;
        padding-top: 4px;
      }
      .pairs {
        display: flex;
        flex-wrap: wrap;
        gap: 10px;
        margin-top: 8px;
      }
      img {
        display: block;
        image-rendering: pixelated;
      }
      figcaption {
        margin-top: 2px;
        font-size: 0.9em;
      }
      .side {
        display: flex;
        flex-direction: column;
        align-items: center;
      }
      .units {
        overflow-wrap: anywhere;
      }
    `,
  ];

  override render() {
    const r = this.repair;
    if (!r) return nothing;
    const n = r.units.length;
    const [lo, hi] = r.random.ci95;
    const u = r.unchanged;
    return html`
      <table class="table1" aria-label="Distance to the reference before and after the repair">
        <thead><tr><th>Generator</th><th>Units ablated</th><th>Distance</th><th>95% interval</th></tr></thead>
        <tbody>
          <tr class="original"><td>original</td><td>0</td><td class="distance">${fmtSig4(r.original)}</td><td></td></tr>
          <tr class="repaired"><td>repaired</td><td>${n}</td><td class="distance">${fmtSig4(r.repaired)}</td><td></td></tr>
          <tr class="random" title="each draw: ${r.random.draws.map(fmtSig4).join(', ')}">
            <td>${n} random units ablated (mean of ${r.random.draws.length} draws)</td>
            <td>${n}</td>
            <td class="distance">${fmtSig4(r.random.mean)} ± ${fmtSig4((hi - lo) / 2)}</td>
            <td class="ci">[${fmtSig4(lo)}, ${fmtSig4(hi)}]</td>
          </tr>
        </tbody>
        <caption class="muted">
          ${this.measure.features} to ${this.measure.reference}, each over ${r.samples} fresh samples (seed ${r.seed}).
        </caption>
      </table>
      <p class="units"><span class="muted">Units ablated:</span> ${r.units.join(', ')}</p>
      <p class="unchanged">
        Pixels away from the ablated units (${fmtShare(u.share)} of the pixels of the before/after samples): mean shift ${fmtSig4(u.meanShift)},
        max ${fmtSig4(u.maxShift)} (in the image's range); ${fmtShare(u.movedShare)} of them moved more than 1/255 of it. Where the ablated
        units are on: mean shift ${fmtSig4(u.onShift)}.
      </p>
      ${
        r.pairs.length > 0
          ? html`<h3>Before and after</h3>
            <div class="pairs">${r.pairs.map((p) => this.pair(p))}</div>`
          : html`<p class="muted">No before/after pairs were written.</p>`
      }
    `;
  }

  private pair(p: RepairView['pairs'][number]) {
    const scale = Math.max(1, Math.floor(PAIR_TARGET_HEIGHT / Math.max(1, p.before.height)));
    const img = (im: RepairView['pairs'][number]['before'], which: string) =>
      html`<div class="side"><img class=${which} src=${im.src} width=${im.width * scale} height=${im.height * scale}
        alt="sample ${p.sample} ${which} the repair" /><span class="muted">${which}</span></div>`;
    return html`<figure class="repair-pair" data-sample=${p.sample}>
      <div class="pair">${img(p.before, 'before')}${img(p.after, 'after')}</div>
      <figcaption class="muted">sample #${p.sample}</figcaption>
    </figure>`;
  }
}

customElements.define('gd-repair-view', RepairViewElement);

declare global {
  interface HTMLElementTagNameMap {
    'gd-repair-view': RepairViewElement;
  }
}
