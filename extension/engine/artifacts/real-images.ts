/**
 * A folder of real images (PNG or JPEG) as the realism score's reference: each decoded, centre-cropped
 * to the generator's aspect ratio, resized to its size (area averaging down, bilinear up) and mapped to
 * its value range, NCHW, in batches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DissectError } from '../../shared/errors';
import type { Range } from '../../shared/models';

const IMAGE = /\.(png|jpe?g)$/i;

/** The image files of a folder (not its subfolders), sorted by name, at most `limit`. */
export function realImageFiles(dir: string, limit: number): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DissectError('file-missing', `--real ${dir}: no such folder`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => IMAGE.test(f))
    .sort()
    .slice(0, limit)
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new DissectError('file-missing', `--real ${dir} holds no PNG or JPEG images`);
  return files;
}

/** An image file as RGBA bytes. */
export function decodeImage(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = fs.readFileSync(file);
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: j.width, height: j.height, rgba: j.data };
  } catch (e) {
    throw new DissectError('corrupt-file', `${file} is not a readable ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'} image (${(e as Error).message})`);
  }
}

/**
 * RGBA bytes (w × h) centre-cropped to H:W and resized to H × W, as 3 planes in `range` written at out[offset…].
 * Each output pixel averages the source pixels it covers (weighted by overlap); upscaling interpolates bilinearly.
 */
export function resizeInto(
  src: { width: number; height: number; rgba: Uint8Array },
  H: number,
  W: number,
  range: Range,
  out: Float32Array,
  offset: number,
): void {
  const { width: w, height: h, rgba } = src;
  // the centre crop with the target's aspect ratio
  let cw = w;
  let ch = h;
  if (w * H > h * W) cw = (h * W) / H;
  else ch = (w * H) / W;
  const x0 = (w - cw) / 2;
  const y0 = (h - ch) / 2;
  const sx = cw / W;
  const sy = ch / H;
  const scale = (range[1] - range[0]) / 255;
  const plane = H * W;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const rgb =
        sx >= 1 && sy >= 1
          ? areaAverage(rgba, w, x0 + x * sx, y0 + y * sy, sx, sy)
          : bilinear(rgba, w, h, x0 + (x + 0.5) * sx - 0.5, y0 + (y + 0.5) * sy - 0.5);
      for (let c = 0; c < 3; c++) out[offset + c * plane + y * W + x] = range[0] + rgb[c] * scale;
    }
}

/** The mean colour of the source rectangle [fx, fx + sw) × [fy, fy + sh), pixels weighted by their overlap. */
function areaAverage(rgba: Uint8Array, w: number, fx: number, fy: number, sw: number, sh: number): [number, number, number] {
  const acc = [0, 0, 0];
  let total = 0;
  for (let y = Math.floor(fy); y < Math.ceil(fy + sh); y++) {
    const wy = Math.min(y + 1, fy + sh) - Math.max(y, fy);
    for (let x = Math.floor(fx); x < Math.ceil(fx + sw); x++) {
      const wgt = wy * (Math.min(x + 1, fx + sw) - Math.max(x, fx));
      if (wgt <= 0) continue;
      const i = (y * w + x) * 4;
      acc[0] += rgba[i] * wgt;
      acc[1] += rgba[i + 1] * wgt;
      acc[2] += rgba[i + 2] * wgt;
      total += wgt;
    }
  }
  return [acc[0] / total, acc[1] / total, acc[2] / total];
}

function bilinear(rgba: Uint8Array, w: number, h: number, fx: number, fy: number): [number, number, number] {
  const cx = Math.min(Math.max(fx, 0), w - 1);
  const cy = Math.min(Math.max(fy, 0), h - 1);
  const xa = Math.floor(cx);
  const ya = Math.floor(cy);
  const xb = Math.min(xa + 1, w - 1);
  const yb = Math.min(ya + 1, h - 1);
  const tx = cx - xa;
  const ty = cy - ya;
  const at = (x: number, y: number, c: number) => rgba[(y * w + x) * 4 + c];
  const v = (c: number) => (at(xa, ya, c) * (1 - tx) + at(xb, ya, c) * tx) * (1 - ty) + (at(xa, yb, c) * (1 - tx) + at(xb, yb, c) * tx) * ty;
  return [v(0), v(1), v(2)];
}

/** Batches of the folder's images at H × W in `range` (NCHW), `batch` at a time. */
export function* realImageBatches(
  files: readonly string[],
  H: number,
  W: number,
  range: Range,
  batch: number,
): Generator<{ image: Float32Array; n: number }> {
  for (let i = 0; i < files.length; i += batch) {
    const n = Math.min(batch, files.length - i);
    const image = new Float32Array(n * 3 * H * W);
    for (let j = 0; j < n; j++) resizeInto(decodeImage(files[i + j]), H, W, range, image, j * 3 * H * W);
    yield { image, n };
  }
}
