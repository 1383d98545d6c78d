/**
 * Causal effects of units on a concept c (the paper's §3.2, §4.3, Fig. 4 and Fig. 11):
 *   s_c(x)   the fraction of image x's pixels the segmenter labels c;
 *   removed  = (E[s_c(x)] − E[s_c(x_ablate)]) / E[s_c(x)]   — the fraction of c removed by ablating U;
 *   added    = (E[s_c(x_insert)] − E[s_c(x)]) / E[s_c(x)]   — the fraction of c added by inserting U;
 *   ACE      = (E[s_c(x_insert)] − E[s_c(x_ablate)]) / E[s_c(x)].
 * ONNX Runtime for Node gives no gradients, so the causal unit search is derivative-free (see causalSearch).
 */
import { InterventionModel, applyIntervention, type Intervention } from './edit';
import { seededLatents } from '../models/latents';
import { Xoshiro128 } from '../data/rng';
import { CancelledError, DissectError } from '../../shared/errors';
import type { AceResult, CausalResult, ContextResult } from '../../shared/run/schema';

/** The least share of the image a concept must gain for an insertion to count as visible (and one pixel). */
export const VISIBLE_MIN = 0.001;

export interface EffectOptions {
  samples: number;
  /** Seed of the evaluation samples (not the dissection's). */
  seed: number;
  batch: number;
  /** Where to intervene (featuremap locations, a in [0, 1]); default everywhere. */
  mask?: Float32Array;
  /** How insertions combine with the featuremap (edit.ts): max(r, k) (default) or the paper's r' = k. */
  combine?: 'max' | 'replace';
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
}

/** Unedited samples held in memory so many edits can be rendered from the same featuremaps. */
export interface SampleSet {
  n: number;
  z: Float32Array;
  fm: Float32Array;
  /** s_c(x_i) of the unedited images, for the concept the set was made for. */
  s: Float64Array;
  /** Label maps of the unedited images (first output), for context analysis. */
  labels: Uint16Array;
  segShape: [number, number];
}

export async function sampleSet(model: InterventionModel, c: number, o: EffectOptions): Promise<SampleSet> {
  const [C, h, w] = model.shape;
  const latents = seededLatents(o.seed, model.gen.latentDims);
  const z = latents.batch(0, o.samples);
  const fm = new Float32Array(o.samples * C * h * w);
  const s = new Float64Array(o.samples);
  let labels = new Uint16Array(0);
  let segShape: [number, number] = [0, 0];
  for (let i = 0; i < o.samples; i += o.batch) {
    checkCancel(o.signal);
    const n = Math.min(o.batch, o.samples - i);
    const zb = z.subarray(i * model.gen.latentDims, (i + n) * model.gen.latentDims);
    const r = await model.original(zb, n, i);
    fm.set(r.fm, i * C * h * w);
    if (labels.length === 0) {
      segShape = [r.seg.H, r.seg.W];
      labels = new Uint16Array(o.samples * r.seg.H * r.seg.W);
    }
    labels.set(r.seg.maps[0], i * r.seg.H * r.seg.W);
    for (let k = 0; k < n; k++) s[i + k] = conceptShare(r.seg.maps, k, r.seg.H * r.seg.W, c);
    o.onProgress?.(i + n, o.samples, 'generating samples');
  }
  return { n: o.samples, z, fm, s, labels, segShape };
}

function conceptShare(maps: Uint16Array[], i: number, P: number, c: number): number {
  let n = 0;
  for (const m of maps) for (let p = i * P; p < (i + 1) * P; p++) if (m[p] === c) n++;
  return n / P;
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('cancelled');
}

/** s_c of every sample of the set under an edit. */
export async function editedShares(
  model: InterventionModel,
  set: SampleSet,
  c: number,
  iv: Intervention,
  batch: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const [C, h, w] = model.shape;
  const plane = C * h * w;
  const dims = model.gen.latentDims;
  const out = new Float64Array(set.n);
  for (let i = 0; i < set.n; i += batch) {
    checkCancel(signal);
    const n = Math.min(batch, set.n - i);
    const r = await model.edited(set.fm.subarray(i * plane, (i + n) * plane), set.z.subarray(i * dims, (i + n) * dims), n, iv);
    for (let k = 0; k < n; k++) out[i + k] = conceptShare(r.seg.maps, k, r.seg.H * r.seg.W, c);
  }
  return out;
}

