/**
 * The Training panel's protocol (the paper's S-6.6, Fig. 18): a checkpoint series (series.json) as charts
 * over the training steps — interpretable units, concepts, mean IoU, units per concept — and a unit
 * timeline (a unit's label, IoU and top images at each checkpoint). While the training folder is watched the
 * host posts the series after each checkpoint (`training`) and what the watch is doing (`watch`).
 */
import type { LayerFigures, SeriesResult } from '../run/schema';
import type { CompareItem, ImageRef, PanelProtocol, ReadyMessage } from './common';

export type { LayerFigures } from '../run/schema';

/** One checkpoint of the series: its step, file, run folder and its layers' figures. */
export interface TrainingCheckpoint {
  step: number;
  /** The checkpoint file's name. */
  file: string;
  /** Its run folder. */
  runId: string;
  layers: LayerFigures[];
}

/** What the watch of the training folder is doing. */
export type WatchStatus =
  | { state: 'dissecting'; step: number; index: number; total: number; /** 0–1: how far the checkpoint's dissection is */ done?: number }
  | { state: 'watching'; checkpoints: number }
  | { state: 'stopped' };

export interface TrainingView {
  /** The series folder. */
  seriesId: string;
  /** The glob or folder the checkpoints come from, and how it is shown (relative to the workspace: "ckpt/", "ckpt/G_*.onnx"). */
  pattern: string;
  display: string;
  settings: SeriesResult['settings'];
  layers: string[];
  /** By step. */
  checkpoints: TrainingCheckpoint[];
  /** A colour per concept: its segmenter label's colour (colours.ts hexColour). */
  colours: Record<string, string>;
  watch: WatchStatus;
  updated: string;
}

/** "dissecting step 12000 · 3 of 5", "watching ckpt/ · 5 checkpoints", "not watching": the status bar's and the panel's words. */
export function watchStatusText(status: WatchStatus, display: string): string {
  switch (status.state) {
    case 'dissecting':
      return `dissecting step ${status.step} · ${status.index} of ${status.total}`;
    case 'watching':
      return `watching ${display} · ${status.checkpoints} checkpoint${status.checkpoints === 1 ? '' : 's'}`;
    case 'stopped':
      return 'not watching';
  }
}

/** Persisted by the webview so a reload restores the panel and what it showed. */
export interface TrainingPanelState {
  runId?: string;
  layer?: string;
  /** The layer the charts and the timeline show. */
  shown?: string;
  /** Units in the timeline. */
  units?: number[];
  filter?: string;
}

export type TrainingHostMessage = { type: 'training'; view: TrainingView } | { type: 'watch'; status: WatchStatus };

export type TrainingWebviewMessage =
  | ReadyMessage
  /** Open a checkpoint's layer panel. */
  | { type: 'openCheckpoint'; runId: string; layer: string }
  | { type: 'stopWatch' }
  /** Open the compare panel on checkpoints (their run folders and a layer). */
  | { type: 'compare'; items: CompareItem[] };

/** A unit's top-image strip at one checkpoint. */
export interface StepStrip {
  step: number;
  unit: number;
  strip: ImageRef;
}

export interface TrainingRequests {
  /** The strips of `units` of `layer` at every checkpoint that has them. */
  strips: { params: { layer: string; units: number[] }; result: StepStrip[] };
}

export type TrainingProtocol = PanelProtocol<TrainingHostMessage, TrainingWebviewMessage, TrainingRequests>;
