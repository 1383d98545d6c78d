/**
 * <gd-layer-app>: the layer panel. Shows a dissected layer (`{type:'layer'}`) as a table, a gallery, the
 * summary chart, and a comparison with a second layer (`{type:'compare'}`). Reaches the host only through
 * the `Host` seam; persists its LayerPanelState (sort, filter, interpretable-only, tab) on every change.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { LayerHostMessage, LayerPanelState, LayerProtocol, LayerView, LayerWebviewMessage } from '../../extension/shared/webview/layer';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import { DEFAULT_STATE, TABS, defaultDescending, filterUnits, restoreState, sortUnits, type SortColumn } from './units';
import './compare-view';
import './summary-chart';
import './units-gallery';
import './units-table';

const TAB_TITLES: Record<LayerPanelState['tab'], string> = {
  table: 'Table',
  gallery: 'Gallery',
  summary: 'Summary',
  compare: 'Compare',
};

export class LayerApp extends LitElement {
  static override properties = {
    view: { state: true },
    compare: { state: true },
    state: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<LayerProtocol> | undefined;
  declare view: LayerView | undefined;
  declare compare: LayerView | undefined;
  declare state: LayerPanelState;

  constructor() {
    super();
    this.view = undefined;
    this.compare = undefined;
    this.state = DEFAULT_STATE;
  }

  static override styles = [
    baseStyles,
    panelStyles,
    css`
      header {
        margin-bottom: 8px;
      }
      header .facts {
        flex: 1;
      }
      .filters {
        margin: 4px 0 8px;
      }
      .filters vscode-text-field {
        width: 280px;
        max-width: 100%;
      }
      vscode-panels {
        overflow: visible;
      }
      vscode-panel-view {
        padding: 8px 0 0;
        flex-direction: column;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    this.state = restoreState(this.host.getState<LayerPanelState>());
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private onMessage = (m: LayerHostMessage): void => {
    switch (m.type) {
      case 'layer':
        this.view = m.view;
        // the identity lets the host's serializer restore this panel after a reload
        this.update$({ runId: m.view.runId, layer: m.view.layer });
        break;
      case 'compare':
        this.compare = m.view;
        this.update$({ tab: 'compare' });
        break;
      case 'flagged':
        if (this.view && this.view.layer === m.layer) {
          this.view = { ...this.view, units: this.view.units.map((u) => (u.unit === m.unit ? { ...u, flagged: m.flagged } : u)) };
        }
        break;
      default:
        break;
    }
  };

  private post(msg: LayerWebviewMessage): void {
    this.host?.post(msg);
  }

  /** Applies a state change and persists it. */
  private update$(patch: Partial<LayerPanelState>): void {
    this.state = { ...this.state, ...patch };
    this.host?.setState<LayerPanelState>(this.state);
  }

  override render() {
    const v = this.view;
    if (!v) {
      return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading the dissected layer…</div>`;
    }
    const { tab } = this.state;
    const units = sortUnits(filterUnits(v.units, this.state.filter, this.state.interpretableOnly), this.state.sort);
    return html`
      <header>
        <h1 class="title">${v.model} · ${v.layer}</h1>
        <span class="facts muted">
          ${v.shape[0]} units · ${v.shape[1]}×${v.shape[2]} · ${v.samples} samples · ${v.threshold} threshold · ${v.provider}
        </span>
        <div class="toolbar actions" role="toolbar" aria-label="Layer actions">
          ${
            v.hasSource
              ? html`<vscode-button class="source" appearance="secondary" @click=${() => this.post({ type: 'goToSource', layer: v.layer })}>Go to Source</vscode-button>`
              : nothing
          }
          <vscode-button class="intervene" appearance="secondary" title="Ablate the units shown (up to 20, in table order) in the intervention panel"
            @click=${() => this.post({ type: 'intervene', layer: v.layer, units: units.slice(0, 20).map((u) => u.unit), mode: 'ablate' })}>Ablate shown units…</vscode-button>
          <vscode-button class="artifacts" appearance="secondary" title="Rank the units by how realistic their top images are, flag and repair artifact units"
            @click=${() => this.post({ type: 'openArtifacts', layer: v.layer })}>Find artifact units…</vscode-button>
          <vscode-button class="compare-layers" appearance="secondary" title="All layers of this run side by side: their concepts and the fraction of units per category"
            @click=${() => this.post({ type: 'compareLayers' })}>Compare Layers</vscode-button>
          <span class="muted">Export:</span>
          ${(['html', 'csv', 'json'] as const).map(
            (format) =>
              html`<vscode-button class="export" data-format=${format} appearance="secondary" title="Export the report as ${format.toUpperCase()}"
                @click=${() => this.post({ type: 'exportReport', format })}>${format.toUpperCase()}</vscode-button>`,
          )}
        </div>
      </header>
      ${
        tab === 'table' || tab === 'gallery'
          ? html`<div class="toolbar filters">
            <vscode-text-field class="filter" placeholder="Filter by label or concept" .value=${this.state.filter}
              aria-label="Filter units by label or concept" @input=${this.onFilter}></vscode-text-field>
            <vscode-checkbox class="interpretable" .checked=${this.state.interpretableOnly} @change=${this.onInterpretable}>Interpretable only</vscode-checkbox>
            <span class="count muted">${units.length} of ${v.units.length} units</span>
          </div>`
          : nothing
      }
      <vscode-panels aria-label="Layer views" activeid="tab-${tab}" @change=${this.onTab}>
        ${TABS.map((t) => html`<vscode-panel-tab id="tab-${t}">${TAB_TITLES[t]}</vscode-panel-tab>`)}
        <vscode-panel-view id="view-table">
          ${
            tab === 'table'
              ? html`<gd-units-table .units=${units} .tile=${v.tile} .sort=${this.state.sort} @sort-change=${this.onSort} @open-unit=${this.onOpen}></gd-units-table>`
              : nothing
          }
        </vscode-panel-view>
        <vscode-panel-view id="view-gallery">
          ${tab === 'gallery' ? html`<gd-units-gallery .units=${units} .tile=${v.tile} @open-unit=${this.onOpen}></gd-units-gallery>` : nothing}
        </vscode-panel-view>
        <vscode-panel-view id="view-summary">
          ${tab === 'summary' ? html`<gd-summary-chart .summary=${v.summary}></gd-summary-chart>` : nothing}
        </vscode-panel-view>
        <vscode-panel-view id="view-compare">
          ${
            tab === 'compare'
              ? html`<gd-compare-view .left=${v} .right=${this.compare} @pick-comparison=${() => this.post({ type: 'pickComparison' })}></gd-compare-view>`
              : nothing
          }
        </vscode-panel-view>
      </vscode-panels>
    `;
  }

  private onTab = (e: Event): void => {
    if (e.target !== e.currentTarget) return; // a `change` bubbling from inside a panel
    const id = (e.currentTarget as HTMLElement & { activeid?: string }).activeid ?? '';
    const tab = id.replace(/^tab-/, '') as LayerPanelState['tab'];
    if (TABS.includes(tab) && tab !== this.state.tab) this.update$({ tab });
  };

  private onFilter = (e: Event): void => {
    const value = (e.target as HTMLInputElement).value ?? '';
    if (value !== this.state.filter) this.update$({ filter: value });
  };

  private onInterpretable = (e: Event): void => {
    const checked = (e.target as HTMLInputElement).checked;
    if (checked !== this.state.interpretableOnly) this.update$({ interpretableOnly: checked });
  };

  private onSort = (e: CustomEvent<{ column: SortColumn }>): void => {
    const { column } = e.detail;
    const cur = this.state.sort;
    this.update$({ sort: column === cur.column ? { column, descending: !cur.descending } : { column, descending: defaultDescending(column) } });
  };

  private onOpen = (e: CustomEvent<{ unit: number }>): void => {
    if (this.view) this.post({ type: 'openUnit', layer: this.view.layer, unit: e.detail.unit });
  };
}

customElements.define('gd-layer-app', LayerApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-layer-app': LayerApp;
  }
}
