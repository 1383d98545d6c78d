/**
 * The panels (host side), what they share: creating, revealing and reviving them. One panel per (kind,
 * run, layer[, unit]) — a series for the Training panel, the runs compared for the compare panel — revealed
 * if already open; restored after a reload by a serializer reading the identity the app keeps in its state.
 * Each kind has its host file (layer-panel.ts, unit-panel.ts, intervene-panel.ts, causal-panel.ts,
 * artifacts-panel.ts, training-panel.ts, compare-panel.ts) with handler tables typed by its protocol
 * (extension/shared/webview/<kind>.ts); messages reach them through `dispatch` (panel-host.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { AnyProtocol, FromWebview, PanelIdentity, ToWebview } from '../../shared/webview/common';
import type { LayerProtocol } from '../../shared/webview/layer';
import type { UnitProtocol } from '../../shared/webview/unit';
import type { InterveneProtocol } from '../../shared/webview/intervene';
import type { CausalProtocol } from '../../shared/webview/causal';
import type { ArtifactsProtocol } from '../../shared/webview/artifacts';
import type { TrainingProtocol } from '../../shared/webview/training';
import type { CompareProtocol } from '../../shared/webview/compare';
import { SeriesFolder } from '../../shared/run/folder';
import { readRun, listRuns, type RunInfo } from '../run-index';
import { patternDisplay } from '../series-index';
import { resultsRoot } from '../config';
import { webviewHtml, panelOptions } from './html';
import {
  dispatch,
  readPanelRun,
  type PanelContext,
  type PanelController,
  type PanelInitial,
  type PanelKind,
  type PanelOpener,
  type PanelServices,
  type PickedLayer,
} from './panel-host';
import { layerPanel } from './layer-panel';
import { unitPanel } from './unit-panel';
import { interventionPanel } from './intervene-panel';
import { causalPanel } from './causal-panel';
import { artifactsPanel } from './artifacts-panel';
import { trainingPanel } from './training-panel';
import { compareItems, comparePanel } from './compare-panel';

export type { PanelKind, PanelServices } from './panel-host';

/** Each kind's protocol. */
interface Protocols {
  layer: LayerProtocol;
  unit: UnitProtocol;
  intervene: InterveneProtocol;
  causal: CausalProtocol;
  artifacts: ArtifactsProtocol;
  training: TrainingProtocol;
  compare: CompareProtocol;
}

interface PanelKindInfo<K extends PanelKind> {
  viewType: string;
  icon: string;
  title(id: PanelIdentity, s: PanelServices): string;
  create(ctx: PanelContext<Protocols[K]>, initial?: PanelInitial[K]): PanelController<Protocols[K], PanelInitial[K]>;
  /** Whether what the identity names is still on disk (a panel restored after a reload); default: its run's layer. */
  exists?(id: Partial<PanelIdentity>): boolean;
}

/** The Training panel's title: the series' checkpoints as the user knows them ("ckpt/"). */
function trainingTitle(id: PanelIdentity, s: PanelServices): string {
  const watched = s.watches.get(id.runId)?.display;
  if (watched) return `training · ${watched}`;
  const pattern = new SeriesFolder(id.runId).readSummary()?.pattern;
  return `training · ${pattern ? patternDisplay(pattern, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath) : path.basename(id.runId)}`;
}

function compareTitle(id: PanelIdentity): string {
  const items = compareItems(id);
  if (items.length === 1 && !items[0].layer) return `${path.basename(items[0].runId)} · all layers`;
  const layers = [...new Set(items.map((i) => i.layer ?? 'all layers'))];
  return `compare ${items.length} runs · ${layers.length === 1 ? layers[0] : `${layers.length} layers`}`;
}

const KINDS: { [K in PanelKind]: PanelKindInfo<K> } = {
  layer: { viewType: 'ganDissection.layerPanel', icon: 'layers', title: (id) => `${id.layer} · dissection`, create: layerPanel },
  unit: { viewType: 'ganDissection.unitPanel', icon: 'symbol-field', title: (id) => `${id.layer} unit ${id.unit}`, create: unitPanel },
  intervene: {
    viewType: 'ganDissection.interventionPanel',
    icon: 'edit',
    title: (id) => `${id.layer} · intervention`,
    create: interventionPanel,
  },
  causal: { viewType: 'ganDissection.causalPanel', icon: 'graph-line', title: (id) => `${id.layer} · causal units`, create: causalPanel },
  artifacts: {
    viewType: 'ganDissection.artifactsPanel',
    icon: 'warning',
    title: (id) => `${id.layer} · artifact units`,
    create: artifactsPanel,
  },
  training: {
    viewType: 'ganDissection.trainingPanel',
    icon: 'pulse',
    title: trainingTitle,
    create: trainingPanel,
    exists: (id) => !!id.runId && SeriesFolder.isSeries(id.runId),
  },
  compare: {
    viewType: 'ganDissection.comparePanel',
    icon: 'diff',
    title: compareTitle,
    create: comparePanel,
    exists: (id) => !!id.runId && (id.items ?? [{ runId: id.runId }]).every((i) => !!readRun(i.runId)),
  },
};

