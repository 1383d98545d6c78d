/** Builds the layer and unit panels' view models (shared/webview/layer.ts, unit.ts) from runs on disk, with image URIs for the webview. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { LayerView, UnitRow } from '../../shared/webview/layer';
import type { UnitRealismView, UnitView } from '../../shared/webview/unit';
import { layerFlags, type LayerFlags, type RunInfo } from '../run-index';
import type { LayerResult, UnitResult } from '../../shared/run/schema';
import { tileSize, GAP } from '../../shared/run/strip-layout';
import { RunFolder } from '../../shared/run/folder';

/** A unit's row: its result as dissect.json has it, with its strip as a webview URI, the user's flag and the automatic one. */
function unitRow(webview: vscode.Webview, run: RunInfo, u: UnitResult, flags: LayerFlags): UnitRow {
  const { image, ...rest } = u;
  return {
    ...rest,
    ...(image ? { image: webview.asWebviewUri(vscode.Uri.file(new RunFolder(run.out).file(image))).toString() } : {}),
    flagged: flags.manual.has(u.unit),
    ...(flags.auto.has(u.unit) ? { autoFlagged: true } : {}),
  };
}

/** A unit's realism score in the layer's artifacts result, if it has one. */
function unitRealism(flags: LayerFlags, unit: number): UnitRealismView | undefined {
  const a = flags.artifacts;
  const r = a?.units.find((x) => x.unit === unit);
  if (!a || !r) return undefined;
  return { distance: r.distance, rank: r.rank, of: a.ranking.length, label: a.features.label, reference: a.reference.label };
}

/** What the layer and unit views share: the run, the layer, the strip geometry, the flags (the user's and the automatic ones). */
function common(run: RunInfo, l: LayerResult) {
  const t = tileSize(run.result.image.height, run.result.image.width);
  return {
    base: {
      runId: run.out,
      model: path.basename(run.result.settings.generator.path),
      layer: l.layer,
      shape: l.shape,
      tile: { width: t.width, height: t.height, gap: GAP },
    },
    flags: layerFlags(run.out, l.layer),
  };
}

export function layerView(webview: vscode.Webview, run: RunInfo, l: LayerResult, hasSource: boolean): LayerView {
  const { base, flags } = common(run, l);
  return {
    ...base,
    threshold: run.result.settings.threshold,
    samples: run.result.settings.samples,
    provider: run.result.provider.name,
    units: l.units.map((u) => unitRow(webview, run, u, flags)),
    summary: l.summary,
    hasSource,
  };
}

export function unitView(webview: vscode.Webview, run: RunInfo, l: LayerResult, unit: number, hasSource: boolean): UnitView {
  const { base, flags } = common(run, l);
  const realism = unitRealism(flags, unit);
  return { ...base, unit: unitRow(webview, run, l.units[unit], flags), hasSource, ...(realism ? { realism } : {}) };
}
