/**
 * Tracing an intervention through the layers after it (the paper's S-6.5, Fig. 17). The concept's units
 * are inserted at each location of a grid over layer L's featuremap, in each sample; a render model from L
 * that also outputs every later layer (graph surgery: Generator.renderSession with extra outputs) gives
 * their featuremaps — the later blocks' outputs where the generator has blocks (defaultLayers). The change of layer ℓ for one insertion is
 *   e_ℓ = (1/C_ℓ) Σ_ch  mean_p |r'_ℓ,ch(p) − r_ℓ,ch(p)|  /  m_ℓ,ch,
 * with m_ℓ,ch the channel's mean L1 magnitude over the unedited samples: changes in channels of any scale
 * weigh alike. Insertions are split by whether the concept appears (its share of the image's pixels
 * grows by at least `visibleMin`, and by one pixel).
 */
import { InterventionModel, applyIntervention } from './edit';
import { insertion, sampleSet, VISIBLE_MIN, type EffectOptions } from './causal';
import { CancelledError } from '../../shared/errors';
import type { LayerInfo } from '../../shared/models';
import { defaultLayers } from '../../shared/run/layers';
import type { TraceResult } from '../../shared/run/schema';

/** The featuremap cells of grid location g (gh × gw over h × w) as a mask. */
export function gridCell(g: number, gh: number, gw: number, h: number, w: number): Float32Array {
  const gy = Math.floor(g / gw);
  const gx = g % gw;
  const mask = new Float32Array(h * w);
  for (let y = Math.floor((gy * h) / gh); y < Math.floor(((gy + 1) * h) / gh); y++)
    for (let x = Math.floor((gx * w) / gw); x < Math.floor(((gx + 1) * w) / gw); x++) mask[y * w + x] = 1;
  return mask;
}

/** e_ℓ for each of n edited featuremaps of one layer against the unedited one (sample-wide magnitudes m). */
export function normalisedChange(edited: Float32Array, base: Float32Array, n: number, shape: readonly number[], m: Float64Array): Float64Array {
  const [C, h, w] = shape;
  const plane = h * w;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let e = 0;
    for (let ch = 0; ch < C; ch++) {
      if (!(m[ch] > 0)) continue;
      let d = 0;
      const o = (j * C + ch) * plane;
      for (let p = 0; p < plane; p++) d += Math.abs(edited[o + p] - base[ch * plane + p]);
      e += d / plane / m[ch];
    }
    out[j] = e / C;
  }
  return out;
}

function concept(seg: { maps: Uint16Array[]; H: number; W: number }, i: number, c: number): number {
  const P = seg.H * seg.W;
  let n = 0;
  for (const m of seg.maps) for (let p = i * P; p < (i + 1) * P; p++) if (m[p] === c) n++;
  return n;
}

