/**
 * <gd-concept-area>: interpretable units per concept over the training steps as a stacked area (the top
 * concepts, the others together in one grey band). Each band is a path carrying `data-label` and
 * `data-counts` (its units at each step, comma-separated) in the concept's colour (its segmenter label's,
 * colours.ts), outlined in the editor's background — or the high-contrast border — so touching bands stay
 * apart in every theme; a legend names them.
 */
import { LitElement, css, html, svg } from 'lit';
import { baseStyles } from '../shared/theme';
import { cssProps } from '../shared/css-props';
import type { ConceptBand } from './series';
import { fmtStep } from './step-chart';

const W = 480;
const H = 200;
const M = { left: 40, right: 14, top: 12, bottom: 26 };

/** Colours for concepts the host gave none (VS Code's chart colours, in turn). */
const FALLBACK = ['blue', 'green', 'orange', 'purple', 'red', 'yellow'].map((c) => `var(--vscode-charts-${c})`);

export class ConceptArea extends LitElement {
  static override properties = {
    steps: { attribute: false },
    bands: { attribute: false },
    colours: { attribute: false },
  };

  declare steps: number[];
  declare bands: ConceptBand[];
  /** A colour per concept (the host's). */
  declare colours: Record<string, string>;

  constructor() {
    super();
    this.steps = [];
    this.bands = [];
    this.colours = {};
  }

  static override styles = [
    baseStyles,
    css`
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        margin-bottom: 4px;
      }
      svg {
        display: block;
        width: 100%;
        max-width: 760px;
        height: auto;
      }
      text {
        fill: var(--vscode-descriptionForeground, #9d9d9d);
        font-family: var(--vscode-font-family, sans-serif);
        font-size: 10px;
      }
      line.axis {
        stroke: var(--vscode-editorWidget-border, var(--vscode-widget-border, #555));
      }
      path.band {
        fill: var(--band);
        stroke: var(--vscode-contrastBorder, var(--vscode-editor-background, #1e1e1e));
        stroke-width: 1;
      }
      path.band.other {
        fill-opacity: 0.35;
      }
      path.band:hover {
        stroke: var(--vscode-focusBorder, #007fd4);
        stroke-width: 2;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        margin-top: 6px;
        padding: 0;
        list-style: none;
      }
      .swatch {
        display: inline-block;
        width: 0.8em;
        height: 0.8em;
        margin-right: 0.35em;
        vertical-align: baseline;
        background: var(--band);
        border: 1px solid var(--vscode-contrastBorder, transparent);
      }
      .swatch.other {
        opacity: 0.35;
      }
      .empty {
        margin: 8px 0;
      }
    `,
  ];

  private colour(b: ConceptBand, i: number): string {
    if (b.other) return 'var(--vscode-charts-foreground, #888888)';
    return this.colours[b.label] ?? FALLBACK[i % FALLBACK.length];
  }

  override render() {
    const { steps, bands } = this;
    const caption = html`<figcaption>Units per concept</figcaption>`;
    if (steps.length === 0 || bands.length === 0)
      return html`<figure data-chart="concepts-area">${caption}<p class="muted empty">No interpretable units yet.</p></figure>`;
    const lo = steps[0];
    const hi = steps[steps.length - 1];
    const totals = steps.map((_, i) => bands.reduce((a, b) => a + b.counts[i], 0));
    const top = Math.max(1, ...totals);
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    // one checkpoint: a bar of its width's tenth, so the stack still shows
    const x = (i: number) => (hi === lo ? M.left + pw / 2 + (i === 0 ? -pw / 20 : pw / 20) : M.left + ((steps[i] - lo) / (hi - lo)) * pw);
    const xs = hi === lo ? [0, 1] : steps.map((_, i) => i);
    const at = (counts: number[], i: number) => (hi === lo ? counts[0] : counts[i]);
    const y = (v: number) => M.top + ph - (v / top) * ph;
    const below = steps.map(() => 0);
    const paths = bands.map((b, bi) => {
      const lower = xs.map((i) => at(below, i));
      const upper = xs.map((i, k) => lower[k] + at(b.counts, i));
      steps.forEach((_, i) => (below[i] += b.counts[i]));
      const d = [
        ...xs.map((i, k) => `${k === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(upper[k]).toFixed(1)}`),
        ...[...xs].reverse().map((i, k) => `L${x(i).toFixed(1)},${y(lower[xs.length - 1 - k]).toFixed(1)}`),
        'Z',
      ].join(' ');
      return { b, d, colour: this.colour(b, bi) };
    });
    return html`<figure data-chart="concepts-area">
        ${caption}
        <svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img" aria-label="Interpretable units per concept by training step">
          <line class="axis" x1=${M.left} x2=${W - M.right} y1=${y(0)} y2=${y(0)}></line>
          <text x=${M.left - 6} y=${y(0) + 3} text-anchor="end">0</text>
          <text x=${M.left - 6} y=${y(top) + 3} text-anchor="end">${top}</text>
          <text class="step" x=${x(0)} y=${H - 8} text-anchor="middle">${fmtStep(lo)}</text>
          ${hi !== lo ? svg`<text class="step" x=${x(steps.length - 1)} y=${H - 8} text-anchor="middle">${fmtStep(hi)}</text>` : ''}
          ${paths.map(
            (p) => svg`<path class="band ${p.b.other ? 'other' : ''}" ${cssProps({ '--band': p.colour })} data-label=${p.b.label}
              data-counts=${p.b.counts.join(',')} d=${p.d}>
              <title>${p.b.label}: ${steps.map((s, i) => `step ${s} ${p.b.counts[i]}`).join(', ')}</title>
            </path>`,
          )}
        </svg>
      </figure>
      <ul class="legend" aria-label="Concepts">
        ${paths.map(
          (p) =>
            html`<li data-label=${p.b.label}><span class="swatch ${p.b.other ? 'other' : ''}" ${cssProps({ '--band': p.colour })}></span>${p.b.label}</li>`,
        )}
      </ul>`;
  }
}

customElements.define('gd-concept-area', ConceptArea);

declare global {
  interface HTMLElementTagNameMap {
    'gd-concept-area': ConceptArea;
  }
}
