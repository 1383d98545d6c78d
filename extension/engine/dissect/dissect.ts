/**
 * A dissection run (the paper's §3.1, Eq. 1 and 2): streaming passes over seeded samples, each resumable from its last
 * completed batch. Every pass runs the generator (and the segmenter) once over its set, and the sets are the least
 * any implementation needs: in `iqr` mode the threshold-selection set once and the dissection set once.
 *   1. threshold mode `iqr` (phase `iqr`): ONE pass over the threshold-selection set fills a joint histogram
 *      (unit × fine value bin × label, stats/iqr-hist.ts) of the upsampled activations. The candidate levels
 *      (quantiles at top-fractions logspace(−3, 0, 100), rule 1) and the 2×2 tables at them (rules 2–7) are
 *      both read from it at the end, the levels snapped to the largest value of their bin, so the tables are
 *      exact at the levels used. This replaces a quantile pass followed by a counting pass: the counts cannot
 *      be taken before the levels are known unless they are kept finer than the levels, and once they are,
 *      the levels themselves come out of the same counts (at the tail at least as accurately as the
 *      compactor sketch did). Threshold mode `quantile` (phase `quantile`): per-unit streaming quantiles of
 *      featuremap values on the threshold-selection set.
 *   2. iou: per (unit, label) intersection/union counts and top-k on the dissection set (or one shard);
 *   3. finalize: labels, summary, top images, report (results.ts, render.ts).
 * Thresholds come from the threshold-selection set, which every shard sees whole, so the counts of shards
 * add up exactly to those of the whole run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultLayers } from '../../shared/run/layers';
import { Generator, Segmenter, type GeneratedBatch, type SegmentedBatch } from '../models/contract';
import { TopImageCache } from './top-cache';
import { bytesPerSample, fitBatch } from './memory';
import { describePlans } from '../models/inputs';
import { displayTile } from '../output/top-images';
import { tileSize } from '../../shared/run/strip-layout';
import { StatsPool, cores, defaultWorkers } from '../parallel/stats-pool';
import type { BatchSlot } from '../parallel/batch-slot';
import type { ShardState, StatsPhase } from '../parallel/shard-stats';
import type { ProviderInfo } from '../../shared/models';
import { Upsampler } from '../data/upsample';
import { UnitQuantiles } from '../stats/quantile';
import { IqrHistogram, LEVEL_BINS } from '../stats/iqr-hist';
import { IouTally, dissectionBlocks } from '../stats/iou-tally';
import { fileLatents, seededLatents } from '../models/latents';
import { packBlob, unpackBlob, writeAtomic, readFileNamed, type Arr } from '../../shared/run/blob';
import { RunFolder } from '../../shared/run/folder';
import { takeRunFolder } from '../../shared/run/lock';
import { CancelledError, DissectError, fileSystemError } from '../../shared/errors';
import { sha256 } from '../models/onnx/proto';
import type { Phase, ProgressListener } from '../../shared/progress';
import { Eta } from './eta';
import { finalizeResults, writeResults } from './results';
import { pairArrays, type LayerTallies, type RunContext, type ThresholdInfo } from './run-context';
import { PAIR_FIELDS, type DissectJob, type DissectResult, type ResolvedSettings } from '../../shared/run/schema';

export type { LayerTallies, RunContext, ResolvedSettings };

export const FORMAT_VERSION = 1;
/** Candidate threshold levels in `iqr` mode (the reference: 100). */
export const IQR_LEVELS = 100;
/** Capacity of each unit's quantile sketch. */
export const SKETCH_K = 2048;

/** A dissection as the CLI and the engine process start it: JSON-safe (shared/run/schema.ts DissectJob) plus what lives only in the engine. */
export interface DissectOptions extends DissectJob {
  shard?: { index: number; count: number };
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Log lines (warnings such as a provider fallback). */
  onLog?: (line: string) => void;
  /**
   * Seconds between checkpoints inside a phase. Default: 5, or more where a checkpoint costs more than 5%
   * of that (a paper-scale iqr histogram is ≈ 400 MB to gather and write): they are then spaced so that
   * they take at most 5% of the run.
   */
  checkpointSeconds?: number;
  /**
   * Where the calling thread's time goes (the bench prints it): seconds per `phase.step` added here, for
   * the steps generator, segmenter and wait (for a free batch slot, i.e. for the threads, and the top
   * images of the batch the slot held).
   */
  timings?: Record<string, number>;
  /** ONNX Runtime's intra-op threads busy-wait between runs (default: not while statistics threads share the cores). */
  spin?: boolean;
}

