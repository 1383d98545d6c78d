/**
 * Threshold selection by information quality ratio (the paper's Eq. 2, the reference's `iqr` mode).
 * For each unit, candidate levels are its quantiles at top-fractions log-spaced from 1e-3 to 1; over the
 * threshold-selection set we count, for each level and label, the pixels where the unit is on (a > level)
 * and the label is present. The unit's threshold is the level of its best (label, level) pair.
 */
import { Upsampler } from '../data/upsample';
import { iqr } from './info';
import type { SampleLabels } from './iou-tally';

/** Top-fractions f_j = 10^(−3 + 3j/(M−1)), j = 0…M−1 (the reference: M = 100). */
export function candidateFractions(M = 100): number[] {
  return Array.from({ length: M }, (_, j) => 10 ** (-3 + (3 * j) / (M - 1)));
}

/** Labels covering less than this fraction of pixels are skipped; below `NO_INFO` they score I = 0. */
export const SKIP_COVERAGE = 1e-4;
export const NO_INFO_COVERAGE = 1e-3;

export class IqrTally {
  readonly M: number;
  /** hist[u][b][c]: pixels of label c whose activation has bucket b = #{levels < a}. */
  readonly hist: Float64Array;
  /** histAll[u][b]: pixels in bucket b. */
  readonly histAll: Float64Array;
  readonly area: Float64Array;
  pixels = 0;
  private readonly scratch: Float32Array;

  /** `levels`: units × M, ascending per unit. */
  constructor(readonly units: number, readonly labels: number, readonly levels: Float32Array, private readonly up: Upsampler) {
    this.M = levels.length / units;
    this.hist = new Float64Array(units * (this.M + 1) * labels);
    this.histAll = new Float64Array(units * (this.M + 1));
    this.area = new Float64Array(labels);
    this.scratch = new Float32Array(up.H * up.W);
  }

  addSample(fm: Float32Array, offset: number, seg: SampleLabels): void {
    const { units, labels: K, M, up, scratch, levels } = this;
    const plane = up.h * up.w;
    const P = up.H * up.W;
    for (const m of seg.maps) for (let p = 0; p < P; p++) this.area[m[p]]++;
    this.pixels += P;
    const single = seg.maps.length === 1 ? seg.maps[0] : undefined;
    for (let u = 0; u < units; u++) {
      up.run(fm, offset + u * plane, scratch);
      const lv = u * M;
      const hrow = u * (M + 1);
      // b = number of levels strictly below a. Upsampled maps are smooth, so the previous pixel's bucket
      // is often right (or one step off); otherwise binary search.
      let b = 0;
      for (let p = 0; p < P; p++) {
        const a = scratch[p];
        const below = b === 0 || levels[lv + b - 1] < a;
        const atOrAbove = b === M || levels[lv + b] >= a;
        if (!(below && atOrAbove)) {
          if (below && b + 1 <= M && (b + 1 === M || levels[lv + b + 1] >= a)) b = b + 1;
          else if (atOrAbove && b - 1 >= 0 && (b - 1 === 0 || levels[lv + b - 2] < a)) b = b - 1;
          else {
            let lo = 0;
            let hi = M;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (levels[lv + mid] < a) lo = mid + 1;
              else hi = mid;
            }
            b = lo;
          }
        }
        this.histAll[hrow + b]++;
        const cell = (hrow + b) * K;
        if (single) this.hist[cell + single[p]]++;
        else for (const m of seg.maps) this.hist[cell + m[p]]++;
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
    let accAll = 0;
    const acc = new Float64Array(K);
    for (let j = M - 1; j >= 0; j--) {
      const b = j + 1;
      accAll += this.histAll[u * (M + 1) + b];
      const cell = (u * (M + 1) + b) * K;
      for (let c = 0; c < K; c++) acc[c] += this.hist[cell + c];
      onAbove[j] = accAll;
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
    return { hist: this.hist, histAll: this.histAll, area: this.area, counters: Float64Array.from([this.pixels]) };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    this.hist.set(a.hist);
    this.histAll.set(a.histAll);
    this.area.set(a.area);
    this.pixels = a.counters[0];
  }
}
