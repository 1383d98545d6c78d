/**
 * The reference's look for a unit's region in an image (netdissect's image visualisation; the paper's Fig. 2): the image with the region
 * act > threshold highlighted — outside at half brightness, a yellow border — written into `out` (rows of
 * `outWidth` pixels, from column `x0`), by default a new H×W image.
 */
export function highlight(
  rgb: Uint8Array,
  act: Float32Array,
  threshold: number,
  H: number,
  W: number,
  out = new Uint8Array(rgb.length),
  outWidth = W,
  x0 = 0,
): Uint8Array {
  // the region, with a one-pixel margin that is off, so neighbours need no bounds checks
  const PW = W + 2;
  const on = new Uint8Array((H + 2) * PW);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) on[(y + 1) * PW + x + 1] = act[y * W + x] > threshold ? 1 : 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      const q = (y * outWidth + x0 + x) * 3;
      const m = (y + 1) * PW + x + 1;
      if (on[m]) {
        if (!on[m - PW] || !on[m + PW] || !on[m - 1] || !on[m + 1]) {
          out[q] = 255;
          out[q + 1] = 255;
          out[q + 2] = 0;
        } else {
          out[q] = rgb[p];
          out[q + 1] = rgb[p + 1];
          out[q + 2] = rgb[p + 2];
        }
      } else {
        out[q] = rgb[p] >> 1;
        out[q + 1] = rgb[p + 1] >> 1;
        out[q + 2] = rgb[p + 2] >> 1;
      }
    }
  }
  return out;
}
