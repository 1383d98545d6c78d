/**
 * The intervention jobs behind `gan-dissect intervene | ace | causal | context` and the VS Code panels:
 * unit sets from rankings of an earlier dissection (`--from DIR`), insertion constants (cached in that
 * dissection's folder), results as JSON and pictures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterventionModel, poolMask, rectMask, type InterventionOptions } from './edit';
import {
  averageCausalEffect,
  causalSearch,
  insertionContext,
  insertionValues,
  quantileValues,
  sampleSet,
  ablation,
  insertion,
  type EffectOptions,
} from './causal';
import type { AceResult, CausalResult, ContextResult } from '../../shared/run/schema';
import { seededLatents } from '../models/latents';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../data/png';
import { safeName } from '../../shared/run/safe-name';
import { colourMap } from '../output/heatmap';
import { DissectError } from '../../shared/errors';
import { writeAtomic } from '../../shared/run/blob';
import { readFrom, jobFolder, type FromRun } from '../../shared/run/folder';
import { iouRanking, aceRanking, rankingFile } from '../../shared/run/rankings';

// The run-folder reads live in extension/shared/run/ (no ONNX Runtime there, so the extension host uses them too).
export { readFrom, jobFolder, iouRanking, aceRanking, type FromRun };

export interface UnitChoice {
  units?: number[];
  concept?: string;
  ranking?: 'iou' | 'ace';
  count?: number;
}

export function chooseUnits(choice: UnitChoice, from: FromRun | undefined, C: number): number[] {
  if (choice.units && choice.units.length > 0) {
    for (const u of choice.units)
      if (!Number.isInteger(u) || u < 0 || u >= C) throw new DissectError('bad-usage', `unit ${u} is out of range (the layer has ${C} units)`);
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

/** Where insertion constants come from: the concept's conditional mean (the paper), or each unit's 0.99 quantile. */
export type InsertionSource = 'concept' | 'quantile';

/** Insertion constants k, cached next to the dissection they came from. */
export async function cachedInsertionValues(
  model: InterventionModel,
  concept: string | undefined,
  from: FromRun | undefined,
  o: EffectOptions,
  source: InsertionSource = 'concept',
): Promise<Float32Array> {
  if (source === 'concept' && !concept)
    throw new DissectError('bad-usage', "insertion constants by concept need a concept (or use the units' 0.99 quantiles: --insertion quantile)");
  const name = source === 'quantile' ? '_quantile-0.99' : safeName(concept!);
  const file = from ? path.join(from.out, 'insertion', safeName(from.layer.layer), `${name}.json`) : undefined;
  if (file && fs.existsSync(file)) {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as { generator: string; values: number[] };
    if (j.generator === model.gen.sha256) return Float32Array.from(j.values);
  }
  const k = source === 'quantile' ? await quantileValues(model, o) : await insertionValues(model, model.concept(concept!), o);
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeAtomic(file, JSON.stringify({ generator: model.gen.sha256, concept, samples: o.samples, seed: o.seed, values: Array.from(k) }));
  }
  return k;
}

// ---- pictures ---------------------------------------------------------------------------------------

/** A fixed colour per label (label 0 black), for segmentation pictures. */
export function labelColour(l: number): [number, number, number] {
  if (l === 0) return [0, 0, 0];
  const h = (l * 0.618033988749895) % 1;
  const s = 0.65;
  const v = 0.95;
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s),
    q = v * (1 - f * s),
    t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

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
  insertion?: InsertionSource;
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
  const from = j.from ? readFrom(j.from, j.layer) : undefined;
  const [C, h, w] = model.shape;
  const units = chooseUnits(j, from, C);
  const z = seededLatents(j.seed, model.gen.latentDims).batch(0, j.samples);
  const orig = await model.original(z, j.samples);
  const [, H, W] = orig.imageShape;
  const mask = j.region ? poolMask(rectMask(H, W, j.region), H, W, h, w) : undefined;
  let values: Float32Array;
  if (j.mode === 'ablate') values = new Float32Array(units.length);
  else if (j.value !== undefined) values = new Float32Array(units.length).fill(j.value);
  else {
    if (!j.concept && j.insertion !== 'quantile')
      throw new DissectError('bad-usage', 'insert needs --value K, --concept C (its insertion constants) or --insertion quantile');
    const k = await cachedInsertionValues(model, j.concept, from, { samples: 100, seed: 5, batch: j.batch }, j.insertion ?? 'concept');
    values = Float32Array.from(units, (u) => k[u]);
  }
  const after = await model.edited(orig.fm, z, j.samples, { units, values, ...(mask ? { mask } : {}) });
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
  fs.mkdirSync(j.out, { recursive: true });
  const same = orig.seg.H === H && orig.seg.W === W;
  const grid = tileGrid(same ? rows : rows.map((r) => r.slice(0, 2)), H, W);
  fs.writeFileSync(path.join(j.out, 'intervention.png'), encodePng(grid.rgb, grid.width, grid.height));
  const summary: InterventionSummary = {
    layer: model.layer.name,
    units,
    mode: j.mode,
    values: Array.from(values),
    ...(j.region ? { region: j.region } : {}),
    samples,
    image: 'intervention.png',
  };
  writeAtomic(path.join(j.out, 'intervention.json'), JSON.stringify(summary, null, 1));
  return summary;
}

