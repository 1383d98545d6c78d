/**
 * The tree of models → layers (shape, interpretable units) → units (label, IoU, artifact flags; sorted by IoU),
 * and of checkpoint series → checkpoints (step, interpretable units; one child per layer when there are
 * several), each opening that checkpoint's layer panel.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ModelRegistry, OpenModel } from './models';
import { flagText, latestLayer, layerFlags, layerSummaryLine, type RunInfo } from './run-index';
import { patternDisplay, type SeriesInfo } from './series-index';
import type { LayerInfo } from '../shared/models';
import type { LayerFigures, LayerResult, SeriesCheckpoint, UnitResult } from '../shared/run/schema';
import { describeIou } from '../shared/run/describe';
import { defaultLayers } from '../shared/run/layers';
import { escapeMarkdown as md } from '../shared/markdown';
import type { WatchStatus } from '../shared/webview/training';

export type Node =
  | { kind: 'model'; model: OpenModel }
  /** `main`: a layer a dissection takes by default (a block's output), listed first and marked. */
  | { kind: 'layer'; model: OpenModel; layer: LayerInfo; run?: RunInfo; result?: LayerResult; main?: boolean }
  /** The model's other layers (sub-modules, internal tensors), in module-path order. */
  | { kind: 'group'; model: OpenModel; layers: LayerInfo[] }
  | { kind: 'unit'; model: OpenModel; layer: LayerInfo; run: RunInfo; unit: UnitResult; flag: UnitFlag }
  | { kind: 'series'; series: SeriesInfo }
  /** A checkpoint of a series; `layer`: one layer of a checkpoint that has several. */
  | { kind: 'checkpoint'; series: SeriesInfo; checkpoint: SeriesCheckpoint; layer?: LayerFigures }
  | { kind: 'message'; text: string };

/** "2/4 interpretable" (one layer), "layer3 12/64 · layer4 20/128 interpretable" (several). */
function checkpointLine(layers: LayerFigures[]): string {
  if (layers.length === 1) return `${layers[0].interpretable}/${layers[0].units} interpretable`;
  return `${layers.map((l) => `${l.layer} ${l.interpretable}/${l.units}`).join(' · ')} interpretable`;
}

/** A checkpoint's run folder. */
export function checkpointRun(series: SeriesInfo, c: SeriesCheckpoint): string {
  return path.join(series.dir, c.run);
}

/** How a unit is flagged as an artifact: by the user, by the layer's last artifacts run (with its realism), or not. */
export interface UnitFlag {
  manual: boolean;
  auto: boolean;
  /** "⚑ artifact (auto)", …; '' when not flagged. */
  text: string;
  realism?: { rank: number; distance: number; of: number; label: string };
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export class DissectionTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Show only units labelled with this concept (set by "Filter Units by Concept…"). */
  conceptFilter: string | undefined;