interface Checkpoint {
  key: string;
  phase: Phase;
  done: number;
}

export async function openRun(opts: DissectOptions): Promise<RunContext> {
  const clock = stepClock(opts.timings, 'fixed');
  const asked = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(asked) || asked < 0) throw new DissectError('bad-usage', `--workers must be an integer ≥ 0, got ${asked}`);
  // More statistics threads than cores only cost memory (each holds its units' tallies and a V8 heap).
  const workers = Math.min(asked, cores());
  if (workers < asked) opts.onLog?.(`--workers ${asked}: this machine has ${cores()} cores; using ${workers} statistics threads`);
  // The statistics threads and ONNX Runtime share the cores (parallel/stats-pool.ts).
  // ONNX Runtime keeps its own default thread count (one per physical core) next to the statistics threads:
  // those run at a lower priority (parallel/thread-priority.ts) and take the cycles inference leaves. Holding
  // inference to the cores they leave starved heavy models: on 2 cores, ProGAN 256×256 (npm run bench --
  // --model paper) ran 2.0× its pure inference with ORT on 1 thread, the statistics threads mostly idle.
  const sessionOptions = { provider: opts.provider ?? 'auto', threads: opts.threads, spin: opts.spin ?? workers === 0 };
  const gen = Generator.open(opts.generator, sessionOptions);
  const seg = await Segmenter.open(opts.segmenter, sessionOptions);
  clock('open models');
  for (const w of seg.warnings) opts.onLog?.(`warning: ${w}`);
  const all = await gen.layers();
  for (const line of describePlans(gen.inputPlans)) opts.onLog?.(line);
  if (gen.rangeWhy !== 'given') opts.onLog?.(`image range [${gen.range.join(', ')}] (${gen.rangeWhy}; --image-range or "range" sets it)`);
  const names = opts.layers && opts.layers.length > 0 ? opts.layers : defaultLayers(all).map((l) => l.name);
  // The same layer named twice (or by two of its aliases) is dissected once.
  const layers = (await gen.resolveLayers([...new Set(names)])).filter((l, i, all) => all.findIndex((x) => x.tensor === l.tensor) === i);
  const latents = opts.latents ? fileLatents(opts.latents, gen.latentShape) : seededLatents(opts.seed ?? 1, gen.latentDims);
  const thresholdLatents = opts.thresholdLatents
    ? fileLatents(opts.thresholdLatents, gen.latentShape)
    : seededLatents(opts.thresholdSeed ?? 2, gen.latentDims);
  const samples = opts.samples ?? (Number.isFinite(latents.available) ? latents.available : 1000);
  if (!Number.isInteger(samples) || samples < 1) throw new DissectError('bad-usage', `--samples must be a positive integer, got ${samples}`);
  if (samples > latents.available) {
    throw new DissectError('bad-latents', `${opts.latents} holds ${latents.available} latents but --samples is ${samples}`);
  }
  const thresholdSamples =
    opts.thresholdSamples ?? Math.min(samples, Number.isFinite(thresholdLatents.available) ? thresholdLatents.available : samples);
  if (thresholdSamples > thresholdLatents.available) {
    throw new DissectError(
      'bad-latents',
      `${opts.thresholdLatents} holds ${thresholdLatents.available} latents but ${thresholdSamples} threshold samples are needed`,
    );
  }
  const threshold = opts.threshold ?? 'iqr';
  const quantile = opts.quantile ?? 0.99;
  if (!(quantile > 0 && quantile < 1)) throw new DissectError('bad-usage', `--quantile must be in (0, 1), got ${quantile}`);
  const settings: ResolvedSettings = {
    formatVersion: FORMAT_VERSION,
    generator: {
      path: path.resolve(gen.file),
      sha256: gen.sha256,
      latent: gen.latent,
      latentShape: gen.latentShape,
      output: gen.output,
      range: gen.range,
      // every input's choice, detected or given (a different noise or class is a different run)
      ...(gen.inputPlans.length > 0 ? { inputs: gen.inputChoices } : {}),
    },
    segmenter: {
      path: path.resolve(seg.file),
      sha256: seg.sha256,
      labels: path.resolve(opts.segmenter.labels),
      labelsSha256: seg.labelsSha,
      outputs: seg.outputs,
      input: seg.inputSpec,
      quad: opts.segmenter.quad ?? [],
    },
    layers: layers.map((l) => ({ name: l.name, tensor: l.tensor, shape: l.shape })),
    samples,
    latents: latents.describe(),
    thresholdSamples,
    thresholdLatents: thresholdLatents.describe(),
    threshold,
    quantile,
    quantileOver: threshold === 'iqr' ? 'upsampled' : 'featuremap',
    quantileSketch: threshold === 'iqr' ? 'joint-histogram' : 'compactor+zeros',
    ...(threshold === 'iqr' ? { levelBins: LEVEL_BINS } : {}),
    iqrLevels: IQR_LEVELS,
    sketchK: SKETCH_K,
    upsampling: 'bilinear-border',
    // A unit has at most `samples` top images.
    topk: Math.min(opts.topk ?? 20, samples),
    iouMin: opts.iouMin ?? 0.05,
    iqrMin: opts.iqrMin ?? 0.01,
  };
  clock('layers and settings');
  const session = await gen.session(layers.map((l) => l.tensor));
  clock('capture session');
  const provider = mergeProvider(session.provider, seg.session.provider);
  if (provider.fallback) opts.onLog?.(`warning: ${provider.fallback}; running on the CPU`);
  if (opts.batch !== undefined && (!Number.isInteger(opts.batch) || opts.batch < 1))
    throw new DissectError('bad-usage', `--batch must be a positive integer, got ${opts.batch}`);
  // One generated image through the segmenter: its resolution, and early errors (shapes, labels).
  const probe = await gen.run(session, thresholdLatents.batch(0, 1), 1, layers, 'the probe batch (threshold sample 0)', 0);
  const probeSeg = await seg.segment(probe.image, 1, probe.imageShape, gen.range, 'the probe batch (threshold sample 0)', 0);
  clock('probe');
  const segShape: [number, number] = [probeSeg.H, probeSeg.W];
  const imageShape = probe.imageShape;
  // The results do not depend on the batch, so one that would not fit in memory is lowered before starting.
  const fit = fitBatch(opts.batch, 16, bytesPerSample(layers, imageShape, segShape, seg.space.channels));
  if (fit.note) opts.onLog?.(fit.note);
  const batch = fit.batch;
  return { gen, seg, layers, settings, key: keyOf(settings), provider, latents, thresholdLatents, batch, session, segShape, imageShape, workers };
}

