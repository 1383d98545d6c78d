/**
 * The result of a dissection as it is written to a run folder (`dissect.json`): one family of types for
 * the engine, the engine process, the extension host and the webviews' hosts. Field names follow the
 * reference's dissect.json where there is one (CSAILVision/gandissect, netdissect/dissection.py).
 */
import type { InsertionChoice } from '../intervention';
import type { ProviderInfo, ProviderRequest } from '../models';
import type { GeneratorSpec, SegmenterSpec, SegmenterInputSpec } from '../models';

/** The dissection's settings a user chooses (a project file's `settings`, the CLI's flags). */
export interface DissectSettings {
  layers?: string[];
  samples?: number;
  seed?: number;
  latents?: string;
  thresholdSamples?: number;
  thresholdSeed?: number;
  thresholdLatents?: string;
  threshold?: 'iqr' | 'quantile';
  quantile?: number;
  topk?: number;
  /** A unit is interpretable when IoU(label) > iouMin and IQR(label) > iqrMin. */
  iouMin?: number;
  iqrMin?: number;
}

/** A dissection to run, as JSON (the engine process's request, the CLI's flags): models, settings, where and how. */
export interface DissectJob extends DissectSettings {
  generator: GeneratorSpec;
  segmenter: SegmenterSpec;
  out: string;
  batch?: number;
  provider?: ProviderRequest;
  threads?: number;
  /** Statistics threads (default: one per core beyond the first, at most 8; 0 = on the calling thread). */
  workers?: number;
  resume?: boolean;
  /** Overwrite an incompatible earlier run in `out`. */
  force?: boolean;
}

/** Everything that determines the numbers of a run; its hash keys the cache. */
export interface ResolvedSettings {
  formatVersion: number;
  generator: {
    path: string;
    sha256: string;
    latent: string;
    latentShape: number[];
    output: string;
    range: [number, number];
    inputs?: GeneratorSpec['inputs'];
  };
  segmenter: {
    path: string;
    sha256: string;
    labels: string;
    labelsSha256: string;
    outputs: string[];
    input: SegmenterInputSpec;
    quad: SegmenterSpec['quad'];
  };
  layers: { name: string; tensor: string; shape: [number, number, number] }[];
  samples: number;
  latents: { seed: number } | { file: string; sha256: string };
  thresholdSamples: number;
  thresholdLatents: { seed: number } | { file: string; sha256: string };
  threshold: 'iqr' | 'quantile';
  quantile: number;
  /**
   * What the quantiles are taken over: `iqr` mode's candidate levels over the activations upsampled to
   * the segmentation (the reference's `collect_iqr`), `quantile` mode's level over the raw featuremap
   * values (the ICLR code's `quantile` mode).
   */
  quantileOver: 'featuremap' | 'upsampled';
  /**
   * How the quantiles are found: `iqr` mode's levels from a joint histogram (unit × value bin × label,
   * stats/iqr-hist.ts) filled in the same pass as the counts, its binning in `levelBins`; `quantile` mode's
   * from the streaming compactor sketch with exact zeros (stats/quantile.ts). Runs from before the joint
   * histogram say `compactor+zeros` in both modes.
   */
  quantileSketch: 'compactor+zeros' | 'joint-histogram';
  levelBins?: string;
  iqrLevels: number;
  sketchK: number;
  upsampling: 'bilinear-border';
  topk: number;
  iouMin: number;
  iqrMin: number;
}

/**
 * Per (unit, label) arrays of `iqr` mode, units × labels, float32 (the reference's names): max_iqr, the
 * level t_{u,c} that reaches it (Eq. 2), its top-fraction, the IoU there and the agreement there, all on
 * the threshold-selection set.
 */
export const PAIR_FIELDS = ['iqr', 'level', 'fraction', 'iou', 'agreement'] as const;
export type PairField = (typeof PAIR_FIELDS)[number];
// Their files: folder.ts PAIR_FILES.

