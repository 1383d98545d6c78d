/**
 * What the panel hosts share (layer-panel.ts, unit-panel.ts, intervene-panel.ts, causal-panel.ts,
 * artifacts-panel.ts, training-panel.ts, compare-panel.ts): the
 * context a panel host works in, the shape of its handler tables, and the one function that dispatches a
 * webview's message to them. A panel host is a `PanelController`: a table of message handlers (one per
 * message type its webview posts) and a table of request handlers (one per kind of its `Requests` map), both
 * typed by its protocol (extension/shared/webview/<panel>.ts), so a missing handler fails to compile.
 */
import type { LayerResult } from '../../shared/run/schema';
import * as vscode from 'vscode';
import type {
  AnyProtocol,
  FlaggedMessage,
  FlagUnitMessage,
  FromWebview,
  InterveneMessage,
  OpenArtifactsMessage,
  PanelIdentity,
  RequestMap,
  RequestMessage,
  ToWebview,
} from '../../shared/webview/common';
import type { InterventionSpec } from '../../shared/webview/intervene';
import type { EngineClient } from '../../engine-process/client';
import type { ModelRegistry } from '../models';
import type { TrainingWatches } from '../training-watch';
import { readRun, setFlag, type RunInfo } from '../run-index';

export interface PanelServices {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  models: ModelRegistry;
  hasSource(generatorPath: string, layer: string): Promise<boolean>;
  /** Artifact flags changed on disk (a unit flagged by eye, an artifacts run): the tree shows them again. */
  flagsChanged(): void;
  /** The training folders being watched (the Training panel follows its series' watch). */
  watches: TrainingWatches;
}

export type PanelKind = 'layer' | 'unit' | 'intervene' | 'causal' | 'artifacts' | 'training' | 'compare';

/** What a panel may be opened with besides its identity: the intervention panel takes a preset spec. */
export interface PanelInitial {
  layer: undefined;
  unit: undefined;
  intervene: InterventionSpec;
  causal: undefined;
  artifacts: undefined;
  training: undefined;
  compare: undefined;
}

/** A dissected layer picked by the user (a quick pick across the open models' runs). */
export interface PickedLayer {
  run: RunInfo;
  layer: RunInfo['result']['layers'][number];
}

/** The panels as a panel host sees them: to open another panel, or to pick a layer. */
export interface PanelOpener {
  show<K extends PanelKind>(kind: K, id: PanelIdentity, initial?: PanelInitial[K]): vscode.WebviewPanel;
  pickLayer(title: string, current?: RunInfo, exclude?: string): Promise<PickedLayer | undefined>;
}

/** What a panel host works with: its panel, its identity, the services, and a typed `post`. */
export interface PanelContext<P extends AnyProtocol> {
  readonly id: PanelIdentity;
  readonly panel: vscode.WebviewPanel;
  readonly services: PanelServices;
  readonly panels: PanelOpener;
  /** Posts one of the panel's host messages to its webview. */
  post(m: P['host']): void;
  /** A file as a URI the webview may load. */
  uri(file: string): string;
  /** The panel's run, read from disk now (throws when it is gone). */
  run(): RunInfo;
}

/** One handler per message type the webview posts (requests excluded: they have their own table). */
export type MessageHandlers<M extends { type: string }> = {
  [T in M['type']]: (m: Extract<M, { type: T }>) => void | Promise<void>;
};

/** One handler per request kind: its params in, its result out. */
export type RequestHandlers<R extends RequestMap<R>> = {
  [K in keyof R]: (p: R[K]['params']) => Promise<R[K]['result']>;
};

/** A panel host: its handler tables, and what happens when it is revealed again or closed. */
export interface PanelController<P extends AnyProtocol, I = undefined> {
  messages: MessageHandlers<P['webview']>;
  requests: RequestHandlers<P['requests']>;
  /** The panel was asked for again while open (with what it was asked for). */
  reveal?(initial?: I): void;
  dispose?(): void;
}

/**
 * Dispatches one message from a webview to its panel host: a request to the handler of its kind, answered
 * with a `response` (the result, or the error's message); any other message to the handler of its type.
 * Unknown types and kinds are ignored (requests of an unknown kind get an error response).
 */
export async function dispatch<P extends AnyProtocol>(
  c: PanelController<P, unknown>,
  m: FromWebview<P>,
  send: (m: ToWebview<P>) => void,
): Promise<void> {
  if (m.type === 'request') {
    const r = m as RequestMessage<P['requests']>;
    const handler = (c.requests as Record<string, ((p: unknown) => Promise<unknown>) | undefined>)[r.kind];
    try {
      if (!handler) throw new Error(`unknown request "${r.kind}"`);
      send({ type: 'response', id: r.id, result: (await handler(r.params)) as never });
    } catch (e) {
      send({ type: 'response', id: r.id, error: (e as Error).message });
    }
    return;
  }
  const handler = (c.messages as Record<string, ((m: unknown) => void | Promise<void>) | undefined>)[m.type];
  await handler?.(m);
}

/** The panel's dissected layer as it is on disk, and whether its module has a known source line; undefined if gone. */
export async function panelLayer(ctx: PanelContext<AnyProtocol>): Promise<{ run: RunInfo; layer: LayerResult; hasSource: boolean } | undefined> {
  const run = readRun(ctx.id.runId);
  const layer = run?.result.layers.find((l) => l.layer === ctx.id.layer);
  if (!run || !layer) return undefined;
  return { run, layer, hasSource: await ctx.services.hasSource(run.result.settings.generator.path, ctx.id.layer) };
}

/** Reads a panel's run from disk, or throws. */
export function readPanelRun(id: PanelIdentity): RunInfo {
  const r = readRun(id.runId);
  if (!r) throw new Error(`the dissection in ${id.runId} is no longer on disk`);
  return r;
}

// ---- handlers several panels share ------------------------------------------------------------------

/** Goes to the line that defines the layer's module. */
export async function goToSource(ctx: PanelContext<AnyProtocol>, layer: string): Promise<void> {
  await vscode.commands.executeCommand('ganDissection.goToSource', { generator: ctx.run().result.settings.generator.path, layer });
}

/** Flags a unit (or clears its flag), tells the webview, and has the tree show it. */
export function flagUnit(
  ctx: { id: PanelIdentity; post(m: FlaggedMessage): void; services: Pick<PanelServices, 'flagsChanged'> },
  m: FlagUnitMessage,
): void {
  setFlag(ctx.id.runId, m.layer, m.unit, m.flagged);
  ctx.post({ type: 'flagged', layer: m.layer, unit: m.unit, flagged: m.flagged });
  ctx.services.flagsChanged();
}

/** Opens the artifacts panel on the layer. */
export function openArtifacts(ctx: PanelContext<AnyProtocol>, m: OpenArtifactsMessage): void {
  ctx.panels.show('artifacts', { runId: ctx.id.runId, layer: m.layer });
}

/** Opens the intervention panel on the units, preset to ablate or insert them at full strength. */
export function openIntervention(ctx: PanelContext<AnyProtocol>, m: InterveneMessage): void {
  ctx.panels.show('intervene', { runId: ctx.id.runId, layer: m.layer }, { units: m.units, mode: m.mode, strength: 1, mask: null });
}
