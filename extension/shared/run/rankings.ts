/** Unit rankings read from a run folder: by IoU with a concept, and the ACE ranking a `causal` run stored. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DissectError } from '../errors';
import { safeName } from './safe-name';
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
  if (m && fs.existsSync(path.join(from.out, m.file))) {
    const raw = fs.readFileSync(path.join(from.out, m.file));
    const a = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    iou = (u) => a[u * K + c];
  } else iou = (u) => from.layer.units[u].concepts.find((x) => x.label === concept)?.iou ?? 0;
  return [...Array(C).keys()].sort((a, b) => iou(b) - iou(a) || a - b);
}

/** Where a `causal` run stores its `<concept>-ace` ranking. */
export function rankingFile(from: FromRun, concept: string): string {
  return path.join(from.out, 'rankings', safeName(from.layer.layer), `${safeName(concept)}-ace.json`);
}

/** The `<concept>-ace` ranking stored by an earlier `causal` run, if any. */
export function aceRanking(from: FromRun, concept: string): number[] | undefined {
  const f = rankingFile(from, concept);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as { units: number[] }).units : undefined;
}
