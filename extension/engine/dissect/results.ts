/**
 * Results of a run: each unit's label (argmax IoU in `quantile` mode; in `iqr` mode the label of its best
 * qualified pair on the threshold-selection set, stats/iqr-select.ts), its IoU and IQR on the dissection
 * set at its threshold, how stable that is (stats/jackknife.ts), the per-concept rankings (Eq. 2's
 * t_{u,c} in `iqr` mode), the layer summary, and the files on disk: dissect.json (field names close to the
 * reference's), the full IoU matrix and the per-pair arrays as float32, the exact statistics (for merging
 * shards), top-image strips and the HTML report.
 */
import type { LayerTallies, PairArrays, RunContext, ThresholdInfo } from './run-context';
import {
  PAIR_FIELDS,
  type Detector,
  type DissectResult,
  type LayerResult,
  type LayerSummary,
  type PairField,
  type Ranking,
  type UnitResult,
} from '../../shared/run/schema';
import { renderTopImages, type StripWriter } from '../output/top-images';
import type { TopImageCache } from './top-cache';
import { writeReport } from '../../shared/report/report';
import { packBlob } from '../../shared/run/blob';
import { RunFolder } from '../../shared/run/folder';
import type { ProgressListener } from '../../shared/progress';
import { MIN_AGREEMENT } from '../stats/iqr-select';
import { categoryIqr } from '../stats/info';
import { jackknifeSe } from '../stats/jackknife';
import type { IouTally } from '../stats/iou-tally';

export { PAIR_FIELDS } from '../../shared/run/schema';
export { PAIR_FILES } from '../../shared/run/folder';
export { pairArrays, type PairArrays, type ThresholdInfo } from './run-context';

export interface FinalizeOptions {
  key: string;
  out: string;
  shard?: { index: number; count: number };
  range: [number, number];
  seconds: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Top images kept during the IoU pass (top-cache.ts). */
  topCache?: TopImageCache;
  /** Writes the strips on the statistics threads. */
  stripWriter?: StripWriter;
}

/** Labels each unit, summarises each layer and (for a whole run) renders the top images. */
export async function finalizeResults(ctx: RunContext, tallies: LayerTallies[], o: FinalizeOptions): Promise<DissectResult> {
  const { settings } = ctx;
  const space = ctx.seg.space;
  const labelOf = (c: number) => (c >= 0 ? space.labels[c] : { name: '-', category: '-' });
  const layers: LayerResult[] = tallies.map((t) => {
    const tally = t.iou!;
    const C = t.layer.shape[0];
    const K = space.labels.length;
    const units: UnitResult[] = [];
    for (let u = 0; u < C; u++) {
      const ious: { c: number; iou: number }[] = [];
      for (let c = 0; c < K; c++) {
        if (space.categoryOf[c] < 0) continue;
        ious.push({ c, iou: tally.iou(u, c, space.categoryOf) });
      }
      ious.sort((a, b) => b.iou - a.iou || a.c - b.c);
      // iqr mode: the label chosen on the threshold-selection set, not chosen again here (rule 6)
      const chosen = settings.threshold === 'iqr' ? t.thresholdInfo![u].label : ious.length > 0 && ious[0].iou > 0 ? ious[0].c : -1;
      const label = chosen >= 0 && space.categoryOf[chosen] >= 0 ? chosen : -1;
      const iou = label >= 0 ? tally.iou(u, label, space.categoryOf) : 0;
      const iqr = label >= 0 ? tally.iqr(u, label, space.categoryOf) : 0;
      const l = labelOf(label);
      const unit: UnitResult = {
        unit: u,
        label: l.name,
        category: l.category,
        iou,
        iqr,
        threshold: t.thresholds![u],
        interpretable: label >= 0 && iou > settings.iouMin && iqr > settings.iqrMin,
        concepts: ious
          .filter((x) => x.iou > 0)
          .slice(0, 5)
          .map((x) => ({ label: labelOf(x.c).name, category: labelOf(x.c).category, iou: x.iou })),
        top: tally.top.entries(u).map((e) => ({ sample: e.sample, maxact: e.score })),
      };
      if (t.pairs) Object.assign(unit, pairFields(t.pairs, t.thresholdInfo![u], u, space));
      if (label >= 0) unit.stability = stabilityOf(tally, u, label, space.categoryOf, settings.threshold);
      units.push(unit);
    }
    return {
      layer: t.layer.name,
      tensor: t.layer.tensor,
      aliases: t.layer.aliases,
      shape: t.layer.shape,
      units,
      summary: summarize(units),
      rankings: rankingsOf(units, t, space),
    };
  });
  const first = tallies[0];
  const seg = { height: first.up.H, width: first.up.W };
  const result: DissectResult = {
    formatVersion: settings.formatVersion,
    tool: 'gan-dissection',
    key: o.key,
    complete: true,
    ...(o.shard ? { shard: { ...o.shard, range: o.range } } : {}),
    settings,
    provider: ctx.provider,
    labels: space.labels.map((l) => ({ name: l.name, category: l.category })),
    segmentation: seg,
    image: { height: 0, width: 0 },
    timings: { seconds: o.seconds },
    layers,
    created: new Date().toISOString(),
  };
  if (!o.shard) {
    const img = await renderTopImages(ctx, tallies, layers, o.out, o.onProgress, o.signal, o.topCache, o.stripWriter);
    result.image = img;
  }
  return result;
}

