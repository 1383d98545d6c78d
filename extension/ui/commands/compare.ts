/**
 * Comparing runs (the paper's Fig. 5–7, 19): all layers of one run in one view, and runs' layers side by
 * side with the diff of two runs of a layer — from the tree (one node, or several selected), the layer
 * panel, or a quick pick.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { CompareItem } from '../../shared/webview/common';
import { checkpointRun, type Node } from '../tree';
import { latestLayer } from '../run-index';
import { compareIdentity } from '../panels/compare-panel';
import { register, type CommandServices } from './services';

/** The runs' layers tree nodes stand for: a dissected layer (or one of its units), a checkpoint, a series' checkpoints, a model's dissected layers. */
function itemsOf(s: CommandServices, nodes: readonly Node[]): CompareItem[] {
  const items: CompareItem[] = [];
  for (const n of nodes) {
    if ((n.kind === 'layer' || n.kind === 'unit') && n.run) items.push({ runId: n.run.out, layer: n.layer.name });
    else if (n.kind === 'checkpoint') {
      const layer = n.layer?.layer ?? (n.checkpoint.layers.length === 1 ? n.checkpoint.layers[0].layer : undefined);
      items.push({ runId: checkpointRun(n.series, n.checkpoint), ...(layer ? { layer } : {}) });
    } else if (n.kind === 'series') {
      const one = n.series.summary.layers.length === 1 ? n.series.summary.layers[0] : undefined;
      for (const c of n.series.summary.checkpoints) items.push({ runId: checkpointRun(n.series, c), ...(one ? { layer: one } : {}) });
    } else if (n.kind === 'model') {
      const runs = s.models.runs(n.model);
      for (const l of n.model.layers ?? []) {
        const found = latestLayer(runs, l.name);
        if (found) items.push({ runId: found.run.out, layer: l.name });
      }
    }
  }
  return items;
}

/** Dissected layers picked from the open models' runs and the series' checkpoints. */
async function pickItems(s: CommandServices): Promise<CompareItem[] | undefined> {
  const choices: (vscode.QuickPickItem & { item: CompareItem })[] = [];
  for (const m of s.models.all())
    for (const run of s.models.runs(m))
      for (const l of run.result.layers)
        choices.push({
          label: `${m.name} · ${l.layer}`,
          description: `${l.summary.interpretable}/${l.summary.units} interpretable · ${path.basename(run.out)}`,
          item: { runId: run.out, layer: l.layer },
        });
  for (const series of s.models.series())
    for (const c of series.summary.checkpoints)
      for (const l of c.layers)
        choices.push({
          label: `step ${c.step} · ${l.layer}`,
          description: `${l.interpretable}/${l.units} interpretable · ${path.basename(c.file)}`,
          item: { runId: checkpointRun(series, c), layer: l.layer },
        });
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('Nothing dissected to compare yet: dissect a layer or watch a training folder first.');
    return undefined;
  }
  const picks = await vscode.window.showQuickPick(choices, { title: 'Compare which layers?', canPickMany: true });
  return picks && picks.length > 0 ? picks.map((p) => p.item) : undefined;
}

export function registerCompareCommands(s: CommandServices): void {
  /** Runs side by side: the tree's selection (or the node clicked), the items given, or a pick. */
  register(s, 'ganDissection.compareRuns', async (arg?: { items: CompareItem[] } | Node, selected?: readonly Node[]) => {
    let items: CompareItem[] | undefined;
    if (arg && 'kind' in arg) items = itemsOf(s, selected && selected.length > 0 ? selected : [arg]);
    else items = arg?.items ?? (await pickItems(s));
    if (!items) return undefined;
    if (items.length === 0) {
      void vscode.window.showInformationMessage('Select dissected layers or checkpoints (Ctrl/Cmd-click for several) to compare them.');
      return undefined;
    }
    s.panels.show('compare', compareIdentity(items));
    return items;
  });

  /** All layers of one run (the paper's Fig. 19 and Fig. 6). */
  register(s, 'ganDissection.compareLayers', async (arg?: { runId: string } | Node) => {
    let runId: string | undefined;
    if (arg && 'kind' in arg) {
      if ((arg.kind === 'layer' || arg.kind === 'unit') && arg.run) runId = arg.run.out;
      else if (arg.kind === 'checkpoint') runId = checkpointRun(arg.series, arg.checkpoint);
      else if (arg.kind === 'model') runId = s.models.runs(arg.model)[0]?.out;
      if (!runId) {
        void vscode.window.showInformationMessage('Dissect this model’s layers first: the comparison shows a run’s layers.');
        return undefined;
      }
    } else runId = arg?.runId ?? (await s.panels.pickLayer('Compare the layers of which run?'))?.run.out;
    if (!runId) return undefined;
    s.panels.show('compare', compareIdentity([{ runId }]));
    return runId;
  });
}
