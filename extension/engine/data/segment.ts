/** Segmentation: logits → one label per pixel per output (argmax), and quad parts of concepts. */
import type { QuadSpec } from './labels';

/** Per-pixel argmax over channels of NCHW logits, as global label index `offset + channel`. */
export function argmaxLabels(logits: Float32Array, N: number, C: number, P: number, offset: number): Uint16Array {
  const out = new Uint16Array(N * P);
  for (let n = 0; n < N; n++) {
    const base = n * C * P;
    const best = new Float32Array(P).fill(-Infinity);
    const arg = out.subarray(n * P, (n + 1) * P);
    for (let c = 0; c < C; c++) {
      const off = base + c * P;
      for (let p = 0; p < P; p++) {
        const v = logits[off + p];
        if (v > best[p]) {
          best[p] = v;
          arg[p] = offset + c;
        }
      }
    }
  }
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
      let y0 = H, y1 = -1, x0 = W, x1 = -1;
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