/** s_c of every sample of the set, each under its own edit (e.g. an insertion at a location of its own). */
export async function editedSharesEach(
  model: InterventionModel,
  set: SampleSet,
  c: number,
  edit: (i: number) => Intervention,
  batch: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const [C, h, w] = model.shape;
  const plane = C * h * w;
  const dims = model.gen.latentDims;
  const out = new Float64Array(set.n);
  for (let i = 0; i < set.n; i += batch) {
    checkCancel(signal);
    const n = Math.min(batch, set.n - i);
    const fm = new Float32Array(n * plane);
    for (let j = 0; j < n; j++)
      fm.set(applyIntervention(set.fm.subarray((i + j) * plane, (i + j + 1) * plane), 1, model.shape, edit(i + j)), j * plane);
    const r = await model.renderFrom(fm, set.z.subarray(i * dims, (i + n) * dims), n);
    for (let k = 0; k < n; k++) out[i + k] = conceptShare(r.seg.maps, k, r.seg.H * r.seg.W, c);
  }
  return out;
}

/** A one-cell mask at featuremap location p (of h·w). */
export function locationMask(p: number, plane: number): Float32Array {
  const m = new Float32Array(plane);
  m[p] = 1;
  return m;
}

/** The uniformly sampled featuremap location of sample i (seeded: the same for every unit set). */
export function sampledLocation(seed: number, i: number, plane: number): number {
  return Math.floor(new Xoshiro128(seed, 90000 + i).uniform() * plane);
}

function mean(a: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return a.length > 0 ? t / a.length : 0;
}

/** mean(d)/base with a 95% normal interval. */
function ratioWithInterval(d: Float64Array, base: number): { v: number; ci: [number, number] } {
  const m = mean(d);
  let ss = 0;
  for (let i = 0; i < d.length; i++) ss += (d[i] - m) ** 2;
  const se = d.length > 1 ? Math.sqrt(ss / (d.length - 1) / d.length) : 0;
  return { v: m / base, ci: [(m - 1.96 * se) / base, (m + 1.96 * se) / base] };
}

function diff(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v - b[i]);
}

/** Ablating units U (at featuremap locations a, default everywhere). */
export function ablation(units: readonly number[], mask?: Float32Array): Intervention {
  return { units, mode: 'ablate', ...(mask ? { mask: { at: 'featuremap', a: mask } } : {}) };
}

/** Inserting units U with constants k (indexed by unit; at featuremap locations a, default everywhere). */
export function insertion(units: readonly number[], k: Float32Array, mask?: Float32Array, combine: 'max' | 'replace' = 'max'): Intervention {
  return { units, mode: 'insert', k, combine, ...(mask ? { mask: { at: 'featuremap', a: mask } } : {}) };
}

/** The ACE of units U on concept c, with its two halves (ablation, insertion). */
export async function averageCausalEffect(
  model: InterventionModel,
  c: number,
  units: readonly number[],
  k: Float32Array,
  o: EffectOptions,
  set?: SampleSet,
): Promise<AceResult> {
  const s = set ?? (await sampleSet(model, c, o));
  const base = mean(s.s);
  if (base <= 0) {
    throw new DissectError(
      'bad-usage',
      `"${model.seg.space.labels[c].name}" does not appear in any of the ${s.n} samples: its causal effect is undefined (try more --samples)`,
    );
  }
  const abl = await editedShares(model, s, c, ablation(units, o.mask), o.batch, o.signal);
  o.onProgress?.(1, 2, 'ablating');
  const ins = await editedShares(model, s, c, insertion(units, k, o.mask, o.combine), o.batch, o.signal);
  o.onProgress?.(2, 2, 'inserting');
  const removed = ratioWithInterval(diff(s.s, abl), base);
  const added = ratioWithInterval(diff(ins, s.s), base);
  const ace = ratioWithInterval(diff(ins, abl), base);
  // the paper's protocol (S-6.4): insertion at one uniformly sampled featuremap location per sample
  const [, h, w] = model.shape;
  const one = await editedSharesEach(
    model,
    s,
    c,
    (i) => insertion(units, k, locationMask(sampledLocation(o.seed, i, h * w), h * w), o.combine),
    o.batch,
    o.signal,
  );
  const addedOne = ratioWithInterval(diff(one, s.s), base);
  const aceOne = ratioWithInterval(diff(one, abl), base);
  return {
    removed: removed.v,
    added: added.v,
    ace: ace.v,
    samples: s.n,
    base,
    ci: { removed: removed.ci, added: added.ci, ace: ace.ci },
    atLocation: { added: addedOne.v, ace: aceOne.v, ci: { added: addedOne.ci, ace: aceOne.ci } },
  };
}

