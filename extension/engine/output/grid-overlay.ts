/**
 * Pictures over a grid of insertion locations: a value per location as a heatmap blended over the image
 * (the context's gains, the trace's change of the last layer), and yellow boxes around the locations where
 * something happened (the paper's Fig. 11: where insertion creates the concept).
 */
import { colourMap } from './heatmap';

/** The image (H × W × 3 bytes) with each grid location's value (0…max) blended in as a colour map. */
export function gridHeatmap(
  rgb: Uint8Array,
  H: number,
  W: number,
  grid: readonly [number, number],
  values: ArrayLike<number>,
  max: number,
): Uint8Array {
  const [gh, gw] = grid;
  const out = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = values[Math.min(gh - 1, Math.floor((y * gh) / H)) * gw + Math.min(gw - 1, Math.floor((x * gw) / W))];
      const [cr, cg, cb] = colourMap(Math.max(0, v) / Math.max(max, 1e-12));
      const p = (y * W + x) * 3;
      out[p] = Math.round(rgb[p] * 0.35 + cr * 0.65);
      out[p + 1] = Math.round(rgb[p + 1] * 0.35 + cg * 0.65);
      out[p + 2] = Math.round(rgb[p + 2] * 0.35 + cb * 0.65);
    }
  return out;
}

const YELLOW = [255, 224, 0];

/** The image with a one-pixel yellow box around each grid location that is `on` (row-major over the grid). */
export function gridBoxes(rgb: Uint8Array, H: number, W: number, grid: readonly [number, number], on: readonly boolean[]): Uint8Array {
  const [gh, gw] = grid;
  const out = rgb.slice();
  on.forEach((yes, g) => {
    if (!yes) return;
    const gy = Math.floor(g / gw);
    const gx = g % gw;
    const y0 = Math.floor((gy * H) / gh);
    const y1 = Math.floor(((gy + 1) * H) / gh) - 1;
    const x0 = Math.floor((gx * W) / gw);
    const x1 = Math.floor(((gx + 1) * W) / gw) - 1;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (y === y0 || y === y1 || x === x0 || x === x1) out.set(YELLOW, (y * W + x) * 3);
  });
  return out;
}
