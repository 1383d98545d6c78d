/**
 * An intervention as a user sets it in the intervention panel (the paper's §3.2: ablate or insert units U,
 * r' = r ⊙ (1 − a) + k ⊙ a), and what its live preview returns. Plain JSON, shared by the webview, the
 * extension host and the engine process (engine-protocol.ts, webview/protocol.ts).
 */

/** An intervention as the user set it; `mask` is painted at image resolution (null: the whole image). */
export interface InterventionSpec {
  units: number[];
  mode: 'ablate' | 'insert';
  /** Multiplies a: 1 = the full edit. */
  strength: number;
  /** Concept whose insertion constants k are used (insert mode). */
  concept?: string;
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
