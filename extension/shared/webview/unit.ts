/** The unit panel's protocol: one unit large (top images, best concepts), flagging, and heatmaps on fresh samples. */
import type { HeatmapSet } from '../heatmaps';
import type {
  FlaggedMessage,
  FlagUnitMessage,
  GoToSourceMessage,
  InterveneMessage,
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
}

export type UnitHostMessage = { type: 'unit'; view: UnitView } | FlaggedMessage;

export type UnitWebviewMessage = ReadyMessage | GoToSourceMessage | FlagUnitMessage | InterveneMessage;

export interface UnitRequests {
  /** The unit's activation over `count` fresh samples (images and heatmaps as webview URIs). */
  heatmaps: { params: { layer: string; unit: number; count: number }; result: HeatmapSet };
}

export type UnitProtocol = PanelProtocol<UnitHostMessage, UnitWebviewMessage, UnitRequests>;
