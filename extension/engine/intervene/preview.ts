/**
 * Live intervention previews: a layer's featuremaps for a few fixed samples are computed once and kept,
 * so each edit (units, mode, strength, painted mask) costs one render-model run and one segmentation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterventionModel, poolMask } from './edit';
import { seededLatents } from '../models/latents';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../data/png';
import { readFrom, cachedInsertionValues, segmentationRgb, labelColour, type FromRun } from './jobs';
import { safeName } from '../../shared/run/safe-name';
import { DissectError } from '../../shared/errors';
import type { ProviderRequest } from '../../shared/models';

export interface PreviewSpec {
  units: number[];
  mode: 'ablate' | 'insert';
  strength: number;
  concept?: string;
  /** Image-resolution mask bytes 0…255 (base64), or null for everywhere. */
  mask: { width: number; height: number; data: string } | null;
}

export interface PreviewOpen {
  /** A finished dissection of the layer (its folder). */
  runId: string;
  layer: string;
  samples: number;
  seed: number;
  provider?: ProviderRequest;
}

export interface PreviewSampleFiles {
  sample: number;
  before: string;
  segBefore: string;
}

export interface PreviewOutput {
  /** data: URIs of the edited images and their segmentations. */
  after: string[];
  segAfter: string[];
  changes: { sample: number; before: Record<string, number>; after: Record<string, number> }[];
  ms: number;
  msPerImage: number;
}

function pngDataUri(rgb: Uint8Array, w: number, h: number): string {
  return `data:image/png;base64,${encodePng(rgb, w, h, 1).toString('base64')}`;
}

export function hexColour(l: number): string {
  return (
    '#' +
    labelColour(l)
      .map((v) => v.toString(16).padStart(2, '0'))
      .join('')
  );
}

export class PreviewSession {
  private kCache = new Map<string, Float32Array>();
  private beforeFractions: Record<string, number>[] = [];

  private constructor(
    readonly model: InterventionModel,
    readonly from: FromRun,
    readonly z: Float32Array,
    readonly fm: Float32Array,
    readonly n: number,
    readonly imageSize: [number, number],
    readonly files: PreviewSampleFiles[],
  ) {}

  static async open(o: PreviewOpen): Promise<PreviewSession> {
    const from = readFrom(o.runId, o.layer);
    const s = from.result.settings;
    const model = await InterventionModel.open({
      generator: {
        path: s.generator.path,
        latent: s.generator.latent,
        output: s.generator.output,
        range: s.generator.range,
        ...(s.generator.inputs ? { inputs: s.generator.inputs } : {}),
      },
      segmenter: {
        path: s.segmenter.path,
        labels: s.segmenter.labels,
        outputs: s.segmenter.outputs,
        input: s.segmenter.input,
        quad: s.segmenter.quad,
      },
      layer: from.layer.tensor,
      provider: o.provider ?? 'auto',
    });
    const z = seededLatents(o.seed, model.gen.latentDims).batch(0, o.samples);
    const orig = await model.original(z, o.samples);
    const [, H, W] = orig.imageShape;
    const dir = path.join(o.runId, 'interventions', safeName(from.layer.layer));
    fs.mkdirSync(dir, { recursive: true });
    const P = orig.seg.H * orig.seg.W;
    const files: PreviewSampleFiles[] = [];
    const session = new PreviewSession(model, from, z, orig.fm, o.samples, [H, W], files);
    for (let i = 0; i < o.samples; i++) {
      const before = path.join(dir, `seed${o.seed}-${i}-before.png`);
      const segBefore = path.join(dir, `seed${o.seed}-${i}-seg.png`);
      fs.writeFileSync(before, encodePng(toRgbBytes(orig.image, i, H, W, model.gen.range), W, H));
      fs.writeFileSync(segBefore, encodePng(segmentationRgb(orig.seg.maps[0], i * P, P), orig.seg.W, orig.seg.H));
      files.push({ sample: i, before, segBefore });
      session.beforeFractions.push(session.fractions(orig.seg.maps, i, P));
    }
    return session;
  }

  private fractions(maps: Uint16Array[], i: number, P: number): Record<string, number> {
    const names = this.model.seg.space.labels;
    const counts = new Map<number, number>();
    for (const m of maps) for (let p = i * P; p < (i + 1) * P; p++) counts.set(m[p], (counts.get(m[p]) ?? 0) + 1);
    const out: Record<string, number> = {};
    for (const [l, n] of counts) out[names[l].name] = n / P;
    return out;
  }

  async insertionK(concept: string): Promise<Float32Array> {
    let k = this.kCache.get(concept);
    if (!k) {
      k = await cachedInsertionValues(this.model, concept, this.from, { samples: 100, seed: 5, batch: 16 });
      this.kCache.set(concept, k);
    }
    return k;
  }

  /** Renders the edit for every sample of the session. */
  async preview(spec: PreviewSpec): Promise<PreviewOutput> {
    const t0 = performance.now();
    const [C, h, w] = this.model.shape;
    for (const u of spec.units)
      if (!Number.isInteger(u) || u < 0 || u >= C) throw new DissectError('bad-usage', `unit ${u} is out of range (the layer has ${C} units)`);
    const strength = Math.min(1, Math.max(0, spec.strength));
    let a: Float32Array;
    if (spec.mask) {
      const bytes = Buffer.from(spec.mask.data, 'base64');
      if (bytes.length !== spec.mask.width * spec.mask.height)
        throw new DissectError('bad-usage', `mask has ${bytes.length} bytes for ${spec.mask.width}×${spec.mask.height}`);
      const img = Float32Array.from(bytes, (b) => (b / 255) * strength);
      a = poolMask(img, spec.mask.height, spec.mask.width, h, w);
    } else a = new Float32Array(h * w).fill(strength);
    let values = new Float32Array(spec.units.length);
    if (spec.mode === 'insert') {
      if (!spec.concept) throw new DissectError('bad-usage', 'insertion needs a concept (whose insertion constants to use)');
      const k = await this.insertionK(spec.concept);
      values = Float32Array.from(spec.units, (u) => k[u]);
    }
    const r = await this.model.edited(this.fm, this.z, this.n, { units: spec.units, values, mask: a });
    const [H, W] = this.imageSize;
    const P = r.seg.H * r.seg.W;
    const after: string[] = [];
    const segAfter: string[] = [];
    const changes = [];
    for (let i = 0; i < this.n; i++) {
      after.push(pngDataUri(toRgbBytes(r.image, i, H, W, this.model.gen.range), W, H));
      segAfter.push(pngDataUri(segmentationRgb(r.seg.maps[0], i * P, P), r.seg.W, r.seg.H));
      changes.push({ sample: i, before: this.beforeFractions[i], after: this.fractions(r.seg.maps, i, P) });
    }
    const ms = performance.now() - t0;
    return { after, segAfter, changes, ms, msPerImage: ms / this.n };
  }

  /** PNG bytes of one edited sample (for "save after-image"). */
  async afterPng(spec: PreviewSpec, sample: number): Promise<Buffer> {
    const p = await this.preview(spec);
    return Buffer.from(p.after[sample].split(',')[1], 'base64');
  }
}