/** Whether a layer, unit, intervention, causal or artifacts panel's run and layer are still on disk. */
function runLayerExists(id: Partial<PanelIdentity>): boolean {
  return !!id.runId && !!id.layer && !!readRun(id.runId);
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  controller: PanelController<AnyProtocol, unknown>;
}

export class Panels implements PanelOpener {
  private readonly open = new Map<string, OpenPanel>();

  constructor(private readonly s: PanelServices) {
    for (const kind of Object.keys(KINDS) as PanelKind[]) {
      s.context.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(KINDS[kind].viewType, {
          deserializeWebviewPanel: async (panel, state: unknown) => {
            const id = state as Partial<PanelIdentity> | undefined;
            const exists: (id: Partial<PanelIdentity>) => boolean = KINDS[kind].exists ?? runLayerExists;
            if (!id?.runId || !exists(id)) {
              panel.webview.html = `<!DOCTYPE html><html><body><p>This dissection is no longer on disk.</p></body></html>`;
              return;
            }
            this.attach(kind, panel, {
              runId: id.runId,
              layer: id.layer ?? '',
              ...(id.unit !== undefined ? { unit: id.unit } : {}),
              ...(id.items ? { items: id.items } : {}),
            });
          },
        }),
      );
    }
  }

  private key(kind: PanelKind, id: PanelIdentity): string {
    return `${kind}:${id.runId}:${id.layer}:${id.unit ?? ''}${id.items ? `:${JSON.stringify(id.items)}` : ''}`;
  }

  private roots(runId: string): vscode.Uri[] {
    return [
      vscode.Uri.joinPath(this.s.context.extensionUri, 'dist', 'webview'),
      vscode.Uri.file(runId),
      vscode.Uri.file(resultsRoot(this.s.context)),
    ];
  }

  /** Opens (or reveals) a panel. */
  show<K extends PanelKind>(kind: K, id: PanelIdentity, initial?: PanelInitial[K]): vscode.WebviewPanel {
    const existing = this.open.get(this.key(kind, id));
    if (existing) {
      existing.panel.reveal();
      existing.controller.reveal?.(initial);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      KINDS[kind].viewType,
      KINDS[kind].title(id, this.s),
      vscode.ViewColumn.Active,
      panelOptions(this.roots(id.runId)),
    );
    this.attach(kind, panel, id, initial);
    return panel;
  }

  /** Titles of the open panels (tests read them). */
  openPanels(): string[] {
    return [...this.open.values()].map((p) => p.panel.title);
  }

  private attach<K extends PanelKind>(kind: K, panel: vscode.WebviewPanel, id: PanelIdentity, initial?: PanelInitial[K]): void {
    const key = this.key(kind, id);
    const info: PanelKindInfo<K> = KINDS[kind];
    const post = (m: ToWebview<Protocols[K]>) => void panel.webview.postMessage(m);
    const ctx: PanelContext<Protocols[K]> = {
      id,
      panel,
      services: this.s,
      panels: this,
      post,
      uri: (file) => panel.webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      run: () => readPanelRun(id),
    };
    const controller = info.create(ctx, initial);
    const open: OpenPanel = { panel, controller: controller as PanelController<AnyProtocol, unknown> };
    this.open.set(key, open);
    panel.webview.options = panelOptions(this.roots(id.runId));
    panel.iconPath = new vscode.ThemeIcon(info.icon);
    panel.webview.html = webviewHtml(panel.webview, this.s.context.extensionUri, kind, panel.title);
    const sub = panel.webview.onDidReceiveMessage((m: FromWebview<Protocols[K]>) =>
      dispatch(open.controller, m, post).catch((e: Error) => void vscode.window.showErrorMessage(`GAN Dissection: ${e.message}`)),
    );
    panel.onDidDispose(() => {
      sub.dispose();
      controller.dispose?.();
      if (this.open.get(key) === open) this.open.delete(key);
    });
  }

  /** A quick pick of dissected layers across the open models' runs (other than the one shown). */
  async pickLayer(title: string, current?: RunInfo, exclude?: string): Promise<PickedLayer | undefined> {
    const items: (vscode.QuickPickItem & PickedLayer)[] = [];
    for (const m of this.s.models.all()) {
      for (const run of listRuns(resultsRoot(this.s.context), m.project.generator.path)) {
        for (const l of run.result.layers) {
          if (current && run.out === current.out && l.layer === exclude) continue;
          items.push({
            label: `${path.basename(run.result.settings.generator.path)} · ${l.layer}`,
            description: `${l.summary.interpretable}/${l.summary.units} interpretable · ${run.result.settings.threshold}, ${run.result.settings.samples} samples`,
            run,
            layer: l,
          });
        }
      }
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No other dissected layer: dissect another layer or model first.');
      return undefined;
    }
    return vscode.window.showQuickPick(items, { title });
  }
}
