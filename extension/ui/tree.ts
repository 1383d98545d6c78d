/** The tree of models → layers (shape, interpretable units) → units (label, IoU; sorted by IoU). */
import * as vscode from 'vscode';
import type { ModelRegistry, OpenModel } from './models';
import { latestLayer, layerSummaryLine, type RunInfo } from './run-index';
import type { LayerInfo } from '../shared/models';
import type { LayerResult, UnitResult } from '../shared/run/schema';
import { describeIou } from '../shared/run/describe';

export type Node =
  | { kind: 'model'; model: OpenModel }
  | { kind: 'layer'; model: OpenModel; layer: LayerInfo; run?: RunInfo; result?: LayerResult }
  | { kind: 'unit'; model: OpenModel; layer: LayerInfo; run: RunInfo; unit: UnitResult }
  | { kind: 'message'; text: string };

export class DissectionTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Show only units labelled with this concept (set by "Filter Units by Concept…"). */
  conceptFilter: string | undefined;

  constructor(private readonly models: ModelRegistry) {
    models.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'model': {
        const item = new vscode.TreeItem(n.model.name, vscode.TreeItemCollapsibleState.Expanded);
        item.description = n.model.layersError
          ? 'error'
          : n.model.project.segmenter
            ? `segmenter ${n.model.project.segmenter.path.split(/[\\/]/).pop()}`
            : 'no segmenter';
        item.tooltip = n.model.layersError ?? n.model.projectFile;
        item.iconPath = new vscode.ThemeIcon(n.model.layersError ? 'error' : 'circuit-board');
        item.contextValue = 'model';
        return item;
      }
      case 'layer': {
        const dissected = !!n.result;
        const item = new vscode.TreeItem(n.layer.name, dissected ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const shape = n.layer.shape.join('×');
        item.description = n.result ? `${shape} · ${n.result.summary.interpretable}/${n.result.summary.units} interpretable` : shape;
        item.tooltip = new vscode.MarkdownString(
          n.result ? `**${n.layer.name}** \`${shape}\`\n\n${layerSummaryLine(n.result, 8)}` : `**${n.layer.name}** \`${shape}\` — not dissected yet`,
        );
        item.iconPath = new vscode.ThemeIcon(dissected ? 'layers-active' : 'layers');
        item.contextValue = dissected ? 'layer.dissected' : 'layer';
        if (n.run) item.command = { command: 'ganDissection.showLayer', title: 'Show Layer', arguments: [{ runId: n.run.out, layer: n.layer.name }] };
        return item;
      }
      case 'unit': {
        const u = n.unit;
        const item = new vscode.TreeItem(`unit ${u.unit} · ${u.label}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${describeIou(u)}${u.interpretable ? '' : ' (uninterpretable)'}`;
        item.iconPath = new vscode.ThemeIcon(u.interpretable ? 'symbol-field' : 'circle-outline');
        item.contextValue = 'unit';
        item.command = {
          command: 'ganDissection.showUnit',
          title: 'Show Unit',
          arguments: [{ runId: n.run.out, layer: n.layer.name, unit: u.unit }],
        };
        return item;
      }
      case 'message':
        return new vscode.TreeItem(n.text);
    }
  }

  async getChildren(n?: Node): Promise<Node[]> {
    if (!n) return this.models.all().map((model) => ({ kind: 'model', model }));
    if (n.kind === 'model') {
      let layers: LayerInfo[];
      try {
        layers = await this.models.loadLayers(n.model);
      } catch (e) {
        return [{ kind: 'message', text: `Cannot read layers: ${(e as Error).message}` }];
      }
      const runs = this.models.runs(n.model);
      return layers.map((layer) => {
        const found = latestLayer(runs, layer.name);
        return { kind: 'layer', model: n.model, layer, ...(found ? { run: found.run, result: found.layer } : {}) };
      });
    }
    if (n.kind === 'layer' && n.result && n.run) {
      const units = [...n.result.units].filter((u) => !this.conceptFilter || u.label === this.conceptFilter).sort((a, b) => b.iou - a.iou);
      return units.map((unit) => ({ kind: 'unit', model: n.model, layer: n.layer, run: n.run!, unit }));
    }
    return [];
  }
}
