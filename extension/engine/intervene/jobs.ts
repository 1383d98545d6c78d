/**
 * The intervention jobs behind `gan-dissect intervene | ace | causal | context` and the VS Code panels:
 * unit sets from rankings of an earlier dissection (`--from DIR`), insertion constants (cached in that
 * dissection's folder), results as JSON and pictures.
 */
import type { InsertionChoice } from '../../shared/intervention';
import { InterventionModel, rectMask, checkUnits, interventionValues, type Intervention, type InterventionOptions } from './edit';
import { averageCausalEffect, causalSearch, insertionContext, insertionValues, quantileValues, sampleSet, type EffectOptions } from './causal';
import type { AceResult, CausalResult, ContextResult, TraceResult } from '../../shared/run/schema';
import { traceIntervention } from './trace';
import { seededLatents } from '../models/latents';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../../shared/png';
import { gridBoxes, gridHeatmap } from '../output/grid-overlay';
import { labelColour } from '../../shared/webview/colours';
import { DissectError } from '../../shared/errors';
import { RunFolder, JobFolder, type FromRun } from '../../shared/run/folder';
import { iouRanking, aceRanking } from '../../shared/run/rankings';
import { writeAtomic } from '../../shared/run/blob';
import { ensureFolder } from '../../shared/run/lock';

// The run-folder reads live in extension/shared/run/ (no ONNX Runtime there, so the extension host uses them too).

export interface UnitChoice {
  units?: number[];
  concept?: string;
  ranking?: 'iou' | 'ace';
  count?: number;
}

export function chooseUnits(choice: UnitChoice, from: FromRun | undefined, C: number): number[] {
  if (choice.units && choice.units.length > 0) {
    checkUnits(choice.units, C);
    return choice.units;
  }
  if (!choice.concept) throw new DissectError('bad-usage', 'give --units, or --concept with --ranking iou|ace and --count');
  if (!from) throw new DissectError('bad-usage', `units by ranking need --from DIR (an earlier dissection of the layer)`);
  const count = choice.count ?? 20;
  if (choice.ranking === 'ace') {
    const r = aceRanking(from, choice.concept);
    if (!r)
      throw new DissectError(
        'bad-usage',
        `no causal ranking for "${choice.concept}" in ${from.out}: run gan-dissect causal --from ${from.out} --concept ${choice.concept} first`,
      );
    return r.slice(0, count);
  }
  return iouRanking(from, choice.concept).slice(0, count);
}

/**
 * The insertion, measured on the demo (README): `high` (the default) k = the larger of the unit's 0.99
 * quantile and its mean activation where the concept is, inserted as max(r, k) so that no unit is
 * lowered; `quantile` the 0.99 quantile alone and `concept` the conditional mean alone, both as
 * max(r, k); `paper` the conditional mean replacing r (r' = k where a = 1), the paper's §3.2 edit.
 */

/** How an insertion of that source combines with the featuremap. */
export function combineOf(source: InsertionChoice | undefined): 'max' | 'replace' {
  return source === 'paper' ? 'replace' : 'max';
}

/** Insertion constants k, cached next to the dissection they came from. */
export async function cachedInsertionValues(
  model: InterventionModel,
  concept: string | undefined,
  from: FromRun | undefined,
  o: EffectOptions,
  source: InsertionChoice = 'high',
): Promise<Float32Array> {
  if (source === 'high') {
    const q = await cachedInsertionValues(model, concept, from, o, 'quantile');
    if (!concept) return q;
    const m = await cachedInsertionValues(model, concept, from, o, 'concept');
    return q.map((v, u) => Math.max(v, m[u]));
  }
  if (source !== 'quantile' && !concept)
    throw new DissectError('bad-usage', "insertion constants by concept need a concept (or use the units' 0.99 quantiles: --insertion quantile)");
  // (the paper's insertion uses the concept's constants too)
  const of = source === 'quantile' ? 'quantile' : { concept: concept! };
  const cached = from?.run.readInsertion(from.layer.layer, of);
  if (cached?.generator === model.gen.sha256) return Float32Array.from(cached.values);
  const k = source === 'quantile' ? await quantileValues(model, o) : await insertionValues(model, model.concept(concept!), o);
  if (from)
    from.run.writeInsertion(from.layer.layer, of, { generator: model.gen.sha256, concept, samples: o.samples, seed: o.seed, values: Array.from(k) });
  return k;
}

