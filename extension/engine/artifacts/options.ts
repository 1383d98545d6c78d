/**
 * What an artifacts run takes (gan-dissect artifacts, the engine process's ArtifactsJobRequest), with the
 * defaults that run on a laptop CPU in minutes: the top 5% of 4,000 samples per unit (the paper: the top
 * 10,000 of 200,000, against 50,000 real images).
 */
import type { GeneratorSpec, ProviderRequest, SegmenterSpec } from '../../shared/models';

/** The image model whose features the Fréchet distance is measured in. */
export interface FeatureSpec {
  /** An ONNX image model (e.g. an Inception-v3 export, for a true FID); none: the segmenter itself. */
  path?: string;
  /** Its output (or, for the segmenter, an internal tensor); [N, d] taken as is, [N, C, h, w] pooled over space. */
  output?: string;
  /** The range its input takes (default [-1, 1]); the image is resized to its declared input size. */
  range?: [number, number];
}

export interface ArtifactsOptions {
  generator: GeneratorSpec;
  segmenter: SegmenterSpec;
  layer: string;
  /** The run folder the results go into (artifacts/LAYER/); a dissection of the layer there is used when present. */
  out: string;
  /** Generated samples to search (default 4000). */
  samples?: number;
  /** Top samples per unit (default 5% of the samples, at least 20). */
  top?: number;
  /** Seed of the searched samples' latents (default 1: the dissection's own samples). */
  seed?: number;
  features?: FeatureSpec;
  /** A folder of real images (PNG/JPEG) as the reference; none: the whole generated sample. */
  real?: string;
  /** At most this many real images (default 10,000). */
  realLimit?: number;
  /** How many of the least realistic units to flag automatically (default 20 of 512, in proportion, at least 1). */
  flag?: number;
  /** The repair's measure (Table 1); false skips it. Units: the automatic flags unless given. */
  repair?: false | { units?: number[]; samples?: number; draws?: number; seed?: number };
  /** Realistic units only (S-6.3): units whose distance is above this are left out (default: the flagged ones). */
  realisticBelow?: number;
  batch?: number;
  /** Keep pass 1's features of every sample (where they fit in FEATURE_CACHE_BYTES; default yes), so pass 2 generates nothing again. */
  featureCache?: boolean;
  provider?: ProviderRequest;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
  onLog?: (line: string) => void;
}

export const ARTIFACT_DEFAULTS = {
  samples: 4000,
  topShare: 0.05,
  minTop: 20,
  seed: 1,
  realLimit: 10000,
  repairSamples: 500,
  draws: 5,
  repairSeed: 5,
};

/** Top samples per unit for N samples: 5% of them, at least 20 (and at most N). */
export function defaultTop(samples: number): number {
  return Math.min(samples, Math.max(ARTIFACT_DEFAULTS.minTop, Math.round(samples * ARTIFACT_DEFAULTS.topShare)));
}

/** Units flagged automatically in a layer of C units: the paper's 20 of 512, in proportion, at least 1. */
export function defaultFlagCount(C: number): number {
  return Math.max(1, Math.round((C * 20) / 512));
}
