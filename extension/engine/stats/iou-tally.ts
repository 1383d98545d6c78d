/**
 * IoU counts of one layer over the dissection set (the paper's §3.1), merged exactly by addition:
 *   IoU_{u,c} = Σ|on_u ∧ c| / Σ|on_u ∨ c|,
 * where, as in the reference, a unit's "on" pixels count toward the union of c only in images that
 * contain some label of c's category. Also the unit's spatial maxima (top-k) and the counts needed for
 * the IQR of each (unit, concept) table at the unit's threshold (the reference's `score_tally_stats`).
 *
 * Every count is kept per block of samples (block b holds samples [b·n/B, (b+1)·n/B) of the n-sample
 * dissection set, whichever shard tallies them): the whole-set counts are their sums, and leaving one
 * block out gives a jackknife interval for each IoU and how stable each label is (stats/jackknife.ts).
 */
import { Upsampler } from '../data/upsample';
import { CellGrid, type CellLabels } from '../data/cells';
import { TopK } from './topk';
import { categoryIqr, iou } from './info';
import { restore } from './state';

/** Blocks of the dissection set kept apart (the jackknife's K). */
export const BLOCKS = 10;

/** The blocks of an n-sample dissection set: BLOCKS, or one per sample when there are fewer. */
export function dissectionBlocks(samples: number): { samples: number; count: number } {
  return { samples, count: Math.max(1, Math.min(BLOCKS, samples)) };
}

/** Block b of sample s in an n-sample set split into B blocks. */
export function blockOf(sample: number, samples: number, B: number): number {
  return Math.min(B - 1, Math.floor((sample * B) / samples));
}

/** Counts of a (unit, label) table: |on ∧ c|, |on| in the images with c's category, |c|, those images' pixels. */
export interface PairCounts {
  both: number;
  onInCategory: number;
  area: number;
  total: number;
}

export interface SampleLabels {
  /** Label maps of this sample at segmentation resolution (one per segmenter output, plus quad maps). */
  maps: Uint16Array[];
  /** 1 where the image holds some label of category g. */
  categoryPresent: Uint8Array;
}

export class IouTally {
  /** |on_u ∧ c| in block b: inter[(u·B + b)·K + c]. */
  readonly inter: Float64Array;
  /** |on_u| summed over the images of block b containing category g: [(u·B + b)·G + g]. */
  readonly onInCategory: Float64Array;
  /** |c| over the pixels of block b: area[b·K + c]. */
  readonly area: Float64Array;
  /** Pixels of the images of block b containing category g: categoryPixels[b·G + g]. */
  readonly categoryPixels: Float64Array;
  /** Samples tallied in each block. */
  readonly blockSamples: Float64Array;
  pixels = 0;
  samples = 0;
  readonly top: TopK;
  private readonly scratch: Float32Array;
  private readonly grid: CellGrid;
  private cellLabels?: CellLabels;
  private readonly mixed: Int32Array;

  /**
   * `blocks`: the dissection set's size n and the number of blocks B (sample s goes to block
   * blockOf(s, n, B)); by default one block.
   */
  constructor(
    readonly units: number,
    readonly labels: number,
    readonly categories: number,
    readonly thresholds: Float32Array,
    private readonly up: Upsampler,
    topk: number,
    readonly blocks: { samples: number; count: number } = { samples: 1, count: 1 },
  ) {
    const B = blocks.count;
    this.inter = new Float64Array(units * B * labels);
    this.onInCategory = new Float64Array(units * B * categories);
    this.area = new Float64Array(B * labels);
    this.categoryPixels = new Float64Array(B * categories);
    this.blockSamples = new Float64Array(B);
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
    const B = this.blocks.count;
    const blk = blockOf(sample, this.blocks.samples, B);
    const plane = up.h * up.w;
    const P = up.H * up.W;
    const maps = seg.maps;
    const area = blk * K;
    for (const m of maps) for (let p = 0; p < P; p++) this.area[area + m[p]]++;
    for (let g = 0; g < G; g++) if (seg.categoryPresent[g]) this.categoryPixels[blk * G + g] += P;
    this.pixels += P;
    this.samples++;
    this.blockSamples[blk]++;
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
      const row = (u * B + blk) * K;
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
          const above =
            (fm[base + corners[c4]] > t ? 1 : 0) +
            (fm[base + corners[c4 + 1]] > t ? 1 : 0) +
            (fm[base + corners[c4 + 2]] > t ? 1 : 0) +
            (fm[base + corners[c4 + 3]] > t ? 1 : 0);
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
      const onRow = (u * B + blk) * G;
      for (let g = 0; g < G; g++) if (seg.categoryPresent[g]) this.onInCategory[onRow + g] += on;
    }
  }

  merge(o: IouTally): void {
    add(this.inter, o.inter);
    add(this.onInCategory, o.onInCategory);
    add(this.area, o.area);
    add(this.categoryPixels, o.categoryPixels);
    add(this.blockSamples, o.blockSamples);
    this.pixels += o.pixels;
    this.samples += o.samples;
    this.top.merge(o.top);
  }

  /**
   * The (unit u, label c) table's counts summed over the blocks (all of them, or all but `without`, or
   * only `only`); zero for an unlabeled label (categoryOf −1).
   */
  counts(u: number, c: number, categoryOf: Int32Array, pick: { without?: number; only?: number } = {}): PairCounts {
    const g = categoryOf[c];
    const r = { both: 0, onInCategory: 0, area: 0, total: 0 };
    if (g < 0) return r;
    const { labels: K, categories: G } = this;
    for (let b = 0; b < this.blocks.count; b++) {
      if (b === pick.without || (pick.only !== undefined && b !== pick.only)) continue;
      const ub = u * this.blocks.count + b;
      r.both += this.inter[ub * K + c];
      r.onInCategory += this.onInCategory[ub * G + g];
      r.area += this.area[b * K + c];
      r.total += this.categoryPixels[b * G + g];
    }
    return r;
  }

  iou(u: number, c: number, categoryOf: Int32Array, pick?: { without?: number; only?: number }): number {
    const n = this.counts(u, c, categoryOf, pick);
    return iou(n.both, n.onInCategory, n.area);
  }

  /**
   * IQR of the (unit on/off × c present/absent) table at the unit's threshold, over the images that
   * contain some label of c's category (the reference's `score_tally_stats`).
   */
  iqr(u: number, c: number, categoryOf: Int32Array, pick?: { without?: number; only?: number }): number {
    const n = this.counts(u, c, categoryOf, pick);
    return categoryIqr(n.both, n.onInCategory, n.area, n.total);
  }

  arrays(): Record<string, Float64Array | Float32Array | Int32Array> {
    return {
      inter: this.inter,
      onInCategory: this.onInCategory,
      area: this.area,
      categoryPixels: this.categoryPixels,
      blockSamples: this.blockSamples,
      topScores: this.top.scores,
      topSamples: this.top.samples,
      topCounts: this.top.counts,
      counters: Float64Array.from([this.pixels, this.samples]),
    };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    restore(this.inter, a, 'inter');
    restore(this.onInCategory, a, 'onInCategory');
    restore(this.area, a, 'area');
    restore(this.categoryPixels, a, 'categoryPixels');
    restore(this.blockSamples, a, 'blockSamples');
    restore(this.top.scores, a, 'topScores');
    restore(this.top.samples, a, 'topSamples');
    restore(this.top.counts, a, 'topCounts');
    this.pixels = a.counters[0];
    this.samples = a.counters[1];
  }
}

function add(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
