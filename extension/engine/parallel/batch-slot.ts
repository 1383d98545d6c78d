/**
 * One batch in shared memory: the featuremaps of every dissected layer and the batch's label maps, laid
 * out in one SharedArrayBuffer so the statistics threads read them without a copy; in the IoU pass the
 * threads write back each unit's spatial maximum per sample (`maxima`, read by the top-image cache). The
 * main thread fills a slot while the threads still tally the other one (two slots: inference of batch
 * i+1 overlaps the statistics of batch i).
 */
import type { BatchView } from './shard-stats';

export interface SlotLayout {
  /** Capacity in samples. */
  batch: number;
  /** Values per sample of each layer (C·h·w). */
  layerSizes: number[];
  /** Units of each layer (C). */
  layerUnits: number[];
  /** Label maps per sample (segmenter outputs + quad maps) and pixels per map. */
  maps: number;
  pixels: number;
  categories: number;
}

export class BatchSlot {
  readonly fms: Float32Array[];
  readonly maps: Uint16Array[];
  readonly present: Uint8Array;
  /** Per layer, n × C: each unit's spatial maximum in each sample (written by the IoU tallies). */
  readonly maxima: Float32Array[];

  constructor(
    readonly layout: SlotLayout,
    readonly buffer: ArrayBufferLike = new SharedArrayBuffer(BatchSlot.bytes(layout)),
  ) {
    const { batch, layerSizes, layerUnits, maps, pixels, categories } = layout;
    let o = 0;
    this.fms = layerSizes.map((size) => {
      const a = new Float32Array(buffer, o, batch * size);
      o += a.byteLength;
      return a;
    });
    this.maps = Array.from({ length: maps }, () => {
      const a = new Uint16Array(buffer, o, batch * pixels);
      o += Math.ceil(a.byteLength / 4) * 4;
      return a;
    });
    this.maxima = layerUnits.map((C) => {
      const a = new Float32Array(buffer, o, batch * C);
      o += a.byteLength;
      return a;
    });
    this.present = new Uint8Array(buffer, o, batch * categories);
  }

  static bytes({ batch, layerSizes, layerUnits, maps, pixels, categories }: SlotLayout): number {
    const fm = layerSizes.reduce((a, s) => a + batch * s * 4, 0);
    const maxima = layerUnits.reduce((a, C) => a + batch * C * 4, 0);
    return fm + maps * Math.ceil((batch * pixels * 2) / 4) * 4 + maxima + batch * categories;
  }

  /** A view of the first n samples. */
  view(n: number, first: number): BatchView {
    const { layerSizes, layerUnits, pixels, categories } = this.layout;
    return {
      n,
      first,
      fms: this.fms.map((a, i) => a.subarray(0, n * layerSizes[i])),
      maps: this.maps.map((m) => m.subarray(0, n * pixels)),
      present: this.present.subarray(0, n * categories),
      maxima: this.maxima.map((a, i) => a.subarray(0, n * layerUnits[i])),
    };
  }
}
