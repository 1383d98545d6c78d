/** Builds the layer and unit panels' view models (shared/webview/layer.ts, unit.ts) from runs on disk, with image URIs for the webview. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { LayerView, UnitRow } from '../../shared/webview/layer';
import type { UnitView } from '../../shared/webview/unit';
import type { RunInfo } from '../run-index';
import { readFlags } from '../run-index';
import type { LayerResult, UnitResult } from '../../shared/run/schema';
import { tileSize, GAP } from '../../shared/run/strip-layout';
import { RunFolder } from '../../shared/run/folder';

/** A unit's row: its result as dissect.json has it, with its strip as a webview URI and the user's flag. */
function unitRow(webview: vscode.Webview, run: RunInfo, u: UnitResult, flagged: Set<number>): UnitRow {
  const { image, ...rest } = u;
  return {
    ...rest,
    ...(image ? { image: webview.asWebviewUri(vscode.Uri.file(new RunFolder(run.out).file(image))).toString() } : {}),
    flagged: flagged.has(u.unit),
  };
}

/** What the layer and unit views share: the run, the layer, the strip geometry, the user's flags. */
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
    flagged: new Set(readFlags(run.out)[l.layer] ?? []),
  };
}

export function layerView(webview: vscode.Webview, run: RunInfo, l: LayerResult, hasSource: boolean): LayerView {
  const { base, flagged } = common(run, l);
  return {
    ...base,
    threshold: run.result.settings.threshold,
    samples: run.result.settings.samples,
    provider: run.result.provider.name,
    units: l.units.map((u) => unitRow(webview, run, u, flagged)),
    summary: l.summary,
    hasSource,
  };
}

export function unitView(webview: vscode.Webview, run: RunInfo, l: LayerResult, unit: number, hasSource: boolean): UnitView {
  const { base, flagged } = common(run, l);
  return { ...base, unit: unitRow(webview, run, l.units[unit], flagged), hasSource };
}