export async function traceIntervention(
  model: InterventionModel,
  c: number,
  units: number[],
  k: Float32Array,
  o: EffectOptions & { grid: number },
): Promise<TraceResult> {
  const [C, h, w] = model.shape;
  const gh = Math.min(o.grid, h);
  const gw = Math.min(o.grid, w);
  const locs = gh * gw;
  // the later layers a dissection would take (the blocks' outputs), else every later layer
  const after = await model.gen.laterLayers(model.layer);
  const blocks = new Set(defaultLayers(await model.gen.layers()).map((l) => l.tensor));
  const later = after.some((l) => blocks.has(l.tensor)) ? after.filter((l) => blocks.has(l.tensor)) : after;
  const layers: LayerInfo[] = [model.layer, ...later];
  const session = await model.gen.renderSession(
    model.layer,
    later.map((l) => l.tensor),
  );
  const set = await sampleSet(model, c, o);
  const plane = C * h * w;
  const dims = model.gen.latentDims;
  // each layer's channel magnitudes over the unedited samples
  const mags = layers.map((l) => new Float64Array(l.shape[0]));
  const bases: Map<string, Float32Array>[] = [];
  for (let i = 0; i < set.n; i += o.batch) {
    if (o.signal?.aborted) throw new CancelledError('trace cancelled');
    const n = Math.min(o.batch, set.n - i);
    const fm = set.fm.subarray(i * plane, (i + n) * plane);
    const r = await model.renderWith(session, fm, set.z.subarray(i * dims, (i + n) * dims), n, later);
    r.layers.set(model.layer.tensor, fm);
    for (let j = 0; j < n; j++) bases.push(new Map(layers.map((l) => [l.tensor, sampleOf(r.layers.get(l.tensor)!, j, l.shape)])));
    layers.forEach((l, li) => {
      const [Cl, hl, wl] = l.shape;
      const data = r.layers.get(l.tensor)!;
      for (let j = 0; j < n; j++)
        for (let ch = 0; ch < Cl; ch++) {
          let s = 0;
          const off = (j * Cl + ch) * hl * wl;
          for (let p = 0; p < hl * wl; p++) s += Math.abs(data[off + p]);
          mags[li][ch] += s / (hl * wl) / set.n;
        }
    });
  }
  const sums = { all: new Float64Array(layers.length), visible: new Float64Array(layers.length), invisible: new Float64Array(layers.length) };
  const counts = { visible: 0, invisible: 0 };
  const heat = new Float64Array(locs);
  const seen = new Float64Array(locs);
  const cells = Array.from({ length: locs }, (_, g) => gridCell(g, gh, gw, h, w));
  const [H, W] = set.segShape;
  const minPixels = Math.max(1, VISIBLE_MIN * H * W);
  for (let i = 0; i < set.n; i++) {
    if (o.signal?.aborted) throw new CancelledError('trace cancelled');
    const before = set.s[i] * H * W;
    for (let g0 = 0; g0 < locs; g0 += o.batch) {
      const n = Math.min(o.batch, locs - g0);
      const fm = new Float32Array(n * plane);
      const z = new Float32Array(n * dims);
      for (let j = 0; j < n; j++) {
        fm.set(
          applyIntervention(set.fm.subarray(i * plane, (i + 1) * plane), 1, model.shape, insertion(units, k, cells[g0 + j], o.combine)),
          j * plane,
        );
        z.set(set.z.subarray(i * dims, (i + 1) * dims), j * dims);
      }
      const r = await model.renderWith(session, fm, z, n, later);
      r.layers.set(model.layer.tensor, fm);
      const seg = await model.seg.segment(r.image, n, [3, r.dims[2], r.dims[3]], model.gen.range, 'trace', 0);
      const changes = layers.map((l, li) => normalisedChange(r.layers.get(l.tensor)!, bases[i].get(l.tensor)!, n, l.shape, mags[li]));
      for (let j = 0; j < n; j++) {
        const visible = concept(seg, j, c) - before >= minPixels;
        counts[visible ? 'visible' : 'invisible']++;
        layers.forEach((_, li) => {
          sums.all[li] += changes[li][j];
          sums[visible ? 'visible' : 'invisible'][li] += changes[li][j];
        });
        heat[g0 + j] += changes[layers.length - 1][j] / set.n;
        if (visible) seen[g0 + j] += 1 / set.n;
      }
    }
    o.onProgress?.(i + 1, set.n, 'tracing insertions');
  }
  const total = counts.visible + counts.invisible;
  return {
    concept: model.seg.space.labels[c].name,
    layer: model.layer.name,
    units,
    samples: set.n,
    grid: [gh, gw],
    layers: layers.map((l) => ({ layer: l.name, shape: l.shape })),
    curves: {
      all: Array.from(sums.all, (v) => v / total),
      visible: Array.from(sums.visible, (v) => (counts.visible ? v / counts.visible : 0)),
      invisible: Array.from(sums.invisible, (v) => (counts.invisible ? v / counts.invisible : 0)),
    },
    counts,
    heatmap: Array.from(heat),
    visibleShare: Array.from(seen),
    visibleMin: VISIBLE_MIN,
  };
}

/** Sample j of an NCHW batch of a layer of shape [C, h, w] (a copy). */
function sampleOf(data: Float32Array, j: number, shape: readonly number[]): Float32Array {
  const per = shape[0] * shape[1] * shape[2];
  return data.slice(j * per, (j + 1) * per);
}
