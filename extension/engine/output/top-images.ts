/**
 * Top-activating images per unit (the paper's Fig. 2 and 3): the unit's top-k samples are generated again, and each is
 * shown with the unit's upsampled region above threshold highlighted — outside dimmed to half brightness,
 * a yellow border around the region (the reference's look) — side by side in one PNG strip per unit.
 */
import { toRgbBytes } from '../data/image';
import { writeStrips, type StripJob } from './strips';
import type { LayerTallies, RunContext } from '../dissect/run-context';
import type { GeneratedBatch } from '../models/contract';
import type { TopImageCache } from '../dissect/top-cache';
import type { LayerResult } from '../../shared/run/schema';
import type { ProgressListener } from '../../shared/progress';
import { CancelledError } from '../../shared/errors';
import { RunFolder } from '../../shared/run/folder';
import { tileSize } from '../../shared/run/strip-layout';
import { makeFolder } from '../../shared/run/blob';

/** Writes strips elsewhere (the statistics threads), reporting how many are done as they finish. */
export type StripWriter = (jobs: StripJob[], tiles: Map<number, Uint8Array>, th: number, tw: number, done: (n: number) => void) => Promise<void>;

/** The strip tile of item i of a generated batch: its RGB bytes, subsampled to at most TILE_MAX. */
export function displayTile(b: GeneratedBatch, i: number, range: [number, number]): Uint8Array {
  const [, H, W] = b.imageShape;
  return subsample(toRgbBytes(b.image, i, H, W, range), H, W, tileSize(H, W).stride);
}

export async function renderTopImages(
  ctx: RunContext,
  tallies: LayerTallies[],
  layers: LayerResult[],
  out: string,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
  cache?: TopImageCache,
  writer?: StripWriter,
): Promise<{ height: number; width: number }> {
  // Which (layer, unit, rank) needs which sample.
  const wanted = new Map<number, { li: number; u: number; rank: number }[]>();
  layers.forEach((lr, li) =>
    lr.units.forEach((u) =>
      u.top.forEach((t, rank) => {
        const list = wanted.get(t.sample) ?? [];
        list.push({ li, u: u.unit, rank });
        wanted.set(t.sample, list);
      }),
    ),
  );
  const tiles = new Map<number, Uint8Array>();
  const maps = new Map<string, Float32Array>();
  // what the IoU pass kept needs no second generation
  for (const [s, needs] of wanted) {
    const hits = needs.map((n) => cache?.get(n.li, n.u, s));
    if (hits.some((h) => !h)) continue;
    tiles.set(s, hits[0]!.tile);
    needs.forEach((n, j) => maps.set(`${n.li}:${n.u}:${n.rank}`, hits[j]!.plane));
    wanted.delete(s);
  }
  const samples = [...wanted.keys()].sort((a, b) => a - b);
  const [, H, W] = ctx.imageShape;
  const { stride, width: tileW, height: tileH } = tileSize(H, W);
  // tiles generated again go to shared memory too: the threads that write the strips read them in place
  const tileBytes = tileW * tileH * 3;
  const regenerated = new SharedArrayBuffer(samples.length * tileBytes);
  const started = Date.now();
  // progress counts the samples generated again and the strips written
  const strips = layers.reduce((a, lr) => a + lr.units.filter((u) => u.top.length > 0).length, 0);
  const total = samples.length + strips;
  const report = (done: number) => {
    const rate = done / Math.max((Date.now() - started) / 1000, 1e-3);
    onProgress?.({
      phase: 'render',
      done,
      total,
      overallDone: done,
      overallTotal: total,
      samplesPerSecond: rate,
      etaSeconds: (total - done) / Math.max(rate, 1e-9),
    });
  };
  report(0);
  for (let i = 0; i < samples.length;) {
    if (signal?.aborted) throw new CancelledError('cancelled while rendering top images; the statistics are saved: resume with --resume');
    // full batches of the wanted samples, contiguous or not (their latents gathered row by row)
    const batch = samples.slice(i, i + ctx.batch);
    i += batch.length;
    const rows = batch.map((s) => ctx.latents.batch(s, 1));
    const z = new Float32Array(rows.reduce((a, r) => a + r.length, 0));
    rows.reduce((o, r) => (z.set(r, o), o + r.length), 0);
    const b = await ctx.gen.run(ctx.session!, z, batch.length, ctx.layers, `the render batch of samples ${batch.join(', ')}`, batch[0]);
    batch.forEach((s, k) => {
      const tile = new Uint8Array(regenerated, (i - batch.length + k) * tileBytes, tileBytes);
      tile.set(displayTile(b, k, ctx.gen.range));
      tiles.set(s, tile);
      for (const need of wanted.get(s)!) {
        const t = tallies[need.li];
        const [C, h, w] = t.layer.shape;
        const fm = b.layers.get(t.layer.tensor)!;
        const off = k * C * h * w + need.u * h * w;
        maps.set(`${need.li}:${need.u}:${need.rank}`, fm.slice(off, off + h * w));
      }
    });
    report(i);
  }
  const th = Math.ceil(H / stride);
  const tw = Math.ceil(W / stride);
  const jobs: StripJob[] = [];
  const run = new RunFolder(out);
  for (const [li, lr] of layers.entries()) {
    makeFolder(run.stripFolder(lr.layer));
    const [, h, w] = lr.shape;
    for (const unit of lr.units) {
      if (unit.top.length === 0) continue;
      const file = run.stripFile(lr.layer, unit.unit);
      jobs.push({
        file,
        threshold: unit.threshold,
        plane: [h, w],
        samples: unit.top.map((t) => t.sample),
        planes: unit.top.map((_, rank) => maps.get(`${li}:${unit.unit}:${rank}`)!),
      });
      unit.image = run.name(file);
    }
  }
  if (signal?.aborted) throw new CancelledError('cancelled while rendering top images; the statistics are saved: resume with --resume');
  // in parallel on the statistics threads when there are some, else here, a few at a time
  let written = 0;
  const done = (n: number) => report(samples.length + (written += n));
  if (writer) await writer(jobs, tiles, th, tw, done);
  else {
    for (let i = 0; i < jobs.length; i += 16) {
      writeStrips(jobs.slice(i, i + 16), tiles, th, tw);
      done(Math.min(16, jobs.length - i));
    }
  }
  return { height: H, width: W };
}

function subsample(rgb: Uint8Array, H: number, W: number, s: number): Uint8Array {
  if (s === 1) return rgb;
  const th = Math.ceil(H / s);
  const tw = Math.ceil(W / s);
  const out = new Uint8Array(th * tw * 3);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) for (let c = 0; c < 3; c++) out[(y * tw + x) * 3 + c] = rgb[(y * s * W + x * s) * 3 + c];
  return out;
}
