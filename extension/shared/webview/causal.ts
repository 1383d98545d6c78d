/**
 * The causal panel's protocol: causal unit searches, insertion-context jobs and traces for a layer's concepts.
 * All three are long jobs: progress arrives as `progress` messages with the job id the request named;
 * `cancelJob` cancels one (its request then fails).
 */
import type { InterveneMessage, PanelProtocol, ReadyMessage } from './common';

/** How inserted units combine with the featuremap: shared/intervention.ts. */
export type { InsertionChoice } from '../intervention';
import type { TraceResult } from '../run/schema';
import type { InsertionChoice } from '../intervention';

/** The causal panel's data: what was computed so far for a layer (concepts → results). */
export interface CausalView {
  runId: string;
  model: string;
  layer: string;
  concepts: string[];
  results: CausalConceptResult[];
  contexts: ContextView[];
  /** Traces stored for the layer (absent from hosts that predate them). */
  traces?: TraceView[];
}

/** An ACE with its halves (engine AceResult), each a fraction of E[s_c(x)], with 95% intervals where the engine gave them. */
export interface AceView {
  /** Insertion everywhere minus ablation everywhere. */
  ace: number;
  /** Ablation everywhere: the fraction of the concept removed. */
  removed: number;
  /** Insertion everywhere: the fraction of the concept added (negative when inserting lowered it). */
  added: number;
  ci: { ace: [number, number]; removed?: [number, number]; added?: [number, number] };
  /** The paper's protocol (S-6.4): insertion at one uniformly sampled featuremap location per sample; ACE against the whole-image ablation. */
  atLocation?: { added: number; ace: number; ci: { added: [number, number]; ace: [number, number] } };
}

export interface CausalConceptResult {
  concept: string;
  units: number[];
  iouUnits?: number[];
  /** Fraction of the concept removed by ablating the first k units, k = 1…n (the paper's Fig. 4). */
  curves: { ace: number[]; iou?: number[] };
  ace: AceView;
  iouAce?: AceView;
  samples: number;
  /** The insertion the search used, where known (results read from disk do not record it). */
  insertion?: InsertionChoice;
}

export interface ContextView {
  concept: string;
  units: number[];
  /** Mean fraction of the image gained per background class, with the number of locations. */
  byClass: { label: string; gain: number; count: number }[];
  grid: [number, number];
  /** A few images with their per-location gain heatmap and, where the engine drew them, yellow boxes where insertion creates the concept (webview URIs). */
  heatmaps: { sample: number; image: string; heatmap: string; boxes?: string }[];
}

/**
 * A trace of insertions through the later layers (the paper's S-6.5, Fig. 17): the engine's TraceResult as
 * it is, its `images` as webview URIs instead of file names.
 */
export type TraceView = TraceResult;

export type CausalHostMessage =
  | { type: 'causal'; view: CausalView }
  /** Progress of a long job the webview started (causal search, context, trace); done = total at the end. */
  | { type: 'progress'; job: string; done: number; total: number; what: string };

export type CausalWebviewMessage = ReadyMessage | { type: 'cancelJob'; job: string } | InterveneMessage;

export interface CausalRequests {
  /** Searches the units whose ablation removes the concept most (progress under `job`). */
  causal: { params: { job: string; concept: string; count: number; samples: number; insertion?: InsertionChoice }; result: CausalConceptResult };
  /** Where the concept's units can insert it (progress under `job`). */
  context: { params: { job: string; concept: string; samples: number; insertion?: InsertionChoice }; result: ContextView };
  /**
   * Traces inserting the concept's first `count` units (its causal ranking where one was found, else its IoU
   * ranking) at each location of a `grid` × `grid` grid through the later layers (progress under `job`).
   */
  trace: { params: { job: string; concept: string; count: number; samples: number; grid: number; insertion?: InsertionChoice }; result: TraceView };
}

export type CausalProtocol = PanelProtocol<CausalHostMessage, CausalWebviewMessage, CausalRequests>;
