/**
 * What every panel's protocol shares (imported by the extension host and the webview apps): the panel's
 * identity, the request/response envelope, the messages several panels send, and the unit row the layer and
 * unit panels both show. Each panel's own messages and requests are in its file beside this one (layer.ts,
 * unit.ts, intervene.ts, causal.ts, artifacts.ts, training.ts, compare.ts). Discriminated unions on `type`; no `any`. Images travel as webview URIs
 * (asWebviewUri), never as JSON pixels.
 *
 * A request is a typed pair: a panel's `Requests` map names, per kind, the params the webview sends and the
 * result the host answers with. The webview posts `{ type: 'request', id, kind, params }`; the host answers
 * `{ type: 'response', id, result }` or `{ type: 'response', id, error }` with the same id.
 */
import type { UnitResult } from '../run/schema';

/**
 * Which run and layer (and unit) a panel shows: kept in the webview's state so a reload restores it. The
 * training panel's run is a series folder (layer ''); the compare panel's are `items` (runId and layer: the first).
 */
export interface PanelIdentity {
  runId: string;
  layer: string;
  unit?: number;
  /** The compare panel: the run folders compared, each with one of its layers or (no layer) all of them. */
  items?: CompareItem[];
}

/** A run folder in a comparison, with one of its layers or, without one, all of them. */
export interface CompareItem {
  runId: string;
  layer?: string;
}

/** One request kind: what the webview sends, and what the host answers. */
export interface RequestPair {
  params: unknown;
  result: unknown;
}

/** A panel's requests by kind (an interface such as `UnitRequests` satisfies `RequestMap<UnitRequests>`). */
export type RequestMap<R> = { [K in keyof R]: RequestPair };

/** The protocol of one panel: what the host posts, what the webview posts, and the requests it may make. */
export interface PanelProtocol<Host extends { type: string }, Webview extends { type: string }, Requests extends RequestMap<Requests>> {
  host: Host;
  webview: Webview;
  requests: Requests;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constraint of "some panel's protocol"
export type AnyProtocol = PanelProtocol<{ type: string }, { type: string }, any>;

/** webview → host: a request of kind K with its params (one member per kind of the map). */
export type RequestMessage<R extends RequestMap<R>> = {
  [K in keyof R & string]: { type: 'request'; id: number; kind: K; params: R[K]['params'] };
}[keyof R & string];

/** host → webview: the answer to request `id`, its result or an error message. */
export type ResponseMessage<R extends RequestMap<R>> =
  | { type: 'response'; id: number; result: R[keyof R]['result']; error?: undefined }
  | { type: 'response'; id: number; result?: undefined; error: string };

/** Everything the host posts to a panel's webview: its messages and the responses to its requests. */
export type ToWebview<P extends AnyProtocol> = P['host'] | ResponseMessage<P['requests']>;
/** Everything a panel's webview posts to the host: its messages and its requests. */
export type FromWebview<P extends AnyProtocol> = P['webview'] | RequestMessage<P['requests']>;

// ---- messages several panels post ------------------------------------------------------------------

/** The app is loaded and listening: the host answers with the panel's view. */
export type ReadyMessage = { type: 'ready' };
/** Open the intervention panel on these units (from the layer table, the unit panel or the causal panel). */
export type InterveneMessage = { type: 'intervene'; layer: string; units: number[]; mode: 'ablate' | 'insert' };
export type GoToSourceMessage = { type: 'goToSource'; layer: string };
/** Open the artifacts panel on the layer (from the layer and unit panels). */
export type OpenArtifactsMessage = { type: 'openArtifacts'; layer: string };
export type FlagUnitMessage = { type: 'flagUnit'; layer: string; unit: number; flagged: boolean };
/** host → webview: a unit's flag changed (the answer to flagUnit). */
export type FlaggedMessage = { type: 'flagged'; layer: string; unit: number; flagged: boolean };

// ---- data several panels show -------------------------------------------------------------------------

/** Size of one tile in the top-image strips, and the gap between tiles. */
export interface TileGeometry {
  width: number;
  height: number;
  gap: number;
}

/**
 * One unit of a dissected layer, as the panels show it: the unit's result in dissect.json
 * (shared/run/schema.ts UnitResult), its strip as a webview URI, and the user's flag.
 */
export type UnitRow = Omit<UnitResult, 'image'> & {
  /** Webview URI of the top-image strip (topk tiles of tile.width × tile.height, 2 px apart), if rendered. */
  image?: string;
  /** Flagged by the user as an artifact unit. */
  flagged?: boolean;
  /** Flagged automatically: one of the least realistic units of the layer's last artifacts run. */
  autoFlagged?: boolean;
};

/** An image file as the webview shows it: its webview URI and its size in pixels (for integer upscaling). */
export interface ImageRef {
  src: string;
  width: number;
  height: number;
}

/** A label of the segmenter with its display colour (segmentation pictures use the same colours: colours.ts). */
export interface LabelColour {
  name: string;
  category: string;
  colour: string;
}