/** A unit as a detector of one concept, at that concept's own threshold t_{u,c} (`iqr` mode). */
export interface Detector {
  label: string;
  category: string;
  /** IoU and IQR at t_{u,c} on the threshold-selection set. */
  iou: number;
  iqr: number;
  threshold: number;
}

/** Per-concept ranking of a layer's units, best first. */
export interface Ranking {
  /** `<concept>-iou`, as the reference names its rankings. */
  name: string;
  concept: string;
  /** `max_iqr_iou`: IoU at t_{u,c} (iqr mode); `iou`: IoU at the unit's threshold (quantile mode). */
  metric: 'max_iqr_iou' | 'iou';
  units: number[];
  score: number[];
}
export interface UnitResult {
  unit: number;
  label: string;
  category: string;
  iou: number;
  iqr: number;
  threshold: number;
  interpretable: boolean;
  /** The unit's best concepts by IoU at its threshold (up to 5, IoU > 0). */
  concepts: { label: string; category: string; iou: number }[];
  /** `iqr` mode: the unit's best concepts as detectors at their own thresholds (up to 5, IoU > 0). */
  detectors?: Detector[];
  /** `iqr` mode: the reference report's iqr_label (its best pair with top-fraction ≤ 0.5). */
  iqrLabel?: { label: string; category: string; iqr: number; threshold: number; fraction: number; iou: number };
  /**
   * How sure the label is, over the dissection set's blocks: the jackknife standard error of its IoU and
   * the blocks in which the same label wins alone (labelled units only).
   */
  stability?: { iouSe: number; agree: number; blocks: number };
  top: { sample: number; maxact: number }[];
  /** Strip of the top images, relative to the run folder. */
  image?: string;
}

export interface LayerSummary {
  units: number;
  interpretable: number;
  /** Interpretable units per concept, most first. */
  concepts: { label: string; category: string; count: number }[];
  /** Interpretable units per category. */
  categories: Record<string, number>;
}

export interface LayerResult {
  layer: string;
  tensor: string;
  aliases: string[];
  /** [C, h, w] */
  shape: [number, number, number];
  units: UnitResult[];
  summary: LayerSummary;
  /** Full IoU matrix units × labels, float32 row-major. */
  iouMatrix?: { file: string; shape: [number, number] };
  /** `iqr` mode: the per-pair arrays (PAIR_FIELDS), units × labels, float32 row-major. */
  pairArrays?: Record<PairField, { file: string; shape: [number, number] }>;
  /** Per-concept rankings, for the concepts that label some unit. */
  rankings?: Ranking[];
  stats?: string;
}

export interface DissectResult {
  formatVersion: number;
  tool: 'gan-dissection';
  key: string;
  complete: boolean;
  /** Set for one shard of a run: its statistics only, to be merged. */
  shard?: { index: number; count: number; range: [number, number] };
  settings: ResolvedSettings;
  provider: ProviderInfo;
  labels: { name: string; category: string }[];
  segmentation: { height: number; width: number };
  image: { height: number; width: number };
  timings: { seconds: number };
  layers: LayerResult[];
  created: string;
}

// ---- interventions (intervene/causal.ts: ACE, the causal search, insertion context; the paper's §3.2, §4.3) ----

export interface AceResult {
  removed: number;
  added: number;
  ace: number;
  samples: number;
  /** E[s_c(x)]: the concept's mean pixel fraction in the unedited images. */
  base: number;
  /** 95% intervals (normal approximation over samples, E[s_c(x)] taken as fixed). */
  ci: { removed: [number, number]; added: [number, number]; ace: [number, number] };
  /**
   * The paper's protocol (S-6.4): the units inserted at one uniformly sampled featuremap location per
   * sample (not everywhere), and the ACE against the whole-image ablation.
   */
  atLocation?: { added: number; ace: number; ci: { added: [number, number]; ace: [number, number] } };
}

