/** <gd-units-gallery>: one card per unit with its whole top-image strip; clicking a card fires `open-unit`. */
import { LitElement, css, html } from 'lit';
import type { UnitRow } from '../../extension/shared/webview/layer';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtIou } from '../shared/format';
import { stripWidth, type Tile } from '../shared/strip';
import { baseStyles, categoryStyles } from '../shared/theme';

export class UnitsGallery extends LitElement {
  static override properties = {
    units: { attribute: false },
    tile: { attribute: false },
  };

  declare units: UnitRow[];
  declare tile: Tile;

  constructor() {
    super();
    this.units = [];
    this.tile = { width: 1, height: 1, gap: 0 };
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      .cards {
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      .card {
        display: block;
        width: 100%;
        text-align: left;
        font: inherit;
        color: inherit;
        background: var(--vscode-editorWidget-background, #252526);
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        padding: 6px 8px 8px;
        cursor: pointer;
      }
      .card:hover {
        background: var(--vscode-list-hoverBackground, #2a2d2e);
      }
      .card:focus-visible {
        outline: 1px solid var(--vscode-focusBorder, #007fd4);
      }
      .caption {
        margin-bottom: 4px;
      }
      .caption .unit {
        font-weight: 600;
      }
      .uninterpretable .caption {
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
      img {
        display: block;
        max-width: 100%;
        height: auto;
        image-rendering: pixelated;
      }
      .noimage {
        font-style: italic;
      }
    `,
  ];

  override render() {
    if (this.units.length === 0) return html`<p class="muted">No units match the filter.</p>`;
    // Small tiles are scaled up by a whole factor (pixelated) so each is at least ~96 px tall.
    const scale = Math.max(1, Math.round(96 / Math.max(1, this.tile.height)));
    return html`<div class="cards">
      ${this.units.map(
        (u) => html`
          <button class="card ${u.interpretable ? 'interpretable' : 'uninterpretable'}" data-unit=${u.unit} @click=${() => this.open(u.unit)}>
            <div class="caption">
              <span class="dot ${categoryClass(u.category)}"></span><span class="unit">unit ${u.unit}</span> · ${u.label} · IoU ${fmtIou(u.iou)}${u.flagged ? ' · ⚑ flagged' : ''}${u.autoFlagged ? ' · ⚑ auto' : ''}
            </div>
            ${
              u.image
                ? html`<img
                  src=${u.image}
                  loading="lazy"
                  width=${stripWidth(this.tile, Math.max(1, u.top.length)) * scale}
                  height=${this.tile.height * scale}
                  alt="top images of unit ${u.unit}"
                />`
                : html`<span class="muted noimage">no images rendered</span>`
            }
          </button>
        `,
      )}
    </div>`;
  }

  private open(unit: number): void {
    this.dispatchEvent(new CustomEvent('open-unit', { detail: { unit }, bubbles: true, composed: true }));
  }
}

customElements.define('gd-units-gallery', UnitsGallery);

declare global {
  interface HTMLElementTagNameMap {
    'gd-units-gallery': UnitsGallery;
  }
}
