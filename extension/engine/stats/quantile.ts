/**
 * Streaming quantiles per unit: a compactor sketch (KLL-style, with deterministic alternating offsets),
 * so memory is O(k log(n/k)) per unit whatever the number of samples, and the result depends only on the
 * order of the values, not on how they were batched. Exact while fewer than k values have been seen.
 *
 * Exact zeros (half of a ReLU layer's values) are counted, not stored: an atom of weight `zeros` at 0, so
 * the sketch spends its capacity (and its sorting) on the other values and the ranks around 0 are exact.
 *
 * Quantile convention: q ↦ the value of (weighted) rank ⌈q·n⌉ in ascending order (rank 1 = smallest),
 * so "a > quantile(q)" selects at most a fraction 1 − q of the values.
 */
import { sortFloat32 } from './radix-sort';
import type { CellGrid } from '../data/cells';

export class QuantileSketch {
  private levels: Float32Array[] = [];
  private sizes: number[] = [];
  private flips: number[] = [];
  count = 0;
  /** Values equal to 0 (±0) seen, kept as one weighted item. */
  zeros = 0;

  constructor(readonly k = 2048) {
    if (k % 2 !== 0) throw new Error('sketch capacity must be even');
  }

  add(v: number): void {
    this.count++;
    if (v === 0) this.zeros++;
    else this.push(0, v);
  }

  /** Adds n exact zeros (the same as n calls of add(0)). */
  addZeros(n: number): void {
    this.count += n;
    this.zeros += n;
  }

  /** Adds src[offset … offset+n) — the same as n calls of add(), without a call per value. */
  addMany(src: Float32Array, offset: number, n: number): void {
    this.ensureLevel(0);
    const buf = this.levels[0];
    const k = this.k;
    let size = this.sizes[0];
    let zeros = 0;
    for (let i = offset, end = offset + n; i < end; i++) {
      // branch-free: every value is written, only a nonzero one is kept
      const v = src[i];
      buf[size] = v;
      const kept = v !== 0 ? 1 : 0;
      size += kept;
      zeros += 1 - kept;
      if (size === k) {
        this.sizes[0] = size;
        this.compact(0);
        size = 0;
      }
    }
    this.sizes[0] = size;
    this.zeros += zeros;
    this.count += n;
  }

  private ensureLevel(level: number): void {
    while (this.levels.length <= level) {
      this.levels.push(new Float32Array(this.k));
      this.sizes.push(0);
      this.flips.push(0);
    }
  }

  private push(level: number, v: number): void {
    this.ensureLevel(level);
    this.levels[level][this.sizes[level]++] = v;
    if (this.sizes[level] === this.k) this.compact(level);
  }

  /**
   * Sorts a full level and promotes every other item (weight doubles); the offset alternates. A level
   * above 0 is filled by two promotions of k/2 sorted items, so it is two sorted halves: merged, not sorted.
   */
  private compact(level: number): void {
    const k = this.k;
    const buf = this.levels[level];
    if (level === 0 || !mergeHalves(buf, this.scratch())) sortFloat32(buf);
    const off = this.flips[level];
    this.flips[level] ^= 1;
    this.sizes[level] = 0;
    this.ensureLevel(level + 1);
    const dst = this.levels[level + 1];
    let n = this.sizes[level + 1];
    if (n + k / 2 > k) {
      // a level above 0 holds 0 or k/2 items (it fills by halves), so this is for any other state: item by
      // item, compacting when full
      for (let i = off; i < k; i += 2) this.push(level + 1, buf[i]);
      return;
    }
    for (let i = off; i < k; i += 2) dst[n++] = buf[i];
    this.sizes[level + 1] = n;
    if (n === k) this.compact(level + 1);
  }

  private merged?: Float32Array;
  private scratch(): Float32Array {
    return (this.merged ??= new Float32Array(this.k));
  }

  /**
   * Weighted (value, weight) items, ascending: each level sorted, then merged (a level's weight is 2^l;
   * the zero atom's, the number of zeros).
   */
  private items(): { values: Float32Array; weights: Float64Array } {
    const runs = this.levels.map((buf, l) => sortFloat32(buf.slice(0, this.sizes[l])));
    const runWeight = runs.map((_, l) => 2 ** l);
    if (this.zeros > 0) {
      runs.push(Float32Array.of(0));
      runWeight.push(this.zeros);
    }
    const n = runs.reduce((a, r) => a + r.length, 0);
    const values = new Float32Array(n);
    const weights = new Float64Array(n);
    const at = runs.map(() => 0);
    for (let o = 0; o < n; o++) {
      let best = -1;
      for (let l = 0; l < runs.length; l++) {
        if (at[l] < runs[l].length && (best < 0 || runs[l][at[l]] < runs[best][at[best]])) best = l;
      }
      values[o] = runs[best][at[best]++];
      weights[o] = runWeight[best];
    }
    return { values, weights };
  }

  /** Quantiles for each q in `qs` (each in [0, 1]): one sweep over the items in order of q. */
  quantiles(qs: readonly number[]): Float32Array {
    const { values, weights } = this.items();
    const total = weights.reduce((a, b) => a + b, 0);
    const out = new Float32Array(qs.length);
    if (values.length === 0) return out.fill(NaN);
    const order = qs.map((_, j) => j).sort((a, b) => qs[a] - qs[b]);
    let i = 0;
    let before = 0; // Σ weights[0…i)
    for (const j of order) {
      const rank = Math.max(1, Math.ceil(qs[j] * total - 1e-9));
      // the first item whose cumulative weight reaches the rank (or the last item)
      while (i < values.length - 1 && before + weights[i] < rank) before += weights[i++];
      out[j] = values[i];
    }
    return out;
  }

