/** Pure helpers of the intervention panel: default specs, equality, insertion choices in words, label changes, persisted state. */
import {
  DEFAULT_INSERTION,
  INSERTION_CHOICES,
  MAX_STRENGTH,
  defaultUnitCount,
  type InsertionChoice,
  type InterventionSpec,
  type InterventionView,
  type PreviewResult,
} from '../../extension/shared/webview/intervene';

export type RankBy = 'iou' | 'ace';

/**
 * How the units are chosen, and the painting tools: persisted with the spec. The concept (which ranking, and
 * whose insertion constants) is the spec's `concept`: one choice drives both.
 */
export interface InterventionUi {
  pick: 'ranking' | 'hand';
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

/** The insertion choices in words: the option's label, and what strength 1× means with it. */
export const INSERTIONS: Record<InsertionChoice, { label: string; one: string }> = {
  high: {
    label: 'higher of 99th percentile and concept mean (default)',
    one: "the unit's 99th-percentile activation or its mean where the concept is, whichever is higher; units are raised to it, never lowered (max(r, k))",
  },
  concept: {
    label: 'concept mean',
    one: "the unit's mean activation where the concept is; units are raised to it, never lowered (max(r, k))",
  },
  quantile: {
    label: '99th percentile (no concept needed)',
    one: "the unit's 99th-percentile activation over all images, whatever the concept; units are raised to it, never lowered (max(r, k))",
  },
  paper: {
    label: "paper's choice: concept mean, replacing r",
    one: "the unit's mean activation where the concept is, replacing its value (r′ = k, the paper's §3.2 edit): units above it are lowered",
  },
};

export function isInsertion(x: unknown): x is InsertionChoice {
  return typeof x === 'string' && (INSERTION_CHOICES as readonly string[]).includes(x);
}

/** The strongest strength the mode allows: insertion multiplies k up to MAX_STRENGTH×, ablation stops at 1 (all the way to 0). */
export function maxStrength(mode: InterventionSpec['mode']): number {
  return mode === 'insert' ? MAX_STRENGTH : 1;
}

export function clampStrength(s: number, mode: InterventionSpec['mode']): number {
  return Math.min(maxStrength(mode), Math.max(0, s));
}

/** What the strength means, for the spec's mode and insertion. */
export function strengthHelp(spec: InterventionSpec): string {
  if (spec.mode === 'ablate') return '1 = the units set to 0 (fully ablated); below 1 only partly (r′ = (1 − s)·r).';
  const one = INSERTIONS[spec.insertion ?? DEFAULT_INSERTION].one;
  return `1× = ${one}. Above 1 multiplies it (up to ${MAX_STRENGTH}×); below 1 blends the edit in partly.`;
}

export function rankingUnits(view: InterventionView, concept: string | undefined, by: RankBy, top: number): number[] {
  const r = concept ? view.rankings[concept] : undefined;
  if (!r) return [];
  const list = by === 'ace' && r.ace ? r.ace : r.iou;
  return list.slice(0, Math.max(0, Math.floor(top)));
}

/** The concept a fresh panel starts with: the preset's, else the first with a ranking. */
export function defaultConcept(view: InterventionView): string | undefined {
  const concepts = Object.keys(view.rankings);
  return view.initial?.concept && concepts.includes(view.initial.concept) ? view.initial.concept : concepts[0];
}

export function defaultUi(view: InterventionView): InterventionUi {
  return {
    pick: view.initial ? 'hand' : 'ranking',
    rankBy: 'iou',
    top: defaultUnitCount(view.shape[0]),
    brush: Math.max(1, Math.round(Math.min(view.image.width, view.image.height) / 12)),
    erase: false,
  };
}

/** The spec a fresh panel starts with: the preset, or the first concept's top units by IoU, ablated everywhere. */
export function defaultSpec(view: InterventionView, ui: InterventionUi): InterventionSpec {
  if (view.initial) return { ...view.initial, units: [...view.initial.units] };
  const concept = defaultConcept(view);
  return {
    units: rankingUnits(view, concept, ui.rankBy, ui.top),
    mode: 'ablate',
    strength: 1,
    ...(concept ? { concept } : {}),
    insertion: DEFAULT_INSERTION,
    mask: null,
  };
}

export function sameSpec(a: InterventionSpec, b: InterventionSpec): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

function normal(s: InterventionSpec): InterventionSpec {
  return {
    units: s.units,
    mode: s.mode,
    strength: s.strength,
    ...(s.concept ? { concept: s.concept } : {}),
    insertion: s.insertion ?? DEFAULT_INSERTION,
    mask: s.mask,
  };
}

/**
 * A restored (or preset) spec made usable for the view: units of the layer only, a mask of the view's image
 * size, a known insertion (named explicitly, so the request says which), a strength the mode allows.
 */
export function fitSpec(spec: InterventionSpec, view: InterventionView): InterventionSpec {
  const known = new Set(view.units.map((u) => u.unit));
  const units = view.units.length > 0 ? spec.units.filter((u) => known.has(u)) : spec.units;
  const mask = spec.mask && spec.mask.width === view.image.width && spec.mask.height === view.image.height ? spec.mask : null;
  const insertion = isInsertion(spec.insertion) ? spec.insertion : DEFAULT_INSERTION;
  const strength = Number.isFinite(spec.strength) ? clampStrength(spec.strength, spec.mode) : 1;
  return { ...spec, units, strength, insertion, mask };
}

export interface LabelChange {
  label: string;
  before: number;
  after: number;
  /** "tree −24.9% of the image": the change of the label's pixels as a share of all the image's pixels. */
  text: string;
  /** "tree: 30.0% → 5.1% of the image". */
  detail: string;
}

const pct = (f: number) => `${(f * 100).toFixed(1)}%`;

/**
 * The biggest label changes of one sample, as pixel fractions of the image: (pixels of the label after −
 * before) / all the image's pixels, e.g. "tree −24.9% of the image", "door +2.0% of the image" — not relative
 * to the label's own area (a label that grows from 0.01% to 2% is +2.0% of the image, not +20000%).
 * Changes under 0.1% of the image are left out.
 */
export function labelChanges(c: PreviewResult['changes'][number] | undefined, count = 4): LabelChange[] {
  if (!c) return [];
  const labels = new Set([...Object.keys(c.before), ...Object.keys(c.after)]);
  const out: LabelChange[] = [];
  for (const label of labels) {
    const before = c.before[label] ?? 0;
    const after = c.after[label] ?? 0;
    const d = after - before;
    if (Math.abs(d) < 1e-3) continue;
    const text = `${label} ${d < 0 ? '\u2212' : '+'}${pct(Math.abs(d))} of the image`;
    const detail = `${label}: ${pct(before)} \u2192 ${pct(after)} of the image${before <= 0 ? ' (new)' : after <= 0 ? ' (gone)' : ''}`;
    out.push({ label, before, after, text, detail });
  }
  return out.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.label.localeCompare(b.label)).slice(0, count);
}

/**
 * The labels the legend lists: those present (before or after) in the samples shown once a preview is in, in
 * the segmenter's order; all of them before that.
 */
export function legendLabels<L extends { name: string }>(labels: readonly L[], result: PreviewResult | undefined): L[] {
  if (!result) return [...labels];
  const present = new Set<string>();
  for (const c of result.changes) for (const side of [c.before, c.after]) for (const [name, f] of Object.entries(side)) if (f > 0) present.add(name);
  return labels.filter((l) => present.has(l.name));
}
