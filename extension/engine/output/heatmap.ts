/**
 * A unit's activation over fresh samples: each sample's image and a heatmap of the unit (upsampled to the
 * image, colour-mapped, over a dimmed copy of the image), written as PNGs next to the run.
 */
import { Generator } from '../models/contract';
import { seededLatents } from '../models/latents';
import { Upsampler } from '../data/upsample';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../../shared/png';
import { RunFolder } from '../../shared/run/folder';
import { DissectError } from '../../shared/errors';
import { generatorSpecOf } from '../../shared/run/models-of';
import type { ProviderRequest } from '../../shared/models';
import { writeAtomic, makeFolder } from '../../shared/run/blob';

/** The colour map's stops: plasma (perceptually ordered, dark blue → yellow), evenly spaced over [0, 1]. */
export const COLOUR_STOPS: [number, number, number][] = [
  [13, 8, 135],
  [126, 3, 168],
  [204, 71, 120],
  [248, 149, 64],
  [240, 249, 33],
];

/** The colour map at t in [0, 1]. */
export function colourMap(t: number): [number, number, number] {
  const stops = COLOUR_STOPS;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f)) as [number, number, number];
}

export async function unitHeatmaps(o: { out: string; layer: string; unit: number; count: number; seed: number; provider?: ProviderRequest }) {
  const run = new RunFolder(o.out);
  const r = run.result(`no finished dissection in ${o.out}`);
  const lr = r.layers.find((l) => l.layer === o.layer);
  if (!lr) throw new DissectError('bad-layer', `layer ${o.layer} is not in the run at ${o.out}`);
  const unit = lr.units[o.unit];
  if (!unit) throw new DissectError('bad-layer', `layer ${o.layer} has no unit ${o.unit}`);
  const s = r.settings;
  const gen = Generator.open(generatorSpecOf(s), { provider: o.provider ?? 'auto' });
  const [layer] = await gen.resolveLayers([lr.tensor]);
  const session = await gen.session([layer.tensor]);
  const z = seededLatents(o.seed, gen.latentDims).batch(0, o.count);
  const b = await gen.run(session, z, o.count, [layer], 'heatmaps', 0);
  const [, H, W] = b.imageShape;
  const [C, h, w] = layer.shape;
  const fm = b.layers.get(layer.tensor)!;
  const up = new Upsampler(h, w, H, W);
  const act = new Float32Array(H * W);
  makeFolder(run.heatmapFolder(o.layer));
  // scale: from 0 to the unit's top activation in the dissection (so heatmaps are comparable)
  const top = unit.top[0]?.maxact ?? 1;
  const samples = [];
  for (let i = 0; i < o.count; i++) {
    const rgb = toRgbBytes(b.image, i, H, W, gen.range);
    up.run(fm, i * C * h * w + o.unit * h * w, act);
    const heat = new Uint8Array(H * W * 3);
    let maxact = -Infinity;
    for (let p = 0; p < H * W; p++) maxact = Math.max(maxact, act[p]);
    heat.set(heatmapRgb(rgb, act, H, W, top, unit.threshold));
    const { image, heatmap } = run.heatmapFiles(o.layer, o.unit, o.seed, i);
    writeAtomic(image, encodePng(rgb, W, H));
    writeAtomic(heatmap, encodePng(heat, W, H));
    samples.push({ seed: o.seed, sample: i, image, heatmap, maxact });
  }
  return { samples, scale: { max: top, threshold: unit.threshold, stops: COLOUR_STOPS } };
}

/**
 * The heatmap of an activation map `act` (H × W) over an image: the colour map of act / max at 80% over the
 * image at 20% (legible at any activation, the image still there), and a white contour where act crosses
 * the unit's threshold (its pixels at or above it that touch one below).
 */
export function heatmapRgb(rgb: Uint8Array, act: Float32Array, H: number, W: number, max: number, threshold: number): Uint8Array {
  const out = new Uint8Array(H * W * 3);
  const on = (y: number, x: number) => act[y * W + x] >= threshold;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const edge =
        threshold > 0 &&
        on(y, x) &&
        ((y > 0 && !on(y - 1, x)) || (y < H - 1 && !on(y + 1, x)) || (x > 0 && !on(y, x - 1)) || (x < W - 1 && !on(y, x + 1)));
      if (edge) {
        out.fill(255, p * 3, p * 3 + 3);
        continue;
      }
      const c = colourMap(max > 0 ? act[p] / max : 0);
      for (let k = 0; k < 3; k++) out[p * 3 + k] = Math.round(rgb[p * 3 + k] * 0.2 + c[k] * 0.8);
    }
  return out;
}
