/**
 * <gd-save-repaired>: which units to ablate (the measured repair's, all flagged ones, or the user's own),
 * "Save repaired generator…" and "Ablate in the intervention panel"; shows where the generator was saved and
 * how its images compare with the intervention's. Fires `save` ({units}) and `intervene` ({units}).
 */
import { LitElement, css, html, nothing } from 'lit';
import { REPAIR_TOLERANCE, type SaveOutcome } from '../../extension/shared/webview/artifacts';
import { controlStyles } from '../shared/controls';
import { baseStyles } from '../shared/theme';

/** A set of units one may ablate. */
export interface UnitChoice {
  id: 'repair' | 'flagged' | 'manual';
  label: string;
  units: number[];
}

export type SaveState = { status: 'idle' } | { status: 'saving' } | { status: 'error'; message: string } | { status: 'done'; outcome: SaveOutcome };

export class SaveRepaired extends LitElement {
  static override properties = {
    choices: { attribute: false },
    state: { attribute: false },
    chosen: { state: true },
  };

  declare choices: UnitChoice[];
  declare state: SaveState;
  declare chosen: UnitChoice['id'] | undefined;

  constructor() {
    super();
    this.choices = [];
    this.state = { status: 'idle' };
    this.chosen = undefined;
  }

  static override styles = [
    baseStyles,
    controlStyles,
    css`
      fieldset {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 16px;
        margin-bottom: 8px;
      }
      .saved,
      .warning {
        margin-top: 8px;
        overflow-wrap: anywhere;
      }
      .warning {
        color: var(--gd-warning-text);
      }
      code {
        font-family: var(--vscode-editor-font-family, monospace);
      }
    `,
  ];

  private current(): UnitChoice | undefined {
    return this.choices.find((c) => c.id === this.chosen) ?? this.choices[0];
  }

  override render() {
    const c = this.current();
    const saving = this.state.status === 'saving';
    return html`
      <fieldset class="choices">
        <legend>Ablate</legend>
        ${this.choices.map(
          (x) => html`<label><input type="radio" name="units" value=${x.id} .checked=${x.id === c?.id} ?disabled=${x.units.length === 0}
            @change=${() => (this.chosen = x.id)} />${x.label} (${x.units.length})</label>`,
        )}
      </fieldset>
      <div class="toolbar">
        <vscode-button class="save" ?disabled=${!c || c.units.length === 0 || saving} @click=${() => c && this.emit('save', c.units)}>Save repaired generator…</vscode-button>
        <vscode-button class="intervene" appearance="secondary" ?disabled=${!c || c.units.length === 0}
          title="Open the intervention panel with these units switched off" @click=${() => c && this.emit('intervene', c.units)}>Ablate in the intervention panel</vscode-button>
        ${saving ? html`<span class="loading muted" role="status"><vscode-progress-ring></vscode-progress-ring> Saving and checking…</span>` : nothing}
      </div>
      ${this.outcome()}
    `;
  }

  private outcome() {
    const s = this.state;
    if (s.status === 'error') return html`<p class="error" role="alert">Could not save the repaired generator: ${s.message}</p>`;
    if (s.status !== 'done' || !s.outcome.saved) return nothing;
    const o = s.outcome;
    const diff = o.maxDiff.toExponential(1);
    return o.maxDiff < REPAIR_TOLERANCE
      ? html`<p class="saved" role="status">Saved <code>${o.file}</code> with ${o.units.length} units ablated. Its images equal the intervention's (max |Δ| ${diff}).</p>`
      : html`<p class="warning" role="alert">Saved <code>${o.file}</code>, but its images differ from the intervention's by up to ${diff} (max |Δ|).</p>`;
  }

  private emit(name: 'save' | 'intervene', units: number[]): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { units: [...units] }, bubbles: true, composed: true }));
  }
}

customElements.define('gd-save-repaired', SaveRepaired);

declare global {
  interface HTMLElementTagNameMap {
    'gd-save-repaired': SaveRepaired;
  }
}