/**
 * Insertion constants k_u for concept c: the mean activation of each unit where c is present, weighted by
 * how much of each featuremap location c covers:  k_u = Σ_p cov_c(p) r_u(p) / Σ_p cov_c(p).
 */
export async function insertionValues(model: InterventionModel, c: number, o: EffectOptions, set?: SampleSet): Promise<Float32Array> {
  const s = set ?? (await sampleSet(model, c, o));
  const [C, h, w] = model.shape;
  const [H, W] = s.segShape;
  const cov = new Float64Array(h * w);
  const num = new Float64Array(C);
  let den = 0;
  for (let i = 0; i < s.n; i++) {
    cov.fill(0);
    for (let y = 0; y < H; y++) {
      const cy = Math.min(h - 1, Math.floor((y * h) / H));
      for (let x = 0; x < W; x++) if (s.labels[i * H * W + y * W + x] === c) cov[cy * w + Math.min(w - 1, Math.floor((x * w) / W))]++;
    }
    const cellPixels = (H * W) / (h * w);
    for (let p = 0; p < h * w; p++) {
      if (cov[p] === 0) continue;
      const f = cov[p] / cellPixels;
      den += f;
      for (let u = 0; u < C; u++) num[u] += f * s.fm[(i * C + u) * h * w + p];
    }
  }
  if (den === 0)
    throw new DissectError(
      'bad-usage',
      `"${model.seg.space.labels[c].name}" does not appear in the ${s.n} samples: no insertion constants (use --value K)`,
    );
  return Float32Array.from(num, (v) => v / den);
}

/** The alternative insertion constants (the later toolkit's painter): each unit's 0.99 quantile. */
export async function quantileValues(model: InterventionModel, o: EffectOptions, q = 0.99): Promise<Float32Array> {
  const { UnitQuantiles } = await import('../stats/quantile');
  const [C, h, w] = model.shape;
  const sketches = new UnitQuantiles(C);
  const z = seededLatents(o.seed, model.gen.latentDims).batch(0, o.samples);
  for (let i = 0; i < o.samples; i += o.batch) {
    checkCancel(o.signal);
    const n = Math.min(o.batch, o.samples - i);
    const r = await model.original(z.subarray(i * model.gen.latentDims, (i + n) * model.gen.latentDims), n, i);
    for (let k = 0; k < n; k++) sketches.addSample(r.fm, k * C * h * w, h * w);
  }
  return Float32Array.from(sketches.sketches, (s) => s.quantiles([q])[0]);
}

export interface CausalOptions extends EffectOptions {
  count: number;
  /** Samples the search itself uses (the curves and ACE use `samples`). */
  searchSamples: number;
  /** Units ranked by IoU with c (best first), from a dissection: a starting point and the baseline. */
  iouRanking?: number[];
  /** Candidates evaluated at each greedy step. */
  pool?: number;
  k: Float32Array;
}

/** Sampled locations tried per search sample for one where inserting every unit creates the concept. */
const CREATABLE_TRIES = 4;

/**
 * Locations relevant to concept c, one per search sample (the paper's S-6.4): for half of the samples
 * a featuremap location where c is present (the cell it covers most), for the other half one where
 * inserting all of the layer's units creates it (the first of a few sampled cells where it does); -1
 * where a sample has none.
 */
