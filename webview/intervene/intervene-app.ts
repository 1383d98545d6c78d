/**
 * <gd-intervene-app>: the intervention panel (`{type:'intervention'}`; the paper's §3.2). The user picks one
 * concept (it ranks the units and gives the insertion constants), units (from that ranking or by hand),
 * ablates or inserts them at a strength (0…1 for ablation, up to 10× the chosen insertion constants), paints
 * where (or everywhere), and sees every sample before/after with its segmentation, the legend of the
 * segmentation's colours beside the grid, and the biggest label changes as shares of the image. Every change of the
 * spec, brush strokes included, asks the host for a preview: one request in flight at most; when it answers
 * and the spec moved on meanwhile, the answer is dropped and the latest spec is sent.
 */
import { LitElement, css, html, nothing } from 'lit';
import type {
  InterveneHostMessage,
  InterveneProtocol,
  InterveneWebviewMessage,
  InterventionSpec,
  InterventionView,
  PreviewResult,
} from '../../extension/shared/webview/intervene';
import { base64ToBytes, bytesToBase64 } from '../shared/base64';
import { controlStyles } from '../shared/controls';
import { cssProps } from '../shared/css-props';
import { fmtIou } from '../shared/format';
import type { Host } from '../shared/host';
import { baseStyles, panelStyles } from '../shared/theme';
import './mask-painter';
import type { PaintDetail } from './mask-painter';
import {
  INSERTIONS,
  clampStrength,
  defaultSpec,
  defaultUi,
  fitSpec,
  isInsertion,
  labelChanges,
  legendLabels,
  maxStrength,
  rankingUnits,
  sameSpec,
  strengthHelp,
  type InterventionPanelState,
  type InterventionUi,
  type RankBy,
} from './spec';
import { DEFAULT_INSERTION, INSERTION_CHOICES } from '../../extension/shared/webview/intervene';

/** Sample images are shown ×3 (smaller for large images). */
const GRID_SCALE = 3;
const GRID_MAX = 256;
/** The painting canvas is scaled to about this size. */
const PAINT_SIZE = 320;
const UNDO_LIMIT = 100;

type PreviewState = { status: 'none' } | { status: 'done'; result: PreviewResult; spec: InterventionSpec };

export class InterveneApp extends LitElement {
  static override properties = {
    view: { state: true },
    spec: { state: true },
    ui: { state: true },
    preview: { state: true },
    busy: { state: true },
    error: { state: true },
    unitFilter: { state: true },
    maskRevision: { state: true },
  };

  /** Set by the entry point before the element is connected. */
  host: Host<InterveneProtocol> | undefined;
  declare view: InterventionView | undefined;
  declare spec: InterventionSpec;
  declare ui: InterventionUi;
  declare preview: PreviewState;
  declare busy: boolean;
  declare error: string | undefined;
  declare unitFilter: string;
  declare maskRevision: number;

  /** The painted mask at image resolution; kept while "whole image" is on, so turning it off restores it. */
  private maskBytes: Uint8Array = new Uint8Array(0);
  private undoStack: InterventionSpec[] = [];
  /** Coalesces undo entries of one gesture (a slider drag, a brush stroke). */
  private gesture: string | undefined;
  private preset = 'null';
  private inFlight = false;
  private generation = 0;
  private restored: InterventionPanelState | undefined;

  constructor() {
    super();
    this.view = undefined;
    this.spec = { units: [], mode: 'ablate', strength: 1, mask: null };
    this.ui = { pick: 'ranking', rankBy: 'iou', top: 4, brush: 4, erase: false };
    this.preview = { status: 'none' };
    this.busy = false;
    this.error = undefined;
    this.unitFilter = '';
    this.maskRevision = 0;
  }

