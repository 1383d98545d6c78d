/**
 * Merging the shards of a run (`--shard I/N`): their IoU counts and top-k add up exactly to those of the
 * whole, since every shard used the same thresholds (from the whole threshold-selection set).
 */
import * as path from 'node:path';
import { openRun, type DissectOptions, type LayerTallies } from './dissect';
import { finalizeResults, writeResults, pairArrays, type PairArrays, type ThresholdInfo } from './results';
import type { DissectResult } from '../../shared/run/schema';
import { generatorSpecOf, segmenterSpecOf } from '../../shared/run/models-of';
import { IouTally, dissectionBlocks } from '../stats/iou-tally';
import { Upsampler } from '../data/upsample';
import { unpackBlob, type Arr, makeFolder, readFileNamed } from '../../shared/run/blob';
import { RunFolder } from '../../shared/run/folder';
import { takeRunFolder } from '../../shared/run/lock';
import { DissectError } from '../../shared/errors';
import type { ProviderRequest } from '../../shared/models';
import type { ProgressListener } from '../../shared/progress';

export interface MergeOptions {
  out: string;
  shards: string[];
  provider?: ProviderRequest;
  threads?: number;
  batch?: number;
  onProgress?: ProgressListener;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** Replace an unrelated earlier run in `out` (as dissect's --force). */
  force?: boolean;
}

/** Merges the shards into `o.out`, holding its lock; `out` may be neither a shard nor inside one. */
export async function mergeShards(o: MergeOptions): Promise<DissectResult> {
  if (o.shards.length === 0) throw new DissectError('bad-usage', 'merge needs at least one shard folder');
  const out = path.resolve(o.out);
  for (const dir of o.shards) {
    const shard = path.resolve(dir);
    if (out === shard || out.startsWith(shard + path.sep))
      throw new DissectError(
        'bad-usage',
        `--out ${o.out} is ${out === shard ? 'one of the shards' : `inside the shard ${dir}`}: merging there would destroy it; choose another --out`,
      );
  }
  const lock = takeRunFolder(out, 'merge', o.onLog);
  try {
    return await mergeLocked({ ...o, out });
  } finally {
    lock.release();
  }
}

async function mergeLocked(o: MergeOptions): Promise<DissectResult> {
  const parts = o.shards.map((dir) => {
    const run = new RunFolder(dir);
    const r = run.result(`${dir} holds no dissect.json: is the shard finished?`);
    if (!r.shard) throw new DissectError('incompatible-out', `${dir} is a whole run, not a shard (made without --shard)`);
    if (!r.complete) throw new DissectError('incompatible-out', `${dir} is an unfinished shard (complete: false): finish it with --resume first`);
    return { dir, run, r };
  });
  const base = parts[0].r.key.split(':')[0];
  const count = parts[0].r.shard!.count;
  const seen = new Set<number>();
  for (const p of parts) {
    if (p.r.key.split(':')[0] !== base) throw new DissectError('incompatible-out', `${p.dir} is a shard of another run (other models or settings)`);
    if (p.r.shard!.count !== count)
      throw new DissectError('incompatible-out', `${p.dir} is shard ${p.r.shard!.index + 1}/${p.r.shard!.count}, others are of ${count}`);
    if (seen.has(p.r.shard!.index)) throw new DissectError('bad-usage', `shard ${p.r.shard!.index + 1}/${count} given twice`);
    seen.add(p.r.shard!.index);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new DissectError('bad-usage', `shards ${missing.map((i) => `${i + 1}/${count}`).join(', ')} are missing`);

  // The same rule as dissect's: an earlier run in --out is reused when it is this one, replaced only with --force.
  const target = new RunFolder(o.out);
  const earlier = target.readResult('incompatible-out');
  if (earlier && earlier.key === base && earlier.complete && !earlier.shard) return earlier;
  if ((earlier || target.hasCheckpoint()) && !o.force)
    throw new DissectError('incompatible-out', `${o.out} holds another run; choose another --out or pass --force to replace it`);
  if (o.force) target.clear();

  const s = parts[0].r.settings;
  const opts: DissectOptions = {
    generator: generatorSpecOf(s),
    segmenter: segmenterSpecOf(s),
    out: o.out,
    layers: s.layers.map((l) => l.tensor),
    samples: s.samples,
    thresholdSamples: s.thresholdSamples,
    ...('seed' in s.latents ? { seed: s.latents.seed } : { latents: s.latents.file }),
    ...('seed' in s.thresholdLatents ? { thresholdSeed: s.thresholdLatents.seed } : { thresholdLatents: s.thresholdLatents.file }),
    threshold: s.threshold,
    quantile: s.quantile,
    topk: s.topk,
    iouMin: s.iouMin,
    iqrMin: s.iqrMin,
    ...(o.provider ? { provider: o.provider } : {}),
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.batch ? { batch: o.batch } : {}),
    ...(o.onLog ? { onLog: o.onLog } : {}),
    // merging adds counts and renders top images: no statistics threads, ONNX Runtime gets the cores
    workers: 0,
  };
  const ctx = await openRun(opts);
  if (ctx.key !== base)
    throw new DissectError('incompatible-out', 'the models or labels changed since the shards were made (their hashes differ); re-run the shards');
  const seg = parts[0].r.segmentation;
  const K = ctx.seg.space.labels.length;
  const G = ctx.seg.space.categories.length;
  const tallies: LayerTallies[] = ctx.layers.map((layer, li) => {
    const [C, h, w] = layer.shape;
    const up = new Upsampler(h, w, seg.height, seg.width);
    let thresholds: Float32Array | undefined;
    let thresholdInfo: ThresholdInfo[] | undefined;
    let total: IouTally | undefined;
    let pairs: PairArrays | undefined;
    for (const p of parts) {
      const file = p.run.file(p.r.layers[li].stats!);
      const { meta, arrays } = unpackBlob(readFileNamed(file), file);
      const m = meta as { thresholds: number[]; thresholdInfo: ThresholdInfo[] | null };
      const thr = Float32Array.from(m.thresholds);
      if (!thresholds) {
        thresholds = thr;
        thresholdInfo = m.thresholdInfo ?? undefined;
        // the threshold-selection set's per-pair arrays: every shard has the same (it sees that set whole)
        if (arrays['pairs.iqr']) pairs = pairArrays((f) => arrays[`pairs.${f}`] as Float32Array);
      } else if (thr.some((v, i) => v !== thresholds![i])) {
        throw new DissectError('incompatible-out', `${p.dir}: thresholds of ${layer.name} differ from the other shards'`);
      }
      const t = new IouTally(C, K, G, thresholds, up, s.topk, dissectionBlocks(s.samples));
      t.load(arrays as Record<string, Arr> as Record<string, Float64Array>);
      if (total) total.merge(t);
      else total = t;
    }
    return { layer, up, thresholds, iou: total, ...(thresholdInfo ? { thresholdInfo } : {}), ...(pairs ? { pairs } : {}) };
  });
  const started = Date.now();
  makeFolder(o.out);
  const result = await finalizeResults(ctx, tallies, {
    key: base,
    out: o.out,
    range: [0, s.samples],
    seconds: parts.reduce((a, p) => a + p.r.timings.seconds, 0) + (Date.now() - started) / 1000,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  writeResults(o.out, result, tallies);
  return result;
}