export { defaultLayers };

export function keyOf(settings: ResolvedSettings): string {
  const { generator, segmenter, ...rest } = settings;
  // Paths do not change the numbers; hashes do.
  const g = { ...generator, path: undefined };
  const s = { ...segmenter, path: undefined, labels: undefined };
  // iqr mode's candidate levels come from the joint histogram's bins (stats/iqr-hist.ts): another binning, another run
  return sha256(JSON.stringify({ g, s, ...rest, ...(settings.threshold === 'iqr' ? { levelBins: LEVEL_BINS } : {}) }));
}

function mergeProvider(a: ProviderInfo, b: ProviderInfo): ProviderInfo {
  const fallback = a.fallback ?? b.fallback;
  return { name: a.name === b.name ? a.name : 'cpu', requested: a.requested, ...(fallback ? { fallback } : {}) };
}

/** The samples [start, end) a run tallies in its IoU pass. */
export function sampleRange(samples: number, shard?: { index: number; count: number }): [number, number] {
  if (!shard) return [0, samples];
  return [Math.floor((shard.index * samples) / shard.count), Math.floor(((shard.index + 1) * samples) / shard.count)];
}

/**
 * Runs (or resumes, or reuses) a dissection; returns the result written to `opts.out`. It holds the run
 * folder's lock from start to finish (one writer per folder); the folder is created, and so known to be
 * writable, before any model is loaded.
 */