// ---- pictures ---------------------------------------------------------------------------------------

export function segmentationRgb(labels: Uint16Array, offset: number, P: number): Uint8Array {
  const out = new Uint8Array(P * 3);
  for (let p = 0; p < P; p++) out.set(labelColour(labels[offset + p]), p * 3);
  return out;
}

/** Tiles RGB images (each h×w) into a grid with `gap` pixels between them. */
export function tileGrid(tiles: Uint8Array[][], h: number, w: number, gap = 2): { rgb: Uint8Array; width: number; height: number } {
  const rows = tiles.length;
  const cols = Math.max(...tiles.map((r) => r.length));
  const width = cols * w + (cols - 1) * gap;
  const height = rows * h + (rows - 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(40);
  tiles.forEach((row, r) =>
    row.forEach((t, c) => {
      for (let y = 0; y < h; y++) rgb.set(t.subarray(y * w * 3, (y + 1) * w * 3), ((r * (h + gap) + y) * width + c * (w + gap)) * 3);
    }),
  );
  return { rgb, width, height };
}

// ---- jobs -------------------------------------------------------------------------------------------

export interface InterveneJob extends InterventionOptions, UnitChoice {
  from?: string;
  mode: 'ablate' | 'insert';
  value?: number;
  insertion?: InsertionChoice;
  /** 0…10 (edit.ts Intervention.strength): 1 = the constants as they are. */
  strength?: number;
  /** x0, y0, x1, y1 in image pixels. */
  region?: [number, number, number, number];
  samples: number;
  seed: number;
  batch: number;
  out: string;
}

export interface InterventionSummary {
  layer: string;
  units: number[];
  mode: 'ablate' | 'insert';
  values: number[];
  region?: [number, number, number, number];
  samples: { sample: number; before: Record<string, number>; after: Record<string, number> }[];
  image: string;
}

function fractions(maps: Uint16Array[], i: number, P: number, names: string[]): Record<string, number> {
  const counts = new Map<number, number>();
  for (const m of maps) for (let p = i * P; p < (i + 1) * P; p++) counts.set(m[p], (counts.get(m[p]) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const [l, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) out[names[l]] = n / P;
  return out;
}

export async function runIntervene(j: InterveneJob): Promise<InterventionSummary> {
  const model = await InterventionModel.open(j);
  const from = j.from ? new RunFolder(j.from).from(j.layer) : undefined;
  const units = chooseUnits(j, from, model.shape[0]);
  const z = seededLatents(j.seed, model.gen.latentDims).batch(0, j.samples);
  const orig = await model.original(z, j.samples);
  const [, H, W] = orig.imageShape;
  if (j.region && (j.region[2] > W || j.region[3] > H))
    throw new DissectError('bad-usage', `--region ${j.region.join(',')} lies outside the ${W}×${H} image (x0,y0,x1,y1 in image pixels)`);
  let k: Intervention['k'];
  if (j.mode === 'insert') {
    if (j.value !== undefined) k = j.value;
    else {
      if (!j.concept && j.insertion !== 'quantile' && j.insertion !== 'high' && j.insertion !== undefined)
        throw new DissectError('bad-usage', `--insertion ${j.insertion} needs --concept C (its insertion constants), or --value K`);
      k = await cachedInsertionValues(model, j.concept, from, { samples: 100, seed: 5, batch: j.batch }, j.insertion ?? 'high');
    }
  }
  const iv: Intervention = {
    units,
    mode: j.mode,
    combine: combineOf(j.insertion),
    ...(j.strength !== undefined ? { strength: j.strength } : {}),
    ...(k !== undefined ? { k } : {}),
    // the region as a mask painted at image resolution (what the live preview gets from the webview)
    ...(j.region ? { mask: { at: 'image', width: W, height: H, bytes: Uint8Array.from(rectMask(H, W, j.region), (v) => v * 255) } } : {}),
  };
  const values = interventionValues(iv);
  const after = await model.edited(orig.fm, z, j.samples, iv);
  const names = model.seg.space.labels.map((l) => l.name);
  const P = orig.seg.H * orig.seg.W;
  const rows: Uint8Array[][] = [];
  const samples = [];
  for (let i = 0; i < j.samples; i++) {
    rows.push([
      toRgbBytes(orig.image, i, H, W, model.gen.range),
      toRgbBytes(after.image, i, H, W, model.gen.range),
      segmentationRgb(orig.seg.maps[0], i * P, P),
      segmentationRgb(after.seg.maps[0], i * P, P),
    ]);
    samples.push({ sample: i, before: fractions(orig.seg.maps, i, P, names), after: fractions(after.seg.maps, i, P, names) });
  }
  ensureFolder(j.out);
  const same = orig.seg.H === H && orig.seg.W === W;
  const grid = tileGrid(same ? rows : rows.map((r) => r.slice(0, 2)), H, W);
  const job = new JobFolder(j.out);
  writeAtomic(job.interventionImage, encodePng(grid.rgb, grid.width, grid.height));
  const summary: InterventionSummary = {
    layer: model.layer.name,
    units,
    mode: j.mode,
    values: Array.from(values),
    ...(j.region ? { region: j.region } : {}),
    samples,
    image: job.name(job.interventionImage),
  };
  job.writeIntervention(summary);
  return summary;
}

export interface EffectJob extends InterventionOptions, UnitChoice {
  from?: string;
  insertion?: InsertionChoice;
  concept: string;
  samples: number;
  seed: number;
  batch: number;
  region?: [number, number, number, number];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
}

/** The sampling, batching, cancellation and progress options of an effect job. */
function effectOptions(j: EffectJob): EffectOptions {
  return {
    samples: j.samples,
    seed: j.seed,
    batch: j.batch,
    combine: combineOf(j.insertion),
    ...(j.signal ? { signal: j.signal } : {}),
    ...(j.onProgress ? { onProgress: j.onProgress } : {}),
  };
}

export async function runAce(j: EffectJob): Promise<AceResult & { units: number[] }> {
  const model = await InterventionModel.open(j);
  const from = j.from ? new RunFolder(j.from).from(j.layer) : undefined;
  const units = chooseUnits(j, from, model.shape[0]);
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const set = await sampleSet(model, c, o);
  const k = await cachedInsertionValues(model, j.concept, from, o, j.insertion ?? 'high');
  return { ...(await averageCausalEffect(model, c, units, k, o, set)), units };
}

export async function runCausal(j: EffectJob & { count: number; searchSamples: number; out: string }): Promise<CausalResult> {
  const model = await InterventionModel.open(j);
  const from = j.from ? new RunFolder(j.from).from(j.layer) : undefined;
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const k = await cachedInsertionValues(model, j.concept, from, o, j.insertion ?? 'high');
  const r = await causalSearch(model, c, {
    ...o,
    count: j.count,
    searchSamples: j.searchSamples,
    k,
    ...(from ? { iouRanking: iouRanking(from, j.concept) } : {}),
  });
  r.insertion = j.insertion ?? 'high';
  ensureFolder(j.out);
  new JobFolder(j.out).writeCausal(r);
  if (from) from.run.writeAceRanking(from.layer.layer, { concept: j.concept, layer: r.layer, units: r.units, ace: r.ace.ace });
  return r;
}

export async function runContext(j: EffectJob & { grid: number; out: string }): Promise<ContextResult> {
  const model = await InterventionModel.open(j);
  const from = j.from ? new RunFolder(j.from).from(j.layer) : undefined;
  const choice: UnitChoice = j.units
    ? { units: j.units }
    : { concept: j.concept, ranking: j.ranking ?? (from && aceRanking(from, j.concept) ? 'ace' : 'iou'), count: j.count ?? 20 };
  const units = chooseUnits(choice, from, model.shape[0]);
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const k = await cachedInsertionValues(model, j.concept, from, { ...o, samples: Math.max(64, j.samples) }, j.insertion ?? 'high');
  const r = await insertionContext(model, c, units, k, { ...o, batch: Math.max(o.batch, 64), grid: j.grid });
  r.insertion = j.insertion ?? 'high';
  ensureFolder(j.out);
  r.heatmaps = await contextHeatmaps(model, r, j.seed, Math.min(4, j.samples), j.out);
  new JobFolder(j.out).writeContext(r);
  return r;
}

export async function runTrace(j: EffectJob & { grid: number; out: string }): Promise<TraceResult> {
  const model = await InterventionModel.open(j);
  const from = j.from ? new RunFolder(j.from).from(j.layer) : undefined;
  const choice: UnitChoice = j.units
    ? { units: j.units }
    : {
        concept: j.concept,
        ranking: j.ranking ?? (from && aceRanking(from, j.concept) ? 'ace' : 'iou'),
        count: Math.min(j.count ?? 20, model.shape[0]),
      };
  const units = chooseUnits(choice, from, model.shape[0]);
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const k = await cachedInsertionValues(model, j.concept, from, { ...o, samples: Math.max(64, j.samples) }, j.insertion ?? 'high');
  const r = await traceIntervention(model, c, units, k, { ...o, grid: j.grid });
  r.insertion = j.insertion ?? 'high';
  ensureFolder(j.out);
  const job = new JobFolder(j.out);
  // the last layer's change over the grid, over the first sample
  const first = await model.original(seededLatents(j.seed, model.gen.latentDims).batch(0, 1), 1);
  const [, H, W] = first.imageShape;
  const rgb = toRgbBytes(first.image, 0, H, W, model.gen.range);
  const files = job.traceImages();
  writeAtomic(files.sample, encodePng(rgb, W, H));
  writeAtomic(files.heatmap, encodePng(gridHeatmap(rgb, H, W, r.grid, r.heatmap, Math.max(...r.heatmap)), W, H));
  r.images = { sample: job.name(files.sample), heatmap: job.name(files.heatmap) };
  job.writeTrace(r);
  return r;
}

/** The first images of a context run with their per-location gain as a heatmap (files in `out`). */
async function contextHeatmaps(
  model: InterventionModel,
  r: ContextResult,
  seed: number,
  count: number,
  out: string,
): Promise<{ sample: number; image: string; heatmap: string; boxes: string }[]> {
  const z = seededLatents(seed, model.gen.latentDims).batch(0, count);
  const orig = await model.original(z, count);
  const [, H, W] = orig.imageShape;
  const max = Math.max(1e-6, ...r.maps.slice(0, count).flatMap((m) => m.gain));
  const files = [];
  for (let i = 0; i < count; i++) {
    const rgb = toRgbBytes(orig.image, i, H, W, model.gen.range);
    const { image, heatmap, boxes } = new JobFolder(out).contextImages(i);
    writeAtomic(image, encodePng(rgb, W, H));
    writeAtomic(heatmap, encodePng(gridHeatmap(rgb, H, W, r.grid, r.maps[i].gain, max), W, H));
    // yellow boxes where inserting creates the concept (the paper's Fig. 11)
    writeAtomic(
      boxes,
      encodePng(
        gridBoxes(
          rgb,
          H,
          W,
          r.grid,
          r.maps[i].gain.map((g) => g >= r.visibleMin),
        ),
        W,
        H,
      ),
    );
    files.push({ sample: i, image, heatmap, boxes });
  }
  return files;
}
