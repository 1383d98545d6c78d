/**
 * The layer panel's protocol: a dissected layer as a table, a gallery and the summary chart, and a second
 * layer to compare it with. It makes no requests (a comparison is picked by the host, which posts `compare`).
 */
import type { LayerSummary } from '../run/schema';
import type {
  FlaggedMessage,
  FlagUnitMessage,
  GoToSourceMessage,
  InterveneMessage,
  OpenArtifactsMessage,
  PanelProtocol,
  ReadyMessage,
  TileGeometry,
  UnitRow,
} from './common';

export type { UnitRow } from './common';

/** A layer's summary, as dissect.json holds it (the webviews import it from here). */
export type { LayerSummary } from '../run/schema';

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
  tile: TileGeometry;
  units: UnitRow[];
  summary: LayerSummary;
  /** Whether the layer's module has a known source line (enables "Go to Source"). */
  hasSource: boolean;
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

export type LayerHostMessage =
  | { type: 'layer'; view: LayerView }
  /** A second layer (or another model's layer) to show side by side with the first. */
  | { type: 'compare'; view: LayerView }
  | FlaggedMessage;

export type LayerWebviewMessage =
  | ReadyMessage
  | { type: 'openUnit'; layer: string; unit: number }
  | GoToSourceMessage
  | { type: 'pickComparison' }
  | FlagUnitMessage
  | { type: 'exportReport'; format: 'html' | 'csv' | 'json' }
  | InterveneMessage
  | OpenArtifactsMessage
  /** Open the compare panel on all layers of this run. */
  | { type: 'compareLayers' };

/** The layer panel asks nothing: everything it needs comes with its view. */
export type LayerRequests = Record<never, never>;

export type LayerProtocol = PanelProtocol<LayerHostMessage, LayerWebviewMessage, LayerRequests>;