type Space = RunContext['seg']['space'];

/** A unit's detectors (its best concepts at their own t_{u,c}) and the report's iqr_label. */
function pairFields(pairs: PairArrays, info: ThresholdInfo, u: number, space: Space): Pick<UnitResult, 'detectors' | 'iqrLabel'> {
  const K = space.labels.length;
  const at = (c: number) => u * K + c;
  const detectors: Detector[] = [];
  for (let c = 0; c < K; c++) {
    if (space.categoryOf[c] < 0 || !(pairs.iou[at(c)] > 0) || !(pairs.iqr[at(c)] > 0)) continue;
    const l = space.labels[c];
    detectors.push({ label: l.name, category: l.category, iou: pairs.iou[at(c)], iqr: pairs.iqr[at(c)], threshold: pairs.level[at(c)] });
  }
  detectors.sort((a, b) => b.iou - a.iou || a.label.localeCompare(b.label));
  const r = info.reportLabel ?? info.label;
  const rl = space.categoryOf[r] >= 0 ? space.labels[r] : { name: '-', category: '-' };
  return {
    detectors: detectors.slice(0, 5),
    iqrLabel: {
      label: rl.name,
      category: rl.category,
      iqr: pairs.iqr[at(r)],
      threshold: pairs.level[at(r)],
      fraction: pairs.fraction[at(r)],
      iou: pairs.iou[at(r)],
    },
  };
}

/**
 * The jackknife over the dissection set's blocks (stats/jackknife.ts) for unit u's label: the standard
 * error of its IoU, and the blocks in which it wins alone — by IoU in `quantile` mode; in `iqr` mode by
 * IQR at the unit's threshold among the labels the unit agrees with (the qualifying rule, rule 4).
 */
function stabilityOf(tally: IouTally, u: number, label: number, categoryOf: Int32Array, mode: 'iqr' | 'quantile'): UnitResult['stability'] {
  const blocks: number[] = [];
  for (let b = 0; b < tally.blocks.count; b++) if (tally.blockSamples[b] > 0) blocks.push(b);
  const loo = blocks.map((b) => tally.iou(u, label, categoryOf, { without: b }));
  let agree = 0;
  for (const b of blocks) {
    let best = -1;
    let bestScore = 0;
    for (let c = 0; c < categoryOf.length; c++) {
      if (categoryOf[c] < 0) continue;
      let score: number;
      if (mode === 'quantile') score = tally.iou(u, c, categoryOf, { only: b });
      else {
        const n = tally.counts(u, c, categoryOf, { only: b });
        const agreement = n.total > 0 ? (n.total - n.onInCategory - n.area + 2 * n.both) / n.total : 0;
        score = agreement > MIN_AGREEMENT ? categoryIqr(n.both, n.onInCategory, n.area, n.total) : 0;
      }
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best === label) agree++;
  }
  return { iouSe: jackknifeSe(loo), agree, blocks: blocks.length };
}

