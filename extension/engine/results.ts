/**
 * Results of a run (DESIGN.md §8): each unit's label (argmax IoU, or argmax IQR in `iqr` mode), the layer
 * summary, and the files on disk: dissect.json (field names close to the reference's), the full IoU matrix
 * as float32, the exact statistics (for merging shards), top-image strips and the HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProviderInfo } from './onnx/session';
import type { LayerTallies, ResolvedSettings, RunContext } from './dissect';
import { renderTopImages, type StripWriter } from './render';
import type { TopImageCache } from './top-cache';
import { writeReport } from './report';
import { packBlob, writeAtomic } from './blob';
import { safeName } from './files';
import type { ProgressListener } from './progress';

export interface ThresholdInfo {
  /** Label of the unit's best (label, level) pair on the threshold-selection set; -1 if none. */
  label: number;
  iqr: number;
  /** Top-fraction of the chosen level. */
  fraction: number;
}

export interface UnitResult {
  unit: number;
  label: string;
  category: string;
  iou: number;
  iqr: number;
  threshold: number;
  interpretable: boolean;
  /** The unit's best concepts by IoU (up to 5, IoU > 0). */
  concepts: { label: string; category: string; iou: number }[];
  top: { sample: number; maxact: number }[];
  /** Strip of the top images, relative to the run folder. */
  image?: string;
}

export interface LayerSummary {
  units: number;
  interpretable: number;
  /** Interpretable units per concept, most first. */
  concepts: { label: string; category: string; count: number }[];
  /** Interpretable units per category. */
  categories: Record<string, number>;
}

export interface LayerResult {
  layer: string;
  tensor: string;
  aliases: string[];
  /** [C, h, w] */
  shape: [number, number, number];
  units: UnitResult[];
  summary: LayerSummary;
  /** Full IoU matrix units × labels, float32 row-major. */
  iouMatrix?: { file: string; shape: [number, number] };
  stats?: string;
}

export interface DissectResult {
  formatVersion: number;
  tool: 'gan-dissection';
  key: string;
  complete: boolean;
  /** Set for one shard of a run: its statistics only, to be merged. */
  shard?: { index: number; count: number; range: [number, number] };
  settings: ResolvedSettings;
  provider: ProviderInfo;
  labels: { name: string; category: string }[];
  segmentation: { height: number; width: number };
  image: { height: number; width: number };
  timings: { seconds: number };
  layers: LayerResult[];
  created: string;
}

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
    const units: UnitResult[] = [];
    for (let u = 0; u < C; u++) {
      const ious: { c: number; iou: number }[] = [];
      let bestIqr = { c: -1, v: 0 };
      for (let c = 0; c < space.labels.length; c++) {
        if (space.categoryOf[c] < 0) continue;
        ious.push({ c, iou: tally.iou(u, c, space.categoryOf) });
        if (settings.threshold === 'iqr') {
          const v = tally.iqr(u, c);
          if (v > bestIqr.v) bestIqr = { c, v };
        }
      }
      ious.sort((a, b) => b.iou - a.iou || a.c - b.c);
      const label = settings.threshold === 'iqr' ? bestIqr.c : ious.length > 0 && ious[0].iou > 0 ? ious[0].c : -1;
      const iou = label >= 0 ? tally.iou(u, label, space.categoryOf) : 0;
      const iqr = label >= 0 ? tally.iqr(u, label) : 0;
      const l = labelOf(label);
      units.push({
        unit: u,
        label: l.name,
        category: l.category,
        iou,
        iqr,
        threshold: t.thresholds![u],
        interpretable: label >= 0 && iou > settings.iouMin && iqr > settings.iqrMin,
        concepts: ious.filter((x) => x.iou > 0).slice(0, 5).map((x) => ({ label: labelOf(x.c).name, category: labelOf(x.c).category, iou: x.iou })),
        top: tally.top.entries(u).map((e) => ({ sample: e.sample, maxact: e.score })),
      });
    }
    return {
      layer: t.layer.name,
      tensor: t.layer.tensor,
      aliases: t.layer.aliases,
      shape: t.layer.shape,
      units,
      summary: summarize(units),
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
  fs.mkdirSync(path.join(out, 'arrays'), { recursive: true });
  fs.mkdirSync(path.join(out, 'stats'), { recursive: true });
  const K = result.labels.length;
  const catOf = categoryIndex(result.labels);
  result.layers.forEach((lr, i) => {
    const t = tallies[i];
    const C = lr.shape[0];
    const name = safeName(lr.layer);
    const m = new Float32Array(C * K);
    for (let u = 0; u < C; u++) for (let c = 0; c < K; c++) m[u * K + c] = t.iou!.iou(u, c, catOf);
    const file = `arrays/${name}.iou.f32`;
    fs.writeFileSync(path.join(out, file), Buffer.from(m.buffer));
    lr.iouMatrix = { file, shape: [C, K] };
    const stats = `stats/${name}.bin`;
    writeAtomic(path.join(out, stats), packBlob({ layer: lr.layer, thresholds: Array.from(t.thresholds!), thresholdInfo: t.thresholdInfo ?? null }, t.iou!.arrays()));
    lr.stats = stats;
  });
  writeAtomic(path.join(out, 'dissect.json'), JSON.stringify(result, null, 1));
  if (!result.shard) writeReport(out, result);
}

/** Category index per label (−1 for unlabeled), as in the label space. */
export function categoryIndex(labels: { category: string }[]): Int32Array {
  const cats: string[] = [];
  return Int32Array.from(labels.map((l) => {
    if (l.category === '-') return -1;
    let g = cats.indexOf(l.category);
    if (g < 0) g = cats.push(l.category) - 1;
    return g;
  }));
}
