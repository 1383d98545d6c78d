/**
 * An intervention as a user sets it in the intervention panel (the paper's §3.2: ablate or insert units U,
 * r' = r ⊙ (1 − a) + k ⊙ a), and what its live preview returns. Plain JSON, shared by the webview, the
 * extension host and the engine process (engine-protocol.ts, webview/protocol.ts).
 */

/**
 * Which insertion constants k an insertion uses, and how it combines with the featuremap (the engine's
 * engine/intervene/jobs.ts; the CLI's `--insertion`):
 * - `high` (the default): k = the larger of the unit's 0.99 quantile and its mean activation where the
 *   concept is; r' = max(r, k), so no unit is lowered;
 * - `concept`: k = the unit's mean activation where the concept is; r' = max(r, k);
 * - `quantile`: k = the unit's 0.99 quantile over all images (the later toolkit's painter; needs no concept);
 *   r' = max(r, k);
 * - `paper`: k = the mean activation where the concept is, replacing r (r' = k), the paper's §3.2 edit.
 */
export type InsertionChoice = 'high' | 'concept' | 'quantile' | 'paper';

export const INSERTION_CHOICES: readonly InsertionChoice[] = ['high', 'concept', 'quantile', 'paper'];

/** The default insertion (also the engine's when a spec names none). */
export const DEFAULT_INSERTION: InsertionChoice = 'high';

/** The strongest edit (engine/intervene/edit.ts MAX_STRENGTH): insertion constants up to 10×. */
export const MAX_STRENGTH = 10;

/** The fewest units a default intervention picks (where the layer has that many). */
export const DEFAULT_UNITS_MIN = 4;

/**
 * How many units an intervention picks from a concept's ranking by default, in proportion to the layer:
 * the paper's causal sets of 20 units in a 512-unit layer (≈ 4%; DESIGN.md §5), rounded, at least
 * DEFAULT_UNITS_MIN, at most the layer's units. 32 units → 4, 256 → 10, 512 → 20, 1024 → 40.
 */
export function defaultUnitCount(layerUnits: number): number {
  const C = Math.max(0, Math.floor(layerUnits));
  return Math.min(C, Math.max(DEFAULT_UNITS_MIN, Math.round((C * 20) / 512)));
}

/** An intervention as the user set it; `mask` is painted at image resolution (null: the whole image). */
export interface InterventionSpec {
  units: number[];
  mode: 'ablate' | 'insert';
  /**
   * How strongly, 0…MAX_STRENGTH: 1 = the full edit with k as it is (ablation: the units at 0; insertion:
   * the insertion constants k); below 1 a partial blend (a × strength); above 1 insertion's k × strength
   * (ablation stops at 1).
   */
  strength: number;
  /** Concept whose insertion constants k are used (insert mode; `quantile` needs none). */
  concept?: string;
  /** Which insertion constants (insert mode); absent: DEFAULT_INSERTION. */
  insertion?: InsertionChoice;
  /** Image-resolution mask, row-major, bytes 0…255 base64-encoded; null for everywhere. */
  mask: { width: number; height: number; data: string } | null;
}

/** The live preview of an intervention over the session's samples. */
export interface PreviewResult {
  /**
   * Edited image and its segmentation per sample, in the order of the session's samples: data: URIs from
   * the engine, as the webview gets them.
   */
  after: string[];
  segAfter: string[];
  /** Per sample: pixel fractions per label before and after (labels that are present in either). */
  changes: { sample: number; before: Record<string, number>; after: Record<string, number> }[];
  /** Engine time for the whole grid, and per image. */
  ms: number;
  msPerImage: number;
}
