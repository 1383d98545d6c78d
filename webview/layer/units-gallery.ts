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
    zoom: { state: true },
  };

  declare units: UnitRow[];
  declare tile: Tile;
  /** Whole-number magnification of the strips' native pixels; 0 = automatic (tiles at least ~96 px tall). */
  declare zoom: number;

  constructor() {
    super();
    this.units = [];
    this.tile = { width: 1, height: 1, gap: 0 };
    this.zoom = 0;
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
      .strip {
        overflow-x: auto;
      }
      img {
        display: block;
        /* whole-number magnification only: never shrunk to the panel's width (that would blur or drop pixels) */
        max-width: none;
        image-rendering: pixelated;
      }
      .size {
        display: flex;
        align-items: center;
        gap: 6px;
        margin-bottom: 8px;
      }
      select.zoom {
        font: inherit;
        color: var(--vscode-dropdown-foreground);
        background: var(--vscode-dropdown-background);
        border: 1px solid var(--vscode-dropdown-border, transparent);
        padding: 1px 4px;
      }
      .noimage {
        font-style: italic;
      }
    `,
  ];

  override render() {
    if (this.units.length === 0) return html`<p class="muted">No units match the filter.</p>`;
    // Tiles are scaled up by a whole factor (pixelated): the user's, or so that each is at least ~96 px tall.
    const auto = Math.max(1, Math.round(96 / Math.max(1, this.tile.height)));
    const scale = this.zoom > 0 ? this.zoom : auto;
    return html`<label class="size"
        >Image size
        <select
          class="zoom"
          aria-label="image size"
          .value=${String(this.zoom)}
          @change=${(e: Event) => (this.zoom = Number((e.target as HTMLSelectElement).value))}
        >
          <option value="0">auto (×${auto})</option>
          ${[1, 2, 3, 4, 6, 8].map((z) => html`<option value=${z}>×${z} (${this.tile.height * z} px)</option>`)}
        </select></label
      >
      <div class="cards">
      ${this.units.map(
        (u) => html`
          <button class="card ${u.interpretable ? 'interpretable' : 'uninterpretable'}" data-unit=${u.unit} @click=${() => this.open(u.unit)}>
            <div class="caption">
              <span class="dot ${categoryClass(u.category)}"></span><span class="unit">unit ${u.unit}</span> · ${u.label} · IoU ${fmtIou(u.iou)}${u.flagged ? ' · ⚑ flagged' : ''}${u.autoFlagged ? ' · ⚑ auto' : ''}
            </div>
            ${
              u.image
                ? html`<div class="strip"><img
                  src=${u.image}
                  loading="lazy"
                  width=${stripWidth(this.tile, Math.max(1, u.top.length)) * scale}
                  height=${this.tile.height * scale}
                  alt="top images of unit ${u.unit}"
                /></div>`
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
