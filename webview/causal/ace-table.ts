/**
 * <gd-ace-table>: the ACE of a concept's causal and IoU unit sets (engine AceResult), one row per measure,
 * each a fraction of the concept's mean share E[s_c(x)] with its 95% interval: the fraction removed by
 * ablating the units in the whole image; the fraction added by inserting them everywhere, and the ACE of that
 * against the ablation; the fraction added by inserting them at one sampled location per image, and that
 * ACE (the paper's protocol, S-6.4). A negative "added" is flagged and explained for the insertion used.
 * Cells carry `data-value`; a measure the result lacks (older runs) shows "—", never a number.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { AceView, InsertionChoice } from '../../extension/shared/webview/causal';
import { baseStyles } from '../shared/theme';
import { insertionLabel, negativeAddedReason } from './insertion';

/** A unit set and its ACE: one column of the table. */
export interface AceColumn {
  /** `causal` | `iou`: the column's class. */
  key: string;
  name: string;
  units: number;
  ace: AceView;
}

interface Measure {
  key: string;
  name: string;
  title: string;
  value: (a: AceView) => { v: number; ci?: [number, number] } | undefined;
  /** An "added" measure: negative values are explained. */
  added?: 'everywhere' | 'at one location';
}

const MEASURES: readonly Measure[] = [
  {
    key: 'removed',
    name: 'Removed · ablation, whole image',
    title: 'The fraction of the concept removed by forcing the units to 0 at every location',
    value: (a) => ({ v: a.removed, ...(a.ci.removed ? { ci: a.ci.removed } : {}) }),
  },
  {
    key: 'added',
    name: 'Added · insertion everywhere',
    title: 'The fraction of the concept added by inserting the units at every location',
    value: (a) => ({ v: a.added, ...(a.ci.added ? { ci: a.ci.added } : {}) }),
    added: 'everywhere',
  },
  {
    key: 'ace',
    name: 'ACE · insertion everywhere − ablation',
    title: 'Inserting everywhere against ablating everywhere',
    value: (a) => ({ v: a.ace, ci: a.ci.ace }),
  },
  {
    key: 'added-at',
    name: 'Added · insertion at one sampled location',
    title: 'The fraction of the concept added by inserting the units at one uniformly sampled featuremap location per image',
    value: (a) => (a.atLocation ? { v: a.atLocation.added, ci: a.atLocation.ci.added } : undefined),
    added: 'at one location',
  },
  {
    key: 'ace-at',
    name: "ACE · one sampled location − ablation (the paper's protocol)",
    title: "The paper's S-6.4: insertion at one sampled location per image against the whole-image ablation",
    value: (a) => (a.atLocation ? { v: a.atLocation.ace, ci: a.atLocation.ci.ace } : undefined),
  },
];

const f3 = (x: number): string => (x < 0 ? `\u2212${(-x).toFixed(3)}` : x.toFixed(3));

export class AceTable extends LitElement {
  static override properties = {
    columns: { attribute: false },
    concept: { type: String },
    insertion: { type: String },
  };

  declare columns: AceColumn[];
  declare concept: string;
  declare insertion: InsertionChoice | undefined;

  constructor() {
    super();
    this.columns = [];
    this.concept = '';
    this.insertion = undefined;
  }

  static override styles = [
    baseStyles,
    css`
      table {
        border-collapse: collapse;
        margin-bottom: 6px;
      }
      th,
      td {
        padding: 3px 12px 3px 0;
        text-align: right;
        vertical-align: baseline;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      thead th,
      tbody th {
        color: var(--vscode-descriptionForeground, #9d9d9d);
        font-weight: 600;
      }
      tbody th {
        font-weight: normal;
      }
      td {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      tr.ace td,
      tr.ace-at td {
        color: var(--vscode-foreground, #cccccc);
        font-weight: 600;
      }
      .ci {
        font-weight: normal;
        margin-left: 4px;
      }
      /* the warning colour only on lines and underlines: as text it is too faint in light themes */
      td.negative .value {
        text-decoration: underline wavy var(--vscode-editorWarning-foreground, var(--vscode-charts-yellow, #cca700));
        text-underline-offset: 3px;
      }
      .mark {
        margin-left: 2px;
        font-weight: 600;
      }
      .note {
        max-width: 560px;
        margin: 4px 0;
        padding: 4px 8px;
        border-left: 3px solid var(--vscode-editorWarning-foreground, var(--vscode-charts-yellow, #cca700));
        background: var(--vscode-textBlockQuote-background, transparent);
      }
      .note p {
        margin: 2px 0;
      }
    `,
  ];

  override render() {
    const cols = this.columns ?? [];
    if (cols.length === 0) return nothing;
    const negatives = cols.flatMap((c) =>
      MEASURES.filter((m) => m.added)
        .map((m) => ({ column: c, measure: m, v: m.value(c.ace)?.v }))
        .filter((x): x is { column: AceColumn; measure: Measure; v: number } => x.v !== undefined && x.v < 0),
    );
    const reason = negativeAddedReason(this.concept, this.insertion);
    return html`<table class="ace">
        <thead>
          <tr>
            <th scope="col">Measure (fraction of ${this.concept})</th>
            ${cols.map((c) => html`<th scope="col" class=${c.key}>${c.name} · ${c.units} units</th>`)}
          </tr>
        </thead>
        <tbody>
          ${MEASURES.map(
            (m) => html`<tr class=${m.key}>
              <th scope="row" title=${m.title}>${m.name}</th>
              ${cols.map((c) => this.cell(c, m, reason))}
            </tr>`,
          )}
        </tbody>
      </table>
      ${
        negatives.length > 0
          ? html`<div class="note negative-added" role="note">
            <p>
              <span class="mark" aria-hidden="true">†</span> Negative “added”: inserting the units lowered ${this.concept}
              (${negatives.map((n) => `${n.column.name}, ${n.measure.added}: ${f3(n.v)}`).join('; ')}).
            </p>
            <p class="reason">${reason}</p>
            <p class="insertion muted">
              Insertion: ${this.insertion ? insertionLabel(this.insertion) : 'not recorded'} — choose another under Insertion above and search again.
            </p>
          </div>`
          : nothing
      }`;
  }

  private cell(c: AceColumn, m: Measure, reason: string) {
    const x = m.value(c.ace);
    if (!x) return html`<td class=${c.key} title="Not in this result (an older run): search again to measure it">—</td>`;
    const negative = m.added !== undefined && x.v < 0;
    return html`<td class="${c.key} ${negative ? 'negative' : ''}" data-value=${String(x.v)} title=${negative ? reason : nothing}>
      <span class="value">${f3(x.v)}</span>${negative ? html`<span class="mark" aria-label="negative: see the note">†</span>` : nothing}${
        x.ci ? html`<span class="ci muted">[${f3(x.ci[0])}, ${f3(x.ci[1])}]</span>` : nothing
      }
    </td>`;
  }
}

customElements.define('gd-ace-table', AceTable);

declare global {
  interface HTMLElementTagNameMap {
    'gd-ace-table': AceTable;
  }
}