export interface CausalResult {
  concept: string;
  layer: string;
  /** The causal ranking: units in the order they were chosen. */
  units: number[];
  /** Single-unit ablation effects (fraction of c removed) on the search samples, per unit. */
  singleEffects: number[];
  /** Fraction of c removed by ablating the first k units (k = 1…count) of each ranking (the paper's Fig. 4). */
  curves: { ace: number[]; iou?: number[] };
  /** ACE of the top `count` of each ranking. */
  ace: AceResult;
  iouAce?: AceResult;
  iouUnits?: number[];
  method: string;
  searchSamples: number;
  samples: number;
  /** The insertion the ACE used (shared/intervention.ts); absent in results from before it was recorded. */
  insertion?: InsertionChoice;
}

export interface ContextResult {
  concept: string;
  layer: string;
  units: number[];
  /** Mean fraction of the image's pixels that became c when inserting at a location of this class. */
  by_class: Record<string, number>;
  /** Number of (image, location) pairs per background class. */
  counts: Record<string, number>;
  grid: [number, number];
  /** Per image: gains over the grid of locations (row-major), and each location's background class. */
  maps: { sample: number; gain: number[]; background: string[] }[];
  /** A location creates the concept when its gain is at least this share of the image (and one pixel). */
  visibleMin: number;
  /** The insertion used; absent in results from before it was recorded. */
  insertion?: InsertionChoice;
  /** Files: the first images, their gain heatmaps, and yellow boxes where insertion creates the concept (written by the context job). */
  heatmaps?: { sample: number; image: string; heatmap: string; boxes?: string }[];
}

// ---- artifact units (engine/artifacts/: the paper's S-6.1 realism score, §4.2 Table 1 and 2, S-6.3) ----

/** A unit's realism score: the Fréchet distance of its top samples' features to the reference. */
export interface UnitRealism {
  unit: number;
  /** Fréchet distance in the features the result names (higher: less realistic). */
  distance: number;
  /** 1 = the least realistic unit of the layer. */
  rank: number;
  /** The unit's top samples (by spatial max of its activation), best first: the first few are in its strip. */
  top: number[];
}

/** The Table 1 comparison: the distance to the reference of the generator as it is, repaired, and with random units ablated. */
export interface RepairMeasure {
  /** The units ablated everywhere (the flags, or the n worst). */
  units: number[];
  /** Fresh samples each distance is over. */
  samples: number;
  seed: number;
  original: number;
  repaired: number;
  /** As many random units ablated, several draws: each draw's distance, their mean and its 95% interval (t-based). */
  random: { draws: number[]; mean: number; ci95: [number, number] };
  /** Before/after image pairs of samples where the ablated units fired most (files in the run folder). */
  pairs: { sample: number; before: string; after: string }[];
  /**
   * How far the pixels away from the ablated units move: over the pairs' samples, pixels where no ablated
   * unit is on (activation below its threshold, upsampled to the image) — their share of all pixels, the
   * mean and largest change (in the image's range) and the share that moved more than 1/255 of that range.
   */
  unchanged: { share: number; meanShift: number; maxShift: number; movedShare: number; onShift: number };
}

/** The dissection summary with the least realistic units left out (the paper's S-6.3, Fig. 16). */
export interface RealisticSummary {
  /** Units whose distance is above this are left out. */
  threshold: number;
  /** How the threshold was chosen. */
  rule: string;
  /** Units kept / in the layer. */
  kept: number;
  total: number;
  /** Interpretable units per concept, all units and realistic units only. */
  concepts: { name: string; category: string; all: number; realistic: number }[];
}