  /** The sketch's state as plain numbers plus its items (for checkpoints). */
  pack(): { meta: { count: number; zeros: number; sizes: number[]; flips: number[] }; items: Float32Array } {
    const n = this.sizes.reduce((a, b) => a + b, 0);
    const items = new Float32Array(n);
    let o = 0;
    this.levels.forEach((b, l) => {
      items.set(b.subarray(0, this.sizes[l]), o);
      o += this.sizes[l];
    });
    return { meta: { count: this.count, zeros: this.zeros, sizes: [...this.sizes], flips: [...this.flips] }, items };
  }

  static unpack(k: number, meta: { count: number; zeros?: number; sizes: number[]; flips: number[] }, items: Float32Array): QuantileSketch {
    const s = new QuantileSketch(k);
    s.count = meta.count;
    s.zeros = meta.zeros ?? 0;
    s.sizes = [...meta.sizes];
    s.flips = [...meta.flips];
    let o = 0;
    s.levels = meta.sizes.map((size) => {
      const b = new Float32Array(k);
      b.set(items.subarray(o, o + size));
      o += size;
      return b;
    });
    return s;
  }
}

/**
 * Merges buf's two sorted halves in place (through `tmp`); false, with buf unchanged, when a half is not
 * sorted after all.
 */
function mergeHalves(buf: Float32Array, tmp: Float32Array): boolean {
  const n = buf.length;
  const h = n >> 1;
  for (let i = 1; i < h; i++) if (buf[i] < buf[i - 1] || buf[h + i] < buf[h + i - 1]) return false;
  let i = 0;
  let j = h;
  let o = 0;
  while (i < h && j < n) tmp[o++] = buf[j] < buf[i] ? buf[j++] : buf[i++];
  while (i < h) tmp[o++] = buf[i++];
  while (j < n) tmp[o++] = buf[j++];
  buf.set(tmp);
  return true;
}

/** One sketch per unit of a layer, fed whole featuremaps. */
export class UnitQuantiles {
  readonly sketches: QuantileSketch[];
  constructor(
    readonly units: number,
    readonly k = 2048,
  ) {
    this.sketches = Array.from({ length: units }, () => new QuantileSketch(k));
  }

  /** Adds sample n's featuremap (units × plane values starting at data[offset]). */
  addSample(data: Float32Array, offset: number, plane: number): void {
    for (let u = 0; u < this.units; u++) {
      this.sketches[u].addMany(data, offset + u * plane, plane);
    }
  }

  /**
   * Adds sample n's featuremap upsampled to the segmentation's resolution (the reference's `iqr` mode
   * takes its candidate levels from the upsampled activations): a cell whose four corners are exactly 0
   * is zero at every pixel (a bilinear value is a convex combination of its corners), so it is counted
   * without interpolating; the other cells' pixels are interpolated (the same float32 values as
   * Upsampler.run) and added row by row.
   */
  addUpsampledSample(data: Float32Array, offset: number, grid: CellGrid, scratch: Float32Array, live: Int32Array): void {
    const plane = grid.up.h * grid.up.w;
    const { corners, pixels } = grid;
    const W = grid.up.W;
    for (let u = 0; u < this.units; u++) {
      const base = offset + u * plane;
      const sketch = this.sketches[u];
      let n = 0;
      let zeros = 0;
      for (let cell = 0; cell < grid.count; cell++) {
        const c4 = cell * 4;
        if (
          data[base + corners[c4]] === 0 &&
          data[base + corners[c4 + 1]] === 0 &&
          data[base + corners[c4 + 2]] === 0 &&
          data[base + corners[c4 + 3]] === 0
        )
          zeros += pixels[cell];
        else live[n++] = cell;
      }
      sketch.addZeros(zeros);
      grid.interpolateCells(data, base, live, n, scratch);
      for (let i = 0; i < n; i++) {
        const cell = live[i];
        for (let y = grid.y0[cell]; y < grid.y1[cell]; y++) sketch.addMany(scratch, y * W + grid.x0[cell], grid.x1[cell] - grid.x0[cell]);
      }
    }
  }

  pack(): { meta: unknown; items: Float32Array } {
    const packs = this.sketches.map((s) => s.pack());
    const total = packs.reduce((a, p) => a + p.items.length, 0);
    const items = new Float32Array(total);
    let o = 0;
    for (const p of packs) {
      items.set(p.items, o);
      o += p.items.length;
    }
    return { meta: { k: this.k, sketches: packs.map((p) => p.meta) }, items };
  }

  static unpack(meta: unknown, items: Float32Array): UnitQuantiles {
    const m = meta as { k: number; sketches: { count: number; zeros?: number; sizes: number[]; flips: number[] }[] };
    const q = new UnitQuantiles(0, m.k);
    let o = 0;
    for (const sm of m.sketches) {
      const n = sm.sizes.reduce((a, b) => a + b, 0);
      q.sketches.push(QuantileSketch.unpack(m.k, sm, items.subarray(o, o + n)));
      o += n;
    }
    (q as { units: number }).units = q.sketches.length;
    return q;
  }
}
