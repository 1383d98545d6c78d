/**
 * Threshold selection by information quality ratio (the paper's Eq. 2, the reference's `collect_iqr`) in
 * ONE pass over the threshold-selection set: a joint histogram (unit × value bin × label) of the unit's
 * upsampled activations, from which the candidate levels (quantiles at top-fractions f = logspace(−3, 0,
 * 100)) and the 2×2 tables at those levels are both read at the end.
 *
 * Why this design. The reference takes the levels from one pass and counts the tables in a second; a
 * streaming sketch and the counts filled in the same pass would need the counts re-bucketed once the levels
 * are known, which needs them at a finer resolution than the levels anyway. So the counts are kept at a
 * fine, data-independent resolution and the levels are snapped to it:
 *   - Value bins follow the float32 format: 2^m bins per octave (the top m mantissa bits: a bin spans 0.8%
 *     of its value for m = 7), for the `E` octaves below the largest magnitude seen; below those, 2^m
 *     linear bins down to 0 (a floor that follows the largest magnitude, so a unit needs at most
 *     (E + 2)·2^m bins a side whatever its scale). Exact 0 has a bin of its own (rule 4: a level must be
 *     > 0). Negative values (LeakyReLU) get coarser bins: their levels never qualify (rule 4), they are
 *     only the threshold of a unit that is ≤ 0 on 99.9% of its pixels (unlabeled, not interpretable).
 *   - When a larger magnitude raises the floor, bins merge exactly (each new bin is a union of old ones):
 *     the histogram is the one the final floor would have counted, whatever the sample order, so threads,
 *     shards and a resumed run give identical counts (the arrays add, the floors are per unit).
 *   - Each bin keeps the largest value that fell in it. A level is the largest value of the bin holding the
 *     quantile's rank: every pixel of the set is above it exactly when its bin is above the level's bin,
 *     so the tables at the level are exact sums of bins. The level is the exact quantile whenever that bin
 *     holds one distinct value (always for quantised activations); otherwise it exceeds it by less than one
 *     bin's width, and its top-fraction by less than one bin's mass: in the tail (f = 1e-3) a few percent
 *     of f for m = 7, against a rank error of about 1e-3 of all values for the compactor sketch (k = 2048)
 *     the two-pass design used.
 * Memory: units × bins × (labels + categories) × 4 bytes (int32 counts; float64 past 2^31 pixels). With
 * m = 7, E = 12 a unit has ≤ 1,953 bins: 37 MB for the demo's default layers, ~390 MB for 3 × 512 units
 * with 32 labels. `mantissaBits` lowers m for a layer whose histogram would exceed LAYER_BUDGET.
 */
import { Upsampler } from '../data/upsample';
import { CellGrid, type CellLabels } from '../data/cells';
import { selectUnit, candidateFractions, type UnitCounts, type UnitSelection } from './iqr-select';
import { restore } from './state';
import type { SampleLabels } from './iou-tally';

/** Bins per octave (as mantissa bits) and octaves below the largest magnitude, for positive values. */
export const POS_MANTISSA_BITS = 7;
export const POS_OCTAVES = 12;
/** The same for negative values (never a qualifying level: rule 4). */
export const NEG_MANTISSA_BITS = 3;
export const NEG_OCTAVES = 8;
/** A layer's histogram above this many bytes gets fewer bins per octave (mantissaBits). */
export const LAYER_BUDGET = 160 * 2 ** 20;
/** Identifies the binning in a run's key (a different binning is a different run). */
export const LEVEL_BINS = `float-bins:m${POS_MANTISSA_BITS}/${NEG_MANTISSA_BITS},E${POS_OCTAVES}/${NEG_OCTAVES},budget${LAYER_BUDGET}`;

/** Same relative costs as iqr-tally.ts: a mixed cell's pixel (1), a row of one (≈ 4), the dense pass (≈ 1.3 a pixel). */
const ROW_COST = 4;
const DENSE_COST = 1.3;

/** Bins of one side: (E + 2)·2^m (see the floor's bound in `floorFor`). */
const span = (m: number, E: number) => (E + 2) << m;

