/**
 * Interventions on a layer (the paper's §3.2): the edit
 *   r' = r ⊙ (1 − a) + k ⊙ a,   a = 1 on units U × locations P (a soft mask in [0, 1] at featuremap size),
 * ablation k = 0, insertion k = a per-unit constant — by default as max(r, k), so that inserting never
 * lowers a unit (`combine: 'replace'` is the paper's r' = k); the edited featuremap is rendered by the
 * render model (graph surgery) and segmented, so the effect on each concept is measured.
 */
import { Generator, Segmenter, type SegmentedBatch } from '../models/contract';
import type { GeneratorSpec, SegmenterSpec, LayerInfo } from '../../shared/models';
import { runSession, floatTensor, type Session } from '../models/onnx/session';
import type { ProviderRequest } from '../../shared/models';
import { DissectError } from '../../shared/errors';
import { firstNonFinite } from '../data/image';

export interface InterventionOptions {
  generator: GeneratorSpec;
  segmenter: SegmenterSpec;
  layer: string;
  provider?: ProviderRequest;
  threads?: number;
}

export interface Edit {
  units: readonly number[];
  /** Per-unit constants k (same order as units); ablation: all 0. */
  values: Float32Array;
  /** a over the featuremap's h×w locations, in [0, 1]; undefined = everywhere. */
  mask?: Float32Array;
  /** Insert max(r, k) rather than k: an insertion that never lowers a unit. */
  max?: boolean;
}

export interface Rendered {
  image: Float32Array;
  imageShape: [number, number, number];
  seg: SegmentedBatch;
}

/**
 * An intervention, as the CLI's `intervene`, the live preview, the ACE and the causal search give it: which
 * units, ablate (k = 0) or insert (k = the insertion constants), how strongly and where.
 */
export interface Intervention {
  units: readonly number[];
  mode: 'ablate' | 'insert';
  /**
   * How strongly, 0…10 (default 1: the full edit with the constants k as they are). Below 1 it scales a
   * (a partial blend); above 1, insertion's k (k × strength; ablation stays at k = 0).
   */
  strength?: number;
  /**
   * Insertion: `max` (the default) sets r' = max(r, k) where a = 1, so inserting never lowers a unit that is
   * already more active than k; `replace` sets r' = k, the paper's edit (§3.2).
   */
  combine?: 'max' | 'replace';
  /** Insertion constants (insert mode): one per unit of the layer, indexed by unit, or one value for all units. */
  k?: Float32Array | number;
  /** Where (a); none = everywhere. */
  mask?: InterventionMask;
}

/**
 * a painted at image resolution (bytes 0…255 row-major, as the webview paints it; a = byte/255, averaged
 * over the pixels each featuremap location covers) or given at the featuremap's h×w (values in [0, 1]).
 */
export type InterventionMask = { at: 'image'; width: number; height: number; bytes: Uint8Array } | { at: 'featuremap'; a: Float32Array };

/** The strongest edit: insertion constants up to 10× (strength 1 = k as it is). */
export const MAX_STRENGTH = 10;

/** Throws the usual error unless every unit is a unit of a layer with C units. */
export function checkUnits(units: readonly number[], C: number): void {
  for (const u of units)
    if (!Number.isInteger(u) || u < 0 || u >= C) throw new DissectError('bad-usage', `unit ${u} is out of range (the layer has ${C} units)`);
}

/** The constant k of each unit of the intervention, in its order (ablation: all 0). */
export function interventionValues(iv: Intervention): Float32Array {
  if (iv.mode === 'ablate') return new Float32Array(iv.units.length);
  if (iv.k === undefined) throw new DissectError('bad-usage', 'insertion needs insertion constants k');
  const k = iv.k;
  return typeof k === 'number' ? new Float32Array(iv.units.length).fill(k) : Float32Array.from(iv.units, (u) => k[u]);
}

/** The intervention as an edit of a layer of shape [C, h, w]: the units' constants and a at featuremap size. */
export function interventionEdit(iv: Intervention, shape: readonly [number, number, number]): Edit {
  const [C, h, w] = shape;
  checkUnits(iv.units, C);
  const s = Math.min(MAX_STRENGTH, Math.max(0, iv.strength ?? 1));
  const strength = Math.min(1, s);
  const values = interventionValues(iv);
  if (iv.mode === 'insert' && s > 1) for (let j = 0; j < values.length; j++) values[j] *= s;
  let mask: Float32Array | undefined;
  if (iv.mask?.at === 'image') {
    const { width, height, bytes } = iv.mask;
    if (bytes.length !== width * height) throw new DissectError('bad-usage', `mask has ${bytes.length} bytes for ${width}×${height}`);
    const img = Float32Array.from(bytes, (b) => (b / 255) * strength);
    mask = poolMask(img, height, width, h, w);
  } else if (iv.mask?.at === 'featuremap') {
    if (iv.mask.a.length !== h * w) throw new DissectError('bad-usage', `mask has ${iv.mask.a.length} values for a ${h}×${w} featuremap`);
    mask = strength === 1 ? iv.mask.a : iv.mask.a.map((v) => v * strength);
  } else if (strength !== 1) mask = new Float32Array(h * w).fill(strength);
  return { units: iv.units, values, ...(mask ? { mask } : {}), ...(iv.mode === 'insert' && iv.combine !== 'replace' ? { max: true } : {}) };
}