export async function dissect(opts: DissectOptions): Promise<{ result: DissectResult; cached: boolean }> {
  const lock = takeRunFolder(opts.out, opts.shard ? `dissect (shard ${opts.shard.index + 1}/${opts.shard.count})` : 'dissect', opts.onLog);
  const run = new RunFolder(opts.out);
  try {
    const r = await dissectLocked(opts);
    run.clearFailure();
    return r;
  } catch (e) {
    // A failure (not a cancel, not a refusal to touch another run) is recorded: the folder then says "failed: why".
    if (!(e instanceof CancelledError) && !(e instanceof DissectError && (e.code === 'incompatible-out' || e.code === 'locked'))) {
      try {
        // the message the user was shown (a file-system error in words)
        const shown = e instanceof DissectError ? e : fileSystemError(e);
        run.writeFailure({ code: shown?.code ?? 'internal', message: shown?.message ?? (e as Error).message, at: new Date().toISOString() });
      } catch {
        // (a full disk: the error itself is what matters)
      }
    }
    throw e;
  } finally {
    lock.release();
  }
}

async function dissectLocked(opts: DissectOptions): Promise<{ result: DissectResult; cached: boolean }> {
  const ctx = await openRun(opts);
  const out = opts.out;
  const { settings, key } = ctx;
  const shardKey = opts.shard ? `${key}:${opts.shard.index}/${opts.shard.count}` : key;
  const run = new RunFolder(out);
  const stateFile = run.stateFile;

  const earlier = run.readResult('incompatible-out');
  if (earlier) {
    if (earlier.key === shardKey && earlier.complete) return { result: earlier, cached: true };
    if (!opts.force) {
      throw new DissectError(
        'incompatible-out',
        `${out} holds an earlier run with other models or settings (${describeDifference(earlier.settings, settings)}); choose another --out or pass --force to replace it`,
      );
    }
  }
  let checkpoint: Checkpoint | undefined;
  let restored: Record<string, Arr> = {};
  let restoredMeta: Record<string, unknown> = {};
  if (fs.existsSync(stateFile)) {
    const { meta, arrays } = unpackBlob(readFileNamed(stateFile), stateFile);
    const m = meta as Checkpoint & { extra: Record<string, unknown> };
    const failure = run.readFailure();
    if (m.key !== shardKey) {
      if (!opts.force) {
        throw new DissectError(
          'incompatible-out',
          `${out} holds an interrupted run with other models or settings; choose another --out or pass --force to replace it`,
        );
      }
    } else if (!opts.resume && !opts.force) {
      throw new DissectError(
        'incompatible-out',
        `${out} holds ${failure ? `a run that failed (${failure.message})` : 'an interrupted run'} (${m.phase}, ${m.done} samples done): pass --resume to continue it, or --force to start over`,
      );
    } else if (opts.resume) {
      if (failure)
        opts.onLog?.(`the last run into ${out} failed (${failure.message}); resuming from its checkpoint (${m.phase}, ${m.done} samples done)`);
      checkpoint = { key: m.key, phase: m.phase, done: m.done };
      restored = arrays;
      restoredMeta = m.extra;
    }
  }
  if (opts.force && !checkpoint) run.clear();

  const [H, W] = ctx.segShape;
  const tallies: LayerTallies[] = ctx.layers.map((layer) => {
    const [, h, w] = layer.shape;
    return { layer, up: new Upsampler(h, w, H, W) };
  });
  const [start, end] = sampleRange(settings.samples, opts.shard);
  const T = settings.thresholdSamples;
  // one pass over the threshold-selection set (quantile sketches, or iqr mode's joint histogram), one over the dissection set
  const phases: { phase: Phase; total: number }[] = [
    { phase: settings.threshold === 'iqr' ? 'iqr' : 'quantile', total: T },
    { phase: 'iou', total: end - start },
  ];
  const overallTotal = phases.reduce((a, p) => a + p.total, 0);
  const order = phases.map((p) => p.phase);
  const startedAt = Date.now();
  // the time left over every phase, from each phase's measured rate (eta.ts); the IoU pass keeps almost every
  // top image (top-cache.ts), so the render at the end is left out
  const eta = new Eta(phases, 0);
  let lastCheckpoint = Date.now();
  const every = (opts.checkpointSeconds ?? 5) * 1000;
  /** The last checkpoint's cost (ms): with the default spacing, the next waits 19 times as long (≤ 5% of the run). */
  let checkpointCost = 0;
  const checkpointDue = () => Date.now() - lastCheckpoint >= (opts.checkpointSeconds === undefined ? Math.max(every, 19 * checkpointCost) : every);

  const saveState = (phase: Phase, done: number) => {
    const arrays: Record<string, Arr> = {};
    const extra: Record<string, unknown> = {};
    tallies.forEach((t, i) => {
      // the phase's statistics as gathered: a sketch pack (quantile) or the tally's arrays (iqr, iou)
      const g = t.gathered;
      if (g && phase === 'quantile') {
        extra[`q${i}`] = g.meta;
        arrays[`q${i}`] = g.arrays.items;
      } else if (g) for (const [k, a] of Object.entries(g.arrays)) arrays[`${phase}${i}.${k}`] = a;
      if (t.levels) arrays[`levels${i}`] = t.levels;
      if (t.thresholds) {
        arrays[`thr${i}`] = t.thresholds;
        extra[`thrInfo${i}`] = t.thresholdInfo;
      }
      if (t.pairs) for (const f of PAIR_FIELDS) arrays[`pairs${i}.${f}`] = t.pairs[f];
    });
    writeAtomic(stateFile, packBlob({ key: shardKey, phase, done, extra }, arrays));
    lastCheckpoint = Date.now();
  };

  const phaseIndex = (p: Phase) => order.indexOf(p);
  const resumeAt = checkpoint ? phaseIndex(checkpoint.phase) : 0;
  let overallBase = 0;

  const pool = new StatsPool(ctx.workers, {
    batch: ctx.batch,
    layerSizes: ctx.layers.map((l) => l.shape[0] * l.shape[1] * l.shape[2]),
    layerUnits: ctx.layers.map((l) => l.shape[0]),
    maps: ctx.seg.outputs.length + (ctx.seg.space.quad.length > 0 ? 2 : 0),
    pixels: H * W,
    categories: ctx.seg.space.categories.length,
  });
  // Top images kept during the IoU pass (a shard renders none: merge does).
  const tile = tileSize(ctx.imageShape[1], ctx.imageShape[2]);
  const topCache = opts.shard ? undefined : new TopImageCache(ctx.layers, settings.topk, tile.width * tile.height * 3);
  try {
    for (const { phase, total } of phases) {
      const pi = phaseIndex(phase);
      let done = 0;
      if (pi < resumeAt) {
        overallBase += total;
        continue;
      }
      const fromCheckpoint = checkpoint && pi === resumeAt;
      if (fromCheckpoint) done = checkpoint!.done;
      const phaseStarted = Date.now();
      const phaseFrom = done;
      // restore thresholds / levels computed by earlier phases
      if (checkpoint && pi >= resumeAt) {
        tallies.forEach((t, i) => {
          if (restored[`levels${i}`]) t.levels = restored[`levels${i}`] as Float32Array;
          if (restored[`thr${i}`]) {
            t.thresholds = restored[`thr${i}`] as Float32Array;
            t.thresholdInfo = restoredMeta[`thrInfo${i}`] as ThresholdInfo[];
          }
          if (restored[`pairs${i}.iqr`]) t.pairs = pairArrays((f) => restored[`pairs${i}.${f}`] as Float32Array);
        });
      }
      const needSeg = phase !== 'quantile';
      const latents = phase === 'iou' ? ctx.latents : ctx.thresholdLatents;
      const first = phase === 'iou' ? start : 0;

      const K = ctx.seg.space.labels.length;
      const G = ctx.seg.space.categories.length;
      /** Whole-layer state saved under `prefix` in the checkpoint (tally arrays, or a sketch pack). */
      const restoredState = (i: number): ShardState | undefined => {
        if (!fromCheckpoint || checkpoint!.done === 0) return undefined;
        if (phase === 'quantile') return restored[`q${i}`] ? { arrays: { items: restored[`q${i}`] }, meta: restoredMeta[`q${i}`] } : undefined;
        const prefix = `${phase}${i}.`;
        const arrays: Record<string, Arr> = {};
        for (const [k, a] of Object.entries(restored)) if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = a;
        return { arrays };
      };
      const maps = ctx.seg.outputs.length + (ctx.seg.space.quad.length > 0 ? 2 : 0);
      await pool.phase({
        phase: (phase === 'iqr' ? 'iqrhist' : phase) as StatsPhase,
        // int32 counts while no (unit, bin, label) can pass 2^31 pixels
        wide: T * H * W * maps >= 2 ** 31,
        H,
        W,
        K,
        G,
        topk: settings.topk,
        sketchK: SKETCH_K,
        upsampled: settings.quantileOver === 'upsampled',
        blocks: dissectionBlocks(settings.samples),
        layers: tallies.map((t, i) => {
          const restored = restoredState(i);
          return {
            shape: t.layer.shape,
            ...(phase === 'iou' ? { thresholds: t.thresholds! } : {}),
            ...(restored ? { restored } : {}),
          };
        }),
      });
      /** The pool's whole-layer states, kept as they come (a checkpoint saves them as they are). */
      const gather = async () => {
        const states = await pool.state();
        tallies.forEach((t, i) => (t.gathered = states[i]));
      };

      while (done < total) {
        if (opts.signal?.aborted) {
          await gather();
          saveState(phase, done);
          throw new CancelledError(`cancelled during ${phase} after ${done}/${total} samples; resume with --resume`);
        }
        const n = Math.min(ctx.batch, total - done);
        const s0 = first + done;
        const label = `${phase} batch ${Math.floor(done / ctx.batch) + 1}`;
        const z = latents.batch(s0, n);
        const clock = stepClock(opts.timings, phase);
        const b = await ctx.gen.run(ctx.session!, z, n, ctx.layers, label, s0);
        clock('generator');
        const segBatch = needSeg ? await ctx.seg.segment(b.image, n, b.imageShape, ctx.gen.range, label, s0) : undefined;
        clock('segmenter');
        if (segBatch && (segBatch.H !== H || segBatch.W !== W))
          throw new DissectError('bad-shape', `the segmentation's resolution changed (${H}×${W} → ${segBatch.H}×${segBatch.W})`);
        // Inference of the next batch overlaps the statistics of this one (parallel/stats-pool.ts); the top
        // images of a batch are kept once the threads have written its units' spatial maxima.
        const keepTop =
          phase === 'iou' && topCache
            ? (slot: BatchSlot) => topCache.addBatch(b, s0, slot.maxima, (i) => displayTile(b, i, ctx.gen.range))
            : undefined;
        await pool.submit((slot) => fillSlot(slot, tallies, b, segBatch), n, s0, keepTop);
        clock('wait');
        done += n;
        const rate = (done - phaseFrom) / Math.max((Date.now() - phaseStarted) / 1000, 1e-3);
        eta.measure(phase, rate);
        const overallDone = overallBase + done;
        opts.onProgress?.({
          phase,
          done,
          total,
          overallDone,
          overallTotal,
          samplesPerSecond: rate,
          etaSeconds: eta.seconds(phase, total - done),
        });
        if (checkpointDue() && done < total) {
          const started = performance.now();
          await gather();
          saveState(phase, done);
          for (const t of tallies) t.gathered = undefined; // written; the next gather brings a fresh one
          checkpointCost = performance.now() - started;
          if (opts.timings) opts.timings[`${phase}.checkpoints`] = (opts.timings[`${phase}.checkpoints`] ?? 0) + checkpointCost / 1000;
        }
      }
      // the statistics of the last batch (inference no longer overlaps them) and the gathering of the states
      const lastStats = performance.now();
      await gather();
      if (opts.timings) opts.timings[`fixed.last batch statistics (${phase})`] = (performance.now() - lastStats) / 1000;

      if (phase === 'quantile') {
        for (const t of tallies) {
          const C = t.layer.shape[0];
          const quantiles = UnitQuantiles.unpack(t.gathered!.meta, t.gathered!.arrays.items as Float32Array);
          t.gathered = undefined;
          t.thresholds = new Float32Array(C);
          for (let u = 0; u < C; u++) t.thresholds[u] = quantiles.sketches[u].quantiles([settings.quantile])[0];
        }
      } else if (phase === 'iqr') {
        for (const t of tallies) {
          const C = t.layer.shape[0];
          const hist = new IqrHistogram(C, K, G, t.up, { wide: T * H * W * maps >= 2 ** 31 });
          hist.load(t.gathered!.arrays as Record<string, Float64Array>);
          t.gathered = undefined;
          t.thresholds = new Float32Array(C);
          t.levels = new Float32Array(C * IQR_LEVELS);
          t.thresholdInfo = [];
          t.pairs = pairArrays(() => new Float32Array(C * K));
          for (let u = 0; u < C; u++) {
            const sel = hist.select(u, ctx.seg.space.categoryOf, IQR_LEVELS);
            t.levels.set(sel.levels, u * IQR_LEVELS);
            t.thresholds[u] = sel.threshold;
            t.thresholdInfo.push({ label: sel.label, iqr: sel.iqr, fraction: sel.fraction, reportLabel: sel.reportLabel });
            sel.pairs.forEach((p, c) => {
              for (const f of PAIR_FIELDS) t.pairs![f][u * K + c] = p[f];
            });
          }
        }
      } else {
        for (const t of tallies) {
          t.iou = new IouTally(t.layer.shape[0], K, G, t.thresholds!, t.up, settings.topk, dissectionBlocks(settings.samples));
          t.iou.load(t.gathered!.arrays as Record<string, Float64Array>);
        }
      }
      overallBase += total;
      // A finished phase checkpoints as the start of the next one (its results — levels, thresholds — go
      // with it), so a resume never re-derives them from a phase it skips.
      const next = order[pi + 1];
      if (next) saveState(next, 0);
      else saveState(phase, total);
    }

    const finalizing = performance.now();
    const result = await finalizeResults(ctx, tallies, {
      key: shardKey,
      out,
      shard: opts.shard,
      range: [start, end],
      seconds: (Date.now() - startedAt) / 1000,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(topCache ? { topCache } : {}),
      stripWriter: (jobs, tiles, th, tw, done) => pool.writeStrips(jobs, tiles, th, tw, done),
    });
    writeResults(out, result, tallies);
    if (opts.timings) opts.timings['fixed.finalize (labels, top images, report)'] = (performance.now() - finalizing) / 1000;
    fs.rmSync(stateFile, { force: true });
    return { result, cached: false };
  } finally {
    await pool.close();
  }
}

