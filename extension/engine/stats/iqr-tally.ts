/**
 * The counts behind threshold selection by information quality ratio (the paper's Eq. 2, the reference's
 * `iqr` mode, `collect_iqr`). For each unit, candidate levels are the quantiles of its upsampled
 * activations at top-fractions log-spaced from 1e-3 to 1; over the threshold-selection set we count, for
 * each level bucket and label, the pixels where the unit's value falls in the bucket and the label is
 * present, and, per category, the bucket counts of the images that lack the category (so "on" can be
 * counted only in images that contain some label of a concept's category, as the reference does). The
 * selection itself is iqr-select.ts.
 */
import { Upsampler } from '../data/upsample';
import { CellGrid, type CellLabels } from '../data/cells';
import { BucketIndex } from './bucket-index';
import { selectUnit, type UnitSelection } from './iqr-select';
import { restore } from './state';
import type { SampleLabels } from './iou-tally';

/**
 * Relative costs, per pixel, of bucketing a mixed cell's pixels (1), of each row of a mixed cell (a call
 * and its set-up, ≈ 4 pixels) and of the dense pass over the whole map (upsampling every pixel, ≈ 1.3),
 * measured on this project's machines (2-core EPYC): demo model 80% mixed pixels in 16-pixel cell rows,
 * cells 10.2–10.4 ns vs dense 11.2–16.0 ns per pixel and unit; paper-scale ProGAN (random weights) 97%
 * mixed in 8- and 2-pixel rows, cells 15.4–21.2 / 29.3–31.4 ns vs dense 13.2 / 20.8.
 */
const ROW_COST = 4;
const DENSE_COST = 1.3;

export class IqrTally {
  readonly M: number;
  /** hist[u][b][c]: pixels of label c whose activation has bucket b = #{levels < a}. */
  readonly hist: Float64Array;
  readonly area: Float64Array;
  /**
   * missOn[(u·G + g)·(M+1) + b]: pixels of bucket b in the images that hold no label of category g;
   * missPixels[g]: all pixels of those images. "On in the images with category g" is the whole count
   * minus these (most images hold most categories, so this costs nothing for them).
   */
  readonly missOn: Float64Array;
  readonly missPixels: Float64Array;
  pixels = 0;
  /** How many (sample, unit) maps went cell by cell and how many through the dense pass. */
  readonly passes = { cells: 0, dense: 0 };
  private readonly scratch: Float32Array;
  private readonly grid: CellGrid;
  private cellLabels?: CellLabels;
  private readonly srcBucket: Int32Array;
  private readonly mixed: Int32Array;
  private readonly pixBucket: Int32Array;
  private readonly index: BucketIndex;

  /** `levels`: units × M, ascending per unit. */
  private readonly sampleOn: Float64Array;

  /** `levels`: units × M, ascending per unit; `categoryOf`: each label's category (−1: unlabeled). */
  constructor(
    readonly units: number,
    readonly labels: number,
    readonly categories: number,
    readonly levels: Float32Array,
    private readonly up: Upsampler,
  ) {
    this.M = levels.length / units;
    this.hist = new Float64Array(units * (this.M + 1) * labels);
    this.area = new Float64Array(labels);
    this.missOn = new Float64Array(units * categories * (this.M + 1));
    this.missPixels = new Float64Array(categories);
    this.sampleOn = new Float64Array(this.M + 1);
    this.scratch = new Float32Array(up.H * up.W);
    this.grid = new CellGrid(up);
    this.srcBucket = new Int32Array(up.h * up.w);
    this.mixed = new Int32Array(this.grid.count);
    this.pixBucket = new Int32Array(up.H * up.W);
    this.index = new BucketIndex(levels, units, this.M);
  }

