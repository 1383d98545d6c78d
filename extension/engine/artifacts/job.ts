/**
 * An artifacts run (the paper's S-6.1, §4.2, S-6.3): realism scores per unit (realism.ts), the automatic
 * flags and their agreement with the manual ones, the repair's measure (measure.ts), the realistic-units
 * summary (realistic.ts), and each unit's top samples as a strip; results into the run folder's
 * artifacts/LAYER/ (RunFolder), beside the dissection of the layer when there is one.
 */
import type { ArtifactsResult, LayerResult } from '../../shared/run/schema';
import { ARTIFACT_DEFAULTS, defaultFlagCount, defaultTop, type ArtifactsOptions } from './options';
import { CancelledError, DissectError } from '../../shared/errors';
import { RunFolder } from '../../shared/run/folder';
import { ensureFolder } from '../../shared/run/lock';
import { makeFolder } from '../../shared/run/blob';
import { InterventionModel } from '../intervene/edit';
import { FeatureExtractor } from './features';
import { FrechetReference, GaussianStats } from './frechet';
import { realImageBatches, realImageFiles } from './real-images';
import { FEATURE_CACHE_BYTES, latentsOf, searchTopSamples, unitDistances } from './realism';
import { repairDistances, repairPairs } from './measure';
import { realisticSummary } from './realistic';
import { displayTile } from '../output/top-images';
import { writeStrips, type StripJob } from '../output/strips';
import { tileSize } from '../../shared/run/strip-layout';
import { writeReport } from '../../shared/report/report';
import { flagAgreement } from '../../shared/run/flags';
import type { TopK } from '../stats/topk';

/** Top samples shown in a unit's strip. */
const STRIP = 8;
/** Units whose strips are made from one regeneration (bounds the tiles held). */
const STRIP_UNITS = 64;
/** Before/after pairs. */
const PAIRS = 8;

