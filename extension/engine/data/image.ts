/** Generated images: value ranges, conversion to RGB bytes, and preparation for the segmenter. */
import { Upsampler } from './upsample';

import type { Range, SegmenterInputSpec } from '../../shared/models';

/** Image n of an NCHW batch as H×W×3 bytes, mapping `range` to 0…255. */
export function toRgbBytes(img: Float32Array, n: number, H: number, W: number, range: Range): Uint8Array {
  const out = new Uint8Array(H * W * 3);
  const plane = H * W;
  const base = n * 3 * plane;
  const scale = 255 / (range[1] - range[0]);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const v = (img[base + c * plane + p] - range[0]) * scale;
      out[p * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/** The generator's NCHW batch as the segmenter's input: range, mean/std, channel order and size. */
export function segmenterInput(
  img: Float32Array,
  N: number,
  H: number,
  W: number,
  from: Range,
  spec: SegmenterInputSpec,
): { data: Float32Array; dims: [number, number, number, number] } {
  const [Ho, Wo] = spec.size ?? [H, W];
  const plane = Ho * Wo;
  const out = new Float32Array(N * 3 * plane);
  const resize = Ho !== H || Wo !== W ? new Upsampler(H, W, Ho, Wo) : undefined;
  const tmp = new Float32Array(plane);
  const a = (spec.range[1] - spec.range[0]) / (from[1] - from[0]);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < 3; c++) {
      const srcC = spec.channels === 'BGR' ? 2 - c : c;
      const srcOff = (n * 3 + srcC) * H * W;
      let src: Float32Array;
      let off: number;
      if (resize) {
        src = resize.run(img, srcOff, tmp);
        off = 0;
      } else {
        src = img;
        off = srcOff;
      }
      const mean = spec.mean ? spec.mean[c] : 0;
      const std = spec.std ? spec.std[c] : 1;
      const dst = (n * 3 + c) * plane;
      for (let p = 0; p < plane; p++) {
        const v = (src[off + p] - from[0]) * a + spec.range[0];
        out[dst + p] = (v - mean) / std;
      }
    }
  }
  return { data: out, dims: [N, 3, Ho, Wo] };
}

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(data: Float32Array): number {
  // A sum in double of float32 values cannot overflow (|x| < 3.5e38, fewer than 1e260 of them), so it is
  // finite exactly when every value is: one cheap pass, and the search only when something is wrong.
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n4 = data.length - (data.length % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
  }
  for (let i = n4; i < data.length; i++) s0 += data[i];
  if (Number.isFinite(s0 + s1 + s2 + s3)) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
