/** Segmentation: one label per pixel per output, and quad parts of concepts. */
import type { QuadSpec } from './labels';

/**
 * A label map from one output's per-pixel argmax channel (computed in the segmenter's session, see
 * onnx/surgery.ts labelingModel): global label index `offset + channel`.
 */
export function labelMap(argmax: Int32Array, offset: number): Uint16Array {
  const out = new Uint16Array(argmax.length);
  for (let p = 0; p < argmax.length; p++) out[p] = offset + argmax[p];
  return out;
}

/**
 * Quad parts of one image's label map: for each connected component (4-connected) of each quad concept,
 * the top/bottom halves of its bounding box go to `tb`, the left/right halves to `lr` (0 elsewhere).
 */
export function quadParts(labels: Uint16Array, H: number, W: number, specs: QuadSpec[], tb: Uint16Array, lr: Uint16Array): void {
  tb.fill(0);
  lr.fill(0);
  if (specs.length === 0) return;
  const seen = new Uint8Array(H * W);
  const stack: number[] = [];
  const comp: number[] = [];
  for (const spec of specs) {
    seen.fill(0);
    for (let start = 0; start < H * W; start++) {
      if (seen[start] || labels[start] !== spec.concept) continue;
      comp.length = 0;
      stack.push(start);
      seen[start] = 1;
      let y0 = H,
        y1 = -1,
        x0 = W,
        x1 = -1;
      while (stack.length > 0) {
        const p = stack.pop() as number;
        comp.push(p);
        const y = (p / W) | 0;
        const x = p - y * W;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        const nb = [y > 0 ? p - W : -1, y < H - 1 ? p + W : -1, x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1];
        for (const q of nb) {
          if (q >= 0 && !seen[q] && labels[q] === spec.concept) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
      const midY = (y0 + y1 + 1) / 2;
      const midX = (x0 + x1 + 1) / 2;
      for (const p of comp) {
        const y = (p / W) | 0;
        const x = p - y * W;
        tb[p] = y < midY ? spec.t : spec.b;
        lr[p] = x < midX ? spec.l : spec.r;
      }
    }
  }
}