export async function runArtifacts(o: ArtifactsOptions): Promise<ArtifactsResult> {
  const started = Date.now();
  const log = o.onLog ?? (() => {});
  const samples = o.samples ?? ARTIFACT_DEFAULTS.samples;
  if (!Number.isInteger(samples) || samples < 2) throw new DissectError('bad-usage', `artifacts needs at least 2 samples, got ${samples}`);
  const top = o.top ?? defaultTop(samples);
  if (!Number.isInteger(top) || top < 2 || top > samples)
    throw new DissectError('bad-usage', `--top must be between 2 and the number of samples (${samples}), got ${top}`);
  const seed = o.seed ?? ARTIFACT_DEFAULTS.seed;
  const batch = o.batch ?? 16;
  ensureFolder(o.out);
  const run = new RunFolder(o.out);

  const model = await InterventionModel.open({
    generator: o.generator,
    segmenter: o.segmenter,
    layer: o.layer,
    provider: o.provider ?? 'auto',
    ...(o.threads ? { threads: o.threads } : {}),
  });
  const layer = model.layer;
  const [C] = model.shape;
  const dissected = dissectionOf(run, model.gen.sha256, layer.tensor);
  const flagCount = Math.min(C, o.flag ?? defaultFlagCount(C));
  if (!Number.isInteger(flagCount) || flagCount < 0) throw new DissectError('bad-usage', `--flag must be a number of units, got ${o.flag}`);

  // the feature model opens once the generator's image size is known (a first batch)
  const first = await model.captured(latentsOf(seed, model.gen.latentDims, [0]), 1);
  const [, H, W] = first.imageShape;
  const features = await FeatureExtractor.open(o.features, o.segmenter, [H, W], {
    provider: o.provider ?? 'auto',
    ...(o.threads ? { threads: o.threads } : {}),
  });
  log(`${features.describe.label}`);
  if (features.dims >= top)
    log(
      `note: ${features.dims}-D features from ${top} samples per unit: each unit's covariance is singular (raise --top, or name a smaller feature output)`,
    );
  const range = model.gen.range;

  // the reference: real images, or the whole generated sample (its features gathered in pass 1)
  const ref = new GaussianStats(features.dims);
  let reference: ArtifactsResult['reference'];
  if (o.real) {
    const files = realImageFiles(o.real, o.realLimit ?? ARTIFACT_DEFAULTS.realLimit);
    let done = 0;
    for (const b of realImageBatches(files, H, W, range, batch)) {
      if (o.signal?.aborted) throw new CancelledError('artifacts cancelled');
      ref.add(await features.features(b.image, b.n, [3, H, W], range), b.n);
      done += b.n;
      o.onProgress?.(done, files.length, 'features of the real images');
    }
    reference = { kind: 'real', dir: o.real, count: files.length, label: `${files.length} real images from ${o.real}` };
  } else reference = { kind: 'generated', count: samples, label: `the whole generated sample (${samples} images)` };

  const t0 = Date.now();
  // pass 1 keeps every sample's features where they fit (then pass 2 generates nothing again)
  const cache =
    o.featureCache !== false && samples * features.dims * 4 <= FEATURE_CACHE_BYTES ? new Float32Array(samples * features.dims) : undefined;
  let seen = 0;
  const search = await searchTopSamples(
    model,
    {
      samples,
      top,
      seed,
      batch,
      quantiles: !dissected,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    },
    o.real && !cache
      ? undefined
      : async (image, n, shape) => {
          const f = await features.features(image, n, shape, range);
          if (!o.real) ref.add(f, n);
          cache?.set(f, seen * features.dims);
          seen += n;
        },
  );
  const t1 = Date.now();
  const frechet = new FrechetReference(ref.mean(), ref.covariance());
  const distances = await unitDistances(
    model,
    features,
    search.top,
    frechet,
    {
      seed,
      batch,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    },
    cache,
  );
  const thresholds = dissected ? Float32Array.from(dissected.units, (u) => u.threshold) : search.quantiles!;
  await writeUnitStrips(model, run, layer.name, search.top, thresholds, seed);
  const t2 = Date.now();

  // least realistic first (a unit with too few samples for a distance goes last)
  const ranking = Array.from({ length: C }, (_, u) => u).sort((a, b) => score(distances[b]) - score(distances[a]) || a - b);
  const flagged = ranking.slice(0, flagCount).sort((a, b) => a - b);
  const manual = run.readFlags()[layer.name] ?? [];
  const agreement = flagAgreement(flagged, manual);

  let repair: ArtifactsResult['repair'];
  const repairUnits = o.repair === false ? [] : (o.repair?.units ?? flagged);
  if (o.repair !== false && repairUnits.length > 0) {
    const rs = o.repair?.samples ?? ARTIFACT_DEFAULTS.repairSamples;
    const rseed = o.repair?.seed ?? ARTIFACT_DEFAULTS.repairSeed;
    const table = await repairDistances(model, features, frechet, {
      units: repairUnits,
      samples: rs,
      draws: o.repair?.draws ?? ARTIFACT_DEFAULTS.draws,
      seed: rseed,
      batch,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    makeFolder(run.artifactsFolder(layer.name));
    const pairs = await repairPairs(
      model,
      { units: repairUnits, samples: pairSamples(search.top, repairUnits), seed, thresholds },
      (s) => run.repairPairFiles(layer.name, s),
      (file, png) => run.write(file, png),
    );
    repair = {
      units: [...repairUnits].sort((a, b) => a - b),
      samples: rs,
      seed: rseed,
      ...table,
      pairs: pairs.pairs.map((p) => ({ sample: p.sample, before: run.name(p.before), after: run.name(p.after) })),
      unchanged: pairs.unchanged,
    };
  }
  const t3 = Date.now();

  const result: ArtifactsResult = {
    formatVersion: 1,
    layer: layer.name,
    tensor: layer.tensor,
    generator: { path: model.gen.file, sha256: model.gen.sha256 },
    features: features.describe,
    reference,
    samples,
    seed,
    top,
    units: Array.from({ length: C }, (_, u) => ({
      unit: u,
      distance: distances[u],
      rank: ranking.indexOf(u) + 1,
      top: search.top.entries(u).map((e) => e.sample),
    })),
    ranking,
    flagged,
    flagCount,
    manual,
    ...(agreement ? { agreement } : {}),
    ...(repair ? { repair } : {}),
    ...(dissected ? { realistic: realisticSummary(dissected, distances, flagged, o.realisticBelow) } : {}),
    provider: model.provider,
    timings: { seconds: (Date.now() - started) / 1000, search: (t1 - t0) / 1000, features: (t2 - t1) / 1000, repair: (t3 - t2) / 1000 },
    created: new Date().toISOString(),
  };
  run.writeArtifacts(result);
  // the dissection's report shows the layer's artifact units from now on
  const dissection = dissected ? run.readResult() : undefined;
  if (dissection) writeReport(run.dir, dissection);
  return result;
}

function score(d: number): number {
  return Number.isFinite(d) ? d : -Infinity;
}

/** The folder's dissection of the layer, when it is of this generator (its thresholds and labels). */
function dissectionOf(run: RunFolder, sha: string, tensor: string): LayerResult | undefined {
  const r = run.readResult();
  if (!r) return undefined;
  if (r.settings.generator.sha256 !== sha)
    throw new DissectError(
      'incompatible-out',
      `${run.dir} holds a dissection of another generator (${r.settings.generator.path}); give an --out of its own, or the dissection's generator`,
    );
  return r.layers.find((l) => l.tensor === tensor);
}

/** Samples where the ablated units fired most: each unit's best samples in turn, up to PAIRS distinct. */
function pairSamples(top: TopK, units: readonly number[]): number[] {
  const out: number[] = [];
  for (let rank = 0; rank < top.k && out.length < PAIRS; rank++)
    for (const u of units) {
      const e = top.entries(u)[rank];
      if (e && !out.includes(e.sample) && out.length < PAIRS) out.push(e.sample);
    }
  return out;
}

/** Each unit's first STRIP top samples as a strip (artifacts/LAYER/unitNNNN.png), STRIP_UNITS units per regeneration. */
async function writeUnitStrips(
  model: InterventionModel,
  run: RunFolder,
  layer: string,
  top: TopK,
  thresholds: ArrayLike<number>,
  seed: number,
): Promise<void> {
  const [C, h, w] = model.shape;
  const plane = h * w;
  makeFolder(run.artifactsFolder(layer));
  for (let u0 = 0; u0 < C; u0 += STRIP_UNITS) {
    const units = Array.from({ length: Math.min(STRIP_UNITS, C - u0) }, (_, i) => u0 + i);
    const samples = [
      ...new Set(
        units.flatMap((u) =>
          top
            .entries(u)
            .slice(0, STRIP)
            .map((e) => e.sample),
        ),
      ),
    ].sort((a, b) => a - b);
    if (samples.length === 0) continue;
    const b = await model.captured(latentsOf(seed, model.gen.latentDims, samples), samples.length);
    const [, H, W] = b.imageShape;
    const { width: tw, height: th } = tileSize(H, W);
    const batch = { n: samples.length, image: b.image, imageShape: b.imageShape, layers: new Map<string, Float32Array>() };
    const tiles = new Map(samples.map((s, i) => [s, displayTile(batch, i, model.gen.range)]));
    const jobs: StripJob[] = units.map((u) => {
      const best = top.entries(u).slice(0, STRIP);
      return {
        file: run.artifactStripFile(layer, u),
        threshold: thresholds[u],
        plane: [h, w],
        samples: best.map((e) => e.sample),
        planes: best.map((e) => {
          const i = samples.indexOf(e.sample);
          return b.fm.slice((i * C + u) * plane, (i * C + u + 1) * plane);
        }),
      };
    });
    writeStrips(jobs, tiles, th, tw);
  }
}
