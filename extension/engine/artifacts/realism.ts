/**
 * The realism score of each unit (S-6.1): the Fréchet distance between the features of the samples that
 * most activate the unit and the reference's. Memory stays bounded as samples grow:
 *   pass 1 keeps each unit's top samples by spatial max (units × top indices), and the reference's mean
 *          and covariance when the reference is the whole generated sample;
 *   pass 2 generates only those samples again and accumulates each unit's feature mean and covariance,
 *          units in groups whose d × d sums fit a fixed budget.
 */
import { TopK } from '../stats/topk';
import { UnitQuantiles } from '../stats/quantile';
import { GaussianStats, FrechetReference } from './frechet';
import type { FeatureExtractor } from './features';
import type { InterventionModel } from '../intervene/edit';
import { normalLatent } from '../data/rng';
import { CancelledError } from '../../shared/errors';

/** Bytes the per-unit covariance sums of one group of pass 2 may take. */
const GROUP_BYTES = 256 * 2 ** 20;
/**
 * Bytes of pass 1's features kept per sample (N × d float32) so that pass 2 need not generate the top
 * samples again; past this, pass 2 does (memory bounded whatever N and d).
 */
export const FEATURE_CACHE_BYTES = 64 * 2 ** 20;

export type Progress = (done: number, total: number, what: string) => void;

/** The latents of chosen samples of a seed's stream (sample j ↦ its own stream, as seededLatents). */
export function latentsOf(seed: number, dims: number, samples: readonly number[]): Float32Array {
  const out = new Float32Array(samples.length * dims);
  samples.forEach((s, i) => normalLatent(seed, s, dims, out.subarray(i * dims, (i + 1) * dims)));
  return out;
}

function checkCancel(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('artifacts cancelled');
}

export interface SearchResult {
  top: TopK;
  /** Each unit's 0.99 quantile over the searched featuremaps (when asked for: no dissection to take thresholds from). */
  quantiles?: Float32Array;
}

/**
 * Pass 1 over `samples` samples of `seed`: each unit's top samples by spatial max; `onImages` sees every
 * batch's images (the generated reference's features).
 */
export async function searchTopSamples(
  model: InterventionModel,
  o: { samples: number; top: number; seed: number; batch: number; quantiles: boolean; signal?: AbortSignal; onProgress?: Progress },
  onImages?: (image: Float32Array, n: number, shape: [number, number, number]) => Promise<void>,
): Promise<SearchResult> {
  const [C, h, w] = model.shape;
  const plane = h * w;
  const top = new TopK(C, o.top);
  const q = o.quantiles ? new UnitQuantiles(C, 512) : undefined;
  const dims = model.gen.latentDims;
  for (let start = 0; start < o.samples; start += o.batch) {
    checkCancel(o.signal);
    const n = Math.min(o.batch, o.samples - start);
    const z = latentsOf(
      o.seed,
      dims,
      Array.from({ length: n }, (_, i) => start + i),
    );
    const b = await model.captured(z, n, start);
    for (let i = 0; i < n; i++) {
      for (let u = 0; u < C; u++) {
        const base = (i * C + u) * plane;
        let m = -Infinity;
        for (let p = 0; p < plane; p++) if (b.fm[base + p] > m) m = b.fm[base + p];
        top.add(u, m, start + i);
      }
      q?.addSample(b.fm, i * C * plane, plane);
    }
    if (onImages) await onImages(b.image, n, b.imageShape);
    o.onProgress?.(start + n, o.samples, 'searching top samples');
  }
  return { top, ...(q ? { quantiles: Float32Array.from(q.sketches, (s) => s.quantiles([0.99])[0]) } : {}) };
}

/**
 * Pass 2: each unit's top samples' features (generated again, unless pass 1 kept every sample's), their
 * mean and covariance per unit, and the unit's distance to the reference.
 */
export async function unitDistances(
  model: InterventionModel,
  features: FeatureExtractor,
  top: TopK,
  reference: FrechetReference,
  o: { seed: number; batch: number; signal?: AbortSignal; onProgress?: Progress },
  /** Every searched sample's features (pass 1's, N × d), when they were kept: then nothing is generated again. */
  cache?: Float32Array,
): Promise<Float64Array> {
  const C = top.units;
  const d = features.dims;
  const perGroup = Math.max(1, Math.floor(GROUP_BYTES / (d * d * 8)));
  const distances = new Float64Array(C);
  const total = Array.from({ length: C }, (_, u) => top.counts[u]).reduce((a, b) => a + b, 0);
  let done = 0;
  for (let g0 = 0; g0 < C; g0 += perGroup) {
    const units = Array.from({ length: Math.min(perGroup, C - g0) }, (_, i) => g0 + i);
    const stats = new Map(units.map((u) => [u, new GaussianStats(d)]));
    // sample → the units (of this group) that have it among their top samples
    const members = new Map<number, number[]>();
    for (const u of units) for (const e of top.entries(u)) (members.get(e.sample) ?? members.set(e.sample, []).get(e.sample)!).push(u);
    const samples = [...members.keys()].sort((a, b) => a - b);
    for (let i = 0; i < samples.length; i += o.batch) {
      checkCancel(o.signal);
      const chunk = samples.slice(i, i + o.batch);
      let f: Float32Array | undefined;
      if (!cache) {
        const z = latentsOf(o.seed, model.gen.latentDims, chunk);
        const b = await model.captured(z, chunk.length);
        f = await features.features(b.image, chunk.length, b.imageShape, model.gen.range);
      }
      chunk.forEach((s, j) => {
        const row = cache ? cache.subarray(s * d, (s + 1) * d) : f!.subarray(j * d, (j + 1) * d);
        for (const u of members.get(s)!) stats.get(u)!.add(row, 1);
        done += members.get(s)!.length;
      });
      o.onProgress?.(done, total, 'features of the top samples');
    }
    for (const u of units) {
      const s = stats.get(u)!;
      distances[u] = s.count > 1 ? reference.distance(s.mean(), s.covariance()) : NaN;
    }
  }
  return distances;
}
