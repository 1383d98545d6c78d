/**
 * Threshold selection by information quality ratio (the paper's Eq. 2, the reference's `iqr` mode).
 * For each unit, candidate levels are its quantiles at top-fractions log-spaced from 1e-3 to 1; over the
 * threshold-selection set we count, for each level and label, the pixels where the unit is on (a > level)
 * and the label is present. The unit's threshold is the level of its best (label, level) pair.
 */
import { Upsampler } from '../data/upsample';
import { CellGrid, type CellLabels } from '../data/cells';
import { BucketIndex } from './bucket-index';
import { iqr } from './info';
import type { SampleLabels } from './iou-tally';

/** Top-fractions f_j = 10^(−3 + 3j/(M−1)), j = 0…M−1 (the reference: M = 100). */
export function candidateFractions(M = 100): number[] {
  return Array.from({ length: M }, (_, j) => 10 ** (-3 + (3 * j) / (M - 1)));
}

/** Labels covering less than this fraction of pixels are skipped; below `NO_INFO` they score I = 0. */
export const SKIP_COVERAGE = 1e-4;
export const NO_INFO_COVERAGE = 1e-3;

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
  constructor(readonly units: number, readonly labels: number, readonly levels: Float32Array, private readonly up: Upsampler) {
    this.M = levels.length / units;
    this.hist = new Float64Array(units * (this.M + 1) * labels);
    this.area = new Float64Array(labels);
    this.scratch = new Float32Array(up.H * up.W);
    this.grid = new CellGrid(up);
    this.srcBucket = new Int32Array(up.h * up.w);
    this.mixed = new Int32Array(this.grid.count);
    this.pixBucket = new Int32Array(up.H * up.W);
    this.index = new BucketIndex(levels, units, this.M);
  }

  addSample(fm: Float32Array, offset: number, seg: SampleLabels): void {
    const { units, labels: K, M, up, grid, scratch, index, hist, srcBucket, pixBucket, mixed } = this;
    const plane = up.h * up.w;
    const P = up.H * up.W;
    const maps = seg.maps;
    for (const m of maps) for (let p = 0; p < P; p++) this.area[m[p]]++;
    this.pixels += P;
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
        continue;
      }
      this.passes.cells++;
      for (let cell = 0, next = 0; cell < grid.count; cell++) {
        if (next < nMixed && mixed[next] === cell) {
          next++;
          continue;
        }
        cl!.addCell(cell, hist, (hrow + srcBucket[corners[cell * 4]]) * K);
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
        }
      }
    }
  }

  /**
   * The unit's best (label, level): maximises IQR over labels (skipping unlabeled and rare ones) and
   * levels; on at level j ⟺ a > levels[j] ⟺ bucket > j.
   */
  best(u: number, assignable: (c: number) => boolean): { label: number; level: number; threshold: number; iqr: number } {
    const { M, labels: K } = this;
    const N = this.pixels;
    let best = { label: -1, level: 0, threshold: this.levels[u * M], iqr: -1 };
    const onAbove = new Float64Array(M);
    const interAbove = new Float64Array(M * K);
    // suffix sums over buckets b > j
    // Every label map gives each pixel one label, so a bucket's pixels are its label counts summed over
    // labels, divided by the number of maps (Σ area = pixels × maps).
    const maps = N > 0 ? this.area.reduce((a, b) => a + b, 0) / N : 1;
    let accAll = 0;
    const acc = new Float64Array(K);
    for (let j = M - 1; j >= 0; j--) {
      const b = j + 1;
      const cell = (u * (M + 1) + b) * K;
      for (let c = 0; c < K; c++) {
        acc[c] += this.hist[cell + c];
        accAll += this.hist[cell + c];
      }
      onAbove[j] = accAll / maps;
      interAbove.set(acc, j * K);
    }
    for (let c = 0; c < K; c++) {
      if (!assignable(c)) continue;
      const coverage = this.area[c] / N;
      if (coverage < SKIP_COVERAGE) continue;
      for (let j = 0; j < M; j++) {
        const score = coverage < NO_INFO_COVERAGE ? 0 : iqr(interAbove[j * K + c], onAbove[j], this.area[c], N);
        if (score > best.iqr) best = { label: c, level: j, threshold: this.levels[u * M + j], iqr: score };
      }
    }
    return best;
  }

  arrays(): Record<string, Float64Array> {
    return { hist: this.hist, area: this.area, counters: Float64Array.from([this.pixels]) };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    this.hist.set(a.hist);
    this.area.set(a.area);
    this.pixels = a.counters[0];
  }
}
