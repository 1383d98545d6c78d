/**
 * <gd-causal-app>: the causal panel (`{type:'causal'}`; the paper's §3.2, Fig. 4, Fig. 11 and Fig. 17). Starts
 * causal unit searches, insertion-context jobs and traces with `host.request` (progress arrives as
 * `{type:'progress'}` with the job id; Cancel posts `cancelJob`), with the insertion chosen in the toolbar, and
 * shows per concept: the removal curves of the causal and the IoU ranking, the ACE of both unit sets with 95%
 * intervals (<gd-ace-table>), the units, where the concept can be inserted (<gd-context-view>) and how an
 * insertion travels through the later layers (<gd-trace-view>).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PanelIdentity } from '../../extension/shared/webview/common';
import type {
  CausalConceptResult,
  CausalHostMessage,
  CausalProtocol,
  CausalView,
  CausalWebviewMessage,
  ContextView,
  InsertionChoice,
  TraceView,
} from '../../extension/shared/webview/causal';
import { controlStyles } from '../shared/controls';
import { cssProps } from '../shared/css-props';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import './ace-chart';
import './ace-table';
import './context-view';
import './trace-view';
import { INSERTIONS } from './insertion';

const DEFAULT_COUNT = 20;
const DEFAULT_SAMPLES = 200;
const CONTEXT_SAMPLES = 20;
/** The trace's samples and grid (gan-dissect trace's defaults). */
const TRACE_SAMPLES = 20;
const TRACE_GRID = 8;

const JOB_TITLES = { causal: 'Finding causal units for', context: 'Insertion context of', trace: 'Tracing' } as const;
const ERROR_TITLES = { causal: 'Causal search', context: 'Insertion context', trace: 'Trace' } as const;

interface Job {
  job: string;
  kind: 'causal' | 'context' | 'trace';
  concept: string;
  done: number;
  total: number;
  what: string;
}

interface CausalPanelState extends PanelIdentity {
  concept?: string;
  count?: number;
  samples?: number;
  insertion?: InsertionChoice;
}

