/** What a dissection run holds while it runs: the opened models, and each layer's tallies and thresholds. */
import type { Generator, Segmenter } from '../models/contract';
import type { LayerInfo } from '../../shared/models';
import type { Session } from '../models/onnx/session';
import type { ProviderInfo } from '../../shared/models';
import type { LatentSource } from '../models/latents';
import type { Upsampler } from '../data/upsample';
import type { ShardState } from '../parallel/shard-stats';
import type { IouTally } from '../stats/iou-tally';
import { PAIR_FIELDS, type PairField, type ResolvedSettings } from '../../shared/run/schema';

/** The opened models and everything a pass needs. */
export interface RunContext {
  gen: Generator;
  seg: Segmenter;
  layers: LayerInfo[];
  settings: ResolvedSettings;
  key: string;
  provider: ProviderInfo;
  latents: LatentSource;
  thresholdLatents: LatentSource;
  batch: number;
  session?: Session;
  /** The segmentation's resolution [H, W] (found by segmenting one generated image). */
  segShape: [number, number];
  /** Statistics threads (0: on this thread). */
  workers: number;
  /** [3, H, W] of a generated image. */
  imageShape: [number, number, number];
}

export interface LayerTallies {
  layer: LayerInfo;
  up: Upsampler;
  /** This phase's whole-layer state as the statistics threads last reported it (for a checkpoint). */
  gathered?: ShardState;
  levels?: Float32Array;
  thresholds?: Float32Array;
  thresholdInfo?: ThresholdInfo[];
  /** `iqr` mode: every (unit, label) pair's best qualified level (Eq. 2's t_{u,c}), units × labels. */
  pairs?: PairArrays;
  iou?: IouTally;
}

export interface ThresholdInfo {
  /** Label of the unit's best qualified (label, level) pair on the threshold-selection set (rule 6). */
  label: number;
  iqr: number;
  /** Top-fraction of the chosen level. */
  fraction: number;
  /** The report's iqr_label (rule 7: pairs with top-fraction > 0.5 left out). */
  reportLabel?: number;
}

/** `iqr` mode's per-pair arrays (PAIR_FIELDS), units × labels, float32. */
export type PairArrays = Record<PairField, Float32Array>;

/** The pair arrays, each from `get(field)`. */
export function pairArrays(get: (f: PairField) => Float32Array): PairArrays {
  return Object.fromEntries(PAIR_FIELDS.map((f) => [f, get(f)])) as PairArrays;
}
