/**
 * <gd-artifact-ranking>: a layer's units, least realistic first: rank, unit, distance, the dissection's
 * label, an "auto" badge for the automatic flags and a toggle for the user's flag, and the unit's top
 * samples as a strip scaled up by a whole factor (pixelated) so artifacts can be seen. Fires `flag-unit`
 * ({unit, flagged}) and `open-unit` ({unit}).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ArtifactRow } from '../../extension/shared/webview/artifacts';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtSig4 } from '../shared/format';
import { baseStyles, categoryStyles } from '../shared/theme';

/** Strips are scaled by the largest whole factor that keeps them about this tall (times the zoom). */
export const STRIP_TARGET_HEIGHT = 160;

/** The whole factor a strip `height` px tall is shown at. */
export function stripScale(height: number, zoom: number): number {
  return Math.max(1, Math.floor(STRIP_TARGET_HEIGHT / Math.max(1, height))) * zoom;
}

export class ArtifactRanking extends LitElement {
  static override properties = {
    rows: { attribute: false },
    manual: { attribute: false },
    zoom: { attribute: false },
    flagCount: { attribute: false },
  };

  declare rows: ArtifactRow[];
  /** The user's flags. */
  declare manual: ReadonlySet<number>;
  /** Multiplies the strips' automatic scale (1, 2, …). */
  declare zoom: number;
  declare flagCount: number;

  constructor() {
    super();
    this.rows = [];
    this.manual = new Set();
    this.zoom = 1;
    this.flagCount = 0;
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      li {
        padding: 6px 8px 8px;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        background: var(--vscode-editorWidget-background, #252526);
      }
      li.auto {
        border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 14px;
        margin-bottom: 6px;
      }
      .rank {
        font-weight: 600;
        min-width: 2.5em;
        font-variant-numeric: tabular-nums;
      }
      .unit {
        font: inherit;
        color: var(--vscode-textLink-foreground, #3794ff);
        background: none;
        border: none;
        padding: 0;
        cursor: pointer;
      }
      .unit:hover {
        text-decoration: underline;
      }
      .distance {
        font-variant-numeric: tabular-nums;
      }
      .badge {
        padding: 1px 6px;
        border-radius: 8px;
        font-size: 0.85em;
        background: var(--vscode-badge-background, #616161);
        color: var(--vscode-badge-foreground, #f8f8f8);
      }
      /* outlined in the warning colour: text on it would be below 4.5:1 in Light Modern (#bf8803) */
      .badge.auto {
        background: transparent;
        border: 1px solid var(--vscode-editorWarning-foreground, #cca700);
        color: var(--vscode-foreground, #cccccc);
      }
      .strip {
        overflow-x: auto;
      }
      .strip img {
        display: block;
        image-rendering: pixelated;
        border-radius: 2px;
      }
      .noimage {
        font-style: italic;
      }
    `,
  ];

  override render() {
    if (this.rows.length === 0) return html`<p class="muted empty">No units to show.</p>`;
    return html`<ol aria-label="Units, least realistic first">
      ${this.rows.map((r) => this.row(r))}
    </ol>`;
  }

  private row(r: ArtifactRow) {
    const manual = this.manual.has(r.unit);
    const scale = r.strip ? stripScale(r.strip.height, this.zoom) : 1;
    return html`<li class="row ${r.auto ? 'auto' : ''}" data-unit=${r.unit} data-rank=${r.rank}>
      <div class="line">
        <span class="rank" title="1 = the least realistic unit of the layer">#${r.rank}</span>
        <button class="unit" title="Open unit ${r.unit}" @click=${() => this.emit('open-unit', { unit: r.unit })}>unit ${r.unit}</button>
        <span class="distance" title="distance of its top samples to the reference">${fmtSig4(r.distance)}</span>
        ${
          r.label
            ? html`<span class="label ${r.interpretable ? '' : 'muted'}"><span class="dot ${categoryClass(r.category ?? '')}"></span>${r.label}</span>`
            : html`<span class="label muted">unlabelled</span>`
        }
        ${
          r.auto
            ? html`<span class="badge auto" title="flagged automatically: one of the ${this.flagCount} least realistic units">auto</span>`
            : nothing
        }
        <span class="spacer"></span>
        <vscode-button class="manual" appearance=${manual ? 'primary' : 'secondary'} aria-pressed=${manual ? 'true' : 'false'}
          title=${manual ? 'Clear your artifact flag' : 'Flag this unit as an artifact by eye'}
          @click=${() => this.emit('flag-unit', { unit: r.unit, flagged: !manual })}>${manual ? '⚑ Flagged by you' : 'Flag'}</vscode-button>
      </div>
      <div class="strip">
        ${
          r.strip
            ? html`<img src=${r.strip.src} loading="lazy" width=${r.strip.width * scale} height=${r.strip.height * scale}
              alt="top samples of unit ${r.unit}" />`
            : html`<span class="muted noimage">no top samples rendered</span>`
        }
      </div>
    </li>`;
  }

  private emit(name: 'open-unit' | 'flag-unit', detail: { unit: number; flagged?: boolean }): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

customElements.define('gd-artifact-ranking', ArtifactRanking);

declare global {
  interface HTMLElementTagNameMap {
    'gd-artifact-ranking': ArtifactRanking;
  }
}
