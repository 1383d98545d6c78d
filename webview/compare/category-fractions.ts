/**
 * <gd-category-fractions>: the paper's Fig. 6 — for each layer, the fraction of its units that are
 * interpretable units of each category, as one stacked horizontal bar per layer (category colours,
 * colours.ts) with the percentages in a table beside it. Segments carry `data-category` and `data-fraction`.
 */
import { LitElement, css, html, svg } from 'lit';
import type { ComparedRow } from '../../extension/shared/webview/compare';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtShare } from '../shared/format';
import { baseStyles, categoryStyles } from '../shared/theme';

const BAR_W = 260;
const BAR_H = 16;

/** The categories of the rows, most units over all rows first. */
export function categoriesOf(rows: ComparedRow[]): string[] {
  const totals = new Map<string, number>();
  for (const r of rows) for (const [c, n] of Object.entries(r.categories)) totals.set(c, (totals.get(c) ?? 0) + n);
  return [...totals.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c]) => c);
}

export class CategoryFractions extends LitElement {
  static override properties = {
    rows: { attribute: false },
  };

  declare rows: ComparedRow[];

  constructor() {
    super();
    this.rows = [];
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      table {
        border-collapse: collapse;
      }
      th,
      td {
        padding: 3px 8px;
        text-align: left;
        border-bottom: 1px solid var(--vscode-editorWidget-border, transparent);
      }
      th {
        font-weight: 600;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
      }
      td.num,
      th.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      svg {
        display: block;
      }
      rect.track {
        fill: var(--vscode-input-background, #3c3c3c);
        stroke: var(--vscode-contrastBorder, transparent);
      }
      rect.bar {
        stroke: var(--vscode-contrastBorder, var(--vscode-editor-background, #1e1e1e));
        stroke-width: 1;
      }
    `,
  ];

  override render() {
    const cats = categoriesOf(this.rows);
    if (cats.length === 0) return html`<p class="muted empty">No interpretable units in these layers.</p>`;
    return html`<table class="fractions" aria-label="Fraction of units per category, by layer">
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">Units per category</th>
          ${cats.map((c) => html`<th scope="col" class="num"><span class="dot ${categoryClass(c)}"></span>${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${this.rows.map((r) => {
          let x = 0;
          return html`<tr data-layer=${r.layer}>
            <th scope="row">${r.layer}</th>
            <td>
              <svg width=${BAR_W} height=${BAR_H} role="img" aria-label="${r.layer}: ${cats.map((c) => `${c} ${fmtShare((r.categories[c] ?? 0) / Math.max(1, r.units))}`).join(', ')}">
                <rect class="track" x="0" y="0" width=${BAR_W} height=${BAR_H}></rect>
                ${cats.map((c) => {
                  const f = (r.categories[c] ?? 0) / Math.max(1, r.units);
                  const w = f * BAR_W;
                  const seg = svg`<rect class="bar ${categoryClass(c)}" data-category=${c} data-fraction=${f} x=${x} y="0" width=${w} height=${BAR_H}>
                    <title>${c}: ${r.categories[c] ?? 0} of ${r.units} units (${fmtShare(f)})</title></rect>`;
                  x += w;
                  return seg;
                })}
              </svg>
            </td>
            ${cats.map((c) => html`<td class="num share" data-category=${c}>${fmtShare((r.categories[c] ?? 0) / Math.max(1, r.units))}</td>`)}
          </tr>`;
        })}
      </tbody>
    </table>`;
  }
}

customElements.define('gd-category-fractions', CategoryFractions);

declare global {
  interface HTMLElementTagNameMap {
    'gd-category-fractions': CategoryFractions;
  }
}