/** The realism of a layer's units (artifacts/LAYER/artifacts.json). */
export interface ArtifactsResult {
  formatVersion: 1;
  layer: string;
  tensor: string;
  generator: { path: string; sha256: string };
  /** What the distances are measured in. `label` is what every view shows ("Fréchet distance in the segmenter's features", or FID for an Inception model the user names). */
  features: { kind: 'segmenter' | 'model'; model: string; output: string; dims: number; label: string };
  /** What the top samples are compared with: real images from a folder, or the whole generated sample. */
  reference: { kind: 'real' | 'generated'; dir?: string; count: number; label: string };
  /** Generated samples searched, the seed of their latents, top samples per unit. */
  samples: number;
  seed: number;
  top: number;
  /** Per unit, by unit index. */
  units: UnitRealism[];
  /** Units from least to most realistic. */
  ranking: number[];
  /** The automatic flags: the `flagCount` least realistic units. */
  flagged: number[];
  flagCount: number;
  /** The manual flags (flags.json) at the time, and how the automatic ones agree with them (the paper's Fig. 12). */
  manual: number[];
  agreement?: { precision: number; recall: number; both: number };
  repair?: RepairMeasure;
  realistic?: RealisticSummary;
  provider: string;
  timings: { seconds: number; search: number; features: number; repair: number };
  created: string;
}

// ---- checkpoint series and comparisons (compare.ts; the paper's S-6.6, Fig. 5–7, 18, 19) ----

/** A dissected layer's figures, for comparing runs (compare.ts layerFigures). */
export interface LayerFigures {
  layer: string;
  units: number;
  interpretable: number;
  /** Distinct concepts among the interpretable units. */
  concepts: number;
  /** Interpretable units per concept, most first. */
  unitsPerConcept: { label: string; category: string; count: number }[];
  /** Interpretable units per category (the paper's Fig. 6). */
  categories: Record<string, number>;
  /** Mean IoU of the interpretable units (0 when there are none). */
  meanIou: number;
  /** The generator's Fréchet distance to the reference, from an artifacts run on the layer (its label says in what). */
  realism?: { distance: number; label: string };
  /** Per unit: its label ('-' when uninterpretable) and IoU. */
  labels: string[];
  ious: number[];
}

/** One checkpoint of a series: its file, step and run folder, and its layers' figures. */
export interface SeriesCheckpoint {
  step: number;
  /** Where the step came from: the file name's number, or a sidecar JSON's "step". */
  stepFrom: 'name' | 'sidecar';
  file: string;
  sha256: string;
  /** The checkpoint's run folder, relative to the series folder. */
  run: string;
  layers: LayerFigures[];
}

/** A checkpoint series (series.json): every checkpoint dissected with the same latents and settings. */
export interface SeriesResult {
  formatVersion: 1;
  tool: 'gan-dissection-series';
  /** The glob or folder the checkpoints come from. */
  pattern: string;
  layers: string[];
  /** The settings every checkpoint shares (samples, seeds, threshold). */
  settings: { samples: number; seed: number; threshold: string; thresholdSamples: number };
  /** By step. */
  checkpoints: SeriesCheckpoint[];
  updated: string;
}

/**
 * Tracing an intervention through later layers (the paper's S-6.5, Fig. 17): a concept's units inserted at
 * each location of a grid at layer L; for L and every later layer, the mean change of its featuremaps,
 * each channel divided by its mean L1 magnitude over the unedited samples.
 */
export interface TraceResult {
  concept: string;
  layer: string;
  units: number[];
  /** The insertion used; absent in results from before it was recorded. */
  insertion?: InsertionChoice;
  samples: number;
  grid: [number, number];
  /** L, then the later layers in the generator's order. */
  layers: { layer: string; shape: [number, number, number] }[];
  /** Per layer: the mean normalised change over all insertions, those with a visible effect (the concept appears), and those without. */
  curves: { all: number[]; visible: number[]; invisible: number[] };
  counts: { visible: number; invisible: number };
  /** Per grid location (row-major): the mean normalised change of the last layer, and the share of samples where the concept appeared. */
  heatmap: number[];
  visibleShare: number[];
  /** An insertion is visible when the concept gains at least this share of the image's pixels (and one pixel). */
  visibleMin: number;
  /** Files: the heatmap of the last layer's change over the grid, beside the first sample. */
  images?: { sample: string; heatmap: string };
}