  static override styles = [
    baseStyles,
    panelStyles,
    controlStyles,
    css`
      header {
        margin-bottom: 10px;
      }
      .editor {
        display: flex;
        flex-wrap: wrap;
        gap: 16px 28px;
        align-items: flex-start;
      }
      .form {
        display: flex;
        flex-direction: column;
        gap: 10px;
        min-width: 320px;
        flex: 1 1 360px;
        max-width: 560px;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px 12px;
      }
      h2 {
        margin: 4px 0 2px;
      }
      .checklist {
        list-style: none;
        margin: 0;
        padding: 2px 0;
        max-height: 168px;
        overflow-y: auto;
        border: 1px solid var(--vscode-input-border, var(--vscode-widget-border, #3c3c3c));
        background: var(--vscode-input-background, #3c3c3c);
      }
      .checklist li label {
        display: flex;
        align-items: center;
        padding: 1px 6px;
        cursor: pointer;
      }
      .checklist li label:hover {
        background: var(--vscode-list-hoverBackground, #2a2d2e);
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        min-height: 22px;
        align-items: center;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 2px;
        padding: 0 2px 0 8px;
        border-radius: 11px;
        background: var(--vscode-badge-background, #4d4d4d);
        color: var(--vscode-badge-foreground, #ffffff);
        font-size: 0.92em;
        font-variant-numeric: tabular-nums;
        line-height: 20px;
      }
      .chip button {
        font: inherit;
        border: none;
        background: transparent;
        color: inherit;
        cursor: pointer;
        border-radius: 50%;
        width: 18px;
        height: 18px;
        padding: 0;
        line-height: 18px;
      }
      .chip button:hover {
        background: var(--vscode-toolbar-hoverBackground, #5a5d5e50);
      }
      .paint {
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      output {
        font-variant-numeric: tabular-nums;
        min-width: 3em;
      }
      .status {
        margin: 0 0 4px;
        min-height: 1.4em;
      }
      table.grid {
        border-collapse: collapse;
        margin-top: 4px;
      }
      table.grid th {
        text-align: left;
        font-weight: 600;
        padding: 4px 8px 4px 0;
        color: var(--vscode-descriptionForeground, #9d9d9d);
      }
      table.grid td {
        padding: 4px 8px 4px 0;
        vertical-align: top;
      }
      .pic {
        display: block;
        image-rendering: pixelated;
        background: var(--vscode-editorWidget-background, #252526);
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        box-sizing: content-box;
      }
      .pending {
        opacity: 0.55;
      }
      ul.changes {
        list-style: none;
        margin: 0 0 6px;
        padding: 0;
        font-variant-numeric: tabular-nums;
      }
      .down {
        /* the chart colours toward the text colour: Light Modern's green alone is 4.3:1 on white */
        color: color-mix(in srgb, var(--vscode-charts-red, #f14c4c) 75%, var(--vscode-foreground, #cccccc));
      }
      .up {
        color: color-mix(in srgb, var(--vscode-charts-green, #89d185) 75%, var(--vscode-foreground, #cccccc));
      }
      .strength-help {
        margin: 0;
        max-width: 52em;
      }
      .results {
        display: flex;
        align-items: flex-start;
        gap: 8px 20px;
        margin-top: 14px;
      }
      .grid-scroll {
        flex: 0 1 auto;
        min-width: 0;
        overflow-x: auto;
      }
      aside.labels {
        flex: 0 0 auto;
        position: sticky;
        top: 8px;
        max-height: calc(100vh - 16px);
        overflow-y: auto;
        padding: 4px 10px 6px;
        border-left: 1px solid var(--vscode-widget-border, #454545);
      }
      ul.legend {
        list-style: none;
        margin: 4px 0 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 3px;
      }
      .legend-note {
        margin: 6px 0 0;
        max-width: 12em;
      }
      .swatch {
        display: inline-block;
        width: 1.1em;
        height: 1.1em;
        margin-right: 6px;
        vertical-align: -0.2em;
        border: 1px solid var(--vscode-widget-border, #454545);
        background: var(--swatch);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
    if (!this.host) return;
    this.restored = this.host.getState<InterventionPanelState>();
    this.host.onMessage(this.onMessage);
    this.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  private onMessage = (m: InterveneHostMessage): void => {
    if (m.type === 'intervention') this.show(m.view);
  };

  /** Shows a view: keeps the current (or persisted) spec for the same run and layer, unless a new preset came. */
  private show(view: InterventionView): void {
    const preset = JSON.stringify(view.initial ?? null);
    const prev = this.view ? { runId: this.view.runId, layer: this.view.layer, spec: this.spec, ui: this.ui, preset: this.preset } : this.restored;
    this.restored = undefined;
    const same = prev && prev.runId === view.runId && prev.layer === view.layer && prev.preset === preset;
    let ui: InterventionUi;
    let spec: InterventionSpec;
    if (same && prev) {
      // (states saved before the one concept choice also hold a `rankConcept`: the spec's concept wins)
      const { pick, rankBy, top, brush, erase } = { ...defaultUi(view), ...prev.ui };
      ui = { pick, rankBy, top, brush, erase };
      spec = fitSpec(prev.spec, view);
    } else {
      ui = defaultUi(view);
      spec = fitSpec(defaultSpec(view, ui), view);
      this.undoStack = [];
      this.generation++;
      this.preview = { status: 'none' };
    }
    this.view = view;
    this.preset = preset;
    this.ui = ui;
    this.maskBytes = spec.mask ? base64ToBytes(spec.mask.data) : new Uint8Array(view.image.width * view.image.height);
    if (this.maskBytes.length !== view.image.width * view.image.height) this.maskBytes = new Uint8Array(view.image.width * view.image.height);
    this.maskRevision++;
    this.spec = spec;
    this.persist();
    this.requestPreview();
  }

  private post(msg: InterveneWebviewMessage): void {
    this.host?.post(msg);
  }

  private persist(): void {
    const v = this.view;
    if (!v || !this.host) return;
    this.host.setState<InterventionPanelState>({ runId: v.runId, layer: v.layer, spec: this.spec, ui: this.ui, preset: this.preset });
  }

  // ---- spec changes ----------------------------------------------------------------------------------

  /**
   * Makes `next` the spec: remembers the previous one for Undo (once per gesture: a stroke or a slider
   * drag is one step), persists, and asks for a preview.
   */
  private commit(next: InterventionSpec, gesture?: string): void {
    if (sameSpec(next, this.spec)) return;
    if (gesture === undefined || gesture !== this.gesture) {
      this.undoStack.push(this.spec);
      if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    }
    this.gesture = gesture;
    this.spec = next;
    this.persist();
    this.requestPreview();
  }

  private setUi(patch: Partial<InterventionUi>): void {
    this.ui = { ...this.ui, ...patch };
    this.persist();
  }

  private undo = (): void => {
    const prev = this.undoStack.pop();
    if (!prev) return;
    this.gesture = undefined;
    if (prev.mask) {
      this.maskBytes = base64ToBytes(prev.mask.data);
      this.maskRevision++;
    }
    this.spec = prev;
    this.persist();
    this.requestPreview();
  };

  private reset = (): void => {
    const v = this.view;
    if (!v) return;
    const ui = defaultUi(v);
    this.setUi({ pick: ui.pick, rankBy: ui.rankBy, top: ui.top });
    this.commit(fitSpec(defaultSpec(v, ui), v));
  };

  private encodeMask(): InterventionSpec['mask'] {
    const v = this.view;
    if (!v) return null;
    return { width: v.image.width, height: v.image.height, data: bytesToBase64(this.maskBytes) };
  }

  /** Units from the concept's ranking (the spec's concept; the first concept if none is chosen yet). */
  private applyRanking(patch: Partial<InterventionUi>): void {
    const v = this.view;
    if (!v) return;
    this.setUi({ ...patch, pick: 'ranking' });
    const concept = this.spec.concept && v.rankings[this.spec.concept] ? this.spec.concept : Object.keys(v.rankings)[0];
    // the causal order only where it was computed
    if (this.ui.rankBy === 'ace' && !(concept && v.rankings[concept]?.ace)) this.setUi({ rankBy: 'iou' });
    const { rankBy, top } = this.ui;
    this.commit({ ...this.spec, units: rankingUnits(v, concept, rankBy, top), ...(concept ? { concept } : {}) });
  }

  /** The one concept choice: the insertion constants' concept, and (units by ranking) the ranking's. */
  private onConcept = (e: Event): void => {
    const v = this.view;
    if (!v) return;
    const concept = (e.target as HTMLSelectElement).value || undefined;
    const next: InterventionSpec = { ...this.spec, concept };
    if (!concept) delete next.concept;
    if (this.ui.pick === 'ranking' && concept) {
      if (this.ui.rankBy === 'ace' && !v.rankings[concept]?.ace) this.setUi({ rankBy: 'iou' });
      next.units = rankingUnits(v, concept, this.ui.rankBy, this.ui.top);
    }
    this.commit(next);
  };

  private onMode = (mode: InterventionSpec['mode']): void => {
    this.commit({ ...this.spec, mode, strength: clampStrength(this.spec.strength, mode) });
  };

  private onInsertion = (e: Event): void => {
    const value = (e.target as HTMLSelectElement).value;
    if (isInsertion(value)) this.commit({ ...this.spec, insertion: value });
  };

  private toggleUnit(unit: number, on: boolean): void {
    const has = this.spec.units.includes(unit);
    if (on === has) return;
    this.commit({ ...this.spec, units: on ? [...this.spec.units, unit] : this.spec.units.filter((u) => u !== unit) });
  }

  // ---- preview ----------------------------------------------------------------------------------------

  private previewable(spec: InterventionSpec): string | undefined {
    if (spec.units.length === 0) return 'Choose units to see the edit.';
    if (spec.mode === 'insert' && !spec.concept && spec.insertion !== 'quantile') return 'Choose the concept to insert.';
    return undefined;
  }

  /** Sends the current spec unless a request is in flight (its answer triggers the next one). */
  private requestPreview(): void {
    const host = this.host;
    if (!host || !this.view || this.inFlight) return;
    const spec = this.spec;
    if (this.previewable(spec)) return;
    const generation = this.generation;
    this.inFlight = true;
    this.busy = true;
    const done = (result: PreviewResult | undefined, error: string | undefined): void => {
      this.inFlight = false;
      this.busy = false;
      const current = generation === this.generation && sameSpec(spec, this.spec);
      if (current) {
        if (result) {
          this.preview = { status: 'done', result, spec };
          this.error = undefined;
        } else this.error = error;
      } else this.requestPreview(); // stale: the spec moved on, send the latest
    };
    host.request('preview', { spec }).then(
      (r) => done(r, undefined),
      (e: unknown) => done(undefined, e instanceof Error ? e.message : String(e)),
    );
  }

  // ---- events -----------------------------------------------------------------------------------------

  private onKey = (e: KeyboardEvent): void => {
    if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey || e.key.toLowerCase() !== 'z') return;
    const inText = e.composedPath().some((t) => {
      const el = t as HTMLElement;
      return el.tagName === 'VSCODE-TEXT-FIELD' || (el.tagName === 'INPUT' && ['text', 'search', 'number'].includes((el as HTMLInputElement).type));
    });
    if (inText) return;
    e.preventDefault();
    this.undo();
  };

  private onPaint = (e: CustomEvent<PaintDetail>): void => {
    if (e.detail.phase === 'end') {
      this.gesture = undefined;
      return;
    }
    // painting means "here": a stroke on "whole image" switches to the painted mask
    this.commit({ ...this.spec, mask: this.encodeMask() }, e.detail.phase === 'start' ? `stroke-${Date.now()}-${Math.random()}` : this.gesture);
  };

  private onWhole = (e: Event): void => {
    const whole = (e.target as HTMLInputElement).checked;
    if (whole === (this.spec.mask === null)) return;
    this.commit({ ...this.spec, mask: whole ? null : this.encodeMask() });
  };

  private clearMask = (): void => {
    this.maskBytes = new Uint8Array(this.maskBytes.length);
    this.maskRevision++;
    this.commit({ ...this.spec, mask: null });
  };

  private onStrength = (e: Event): void => {
    const value = Number((e.target as HTMLInputElement).value);
    if (Number.isFinite(value))
      this.commit({ ...this.spec, strength: clampStrength(value, this.spec.mode) }, e.type === 'input' ? 'strength' : undefined);
    if (e.type === 'change') this.gesture = undefined;
  };

  private copy = (): void => {
    const v = this.view;
    if (v) this.post({ type: 'copy', text: JSON.stringify({ layer: v.layer, ...this.spec }, null, 2) });
  };

  // ---- rendering --------------------------------------------------------------------------------------

  override render() {
    const v = this.view;
    if (!v) return html`<div class="waiting muted"><vscode-progress-ring></vscode-progress-ring> Loading the intervention…</div>`;
    return html`
      <header>
        <h1 class="title">Intervene · ${v.layer}</h1>
        <span class="muted">${v.model} · ${v.shape[0]} units · ${v.shape[1]}×${v.shape[2]} · ${v.samples.length} samples</span>
      </header>
      <div class="editor">
        <div class="form">
          ${this.renderConcept(v)} ${this.renderUnits(v)} ${this.renderEdit()}
          <div class="toolbar actions" role="toolbar" aria-label="Intervention actions">
            <vscode-button class="undo" appearance="secondary" ?disabled=${this.undoStack.length === 0} title="Undo (Ctrl+Z)" @click=${this.undo}>Undo</vscode-button>
            <vscode-button class="reset" appearance="secondary" @click=${this.reset}>Reset</vscode-button>
            <vscode-button class="copy" appearance="secondary" title="Copy the intervention as JSON" @click=${this.copy}>Copy as JSON</vscode-button>
          </div>
          ${this.renderStatus()}
        </div>
        ${this.renderPaint(v)}
      </div>
      <div class="results">
        <div class="grid-scroll">${this.renderGrid(v)}</div>
        ${this.renderLegend(v)}
      </div>
    `;
  }

  /** The one concept choice: it ranks the units and gives the insertion constants. */
  private renderConcept(v: InterventionView) {
    const s = this.spec;
    const concepts = Object.keys(v.rankings);
    if (s.concept && !concepts.includes(s.concept)) concepts.push(s.concept);
    const uses =
      this.ui.pick === 'ranking'
        ? 'ranks the units and, in insert mode, gives their insertion constants'
        : 'gives the insertion constants in insert mode';
    return html`<div class="row concept-row">
      <label class="field"><span>Concept</span>
        <select class="concept" @change=${this.onConcept}>
          ${s.concept ? nothing : html`<option value="" selected>(none)</option>`}
          ${concepts.map((c) => html`<option value=${c} ?selected=${c === s.concept}>${c}</option>`)}
        </select></label>
      <span class="muted concept-use">${uses}</span>
    </div>`;
  }

  private renderUnits(v: InterventionView) {
    const concept = this.spec.concept;
    const ranking = concept ? v.rankings[concept] : undefined;
    const pick = this.ui.pick;
    return html`
      <h2>Units</h2>
      <fieldset class="pick">
        <legend>Choose</legend>
        <label><input type="radio" name="pick" value="ranking" .checked=${pick === 'ranking'} @change=${() => this.applyRanking({})} />by the concept’s ranking</label>
        <label><input type="radio" name="pick" value="hand" .checked=${pick === 'hand'} @change=${() => this.setUi({ pick: 'hand' })} />by hand</label>
      </fieldset>
      ${
        pick === 'ranking'
          ? html`<div class="row ranking">
            <label class="field"><span>Ranked by</span>
              <select class="rank-by" @change=${(e: Event) => this.applyRanking({ rankBy: (e.target as HTMLSelectElement).value as RankBy })}>
                <option value="iou" ?selected=${this.ui.rankBy === 'iou'}>IoU</option>
                <option value="ace" ?selected=${this.ui.rankBy === 'ace'} ?disabled=${!ranking?.ace}>causal effect${ranking?.ace ? '' : ' (not computed)'}</option>
              </select></label>
            <label class="field"><span>Top</span>
              <input class="top" type="number" min="1" max=${v.units.length || v.shape[0]} .value=${String(this.ui.top)}
                @change=${(e: Event) => {
                  const n = Math.round(Number((e.target as HTMLInputElement).value));
                  if (Number.isFinite(n) && n >= 1) this.applyRanking({ top: n });
                }} /></label>
            <span class="muted">of ${v.shape[0]} units</span>
          </div>`
          : this.renderChecklist(v)
      }
      <div class="chips" aria-label="Chosen units" role="list">
        ${this.spec.units.length === 0 ? html`<span class="muted">No units chosen.</span>` : nothing}
        ${this.spec.units.map(
          (
            u,
          ) => html`<span class="chip" role="listitem" data-unit=${u}>${u}<button class="remove" aria-label="Remove unit ${u}" title="Remove unit ${u}"
              @click=${() => this.toggleUnit(u, false)}>×</button></span>`,
        )}
        ${this.spec.units.length > 0 ? html`<span class="muted count">${this.spec.units.length} units</span>` : nothing}
        ${
          pick === 'ranking' && this.spec.units.join() !== rankingUnits(v, concept, this.ui.rankBy, this.ui.top).join()
            ? html`<span class="muted edited">(not this ranking’s top units)</span>`
            : nothing
        }
      </div>
    `;
  }

  private renderChecklist(v: InterventionView) {
    const f = this.unitFilter.trim().toLowerCase();
    const units = v.units.filter((u) => !f || String(u.unit) === f || u.label.toLowerCase().includes(f));
    const chosen = new Set(this.spec.units);
    return html`<vscode-text-field class="unit-filter" placeholder="Filter by unit or label" aria-label="Filter units" .value=${this.unitFilter}
        @input=${(e: Event) => (this.unitFilter = (e.target as HTMLInputElement).value ?? '')}></vscode-text-field>
      <ul class="checklist" aria-label="Units">
        ${units.map(
          (u) => html`<li data-unit=${u.unit}><label><input type="checkbox" .checked=${chosen.has(u.unit)}
                @change=${(e: Event) => this.toggleUnit(u.unit, (e.target as HTMLInputElement).checked)} />${u.unit} · ${u.label} · ${fmtIou(u.iou)}</label></li>`,
        )}
        ${units.length === 0 ? html`<li class="muted">No units match.</li>` : nothing}
      </ul>`;
  }

  private renderEdit() {
    const s = this.spec;
    const insertion = s.insertion ?? DEFAULT_INSERTION;
    const max = maxStrength(s.mode);
    // insertion multiplies k (1×, 2×, …); ablation is a fraction of the full edit
    const times = s.mode === 'insert' ? '×' : '';
    return html`
      <h2>Edit</h2>
      <fieldset class="mode">
        <legend>Mode</legend>
        <label><input type="radio" name="mode" value="ablate" .checked=${s.mode === 'ablate'} @change=${() => this.onMode('ablate')} />ablate</label>
        <label><input type="radio" name="mode" value="insert" .checked=${s.mode === 'insert'} @change=${() => this.onMode('insert')} />insert</label>
      </fieldset>
      <div class="row">
        <label class="field"><span>Insertion</span>
          <select class="insertion" @change=${this.onInsertion}>
            ${INSERTION_CHOICES.map((c) => html`<option value=${c} ?selected=${c === insertion}>${INSERTIONS[c].label}</option>`)}
          </select></label>
        ${s.mode === 'insert' ? nothing : html`<span class="muted">used in insert mode</span>`}
      </div>
      <div class="row">
        <label class="field"><span>Strength</span>
          <input class="strength" type="range" min="0" max=${max} step="0.05" .value=${String(s.strength)}
            aria-describedby="strength-help" @input=${this.onStrength} @change=${this.onStrength} /></label>
        <output class="strength-value">${s.strength.toFixed(2)}${times}</output>
        <span class="muted strength-range">0 … ${max}${times}</span>
      </div>
      <p class="muted strength-help" id="strength-help">${strengthHelp(s)}</p>
    `;
  }

  private renderPaint(v: InterventionView) {
    const first = v.samples[0];
    const scale = PAINT_SIZE / Math.max(v.image.width, v.image.height, 1);
    const whole = this.spec.mask === null;
    const maxBrush = Math.max(2, Math.round(Math.max(v.image.width, v.image.height) / 3));
    return html`<div class="paint">
      <h2>Where</h2>
      <gd-mask-painter .image=${first?.before ?? ''} .width=${v.image.width} .height=${v.image.height} .scale=${scale}
        .brush=${this.ui.brush} .erase=${this.ui.erase} .whole=${whole} .mask=${this.maskBytes} .revision=${this.maskRevision}
        @paint=${this.onPaint}></gd-mask-painter>
      <div class="row">
        <vscode-checkbox class="whole" .checked=${whole} @change=${this.onWhole}>Whole image</vscode-checkbox>
        <fieldset class="tool">
          <legend class="visually-hidden">Brush</legend>
          <label><input type="radio" name="tool" value="paint" .checked=${!this.ui.erase} @change=${() => this.setUi({ erase: false })} />paint</label>
          <label><input type="radio" name="tool" value="erase" .checked=${this.ui.erase} @change=${() => this.setUi({ erase: true })} />erase</label>
        </fieldset>
      </div>
      <div class="row">
        <label class="field"><span>Brush</span>
          <input class="brush" type="range" min="1" max=${maxBrush} step="1" .value=${String(this.ui.brush)}
            @input=${(e: Event) => this.setUi({ brush: Number((e.target as HTMLInputElement).value) })} /></label>
        <output class="brush-value">${this.ui.brush} px</output>
        <vscode-button class="clear-mask" appearance="secondary" @click=${this.clearMask}>Clear</vscode-button>
      </div>
    </div>`;
  }

  private renderStatus() {
    const why = this.previewable(this.spec);
    const p = this.preview;
    return html`<div class="status muted" role="status">
      ${this.busy ? html`<span class="busy">Updating…</span> ` : nothing}
      ${why ? html`<span class="hint">${why}</span> ` : nothing}
      ${p.status === 'done' ? html`<span class="timing">${p.result.msPerImage.toFixed(1)} ms per image · ${Math.round(p.result.ms)} ms in all</span>` : nothing}
      ${this.error ? html`<span class="error" role="alert">Preview failed: ${this.error}</span>` : nothing}
    </div>`;
  }

  private renderGrid(v: InterventionView) {
    const scale = v.image.width * GRID_SCALE <= GRID_MAX ? GRID_SCALE : GRID_MAX / v.image.width;
    const size = cssProps({ width: `${v.image.width * scale}px`, height: `${v.image.height * scale}px` });
    const p = this.preview.status === 'done' ? this.preview : undefined;
    const stale = !p || !sameSpec(p.spec, this.spec);
    return html`<table class="grid">
      <thead><tr><th>Sample</th><th>Before</th><th>After</th><th>Segmentation before</th><th>Segmentation after</th>
        <th title="The change of each label's pixels, as a share of all the image's pixels">Change (share of the image)</th></tr></thead>
      <tbody>
        ${v.samples.map((s, i) => {
          const after = p?.result.after[i];
          const segAfter = p?.result.segAfter[i];
          const changes = labelChanges(p?.result.changes.find((c) => c.sample === s.sample) ?? p?.result.changes[i]);
          return html`<tr class="sample" data-sample=${s.sample}>
            <td class="num">#${s.sample}</td>
            <td><img class="pic before" src=${s.before} alt="sample ${s.sample} before" ${size} /></td>
            <td>${after ? html`<img class="pic after ${stale ? 'pending' : ''}" src=${after} alt="sample ${s.sample} after the edit" ${size} />` : html`<div class="pic after none" ${size}></div>`}</td>
            <td><img class="pic seg-before" src=${s.segBefore} alt="segmentation of sample ${s.sample} before" ${size} /></td>
            <td>${segAfter ? html`<img class="pic seg-after ${stale ? 'pending' : ''}" src=${segAfter} alt="segmentation of sample ${s.sample} after" ${size} />` : html`<div class="pic seg-after none" ${size}></div>`}</td>
            <td>
              <ul class="changes">
                ${changes.map((c) => html`<li class=${c.after < c.before ? 'down' : 'up'} data-label=${c.label} title=${c.detail}>${c.text}</li>`)}
              </ul>
              <vscode-button class="save" appearance="secondary" ?disabled=${!after} @click=${() => this.post({ type: 'saveImage', sample: s.sample })}>Save after-image</vscode-button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  /** The segmentation's colours, beside the grid (sticky while the samples scroll). */
  private renderLegend(v: InterventionView) {
    if (v.labels.length === 0) return nothing;
    const result = this.preview.status === 'done' ? this.preview.result : undefined;
    const shown = legendLabels(v.labels, result);
    return html`<aside class="labels" aria-label="Segmentation colours">
      <h2>Labels</h2>
      <ul class="legend">
        ${shown.map(
          (l) =>
            html`<li class="label" data-label=${l.name}><span class="swatch" ${cssProps({ '--swatch': l.colour })}></span>${l.name === '-' ? 'unlabeled' : l.name}</li>`,
        )}
      </ul>
      ${result && shown.length < v.labels.length ? html`<p class="muted legend-note">${shown.length} of ${v.labels.length} labels: those in these samples</p>` : nothing}
    </aside>`;
  }
}

customElements.define('gd-intervene-app', InterveneApp);

declare global {
  interface HTMLElementTagNameMap {
    'gd-intervene-app': InterveneApp;
  }
}
