/**
 * The typed RPC between the extension host and the engine process (vscode-jsonrpc over Node IPC).
 * Everything here is plain JSON; progress comes back as notifications tagged with the run's id, and a
 * request is cancelled with the client's CancellationToken (the engine saves its work and stops).
 */
import { RequestType, NotificationType } from 'vscode-jsonrpc';
import type { ExportFormat } from './report/export';
import type { GeneratorSpec, LayerInfo } from './models';
import type { ArtifactsResult, CausalResult, ContextResult, DissectJob, DissectResult, SeriesResult, TraceResult } from './run/schema';
import type { Progress } from './progress';
import type { InterventionSpec, PreviewResult } from './intervention';
import type { HeatmapSet } from './heatmaps';
import type { ProviderInfo, ProviderRequest } from './models';

export interface LayersParams {
  generator: GeneratorSpec;
}

export interface LayersResult {
  latent: { name: string; shape: number[] };
  layers: LayerInfo[];
  provider: ProviderInfo;
}

export interface DissectParams extends DissectJob {
  runId: string;
}

export interface DissectResponse {
  result: DissectResult;
  cached: boolean;
}

export interface HeatmapParams {
  /** A finished run's folder (its dissect.json names the models). */
  out: string;
  layer: string;
  unit: number;
  count: number;
  /** Seed of the fresh samples (not the dissection's). */
  seed: number;
  provider?: ProviderRequest;
}

/** Errors carry the engine's code so the UI can say what to do. */
export interface EngineErrorData {
  code: string;
  cancelled?: boolean;
}

export const LayersRequest = new RequestType<LayersParams, LayersResult, EngineErrorData>('engine/layers');
export const DissectRequest = new RequestType<DissectParams, DissectResponse, EngineErrorData>('engine/dissect');
export const HeatmapRequest = new RequestType<HeatmapParams, HeatmapSet, EngineErrorData>('engine/heatmaps');

/** Exports a finished run (reads every strip for the HTML report: off the extension host's event loop). */
export interface ExportParams {
  out: string;
  format: ExportFormat;
  target: string;
}
export const ExportRequest = new RequestType<ExportParams, null, EngineErrorData>('engine/export');
export const ProgressNotification = new NotificationType<{ runId: string; progress: Progress }>('engine/progress');
/** Sent by the engine every HEARTBEAT_MS: an engine that goes silent while requests wait is hung. */
export const HeartbeatNotification = new NotificationType<Record<string, never>>('engine/heartbeat');
export const HEARTBEAT_MS = 2000;
export const LogNotification = new NotificationType<{ line: string }>('engine/log');

// ---- interventions ----------------------------------------------------------------------------------

export interface PreviewOpenParams {
  key: string;
  runId: string;
  layer: string;
  samples: number;
  seed: number;
  provider?: ProviderRequest;
}

export interface PreviewOpenResult {
  shape: [number, number, number];
  image: [number, number];
  samples: { sample: number; before: string; segBefore: string }[];
  labels: { name: string; category: string; colour: string }[];
}

export interface PreviewParams {
  key: string;
  spec: InterventionSpec;
}

export interface JobParams {
  jobId: string;
  runId: string;
  layer: string;
  concept: string;
  samples: number;
  provider?: ProviderRequest;
  /** How inserted units combine with the featuremap (shared/intervention.ts InsertionChoice; default `high`). */
  insertion?: 'high' | 'concept' | 'quantile' | 'paper';
}