let jobCounter = 0;
function newJobId(kind: string): string {
  jobCounter++;
  return `${kind}-${Date.now().toString(36)}-${jobCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export class CausalApp extends LitElement {
  static override properties = {
    view: { state: true },
    results: { state: true },
    contexts: { state: true },
    traces: { state: true },
    order: { state: true },
    jobs: { state: true },
    errors: { state: true },
    concept: { state: true },
    count: { state: true },
    samples: { state: true },
    insertion: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<CausalProtocol> | undefined;
  declare view: CausalView | undefined;
  declare results: Map<string, CausalConceptResult>;
  declare contexts: Map<string, ContextView>;
  declare traces: Map<string, TraceView>;
  /** Concepts shown, most recently computed first. */
  declare order: string[];
  declare jobs: Job[];
  declare errors: { concept: string; kind: Job['kind']; message: string }[];
  declare concept: string;
  declare count: number;
  declare samples: number;
  declare insertion: InsertionChoice;

  private cancelled = new Set<string>();
  private generation = 0;

  constructor() {
    super();
    this.view = undefined;
    this.results = new Map();
    this.contexts = new Map();
    this.traces = new Map();
    this.order = [];
    this.jobs = [];
    this.errors = [];
    this.concept = '';
    this.insertion = 'high';
    this.count = DEFAULT_COUNT;
    this.samples = DEFAULT_SAMPLES;
  }

  static override styles = [
    baseStyles,
    panelStyles,
    controlStyles,
    css`
      header {
        margin-bottom: 10px;
      }
      .form {
        gap: 8px 14px;
      }
      .jobs,
      .errors {
        display: flex;
        flex-direction: column;
        gap: 6px;
        margin-top: 10px;
      }
      .job {
        display: flex;
        align-items: center;
        gap: 10px;
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
      .card {
        margin-top: 16px;
        padding: 10px 12px;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        background: var(--vscode-editorWidget-background, #252526);
      }
      .card header {
        margin-bottom: 6px;
      }
      .body {
        display: flex;
        flex-wrap: wrap;
        gap: 12px 24px;
        align-items: flex-start;
      }
      .units {
        margin: 4px 0;
        max-width: 460px;
        overflow-wrap: anywhere;
        font-variant-numeric: tabular-nums;
      }
      .context,
      .tracing {
        margin-top: 12px;
      }
      h3 {
        margin-bottom: 4px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.host) return;
    const s = this.host.getState<CausalPanelState>();
    if (s) {
      if (typeof s.count === 'number') this.count = s.count;
      if (typeof s.samples === 'number') this.samples = s.samples;
      if (typeof s.concept === 'string') this.concept = s.concept;
      if (INSERTIONS.some((i) => i.value === s.insertion)) this.insertion = s.insertion!;
    }
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  private post(msg: CausalWebviewMessage): void {
    this.host?.post(msg);
  }

  private persist(): void {
    const v = this.view;
    if (v)
      this.host?.setState<CausalPanelState>({
        runId: v.runId,
        layer: v.layer,
        concept: this.concept,
        count: this.count,
        samples: this.samples,
        insertion: this.insertion,
      });
  }

  private onMessage = (m: CausalHostMessage): void => {
    switch (m.type) {
      case 'causal':
        this.show(m.view);
        break;
      case 'progress':
        if (this.jobs.some((j) => j.job === m.job)) {
          this.jobs = this.jobs.map((j) => (j.job === m.job ? { ...j, done: m.done, total: m.total, what: m.what } : j));
        }
        break;
      default:
        break;
    }
  };

  private show(view: CausalView): void {
    const other = !this.view || this.view.runId !== view.runId || this.view.layer !== view.layer;
    if (other) {
      this.generation++;
      this.results = new Map();
      this.contexts = new Map();
      this.traces = new Map();
      this.order = [];
      this.jobs = [];
      this.errors = [];
    }
    const results = new Map(this.results);
    const contexts = new Map(this.contexts);
    const traces = new Map(this.traces);
    const order = [...this.order];
    for (const r of view.results) {
      results.set(r.concept, r);
      if (!order.includes(r.concept)) order.push(r.concept);
    }
    for (const c of view.contexts) {
      contexts.set(c.concept, c);
      if (!order.includes(c.concept)) order.push(c.concept);
    }
    for (const t of view.traces ?? []) {
      traces.set(t.concept, t);
      if (!order.includes(t.concept)) order.push(t.concept);
    }
    this.results = results;
    this.contexts = contexts;
    this.traces = traces;
    this.order = order;
    this.view = view;
    if (!view.concepts.includes(this.concept)) this.concept = view.concepts[0] ?? '';
    this.persist();
  }

  private toFront(concept: string): void {
    this.order = [concept, ...this.order.filter((c) => c !== concept)];
  }

  private async start(kind: Job['kind'], concept: string): Promise<void> {
    const host = this.host;
    if (!host || !concept || this.jobs.some((j) => j.kind === kind && j.concept === concept)) return;
    const job = newJobId(kind);
    const generation = this.generation;
    this.jobs = [...this.jobs, { job, kind, concept, done: 0, total: 0, what: 'starting…' }];
    this.errors = this.errors.filter((e) => !(e.concept === concept && e.kind === kind));
    try {
      const insertion = this.insertion;
      if (kind === 'causal') {
        const result = await host.request('causal', { job, concept, count: this.count, samples: this.samples, insertion });
        if (generation !== this.generation) return;
        this.results = new Map(this.results).set(result.concept, result);
        this.toFront(result.concept);
      } else if (kind === 'context') {
        const context = await host.request('context', { job, concept, samples: CONTEXT_SAMPLES, insertion });
        if (generation !== this.generation) return;
        this.contexts = new Map(this.contexts).set(context.concept, context);
        this.toFront(context.concept);
      } else {
        const trace = await host.request('trace', { job, concept, count: this.count, samples: TRACE_SAMPLES, grid: TRACE_GRID, insertion });
        if (generation !== this.generation) return;
        this.traces = new Map(this.traces).set(trace.concept, trace);
        this.toFront(trace.concept);
      }
    } catch (e) {
      if (generation === this.generation && !this.cancelled.has(job)) {
        this.errors = [...this.errors, { concept, kind, message: e instanceof Error ? e.message : String(e) }];
      }
    } finally {
      if (generation === this.generation) this.jobs = this.jobs.filter((j) => j.job !== job);
      this.cancelled.delete(job);
    }
  }

  private cancel(job: string): void {
    this.cancelled.add(job);
    this.post({ type: 'cancelJob', job });
    this.jobs = this.jobs.filter((j) => j.job !== job);
  }

  private numberInput(e: Event, min: number): number | undefined {
    const n = Math.round(Number((e.target as HTMLInputElement).value));
    return Number.isFinite(n) && n >= min ? n : undefined;
  }

  override render() {
    const v = this.view;
    if (!v) return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading…</div>`;
    const busy = (kind: Job['kind']) => this.jobs.some((j) => j.kind === kind && j.concept === this.concept);
    return html`
      <header>
        <h1 class="title">Causal units · ${v.layer}</h1>
        <span class="muted">${v.model}</span>
      </header>
      <div class="toolbar form" role="group" aria-label="Causal unit search">
        <label class="field"><span>Concept</span>
          <select class="concept" @change=${(e: Event) => {
            this.concept = (e.target as HTMLSelectElement).value;
            this.persist();
          }}>
            ${v.concepts.map((c) => html`<option value=${c} ?selected=${c === this.concept}>${c}</option>`)}
          </select></label>
        <label class="field"><span>Units</span>
          <input class="count" type="number" min="1" .value=${String(this.count)} @change=${(e: Event) => {
            this.count = this.numberInput(e, 1) ?? this.count;
            this.persist();
          }} /></label>
        <label class="field"><span>Samples</span>
          <input class="samples" type="number" min="2" step="10" .value=${String(this.samples)} @change=${(e: Event) => {
            this.samples = this.numberInput(e, 2) ?? this.samples;
            this.persist();
          }} /></label>
        <label class="field"><span>Insertion</span>
          <select class="insertion" title="How inserted units combine with the featuremap (r: the activation, k: the constant)" @change=${(
            e: Event,
          ) => {
            this.insertion = (e.target as HTMLSelectElement).value as InsertionChoice;
            this.persist();
          }}>
            ${INSERTIONS.map((i) => html`<option value=${i.value} title=${i.title} ?selected=${i.value === this.insertion}>${i.label}</option>`)}
          </select></label>
        <vscode-button class="find" ?disabled=${!this.concept || busy('causal')} @click=${() => void this.start('causal', this.concept)}>Find causal units</vscode-button>
        <vscode-button class="where" appearance="secondary" ?disabled=${!this.concept || busy('context')}
          @click=${() => void this.start('context', this.concept)}>Where can it be inserted?</vscode-button>
        <vscode-button class="trace" appearance="secondary" ?disabled=${!this.concept || busy('trace')} title="Insert the concept's units over a grid and follow the change through the later layers (the paper's S-6.5)"
          @click=${() => void this.start('trace', this.concept)}>Trace through later layers</vscode-button>
      </div>
      ${this.jobs.length > 0 ? html`<div class="jobs">${this.jobs.map((j) => this.renderJob(j))}</div>` : nothing}
      ${
        this.errors.length > 0
          ? html`<div class="errors">${this.errors.map((e) => html`<p class="error" role="alert">${ERROR_TITLES[e.kind]} for ${e.concept} failed: ${e.message}</p>`)}</div>`
          : nothing
      }
      ${this.order.length === 0 ? html`<p class="muted empty">No results yet: choose a concept and find its causal units.</p>` : nothing}
      ${this.order.map((c) => this.renderConcept(v, c))}
    `;
  }

  private renderJob(j: Job) {
    const frac = j.total > 0 ? Math.min(1, j.done / j.total) : 0;
    const title = `${JOB_TITLES[j.kind]} ${j.concept}`;
    return html`<div class="job" data-job=${j.job} data-kind=${j.kind}>
      <div class="track" role="progressbar" aria-label=${title} aria-valuemin="0" aria-valuemax=${j.total} aria-valuenow=${j.done}>
        <div class="fill" ${cssProps({ width: `${(frac * 100).toFixed(1)}%` })}></div>
      </div>
      <span class="text">${title}: ${j.what}${j.total > 0 ? ` (${j.done}/${j.total})` : ''}</span>
      <vscode-button class="cancel" appearance="secondary" @click=${() => this.cancel(j.job)}>Cancel</vscode-button>
    </div>`;
  }

  private renderConcept(v: CausalView, concept: string) {
    const r = this.results.get(concept);
    const ctx = this.contexts.get(concept);
    const trace = this.traces.get(concept);
    const contextBusy = this.jobs.some((j) => j.kind === 'context' && j.concept === concept);
    const traceBusy = this.jobs.some((j) => j.kind === 'trace' && j.concept === concept);
    return html`<section class="card" data-concept=${concept}>
      <header>
        <h2>${concept}</h2>
        ${r ? html`<span class="muted">${r.units.length} units · ${r.samples} samples</span>` : nothing}
        <span class="spacer"></span>
        ${
          r
            ? html`<vscode-button class="intervene" appearance="secondary" title="Ablate these units in the intervention panel"
              @click=${() => this.post({ type: 'intervene', layer: v.layer, units: [...r.units], mode: 'ablate' })}>Open in intervention panel</vscode-button>`
            : nothing
        }
        ${
          !ctx
            ? html`<vscode-button class="where" appearance="secondary" ?disabled=${contextBusy} @click=${() => void this.start('context', concept)}>Where can it be inserted?</vscode-button>`
            : nothing
        }
        ${
          !trace
            ? html`<vscode-button class="trace" appearance="secondary" ?disabled=${traceBusy} @click=${() => void this.start('trace', concept)}>Trace</vscode-button>`
            : nothing
        }
      </header>
      ${
        r
          ? html`<div class="body">
            <gd-ace-chart .ace=${r.curves.ace} .iou=${r.curves.iou} .concept=${concept}></gd-ace-chart>
            <div>
              <gd-ace-table .concept=${concept} .insertion=${r.insertion} .columns=${[
                { key: 'causal', name: 'causal ranking', units: r.units.length, ace: r.ace },
                ...(r.iouAce ? [{ key: 'iou', name: 'IoU ranking', units: (r.iouUnits ?? r.units).length, ace: r.iouAce }] : []),
              ]}></gd-ace-table>
              <p class="units causal-units"><span class="muted">Causal units:</span> ${r.units.join(', ')}</p>
              ${r.iouUnits ? html`<p class="units iou-units"><span class="muted">IoU units:</span> ${r.iouUnits.join(', ')}</p>` : nothing}
            </div>
          </div>`
          : nothing
      }
      ${ctx ? html`<div class="context"><h3>Where can ${concept} be inserted?</h3><gd-context-view .context=${ctx}></gd-context-view></div>` : nothing}
      ${trace ? html`<div class="tracing"><h3>Tracing ${concept} through the later layers</h3><gd-trace-view .trace=${trace}></gd-trace-view></div>` : nothing}
    </section>`;
  }
}

customElements.define('gd-causal-app', CausalApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-causal-app': CausalApp;
  }
}
