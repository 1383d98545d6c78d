/** Pure helpers of the intervention panel: default specs, equality, label changes, persisted state. */
import type { InterventionSpec, InterventionView, PreviewResult } from '../../extension/shared/webview/intervene';

export const DEFAULT_TOP = 20;

export type RankBy = 'iou' | 'ace';

/** How the units are chosen, and the painting tools: persisted with the spec. */
export interface InterventionUi {
  pick: 'ranking' | 'hand';
  rankConcept: string;
  rankBy: RankBy;
  top: number;
  brush: number;
  erase: boolean;
}

/** What the panel persists (setState): the view's identity, the spec, and the UI around it. */
export interface InterventionPanelState {
  runId: string;
  layer: string;
  spec: InterventionSpec;
  ui: InterventionUi;
  /** The view.initial that was applied (JSON), so a new preset from another panel replaces the spec. */
  preset: string;
}

export function rankingUnits(view: InterventionView, concept: string, by: RankBy, top: number): number[] {
  const r = view.rankings[concept];
  if (!r) return [];
  const list = by === 'ace' && r.ace ? r.ace : r.iou;
  return list.slice(0, Math.max(0, Math.floor(top)));
}

export function defaultUi(view: InterventionView): InterventionUi {
  const concepts = Object.keys(view.rankings);
  const rankConcept = view.initial?.concept && concepts.includes(view.initial.concept) ? view.initial.concept : (concepts[0] ?? '');
  return {
    pick: view.initial ? 'hand' : 'ranking',
    rankConcept,
    rankBy: 'iou',
    top: DEFAULT_TOP,
    brush: Math.max(1, Math.round(Math.min(view.image.width, view.image.height) / 12)),
    erase: false,
  };
}

/** The spec a fresh panel starts with: the preset, or the first concept's top units by IoU, ablated everywhere. */
export function defaultSpec(view: InterventionView, ui: InterventionUi): InterventionSpec {
  if (view.initial) return { ...view.initial, units: [...view.initial.units] };
  return {
    units: rankingUnits(view, ui.rankConcept, ui.rankBy, ui.top),
    mode: 'ablate',
    strength: 1,
    ...(ui.rankConcept ? { concept: ui.rankConcept } : {}),
    mask: null,
  };
}

export function sameSpec(a: InterventionSpec, b: InterventionSpec): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

function normal(s: InterventionSpec): InterventionSpec {
  return { units: s.units, mode: s.mode, strength: s.strength, ...(s.concept ? { concept: s.concept } : {}), mask: s.mask };
}

/** A restored spec is only usable if its mask has the view's image size. */
export function fitSpec(spec: InterventionSpec, view: InterventionView): InterventionSpec {
  const known = new Set(view.units.map((u) => u.unit));
  const units = view.units.length > 0 ? spec.units.filter((u) => known.has(u)) : spec.units;
  const mask = spec.mask && spec.mask.width === view.image.width && spec.mask.height === view.image.height ? spec.mask : null;
  return { ...spec, units, mask };
}

export interface LabelChange {
  label: string;
  before: number;
  after: number;
  text: string;
}

/**
 * The biggest label changes of one sample (by pixel fraction moved), as "tree −83%" (relative to the label's
 * area before) or "door new" (absent before). Changes under 0.1% of the image are left out.
 */
export function labelChanges(c: PreviewResult['changes'][number] | undefined, count = 4): LabelChange[] {
  if (!c) return [];
  const labels = new Set([...Object.keys(c.before), ...Object.keys(c.after)]);
  const out: LabelChange[] = [];
  for (const label of labels) {
    const before = c.before[label] ?? 0;
    const after = c.after[label] ?? 0;
    if (Math.abs(after - before) < 1e-3) continue;
    let text: string;
    if (before <= 0) text = `${label} new`;
    else {
      const rel = Math.round(((after - before) / before) * 100);
      text = `${label} ${rel < 0 ? '\u2212' : '+'}${Math.abs(rel)}%`;
    }
    out.push({ label, before, after, text });
  }
  return out.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.label.localeCompare(b.label)).slice(0, count);
}
