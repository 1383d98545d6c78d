/**
 * The compare panel's protocol (the paper's Fig. 5–7, 19): either all layers of one run (per-layer concept
 * charts side by side and the fraction of units per category by layer) or several runs' layers side by side
 * (interpretable units, concepts, units per concept, mean IoU, the realism where measured) with the diff of
 * any two runs of the same layer. Every number is the host's (shared/run/compare.ts layerFigures, diffLayers).
 */
import type { LayerFigures } from '../run/schema';
import type { LayerDiff } from '../run/compare';
import type { CompareItem, PanelProtocol, ReadyMessage } from './common';

export type { LayerFigures } from '../run/schema';
export type { LayerDiff } from '../run/compare';

/** A run's layer in the comparison. */
export interface ComparedRow extends LayerFigures {
  runId: string;
  /** How the run is named ("generator.onnx · layer3-iqr-200", "step 12000"). */
  run: string;
  /** The generator's file name. */
  model: string;
}

export interface CompareView {
  /** What the panel was asked to compare (its identity, kept by the webview for a reload). */
  items: CompareItem[];
  /** `layers`: all layers of one run; `runs`: runs side by side. */
  mode: 'layers' | 'runs';
  title: string;
  rows: ComparedRow[];
  /** The diff of every two rows (by index, a before b) of the same layer with the same units. */
  diffs: { a: number; b: number; diff: LayerDiff }[];
}

/** Persisted by the webview so a reload restores the panel (PanelIdentity) and the diff shown. */
export interface ComparePanelState {
  runId?: string;
  layer?: string;
  items?: CompareItem[];
  /** Index into the view's diffs. */
  diff?: number;
}

export type CompareHostMessage = { type: 'compare'; view: CompareView };

export type CompareWebviewMessage =
  | ReadyMessage
  | { type: 'openLayer'; runId: string; layer: string }
  | { type: 'openUnit'; runId: string; layer: string; unit: number }
  /** Save the comparison (and the diff of rows a and b, when given) as one HTML page. */
  | { type: 'exportHtml'; diff?: { a: number; b: number } };

/** The compare panel asks nothing: its view holds the figures and the diffs. */
export type CompareRequests = Record<never, never>;

export type CompareProtocol = PanelProtocol<CompareHostMessage, CompareWebviewMessage, CompareRequests>;
