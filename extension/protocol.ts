/**
 * The typed protocol between the extension's panels and their webview apps (imported by both sides).
 * Discriminated unions on `type`; no `any`. Images travel as webview URIs (asWebviewUri), never as JSON
 * pixels. Requests that need an answer carry an `id` and get a `response` with the same id.
 */

/** One unit of a dissected layer, as the panels show it. */
export interface UnitRow {
  unit: number;
  label: string;
  category: string;
  iou: number;
  iqr: number;
  threshold: number;
  interpretable: boolean;
  /** The unit's best concepts by IoU (up to 5). */
  concepts: { label: string; category: string; iou: number }[];
  /** Top samples by the unit's spatial maximum, best first. */
  top: { sample: number; maxact: number }[];
  /** Webview URI of the top-image strip (topk tiles of tile.width × tile.height, 2 px apart), if rendered. */
  image?: string;
  /** Flagged by the user as an artifact unit. */
  flagged?: boolean;
}

export interface LayerSummaryView {
  units: number;
  interpretable: number;
  /** Interpretable units per concept, most first. */
  concepts: { label: string; category: string; count: number }[];
  categories: Record<string, number>;
}

/** A dissected layer of a run. */
export interface LayerView {
  /** Identifies the run (its folder) so actions can name it. */
  runId: string;
  /** Display name of the model (file name). */
  model: string;
  layer: string;
  /** [C, h, w] */
  shape: [number, number, number];
  threshold: 'iqr' | 'quantile';
  samples: number;
  provider: string;
  /** Size of one tile in the top-image strips, and the gap between tiles. */
  tile: { width: number; height: number; gap: number };
  units: UnitRow[];
  summary: LayerSummaryView;
  /** Whether the layer's module has a known source line (enables "Go to Source"). */
  hasSource: boolean;
}

/** The unit panel's data. */
export interface UnitView {
  runId: string;
  model: string;
  layer: string;
  shape: [number, number, number];
  tile: { width: number; height: number; gap: number };
  unit: UnitRow;
  hasSource: boolean;
}

/** Heatmaps of one unit over fresh samples: each item an image and the unit's activation over it. */
export interface HeatmapSet {
  samples: { seed: number; sample: number; image: string; heatmap: string; maxact: number }[];
}

/** Which run and layer (and unit) a panel shows: kept in the webview's state so a reload restores it. */
export interface PanelIdentity {
  runId: string;
  layer: string;
  unit?: number;
}

/** Persisted by the webview (setState) so a reload restores the view. */
export interface LayerPanelState {
  /** Set by the app from the view it shows (the host's serializer reads it after a reload). */
  runId?: string;
  layer?: string;
  sort: { column: 'unit' | 'label' | 'category' | 'iou' | 'iqr' | 'threshold'; descending: boolean };
  filter: string;
  interpretableOnly: boolean;
  tab: 'table' | 'gallery' | 'summary' | 'compare';
}

// ---- host → webview -------------------------------------------------------------------------------

export type HostMessage =
  | { type: 'layer'; view: LayerView }
  | { type: 'unit'; view: UnitView }
  /** A second layer (or another model's layer) to show side by side with the first. */
  | { type: 'compare'; view: LayerView }
  | { type: 'flagged'; layer: string; unit: number; flagged: boolean }
  | { type: 'response'; id: number; result?: ResponseResult; error?: string };

export type ResponseResult = { kind: 'heatmaps'; heatmaps: HeatmapSet } | { kind: 'done' };

// ---- webview → host -------------------------------------------------------------------------------

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openUnit'; layer: string; unit: number }
  | { type: 'goToSource'; layer: string }
  | { type: 'pickComparison' }
  | { type: 'flagUnit'; layer: string; unit: number; flagged: boolean }
  | { type: 'exportReport'; format: 'html' | 'csv' | 'json' }
  | { type: 'request'; id: number; request: WebviewRequest };

export type WebviewRequest = { kind: 'heatmaps'; layer: string; unit: number; count: number };
