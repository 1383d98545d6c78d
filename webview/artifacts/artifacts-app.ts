/**
 * <gd-artifacts-app>: the artifacts panel (`{type:'artifacts'}`; the paper's S-6.1, §4.2 Table 1, S-6.3).
 * Says what the distances are measured in and against what, exactly as the result labels them; starts a
 * run with `host.request('run')` (progress arrives as `{type:'progress'}` with the job id; Cancel posts
 * `cancelJob`); shows the units least realistic first with their top samples, the automatic flags and the
 * user's (toggled with `flagUnit`, reflected from `{type:'flagged'}`) and how they agree (Fig. 12); the
 * repair's measure and pairs; the realistic-units-only summary; and saves the repaired generator.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PanelIdentity } from '../../extension/shared/webview/common';
import {
  DEFAULT_ARTIFACT_SAMPLES,
  flagAgreement,
  type ArtifactsHostMessage,
  type ArtifactsProtocol,
  type ArtifactsView,
  type ArtifactsWebviewMessage,
} from '../../extension/shared/webview/artifacts';
import { controlStyles } from '../shared/controls';
import { cssProps } from '../shared/css-props';
import { fmtShare } from '../shared/format';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import type { SaveState, UnitChoice } from './save-repaired';
import './artifact-ranking';
import './realistic-view';
import './repair-view';
import './save-repaired';

const TABS = ['ranking', 'repair', 'realistic'] as const;
type Tab = (typeof TABS)[number];
const TAB_TITLES: Record<Tab, string> = { ranking: 'Ranking', repair: 'Repair', realistic: 'Realistic units only' };
const ZOOMS = [1, 2, 3, 4];

interface Job {
  job: string;
  done: number;
  total: number;
  what: string;
}

interface ArtifactsPanelState extends PanelIdentity {
  samples?: number;
  top?: number;
  flag?: number;
  zoom?: number;
  flaggedOnly?: boolean;
  tab?: Tab;
}

let jobCounter = 0;
function newJobId(): string {
  jobCounter++;
  return `artifacts-${Date.now().toString(36)}-${jobCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export class ArtifactsApp extends LitElement {
  static override properties = {
    view: { state: true },
    manual: { state: true },
    job: { state: true },
    error: { state: true },
    saving: { state: true },
    samples: { state: true },
    top: { state: true },
    flag: { state: true },
    zoom: { state: true },
    flaggedOnly: { state: true },
    tab: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<ArtifactsProtocol> | undefined;
  declare view: ArtifactsView | undefined;
  /** The user's flags, as the host last confirmed them. */
  declare manual: Set<number>;
  declare job: Job | undefined;
  declare error: string | undefined;
  declare saving: SaveState;
  declare samples: number | undefined;
  declare top: number | undefined;
  declare flag: number | undefined;
  declare zoom: number;
  declare flaggedOnly: boolean;
  declare tab: Tab;

  private cancelled = new Set<string>();
  /** Bumped when another layer arrives, so late answers for the previous one are dropped. */
  private generation = 0;

  constructor() {
    super();
    this.view = undefined;
    this.manual = new Set();
    this.job = undefined;
    this.error = undefined;
    this.saving = { status: 'idle' };
    this.samples = undefined;
    this.top = undefined;
    this.flag = undefined;
    this.zoom = 1;
    this.flaggedOnly = false;
    this.tab = 'ranking';
  }

  static override styles = [
    baseStyles,
    panelStyles,
    controlStyles,
    css`
      header {
        margin-bottom: 8px;
      }
      .measure {
        margin: 4px 0;
      }
      .measure strong {
        font-weight: 600;
      }
      .form {
        gap: 8px 14px;
        margin: 8px 0;
      }
      .job {
        display: flex;
        align-items: center;
        gap: 10px;
        margin: 8px 0;
      }
      .track {
        width: 240px;
        height: 6px;
        border-radius: 3px;
        background: var(--vscode-input-background, #3c3c3c);
        overflow: hidden;
        flex: none;
      }
      .fill {
        height: 100%;
        background: var(--vscode-progressBar-background, #0e70c0);
      }
      .tabs {
        display: flex;
        gap: 2px;
        margin: 12px 0 8px;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #444));
      }
      .tabs button {
        font: inherit;
        color: var(--vscode-panelTitle-inactiveForeground, #9d9d9d);
        background: none;
        border: none;
        border-bottom: 1px solid transparent;
        padding: 4px 10px;
        cursor: pointer;
      }
      .tabs button[aria-selected='true'] {
        color: var(--vscode-panelTitle-activeForeground, #cccccc);
        border-bottom-color: var(--vscode-panelTitle-activeBorder, #0078d4);
      }
      section h2 {
        margin: 12px 0 4px;
      }
      .filters {
        margin-bottom: 8px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    const s = this.host.getState<ArtifactsPanelState>();
    if (s) {
      if (typeof s.samples === 'number') this.samples = s.samples;
      if (typeof s.top === 'number') this.top = s.top;
      if (typeof s.flag === 'number') this.flag = s.flag;
      if (typeof s.zoom === 'number' && ZOOMS.includes(s.zoom)) this.zoom = s.zoom;
      if (typeof s.flaggedOnly === 'boolean') this.flaggedOnly = s.flaggedOnly;
      if (TABS.includes(s.tab as Tab)) this.tab = s.tab as Tab;
    }
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private post(msg: ArtifactsWebviewMessage): void {
    this.host?.post(msg);
  }

  private persist(): void {
    const v = this.view;
    if (!v) return;
    this.host?.setState<ArtifactsPanelState>({
      runId: v.runId,
      layer: v.layer,
      ...(this.samples !== undefined ? { samples: this.samples } : {}),
      ...(this.top !== undefined ? { top: this.top } : {}),
      ...(this.flag !== undefined ? { flag: this.flag } : {}),
      zoom: this.zoom,
      flaggedOnly: this.flaggedOnly,
      tab: this.tab,
    });
  }

  private onMessage = (m: ArtifactsHostMessage): void => {
    switch (m.type) {
      case 'artifacts':
        this.show(m.view);
        break;
      case 'progress':
        if (this.job?.job === m.job) this.job = { ...this.job, done: m.done, total: m.total, what: m.what };
        break;
      case 'flagged':
        if (this.view?.layer === m.layer) {
          const manual = new Set(this.manual);
          if (m.flagged) manual.add(m.unit);
          else manual.delete(m.unit);
          this.manual = manual;
        }
        break;
      default:
        break;
    }
  };

  private show(view: ArtifactsView): void {
    if (!this.view || this.view.runId !== view.runId || this.view.layer !== view.layer) {
      this.generation++;
      this.job = undefined;
      this.error = undefined;
      this.saving = { status: 'idle' };
    }
    this.view = view;
    this.manual = new Set(view.manual);
    this.persist();
  }

  private async run(): Promise<void> {
    const host = this.host;
    const v = this.view;
    if (!host || !v || this.job) return;
    const job = newJobId();
    const generation = this.generation;
    this.job = { job, done: 0, total: 0, what: 'starting…' };
    this.error = undefined;
    try {
      const samples = this.samples ?? v.result?.samples ?? DEFAULT_ARTIFACT_SAMPLES;
      const next = await host.request('run', {
        job,
        samples,
        ...(this.top !== undefined ? { top: this.top } : {}),
        ...(this.flag !== undefined ? { flag: this.flag } : {}),
      });
      if (generation !== this.generation) return;
      this.saving = { status: 'idle' };
      this.show(next);
    } catch (e) {
      if (generation === this.generation && !this.cancelled.has(job)) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (this.job?.job === job) this.job = undefined;
      this.cancelled.delete(job);
    }
  }

  private cancel(): void {
    const j = this.job;
    if (!j) return;
    this.cancelled.add(j.job);
    this.post({ type: 'cancelJob', job: j.job });
    this.job = undefined;
  }

  private async save(units: number[]): Promise<void> {
    if (!this.host || this.saving.status === 'saving') return;
    const generation = this.generation;
    this.saving = { status: 'saving' };
    try {
      const outcome = await this.host.request('save', { units });
      if (generation === this.generation) this.saving = outcome.saved ? { status: 'done', outcome } : { status: 'idle' };
    } catch (e) {
      if (generation === this.generation) this.saving = { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  }

  /** A whole number from an input, or undefined when empty; the old value when it is not a whole number ≥ min. */
  private numberInput(e: Event, min: number, old: number | undefined): number | undefined {
    const raw = (e.target as HTMLInputElement).value.trim();
    if (raw === '') return undefined;
    const n = Math.round(Number(raw));
    return Number.isFinite(n) && n >= min ? n : old;
  }

  override render() {
    const v = this.view;
    if (!v) return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading…</div>`;
    const r = v.result;
    return html`
      <header>
        <h1 class="title">Artifact units · ${v.layer}</h1>
        <span class="muted">${v.model} · ${v.units} units</span>
      </header>
      ${
        r
          ? html`<p class="measure">
              <strong class="features">${r.features.label}</strong> of each unit's top samples to
              <strong class="reference">${r.reference.label}</strong>
            </p>
            <p class="facts muted">
              ${r.samples} samples searched (seed ${r.seed}) · top ${r.top} per unit · ${r.flagged.length} flagged automatically · ${r.provider} ·
              ${Math.round(r.seconds)} s
            </p>`
          : nothing
      }
      ${this.renderForm(v)}
      ${this.renderJob()}
      ${this.error ? html`<p class="error" role="alert">The artifacts run failed: ${this.error}</p>` : nothing}
      ${
        r
          ? this.renderResult(v, r)
          : html`<p class="muted empty">
            No artifacts run for this layer yet. A run scores each of its ${v.units} units by how far the features of the samples that
            most activate it are from a reference, flags the least realistic ones, and measures the repair.
          </p>`
      }
    `;
  }

  private renderForm(v: ArtifactsView) {
    const samples = this.samples ?? v.result?.samples ?? DEFAULT_ARTIFACT_SAMPLES;
    return html`<div class="toolbar form" role="group" aria-label="Artifacts run">
      <label class="field"><span>Samples</span>
        <input class="samples" type="number" min="2" step="100" .value=${String(samples)} @change=${(e: Event) => {
          this.samples = this.numberInput(e, 2, this.samples);
          this.persist();
        }} /></label>
      <label class="field" title="top samples per unit (empty: 5% of the samples, at least 20)"><span>Top per unit</span>
        <input class="top" type="number" min="1" placeholder="5%" .value=${this.top === undefined ? '' : String(this.top)} @change=${(e: Event) => {
          this.top = this.numberInput(e, 1, this.top);
          this.persist();
        }} /></label>
      <label class="field" title="how many of the least realistic units to flag (empty: 20 of 512, in proportion)"><span>Flag worst</span>
        <input class="flag" type="number" min="1" placeholder="auto" .value=${this.flag === undefined ? '' : String(this.flag)} @change=${(
          e: Event,
        ) => {
          this.flag = this.numberInput(e, 1, this.flag);
          this.persist();
        }} /></label>
      <vscode-button class="run" ?disabled=${!!this.job} @click=${() => void this.run()}>${v.result ? 'Run again' : 'Run'}</vscode-button>
    </div>`;
  }

  private renderJob() {
    const j = this.job;
    if (!j) return nothing;
    const frac = j.total > 0 ? Math.min(1, j.done / j.total) : 0;
    return html`<div class="job" data-job=${j.job}>
      <div class="track" role="progressbar" aria-label="Finding artifact units" aria-valuemin="0" aria-valuemax=${j.total} aria-valuenow=${j.done}>
        <div class="fill" ${cssProps({ width: `${(frac * 100).toFixed(1)}%` })}></div>
      </div>
      <span class="text">Finding artifact units: ${j.what}${j.total > 0 ? ` (${j.done}/${j.total})` : ''}</span>
      <vscode-button class="cancel" appearance="secondary" @click=${() => this.cancel()}>Cancel</vscode-button>
    </div>`;
  }

  private renderResult(v: ArtifactsView, r: NonNullable<ArtifactsView['result']>) {
    return html`
      ${this.renderAgreement(r.flagged)}
      <div class="tabs" role="tablist" aria-label="Artifacts views">
        ${TABS.map(
          (t) =>
            html`<button role="tab" data-tab=${t} aria-selected=${t === this.tab ? 'true' : 'false'} @click=${() => {
              this.tab = t;
              this.persist();
            }}>${TAB_TITLES[t]}</button>`,
        )}
      </div>
      ${this.tab === 'ranking' ? this.renderRanking(v, r) : nothing}
      ${this.tab === 'repair' ? this.renderRepair(v, r) : nothing}
      ${this.tab === 'realistic' ? this.renderRealistic(r) : nothing}
    `;
  }

  private renderAgreement(auto: number[]) {
    const a = flagAgreement(auto, [...this.manual]);
    if (!a) {
      return html`<p class="agreement muted">
        ${this.manual.size === 0 ? 'Flag units by eye to see how the automatic flags agree with yours (the paper\u2019s Fig. 12).' : 'No automatic flags to compare with yours.'}
      </p>`;
    }
    return html`<p class="agreement">
      Automatic flags against yours (Fig. 12): precision <strong class="precision">${fmtShare(a.precision)}</strong>
      <span class="muted">(${a.both} of ${auto.length} automatic flags are also yours)</span>, recall
      <strong class="recall">${fmtShare(a.recall)}</strong> <span class="muted">(${a.both} of your ${this.manual.size} found)</span>.
    </p>`;
  }

  private renderRanking(v: ArtifactsView, r: NonNullable<ArtifactsView['result']>) {
    const rows = this.flaggedOnly ? r.rows.filter((x) => x.auto || this.manual.has(x.unit)) : r.rows;
    return html`<section class="ranking">
      <div class="toolbar filters">
        <label><input type="checkbox" class="flagged-only" .checked=${this.flaggedOnly} @change=${(e: Event) => {
          this.flaggedOnly = (e.target as HTMLInputElement).checked;
          this.persist();
        }} />Flagged only</label>
        <label class="field"><span>Zoom</span>
          <select class="zoom" @change=${(e: Event) => {
            this.zoom = Number((e.target as HTMLSelectElement).value);
            this.persist();
          }}>
            ${ZOOMS.map((z) => html`<option value=${z} ?selected=${z === this.zoom}>×${z}</option>`)}
          </select></label>
        <span class="count muted">${rows.length} of ${r.rows.length} units</span>
      </div>
      <gd-artifact-ranking .rows=${rows} .manual=${this.manual} .zoom=${this.zoom} .flagCount=${r.flagCount}
        @flag-unit=${(e: CustomEvent<{ unit: number; flagged: boolean }>) => this.post({ type: 'flagUnit', layer: v.layer, unit: e.detail.unit, flagged: e.detail.flagged })}
        @open-unit=${(e: CustomEvent<{ unit: number }>) => this.post({ type: 'openUnit', layer: v.layer, unit: e.detail.unit })}></gd-artifact-ranking>
    </section>`;
  }

  private renderRepair(v: ArtifactsView, r: NonNullable<ArtifactsView['result']>) {
    const flagged = [...new Set([...r.flagged, ...this.manual])].sort((a, b) => a - b);
    const choices: UnitChoice[] = [
      ...(r.repair ? [{ id: 'repair' as const, label: "the measured repair's units", units: r.repair.units }] : []),
      { id: 'flagged', label: 'all flagged units (automatic and yours)', units: flagged },
      { id: 'manual', label: 'your flags only', units: [...this.manual].sort((a, b) => a - b) },
    ];
    return html`<section class="repair">
      ${
        r.repair
          ? html`<gd-repair-view .repair=${r.repair} .measure=${{ features: r.features.label, reference: r.reference.label }}></gd-repair-view>`
          : html`<p class="muted no-repair">This run did not measure the repair.</p>`
      }
      <h2>Save the repaired generator</h2>
      <p class="muted">A new ONNX file with these units of ${v.layer} ablated everywhere, checked against the intervention.</p>
      <gd-save-repaired .choices=${choices} .state=${this.saving}
        @save=${(e: CustomEvent<{ units: number[] }>) => void this.save(e.detail.units)}
        @intervene=${(e: CustomEvent<{ units: number[] }>) => this.post({ type: 'intervene', layer: v.layer, units: e.detail.units, mode: 'ablate' })}></gd-save-repaired>
    </section>`;
  }

  private renderRealistic(r: NonNullable<ArtifactsView['result']>) {
    return html`<section class="realistic">
      ${
        r.realistic
          ? html`<gd-realistic-summary .summary=${r.realistic}></gd-realistic-summary>`
          : html`<p class="muted">This run has no realistic-units summary.</p>`
      }
    </section>`;
  }
}

customElements.define('gd-artifacts-app', ArtifactsApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-artifacts-app': ArtifactsApp;
  }
}
