/** Information measures of a 2×2 table (unit on/off × concept present/absent). */

function h(p: number): number {
  return p > 0 ? -p * Math.log(p) : 0;
}

/**
 * Information quality ratio, the paper's Eq. 2: IQR = I(X; Y) / H(X, Y), from counts over N pixels:
 * both = |on ∧ c|, on = |on|, area = |c|.
 */
export function iqr(both: number, on: number, area: number, N: number): number {
  if (N <= 0) return 0;
  const p11 = both / N;
  const p10 = (on - both) / N;
  const p01 = (area - both) / N;
  const p00 = Math.max(0, 1 - p11 - p10 - p01);
  const hxy = h(p11) + h(p10) + h(p01) + h(p00);
  if (hxy <= 0) return 0;
  const hx = h(on / N) + h(1 - on / N);
  const hy = h(area / N) + h(1 - area / N);
  return Math.max(0, (hx + hy - hxy) / hxy);
}

/** IoU = |on ∧ c| / |on ∨ c| from the intersection and union's parts. */
export function iou(both: number, onInUnion: number, area: number): number {
  const union = onInUnion + area - both;
  return union > 0 ? both / union : 0;
}
