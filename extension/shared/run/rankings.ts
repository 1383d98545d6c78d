/** Unit rankings read from a run folder: by IoU with a concept, and the ACE ranking a `causal` run stored. */
import { DissectError } from '../errors';
import type { FromRun } from './folder';

/**
 * Units ranked by IoU with a concept (best first). In `iqr` mode each unit is scored at its own threshold
 * for that concept, t_{u,c} of Eq. 2 (the `max_iqr_iou` array: the paper's per-concept ranking); in
 * `quantile` mode at the unit's one threshold (the full IoU matrix).
 */
export function iouRanking(from: FromRun, concept: string): number[] {
  const c = from.result.labels.findIndex((l) => l.name === concept && l.category !== '-');
  if (c < 0) throw new DissectError('bad-labels', `no concept "${concept}" in the dissection's labels`);
  const K = from.result.labels.length;
  const C = from.layer.shape[0];
  const m = from.layer.pairArrays?.iou ?? from.layer.iouMatrix;
  let iou: (u: number) => number;
  const matrix = m ? from.run.readArray(m.file) : undefined;
  if (matrix) iou = (u) => matrix[u * K + c];
  else iou = (u) => from.layer.units[u].concepts.find((x) => x.label === concept)?.iou ?? 0;
  return [...Array(C).keys()].sort((a, b) => iou(b) - iou(a) || a - b);
}

/** Where a `causal` run stores its `<concept>-ace` ranking. */
export function rankingFile(from: FromRun, concept: string): string {
  return from.run.rankingFile(from.layer.layer, concept);
}

/** The `<concept>-ace` ranking stored by an earlier `causal` run, if any. */
export function aceRanking(from: FromRun, concept: string): number[] | undefined {
  return from.run.readAceRanking(from.layer.layer, concept)?.units;
}
