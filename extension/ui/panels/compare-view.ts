/**
 * Builds the compare panel's view model (shared/webview/compare.ts) from run folders: each item's layers
 * (one, or all of the run's) as shared/run/compare.ts layerFigures with the realism of their artifacts
 * runs, and the diffLayers of every two rows of the same layer with the same units; and the comparison
 * as one HTML page (shared/report/compare.ts). No `vscode` here.
 */
import * as path from 'node:path';
import type { CompareItem } from '../../shared/webview/common';
import type { ComparedRow, CompareView } from '../../shared/webview/compare';
import type { LayerResult } from '../../shared/run/schema';
import { RunFolder, SeriesFolder } from '../../shared/run/folder';
import { diffLayers, layerFigures } from '../../shared/run/compare';
import { comparisonHtml } from '../../shared/report/compare';

/** How a run is named in the comparison: "step 12000" for a checkpoint of a series, else "generator.onnx · its folder". */
export function runName(runId: string, generatorPath: string): string {
  const step = /^step-(\d+)$/.exec(path.basename(runId));
  if (step && SeriesFolder.isSeries(path.dirname(runId))) return `step ${step[1]}`;
  return `${path.basename(generatorPath)} · ${path.basename(runId)}`;
}

interface Compared {
  row: ComparedRow;
  layer: LayerResult;
}

/** The items' layers, in the items' order (each run's layers in its own order); a run or layer named twice comes once. */
function compared(items: CompareItem[]): Compared[] {
  const out: Compared[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const folder = new RunFolder(item.runId);
    const result = folder.result(`${item.runId} holds no dissection (it was deleted?)`);
    const layers = item.layer ? result.layers.filter((l) => l.layer === item.layer) : result.layers;
    if (item.layer && layers.length === 0) throw new Error(`${item.runId} did not dissect ${item.layer}`);
    for (const l of layers) {
      const key = `${item.runId}\u0000${l.layer}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        row: {
          ...layerFigures(l, folder.readArtifacts(l.layer)),
          runId: item.runId,
          run: runName(item.runId, result.settings.generator.path),
          model: path.basename(result.settings.generator.path),
        },
        layer: l,
      });
    }
  }
  return out;
}

/** All layers of one run (one item without a layer), or the runs' layers side by side with their diffs. */
export function compareView(items: CompareItem[]): CompareView {
  if (items.length === 0) throw new Error('nothing to compare');
  const c = compared(items);
  const layersOfOne = items.length === 1 && !items[0].layer;
  const diffs: CompareView['diffs'] = [];
  if (!layersOfOne)
    for (let a = 0; a < c.length; a++)
      for (let b = a + 1; b < c.length; b++)
        if (c[a].layer.layer === c[b].layer.layer && c[a].layer.units.length === c[b].layer.units.length)
          diffs.push({ a, b, diff: diffLayers(c[a].layer, c[b].layer) });
  const runs = new Set(c.map((x) => x.row.runId)).size;
  return {
    items,
    mode: layersOfOne ? 'layers' : 'runs',
    title: layersOfOne
      ? `${c[0]?.row.run ?? path.basename(items[0].runId)}: all ${c.length} layer${c.length === 1 ? '' : 's'}`
      : `${c.length} layer${c.length === 1 ? '' : 's'} of ${runs} run${runs === 1 ? '' : 's'} side by side`,
    rows: c.map((x) => x.row),
    diffs,
  };
}

/** The comparison as one self-contained HTML page, with the diff of rows `diff.a` and `diff.b` where given. */
export function compareHtml(view: CompareView, diff?: { a: number; b: number }): string {
  const d = diff && view.diffs.find((x) => x.a === diff.a && x.b === diff.b);
  return comparisonHtml(view.rows, d ? [d.diff] : [], d ? [view.rows[d.a].run, view.rows[d.b].run] : []);
}
