/**
 * Runs side by side (the paper's Fig. 5–7, 18, 19): a layer's figures — interpretable units, concepts,
 * units per concept, mean IoU of the interpretable units, the realism of the generator where an artifacts
 * run measured it — and the diff of two dissections of a layer: units whose label changed, units that
 * became or stopped being interpretable. Pure functions of the runs' own results (the CLI's compare, the
 * checkpoint series, the comparison views).
 */
import type { ArtifactsResult, LayerFigures, LayerResult } from './schema';

export type { LayerFigures };

export function layerFigures(l: LayerResult, artifacts?: ArtifactsResult): LayerFigures {
  const interp = l.units.filter((u) => u.interpretable);
  return {
    layer: l.layer,
    units: l.units.length,
    interpretable: interp.length,
    concepts: new Set(interp.map((u) => u.label)).size,
    unitsPerConcept: l.summary.concepts.map((c) => ({ label: c.label, category: c.category, count: c.count })),
    categories: { ...l.summary.categories },
    meanIou: interp.length ? interp.reduce((a, u) => a + u.iou, 0) / interp.length : 0,
    ...(artifacts?.repair ? { realism: { distance: artifacts.repair.original, label: artifacts.features.label } } : {}),
    labels: l.units.map((u) => (u.interpretable ? u.label : '-')),
    ious: l.units.map((u) => u.iou),
  };
}

export interface LayerDiff {
  layer: string;
  /** Units interpretable in both, with another label. */
  changed: { unit: number; from: string; to: string; iouFrom: number; iouTo: number }[];
  /** Units interpretable in the second run only, and in the first only. */
  became: { unit: number; label: string; iou: number }[];
  stopped: { unit: number; label: string; iou: number }[];
  /** Units interpretable in both with the same label. */
  same: number;
}

/** What changed in a layer from run a to run b (the same layer of models with the same units). */
export function diffLayers(a: LayerResult, b: LayerResult): LayerDiff {
  if (a.units.length !== b.units.length)
    throw new Error(`${a.layer} has ${a.units.length} units in one run and ${b.units.length} in the other: a diff needs the same units`);
  const d: LayerDiff = { layer: b.layer, changed: [], became: [], stopped: [], same: 0 };
  a.units.forEach((ua, i) => {
    const ub = b.units[i];
    if (ua.interpretable && ub.interpretable) {
      if (ua.label === ub.label) d.same++;
      else d.changed.push({ unit: i, from: ua.label, to: ub.label, iouFrom: ua.iou, iouTo: ub.iou });
    } else if (ub.interpretable) d.became.push({ unit: i, label: ub.label, iou: ub.iou });
    else if (ua.interpretable) d.stopped.push({ unit: i, label: ua.label, iou: ua.iou });
  });
  return d;
}
