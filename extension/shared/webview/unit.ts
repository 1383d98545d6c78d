/** The unit panel's protocol: one unit large (top images, best concepts), flagging, and heatmaps on fresh samples. */
import type { HeatmapSet } from '../heatmaps';
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

export type { HeatmapSet } from '../heatmaps';
export type { UnitRow } from './common';

/** The unit panel's data. */
export interface UnitView {
  runId: string;
  model: string;
  layer: string;
  shape: [number, number, number];
  tile: TileGeometry;
  unit: UnitRow;
  hasSource: boolean;
  /** The unit's realism score, when the layer has an artifacts result. */
  realism?: UnitRealismView;
}

/** A unit's realism score in the layer's last artifacts run. */
export interface UnitRealismView {
  /** Fréchet distance in the features `label` names (higher: less realistic). */
  distance: number;
  /** 1 = the least realistic unit of the layer. */
  rank: number;
  /** Units ranked. */
  of: number;
  /** What the distance is measured in, as the result names it (e.g. "Fréchet distance in the segmenter's features"). */
  label: string;
  /** What the unit's top samples were compared with, as the result names it. */
  reference: string;
}

export type UnitHostMessage = { type: 'unit'; view: UnitView } | FlaggedMessage;

export type UnitWebviewMessage = ReadyMessage | GoToSourceMessage | FlagUnitMessage | InterveneMessage | OpenArtifactsMessage;

export interface UnitRequests {
  /** The unit's activation over `count` fresh samples (images and heatmaps as webview URIs). */
  heatmaps: { params: { layer: string; unit: number; count: number }; result: HeatmapSet };
}

export type UnitProtocol = PanelProtocol<UnitHostMessage, UnitWebviewMessage, UnitRequests>;
