/**
 * The typed protocol between the extension's panels and their webview apps (imported by both sides).
 * Discriminated unions on `type`; no `any`. Images travel as webview URIs (asWebviewUri), never as JSON
 * pixels. Requests that need an answer carry an `id` and get a `response` with the same id.
 */
import type { LayerSummary } from '../run/schema';

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
  /** `iqr` mode: the unit as a detector of each of its best concepts, at that concept's own threshold t_{u,c}. */
  detectors?: { label: string; category: string; iou: number; iqr: number; threshold: number }[];
  /** Jackknife over the dissection set's blocks: s.e. of the label's IoU, blocks whose own label agrees. */
  stability?: { iouSe: number; agree: number; blocks: number };
  /** Top samples by the unit's spatial maximum, best first. */
  top: { sample: number; maxact: number }[];
  /** Webview URI of the top-image strip (topk tiles of tile.width × tile.height, 2 px apart), if rendered. */
  image?: string;
  /** Flagged by the user as an artifact unit. */
  flagged?: boolean;
}

/** A layer's summary, as dissect.json holds it. */
export type LayerSummaryView = LayerSummary;

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

// ---- interventions (the intervention and causal panels) ----------------------------------------------

/** A label of the segmenter with its display colour (segmentation pictures use the same colours). */
export interface LabelColour {
  name: string;
  category: string;
  colour: string;
}

/** What the intervention panel works on: a dissected layer and a few fixed samples ("seeds"). */
export interface InterventionView {
  runId: string;
  model: string;
  layer: string;
  /** [C, h, w] of the layer. */
  shape: [number, number, number];
  image: { width: number; height: number };
  labels: LabelColour[];
  /** The dissection's units, to choose by hand. */
  units: { unit: number; label: string; iou: number }[];
  /** Unit rankings per concept, best first: by IoU (always) and by causal effect (once computed). */
  rankings: Record<string, { iou: number[]; ace?: number[] }>;
  /** The samples shown, unedited: image and segmentation as webview URIs. */
  samples: { sample: number; before: string; segBefore: string }[];
  /** Preset from "ablate/insert these units" in another panel. */
  initial?: InterventionSpec;
}

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

export interface PreviewResult {
  /** Edited image and its segmentation per sample (webview URIs), in the order of view.samples. */
  after: string[];
  segAfter: string[];
  /** Per sample: pixel fractions per label before and after (labels that are present in either). */
  changes: { sample: number; before: Record<string, number>; after: Record<string, number> }[];
  /** Engine time for the whole grid, and per image. */
  ms: number;
  msPerImage: number;
}

/** The causal panel's data: what was computed so far for a layer (concepts → results). */
export interface CausalView {
  runId: string;
  model: string;
  layer: string;
  concepts: string[];
  results: CausalConceptResult[];
  contexts: ContextView[];
}

export interface CausalConceptResult {
  concept: string;
  units: number[];
  iouUnits?: number[];
  /** Fraction of the concept removed by ablating the first k units, k = 1…n (the paper's Fig. 4). */
  curves: { ace: number[]; iou?: number[] };
  ace: { ace: number; removed: number; added: number; ci: { ace: [number, number] } };
  iouAce?: { ace: number; removed: number; added: number; ci: { ace: [number, number] } };
  samples: number;
}

export interface ContextView {
  concept: string;
  units: number[];
  /** Mean fraction of the image gained per background class, with the number of locations. */
  byClass: { label: string; gain: number; count: number }[];
  grid: [number, number];
  /** A few images with their per-location gain heatmap (webview URIs). */
  heatmaps: { sample: number; image: string; heatmap: string }[];
}

// ---- host → webview -------------------------------------------------------------------------------

export type HostMessage =
  | { type: 'layer'; view: LayerView }
  | { type: 'intervention'; view: InterventionView }
  | { type: 'causal'; view: CausalView }
  /** Progress of a long job the webview started (causal search, context); done = total at the end. */
  | { type: 'progress'; job: string; done: number; total: number; what: string }
  | { type: 'unit'; view: UnitView }
  /** A second layer (or another model's layer) to show side by side with the first. */
  | { type: 'compare'; view: LayerView }
  | { type: 'flagged'; layer: string; unit: number; flagged: boolean }
  | { type: 'response'; id: number; result?: ResponseResult; error?: string };

export type ResponseResult =
  | { kind: 'heatmaps'; heatmaps: HeatmapSet }
  | { kind: 'preview'; preview: PreviewResult }
  | { kind: 'causal'; result: CausalConceptResult }
  | { kind: 'context'; context: ContextView }
  | { kind: 'done' };

// ---- webview → host -------------------------------------------------------------------------------

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openUnit'; layer: string; unit: number }
  | { type: 'goToSource'; layer: string }
  | { type: 'pickComparison' }
  | { type: 'flagUnit'; layer: string; unit: number; flagged: boolean }
  | { type: 'exportReport'; format: 'html' | 'csv' | 'json' }
  /** Open the intervention panel on these units (from the layer table or the unit panel). */
  | { type: 'intervene'; layer: string; units: number[]; mode: 'ablate' | 'insert' }
  /** Put text on the clipboard (the intervention as JSON). */
  | { type: 'copy'; text: string }
  /** Save the edited image of one sample (the host asks where). */
  | { type: 'saveImage'; sample: number }
  | { type: 'cancelJob'; job: string }
  | { type: 'request'; id: number; request: WebviewRequest };

export type WebviewRequest =
  | { kind: 'heatmaps'; layer: string; unit: number; count: number }
  | { kind: 'preview'; spec: InterventionSpec }
  /** Long jobs: progress arrives as `progress` messages with this job id; cancel with cancelJob. */
  | { kind: 'causal'; job: string; concept: string; count: number; samples: number }
  | { kind: 'context'; job: string; concept: string; samples: number };
