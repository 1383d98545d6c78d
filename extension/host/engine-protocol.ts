/**
 * The typed RPC between the extension host and the engine process (vscode-jsonrpc over Node IPC).
 * Everything here is plain JSON; progress comes back as notifications tagged with the run's id, and a
 * request is cancelled with the client's CancellationToken (the engine saves its work and stops).
 */
import { RequestType, NotificationType } from 'vscode-jsonrpc';
import type { GeneratorSpec, SegmenterSpec, LayerInfo } from '../engine/models';
import type { DissectSettings } from '../engine/dissect';
import type { DissectResult } from '../engine/results';
import type { Progress } from '../engine/progress';
import type { ProviderInfo, ProviderRequest } from '../engine/onnx/session';

export interface LayersParams {
  generator: GeneratorSpec;
}

export interface LayersResult {
  latent: { name: string; shape: number[] };
  layers: LayerInfo[];
  provider: ProviderInfo;
}

export interface DissectParams extends DissectSettings {
  runId: string;
  generator: GeneratorSpec;
  segmenter: SegmenterSpec;
  out: string;
  batch?: number;
  provider?: ProviderRequest;
  threads?: number;
  resume?: boolean;
  force?: boolean;
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

export interface HeatmapResponse {
  samples: { seed: number; sample: number; image: string; heatmap: string; maxact: number }[];
}

/** Errors carry the engine's code so the UI can say what to do. */
export interface EngineErrorData {
  code: string;
  cancelled?: boolean;
}

export const LayersRequest = new RequestType<LayersParams, LayersResult, EngineErrorData>('engine/layers');
export const DissectRequest = new RequestType<DissectParams, DissectResponse, EngineErrorData>('engine/dissect');
export const HeatmapRequest = new RequestType<HeatmapParams, HeatmapResponse, EngineErrorData>('engine/heatmaps');
export const ProgressNotification = new NotificationType<{ runId: string; progress: Progress }>('engine/progress');
export const LogNotification = new NotificationType<{ line: string }>('engine/log');
