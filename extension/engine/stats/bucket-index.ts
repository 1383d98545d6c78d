/**
 * b = #{j : levels[j] < a} for each unit's ascending candidate levels, in O(1) for almost every value: a
 * table over each unit's level range splits it into equal bins, each holding the range of answers for
 * values in that bin, so a lookup is a short binary search (usually none) and a two-comparison check.
 * Exact: an answer that fails the check (float rounding at a bin edge) is searched over all levels.
 */
export const BINS = 1024;

export class BucketIndex {
  private readonly lo: Uint16Array;
  private readonly hi: Uint16Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly scale: Float64Array;

  /** `levels`: units × M, ascending per unit. */
  constructor(readonly levels: Float32Array, readonly units: number, readonly M: number) {
    this.lo = new Uint16Array(units * BINS);
    this.hi = new Uint16Array(units * BINS);
    this.min = new Float64Array(units);
    this.max = new Float64Array(units);
    this.scale = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      const lv = u * M;
      const min = levels[lv];
      const max = levels[lv + M - 1];
      this.min[u] = min;
      this.max[u] = max;
      this.scale[u] = max > min ? BINS / (max - min) : 0;
      if (!(max > min)) continue;
      // answers at each bin edge e_i = min + i/scale, counted by a sweep over the sorted levels
      let j = 0;
      for (let i = 0; i <= BINS; i++) {
        const edge = min + i / this.scale[u];
        while (j < M && levels[lv + j] < edge) j++;
        if (i < BINS) this.lo[u * BINS + i] = Math.max(0, j - 1);
        if (i > 0) this.hi[u * BINS + i - 1] = Math.min(M, j + 1);
      }
    }
  }

  /** #{j : levels[u·M + j] < a}. */
  bucket(u: number, a: number): number {
    const M = this.M;
    const levels = this.levels;
    const lv = u * M;
    if (!(a > this.min[u])) return 0;
    if (a > this.max[u]) return M;
    let i = Math.floor((a - this.min[u]) * this.scale[u]);
    if (i >= BINS) i = BINS - 1;
    let lo = this.lo[u * BINS + i];
    let hi = this.hi[u * BINS + i];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (levels[lv + mid] < a) lo = mid + 1;
      else hi = mid;
    }
    if ((lo === 0 || levels[lv + lo - 1] < a) && (lo === M || levels[lv + lo] >= a)) return lo;
    return fullSearch(levels, lv, M, a);
  }
}

function fullSearch(levels: Float32Array, lv: number, M: number, a: number): number {
  let lo = 0;
  let hi = M;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (levels[lv + mid] < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