export async function relevantLocations(model: InterventionModel, set: SampleSet, c: number, k: Float32Array, o: EffectOptions): Promise<Int32Array> {
  const [C, h, w] = model.shape;
  const plane = h * w;
  const [H, W] = set.segShape;
  const out = new Int32Array(set.n).fill(-1);
  const all = Array.from({ length: C }, (_, u) => u);
  const coverage = (i: number) => {
    const cov = new Float64Array(plane);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (set.labels[i * H * W + y * W + x] === c) cov[Math.min(h - 1, Math.floor((y * h) / H)) * w + Math.min(w - 1, Math.floor((x * w) / W))]++;
    return cov;
  };
  for (let i = 0; i < set.n; i += 2) {
    const cov = coverage(i);
    let best = -1;
    for (let p = 0; p < plane; p++) if (cov[p] > 0 && (best < 0 || cov[p] > cov[best])) best = p;
    out[i] = best;
  }
  for (let t = 0; t < CREATABLE_TRIES; t++) {
    const todo = Array.from({ length: Math.floor(set.n / 2) }, (_, j) => 2 * j + 1).filter((i) => out[i] < 0);
    if (todo.length === 0) break;
    const tries = todo.map((i) => sampledLocation(o.seed + t + 1, i, plane));
    const sub: SampleSet = {
      ...set,
      n: todo.length,
      z: gather(set.z, todo, model.gen.latentDims),
      fm: gather(set.fm, todo, C * plane),
      s: Float64Array.from(todo, (i) => set.s[i]),
    };
    const shares = await editedSharesEach(model, sub, c, (j) => insertion(all, k, locationMask(tries[j], plane), o.combine), o.batch, o.signal);
    todo.forEach((i, j) => {
      if (shares[j] > set.s[i]) out[i] = tries[j];
    });
  }
  return out;
}

function gather(a: Float32Array, rows: readonly number[], per: number): Float32Array {
  const out = new Float32Array(rows.length * per);
  rows.forEach((r, j) => out.set(a.subarray(r * per, (r + 1) * per), j * per));
  return out;
}

/**
 * Derivative-free causal unit search. The paper (S-6.4) optimises α ∈ [0, 1]^d by gradient descent on the
 * ACE; ONNX Runtime for Node has no gradients, so this search optimises the same objective over unit sets:
 *   objective(U) = (E[s_c(x)] − E[s_c(x ablating U everywhere)] + E[s_c(x inserting U at a relevant
 *                  location)] − E[s_c(x)]) / E[s_c(x)]
 * on the search samples, with the relevant locations of `relevantLocations`. Steps:
 *  1. each unit's own objective e_u;
 *  2. a start from α initialised by IoU (Eq. 7: the units with the largest IoU with c), improved by swaps:
 *     each chosen unit is replaced by the best of a pool of other units (by e_u) when that raises the objective;
 *  3. greedy forward selection from nothing, among a pool by e_u and by IoU (units that only matter together);
 *  4. the final set is the best by the objective of the swapped start, the greedy set, the e_u order and
 *     the IoU order — so it never does worse there than the IoU ranking.
 */
