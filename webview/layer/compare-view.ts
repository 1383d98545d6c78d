/**
 * <gd-compare-view>: two layers' summary charts side by side (model · layer as titles) and a table of
 * concepts with their interpretable-unit counts in each. Its "Compare with…" button fires `pick-comparison`.
 */
import { LitElement, css, html } from 'lit';
import type { LayerView } from '../../extension/shared/webview/layer';
import { categoryClass } from '../../extension/shared/webview/colours';
import { baseStyles, categoryStyles } from '../shared/theme';
import './summary-chart';

export interface ConceptCounts {
  label: string;
  category: string;
  left: number;
  right: number;
}

/** The union of both layers' concepts with their counts, most units (both layers together) first. */
export function compareConcepts(left: LayerView, right: LayerView): ConceptCounts[] {
  const rows = new Map<string, ConceptCounts>();
  const get = (c: { label: string; category: string }) => {
    let r = rows.get(c.label);
    if (!r) rows.set(c.label, (r = { label: c.label, category: c.category, left: 0, right: 0 }));
    return r;
  };
  for (const c of left.summary.concepts) get(c).left += c.count;
  for (const c of right.summary.concepts) get(c).right += c.count;
  return [...rows.values()].sort((a, b) => b.left + b.right - (a.left + a.right) || a.label.localeCompare(b.label));
}

export const layerTitle = (v: LayerView): string => `${v.model} · ${v.layer}`;

export class CompareView extends LitElement {
  static override properties = {
    left: { attribute: false },
    right: { attribute: false },
  };

  declare left: LayerView | undefined;
  declare right: LayerView | undefined;

  constructor() {
    super();
    this.left = undefined;
    this.right = undefined;
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      .side-by-side {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
        gap: 16px;
        margin: 12px 0;
      }
      gd-summary-chart {
        min-width: 0;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        padding: 8px;
      }
      table {
        border-collapse: collapse;
      }
      th,
      td {
        padding: 2px 10px;
        border-bottom: 1px solid var(--vscode-editorWidget-border, transparent);
      }
      th {
        text-align: left;
        font-weight: 600;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
      }
      th.num {
        text-align: right;
      }
      td.zero {
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
    `,
  ];

  override render() {
    const { left, right } = this;
    return html`
      <div class="toolbar">
        <vscode-button class="pick" appearance=${right ? 'secondary' : 'primary'} @click=${this.pick}>Compare with…</vscode-button>
        ${right ? '' : html`<span class="muted">Pick another dissected layer (of this or another model) to compare with.</span>`}
      </div>
      ${
        left && right
          ? html`
            <div class="side-by-side">
              <gd-summary-chart class="left" .summary=${left.summary} caption=${layerTitle(left)}></gd-summary-chart>
              <gd-summary-chart class="right" .summary=${right.summary} caption=${layerTitle(right)}></gd-summary-chart>
            </div>
            <table class="concepts" aria-label="Interpretable units per concept in both layers">
              <thead>
                <tr>
                  <th scope="col">Concept</th>
                  <th scope="col">Category</th>
                  <th scope="col" class="num">${layerTitle(left)}</th>
                  <th scope="col" class="num">${layerTitle(right)}</th>
                </tr>
              </thead>
              <tbody>
                ${compareConcepts(left, right).map(
                  (c) => html`<tr data-label=${c.label}>
                    <td><span class="dot ${categoryClass(c.category)}"></span>${c.label}</td>
                    <td>${c.category}</td>
                    <td class="num left ${c.left ? '' : 'zero'}">${c.left}</td>
                    <td class="num right ${c.right ? '' : 'zero'}">${c.right}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          `
          : ''
      }
    `;
  }

  private pick = (): void => {
    this.dispatchEvent(new CustomEvent('pick-comparison', { bubbles: true, composed: true }));
  };
}

customElements.define('gd-compare-view', CompareView);

declare global {
  interface HTMLElementTagNameMap {
    'gd-compare-view': CompareView;
  }
}
