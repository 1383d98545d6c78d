/**
 * The Training panel's numbers, from its view (the host's series.json figures, untouched): a layer's figures
 * over the steps, its top concepts' units per step for the stacked area, and the units the timeline offers.
 */
import type { LayerFigures, TrainingView } from '../../extension/shared/webview/training';

/** The layer's figures at each checkpoint that dissected it, by step. */
export function layerAtSteps(view: TrainingView, layer: string): { step: number; runId: string; figures: LayerFigures }[] {
  const out: { step: number; runId: string; figures: LayerFigures }[] = [];
  for (const c of view.checkpoints) {
    const figures = c.layers.find((l) => l.layer === layer);
    if (figures) out.push({ step: c.step, runId: c.runId, figures });
  }
  return out;
}

export interface StepPoint {
  step: number;
  value: number;
}

/** One figure of the layer over the steps. */
export function figureOverSteps(view: TrainingView, layer: string, of: (f: LayerFigures) => number): StepPoint[] {
  return layerAtSteps(view, layer).map((x) => ({ step: x.step, value: of(x.figures) }));
}

/** A band of the stacked area: a concept's interpretable units at each step (or the other concepts', together). */
export interface ConceptBand {
  label: string;
  category: string;
  /** Units at each of the steps, in order. */
  counts: number[];
  other?: boolean;
}

/**
 * The `top` concepts with the most interpretable units over all steps (ties: the first to appear), each
 * with its units per step, and the other concepts' units together as a last band (when there are any).
 */
export function conceptBands(view: TrainingView, layer: string, top = 8): { steps: number[]; bands: ConceptBand[] } {
  const at = layerAtSteps(view, layer);
  const totals = new Map<string, { label: string; category: string; total: number; first: number }>();
  at.forEach((x, i) => {
    for (const c of x.figures.unitsPerConcept) {
      const t = totals.get(c.label) ?? { label: c.label, category: c.category, total: 0, first: i };
      t.total += c.count;
      totals.set(c.label, t);
    }
  });
  const ranked = [...totals.values()].sort((a, b) => b.total - a.total || a.first - b.first);
  const shown = ranked.slice(0, top);
  const bands: ConceptBand[] = shown.map((t) => ({
    label: t.label,
    category: t.category,
    counts: at.map((x) => x.figures.unitsPerConcept.find((c) => c.label === t.label)?.count ?? 0),
  }));
  if (ranked.length > top) {
    const kept = new Set(shown.map((t) => t.label));
    bands.push({
      label: `${ranked.length - top} other concept${ranked.length - top === 1 ? '' : 's'}`,
      category: 'other',
      other: true,
      counts: at.map((x) => x.figures.unitsPerConcept.filter((c) => !kept.has(c.label)).reduce((a, c) => a + c.count, 0)),
    });
  }
  return { steps: at.map((x) => x.step), bands };
}

/** A unit the timeline offers: its label and IoU at the last checkpoint. */
export interface UnitChoice {
  unit: number;
  label: string;
  iou: number;
}

/** The layer's units, best IoU at the last checkpoint first. */
export function unitChoices(view: TrainingView, layer: string): UnitChoice[] {
  const last = layerAtSteps(view, layer).at(-1)?.figures;
  if (!last) return [];
  return last.ious.map((iou, unit) => ({ unit, label: last.labels[unit] ?? '-', iou })).sort((a, b) => b.iou - a.iou || a.unit - b.unit);
}

/** The units the timeline starts with: the best interpretable units at the last checkpoint (else the best by IoU). */
export function defaultUnits(view: TrainingView, layer: string, n = 4): number[] {
  const choices = unitChoices(view, layer);
  const labelled = choices.filter((c) => c.label !== '-');
  return (labelled.length > 0 ? labelled : choices).slice(0, n).map((c) => c.unit);
}