  addSample(fm: Float32Array, offset: number, seg: SampleLabels): void {
    const { units, labels: K, categories: G, M, up, grid, scratch, index, hist, srcBucket, pixBucket, mixed, sampleOn } = this;
    const plane = up.h * up.w;
    const P = up.H * up.W;
    const maps = seg.maps;
    for (const m of maps) for (let p = 0; p < P; p++) this.area[m[p]]++;
    this.pixels += P;
    // The categories this image lacks: their "on" counts leave out this image's pixels.
    const missing: number[] = [];
    for (let g = 0; g < G; g++) if (!seg.categoryPresent[g]) missing.push(g);
    for (const g of missing) this.missPixels[g] += P;
    const countOn = missing.length > 0;
    /** Adds this sample's bucket counts of unit u (sampleOn) to the categories it lacks. */
    const addMissing = (u: number) => {
      for (const g of missing) {
        const row = (u * G + g) * (M + 1);
        for (let b = 0; b <= M; b++) this.missOn[row + b] += sampleOn[b];
      }
      sampleOn.fill(0);
    };
    const m0 = maps[0];
    const single = maps.length === 1;
    const identity = up.h === up.H && up.w === up.W;
    const cl = identity ? undefined : (this.cellLabels = grid.labels(maps, K, this.cellLabels));
    const { corners, pixels: cellPixels } = grid;
    for (let u = 0; u < units; u++) {
      const base = offset + u * plane;
      const hrow = u * (M + 1);
      // b = number of levels strictly below a, for every source value
      index.fill(u, fm, base, base + plane, srcBucket, -base);
      if (identity) {
        for (let p = 0; p < P; p++) {
          const b = srcBucket[p];
          const row = (hrow + b) * K;
          if (single) hist[row + m0[p]]++;
          else for (const m of maps) hist[row + m[p]]++;
        }
        if (countOn) {
          for (let p = 0; p < P; p++) sampleOn[srcBucket[p]]++;
          addMissing(u);
        }
        continue;
      }
      // A cell whose four corners share a bucket has every pixel in it (data/cells.ts); the others are
      // interpolated and their pixels bucketed one by one.
      let nMixed = 0;
      let mixedCost = 0;
      for (let cell = 0; cell < grid.count; cell++) {
        const c4 = cell * 4;
        const b0 = srcBucket[corners[c4]];
        if (b0 !== srcBucket[corners[c4 + 1]] || b0 !== srcBucket[corners[c4 + 2]] || b0 !== srcBucket[corners[c4 + 3]]) {
          mixed[nMixed++] = cell;
          mixedCost += cellPixels[cell] + ROW_COST * (grid.y1[cell] - grid.y0[cell]);
        }
      }
      if (mixedCost > DENSE_COST * P) {
        // Nearly every pixel needs its own bucket, or the mixed cells are small: one pass over the whole
        // upsampled map (the same float32 values as interpolateCells) costs less than cell by cell.
        this.passes.dense++;
        up.run(fm, base, scratch);
        index.fill(u, scratch, 0, P, pixBucket, 0);
        for (let p = 0; p < P; p++) {
          const row = (hrow + pixBucket[p]) * K;
          if (single) hist[row + m0[p]]++;
          else for (const m of maps) hist[row + m[p]]++;
        }
        if (countOn) {
          for (let p = 0; p < P; p++) sampleOn[pixBucket[p]]++;
          addMissing(u);
        }
        continue;
      }
      this.passes.cells++;
      for (let cell = 0, next = 0; cell < grid.count; cell++) {
        if (next < nMixed && mixed[next] === cell) {
          next++;
          continue;
        }
        const b = srcBucket[corners[cell * 4]];
        cl!.addCell(cell, hist, (hrow + b) * K);
        if (countOn) sampleOn[b] += cellPixels[cell];
      }
      grid.interpolateCells(fm, base, mixed, nMixed, scratch);
      const W = up.W;
      for (let i = 0; i < nMixed; i++) {
        const cell = mixed[i];
        for (let y = grid.y0[cell], y1 = grid.y1[cell]; y < y1; y++) {
          const from = y * W + grid.x0[cell];
          const to = y * W + grid.x1[cell];
          index.fill(u, scratch, from, to, pixBucket, 0);
          for (let p = from; p < to; p++) {
            const row = (hrow + pixBucket[p]) * K;
            if (single) hist[row + m0[p]]++;
            else for (const m of maps) hist[row + m[p]]++;
          }
          if (countOn) for (let p = from; p < to; p++) sampleOn[pixBucket[p]]++;
        }
      }
      if (countOn) addMissing(u);
    }
  }

  /**
   * Unit u's threshold selection (iqr-select.ts) from these counts: per label, its best qualified level,
   * and the unit's label and threshold. `categoryOf[c]`: label c's category, −1 for unlabeled.
   */
  select(u: number, categoryOf: Int32Array): UnitSelection {
    const { M, labels: K, categories: G } = this;
    const N = this.pixels;
    // Suffix sums over buckets b > j: at level j a pixel is on ⟺ its bucket > j.
    // Every label map gives each pixel one label, so a bucket's pixels are its label counts summed over
    // labels, divided by the number of maps (Σ area = pixels × maps).
    const maps = N > 0 ? this.area.reduce((a, b) => a + b, 0) / N : 1;
    const onAbove = new Float64Array(M);
    const interAbove = new Float64Array(M * K);
    const missAbove = new Float64Array(M * G);
    let accAll = 0;
    const acc = new Float64Array(K);
    const accMiss = new Float64Array(G);
    for (let j = M - 1; j >= 0; j--) {
      const b = j + 1;
      const cell = (u * (M + 1) + b) * K;
      for (let c = 0; c < K; c++) {
        acc[c] += this.hist[cell + c];
        accAll += this.hist[cell + c];
      }
      for (let g = 0; g < G; g++) accMiss[g] += this.missOn[(u * G + g) * (M + 1) + b];
      onAbove[j] = accAll / maps;
      interAbove.set(acc, j * K);
      missAbove.set(accMiss, j * G);
    }
    return selectUnit({
      M,
      K,
      G,
      N,
      levels: this.levels.subarray(u * M, (u + 1) * M),
      area: this.area,
      categoryOf,
      interAbove,
      onAbove,
      missAbove,
      missPixels: this.missPixels,
    });
  }

  arrays(): Record<string, Float64Array> {
    return { hist: this.hist, missOn: this.missOn, area: this.area, missPixels: this.missPixels, counters: Float64Array.from([this.pixels]) };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    restore(this.hist, a, 'hist');
    restore(this.missOn, a, 'missOn');
    restore(this.area, a, 'area');
    restore(this.missPixels, a, 'missPixels');
    this.pixels = a.counters[0];
  }
}