/** A stopwatch adding the seconds since its last call to `timings[phase.step]` (nothing without timings). */
function stepClock(timings: Record<string, number> | undefined, phase: string): (step: string) => void {
  if (!timings) return () => {};
  let t = performance.now();
  return (step) => {
    const now = performance.now();
    timings[`${phase}.${step}`] = (timings[`${phase}.${step}`] ?? 0) + (now - t) / 1000;
    t = now;
  };
}

/** Copies a batch's featuremaps and label maps (with quad parts and category presence) into a slot. */
function fillSlot(slot: BatchSlot, tallies: LayerTallies[], b: GeneratedBatch, seg: SegmentedBatch | undefined): void {
  tallies.forEach((t, i) => {
    const fm = b.layers.get(t.layer.tensor)!;
    slot.fms[i].set(fm.subarray(0, b.n * slot.layout.layerSizes[i]));
  });
  if (!seg) return;
  const P = slot.layout.pixels;
  const G = slot.layout.categories;
  for (let i = 0; i < b.n; i++) {
    const sl = seg.sample(i);
    sl.maps.forEach((m, k) => slot.maps[k].set(m, i * P));
    slot.present.set(sl.categoryPresent, i * G);
  }
}

/** A short description of what differs between two runs' settings. */
export function describeDifference(a: ResolvedSettings | undefined, b: ResolvedSettings): string {
  if (!a) return 'unknown format';
  const diffs: string[] = [];
  if (a.generator?.sha256 !== b.generator.sha256) diffs.push('generator');
  if (a.segmenter?.sha256 !== b.segmenter.sha256 || a.segmenter?.labelsSha256 !== b.segmenter.labelsSha256) diffs.push('segmenter or labels');
  for (const k of ['samples', 'threshold', 'quantile', 'topk', 'thresholdSamples'] as const) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) diffs.push(`${k} ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
  }
  if (JSON.stringify(a.layers?.map((l) => l.tensor)) !== JSON.stringify(b.layers.map((l) => l.tensor))) diffs.push('layers');
  if (JSON.stringify(a.latents) !== JSON.stringify(b.latents)) diffs.push('latents');
  return diffs.length > 0 ? `differs in ${diffs.join(', ')}` : 'a different shard or format';
}