export interface EffectJob extends InterventionOptions, UnitChoice {
  from?: string;
  insertion?: InsertionSource;
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
    ...(j.signal ? { signal: j.signal } : {}),
    ...(j.onProgress ? { onProgress: j.onProgress } : {}),
  };
}

export async function runAce(j: EffectJob): Promise<AceResult & { units: number[] }> {
  const model = await InterventionModel.open(j);
  const from = j.from ? readFrom(j.from, j.layer) : undefined;
  const units = chooseUnits(j, from, model.shape[0]);
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const set = await sampleSet(model, c, o);
  const k = await cachedInsertionValues(model, j.concept, from, o, j.insertion ?? 'concept');
  return { ...(await averageCausalEffect(model, c, units, k, o, set)), units };
}

export async function runCausal(j: EffectJob & { count: number; searchSamples: number; out: string }): Promise<CausalResult> {
  const model = await InterventionModel.open(j);
  const from = j.from ? readFrom(j.from, j.layer) : undefined;
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const k = await cachedInsertionValues(model, j.concept, from, o, j.insertion ?? 'concept');
  const r = await causalSearch(model, c, {
    ...o,
    count: j.count,
    searchSamples: j.searchSamples,
    k,
    ...(from ? { iouRanking: iouRanking(from, j.concept) } : {}),
  });
  fs.mkdirSync(j.out, { recursive: true });
  writeAtomic(path.join(j.out, 'causal.json'), JSON.stringify(r, null, 1));
  if (from) {
    const f = rankingFile(from, j.concept);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    writeAtomic(f, JSON.stringify({ concept: j.concept, layer: r.layer, units: r.units, ace: r.ace.ace }));
  }
  return r;
}

export async function runContext(j: EffectJob & { grid: number; out: string }): Promise<ContextResult> {
  const model = await InterventionModel.open(j);
  const from = j.from ? readFrom(j.from, j.layer) : undefined;
  const choice: UnitChoice = j.units
    ? { units: j.units }
    : { concept: j.concept, ranking: j.ranking ?? (from && aceRanking(from, j.concept) ? 'ace' : 'iou'), count: j.count ?? 20 };
  const units = chooseUnits(choice, from, model.shape[0]);
  const c = model.concept(j.concept);
  const o = effectOptions(j);
  const k = await cachedInsertionValues(model, j.concept, from, { ...o, samples: Math.max(64, j.samples) }, j.insertion ?? 'concept');
  const r = await insertionContext(model, c, units, k, { ...o, batch: Math.max(o.batch, 64), grid: j.grid });
  fs.mkdirSync(j.out, { recursive: true });
  r.heatmaps = await contextHeatmaps(model, r, j.seed, Math.min(4, j.samples), j.out);
  writeAtomic(path.join(j.out, 'context.json'), JSON.stringify(r, null, 1));
  return r;
}

/** The first images of a context run with their per-location gain as a heatmap (files in `out`). */
async function contextHeatmaps(
  model: InterventionModel,
  r: ContextResult,
  seed: number,
  count: number,
  out: string,
): Promise<{ sample: number; image: string; heatmap: string }[]> {
  const z = seededLatents(seed, model.gen.latentDims).batch(0, count);
  const orig = await model.original(z, count);
  const [, H, W] = orig.imageShape;
  const [gh, gw] = r.grid;
  const max = Math.max(1e-6, ...r.maps.slice(0, count).flatMap((m) => m.gain));
  const files = [];
  for (let i = 0; i < count; i++) {
    const rgb = toRgbBytes(orig.image, i, H, W, model.gen.range);
    const heat = new Uint8Array(H * W * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const g = r.maps[i].gain[Math.min(gh - 1, Math.floor((y * gh) / H)) * gw + Math.min(gw - 1, Math.floor((x * gw) / W))];
        const [cr, cg, cb] = colourMap(Math.max(0, g) / max);
        const p = (y * W + x) * 3;
        heat[p] = Math.round(rgb[p] * 0.35 + cr * 0.65);
        heat[p + 1] = Math.round(rgb[p + 1] * 0.35 + cg * 0.65);
        heat[p + 2] = Math.round(rgb[p + 2] * 0.35 + cb * 0.65);
      }
    }
    const image = path.join(out, `context-${i}-image.png`);
    const heatmap = path.join(out, `context-${i}-heat.png`);
    fs.writeFileSync(image, encodePng(rgb, W, H));
    fs.writeFileSync(heatmap, encodePng(heat, W, H));
    files.push({ sample: i, image, heatmap });
  }
  return files;
}

export { ablation, insertion };
