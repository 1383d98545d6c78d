/**
 * The intervention panel's protocol (the paper's §3.2): a dissected layer and a few fixed samples; every edit
 * of the spec asks the host for a preview of those samples, before and after.
 */
import type { InterventionSpec, PreviewResult } from '../intervention';
import type { LabelColour, PanelProtocol, ReadyMessage } from './common';

export type { InsertionChoice, InterventionSpec, PreviewResult } from '../intervention';
export { DEFAULT_INSERTION, INSERTION_CHOICES, MAX_STRENGTH, defaultUnitCount } from '../intervention';
export type { LabelColour } from './common';

/** What the intervention panel works on: a dissected layer and a few fixed samples ("seeds"). */
export interface InterventionView {
  runId: string;
  model: string;
  layer: string;
  /** [C, h, w] of the layer. */
  shape: [number, number, number];
  image: { width: number; height: number };
  labels: LabelColour[];
  /** The dissection's units, to choose by hand. */
  units: { unit: number; label: string; iou: number }[];
  /** Unit rankings per concept, best first: by IoU (always) and by causal effect (once computed). */
  rankings: Record<string, { iou: number[]; ace?: number[] }>;
  /** The samples shown, unedited: image and segmentation as webview URIs. */
  samples: { sample: number; before: string; segBefore: string }[];
  /** Preset from "ablate/insert these units" in another panel. */
  initial?: InterventionSpec;
}

export type InterveneHostMessage = { type: 'intervention'; view: InterventionView };

export type InterveneWebviewMessage =
  | ReadyMessage
  /** Put text on the clipboard (the intervention as JSON). */
  | { type: 'copy'; text: string }
  /** Save the edited image of one sample (the host asks where). */
  | { type: 'saveImage'; sample: number };

export interface InterveneRequests {
  /** The samples edited by `spec`, with their segmentations and label changes. */
  preview: { params: { spec: InterventionSpec }; result: PreviewResult };
}

export type InterveneProtocol = PanelProtocol<InterveneHostMessage, InterveneWebviewMessage, InterveneRequests>;
