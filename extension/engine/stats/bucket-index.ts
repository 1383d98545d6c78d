/**
 * b = #{j : levels[j] < a} for each unit's ascending candidate levels, in O(1) for almost every value: a
 * table over each unit's level range splits it into equal bins, bin(a) = ⌊(a − min)·scale⌋. bin() is
 * monotone (a correctly rounded subtraction, product and floor), so a level in a lower bin than a is below
 * a and one in a higher bin is not: for a in bin i the answer lies in [#{j: bin(L_j) < i}, #{j: bin(L_j) ≤ i}],
 * the table's two entries. Most bins hold no level, and then the answer is the table's; otherwise a binary
 * search over the few levels of that bin. Exact by construction (the levels are binned by the same bin()).
 */
export const BINS = 1024;

export class BucketIndex {
  private readonly lo: Uint16Array;
  private readonly hi: Uint16Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly scale: Float64Array;
  /** One value in, its bucket out (bucket()). */
  private readonly one = new Float32Array(1);
  private readonly oneOut = new Int32Array(1);

  /** `levels`: units × M, ascending per unit. */
  constructor(
    readonly levels: Float32Array,
    readonly units: number,
    readonly M: number,
  ) {
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
      // lo[i] = #{j: bin(L_j) < i}, hi[i] = #{j: bin(L_j) ≤ i}
      const counts = new Int32Array(BINS);
      for (let j = 0; j < M; j++) counts[binOf(levels[lv + j], min, this.scale[u])]++;
      let below = 0;
      for (let i = 0; i < BINS; i++) {
        this.lo[u * BINS + i] = below;
        below += counts[i];
        this.hi[u * BINS + i] = below;
      }
    }
  }

  /** bucket(u, src[p]) into out[p + shift] for p in [from, to), with the unit's table and bounds read once. */
  fill(u: number, src: Float32Array, from: number, to: number, out: Int32Array, shift = 0): void {
    const M = this.M;
    const levels = this.levels;
    const lv = u * M;
    const min = this.min[u];
    const max = this.max[u];
    const scale = this.scale[u];
    const tb = u * BINS;
    const tlo = this.lo;
    const thi = this.hi;
    for (let p = from; p < to; p++) {
      const a = src[p];
      if (!(a > min)) {
        out[p + shift] = 0;
        continue;
      }
      if (a > max) {
        out[p + shift] = M;
        continue;
      }
      const bin = Math.floor((a - min) * scale);
      const i = tb + (bin < BINS ? bin : BINS - 1);
      let lo = tlo[i];
      let hi = thi[i];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (levels[lv + mid] < a) lo = mid + 1;
        else hi = mid;
      }
      out[p + shift] = lo;
    }
  }

  /** #{j : levels[u·M + j] < a} for one value (a float32). */
  bucket(u: number, a: number): number {
    this.one[0] = a;
    this.fill(u, this.one, 0, 1, this.oneOut);
    return this.oneOut[0];
  }
}

/** The bin of a value in [min, max]: monotone in a. */
function binOf(a: number, min: number, scale: number): number {
  const i = Math.floor((a - min) * scale);
  return i < BINS ? i : BINS - 1;
}
