/**
 * <gd-units-table>: the layer's units as a sortable table (click a header, or Enter/Space on it) with a
 * thumbnail of each unit's best image and its artifact flags (the user's ⚑, the automatic "⚑ auto"). Rows
 * use a roving tabindex: ↑/↓/Home/End move focus, Enter or a click opens the unit. Fires `sort-change`
 * ({column}) and `open-unit` ({unit}).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { LayerPanelState, UnitRow } from '../../extension/shared/webview/layer';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtAct, fmtIouSe, fmtStability } from '../shared/format';
import { tileStyle, type Tile } from '../shared/strip';
import { baseStyles, categoryStyles } from '../shared/theme';
import { cssProps } from '../shared/css-props';
import type { SortColumn } from './units';

const THUMB_HEIGHT = 40;

const COLUMNS: { column: SortColumn; title: string; numeric: boolean }[] = [
  { column: 'unit', title: 'Unit', numeric: true },
  { column: 'label', title: 'Label', numeric: false },
  { column: 'category', title: 'Category', numeric: false },
  { column: 'iou', title: 'IoU', numeric: true },
  { column: 'iqr', title: 'IQR', numeric: true },
  { column: 'threshold', title: 'Threshold', numeric: true },
];

export class UnitsTable extends LitElement {
  static override properties = {
    units: { attribute: false },
    tile: { attribute: false },
    sort: { attribute: false },
    active: { state: true },
  };

  declare units: UnitRow[];
  declare tile: Tile;
  declare sort: LayerPanelState['sort'];
  /** Index (in `units`) of the row that holds the roving tabindex. */
  declare active: number;

  constructor() {
    super();
    this.units = [];
    this.tile = { width: 1, height: 1, gap: 0 };
    this.sort = { column: 'iou', descending: true };
    this.active = 0;
  }

  static override styles = [
    baseStyles,
    categoryStyles,
    css`
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th {
        position: sticky;
        top: 0;
        z-index: 1;
        background: var(--vscode-editor-background, #1e1e1e);
        text-align: left;
        font-weight: 600;
        padding: 4px 8px;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
        white-space: nowrap;
        user-select: none;
      }
      th.sortable {
        cursor: pointer;
      }
      th.sortable:hover {
        background: var(--vscode-list-hoverBackground, #2a2d2e);
      }
      th.num {
        text-align: right;
      }
      th .arrow {
        display: inline-block;
        width: 1em;
        text-align: center;
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
      td {
        padding: 2px 8px;
        vertical-align: middle;
        border-bottom: 1px solid var(--vscode-editorWidget-border, transparent);
      }
      tbody tr {
        cursor: pointer;
      }
      tbody tr:hover {
        background: var(--vscode-list-hoverBackground, #2a2d2e);
      }
      tbody tr:focus {
        outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder, #007fd4));
        outline-offset: -1px;
        background: var(--vscode-list-activeSelectionBackground, #04395e);
        color: var(--vscode-list-activeSelectionForeground, inherit);
      }
      tr.uninterpretable td.label {
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
      .thumb {
        border-radius: 2px;
        image-rendering: pixelated;
        background-color: var(--vscode-editorWidget-background, #252526);
      }
      .thumb.none {
        width: ${THUMB_HEIGHT}px;
        height: ${THUMB_HEIGHT}px;
        background: repeating-linear-gradient(
          -45deg,
          transparent 0 4px,
          var(--vscode-editorWidget-border, #454545) 4px 5px
        );
        opacity: 0.6;
      }
      .flag,
      .auto-flag {
        color: var(--gd-warning-text);
        margin-left: 4px;
      }
      .auto-flag {
        font-size: 0.85em;
      }
      .empty {
        padding: 12px 8px;
      }
    `,
  ];

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('units') && this.active >= this.units.length) this.active = Math.max(0, this.units.length - 1);
  }

  override render() {
    const { column, descending } = this.sort;
    const scale = THUMB_HEIGHT / Math.max(1, this.tile.height);
    return html`
      <table aria-label="Units" aria-rowcount=${this.units.length + 1}>
        <thead>
          <tr>
            ${COLUMNS.slice(0, 1).map((c) => this.header(c, column, descending))}
            <th scope="col"><span class="visually-hidden">Top image</span></th>
            ${COLUMNS.slice(1, 4).map((c) => this.header(c, column, descending))}
            <th scope="col" class="num" title="blocks of the dissection set in which this label wins alone">Stable</th>
            ${COLUMNS.slice(4).map((c) => this.header(c, column, descending))}
          </tr>
        </thead>
        <tbody @keydown=${this.onRowKey}>
          ${this.units.map(
            (u, i) => html`
              <tr
                tabindex=${i === this.active ? 0 : -1}
                data-unit=${u.unit}
                class=${u.interpretable ? 'interpretable' : 'uninterpretable'}
                @click=${() => this.open(i)}
                @focus=${() => (this.active = i)}
              >
                <td class="num unit">${u.unit}</td>
                <td>
                  ${
                    u.image
                      ? html`<div class="thumb" role="img" aria-label="best image of unit ${u.unit}"
                        ${cssProps(tileStyle(u.image, this.tile, Math.max(1, u.top.length), 0, scale))}></div>`
                      : html`<div class="thumb none" title="no images rendered"></div>`
                  }
                </td>
                <td class="label"><span class="dot ${categoryClass(u.category)}"></span>${u.label}${
                  u.flagged ? html`<span class="flag" title="flagged as an artifact by you">⚑</span>` : nothing
                }${u.autoFlagged ? html`<span class="auto-flag" title="flagged automatically: among the layer's least realistic units">⚑ auto</span>` : nothing}</td>
                <td class="category">${u.category}</td>
                <td class="num iou">${fmtIouSe(u.iou, u.stability)}</td>
                <td class="num stability" title="blocks of the dissection set in which this label wins alone">${fmtStability(u.stability)}</td>
                <td class="num iqr">${fmtAct(u.iqr)}</td>
                <td class="num threshold">${fmtAct(u.threshold)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      ${this.units.length === 0 ? html`<p class="muted empty">No units match the filter.</p>` : nothing}
    `;
  }

  private header(c: (typeof COLUMNS)[number], column: SortColumn, descending: boolean) {
    const sorted = c.column === column;
    const aria = sorted ? (descending ? 'descending' : 'ascending') : 'none';
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.emitSort(c.column);
      }
    };
    return html`<th
      scope="col"
      class="sortable ${c.numeric ? 'num' : ''}"
      data-column=${c.column}
      tabindex="0"
      aria-sort=${aria}
      @click=${() => this.emitSort(c.column)}
      @keydown=${onKey}
    >${c.title}<span class="arrow" aria-hidden="true">${sorted ? (descending ? '▼' : '▲') : ''}</span></th>`;
  }

  private emitSort(column: SortColumn): void {
    this.dispatchEvent(new CustomEvent('sort-change', { detail: { column }, bubbles: true, composed: true }));
  }

  private open(index: number): void {
    const u = this.units[index];
    if (!u) return;
    this.active = index;
    this.dispatchEvent(new CustomEvent('open-unit', { detail: { unit: u.unit }, bubbles: true, composed: true }));
  }

  private onRowKey = (e: KeyboardEvent): void => {
    const n = this.units.length;
    if (n === 0) return;
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(n - 1, this.active + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, this.active - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'PageDown':
        next = Math.min(n - 1, this.active + 10);
        break;
      case 'PageUp':
        next = Math.max(0, this.active - 10);
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.open(this.active);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.focusRow(next);
  };

  private async focusRow(index: number): Promise<void> {
    this.active = index;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`tbody tr:nth-child(${index + 1})`)?.focus();
  }
}

customElements.define('gd-units-table', UnitsTable);

declare global {
  interface HTMLElementTagNameMap {
    'gd-units-table': UnitsTable;
  }
}
