/**
 * The repair's measure (the paper's Table 1): the Fréchet distance to the reference of the generator as
 * it is, with the chosen units ablated everywhere (r' = r ⊙ (1 − a), a = 1 on those units), and with as
 * many random units ablated (several draws: mean and 95% interval). Also before/after pairs of the samples
 * where the ablated units fired most, and how far the pixels away from those units move.
 */
import { GaussianStats, type FrechetReference } from './frechet';
import type { FeatureExtractor } from './features';
import { applyIntervention, type InterventionModel } from '../intervene/edit';
import { latentsOf, type Progress } from './realism';
import { Xoshiro128 } from '../data/rng';
import { Upsampler } from '../data/upsample';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../../shared/png';
import { CancelledError } from '../../shared/errors';
import type { RepairMeasure } from '../../shared/run/schema';

/** `count` distinct units of C, uniformly at random (draw `draw` of a seed). */
export function randomUnits(C: number, count: number, seed: number, draw: number): number[] {
  const rng = new Xoshiro128(seed, 7000 + draw);
  const all = Array.from({ length: C }, (_, i) => i);
  for (let i = 0; i < Math.min(count, C); i++) {
    const j = i + Math.floor(rng.uniform() * (C - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, Math.min(count, C)).sort((a, b) => a - b);
}

/** Student's t at 0.975 for 1…30 degrees of freedom (the normal's 1.96 past that). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The mean of draws and its 95% interval (t-based; the mean alone for one draw). */
export function meanInterval(draws: readonly number[]): { mean: number; ci95: [number, number] } {
  const k = draws.length;
  const mean = draws.reduce((a, b) => a + b, 0) / k;
  if (k < 2) return { mean, ci95: [mean, mean] };
  const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
  const half = (T975[k - 2] ?? 1.96) * (sd / Math.sqrt(k));
  return { mean, ci95: [mean - half, mean + half] };
}

/** The distances of Table 1 over `samples` fresh samples of `seed`. */
export async function repairDistances(
  model: InterventionModel,
  features: FeatureExtractor,
  reference: FrechetReference,
  o: { units: readonly number[]; samples: number; draws: number; seed: number; batch: number; signal?: AbortSignal; onProgress?: Progress },
): Promise<Pick<RepairMeasure, 'original' | 'repaired' | 'random'>> {
  const C = model.shape[0];
  const d = features.dims;
  const variants = [o.units, ...Array.from({ length: o.draws }, (_, k) => randomUnits(C, o.units.length, o.seed, k))];
  const stats = [new GaussianStats(d), ...variants.map(() => new GaussianStats(d))];
  const range = model.gen.range;
  for (let start = 0; start < o.samples; start += o.batch) {
    if (o.signal?.aborted) throw new CancelledError('artifacts cancelled');
    const n = Math.min(o.batch, o.samples - start);
    const z = latentsOf(
      o.seed,
      model.gen.latentDims,
      Array.from({ length: n }, (_, i) => start + i),
    );
    const b = await model.captured(z, n, start);
    stats[0].add(await features.features(b.image, n, b.imageShape, range), n);
    for (let v = 0; v < variants.length; v++) {
      const edited = await model.rendered(applyIntervention(b.fm, n, model.shape, { units: variants[v], mode: 'ablate' }), z, n);
      stats[v + 1].add(await features.features(edited.image, n, edited.imageShape, range), n);
    }
    o.onProgress?.(start + n, o.samples, 'measuring the repair');
  }
  const dist = stats.map((s) => reference.distance(s.mean(), s.covariance()));
  const draws = dist.slice(2);
  return { original: dist[0], repaired: dist[1], random: { draws, ...meanInterval(draws) } };
}

/**
 * Before/after pairs of `samples` (of the search's seed), written as PNGs by `files`, and the move of the
 * pixels where no ablated unit is on (its activation, upsampled to the image, at or below its threshold).
 */
export async function repairPairs(
  model: InterventionModel,
  o: { units: readonly number[]; samples: readonly number[]; seed: number; thresholds: ArrayLike<number> },
  files: (sample: number) => { before: string; after: string },
  write: (file: string, png: Buffer) => void,
): Promise<Pick<RepairMeasure, 'pairs' | 'unchanged'>> {
  const n = o.samples.length;
  const z = latentsOf(o.seed, model.gen.latentDims, o.samples);
  const b = await model.captured(z, n);
  const after = await model.rendered(applyIntervention(b.fm, n, model.shape, { units: o.units, mode: 'ablate' }), z, n);
  const [, H, W] = b.imageShape;
  const [C, h, w] = model.shape;
  const up = new Upsampler(h, w, H, W);
  const act = new Float32Array(H * W);
  const span = model.gen.range[1] - model.gen.range[0];
  let off = 0;
  let on = 0;
  let offSum = 0;
  let onSum = 0;
  let offMax = 0;
  let moved = 0;
  const pairs: RepairMeasure['pairs'] = [];
  for (let i = 0; i < n; i++) {
    // where any ablated unit is on
    const mask = new Uint8Array(H * W);
    for (const u of o.units) {
      up.run(b.fm, (i * C + u) * h * w, act);
      for (let p = 0; p < H * W; p++) if (act[p] > o.thresholds[u]) mask[p] = 1;
    }
    for (let p = 0; p < H * W; p++) {
      let delta = 0;
      for (let c = 0; c < 3; c++) {
        const k = (i * 3 + c) * H * W + p;
        delta = Math.max(delta, Math.abs(after.image[k] - b.image[k]) / span);
      }
      if (mask[p]) {
        on++;
        onSum += delta;
      } else {
        off++;
        offSum += delta;
        offMax = Math.max(offMax, delta);
        if (delta > 1 / 255) moved++;
      }
    }
    const f = files(o.samples[i]);
    write(f.before, encodePng(toRgbBytes(b.image, i, H, W, model.gen.range), W, H));
    write(f.after, encodePng(toRgbBytes(after.image, i, H, W, model.gen.range), W, H));
    pairs.push({ sample: o.samples[i], before: f.before, after: f.after });
  }
  return {
    pairs,
    unchanged: {
      share: off / Math.max(1, off + on),
      meanShift: offSum / Math.max(1, off),
      maxShift: offMax,
      movedShare: moved / Math.max(1, off),
      onShift: onSum / Math.max(1, on),
    },
  };
}
