/**
 * <gd-unit-app>: the unit panel (`{type:'unit'}`): the unit's top images large (each strip tile ×3,
 * pixelated, captioned), its best concepts, its numbers, its realism score when the layer has an artifacts
 * result, flagging (reflects `{type:'flagged'}` replies; shows the automatic flag),
 * Go to Source, and heatmaps on fresh samples fetched with `host.request`.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { HeatmapSet, UnitHostMessage, UnitProtocol, UnitView, UnitWebviewMessage } from '../../extension/shared/webview/unit';
import { categoryClass } from '../../extension/shared/webview/colours';
import { fmtAct, fmtSig4, fmtIou, fmtIouSe, fmtStability } from '../shared/format';
import type { Host } from '../shared/host';
import type { PanelIdentity } from '../../extension/shared/webview/common';
import { tileStyle } from '../shared/strip';
import { baseStyles, categoryStyles, panelStyles } from '../shared/theme';
import './concept-bars';
import { cssProps } from '../shared/css-props';
import './heatmaps';

const TILE_SCALE = 3;
const HEATMAP_COUNT = 6;

type HeatmapState = { status: 'idle' } | { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; set: HeatmapSet };

export class UnitApp extends LitElement {
  static override properties = {
    view: { state: true },
    heatmaps: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<UnitProtocol> | undefined;
  declare view: UnitView | undefined;
  declare heatmaps: HeatmapState;
  /** Bumped when another unit arrives, so a late heatmap answer for the previous one is dropped. */
  private generation = 0;

  constructor() {
    super();
    this.view = undefined;
    this.heatmaps = { status: 'idle' };
  }

  static override styles = [
    baseStyles,
    panelStyles,
    categoryStyles,
    css`
      section {
        margin-top: 16px;
      }
      h2 {
        margin-bottom: 8px;
      }
      dl.facts {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 20px;
        margin: 8px 0;
      }
      dl.facts div {
        display: flex;
        gap: 6px;
      }
      dt {
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .flagged,
      .auto-flagged {
        color: var(--gd-warning-text);
      }
      .realism {
        margin: 4px 0 8px;
      }
      .tiles {
        display: flex;
        flex-wrap: wrap;
        gap: 10px;
      }
      figure {
        margin: 0;
      }
      .tile {
        image-rendering: pixelated;
        border-radius: 2px;
        background-color: var(--vscode-editorWidget-background, #252526);
      }
      figcaption {
        margin-top: 2px;
        font-size: 0.9em;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private onMessage = (m: UnitHostMessage): void => {
    switch (m.type) {
      case 'unit':
        // the identity lets the host's serializer restore this panel after a reload
        this.host?.setState<PanelIdentity>({ runId: m.view.runId, layer: m.view.layer, unit: m.view.unit.unit });
        if (!this.view || this.view.layer !== m.view.layer || this.view.unit.unit !== m.view.unit.unit) {
          this.generation++;
          this.heatmaps = { status: 'idle' };
        }
        this.view = m.view;
        break;
      case 'flagged':
        if (this.view && this.view.layer === m.layer && this.view.unit.unit === m.unit) {
          this.view = { ...this.view, unit: { ...this.view.unit, flagged: m.flagged } };
        }
        break;
      default:
        break;
    }
  };

  private post(msg: UnitWebviewMessage): void {
    this.host?.post(msg);
  }

  override render() {
    const v = this.view;
    if (!v) return html`<div class="loading muted"><vscode-progress-ring></vscode-progress-ring> Loading the unit…</div>`;
    const u = v.unit;
    return html`
      <header>
        <h1 class="title">unit ${u.unit} · <span class="dot ${categoryClass(u.category)}"></span>${u.label}</h1>
        <span class="muted">${v.model} · ${v.layer}</span>
        ${u.flagged ? html`<span class="flagged" title="flagged as an artifact unit">⚑ flagged as artifact</span>` : nothing}
        ${
          u.autoFlagged
            ? html`<span class="auto-flagged" title="among the layer's least realistic units in its last artifacts run">⚑ flagged automatically</span>`
            : nothing
        }
      </header>
      <dl class="facts">
        <div><dt>Label</dt><dd class="label">${u.label}</dd></div>
        <div><dt>Category</dt><dd class="category">${u.category}</dd></div>
        <div><dt>IoU</dt><dd class="iou" title="± the jackknife standard error over the dissection set's blocks">${fmtIouSe(u.iou, u.stability)}</dd></div>
        ${
          u.stability
            ? html`<div><dt>Label stable</dt><dd class="stability" title="blocks of the dissection set in which this label wins alone">in ${fmtStability(u.stability)} blocks</dd></div>`
            : nothing
        }
        <div><dt>IQR</dt><dd class="iqr">${fmtAct(u.iqr)}</dd></div>
        <div><dt>Threshold</dt><dd class="threshold">${fmtAct(u.threshold)}</dd></div>
        <div><dt>Interpretable</dt><dd class="interpretable">${u.interpretable ? 'yes' : 'no'}</dd></div>
      </dl>
      ${
        v.realism
          ? html`<p class="realism">
            Realism: rank <strong class="rank">${v.realism.rank}</strong> of ${v.realism.of} <span class="muted">(1 = least realistic)</span>, distance
            <strong class="distance">${fmtSig4(v.realism.distance)}</strong> <span class="muted measure">— ${v.realism.label} to ${v.realism.reference}</span>
          </p>`
          : nothing
      }
      <div class="toolbar actions" role="toolbar" aria-label="Unit actions">
        <vscode-button class="flag" appearance="secondary" @click=${this.toggleFlag}>${u.flagged ? 'Unflag' : 'Flag as artifact'}</vscode-button>
        <vscode-button class="ablate" appearance="secondary" title="Open the intervention panel with this unit switched off"
          @click=${() => this.post({ type: 'intervene', layer: v.layer, units: [u.unit], mode: 'ablate' })}>Ablate…</vscode-button>
        <vscode-button class="insert" appearance="secondary" title="Open the intervention panel with this unit switched on"
          @click=${() => this.post({ type: 'intervene', layer: v.layer, units: [u.unit], mode: 'insert' })}>Insert…</vscode-button>
        ${
          v.hasSource
            ? html`<vscode-button class="source" appearance="secondary" @click=${() => this.post({ type: 'goToSource', layer: v.layer })}>Go to Source</vscode-button>`
            : nothing
        }
        <vscode-button class="artifacts" appearance="secondary" title="Rank the layer's units by realism, flag and repair artifact units"
          @click=${() => this.post({ type: 'openArtifacts', layer: v.layer })}>Artifact units…</vscode-button>
        <vscode-button class="show-heatmaps" ?disabled=${this.heatmaps.status === 'loading'} @click=${this.loadHeatmaps}>Show heatmaps on fresh samples</vscode-button>
      </div>
      <section class="top">
        <h2>Top images</h2>
        ${this.renderTiles(v)}
      </section>
      <section class="concepts">
        <h2>Best concepts</h2>
        <gd-concept-bars .concepts=${u.concepts}></gd-concept-bars>
      </section>
      ${
        u.detectors && u.detectors.length > 0
          ? html`<section class="detectors">
            <h2>As a detector of each concept</h2>
            <p class="muted">Each at its own threshold t<sub>u,c</sub> (Eq. 2), on the threshold-selection set.</p>
            <ul>
              ${u.detectors.map(
                (d) =>
                  html`<li class="detector"><span class="dot ${categoryClass(d.category)}"></span>as a ${d.label} detector: IoU ${fmtIou(d.iou)} at threshold ${fmtAct(d.threshold)}</li>`,
              )}
            </ul>
          </section>`
          : nothing
      }
      <section class="heatmaps">${this.renderHeatmaps(u.unit)}</section>
    `;
  }

  private renderTiles(v: UnitView) {
    const u = v.unit;
    if (!u.image || u.top.length === 0) return html`<p class="muted">No top images rendered for this unit.</p>`;
    const image = u.image;
    return html`<div class="tiles">
      ${u.top.map(
        (t, i) => html`<figure class="top-image" data-sample=${t.sample}>
          <div class="tile" role="img" aria-label="sample ${t.sample}, rank ${i + 1}"
            ${cssProps(tileStyle(image, v.tile, u.top.length, i, TILE_SCALE))}></div>
          <figcaption class="muted">#${t.sample} · max ${fmtAct(t.maxact)}</figcaption>
        </figure>`,
      )}
    </div>`;
  }

  private renderHeatmaps(unit: number) {
    const h = this.heatmaps;
    switch (h.status) {
      case 'idle':
        return nothing;
      case 'loading':
        return html`<h2>Fresh samples</h2>
          <div class="loading muted" role="status"><vscode-progress-ring></vscode-progress-ring> Generating samples…</div>`;
      case 'error':
        return html`<h2>Fresh samples</h2>
          <p class="error" role="alert">Could not compute heatmaps: ${h.message}</p>`;
      case 'done':
        return html`<h2>Fresh samples</h2>
          <gd-heatmaps .set=${h.set} .unit=${unit}></gd-heatmaps>`;
    }
  }

  private toggleFlag = (): void => {
    const v = this.view;
    if (v) this.post({ type: 'flagUnit', layer: v.layer, unit: v.unit.unit, flagged: !v.unit.flagged });
  };

  private loadHeatmaps = async (): Promise<void> => {
    const v = this.view;
    if (!v || !this.host || this.heatmaps.status === 'loading') return;
    const generation = this.generation;
    this.heatmaps = { status: 'loading' };
    try {
      const set = await this.host.request('heatmaps', { layer: v.layer, unit: v.unit.unit, count: HEATMAP_COUNT });
      if (generation !== this.generation) return;
      this.heatmaps = { status: 'done', set };
    } catch (e) {
      if (generation !== this.generation) return;
      this.heatmaps = { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  };
}

customElements.define('gd-unit-app', UnitApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-unit-app': UnitApp;
  }
}
