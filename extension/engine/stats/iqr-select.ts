/**
 * Threshold selection by information quality ratio: the paper's Eq. 2,
 *   t_{u,c} = argmax_t I(S_u^t ; c) / H(S_u^t , c),
 * with every rule of the reference implementation (CSAILVision/gandissect, netdissect/dissection.py,
 * `collect_iqr`, and `dissect`/`generate_report` for the unit's label):
 *   1. candidate levels are the unit's quantiles at top-fractions f = logspace(−3, 0, 100) of its
 *      upsampled activations on the threshold-selection set (the caller's `levels`, ascending here:
 *      j = 0 is f = 1, j = M − 1 is f = 1e-3);
 *   2. for each (label c, level j) a 2×2 table of fractions: isect = P(on ∧ c), truth = P(c),
 *      preds = P(on) counted only in the images that contain some label of c's category (over all
 *      pixels when there is one category, or for an unlabeled label), entries clamped to [0, 1];
 *   3. IQR = I / H; I = 0 at the last level (f = 1) and for labels covering < 1e-3 of the pixels; 0/0 → 0;
 *   4. only pairs where the unit agrees with the label — isect + P(off ∧ ¬c) > 0.8 — at a positive level
 *      qualify; every other pair scores 0 (mutual information is symmetric: without this, a unit that is
 *      off exactly on the sky would be a sky detector);
 *   5. per label, the qualified best level (ties: the highest level, the reference's first index), its
 *      IoU and agreement: the reference's max_iqr, max_iqr_level, max_iqr_quantile, max_iqr_iou;
 *   6. the unit's label is the argmax over labels of that best qualified IQR (ties: the lowest label
 *      index), its threshold that pair's level; so a unit with no qualifying pair falls on label 0 at
 *      f = 1e-3 (unlabeled, not interpretable), never on "on everywhere".
 * The report's `iqr_label` (rule 7 of the reference's report) is `reportLabel`: the same argmax with the
 * pairs whose top-fraction is > 0.5 left out.
 */
import { tableInformation } from './info';

/** Labels covering less than this fraction of the pixels get no mutual information (rule 3). */
export const NO_INFO_COVERAGE = 1e-3;
/** A pair qualifies only when the unit agrees with the label on more than this fraction of pixels (rule 4). */
export const MIN_AGREEMENT = 0.8;
/** The report's label leaves out pairs whose top-fraction exceeds this (rule 7). */
export const REPORT_MAX_FRACTION = 0.5;

/** Top-fractions f_r = 10^(−3 + 3r/(M−1)), r = 0…M−1 (the reference: M = 100), ascending. */
export function candidateFractions(M = 100): number[] {
  return Array.from({ length: M }, (_, r) => 10 ** (-3 + (3 * r) / (M - 1)));
}

/** The counts of one unit on the threshold-selection set, summed above each level. */
export interface UnitCounts {
  /** Levels and labels, categories. */
  M: number;
  K: number;
  G: number;
  /** Pixels of the threshold-selection set. */
  N: number;
  /** The unit's M candidate levels, ascending. */
  levels: Float32Array;
  /** Pixels of each label (summed over label maps). */
  area: Float64Array;
  /** Category of each label, −1 for unlabeled. */
  categoryOf: Int32Array;
  /** interAbove[j·K + c] = |a > level_j ∧ c|. */
  interAbove: Float64Array;
  /** onAbove[j] = |a > level_j| over all pixels. */
  onAbove: Float64Array;
  /** missAbove[j·G + g] = |a > level_j| in the images without category g; missPixels[g] their pixels. */
  missAbove: Float64Array;
  missPixels: Float64Array;
}

/** A (unit, label) pair's best qualified level (rule 5). */
export interface PairBest {
  iqr: number;
  /** Index j into the ascending levels; `level` its value and `fraction` its top-fraction. */
  j: number;
  level: number;
  fraction: number;
  iou: number;
  agreement: number;
}

export interface UnitSelection {
  /** Per label (K entries). */
  pairs: PairBest[];
  /** The unit's label (rule 6) and threshold; `label` may be an unlabeled label (then not interpretable). */
  label: number;
  threshold: number;
  iqr: number;
  fraction: number;
  /** The report's iqr_label (rule 7). */
  reportLabel: number;
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Rules 2–7 for one unit. */
export function selectUnit(n: UnitCounts): UnitSelection {
  const { M, K, G, N, levels, area, categoryOf } = n;
  const fractions = candidateFractions(M);
  const fractionOf = (j: number) => fractions[M - 1 - j];
  const pairs: PairBest[] = [];
  for (let c = 0; c < K; c++) {
    const truth = N > 0 ? area[c] / N : 0;
    const g = categoryOf[c];
    const restricted = G > 1 && g >= 0;
    // rule 5: the reference's first index over f ascending is our highest j: scan j downward, strict >.
    let best: PairBest = { iqr: 0, j: M - 1, level: levels[M - 1], fraction: fractionOf(M - 1), iou: 0, agreement: 0 };
    let first = true;
    for (let j = M - 1; j >= 0; j--) {
      const isect = N > 0 ? n.interAbove[j * K + c] / N : 0;
      // rule 2: P(on) in the images that contain some label of c's category
      let preds: number;
      if (restricted) {
        const pixels = N - n.missPixels[g];
        preds = pixels > 0 ? (n.onAbove[j] - n.missAbove[j * G + g]) / pixels : 0;
      } else preds = N > 0 ? n.onAbove[j] / N : 0;
      const union = truth + preds - isect;
      const t00 = clamp01(isect);
      const t01 = clamp01(preds - isect);
      const t10 = clamp01(truth - isect);
      const t11 = clamp01(1 - union);
      const { mi, je } = tableInformation(t00, t01, t10, t11);
      // rule 3
      const info = j === 0 || truth < NO_INFO_COVERAGE ? 0 : mi;
      const iqr = je > 0 ? info / je : 0;
      const agreement = isect + t11;
      // rule 4
      const qualified = agreement > MIN_AGREEMENT && levels[j] > 0 ? iqr : 0;
      if (first || qualified > best.iqr) {
        best = { iqr: qualified, j, level: levels[j], fraction: fractionOf(j), iou: union !== 0 ? isect / union : 0, agreement };
        first = false;
      }
    }
    pairs.push(best);
  }
  // rule 6 (and rule 7 for the report's label): argmax over labels, the lowest index on ties
  let label = 0;
  let reportLabel = 0;
  const reportScore = (c: number) => (pairs[c].fraction > REPORT_MAX_FRACTION ? 0 : pairs[c].iqr);
  for (let c = 1; c < K; c++) {
    if (pairs[c].iqr > pairs[label].iqr) label = c;
    if (reportScore(c) > reportScore(reportLabel)) reportLabel = c;
  }
  const p = pairs[label];
  return { pairs, label, threshold: p.level, iqr: p.iqr, fraction: p.fraction, reportLabel };
}