  constructor(
    private readonly models: ModelRegistry,
    /** What the watch writing into a series folder is doing, if one is. */
    private readonly watching: (seriesDir: string) => WatchStatus | undefined = () => undefined,
  ) {
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
        item.id = `model:${n.model.projectFile}`;
        return item;
      }
      case 'layer': {
        const dissected = !!n.result;
        const item = new vscode.TreeItem(n.layer.name, dissected ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const shape = n.layer.shape.join('×');
        const summary = n.result ? `${shape} · ${n.result.summary.interpretable}/${n.result.summary.units} interpretable` : shape;
        item.description = n.main ? `★ ${summary}` : summary;
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
      case 'series': {
        const s = n.series.summary;
        const status = this.watching(n.series.dir);
        const item = new vscode.TreeItem(patternDisplay(s.pattern, workspaceFolder()), vscode.TreeItemCollapsibleState.Expanded);
        const what = status?.state === 'dissecting' ? ` · dissecting step ${status.step}` : status?.state === 'watching' ? ' · watching' : '';
        item.description = `series · ${s.checkpoints.length} checkpoint${s.checkpoints.length === 1 ? '' : 's'}${what}`;
        item.tooltip = new vscode.MarkdownString(
          `**${md(s.pattern)}**\n\nEvery checkpoint dissected with ${s.settings.samples} samples (seed ${s.settings.seed}, ${s.settings.threshold} threshold), layers ${md(s.layers.join(', '))}.\n\n${md(n.series.dir)}`,
        );
        item.iconPath = new vscode.ThemeIcon(status?.state === 'dissecting' ? 'sync~spin' : status ? 'eye' : 'history');
        item.contextValue = status ? 'series.watching' : 'series';
        item.id = `series:${n.series.dir}`;
        return item;
      }
      case 'checkpoint': {
        const c = n.checkpoint;
        const several = !n.layer && c.layers.length > 1;
        const figures = n.layer ? [n.layer] : c.layers;
        const item = new vscode.TreeItem(
          n.layer ? n.layer.layer : `step ${c.step}`,
          several ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = checkpointLine(figures);
        const top = figures
          .map((l) =>
            md(
              `${l.layer}: ${
                l.unitsPerConcept
                  .slice(0, 6)
                  .map((x) => `${x.label} ${x.count}`)
                  .join(', ') || 'no concepts'
              }`,
            ),
          )
          .join('\n\n');
        item.tooltip = new vscode.MarkdownString(`**step ${c.step}** · ${md(path.basename(c.file))}\n\n${top}`);
        item.iconPath = new vscode.ThemeIcon(n.layer ? 'layers-active' : 'git-commit');
        item.contextValue = several ? 'checkpoint.layers' : 'checkpoint';
        if (!several && figures[0])
          item.command = {
            command: 'ganDissection.showLayer',
            title: 'Show Layer',
            arguments: [{ runId: checkpointRun(n.series, c), layer: figures[0].layer }],
          };
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem('More layers', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${n.layers.length} sub-modules and tensors`;
        item.tooltip =
          'Layers a dissection does not take by default (★ marks those it does): sub-modules and internal tensors, in module-path order.';
        item.iconPath = new vscode.ThemeIcon('list-tree');
        item.contextValue = 'layerGroup';
        return item;
      }
      case 'message':
        return new vscode.TreeItem(n.text);
    }
  }

  private layerNode(model: OpenModel, layer: LayerInfo, main: boolean): Node {
    const found = latestLayer(this.models.runs(model), layer.name);
    return { kind: 'layer', model, layer, main, ...(found ? { run: found.run, result: found.layer } : {}) };
  }

  /** A line saying the units are filtered, while they are. */
  private filterNote(): Node[] {
    return this.conceptFilter
      ? [{ kind: 'message', text: `Showing only units labelled "${this.conceptFilter}" (Filter Units by Concept… to change)` }]
      : [];
  }

  /** Sets the concept filter and shows it: on the view's title and as a line in the tree. */
  setFilter(concept: string | undefined): void {
    this.conceptFilter = concept;
    if (this.view) this.view.description = concept ? `units: ${concept}` : undefined;
    this.refresh();
  }

  /** The view this tree is shown in (for its title's filter state). */
  view: vscode.TreeView<Node> | undefined;

  /** Reveals the view with a model selected and expanded (after Open Model). */
  async reveal(model: OpenModel): Promise<void> {
    try {
      await this.view?.reveal({ kind: 'model', model }, { select: true, focus: false, expand: true });
    } catch {
      // the view may not be shown yet (its container collapsed): nothing to reveal into
    }
  }

  /** The parent of a node (VS Code needs it to reveal one); models and series are roots. */
  getParent(n: Node): Node | undefined {
    if (n.kind === 'layer' || n.kind === 'group') return { kind: 'model', model: n.model };
    if (n.kind === 'checkpoint' && n.layer) return { kind: 'checkpoint', series: n.series, checkpoint: n.checkpoint };
    if (n.kind === 'checkpoint') return { kind: 'series', series: n.series };
    return undefined;
  }

  async getChildren(n?: Node): Promise<Node[]> {
    if (!n)
      return [
        ...this.models.all().map((model): Node => ({ kind: 'model', model })),
        ...this.models.series().map((series): Node => ({ kind: 'series', series })),
      ];
    if (n.kind === 'series') return n.series.summary.checkpoints.map((checkpoint) => ({ kind: 'checkpoint', series: n.series, checkpoint }));
    if (n.kind === 'checkpoint' && !n.layer && n.checkpoint.layers.length > 1)
      return n.checkpoint.layers.map((layer) => ({ kind: 'checkpoint', series: n.series, checkpoint: n.checkpoint, layer }));
    if (n.kind === 'model') {
      let layers: LayerInfo[];
      try {
        layers = await this.models.loadLayers(n.model);
      } catch (e) {
        return [{ kind: 'message', text: `Cannot read layers: ${(e as Error).message}` }];
      }
      // the layers a dissection takes by default first (marked ★), the rest grouped under "More layers"
      const main = new Set(defaultLayers(layers).map((l) => l.tensor));
      const rest = layers.filter((l) => !main.has(l.tensor)).sort((a, b) => byModulePath(a.name, b.name));
      return [
        ...this.filterNote(),
        ...layers.filter((l) => main.has(l.tensor)).map((layer) => this.layerNode(n.model, layer, true)),
        ...(rest.length ? [{ kind: 'group' as const, model: n.model, layers: rest }] : []),
      ];
    }
    if (n.kind === 'group') return n.layers.map((layer) => this.layerNode(n.model, layer, false));
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

/** Module paths in their natural order: `layer1` < `layer1.1` < `layer1.10` < `layer2` (numbers by value). */
export function byModulePath(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d+$/.test(pa[i]) ? Number(pa[i]) : NaN;
    const nb = /^\d+$/.test(pb[i]) ? Number(pb[i]) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return pa[i].localeCompare(pb[i], undefined, { numeric: true });
  }
  return pa.length - pb.length;
}