/** The positive side's mantissa bits for a layer: the finest whose histogram fits LAYER_BUDGET (at least 4). */
export function mantissaBits(units: number, labels: number, categories: number): number {
  let m = POS_MANTISSA_BITS;
  const bytes = (m: number) => units * (span(m, POS_OCTAVES) + span(NEG_MANTISSA_BITS, NEG_OCTAVES) + 1) * (labels + categories) * 4;
  while (m > 4 && bytes(m) > LAYER_BUDGET) m--;
  return m;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** Biased exponent of a float32 magnitude. */
function exponentOf(x: number): number {
  f32[0] = Math.abs(x);
  return i32[0] >>> 23;
}

type Counts = Int32Array | Float64Array;

export class IqrHistogram {
  /** Bins per unit: negative side, zero, positive side. */
  readonly bins: number;
  /** Index of the zero bin (= bins of the negative side). */
  readonly zero: number;
  /** hist[(u·bins + b)·K + c]: pixels of label c (per label map) whose value has bin b. */
  readonly hist: Counts;
  /** missOn[(u·G + g)·bins + b]: pixels of bin b in the images that hold no label of category g. */
  readonly missOn: Counts;
  /** binMax[u·bins + b]: the largest value seen in bin b (−∞ when empty). */
  readonly binMax: Float32Array;
  /** Per unit, the biased exponent of each side's floor (0: nothing seen yet). */
  readonly fpos: Int32Array;
  readonly fneg: Int32Array;
  readonly area: Float64Array;
  readonly missPixels: Float64Array;
  pixels = 0;
  readonly passes = { cells: 0, dense: 0 };
  readonly m: number;
  private readonly mn = NEG_MANTISSA_BITS;
  private readonly scratch: Float32Array;
  private readonly scratchBits: Int32Array;
  private readonly grid: CellGrid;
  private cellLabels?: CellLabels;
  private readonly srcPos: Int32Array;
  private readonly mixed: Int32Array;
  private readonly sampleOn: Int32Array;
  private bitsOf?: { fm: Float32Array; bits: Int32Array };
  private readonly pixBins: Int32Array;

  /**
   * `wide`: float64 counts (when a bin of one label may pass 2^31 pixels); `m`: the positive side's
   * mantissa bits (default: mantissaBits of the layer, so every thread of it bins alike).
   */
  constructor(
    readonly units: number,
    readonly labels: number,
    readonly categories: number,
    private readonly up: Upsampler,
    opts: { wide?: boolean; m?: number; layerUnits?: number } = {},
  ) {
    this.m = opts.m ?? mantissaBits(opts.layerUnits ?? units, labels, categories);
    this.zero = span(this.mn, NEG_OCTAVES);
    this.bins = this.zero + 1 + span(this.m, POS_OCTAVES);
    const C = opts.wide ? Float64Array : Int32Array;
    this.hist = new C(units * this.bins * labels);
    this.missOn = new C(units * categories * this.bins);
    this.binMax = new Float32Array(units * this.bins).fill(-Infinity);
    this.fpos = new Int32Array(units);
    this.fneg = new Int32Array(units);
    this.area = new Float64Array(labels);
    this.missPixels = new Float64Array(categories);
    this.scratch = new Float32Array(up.H * up.W);
    this.scratchBits = new Int32Array(this.scratch.buffer);
    this.grid = new CellGrid(up);
    this.srcPos = new Int32Array(up.h * up.w);
    this.mixed = new Int32Array(this.grid.count);
    this.sampleOn = new Int32Array(this.bins);
    this.pixBins = new Int32Array(up.H * up.W);
  }

  /** The bin of a value under unit u's current floors (one value; the hot loops inline the same). */
  binOf(u: number, a: number): number {
    f32[0] = a;
    const bits = i32[0];
    const a32 = f32[0];
    return this.pos(u, a32, bits);
  }

  private pos(u: number, a: number, bits: number): number {
    const { m, mn, zero } = this;
    if (a > 0) {
      const F = this.fpos[u];
      return bits >= F << 23 ? zero + 1 + (bits >>> (23 - m)) - (F << m) + (1 << m) : zero + 1 + ((a * 2 ** (m - F + 127)) | 0);
    }
    if (a < 0) {
      const F = this.fneg[u];
      const mb = bits & 0x7fffffff;
      return mb >= F << 23 ? zero - 1 - ((mb >>> (23 - mn)) - (F << mn) + (1 << mn)) : zero - 1 - ((-a * 2 ** (mn - F + 127)) | 0);
    }
    return zero;
  }

  /**
   * Raises unit u's floors for a sample whose values lie in [lo, hi] (the source map's extremes, which
   * bound its bilinear values), merging bins where a floor rises.
   */
  private floorFor(u: number, lo: number, hi: number): void {
    if (hi > 0) {
      const F = Math.max(1, exponentOf(hi) - POS_OCTAVES);
      if (this.fpos[u] === 0) this.fpos[u] = F;
      else if (F > this.fpos[u]) this.coarsen(u, 1, F);
    }
    if (lo < 0) {
      const F = Math.max(1, exponentOf(lo) - NEG_OCTAVES);
      if (this.fneg[u] === 0) this.fneg[u] = F;
      else if (F > this.fneg[u]) this.coarsen(u, -1, F);
    }
  }

  /**
   * Side `sign` of unit u from floor F to floor F2 > F. A side index i (bin zero ± (1 + i)) is linear below
   * 2^m (width 2^(F−127−m)), else octave e = F + ⌊(i − 2^m)/2^m⌋ at mantissa t: the bin [k, k+1)·2^(e−127−m)
   * with k = 2^m + t. Under F2 it is i − (F2 − F)·2^m when e ≥ F2, else k >> (F2 − e): a union of old bins.
   * New indices never exceed old ones, so moving rows in ascending order is safe.
   */
  private coarsen(u: number, sign: 1 | -1, F2: number): void {
    const m = sign > 0 ? this.m : this.mn;
    const F = sign > 0 ? this.fpos[u] : this.fneg[u];
    const one = 1 << m;
    const n = span(m, sign > 0 ? POS_OCTAVES : NEG_OCTAVES);
    const { bins, labels: K, categories: G, zero, hist, missOn, binMax } = this;
    const at = (i: number) => zero + sign * (1 + i);
    for (let i = 0; i < n; i++) {
      const e = i < one ? F : F + ((i - one) >> m);
      const k = i < one ? i : one + ((i - one) & (one - 1));
      const j = e >= F2 ? i - (F2 - F) * one : k >> (F2 - e);
      if (j === i) continue;
      const from = at(i);
      const to = at(j);
      const hf = (u * bins + from) * K;
      const ht = (u * bins + to) * K;
      for (let c = 0; c < K; c++) {
        hist[ht + c] += hist[hf + c];
        hist[hf + c] = 0;
      }
      for (let g = 0; g < G; g++) {
        const row = (u * G + g) * bins;
        missOn[row + to] += missOn[row + from];
        missOn[row + from] = 0;
      }
      if (binMax[u * bins + from] > binMax[u * bins + to]) binMax[u * bins + to] = binMax[u * bins + from];
      binMax[u * bins + from] = -Infinity;
    }
    if (sign > 0) this.fpos[u] = F2;
    else this.fneg[u] = F2;
  }

  /** Int32 view of a featuremap's bits (kept while the same array comes back). */
  private bits(fm: Float32Array): Int32Array {
    if (this.bitsOf?.fm !== fm) this.bitsOf = { fm, bits: new Int32Array(fm.buffer, fm.byteOffset, fm.length) };
    return this.bitsOf.bits;
  }

  /** Adds one sample: units × h × w values of `fm` from `offset`, and its label maps. */
  addSample(fm: Float32Array, offset: number, seg: SampleLabels): void {
    const { units, labels: K, categories: G, bins, up, grid, scratch, scratchBits, hist, binMax, srcPos, mixed, sampleOn } = this;
    const fmBits = this.bits(fm);
    const plane = up.h * up.w;
    const P = up.H * up.W;
    const maps = seg.maps;
    for (const mp of maps) for (let p = 0; p < P; p++) this.area[mp[p]]++;
    this.pixels += P;
    const missing: number[] = [];
    for (let g = 0; g < G; g++) if (!seg.categoryPresent[g]) missing.push(g);
    for (const g of missing) this.missPixels[g] += P;
    const countOn = missing.length > 0;
    const identity = up.h === up.H && up.w === up.W;
    const cl = identity ? undefined : (this.cellLabels = grid.labels(maps, K, this.cellLabels));
    const { corners, pixels: cellPixels } = grid;
    const W = up.W;
    for (let u = 0; u < units; u++) {
      const base = offset + u * plane;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = base; i < base + plane; i++) {
        const a = fm[i];
        if (a < lo) lo = a;
        if (a > hi) hi = a;
      }
      this.floorFor(u, lo, hi);
      this.unitConstants(u);
      const ub = u * bins;
      const hrow = ub * K;
      // the sample's bins lie between those of its extremes
      const bLo = this.pos(u, lo, ((f32[0] = lo), i32[0]));
      const bHi = this.pos(u, hi, ((f32[0] = hi), i32[0]));
      this.binRange(fm, fmBits, base, base + plane, -base, srcPos);
      if (identity) {
        this.countPixels(u, fm.subarray(base, base + plane), srcPos, 0, P, maps, countOn);
      } else {
        let nMixed = 0;
        let mixedCost = 0;
        for (let cell = 0; cell < grid.count; cell++) {
          const c4 = cell * 4;
          const b0 = srcPos[corners[c4]];
          if (b0 !== srcPos[corners[c4 + 1]] || b0 !== srcPos[corners[c4 + 2]] || b0 !== srcPos[corners[c4 + 3]]) {
            mixed[nMixed++] = cell;
            mixedCost += cellPixels[cell] + ROW_COST * (grid.y1[cell] - grid.y0[cell]);
          }
        }
        const pixBins = this.pixBins;
        if (mixedCost > DENSE_COST * P) {
          this.passes.dense++;
          up.run(fm, base, scratch);
          this.binRange(scratch, scratchBits, 0, P, 0, pixBins);
          this.countPixels(u, scratch, pixBins, 0, P, maps, countOn);
        } else {
          this.passes.cells++;
          const { counts, list, start } = cl!;
          for (let cell = 0, next = 0; cell < grid.count; cell++) {
            if (next < nMixed && mixed[next] === cell) {
              next++;
              continue;
            }
            const c4 = cell * 4;
            const b = srcPos[corners[c4]];
            const row = hrow + b * K;
            const ck = cell * K;
            for (let i = start[cell]; i < start[cell + 1]; i++) hist[row + list[i]] += counts[ck + list[i]];
            // a bilinear value lies between its corners: the cell's largest is at most theirs (all in bin b)
            const mx = Math.max(fm[base + corners[c4]], fm[base + corners[c4 + 1]], fm[base + corners[c4 + 2]], fm[base + corners[c4 + 3]]);
            if (mx > binMax[ub + b]) binMax[ub + b] = mx;
            if (countOn) sampleOn[b] += cellPixels[cell];
          }
          grid.interpolateCells(fm, base, mixed, nMixed, scratch);
          for (let i = 0; i < nMixed; i++) {
            const cell = mixed[i];
            for (let y = grid.y0[cell], y1 = grid.y1[cell]; y < y1; y++) {
              const from = y * W + grid.x0[cell];
              const to = y * W + grid.x1[cell];
              this.binRange(scratch, scratchBits, from, to, 0, pixBins);
              this.countPixels(u, scratch, pixBins, from, to, maps, countOn);
            }
          }
        }
      }
      if (countOn) {
        for (const g of missing) {
          const row = (u * G + g) * bins;
          for (let b = bLo; b <= bHi; b++) this.missOn[row + b] += sampleOn[b];
        }
        sampleOn.fill(0, bLo, bHi + 1);
      }
    }
  }

  /** The current unit's binning constants (pos() with its floors, for the hot loops). */
  private k = { zero: 0, pFloor: 0, pOff: 0, pShift: 0, pLin: 0, nFloor: 0, nOff: 0, nShift: 0, nLin: 0 };
  private unitConstants(u: number): void {
    const { m, mn, zero } = this;
    const Fp = this.fpos[u];
    const Fn = this.fneg[u];
    this.k = {
      zero,
      pFloor: Fp << 23,
      pOff: zero + 1 + (1 << m) - (Fp << m),
      pShift: 23 - m,
      pLin: 2 ** (m - Fp + 127),
      nFloor: Fn << 23,
      nOff: zero - 1 - (1 << mn) + (Fn << mn),
      nShift: 23 - mn,
      nLin: 2 ** (mn - Fn + 127),
    };
  }

  /** out[p + shift] = the bin of src[p] for p in [from, to) (`sb`: src's bits), under unitConstants. */
  private binRange(src: Float32Array, sb: Int32Array, from: number, to: number, shift: number, out: Int32Array): void {
    const { zero, pFloor, pOff, pShift, pLin, nFloor, nOff, nShift, nLin } = this.k;
    for (let p = from; p < to; p++) {
      const a = src[p];
      let b: number;
      if (a > 0) {
        const bits = sb[p];
        b = bits >= pFloor ? (bits >>> pShift) + pOff : zero + 1 + ((a * pLin) | 0);
      } else if (a < 0) {
        const mb = sb[p] & 0x7fffffff;
        b = mb >= nFloor ? nOff - (mb >>> nShift) : zero - 1 - ((-a * nLin) | 0);
      } else b = zero;
      out[p + shift] = b;
    }
  }

  /** Counts the pixels [from, to) of unit u (values `vals`, bins `pb`, same indices as the label maps). */
  private countPixels(u: number, vals: Float32Array, pb: Int32Array, from: number, to: number, maps: Uint16Array[], countOn: boolean): void {
    const { hist, binMax, labels: K, bins, sampleOn } = this;
    const ub = u * bins;
    const hrow = ub * K;
    if (maps.length === 1) {
      const m0 = maps[0];
      for (let p = from; p < to; p++) {
        const b = pb[p];
        hist[hrow + b * K + m0[p]]++;
        const a = vals[p];
        if (a > binMax[ub + b]) binMax[ub + b] = a;
      }
    } else {
      for (let p = from; p < to; p++) {
        const b = pb[p];
        const row = hrow + b * K;
        for (const mp of maps) hist[row + mp[p]]++;
        const a = vals[p];
        if (a > binMax[ub + b]) binMax[ub + b] = a;
      }
    }
    if (countOn) for (let p = from; p < to; p++) sampleOn[pb[p]]++;
  }

  /**
   * Unit u's counts at its candidate levels (ascending, M of them: the quantiles at 1 − f of its upsampled
   * values, snapped as the header says), as iqr-select.ts reads them; `levelBin[j]`: level j's bin.
   */
  unitCounts(u: number, categoryOf: Int32Array, M = 100): UnitCounts & { levelBin: Int32Array } {
    const { bins, labels: K, categories: G, hist, missOn, binMax } = this;
    const N = this.pixels;
    const maps = N > 0 ? this.area.reduce((a, b) => a + b, 0) / N : 1;
    // pixels per bin (each pixel is counted once per label map)
    const count = new Float64Array(bins);
    for (let b = 0; b < bins; b++) {
      let s = 0;
      const row = (u * bins + b) * K;
      for (let c = 0; c < K; c++) s += hist[row + c];
      count[b] = s / maps;
    }
    // levels: quantile q ↦ the bin holding rank ⌈q·N⌉ (at least 1), as QuantileSketch.quantiles ranks
    const qs = candidateFractions(M)
      .map((f) => 1 - f)
      .reverse();
    const levelBin = new Int32Array(M);
    const levels = new Float32Array(M);
    let b = 0;
    let before = 0;
    for (let j = 0; j < M; j++) {
      const rank = Math.max(1, Math.ceil(qs[j] * N - 1e-9));
      while (b < bins - 1 && before + count[b] < rank) before += count[b++];
      levelBin[j] = b;
      levels[j] = N > 0 ? binMax[u * bins + b] : NaN;
    }
    // sums over the bins above each level's bin: a pixel is above level j exactly when its bin is
    const onAbove = new Float64Array(M);
    const interAbove = new Float64Array(M * K);
    const missAbove = new Float64Array(M * G);
    const acc = new Float64Array(K);
    const accMiss = new Float64Array(G);
    let accAll = 0;
    let top = bins - 1;
    for (let j = M - 1; j >= 0; j--) {
      for (; top > levelBin[j]; top--) {
        const row = (u * bins + top) * K;
        for (let c = 0; c < K; c++) acc[c] += hist[row + c];
        accAll += count[top];
        for (let g = 0; g < G; g++) accMiss[g] += missOn[(u * G + g) * bins + top];
      }
      onAbove[j] = accAll;
      interAbove.set(acc, j * K);
      missAbove.set(accMiss, j * G);
    }
    return { M, K, G, N, levels, area: this.area, categoryOf, interAbove, onAbove, missAbove, missPixels: this.missPixels, levelBin };
  }

  /** Unit u's selection (iqr-select.ts, rules 2–7) at its candidate levels (returned too). */
  select(u: number, categoryOf: Int32Array, M = 100): UnitSelection & { levels: Float32Array } {
    const counts = this.unitCounts(u, categoryOf, M);
    return { ...selectUnit(counts), levels: counts.levels };
  }

  arrays(): Record<string, Counts | Float32Array | Int32Array | Float64Array> {
    return {
      hist: this.hist,
      missOn: this.missOn,
      binMax: this.binMax,
      fpos: this.fpos,
      fneg: this.fneg,
      area: this.area,
      missPixels: this.missPixels,
      counters: Float64Array.from([this.pixels]),
    };
  }

  load(a: Record<string, Float64Array | Float32Array | Int32Array>): void {
    restore(this.hist, a, 'hist');
    restore(this.missOn, a, 'missOn');
    restore(this.binMax, a, 'binMax');
    restore(this.fpos, a, 'fpos');
    restore(this.fneg, a, 'fneg');
    restore(this.area, a, 'area');
    restore(this.missPixels, a, 'missPixels');
    this.pixels = a.counters[0];
  }
}
