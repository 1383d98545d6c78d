/**
 * The artifacts panel's protocol (the paper's S-6.1, §4.2 Table 1, S-6.3): a dissected layer's units ranked
 * by realism (the Fréchet distance of their top samples' features to a reference, as the engine's
 * ArtifactsResult names it), flagged by eye or automatically; the repair's measure, its before/after pairs,
 * and saving the repaired generator. The run is a long job: progress arrives as `progress` messages with
 * the job id the request named; `cancelJob` cancels it (its request then fails).
 */
export { flagAgreement } from '../run/flags';
import type { RealisticSummary, RepairMeasure } from '../run/schema';
import type { FlaggedMessage, FlagUnitMessage, ImageRef, InterveneMessage, PanelProtocol, ReadyMessage } from './common';

export type { RealisticSummary, RepairMeasure } from '../run/schema';

/** Samples an artifacts run searches unless the user says otherwise (the engine's default, engine/artifacts/options.ts). */
export const DEFAULT_ARTIFACT_SAMPLES = 4000;

/** A saved repaired generator whose images differ from the intervention's by less than this is verified. */
export const REPAIR_TOLERANCE = 1e-4;

/** An image file as the webview shows it (common.ts). */
export type { ImageRef } from './common';

/** One unit of the ranking, least realistic first. */
export interface ArtifactRow {
  /** 1 = the least realistic unit of the layer. */
  rank: number;
  unit: number;
  /** Fréchet distance in the result's features (higher: less realistic). */
  distance: number;
  /** The unit's dissection label, where the run has one (not `-`). */
  label?: string;
  category?: string;
  interpretable?: boolean;
  /** Flagged automatically (one of the result's `flagCount` least realistic units). */
  auto: boolean;
  /** The unit's top samples by spatial max, as a strip; absent when it was not written. */
  strip?: ImageRef;
}

/** The repair's measure (Table 1) with its before/after pairs as images. */
export type RepairView = Omit<RepairMeasure, 'pairs'> & { pairs: { sample: number; before: ImageRef; after: ImageRef }[] };

/** A layer's artifacts result as the panel shows it (from artifacts/LAYER/artifacts.json). */
export interface ArtifactsResultView {
  /** What the distances are measured in; `label` is shown as given. */
  features: { kind: 'segmenter' | 'model'; model: string; output: string; dims: number; label: string };
  /** What the top samples are compared with; `label` is shown as given. */
  reference: { kind: 'real' | 'generated'; dir?: string; count: number; label: string };
  samples: number;
  seed: number;
  top: number;
  rows: ArtifactRow[];
  /** The automatic flags, and how many the run was asked for. */
  flagged: number[];
  flagCount: number;
  repair?: RepairView;
  realistic?: RealisticSummary;
  provider: string;
  seconds: number;
  created: string;
}

/** The artifacts panel's data. */
export interface ArtifactsView {
  runId: string;
  model: string;
  layer: string;
  /** Units in the layer. */
  units: number;
  /** The manual flags (flags.json) now. */
  manual: number[];
  /** The last artifacts run of the layer, if any. */
  result?: ArtifactsResultView;
}

/** What saving the repaired generator gave: nothing when the user closed the save dialog. */
export type SaveOutcome = { saved: false } | { saved: true; file: string; units: number[]; maxDiff: number };

export type ArtifactsHostMessage =
  | { type: 'artifacts'; view: ArtifactsView }
  /** Progress of the run the webview started; done = total at the end. */
  | { type: 'progress'; job: string; done: number; total: number; what: string }
  | FlaggedMessage;

export type ArtifactsWebviewMessage =
  ReadyMessage | { type: 'cancelJob'; job: string } | FlagUnitMessage | InterveneMessage | { type: 'openUnit'; layer: string; unit: number };

export interface ArtifactsRequests {
  /** Scores every unit, flags the worst, measures the repair (progress under `job`); answers with the new view. */
  run: { params: { job: string; samples: number; top?: number; flag?: number }; result: ArtifactsView };
  /** Asks where to save, writes the generator with `units` ablated, and checks it against the intervention. */
  save: { params: { units: number[] }; result: SaveOutcome };
}

export type ArtifactsProtocol = PanelProtocol<ArtifactsHostMessage, ArtifactsWebviewMessage, ArtifactsRequests>;
