/** The tree of models → layers (shape, interpretable units) → units (label, IoU, artifact flags; sorted by IoU). */
import * as vscode from 'vscode';
import type { ModelRegistry, OpenModel } from './models';
import { flagText, latestLayer, layerFlags, layerSummaryLine, type RunInfo } from './run-index';
import type { LayerInfo } from '../shared/models';
import type { LayerResult, UnitResult } from '../shared/run/schema';
import { describeIou } from '../shared/run/describe';

export type Node =
  | { kind: 'model'; model: OpenModel }
  | { kind: 'layer'; model: OpenModel; layer: LayerInfo; run?: RunInfo; result?: LayerResult }
  | { kind: 'unit'; model: OpenModel; layer: LayerInfo; run: RunInfo; unit: UnitResult; flag: UnitFlag }
  | { kind: 'message'; text: string };

/** How a unit is flagged as an artifact: by the user, by the layer's last artifacts run (with its realism), or not. */
export interface UnitFlag {
  manual: boolean;
  auto: boolean;
  /** "⚑ artifact (auto)", …; '' when not flagged. */
  text: string;
  realism?: { rank: number; distance: number; of: number; label: string };
}

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
        const f = n.flag;
        const item = new vscode.TreeItem(`unit ${u.unit} · ${u.label}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${f.text ? `${f.text} · ` : ''}${describeIou(u)}${u.interpretable ? '' : ' (uninterpretable)'}`;
        item.iconPath = f.text
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
          : new vscode.ThemeIcon(u.interpretable ? 'symbol-field' : 'circle-outline');
        if (f.realism) {
          const r = f.realism;
          item.tooltip = new vscode.MarkdownString(
            `**unit ${u.unit}** · ${u.label}\n\nRealism: rank ${r.rank} of ${r.of} (1 = least realistic), ${r.distance.toPrecision(4)} — ${r.label}` +
              (f.text
                ? `\n\n${f.manual ? 'Flagged as an artifact by eye' : ''}${f.manual && f.auto ? '; ' : ''}${f.auto ? 'flagged automatically' : ''}`
                : ''),
          );
        } else if (f.manual) {
          item.tooltip = `unit ${u.unit} · ${u.label} — flagged as an artifact by eye`;
        }
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
      const flags = layerFlags(n.run.out, n.layer.name);
      const realism = new Map((flags.artifacts?.units ?? []).map((r) => [r.unit, r]));
      const of = flags.artifacts?.ranking.length ?? 0;
      return units.map((unit) => {
        const r = realism.get(unit.unit);
        const flag: UnitFlag = {
          manual: flags.manual.has(unit.unit),
          auto: flags.auto.has(unit.unit),
          text: flagText(flags, unit.unit),
          ...(r && flags.artifacts ? { realism: { rank: r.rank, distance: r.distance, of, label: flags.artifacts.features.label } } : {}),
        };
        return { kind: 'unit', model: n.model, layer: n.layer, run: n.run!, unit, flag };
      });
    }
    return [];
  }
}
