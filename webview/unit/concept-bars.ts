/** <gd-concept-bars>: a unit's best concepts with their IoU as horizontal bars (coloured by category). */
import { LitElement, css, html } from 'lit';
import type { UnitRow } from '../../extension/shared/webview/unit';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtIou } from '../shared/format';
import { cssProps } from '../shared/css-props';
import { baseStyles, categoryStyles } from '../shared/theme';

export class ConceptBars extends LitElement {
  static override properties = {
    concepts: { attribute: false },
  };

  declare concepts: UnitRow['concepts'];

  constructor() {
    super();
    this.concepts = [];
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      .rows {
        display: grid;
        grid-template-columns: minmax(80px, max-content) minmax(120px, 360px) max-content;
        align-items: center;
        gap: 4px 10px;
      }
      .track {
        height: 12px;
        background: var(--vscode-editorWidget-background, #252526);
        border-radius: 2px;
      }
      .bar {
        height: 100%;
        border-radius: 2px;
        background: var(--cat);
      }
      .iou {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  override render() {
    if (this.concepts.length === 0) return html`<p class="muted">No concepts.</p>`;
    // Bars share one scale, the best concept's IoU (at least 0.05 so weak matches look weak).
    const max = Math.max(0.05, ...this.concepts.map((c) => c.iou));
    return html`<div class="rows" role="list" aria-label="Best concepts by IoU">
      ${this.concepts.map(
        (c) => html`
          <span class="label" role="listitem"><span class="dot ${categoryClass(c.category)}"></span>${c.label}
            <span class="muted">${c.category}</span></span>
          <div class="track" aria-hidden="true">
            <div class="bar concept ${categoryClass(c.category)}" data-label=${c.label} data-iou=${c.iou}
              ${cssProps({ width: `${Math.min(100, (c.iou / max) * 100).toFixed(1)}%` })}></div>
          </div>
          <span class="iou">IoU ${fmtIou(c.iou)}</span>
        `,
      )}
    </div>`;
  }
}

customElements.define('gd-concept-bars', ConceptBars);

declare global {
  interface HTMLElementTagNameMap {
    'gd-concept-bars': ConceptBars;
  }
}
