/**
 * <gd-unit-timeline>: the paper's Fig. 18 rows — for each unit picked, its label, IoU and top images at
 * each checkpoint, the strips scaled up by a whole factor (pixelated). Each checkpoint is an item carrying
 * `data-step`, `data-label` and `data-iou`; its step opens that checkpoint's layer (`open-checkpoint`).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ImageRef } from '../../extension/shared/webview/common';
import { fmtIou } from '../shared/format';
import { baseStyles } from '../shared/theme';

/** Strips are shown at the largest whole factor that keeps them about this tall. */
export const TIMELINE_STRIP_HEIGHT = 64;

export function timelineScale(height: number): number {
  return Math.max(1, Math.floor(TIMELINE_STRIP_HEIGHT / Math.max(1, height)));
}

/** A unit at one checkpoint. */
export interface UnitAtStep {
  step: number;
  runId: string;
  /** '-' when uninterpretable there. */
  label: string;
  iou: number;
  strip?: ImageRef;
}

export interface UnitTimelineRow {
  unit: number;
  steps: UnitAtStep[];
}

export class UnitTimeline extends LitElement {
  static override properties = {
    rows: { attribute: false },
    loading: { attribute: false },
  };

  declare rows: UnitTimelineRow[];
  /** The strips are being fetched. */
  declare loading: boolean;

  constructor() {
    super();
    this.rows = [];
    this.loading = false;
  }

  static override styles = [
    baseStyles,
    css`
      section {
        margin: 0 0 12px;
        padding: 6px 8px 8px;
        border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, #454545));
        border-radius: 4px;
        background: var(--vscode-editorWidget-background, #252526);
      }
      ol {
        list-style: none;
        margin: 6px 0 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      li {
        display: grid;
        grid-template-columns: 7em 9em 4.5em 1fr;
        align-items: center;
        gap: 8px;
      }
      li.uninterpretable .label {
        color: var(--vscode-descriptionForeground, #9d9d9d);
        font-style: italic;
      }
      .when {
        font: inherit;
        color: var(--vscode-textLink-foreground, #3794ff);
        background: none;
        border: none;
        padding: 0;
        cursor: pointer;
        text-align: left;
      }
      .when:hover {
        text-decoration: underline;
      }
      .iou {
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      .strip {
        overflow-x: auto;
      }
      .strip img {
        display: block;
        image-rendering: pixelated;
      }
    `,
  ];

  override render() {
    if (this.rows.length === 0) return html`<p class="muted empty">Pick units to follow across the checkpoints.</p>`;
    return this.rows.map(
      (r) => html`<section class="unit" data-unit=${r.unit} aria-label="unit ${r.unit} across the checkpoints">
        <h3>unit ${r.unit}</h3>
        <ol>
          ${r.steps.map((s) => {
            const scale = s.strip ? timelineScale(s.strip.height) : 1;
            return html`<li class="step ${s.label === '-' ? 'uninterpretable' : ''}" data-step=${s.step} data-label=${s.label} data-iou=${s.iou}>
              <button class="when" title="Open the layer of step ${s.step}" @click=${() => this.open(s.runId)}>step ${s.step}</button>
              <span class="label">${s.label === '-' ? 'uninterpretable' : s.label}</span>
              <span class="iou" title="IoU with its best concept">${fmtIou(s.iou)}</span>
              <span class="strip">
                ${
                  s.strip
                    ? html`<img src=${s.strip.src} width=${s.strip.width * scale} height=${s.strip.height * scale} alt="top images of unit ${r.unit} at step ${s.step}" />`
                    : this.loading
                      ? html`<span class="muted">…</span>`
                      : nothing
                }
              </span>
            </li>`;
          })}
        </ol>
      </section>`,
    );
  }

  private open(runId: string): void {
    this.dispatchEvent(new CustomEvent('open-checkpoint', { detail: { runId }, bubbles: true, composed: true }));
  }
}

customElements.define('gd-unit-timeline', UnitTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'gd-unit-timeline': UnitTimeline;
  }
}
