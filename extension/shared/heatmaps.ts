/**
 * Heatmaps of one unit over fresh samples: each item an image and the unit's activation over it. The engine
 * answers with files (engine-protocol.ts `HeatmapRequest`); the host hands the same shape to the unit panel
 * with webview URIs in place of the paths (shared/webview/unit.ts).
 */
export interface HeatmapSet {
  samples: { seed: number; sample: number; image: string; heatmap: string; maxact: number }[];
  /**
   * The colour scale every heatmap shares: activation 0 … `max` (the unit's top activation in the
   * dissection) over the colour map's `stops` (RGB, evenly spaced), and the unit's threshold, drawn on the
   * heatmaps as a white contour.
   */
  scale?: { max: number; threshold: number; stops: [number, number, number][] };
}
