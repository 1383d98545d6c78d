/**
 * The causal panel's protocol: causal unit searches and insertion-context jobs for a layer's concepts. Both
 * are long jobs: progress arrives as `progress` messages with the job id the request named; `cancelJob`
 * cancels one (its request then fails).
 */
import type { InterveneMessage, PanelProtocol, ReadyMessage } from './common';

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

export type CausalHostMessage =
  | { type: 'causal'; view: CausalView }
  /** Progress of a long job the webview started (causal search, context); done = total at the end. */
  | { type: 'progress'; job: string; done: number; total: number; what: string };

export type CausalWebviewMessage = ReadyMessage | { type: 'cancelJob'; job: string } | InterveneMessage;

export interface CausalRequests {
  /** Searches the units whose ablation removes the concept most (progress under `job`). */
  causal: { params: { job: string; concept: string; count: number; samples: number }; result: CausalConceptResult };
  /** Where the concept's units can insert it (progress under `job`). */
  context: { params: { job: string; concept: string; samples: number }; result: ContextView };
}

export type CausalProtocol = PanelProtocol<CausalHostMessage, CausalWebviewMessage, CausalRequests>;
