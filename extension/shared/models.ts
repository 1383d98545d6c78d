/**
 * The model contract as plain data (README: "Conventions"): what names a generator and a segmenter, the
 * layers a generator exposes, and the execution provider. The engine opens the models
 * (engine/models/contract.ts); the host and the project files only pass these around.
 */

/** Value range of an image tensor, e.g. [-1, 1]. */
export type Range = [number, number];

export interface SegmenterInputSpec {
  /** Value range the segmenter expects before mean/std (e.g. [-1, 1] or [0, 1] or [0, 255]). */
  range: Range;
  mean?: [number, number, number];
  std?: [number, number, number];
  channels: 'RGB' | 'BGR';
  /** Fixed input size [H, W], or undefined to pass the image at its own size. */
  size?: [number, number];
}

/**
 * What a generator input other than the latent gets, per sample (engine/models/inputs.ts): a fixed number
 * or list of numbers, a fresh normal draw ("normal", noise maps), zeros, or a class — random over K
 * classes, or one class k for every sample (one-hot float or integer index inputs).
 */
export type InputChoice = number | number[] | 'normal' | 'uniform' | 'zeros' | { class: 'random'; classes: number } | { class: number };

export interface GeneratorSpec {
  path: string;
  /** Name of the latent input; default: the one float input. */
  latent?: string;
  /** Values for other inputs (InputChoice; detected where not given, and recorded in the results). */
  inputs?: Record<string, InputChoice>;
  /** One class for every class input whose value is not given (`--class K`); default: a random class per sample. */
  class?: number;
  /** Name of the image output; default: the first output. */
  output?: string;
  /** Value range of the image; default [-1, 1]. */
  range?: Range;
}

export interface SegmenterSpec {
  path: string;
  labels: string;
  /** Names of the logits outputs; default: all outputs. */
  outputs?: string[];
  input?: Partial<SegmenterInputSpec>;
  /** Concepts to split into quad parts (c-t, c-b, c-l, c-r), or "all" objects. */
  quad?: string[] | 'all';
}

export interface LayerInfo {
  /** The name shown to users: the module path where the graph has one, else the tensor name. */
  name: string;
  tensor: string;
  /** Other module paths whose output is this tensor. */
  aliases: string[];
  /** [C, h, w] */
  shape: [number, number, number];
  /** 'nhwc': the graph holds it channels-last ([N, h, w, C]); the engine reads and feeds it as [C, h, w]. */
  layout?: 'nhwc';
}

export type ProviderRequest = 'auto' | 'cpu' | 'cuda' | 'webgpu';

export interface ProviderInfo {
  /** The provider sessions actually run on. */
  name: 'cpu' | 'cuda' | 'webgpu';
  requested: ProviderRequest;
  /** Why the requested provider was not used, when it was not. */
  fallback?: string;
}
