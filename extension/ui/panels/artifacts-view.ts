/**
 * Builds the artifacts panel's view model (shared/webview/artifacts.ts) from a run folder: the layer's
 * artifacts result (artifacts/LAYER/artifacts.json) as the panel shows it, its strips and repair pairs as
 * image URIs with their sizes, joined with the dissection's labels and the user's flags. No `vscode` here:
 * the caller passes how a file becomes a webview URI.
 */
import * as path from 'node:path';
import type { ArtifactsResult, LayerResult } from '../../shared/run/schema';
import type { ArtifactRow, ArtifactsResultView, ArtifactsView, ImageRef, RepairView } from '../../shared/webview/artifacts';
import { RunFolder } from '../../shared/run/folder';
import type { RunInfo } from '../run-index';
import { pngSize } from './png-size';

/** A file as the webview shows it, or undefined where it is not a readable PNG. */
function imageRef(file: string, uri: (file: string) => string): ImageRef | undefined {
  const size = pngSize(file);
  return size && { src: uri(file), ...size };
}

/** The repair's measure with its pairs' files (named relative to the run folder) as images; pairs whose files are gone are left out. */
function repairView(folder: RunFolder, r: NonNullable<ArtifactsResult['repair']>, uri: (file: string) => string): RepairView {
  const at = (name: string) => (path.isAbsolute(name) ? name : folder.file(name));
  const pairs: RepairView['pairs'] = [];
  for (const p of r.pairs) {
    const before = imageRef(at(p.before), uri);
    const after = imageRef(at(p.after), uri);
    if (before && after) pairs.push({ sample: p.sample, before, after });
  }
  return { ...r, pairs };
}

/** The result as the panel shows it: units least realistic first, with their strips, dissection labels and automatic flags. */
export function artifactsResultView(run: RunInfo, layer: LayerResult, r: ArtifactsResult, uri: (file: string) => string): ArtifactsResultView {
  const folder = new RunFolder(run.out);
  const realism = new Map(r.units.map((u) => [u.unit, u]));
  const dissected = new Map(layer.units.map((u) => [u.unit, u]));
  const auto = new Set(r.flagged);
  const rows: ArtifactRow[] = [];
  for (const unit of r.ranking) {
    const u = realism.get(unit);
    if (!u) continue;
    const d = dissected.get(unit);
    const strip = imageRef(folder.artifactStripFile(r.layer, unit), uri);
    rows.push({
      rank: u.rank,
      unit,
      distance: u.distance,
      ...(d && d.category !== '-' ? { label: d.label, category: d.category, interpretable: d.interpretable } : {}),
      auto: auto.has(unit),
      ...(strip ? { strip } : {}),
    });
  }
  return {
    features: r.features,
    reference: r.reference,
    samples: r.samples,
    seed: r.seed,
    top: r.top,
    rows,
    flagged: r.flagged,
    flagCount: r.flagCount,
    ...(r.repair ? { repair: repairView(folder, r.repair, uri) } : {}),
    ...(r.realistic ? { realistic: r.realistic } : {}),
    provider: r.provider,
    seconds: r.timings.seconds,
    created: r.created,
  };
}

/** The panel's view of a dissected layer: its artifacts result (if any) and the user's flags now. */
export function artifactsView(
  run: RunInfo,
  layer: LayerResult,
  result: ArtifactsResult | undefined,
  manual: Iterable<number>,
  uri: (file: string) => string,
): ArtifactsView {
  return {
    runId: run.out,
    model: path.basename(run.result.settings.generator.path),
    layer: layer.layer,
    units: layer.shape[0],
    manual: [...manual].sort((a, b) => a - b),
    ...(result ? { result: artifactsResultView(run, layer, result, uri) } : {}),
  };
}