/**
 * Per-concept rankings for the concepts that label some unit (as the reference ranks the labels its
 * units carry): by IoU at t_{u,c} in `iqr` mode (the paper's ranking, Eq. 2), by IoU at the unit's own
 * threshold in `quantile` mode.
 */
function rankingsOf(units: UnitResult[], t: LayerTallies, space: Space): Ranking[] {
  const K = space.labels.length;
  const named = new Set<string>();
  for (const u of units) {
    if (u.category !== '-') named.add(u.label);
    if (u.iqrLabel && u.iqrLabel.category !== '-') named.add(u.iqrLabel.label);
  }
  const rankings: Ranking[] = [];
  for (let c = 0; c < K; c++) {
    const concept = space.labels[c].name;
    if (space.categoryOf[c] < 0 || !named.has(concept)) continue;
    const scores = units.map((_, u) => (t.pairs ? t.pairs.iou[u * K + c] : t.iou!.iou(u, c, space.categoryOf)));
    const order = scores.map((_, u) => u).sort((a, b) => scores[b] - scores[a] || a - b);
    rankings.push({ name: `${concept}-iou`, concept, metric: t.pairs ? 'max_iqr_iou' : 'iou', units: order, score: order.map((u) => scores[u]) });
  }
  return rankings;
}

export function summarize(units: UnitResult[]): LayerSummary {
  const byConcept = new Map<string, { label: string; category: string; count: number }>();
  const categories: Record<string, number> = {};
  let interpretable = 0;
  for (const u of units) {
    if (!u.interpretable) continue;
    interpretable++;
    const e = byConcept.get(u.label) ?? { label: u.label, category: u.category, count: 0 };
    e.count++;
    byConcept.set(u.label, e);
    categories[u.category] = (categories[u.category] ?? 0) + 1;
  }
  const concepts = [...byConcept.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  return { units: units.length, interpretable, concepts, categories };
}

/** Writes dissect.json, the IoU matrices, the statistics and (for a whole run) the report. */
export function writeResults(out: string, result: DissectResult, tallies: LayerTallies[]): void {
  const run = new RunFolder(out);
  const K = result.labels.length;
  const catOf = categoryIndex(result.labels);
  result.layers.forEach((lr, i) => {
    const t = tallies[i];
    const C = lr.shape[0];
    const m = new Float32Array(C * K);
    for (let u = 0; u < C; u++) for (let c = 0; c < K; c++) m[u * K + c] = t.iou!.iou(u, c, catOf);
    const file = run.iouMatrixFile(lr.layer);
    run.writeArray(file, m);
    lr.iouMatrix = { file: run.name(file), shape: [C, K] };
    if (t.pairs) {
      const files = {} as Record<PairField, { file: string; shape: [number, number] }>;
      for (const f of PAIR_FIELDS) {
        const pf = run.pairArrayFile(lr.layer, f);
        run.writeArray(pf, t.pairs[f]);
        files[f] = { file: run.name(pf), shape: [C, K] };
      }
      lr.pairArrays = files;
    }
    const stats = run.statsFile(lr.layer);
    const pairs: Record<string, Float32Array> = {};
    if (t.pairs) for (const f of PAIR_FIELDS) pairs[`pairs.${f}`] = t.pairs[f];
    run.write(
      stats,
      packBlob({ layer: lr.layer, thresholds: Array.from(t.thresholds!), thresholdInfo: t.thresholdInfo ?? null }, { ...t.iou!.arrays(), ...pairs }),
    );
    lr.stats = run.name(stats);
  });
  // dissect.json last: a run folder that holds it is complete (a failure before leaves none to trust)
  if (!result.shard) writeReport(out, result);
  run.writeResult(result);
}

/** Category index per label (−1 for unlabeled), as in the label space. */
export function categoryIndex(labels: { category: string }[]): Int32Array {
  const cats: string[] = [];
  return Int32Array.from(
    labels.map((l) => {
      if (l.category === '-') return -1;
      let g = cats.indexOf(l.category);
      if (g < 0) g = cats.push(l.category) - 1;
      return g;
    }),
  );
}
