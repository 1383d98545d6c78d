/**
 * The generator and segmenter a run was made with, as specs to open them again (from the run's resolved
 * settings in dissect.json): what the preview, the heatmaps, the merge of shards and the engine's jobs use.
 */
import type { GeneratorSpec, SegmenterSpec } from '../models';
import type { ResolvedSettings } from './schema';

export function generatorSpecOf(settings: Pick<ResolvedSettings, 'generator'>): GeneratorSpec {
  const g = settings.generator;
  return { path: g.path, latent: g.latent, output: g.output, range: g.range, ...(g.inputs ? { inputs: g.inputs } : {}) };
}

export function segmenterSpecOf(settings: Pick<ResolvedSettings, 'segmenter'>): SegmenterSpec {
  const s = settings.segmenter;
  return { path: s.path, labels: s.labels, outputs: s.outputs, input: s.input, quad: s.quad };
}
