/**
 * The cells of a bilinear upsampling: the output pixels that interpolate the same (up to) four source
 * values. A bilinear value is a convex combination of its cell's corners, so it lies in [min, max] of
 * them (also after rounding to float32, since the corners are float32 values). When a statistic only asks
 * "is the value above t" or "between which levels is it", a cell whose corners all answer the same gives
 * that answer for every pixel in it, and only the cells whose corners disagree need their pixels
 * interpolated. This is exact, not an approximation.
 */
import { type Axis, Upsampler } from './upsample';

/**
 * Runs of output indices along one axis that read the same sources: (i0, i1), or (i0, i0) where the
 * weight of i1 is 0 (border rows, and every row of an identity axis).
 */
export interface Runs {
  /** Output range [start[r], end[r]) of run r. */
  start: Int32Array;
  end: Int32Array;
  /** Source indices of run r. */
  a: Int32Array;
  b: Int32Array;
}

export function runsOf(axis: Axis): Runs {
  const start: number[] = [];
  const end: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const n = axis.i0.length;
  for (let o = 0; o < n; o++) {
    const i0 = axis.i0[o];
    const i1 = axis.w[o] === 0 ? i0 : axis.i1[o];
    const last = a.length - 1;
    if (last >= 0 && a[last] === i0 && b[last] === i1) end[last] = o + 1;
    else {
      start.push(o);
      end.push(o + 1);
      a.push(i0);
      b.push(i1);
    }
  }
  return { start: Int32Array.from(start), end: Int32Array.from(end), a: Int32Array.from(a), b: Int32Array.from(b) };
}

export class CellGrid {
  readonly rows: Runs;
  readonly cols: Runs;
  /** Number of cells (rows × cols runs). */
  readonly count: number;
  /** Output pixels of each cell. */
  readonly pixels: Int32Array;
  /** Source offsets (within one h×w plane) of each cell's four corners: c*4 + 0…3. */
  readonly corners: Int32Array;
  /** Output rows [y0, y1) and columns [x0, x1) of each cell. */
  readonly y0: Int32Array;
  readonly y1: Int32Array;
  readonly x0: Int32Array;
  readonly x1: Int32Array;

  constructor(readonly up: Upsampler) {
    this.rows = runsOf(up.ys);
    this.cols = runsOf(up.xs);
    const R = this.rows.start.length;
    const C = this.cols.start.length;
    this.count = R * C;
    this.pixels = new Int32Array(this.count);
    this.corners = new Int32Array(this.count * 4);
    this.y0 = new Int32Array(this.count);
    this.y1 = new Int32Array(this.count);
    this.x0 = new Int32Array(this.count);
    this.x1 = new Int32Array(this.count);
    const w = up.w;
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const cell = r * C + c;
        const { a: ra, b: rb } = this.rows;
        const { a: ca, b: cb } = this.cols;
        this.pixels[cell] = (this.rows.end[r] - this.rows.start[r]) * (this.cols.end[c] - this.cols.start[c]);
        this.corners.set([ra[r] * w + ca[c], ra[r] * w + cb[c], rb[r] * w + ca[c], rb[r] * w + cb[c]], cell * 4);
        [this.y0[cell], this.y1[cell], this.x0[cell], this.x1[cell]] = [this.rows.start[r], this.rows.end[r], this.cols.start[c], this.cols.end[c]];
      }
    }
  }

  /**
   * Interpolates the pixels of the listed cells (mixed[0…n)) into `out` (H×W), and only those: the
   * horizontal pass over the source rows and columns they span, then the vertical pass cell by cell
   * (the same arithmetic as Upsampler.run, so the same float32 values).
   */
  interpolateCells(src: Float32Array, offset: number, mixed: Int32Array, n: number, out: Float32Array): void {
    if (n === 0) return;
    const up = this.up;
    let y0 = up.H,
      y1 = 0,
      x0 = up.W,
      x1 = 0;
    for (let i = 0; i < n; i++) {
      const c = mixed[i];
      if (this.y0[c] < y0) y0 = this.y0[c];
      if (this.y1[c] > y1) y1 = this.y1[c];
      if (this.x0[c] < x0) x0 = this.x0[c];
      if (this.x1[c] > x1) x1 = this.x1[c];
    }
    up.horizontal(src, offset, up.ys.i0[y0], up.ys.i1[y1 - 1], x0, x1);
    for (let i = 0; i < n; i++) {
      const c = mixed[i];
      up.vertical(out, this.y0[c], this.y1[c], this.x0[c], this.x1[c]);
    }
  }

  /** Counts of the labels in each cell of one sample (see CellLabels). */
  labels(maps: Uint16Array[], K: number, into?: CellLabels): CellLabels {
    const cl = into ?? new CellLabels(this.count, K);
    cl.fill(this, maps);
    return cl;
  }
}

/**
 * How many pixels of each cell carry each label, summed over the label maps (the tallies count one hit
 * per map): counts[cell·K + label], with the labels present in each cell listed so that adding a cell
 * costs its distinct labels, not K. Shared by every unit of a layer for one sample.
 */
export class CellLabels {
  readonly counts: Int32Array;
  /** Labels present in cell c: list[start[c] … start[c+1]). */
  readonly list: Int32Array;
  readonly start: Int32Array;

  constructor(
    readonly cells: number,
    readonly K: number,
  ) {
    this.counts = new Int32Array(cells * K);
    this.list = new Int32Array(cells * K);
    this.start = new Int32Array(cells + 1);
  }

  /** into[row + label] += the count of each label in `cell` (a whole cell counted at once). */
  addCell(cell: number, into: Float64Array, row: number): void {
    const { counts, list, start } = this;
    const ck = cell * this.K;
    for (let i = start[cell]; i < start[cell + 1]; i++) into[row + list[i]] += counts[ck + list[i]];
  }

  fill(grid: CellGrid, maps: Uint16Array[]): void {
    const { counts, list, start, K } = this;
    // reset the entries the previous sample touched
    for (let cell = 0; cell < this.cells; cell++) {
      for (let i = start[cell]; i < start[cell + 1]; i++) counts[cell * K + list[i]] = 0;
    }
    let o = 0;
    const W = grid.up.W;
    for (let cell = 0; cell < this.cells; cell++) {
      start[cell] = o;
      const y0 = grid.y0[cell],
        y1 = grid.y1[cell],
        x0 = grid.x0[cell],
        x1 = grid.x1[cell];
      const row = cell * K;
      for (const m of maps) {
        for (let y = y0; y < y1; y++) {
          for (let p = y * W + x0, end = y * W + x1; p < end; p++) {
            const l = m[p];
            if (counts[row + l]++ === 0) list[o++] = l;
          }
        }
      }
    }
    start[this.cells] = o;
  }
}
