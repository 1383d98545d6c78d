/**
 * IoU counts of one layer over the dissection set (DESIGN.md §4), merged exactly by addition:
 *   IoU_{u,c} = Σ|on_u ∧ c| / Σ|on_u ∨ c|,
 * where, as in the reference, a unit's "on" pixels count toward the union of c only in images that
 * contain some label of c's category. Also the unit's spatial maxima (top-k) and the counts needed for
 * the IQR of each (unit, concept) table at the unit's threshold.
 */
import { Upsampler } from '../data/upsample';
import { CellGrid, type CellLabels } from '../data/cells';
import { TopK } from './topk';
import { iou, iqr } from './info';

export interface SampleLabels {
  /** Label maps of this sample at segmentation resolution (one per segmenter output, plus quad maps). */
  maps: Uint16Array[];
  /** 1 where the image holds some label of category g. */
  categoryPresent: Uint8Array;
}

export class IouTally {
  /** |on_u ∧ c|, units × labels. */
  readonly inter: Float64Array;
  /** |on_u| summed over images containing category g, units × categories. */
  readonly onInCategory: Float64Array;
  /** |on_u| over all pixels. */
  readonly on: Float64Array;
  /** |c| over all pixels. */
  readonly area: Float64Array;
  pixels = 0;
  samples = 0;
  readonly top: TopK;
  private readonly scratch: Float32Array;
  private readonly grid: CellGrid;
  private cellLabels?: CellLabels;
  private readonly mixed: Int32Array;

  constructor(
    readonly units: number,
    readonly labels: number,
    readonly categories: number,
    readonly thresholds: Float32Array,
    private readonly up: Upsampler,
    topk: number,
  ) {
    this.inter = new Float64Array(units * labels);
    this.onInCategory = new Float64Array(units * categories);
    this.on = new Float64Array(units);
    this.area = new Float64Array(labels);
    this.top = new TopK(units, topk);
    this.scratch = new Float32Array(up.H * up.W);
    this.grid = new CellGrid(up);
    this.mixed = new Int32Array(this.grid.count);
  }

  /**
   * Adds one sample: `fm` holds its units × h × w featuremap at `offset`. Each unit's spatial maximum
   * also goes to `maxima[maxAt + u]` when given (the top-image cache reads it).
   */
  addSample(sample: number, fm: Float32Array, offset: number, seg: SampleLabels, maxima?: Float32Array, maxAt = 0): void {
    const { units, labels: K, categories: G, up, grid, scratch, inter, mixed } = this;
    const plane = up.h * up.w;
    const P = up.H * up.W;
    const maps = seg.maps;
    for (const m of maps) for (let p = 0; p < P; p++) this.area[m[p]]++;
    this.pixels += P;
    this.samples++;
    const m0 = maps[0];
    const single = maps.length === 1;
    const identity = up.h === up.H && up.w === up.W;
    const cl = identity ? undefined : (this.cellLabels = grid.labels(maps, K, this.cellLabels));
    const { pixels: cellPixels, corners } = grid;
    for (let u = 0; u < units; u++) {
      const base = offset + u * plane;
      let max = -Infinity;
      for (let i = 0; i < plane; i++) if (fm[base + i] > max) max = fm[base + i];
      this.top.add(u, max, sample);
      if (maxima) maxima[maxAt + u] = max;
      const t = this.thresholds[u];
      // Bilinear interpolation never exceeds the map's maximum: no pixel of this unit is on.
      if (!(max > t)) continue;
      let on = 0;
      const row = u * K;
      if (identity) {
        for (let p = 0; p < P; p++) {
          if (fm[base + p] > t) {
            on++;
            for (const m of maps) inter[row + m[p]]++;
          }
        }
      } else {
        // A cell whose corners are all above t is on everywhere; all at or below t, off everywhere
        // (data/cells.ts); only the others are interpolated pixel by pixel.
        let nMixed = 0;
        for (let cell = 0; cell < grid.count; cell++) {
          const c4 = cell * 4;
          const above = (fm[base + corners[c4]] > t ? 1 : 0) + (fm[base + corners[c4 + 1]] > t ? 1 : 0) + (fm[base + corners[c4 + 2]] > t ? 1 : 0) + (fm[base + corners[c4 + 3]] > t ? 1 : 0);
          if (above === 0) continue;
          if (above === 4) {
            on += cellPixels[cell];
            cl!.addCell(cell, inter, row);
          } else mixed[nMixed++] = cell;
        }
        grid.interpolateCells(fm, base, mixed, nMixed, scratch);
        const W = up.W;
        for (let i = 0; i < nMixed; i++) {
          const cell = mixed[i];
          for (let y = grid.y0[cell], y1 = grid.y1[cell]; y < y1; y++) {
            for (let p = y * W + grid.x0[cell], end = y * W + grid.x1[cell]; p < end; p++) {
              if (scratch[p] > t) {
                on++;
                if (single) inter[row + m0[p]]++;
                else for (const m of maps) inter[row + m[p]]++;
              }
            }
          }
        }
      }
      this.on[u] += on;
      for (let g = 0; g < G; g++) if (seg.categoryPresent[g]) this.onInCategory[u * G + g] += on;
    }
  }

  merge(o: IouTally): void {
    add(this.inter, o.inter);
    add(this.onInCategory, o.onInCategory);
    add(this.on, o.on);
    add(this.area, o.area);
    this.pixels += o.pixels;
    this.samples += o.samples;
    this.top.merge(o.top);
  }

  iou(u: number, c: number, categoryOf: Int32Array): number {
    const g = categoryOf[c];
    if (g < 0) return 0;
    return iou(this.inter[u * this.labels + c], this.onInCategory[u * this.categories + g], this.area[c]);
  }

  /** IQR of the (unit on/off × c present/absent) table over all pixels of the dissection set. */
  iqr(u: number, c: number): number {
    return iqr(this.inter[u * this.labels + c], this.on[u], this.area[c], this.pixels);
  }

  arrays(): Record<string, Float64Array | Float32Array | Int32Array> {
    return {
      inter: this.inter,
      onInCategory: this.onInCategory,
      on: this.on,
      area: this.area,
      topScores: this.top.scores,
      topSamples: this.top.samples,
      topCounts: this.top.counts,
      counters: Float64Array.from([this.pixels, this.samples]),
    };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    this.inter.set(a.inter);
    this.onInCategory.set(a.onInCategory);
    this.on.set(a.on);
    this.area.set(a.area);
    this.top.scores.set(a.topScores);
    this.top.samples.set(a.topSamples);
    this.top.counts.set(a.topCounts);
    this.pixels = a.counters[0];
    this.samples = a.counters[1];
  }
}

function add(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