/**
 * THE function that applies an intervention (§3.2): the edited featuremaps r' = r ⊙ (1 − a) + k ⊙ a of a
 * batch of n featuremaps [n, C, h, w] (a copy). `InterventionModel.edited` renders them; the CLI's
 * `intervene`, the live preview, the ACE, the causal search and the insertion context all come here.
 */
export function applyIntervention(fm: Float32Array, n: number, shape: readonly [number, number, number], iv: Intervention): Float32Array {
  return editFeaturemap(fm, n, shape, interventionEdit(iv, shape));
}

/**
 * r' = r ⊙ (1 − a) + k ⊙ a for the units of the edit, on a batch of n featuremaps [n, C, h, w] (a copy);
 * with `max`, r' = r ⊙ (1 − a) + max(r, k) ⊙ a.
 */
export function editFeaturemap(fm: Float32Array, n: number, shape: readonly [number, number, number], e: Edit): Float32Array {
  const [C, h, w] = shape;
  const plane = h * w;
  const out = fm.slice();
  e.units.forEach((u, j) => {
    if (u < 0 || u >= C) throw new DissectError('bad-usage', `unit ${u} is out of range (the layer has ${C} units)`);
    const k = e.values[j];
    for (let i = 0; i < n; i++) {
      const base = (i * C + u) * plane;
      if (e.max) {
        for (let p = 0; p < plane; p++) {
          const r = out[base + p];
          const a = e.mask ? e.mask[p] : 1;
          out[base + p] = r * (1 - a) + Math.max(r, k) * a;
        }
      } else if (!e.mask) out.fill(k, base, base + plane);
      else for (let p = 0; p < plane; p++) out[base + p] = out[base + p] * (1 - e.mask[p]) + k * e.mask[p];
    }
  });
  return out;
}

/**
 * A mask painted at image resolution (H×W, values in [0, 1]) pooled down to the featuremap's h×w by
 * averaging the image pixels each location covers.
 */
