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

/** One term p·log(p / q) of a mutual information, 0 where p = 0 (the reference zeroes its NaNs). */
function miTerm(p: number, q: number): number {
  return p > 0 ? p * Math.log(p / q) : 0;
}

/**
 * Mutual information and joint entropy of a 2×2 table of fractions [[a, b], [c, d]] as the reference
 * computes them (`mutual_information`, `joint_entropy` in netdissect/dissection.py): the marginals are
 * the table's own row and column sums (the table need not sum to 1 once its entries are clamped), terms
 * with a zero entry count 0, and both are clamped at 0.
 */
export function tableInformation(a: number, b: number, c: number, d: number): { mi: number; je: number } {
  const r0 = a + b,
    r1 = c + d,
    c0 = a + c,
    c1 = b + d;
  const mi = miTerm(a, r0 * c0) + miTerm(b, r0 * c1) + miTerm(c, r1 * c0) + miTerm(d, r1 * c1);
  const je = -(a > 0 ? a * Math.log(a) : 0) - (b > 0 ? b * Math.log(b) : 0) - (c > 0 ? c * Math.log(c) : 0) - (d > 0 ? d * Math.log(d) : 0);
  return { mi: Math.max(0, mi), je: Math.max(0, je) };
}

/** IQR = I / H of a table (Eq. 2), 0/0 → 0 (the reference's `iqr[isnan(iqr)] = 0`). */
export function tableIqr(a: number, b: number, c: number, d: number): number {
  const { mi, je } = tableInformation(a, b, c, d);
  return je > 0 ? mi / je : 0;
}

/**
 * IQR of a unit and a concept on the dissection set at the unit's threshold, as the reference's
 * `score_tally_stats`: the table is over the pixels of the images that contain some label of the
 * concept's category (`total`), where the unit is on in `onInCategory` of them; `both` = |on ∧ c|,
 * `area` = |c| (every pixel of c lies in those images). Its cells sum to 1 and are not clamped, so
 * I = H(on) + H(c) − H(on, c) is the same mutual information as the reference's sum.
 */
export function categoryIqr(both: number, onInCategory: number, area: number, total: number): number {
  return iqr(both, onInCategory, area, total);
}
