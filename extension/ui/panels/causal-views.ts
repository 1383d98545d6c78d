/**
 * The causal panel's views of the engine's results (extension/shared/run/schema.ts → the webview protocol in
 * extension/shared/webview/causal.ts): what the engine computed, nothing derived; files as webview URIs.
 * No `vscode` import: tested in plain Node.
 */
import type { AceResult, CausalResult, ContextResult, TraceResult } from '../../shared/run/schema';
import type { AceView, CausalConceptResult, ContextView, InsertionChoice, TraceView } from '../../shared/webview/causal';
import { JobFolder } from '../../shared/run/folder';

/** A file as a URI the webview may load. */
export type ToUri = (file: string) => string;

export function toAceView(a: AceResult): AceView {
  return {
    ace: a.ace,
    removed: a.removed,
    added: a.added,
    ci: { ace: a.ci.ace, removed: a.ci.removed, added: a.ci.added },
    ...(a.atLocation ? { atLocation: { added: a.atLocation.added, ace: a.atLocation.ace, ci: { ...a.atLocation.ci } } } : {}),
  };
}

export function toCausalView(r: CausalResult, insertion?: InsertionChoice): CausalConceptResult {
  return {
    concept: r.concept,
    units: r.units,
    ...(r.iouUnits ? { iouUnits: r.iouUnits } : {}),
    curves: r.curves,
    ace: toAceView(r.ace),
    ...(r.iouAce ? { iouAce: toAceView(r.iouAce) } : {}),
    samples: r.samples,
    ...(insertion ? { insertion } : {}),
  };
}

export function toContextView(r: ContextResult, uri: ToUri): ContextView {
  return {
    concept: r.concept,
    units: r.units,
    byClass: Object.entries(r.by_class)
      .map(([label, gain]) => ({ label, gain, count: r.counts[label] }))
      .sort((a, b) => b.gain - a.gain),
    grid: r.grid,
    heatmaps: (r.heatmaps ?? []).map((h) => ({
      sample: h.sample,
      image: uri(h.image),
      heatmap: uri(h.heatmap),
      ...(h.boxes ? { boxes: uri(h.boxes) } : {}),
    })),
  };
}

/** `folder`: the trace's job folder (its image names are relative to it). */
export function toTraceView(r: TraceResult, folder: JobFolder, uri: ToUri, insertion?: InsertionChoice): TraceView {
  const { images, ...rest } = r;
  return {
    ...rest,
    ...(images ? { images: { sample: uri(folder.file(images.sample)), heatmap: uri(folder.file(images.heatmap)) } } : {}),
    ...(insertion ? { insertion } : {}),
  };
}
