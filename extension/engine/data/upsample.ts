/**
 * Bilinear upsampling of featuremaps to the segmentation's resolution, as PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)`: half-pixel centres, border (clamped) padding.
 */

/** One axis of the interpolation: out[i] = in[i0[i]]·(1 − w[i]) + in[i1[i]]·w[i]. */
export interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

export function interpolationAxis(inSize: number, outSize: number): Axis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const a = Math.min(Math.floor(src), inSize - 1);
    i0[o] = a;
    i1[o] = Math.min(a + 1, inSize - 1);
    w[o] = a === inSize - 1 ? 0 : src - a;
  }
  return { i0, i1, w };
}

export class Upsampler {
  readonly ys: Axis;
  readonly xs: Axis;
  private readonly rows: Float32Array;
  constructor(
    readonly h: number,
    readonly w: number,
    readonly H: number,
    readonly W: number,
  ) {
    this.ys = interpolationAxis(h, H);
    this.xs = interpolationAxis(w, W);
    this.rows = new Float32Array(h * W);
  }

  /** Upsamples the h×w map starting at `src[offset]` into `out` (H×W). */
  run(src: Float32Array, offset: number, out: Float32Array): Float32Array {
    const { h, w, H, W, rows } = this;
    if (h === H && w === W) {
      out.set(src.subarray(offset, offset + h * w));
      return out;
    }
    const { i0: x0, i1: x1, w: wx } = this.xs;
    for (let r = 0; r < h; r++) {
      const base = offset + r * w;
      const dst = r * W;
      for (let x = 0; x < W; x++) {
        const a = src[base + x0[x]];
        rows[dst + x] = a + (src[base + x1[x]] - a) * wx[x];
      }
    }
    const { i0: y0, i1: y1, w: wy } = this.ys;
    for (let y = 0; y < H; y++) {
      const ra = y0[y] * W;
      const rb = y1[y] * W;
      const t = wy[y];
      const dst = y * W;
      for (let x = 0; x < W; x++) {
        const a = rows[ra + x];
        out[dst + x] = a + (rows[rb + x] - a) * t;
      }
    }
    return out;
  }

  /**
   * The first (horizontal) half of run() for source rows [r0, r1] and output columns [x0, x1): fills the
   * row buffer that vertical() reads.
   */
  horizontal(src: Float32Array, offset: number, r0: number, r1: number, x0: number, x1: number): void {
    const { w, W, rows } = this;
    const { i0: xa, i1: xb, w: wx } = this.xs;
    for (let r = r0; r <= r1; r++) {
      const base = offset + r * w;
      const dst = r * W;
      for (let x = x0; x < x1; x++) {
        const a = src[base + xa[x]];
        rows[dst + x] = a + (src[base + xb[x]] - a) * wx[x];
      }
    }
  }

  /** The second (vertical) half of run() for output rows [y0, y1) and columns [x0, x1), into `out`. */
  vertical(out: Float32Array, y0: number, y1: number, x0: number, x1: number): void {
    const { W, rows } = this;
    const { i0: ya, i1: yb, w: wy } = this.ys;
    for (let y = y0; y < y1; y++) {
      const ra = ya[y] * W;
      const rb = yb[y] * W;
      const t = wy[y];
      const dst = y * W;
      for (let x = x0; x < x1; x++) {
        const a = rows[ra + x];
        out[dst + x] = a + (rows[rb + x] - a) * t;
      }
    }
  }
}