export async function causalSearch(model: InterventionModel, c: number, o: CausalOptions): Promise<CausalResult> {
  const [C, h, w] = model.shape;
  const plane = h * w;
  const count = Math.min(o.count, C);
  const pool = o.pool ?? 6;
  const iou = o.iouRanking ?? [];
  // one bar for the whole search: its work in rendered images, each phase's share known in advance
  const S = o.searchSamples;
  const E = o.samples;
  const objectives = C + 1 + count * pool + count * (pool + 2) + 3;
  const total = S + 2 * S * objectives + E + (count + (iou.length > 0 ? count : 0)) * E + (iou.length > 0 ? 2 : 1) * 3 * E;
  let work = 0;
  let phase = 'search samples';
  const progress = (step: number) => {
    work = Math.min(total, work + step);
    o.onProgress?.(work, total, phase);
  };
  const search = await sampleSet(model, c, { ...o, samples: o.searchSamples, onProgress: undefined });
  progress(S);
  const base = mean(search.s);
  if (base <= 0)
    throw new DissectError('bad-usage', `"${model.seg.space.labels[c].name}" does not appear in the ${search.n} search samples; try more --samples`);
  const where = await relevantLocations(model, search, c, o.k, o);
  const objective = async (units: readonly number[]) => {
    const abl = await editedShares(model, search, c, ablation(units), o.batch, o.signal);
    const ins = await editedSharesEach(
      model,
      search,
      c,
      (i) => (where[i] >= 0 ? insertion(units, o.k, locationMask(where[i], plane), o.combine) : insertion([], o.k)),
      o.batch,
      o.signal,
    );
    progress(2 * S);
    return (mean(diff(search.s, abl)) + mean(diff(ins, search.s))) / base;
  };
  phase = 'single-unit effects';
  const single: number[] = [];
  for (let u = 0; u < C; u++) single.push(await objective([u]));
  const byEffect = [...Array(C).keys()].sort((a, b) => single[b] - single[a] || a - b);
  // 2. α initialised by IoU (Eq. 7), improved by swaps
  phase = 'swaps from the IoU start';
  const start = (iou.length >= count ? iou : byEffect).slice(0, count);
  let swapped = [...start];
  let swappedV = await objective(swapped);
  for (let j = 0; j < count; j++) {
    for (const u of byEffect.filter((x) => !swapped.includes(x)).slice(0, pool)) {
      const trial = swapped.map((x, i) => (i === j ? u : x));
      const v = await objective(trial);
      if (v > swappedV) {
        swapped = trial;
        swappedV = v;
      }
    }
  }
  // 3. greedy forward selection
  phase = 'greedy selection';
  const chosen: number[] = [];
  for (let step = 0; step < count; step++) {
    const candidates = [
      ...new Set([...byEffect.filter((u) => !chosen.includes(u)).slice(0, pool), ...iou.filter((u) => !chosen.includes(u)).slice(0, 2)]),
    ];
    let best = { u: candidates[0], r: -Infinity };
    for (const u of candidates) {
      const r = await objective([...chosen, u]);
      if (r > best.r) best = { u, r };
    }
    chosen.push(best.u);
  }
  // 4. the best of the candidate sets, by the objective (the swapped set ordered by single effect)
  const rankings: { name: string; units: number[] }[] = [
    { name: 'swapped-from-IoU', units: [...swapped].sort((a, b) => single[b] - single[a] || a - b) },
    { name: 'greedy', units: chosen },
    { name: 'single-effect', units: byEffect.slice(0, count) },
  ];
  if (iou.length >= count) rankings.push({ name: 'iou', units: iou.slice(0, count) });
  let final = rankings[0];
  let finalV = -Infinity;
  for (const r of rankings) {
    const v = r.name === 'swapped-from-IoU' ? swappedV : await objective(r.units);
    if (v > finalV) {
      final = r;
      finalV = v;
    }
  }
  // curves and ACE on the evaluation samples
  phase = 'curves and ACE';
  work = total - (E + (count + (iou.length > 0 ? count : 0)) * E + (iou.length > 0 ? 2 : 1) * 3 * E);
  const evalSet = await sampleSet(model, c, { ...o, onProgress: undefined });
  progress(E);
  const evalBase = mean(evalSet.s);
  const curve = async (units: number[]) => {
    const out: number[] = [];
    for (let k = 1; k <= units.length; k++) {
      out.push(1 - mean(await editedShares(model, evalSet, c, ablation(units.slice(0, k)), o.batch, o.signal)) / evalBase);
      progress(E);
    }
    return out;
  };
  const aceCurve = await curve(final.units);
  const iouUnits = iou.length > 0 ? iou.slice(0, count) : undefined;
  const iouCurve = iouUnits ? await curve(iouUnits) : undefined;
  const quiet = { ...o, onProgress: undefined };
  const ace = await averageCausalEffect(model, c, final.units, o.k, quiet, evalSet);
  progress(3 * E);
  const iouAce = iouUnits ? await averageCausalEffect(model, c, iouUnits, o.k, quiet, evalSet) : undefined;
  progress(total);
  const located = Array.from(where).filter((p) => p >= 0).length;
  return {
    concept: model.seg.space.labels[c].name,
    layer: model.layer.name,
    units: final.units,
    singleEffects: single,
    curves: { ace: aceCurve, ...(iouCurve ? { iou: iouCurve } : {}) },
    ace,
    ...(iouAce ? { iouAce, iouUnits } : {}),
    method:
      `derivative-free search of the ACE (whole-image ablation, insertion at ${located} of ${search.n} samples' relevant locations): ` +
      `single-unit effects, swaps from the IoU start (Eq. 7), greedy selection (pool ${pool} by effect + 2 by IoU); chose the ${final.name} set`,
    searchSamples: o.searchSamples,
    samples: o.samples,
  };
}