export function poolMask(mask: Float32Array, H: number, W: number, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  const count = new Float32Array(h * w);
  for (let y = 0; y < H; y++) {
    const cy = Math.min(h - 1, Math.floor((y * h) / H));
    for (let x = 0; x < W; x++) {
      const cx = Math.min(w - 1, Math.floor((x * w) / W));
      out[cy * w + cx] += mask[y * W + x];
      count[cy * w + cx]++;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = count[i] > 0 ? out[i] / count[i] : 0;
  return out;
}

/** A rectangle [x0, y0, x1) × [y0, y1) in image pixels as an image-resolution mask. */
export function rectMask(H: number, W: number, r: [number, number, number, number]): Float32Array {
  const [x0, y0, x1, y1] = r;
  const m = new Float32Array(H * W);
  for (let y = Math.max(0, y0); y < Math.min(H, y1); y++) for (let x = Math.max(0, x0); x < Math.min(W, x1); x++) m[y * W + x] = 1;
  return m;
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** s_c(x): the fraction of image i's pixels labelled c (by any of the segmenter's outputs). */
export function conceptFraction(seg: SegmentedBatch, i: number, c: number): number {
  const P = seg.H * seg.W;
  let n = 0;
  for (const m of seg.maps) {
    const base = i * P;
    for (let p = 0; p < P; p++) if (m[base + p] === c) n++;
  }
  return n / P;
}

/** The generator split at a layer: capture (z → layer, image) and render (layer → image), plus the segmenter. */
export class InterventionModel {
  private constructor(
    readonly gen: Generator,
    readonly seg: Segmenter,
    readonly layer: LayerInfo,
    private readonly capture: Session,
    private readonly render: Session,
  ) {}

  static async open(o: InterventionOptions): Promise<InterventionModel> {
    const sessionOptions = { provider: o.provider ?? 'auto', ...(o.threads ? { threads: o.threads } : {}) };
    const gen = Generator.open(o.generator, sessionOptions);
    const seg = await Segmenter.open(o.segmenter, sessionOptions);
    const [layer] = await gen.resolveLayers([o.layer]);
    const capture = await gen.session([layer.tensor]);
    const render = await gen.renderSession(layer);
    return new InterventionModel(gen, seg, layer, capture, render);
  }

  get shape(): [number, number, number] {
    return this.layer.shape;
  }

  /** The provider the generator runs on. */
  get provider(): string {
    return this.capture.provider.name;
  }

  /** Index of a concept by name; a clear error with the known names if absent. */
  concept(name: string): number {
    const i = this.seg.space.labels.findIndex((l) => l.name === name && l.category !== '-');
    if (i < 0)
      throw new DissectError(
        'bad-labels',
        `no concept "${name}" in the segmenter's labels (${this.seg.space.labels
          .filter((l) => l.category !== '-')
          .map((l) => l.name)
          .join(', ')})`,
      );
    return i;
  }

  /** The unedited batch: featuremaps of the layer, the image and its segmentation. */
  async original(z: Float32Array, n: number, firstSample = 0): Promise<{ fm: Float32Array } & Rendered> {
    const b = await this.captured(z, n, firstSample);
    const seg = await this.seg.segment(b.image, n, b.imageShape, this.gen.range, 'intervention', firstSample);
    return { ...b, seg };
  }

  /** The unedited batch's featuremaps of the layer and its image (not segmented). */
  async captured(
    z: Float32Array,
    n: number,
    firstSample = 0,
  ): Promise<{ fm: Float32Array; image: Float32Array; imageShape: [number, number, number] }> {
    const b = await this.gen.run(this.capture, z, n, [this.layer], 'intervention', firstSample);
    return { fm: b.layers.get(this.layer.tensor)!, image: b.image, imageShape: b.imageShape };
  }

  /** The render model's image for n featuremaps, in chunks of the model's fixed batch where it has one (the last padded). */
  private async renderImage(fm: Float32Array, z: Float32Array, n: number): Promise<{ image: Float32Array; dims: readonly number[] }> {
    return this.renderWith(this.render, fm, z, n, []);
  }

  /**
   * Runs a render session (this model's, or one that also outputs later layers: `extra`) on n featuremaps;
   * the image, and the later layers as NCHW in `layers` (by tensor).
   */
  async renderWith(
    render: Session,
    fm: Float32Array,
    z: Float32Array,
    n: number,
    extra: readonly LayerInfo[],
  ): Promise<{ image: Float32Array; dims: readonly number[]; layers: Map<string, Float32Array> }> {
    const chunk = this.gen.fixedBatch ?? n;
    const perFm = fm.length / n;
    const perZ = z.length / n;
    const parts: Float32Array[] = [];
    const layerParts = new Map<string, Float32Array[]>(extra.map((l) => [l.tensor, []]));
    let dims: readonly number[] = [];
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      const pad = (a: Float32Array, per: number) => {
        if (m === chunk) return a.subarray(i * per, (i + m) * per);
        const out = new Float32Array(per * chunk);
        out.set(a.subarray(i * per, (i + m) * per));
        return out;
      };
      const feeds: Record<string, ReturnType<typeof floatTensor>> = {
        [this.layer.tensor]: floatTensor(pad(fm, perFm), [chunk, ...this.layer.shape]),
      };
      const all = this.gen.feeds(pad(z, perZ), chunk);
      for (const name of render.inputNames) if (name !== this.layer.tensor && all[name]) feeds[name] = all[name];
      const res = await runSession(render, feeds, [this.gen.output, ...extra.map((l) => l.tensor)], 'render model');
      const img = this.gen.imageOf(res[this.gen.output]);
      dims = img.dims;
      const data = img.data;
      parts.push(data.subarray(0, (data.length / chunk) * m));
      for (const l of extra) layerParts.get(l.tensor)!.push(this.gen.layerData(res[l.tensor], l, m));
    }
    const layers = new Map([...layerParts].map(([t, ps]) => [t, concat(ps)]));
    return { image: concat(parts), dims, layers };
  }

  /** Renders (and segments) featuremaps of the layer; z feeds the inputs later layers still read. */
  async renderFrom(fm: Float32Array, z: Float32Array, n: number): Promise<Rendered> {
    const { image, imageShape } = await this.rendered(fm, z, n);
    const seg = await this.seg.segment(image, n, imageShape, this.gen.range, 'intervention', 0);
    return { image, imageShape, seg };
  }

  /** The image rendered from featuremaps of the layer (not segmented); a NaN/Inf image is refused. */
  async rendered(fm: Float32Array, z: Float32Array, n: number): Promise<{ image: Float32Array; imageShape: [number, number, number] }> {
    const { image, dims } = await this.renderImage(fm, z, n);
    const bad = firstNonFinite(image);
    if (bad >= 0) throw new DissectError('non-finite', `the edited layer rendered a NaN/Inf image (sample ${Math.floor(bad / (image.length / n))})`);
    return { image, imageShape: [3, dims[2], dims[3]] };
  }

  /** Applies an intervention to a batch of the layer's featuremaps (applyIntervention) and renders it. */
  async edited(fm: Float32Array, z: Float32Array, n: number, iv: Intervention): Promise<Rendered> {
    return this.renderFrom(applyIntervention(fm, n, this.layer.shape, iv), z, n);
  }
}
