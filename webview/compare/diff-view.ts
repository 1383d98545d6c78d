/**
 * <gd-diff-view>: the diff of a layer from one run to another (shared/run/compare.ts diffLayers, as the
 * host computed it): how many units kept their label, and the units whose label changed, that became
 * interpretable and that stopped being. Each unit is an item carrying `data-unit`; clicking it opens the
 * unit in the second run (`open-unit`).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { LayerDiff } from '../../extension/shared/webview/compare';
import { fmtIou } from '../shared/format';
import { baseStyles } from '../shared/theme';

export class DiffView extends LitElement {
  static override properties = {
    diff: { attribute: false },
    from: {},
    to: {},
  };

  declare diff: LayerDiff | undefined;
  /** The two runs' names. */
  declare from: string;
  declare to: string;

  constructor() {
    super();
    this.diff = undefined;
    this.from = '';
    this.to = '';
  }

  static override styles = [
    baseStyles,
    css`
      .line {
        margin: 4px 0 8px;
      }
      .lists {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(240px, 1fr));
        gap: 12px;
      }
      section {
        padding: 6px 8px;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
      }
      ul {
        margin: 4px 0 0;
        padding: 0;
        list-style: none;
      }
      li {
        padding: 1px 0;
      }
      li button {
        font: inherit;
        color: var(--vscode-textLink-foreground, #3794ff);
        background: none;
        border: none;
        padding: 0;
        cursor: pointer;
      }
      li button:hover {
        text-decoration: underline;
      }
      .iou {
        font-variant-numeric: tabular-nums;
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
    `,
  ];

  override render() {
    const d = this.diff;
    if (!d) return nothing;
    const unit = (u: number) => html`<button class="unit" title="Open unit ${u} of ${this.to}" @click=${() => this.open(u)}>unit ${u}</button>`;
    return html`<p class="line summary">
        ${d.layer}, ${this.from} → ${this.to}: ${d.same} unit${d.same === 1 ? '' : 's'} kept their label, ${d.changed.length} changed,
        ${d.became.length} became interpretable, ${d.stopped.length} stopped.
      </p>
      <div class="lists">
        <section class="changed" aria-label="Units whose label changed">
          <h3>Label changed (${d.changed.length})</h3>
          <ul>
            ${d.changed.map(
              (c) =>
                html`<li data-unit=${c.unit} data-from=${c.from} data-to=${c.to}>${unit(c.unit)}: ${c.from} <span class="iou">${fmtIou(c.iouFrom)}</span>
                  → ${c.to} <span class="iou">${fmtIou(c.iouTo)}</span></li>`,
            )}
          </ul>
        </section>
        <section class="became" aria-label="Units that became interpretable">
          <h3>Became interpretable (${d.became.length})</h3>
          <ul>
            ${d.became.map(
              (c) => html`<li data-unit=${c.unit} data-label=${c.label}>${unit(c.unit)}: ${c.label} <span class="iou">${fmtIou(c.iou)}</span></li>`,
            )}
          </ul>
        </section>
        <section class="stopped" aria-label="Units that stopped being interpretable">
          <h3>Stopped being interpretable (${d.stopped.length})</h3>
          <ul>
            ${d.stopped.map(
              (c) =>
                html`<li data-unit=${c.unit} data-label=${c.label}>${unit(c.unit)}: was ${c.label} <span class="iou">${fmtIou(c.iou)}</span></li>`,
            )}
          </ul>
        </section>
      </div>`;
  }

  private open(unit: number): void {
    this.dispatchEvent(new CustomEvent('open-unit', { detail: { unit }, bubbles: true, composed: true }));
  }
}

customElements.define('gd-diff-view', DiffView);

declare global {
  interface HTMLElementTagNameMap {
    'gd-diff-view': DiffView;
  }
}
