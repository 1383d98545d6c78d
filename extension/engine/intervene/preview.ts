/**
 * Live intervention previews: a layer's featuremaps for a few fixed samples are computed once and kept,
 * so each edit (units, mode, strength, painted mask) costs one render-model run and one segmentation.
 */
import { InterventionModel, checkUnits, type Intervention } from './edit';
import { seededLatents } from '../models/latents';
import { toRgbBytes } from '../data/image';
import { encodePng } from '../../shared/png';
import { cachedInsertionValues, combineOf, segmentationRgb } from './jobs';
import type { InsertionChoice } from '../../shared/intervention';
import { RunFolder, type FromRun } from '../../shared/run/folder';
import { generatorSpecOf, segmenterSpecOf } from '../../shared/run/models-of';
import { DissectError } from '../../shared/errors';
import type { ProviderRequest } from '../../shared/models';
import { INSERTION_CHOICES, type InterventionSpec, type PreviewResult } from '../../shared/intervention';
import { writeAtomic, makeFolder } from '../../shared/run/blob';

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

function pngDataUri(rgb: Uint8Array, w: number, h: number): string {
  return `data:image/png;base64,${encodePng(rgb, w, h, 1).toString('base64')}`;
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
    const from = new RunFolder(o.runId).from(o.layer);
    const s = from.result.settings;
    const model = await InterventionModel.open({
      generator: generatorSpecOf(s),
      segmenter: segmenterSpecOf(s),
      layer: from.layer.tensor,
      provider: o.provider ?? 'auto',
    });
    const z = seededLatents(o.seed, model.gen.latentDims).batch(0, o.samples);
    const orig = await model.original(z, o.samples);
    const [, H, W] = orig.imageShape;
    makeFolder(from.run.previewFolder(from.layer.layer));
    const P = orig.seg.H * orig.seg.W;
    const files: PreviewSampleFiles[] = [];
    const session = new PreviewSession(model, from, z, orig.fm, o.samples, [H, W], files);
    for (let i = 0; i < o.samples; i++) {
      const { before, segBefore } = from.run.previewFiles(from.layer.layer, o.seed, i);
      writeAtomic(before, encodePng(toRgbBytes(orig.image, i, H, W, model.gen.range), W, H));
      writeAtomic(segBefore, encodePng(segmentationRgb(orig.seg.maps[0], i * P, P), orig.seg.W, orig.seg.H));
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

  /** The insertion constants of `source` (`high` by default), computed once per source and concept. */
  async insertionK(concept: string | undefined, source: InsertionChoice = 'high'): Promise<Float32Array> {
    const key = `${source}:${source === 'quantile' ? '' : (concept ?? '')}`;
    let k = this.kCache.get(key);
    if (!k) {
      k = await cachedInsertionValues(this.model, concept, this.from, { samples: 100, seed: 5, batch: 16 }, source);
      this.kCache.set(key, k);
    }
    return k;
  }

  /** The webview's spec as an intervention: the mask decoded, the concept's insertion constants looked up. */
  async intervention(spec: InterventionSpec): Promise<Intervention> {
    checkUnits(spec.units, this.model.shape[0]);
    let k: Float32Array | undefined;
    const source = spec.insertion ?? 'high';
    if (!INSERTION_CHOICES.includes(source))
      throw new DissectError('bad-usage', `insertion must be ${INSERTION_CHOICES.join(', ')}, got "${String(source)}"`);
    if (spec.mode === 'insert') {
      // every insertion but the 0.99 quantile's uses the concept's constants
      if (!spec.concept && source !== 'quantile') throw new DissectError('bad-usage', 'insertion needs a concept (whose insertion constants to use)');
      k = await this.insertionK(spec.concept, source);
    }
    return {
      units: spec.units,
      mode: spec.mode,
      strength: spec.strength,
      ...(k ? { k, combine: combineOf(source) } : {}),
      ...(spec.mask ? { mask: { at: 'image', width: spec.mask.width, height: spec.mask.height, bytes: Buffer.from(spec.mask.data, 'base64') } } : {}),
    };
  }

  /** Renders the edit for every sample of the session. */
  async preview(spec: InterventionSpec): Promise<PreviewResult> {
    const t0 = performance.now();
    const r = await this.model.edited(this.fm, this.z, this.n, await this.intervention(spec));
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
  async afterPng(spec: InterventionSpec, sample: number): Promise<Buffer> {
    const p = await this.preview(spec);
    return Buffer.from(p.after[sample].split(',')[1], 'base64');
  }
}