export const PreviewOpenRequest = new RequestType<PreviewOpenParams, PreviewOpenResult, EngineErrorData>('engine/preview/open');
export const PreviewRequest = new RequestType<PreviewParams, PreviewResult, EngineErrorData>('engine/preview/render');
export const PreviewSaveRequest = new RequestType<PreviewParams & { sample: number; target: string }, null, EngineErrorData>('engine/preview/save');
export const PreviewCloseNotification = new NotificationType<{ key: string }>('engine/preview/close');
export const CausalJobRequest = new RequestType<JobParams & { count: number; searchSamples: number }, CausalResult, EngineErrorData>('engine/causal');
export const ContextJobRequest = new RequestType<JobParams & { grid: number }, ContextResult, EngineErrorData>('engine/context');
/**
 * Traces inserting the concept's first `count` units (the run's causal ranking for it where one was found, else
 * its IoU ranking) at each location of a grid × grid grid through the later layers (the paper's S-6.5, Fig. 17);
 * the result goes to the run's trace/LAYER/CONCEPT/ folder.
 */
export const TraceJobRequest = new RequestType<JobParams & { grid: number; count: number }, TraceResult, EngineErrorData>('engine/trace');
export const JobProgressNotification = new NotificationType<{ jobId: string; done: number; total: number; what: string }>('engine/job/progress');

// ---- artifact units ---------------------------------------------------------------------------------

/** An artifacts run on a dissected layer (its models from the run's settings; results into the run folder). */
export interface ArtifactsJobParams {
  jobId: string;
  /** The run folder (its dissection of `layer` names the models); the results go into its artifacts/LAYER/. */
  runId: string;
  /** The layer as the run dissected it. */
  layer: string;
  /** Generated samples to search (engine default when absent). */
  samples?: number;
  /** Top samples per unit (engine default when absent). */
  top?: number;
  /** How many of the least realistic units to flag automatically (engine default when absent). */
  flag?: number;
  provider?: ProviderRequest;
}

/** A repaired generator to write: the run's generator with `units` of `layer` ablated everywhere, saved to `target`. */
export interface RepairSaveParams {
  runId: string;
  layer: string;
  units: number[];
  target: string;
  provider?: ProviderRequest;
}

/** The file written, and the largest pixel difference between its images and the intervention's (0 when exact). */
export interface RepairSaveResult {
  file: string;
  maxDiff: number;
}

export const ArtifactsJobRequest = new RequestType<ArtifactsJobParams, ArtifactsResult, EngineErrorData>('engine/artifacts');
export const RepairSaveRequest = new RequestType<RepairSaveParams, RepairSaveResult, EngineErrorData>('engine/artifacts/save');

// ---- watching a training folder (a checkpoint series) -------------------------------------------------

/**
 * Watches a glob or folder of checkpoints and dissects each as it lands, with the same latents and settings,
 * into `out` (a SeriesFolder: step-S/ per checkpoint and series.json). Runs until cancelled; then it answers
 * with the series as it is (a checkpoint being dissected keeps its checkpoint and resumes next time).
 */
export interface SeriesWatchParams {
  /** Names this watch's notifications (and the dissections' progress: ProgressNotification's runId). */
  watchId: string;
  /** A glob over one folder's file names (`ckpt/G_*.onnx`), a folder (its .onnx files), or one file. */
  pattern: string;
  out: string;
  /** The dissection every checkpoint gets: the model's generator spec (its path is each checkpoint's), segmenter, layers, samples… */
  dissect: Omit<DissectJob, 'out' | 'resume' | 'force'>;
  /** Milliseconds between looks at the folder. */
  pollMs?: number;
}

/** A checkpoint as it starts ('dissecting') and ends ('done', or 'cached' when it was dissected already). */
export interface SeriesCheckpointEvent {
  step: number;
  file: string;
  /** Its place among the checkpoints seen so far, and how many that is. */
  index: number;
  total: number;
  state: 'dissecting' | 'done' | 'cached';
}

export const SeriesWatchRequest = new RequestType<SeriesWatchParams, SeriesResult, EngineErrorData>('engine/series/watch');
export const SeriesCheckpointNotification = new NotificationType<{ watchId: string; checkpoint: SeriesCheckpointEvent }>('engine/series/checkpoint');
/** The series summary after each checkpoint (series.json as just written). */
export const SeriesSummaryNotification = new NotificationType<{ watchId: string; summary: SeriesResult }>('engine/series/summary');
