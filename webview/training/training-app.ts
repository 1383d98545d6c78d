/**
 * <gd-training-app>: the Training panel (`{type:'training'}`; the paper's S-6.6, Fig. 18). Says what the
 * watch is doing (`{type:'watch'}`; Stop posts `stopWatch`); charts a layer's interpretable units, concepts
 * and mean IoU over the steps and its units per concept as a stacked area; lists the checkpoints (open one,
 * compare some); and follows the units picked across the checkpoints with their top images
 * (`host.request('strips')`). Persists its TrainingPanelState.
 */
import { LitElement, css, html, nothing } from 'lit';
import {
  watchStatusText,
  type StepStrip,
  type TrainingHostMessage,
  type TrainingPanelState,
  type TrainingProtocol,
  type TrainingView,
  type TrainingWebviewMessage,
  type WatchStatus,
} from '../../extension/shared/webview/training';
import { controlStyles } from '../shared/controls';
import { cssProps } from '../shared/css-props';
import { fmtIou, fmtSig4 } from '../shared/format';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import { conceptBands, defaultUnits, figureOverSteps, layerAtSteps, unitChoices } from './series';
import type { UnitTimelineRow } from './unit-timeline';
import './concept-area';
import './step-chart';
import './unit-timeline';

export class TrainingApp extends LitElement {
  static override properties = {
    view: { state: true },
    status: { state: true },
    state: { state: true },
    strips: { state: true },
    loadingStrips: { state: true },
    picked: { state: true },
    error: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<TrainingProtocol> | undefined;
  declare view: TrainingView | undefined;
  declare status: WatchStatus;
  declare state: TrainingPanelState;
  /** Strips by `step:unit`. */
  declare strips: Map<string, StepStrip>;
  declare loadingStrips: boolean;
  /** Checkpoints (run folders) ticked for a comparison. */
  declare picked: Set<string>;
  declare error: string | undefined;

  /** Bumped on each strips request, so a late answer to an earlier one is dropped. */
  private stripsAsked = 0;
  /** The steps and units the strips were last asked for. */
  private stripsKey = '';

  constructor() {
    super();
    this.view = undefined;
    this.status = { state: 'stopped' };
    this.state = {};
    this.strips = new Map();
    this.loadingStrips = false;
    this.picked = new Set();
    this.error = undefined;
  }

  static override styles = [
    baseStyles,
    panelStyles,
    controlStyles,
    css`
      header {
        margin-bottom: 8px;
      }
      .facts {
        flex: 1;
      }
      .watch {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        margin: 6px 0 10px;
      }
      .track {
        width: 200px;
        height: 6px;
        border-radius: 3px;
        background: var(--vscode-input-background, #3c3c3c);
        overflow: hidden;
      }
      .fill {
        display: block;
        height: 100%;
        background: var(--vscode-progressBar-background, #0e70c0);
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
        gap: 16px;
        margin: 8px 0 16px;
      }
      .charts > * {
        min-width: 0;
        padding: 8px;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
      }
      .charts gd-concept-area {
        grid-column: span 2;
      }
      h2 {
        margin: 16px 0 6px;
      }
      table {
        border-collapse: collapse;
      }
      th,
      td {
        padding: 2px 10px;
        border-bottom: 1px solid var(--vscode-editorWidget-border, transparent);
        text-align: left;
      }
      th {
        font-weight: 600;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
      }
      td.num,
      th.num {
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
      }
      button.link:hover {
        text-decoration: underline;
      }
      .picker {
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
        align-items: flex-start;
        margin: 6px 0 10px;
      }
      select.units {
        min-width: 260px;
      }
      select.units option:checked {
        background: var(--vscode-list-activeSelectionBackground, #04395e);
        color: var(--vscode-list-activeSelectionForeground, #ffffff);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    this.state = this.host.getState<TrainingPanelState>() ?? {};
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private onMessage = (m: TrainingHostMessage): void => {
    switch (m.type) {
      case 'training': {
        this.view = m.view;
        this.status = m.view.watch;
        const shown = this.state.shown && m.view.layers.includes(this.state.shown) ? this.state.shown : m.view.layers[0];
        // the units picked (kept across updates), else the best ones once there are checkpoints
        const units = this.state.units?.length ? this.state.units : shown ? defaultUnits(m.view, shown) : [];
        // the identity lets the host's serializer restore this panel after a reload
        this.update$({ runId: m.view.seriesId, layer: '', ...(shown ? { shown } : {}), units });
        this.fetchStrips();
        break;
      }
      case 'watch':
        this.status = m.status;
        break;
      default:
        break;
    }
  };

  private post(msg: TrainingWebviewMessage): void {
    this.host?.post(msg);
  }

  private update$(patch: Partial<TrainingPanelState>): void {
    this.state = { ...this.state, ...patch };
    this.host?.setState<TrainingPanelState>(this.state);
  }

  private get layer(): string | undefined {
    return this.state.shown ?? this.view?.layers[0];
  }

  /** Asks for the strips of the units shown at every checkpoint, when the units or the checkpoints changed. */
  private fetchStrips(): void {
    const v = this.view;
    const layer = this.layer;
    const units = this.state.units ?? [];
    if (!v || !layer || !this.host) return;
    const key = `${layer}|${units.join(',')}|${v.checkpoints.map((c) => c.step).join(',')}`;
    if (key === this.stripsKey) return;
    this.stripsKey = key;
    if (units.length === 0) {
      this.strips = new Map();
      return;
    }
    const asked = ++this.stripsAsked;
    this.loadingStrips = true;
    this.host
      .request('strips', { layer, units })
      .then((strips) => {
        if (asked !== this.stripsAsked) return;
        this.strips = new Map(strips.map((s) => [`${s.step}:${s.unit}`, s]));
        this.error = undefined;
      })
      .catch((e: Error) => {
        if (asked === this.stripsAsked) this.error = e.message;
      })
      .finally(() => {
        if (asked === this.stripsAsked) this.loadingStrips = false;
      });
  }

  override render() {
    const v = this.view;
    if (!v) return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading the checkpoint series…</div>`;
    const layer = this.layer;
    return html`
      <header>
        <h1 class="title">Training · ${v.display}</h1>
        <span class="facts muted">
          ${v.checkpoints.length} checkpoint${v.checkpoints.length === 1 ? '' : 's'} · ${v.settings.samples} samples each (seed ${v.settings.seed}) ·
          ${v.settings.threshold} threshold
        </span>
        ${
          v.layers.length > 1
            ? html`<label class="field"><span>Layer</span>
              <select class="layer" aria-label="Layer" @change=${this.onLayer}>
                ${v.layers.map((l) => html`<option value=${l} .selected=${l === layer}>${l}</option>`)}
              </select></label>`
            : nothing
        }
      </header>
      ${this.watchLine(v)}
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      ${layer ? this.charts(v, layer) : nothing}
      ${this.checkpointTable(v, layer)}
      ${layer ? this.timeline(v, layer) : nothing}
    `;
  }

  private watchLine(v: TrainingView) {
    const s = this.status;
    const text = watchStatusText(s, v.display);
    return html`<div class="watch" role="status">
      <span class="status" data-state=${s.state}>${s.state === 'stopped' ? 'Not watching: the series as it is on disk.' : text}</span>
      ${
        s.state === 'dissecting'
          ? html`<span class="track" aria-hidden="true"><span class="fill" ${cssProps({ width: `${Math.round((s.done ?? 0) * 100)}%` })}></span></span>`
          : nothing
      }
      ${
        s.state !== 'stopped'
          ? html`<vscode-button class="stop" appearance="secondary" @click=${() => this.post({ type: 'stopWatch' })}>Stop Watching</vscode-button>`
          : nothing
      }
    </div>`;
  }

  private charts(v: TrainingView, layer: string) {
    const units = layerAtSteps(v, layer).at(-1)?.figures.units;
    const { steps, bands } = conceptBands(v, layer);
    return html`<div class="charts">
      <gd-step-chart name="interpretable" caption="Interpretable units" .points=${figureOverSteps(v, layer, (f) => f.interpretable)}
        .max=${units} .format=${(x: number) => String(Math.round(x))}></gd-step-chart>
      <gd-step-chart name="concepts" caption="Concepts" .points=${figureOverSteps(v, layer, (f) => f.concepts)}
        .format=${(x: number) => String(Math.round(x))}></gd-step-chart>
      <gd-step-chart name="mean-iou" caption="Mean IoU of the interpretable units" .points=${figureOverSteps(v, layer, (f) => f.meanIou)}
        .format=${fmtIou}></gd-step-chart>
      <gd-concept-area .steps=${steps} .bands=${bands} .colours=${v.colours}></gd-concept-area>
    </div>`;
  }

  private checkpointTable(v: TrainingView, layer: string | undefined) {
    if (v.checkpoints.length === 0)
      return html`<p class="muted empty">No checkpoint dissected yet: each ONNX file that lands in ${v.display} is dissected once it is complete.</p>`;
    const rows = layer ? layerAtSteps(v, layer) : [];
    const files = new Map(v.checkpoints.map((c) => [c.runId, c.file]));
    const picked = [...this.picked].filter((r) => rows.some((x) => x.runId === r));
    return html`<h2>Checkpoints</h2>
      <div class="toolbar">
        <vscode-button class="compare" appearance="secondary" ?disabled=${picked.length < 2}
          title="The ticked checkpoints side by side, with the diff of two" @click=${() => this.compare(picked, layer)}>Compare ticked (${picked.length})</vscode-button>
      </div>
      <table class="checkpoints" aria-label="Checkpoints">
        <thead>
          <tr>
            <th scope="col"><span class="visually-hidden">Compare</span></th>
            <th scope="col">Step</th>
            <th scope="col">File</th>
            <th scope="col" class="num">Interpretable</th>
            <th scope="col" class="num">Concepts</th>
            <th scope="col" class="num">Mean IoU</th>
            <th scope="col" class="num">Quality</th>
            <th scope="col">Top concepts</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr data-step=${r.step}>
              <td><input type="checkbox" class="pick" aria-label="compare step ${r.step}" .checked=${this.picked.has(r.runId)}
                @change=${(e: Event) => this.pick(r.runId, (e.target as HTMLInputElement).checked)} /></td>
              <td><button class="link open" title="Open this checkpoint's ${r.figures.layer}"
                @click=${() => this.post({ type: 'openCheckpoint', runId: r.runId, layer: r.figures.layer })}>step ${r.step}</button></td>
              <td class="file">${files.get(r.runId) ?? ''}</td>
              <td class="num interpretable">${r.figures.interpretable}/${r.figures.units}</td>
              <td class="num concepts">${r.figures.concepts}</td>
              <td class="num mean-iou">${fmtIou(r.figures.meanIou)}</td>
              <td class="num quality">${r.figures.realism ? html`<span title=${r.figures.realism.label}>${fmtSig4(r.figures.realism.distance)}</span>` : '—'}</td>
              <td class="top">${r.figures.unitsPerConcept
                .slice(0, 5)
                .map((c) => `${c.label} ${c.count}`)
                .join(', ')}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  private timeline(v: TrainingView, layer: string) {
    const filter = (this.state.filter ?? '').trim().toLowerCase();
    const units = this.state.units ?? [];
    const chosen = new Set(units);
    const choices = unitChoices(v, layer).filter(
      (c) => chosen.has(c.unit) || !filter || String(c.unit) === filter || c.label.toLowerCase().includes(filter),
    );
    const rows: UnitTimelineRow[] = units.map((unit) => ({
      unit,
      steps: layerAtSteps(v, layer).map((x) => {
        const strip = this.strips.get(`${x.step}:${unit}`)?.strip;
        return { step: x.step, runId: x.runId, label: x.figures.labels[unit] ?? '-', iou: x.figures.ious[unit] ?? 0, ...(strip ? { strip } : {}) };
      }),
    }));
    return html`<h2>Unit timeline</h2>
      <div class="picker">
        <label class="field"><span>Filter</span>
          <input type="search" class="unit-filter" placeholder="unit number or label" .value=${this.state.filter ?? ''}
            aria-label="Filter the units by number or label" @input=${this.onFilter} /></label>
        <select class="units" multiple size="6" aria-label="Units to follow (best IoU at the last checkpoint first)" @change=${this.onUnits}>
          ${choices.map(
            (c) =>
              html`<option value=${c.unit} .selected=${chosen.has(c.unit)}>unit ${c.unit} · ${c.label === '-' ? 'uninterpretable' : c.label} · ${fmtIou(c.iou)}</option>`,
          )}
        </select>
      </div>
      <gd-unit-timeline .rows=${rows} .loading=${this.loadingStrips}
        @open-checkpoint=${(e: CustomEvent<{ runId: string }>) => this.post({ type: 'openCheckpoint', runId: e.detail.runId, layer })}></gd-unit-timeline>`;
  }

  private onLayer = (e: Event): void => {
    const shown = (e.target as HTMLSelectElement).value;
    if (!this.view || shown === this.layer) return;
    this.update$({ shown, units: defaultUnits(this.view, shown) });
    this.fetchStrips();
  };

  private onFilter = (e: Event): void => {
    this.update$({ filter: (e.target as HTMLInputElement).value });
  };

  private onUnits = (e: Event): void => {
    const units = Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => Number(o.value));
    this.update$({ units });
    this.fetchStrips();
  };

  private pick(runId: string, on: boolean): void {
    const next = new Set(this.picked);
    if (on) next.add(runId);
    else next.delete(runId);
    this.picked = next;
  }

  private compare(runIds: string[], layer: string | undefined): void {
    if (!this.view || runIds.length < 2) return;
    const order = new Map(this.view.checkpoints.map((c, i) => [c.runId, i]));
    const items = [...runIds].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)).map((runId) => ({ runId, ...(layer ? { layer } : {}) }));
    this.post({ type: 'compare', items });
  }
}

customElements.define('gd-training-app', TrainingApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-training-app': TrainingApp;
  }
}
