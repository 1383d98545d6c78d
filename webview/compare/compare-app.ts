/**
 * <gd-compare-app>: the compare panel (`{type:'compare'}`; the paper's Fig. 5–7, 19). A table of the
 * layers compared — interpretable units, concepts, units per concept, mean IoU and the quality column (the
 * realism where an artifacts run measured it, its label as the tooltip) — and their concept charts side by
 * side; for all layers of one run, the fraction of units per category by layer (Fig. 6); for runs, the diff of
 * two runs of a layer. Exports the comparison as HTML (`exportHtml`). Persists its ComparePanelState.
 */
import { LitElement, css, html, nothing } from 'lit';
import type {
  ComparedRow,
  CompareHostMessage,
  ComparePanelState,
  CompareProtocol,
  CompareView,
  CompareWebviewMessage,
} from '../../extension/shared/webview/compare';
import { controlStyles } from '../shared/controls';
import { fmtIou, fmtSig4 } from '../shared/format';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import '../layer/summary-chart';
import './category-fractions';
import './diff-view';

/** A row's figures as the layer summary chart takes them. */
function summaryOf(r: ComparedRow) {
  return { units: r.units, interpretable: r.interpretable, concepts: r.unitsPerConcept, categories: r.categories };
}

export class CompareApp extends LitElement {
  static override properties = {
    view: { state: true },
    state: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<CompareProtocol> | undefined;
  declare view: CompareView | undefined;
  declare state: ComparePanelState;

  constructor() {
    super();
    this.view = undefined;
    this.state = {};
  }

  static override styles = [
    baseStyles,
    panelStyles,
    controlStyles,
    css`
      header {
        margin-bottom: 8px;
      }
      header h1 {
        flex: 1;
      }
      h2 {
        margin: 16px 0 6px;
      }
      table.figures {
        border-collapse: collapse;
      }
      table.figures th,
      table.figures td {
        padding: 2px 10px;
        text-align: left;
        border-bottom: 1px solid var(--vscode-editorWidget-border, transparent);
      }
      table.figures th {
        font-weight: 600;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
      }
      table.figures .num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      button.link {
        font: inherit;
        color: var(--vscode-textLink-foreground, #3794ff);
        background: none;
        border: none;
        padding: 0;
        cursor: pointer;
        text-align: left;
      }
      button.link:hover {
        text-decoration: underline;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
        gap: 16px;
      }
      .charts gd-summary-chart {
        min-width: 0;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        padding: 8px;
      }
      .pair {
        margin: 4px 0 8px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    this.state = this.host.getState<ComparePanelState>() ?? {};
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private onMessage = (m: CompareHostMessage): void => {
    if (m.type !== 'compare') return;
    this.view = m.view;
    const first = m.view.items[0];
    const diff = this.state.diff !== undefined && this.state.diff < m.view.diffs.length ? this.state.diff : 0;
    // the identity lets the host's serializer restore this panel after a reload
    this.update$({ runId: first?.runId, layer: first?.layer ?? '', items: m.view.items, diff });
  };

  private post(msg: CompareWebviewMessage): void {
    this.host?.post(msg);
  }

  private update$(patch: Partial<ComparePanelState>): void {
    this.state = { ...this.state, ...patch };
    this.host?.setState<ComparePanelState>(this.state);
  }

  override render() {
    const v = this.view;
    if (!v) return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading the comparison…</div>`;
    const d = v.diffs[this.state.diff ?? 0];
    return html`
      <header>
        <h1 class="title">${v.title}</h1>
        <vscode-button class="export-html" appearance="secondary" title="Save the comparison (and the diff shown) as one HTML page"
          @click=${() => this.post({ type: 'exportHtml', ...(d ? { diff: { a: d.a, b: d.b } } : {}) })}>Export comparison as HTML…</vscode-button>
      </header>
      ${this.table(v)}
      <h2>${v.mode === 'layers' ? 'Concepts per layer' : 'Units per concept'}</h2>
      <div class="charts">
        ${v.rows.map(
          (r, i) =>
            html`<gd-summary-chart class="row-chart" data-row=${i} .summary=${summaryOf(r)} caption=${v.mode === 'layers' ? r.layer : `${r.run} · ${r.layer}`}></gd-summary-chart>`,
        )}
      </div>
      ${
        v.mode === 'layers'
          ? html`<h2>Fraction of units per category</h2>
            <gd-category-fractions .rows=${v.rows}></gd-category-fractions>`
          : this.diff(v)
      }
    `;
  }

  private table(v: CompareView) {
    return html`<table class="figures" aria-label="The layers compared">
      <thead>
        <tr>
          ${v.mode === 'runs' ? html`<th scope="col">Run</th><th scope="col">Model</th>` : nothing}
          <th scope="col">Layer</th>
          <th scope="col" class="num">Interpretable</th>
          <th scope="col" class="num">Concepts</th>
          <th scope="col" class="num">Mean IoU</th>
          <th scope="col" class="num" title="The generator's Fréchet distance to the reference, where an artifacts run measured it">Quality</th>
          <th scope="col">Units per concept</th>
        </tr>
      </thead>
      <tbody>
        ${v.rows.map(
          (r, i) => html`<tr data-row=${i} data-layer=${r.layer}>
            ${v.mode === 'runs' ? html`<td class="run">${r.run}</td><td class="model">${r.model}</td>` : nothing}
            <td><button class="link open" title="Open this layer" @click=${() => this.post({ type: 'openLayer', runId: r.runId, layer: r.layer })}>${r.layer}</button></td>
            <td class="num interpretable">${r.interpretable}/${r.units}</td>
            <td class="num concepts">${r.concepts}</td>
            <td class="num mean-iou">${fmtIou(r.meanIou)}</td>
            <td class="num quality">${r.realism ? html`<span title=${r.realism.label}>${fmtSig4(r.realism.distance)}</span>` : '—'}</td>
            <td class="per-concept">${r.unitsPerConcept
              .slice(0, 6)
              .map((c) => `${c.label} ${c.count}`)
              .join(', ')}${r.unitsPerConcept.length > 6 ? ', …' : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private diff(v: CompareView) {
    if (v.rows.length < 2) return nothing;
    if (v.diffs.length === 0)
      return html`<h2>Diff</h2>
        <p class="muted no-diff">A diff needs two runs of the same layer with the same units.</p>`;
    const index = this.state.diff ?? 0;
    const d = v.diffs[index];
    const name = (i: number) => `${v.rows[i].run} · ${v.rows[i].layer}`;
    return html`<h2>Diff</h2>
      ${
        v.diffs.length > 1
          ? html`<label class="field pair"><span>From → to</span>
            <select class="diff-pair" aria-label="Which two runs" @change=${this.onPair}>
              ${v.diffs.map((x, i) => html`<option value=${i} .selected=${i === index}>${name(x.a)} → ${name(x.b)}</option>`)}
            </select></label>`
          : nothing
      }
      <gd-diff-view .diff=${d.diff} from=${v.rows[d.a].run} to=${v.rows[d.b].run}
        @open-unit=${(e: CustomEvent<{ unit: number }>) => this.post({ type: 'openUnit', runId: v.rows[d.b].runId, layer: d.diff.layer, unit: e.detail.unit })}></gd-diff-view>`;
  }

  private onPair = (e: Event): void => {
    this.update$({ diff: Number((e.target as HTMLSelectElement).value) });
  };
}

customElements.define('gd-compare-app', CompareApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-compare-app': CompareApp;
  }
}
