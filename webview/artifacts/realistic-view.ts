/**
 * <gd-realistic-summary>: the dissection summary with the least realistic units left out (the paper's S-6.3,
 * Fig. 16): per concept, its interpretable units among all units and among the realistic ones only; concepts
 * that lose units are marked, so spurious concepts on distorted images stand out.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { RealisticSummary } from '../../extension/shared/webview/artifacts';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtSig4 } from '../shared/format';
import { baseStyles, categoryStyles } from '../shared/theme';

export class RealisticSummaryElement extends LitElement {
  static override properties = { summary: { attribute: false } };

  declare summary: RealisticSummary | undefined;

  constructor() {
    super();
    this.summary = undefined;
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      table {
        border-collapse: collapse;
        margin-top: 6px;
      }
      th,
      td {
        padding: 2px 14px 2px 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      th:first-child,
      td:first-child,
      th:nth-child(2),
      td:nth-child(2) {
        text-align: left;
      }
      th {
        color: var(--vscode-descriptionForeground, #9d9d9d);
        font-weight: 600;
      }
      tr.fewer td.realistic {
        color: var(--gd-warning-text);
      }
    `,
  ];

  override render() {
    const s = this.summary;
    if (!s) return nothing;
    return html`
      <p class="rule">
        ${s.kept} of ${s.total} units kept: those at distance ≤ ${fmtSig4(s.threshold)} <span class="muted">(${s.rule})</span>.
      </p>
      ${
        s.concepts.length === 0
          ? html`<p class="muted">No interpretable units in this layer.</p>`
          : html`<table aria-label="Interpretable units per concept, all and realistic only">
            <thead><tr><th>Concept</th><th>Category</th><th>All units</th><th>Realistic only</th></tr></thead>
            <tbody>
              ${s.concepts.map(
                (c) => html`<tr class="concept ${c.realistic < c.all ? 'fewer' : ''}" data-concept=${c.name}>
                  <td><span class="dot ${categoryClass(c.category)}"></span>${c.name}</td>
                  <td>${c.category}</td>
                  <td class="all">${c.all}</td>
                  <td class="realistic">${c.realistic}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
      }
    `;
  }
}

customElements.define('gd-realistic-summary', RealisticSummaryElement);

declare global {
  interface HTMLElementTagNameMap {
    'gd-realistic-summary': RealisticSummaryElement;
  }
}