/**
 * Insertion context (the paper's Fig. 11): insert U at each location of a grid over the featuremap, in each
 * of M images; the gain of c's pixels is credited to the segmenter's class at that location (the majority
 * label of the location's image region in the unedited image).
 */
export async function insertionContext(
  model: InterventionModel,
  c: number,
  units: number[],
  k: Float32Array,
  o: EffectOptions & { grid: number },
): Promise<ContextResult> {
  const [C, h, w] = model.shape;
  const gh = Math.min(o.grid, h);
  const gw = Math.min(o.grid, w);
  const set = await sampleSet(model, c, o);
  const [H, W] = set.segShape;
  const names = model.seg.space.labels.map((l) => l.name);
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const maps: ContextResult['maps'] = [];
  const plane = C * h * w;
  const dims = model.gen.latentDims;
  // one batch per image: every grid location's edit of that image
  for (let i = 0; i < set.n; i++) {
    checkCancel(o.signal);
    const locs = gh * gw;
    const fm = new Float32Array(locs * plane);
    const z = new Float32Array(locs * dims);
    const background: string[] = [];
    for (let g = 0; g < locs; g++) {
      const gy = Math.floor(g / gw);
      const gx = g % gw;
      const mask = new Float32Array(h * w);
      const y0 = Math.floor((gy * h) / gh),
        y1 = Math.floor(((gy + 1) * h) / gh);
      const x0 = Math.floor((gx * w) / gw),
        x1 = Math.floor(((gx + 1) * w) / gw);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = 1;
      fm.set(applyIntervention(set.fm.subarray(i * plane, (i + 1) * plane), 1, model.shape, insertion(units, k, mask, o.combine)), g * plane);
      z.set(set.z.subarray(i * dims, (i + 1) * dims), g * dims);
      // background: the majority label of the location's image region
      const tally = new Map<number, number>();
      const Y0 = Math.floor((y0 * H) / h),
        Y1 = Math.floor((y1 * H) / h),
        X0 = Math.floor((x0 * W) / w),
        X1 = Math.floor((x1 * W) / w);
      for (let y = Y0; y < Y1; y++)
        for (let x = X0; x < X1; x++) {
          const l = set.labels[i * H * W + y * W + x];
          tally.set(l, (tally.get(l) ?? 0) + 1);
        }
      const major = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
      background.push(names[major]);
    }
    const gains: number[] = [];
    for (let g0 = 0; g0 < locs; g0 += o.batch) {
      const n = Math.min(o.batch, locs - g0);
      const r = await model.renderFrom(fm.subarray(g0 * plane, (g0 + n) * plane), z.subarray(g0 * dims, (g0 + n) * dims), n);
      for (let j = 0; j < n; j++) gains.push(conceptShare(r.seg.maps, j, r.seg.H * r.seg.W, c) - set.s[i]);
    }
    gains.forEach((gain, g) => {
      sums[background[g]] = (sums[background[g]] ?? 0) + gain;
      counts[background[g]] = (counts[background[g]] ?? 0) + 1;
    });
    maps.push({ sample: i, gain: gains, background });
    o.onProgress?.(i + 1, set.n, 'inserting at each location');
  }
  const by_class: Record<string, number> = {};
  for (const [k2, v] of Object.entries(sums)) by_class[k2] = v / counts[k2];
  // gains are shares of the image; a location "creates" the concept from one pixel and VISIBLE_MIN of the image
  return {
    concept: names[c],
    layer: model.layer.name,
    units,
    by_class,
    counts,
    grid: [gh, gw],
    maps,
    visibleMin: Math.max(VISIBLE_MIN, 1 / (H * W)),
  };
}
