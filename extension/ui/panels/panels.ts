/**
 * The layer and unit panels (host side): one panel per (run, layer) or (run, layer, unit), revealed if
 * already open; restored after a reload by a serializer reading the identity the app keeps in its state.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { HostMessage, WebviewMessage, PanelIdentity, WebviewRequest, ResponseResult } from '../../protocol';
import { readRun, setFlag, listRuns, type RunInfo } from '../run-index';
import { webviewHtml, panelOptions } from './html';
import { layerView, unitView } from './views';
import type { EngineClient } from '../../host/engine-client';
import type { ModelRegistry } from '../models';
import { resultsRoot, settings } from '../config';

export interface PanelServices {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  models: ModelRegistry;
  hasSource(generatorPath: string, layer: string): Promise<boolean>;
}

type Kind = 'layer' | 'unit';
const VIEW_TYPES: Record<Kind, string> = { layer: 'ganDissection.layerPanel', unit: 'ganDissection.unitPanel' };

export class Panels {
  private readonly open = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly s: PanelServices) {
    for (const kind of ['layer', 'unit'] as Kind[]) {
      s.context.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
          deserializeWebviewPanel: async (panel, state: unknown) => {
            const id = state as Partial<PanelIdentity> | undefined;
            if (!id?.runId || !id.layer || !readRun(id.runId)) {
              panel.webview.html = `<!DOCTYPE html><html><body><p>This dissection is no longer on disk.</p></body></html>`;
              return;
            }
            this.attach(kind, panel, { runId: id.runId, layer: id.layer, ...(id.unit !== undefined ? { unit: id.unit } : {}) });
          },
        }),
      );
    }
  }

  private roots(runId: string): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.s.context.extensionUri, 'dist', 'webview'), vscode.Uri.file(runId), vscode.Uri.file(resultsRoot(this.s.context))];
  }

  /** Opens (or reveals) the panel of a layer or unit. */
  show(kind: Kind, id: PanelIdentity): vscode.WebviewPanel {
    const key = `${kind}:${id.runId}:${id.layer}:${id.unit ?? ''}`;
    const existing = this.open.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const title = kind === 'layer' ? `${id.layer} · dissection` : `${id.layer} unit ${id.unit}`;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES[kind], title, vscode.ViewColumn.Active, panelOptions(this.roots(id.runId)));
    this.attach(kind, panel, id);
    return panel;
  }

  /** Titles of the open panels (tests read them). */
  openPanels(): string[] {
    return [...this.open.values()].map((p) => p.title);
  }

  private attach(kind: Kind, panel: vscode.WebviewPanel, id: PanelIdentity): void {
    const key = `${kind}:${id.runId}:${id.layer}:${id.unit ?? ''}`;
    this.open.set(key, panel);
    panel.webview.options = panelOptions(this.roots(id.runId));
    panel.iconPath = new vscode.ThemeIcon(kind === 'layer' ? 'layers' : 'symbol-field');
    panel.webview.html = webviewHtml(panel.webview, this.s.context.extensionUri, kind, panel.title);
    const post = (m: HostMessage) => void panel.webview.postMessage(m);
    const sub = panel.webview.onDidReceiveMessage((m: WebviewMessage) => void this.onMessage(kind, id, m, panel.webview, post));
    panel.onDidDispose(() => {
      sub.dispose();
      if (this.open.get(key) === panel) this.open.delete(key);
    });
  }

  private async onMessage(kind: Kind, id: PanelIdentity, m: WebviewMessage, webview: vscode.Webview, post: (m: HostMessage) => void): Promise<void> {
    const run = readRun(id.runId);
    if (!run) return;
    const layer = run.result.layers.find((l) => l.layer === id.layer);
    if (!layer) return;
    const hasSource = await this.s.hasSource(run.result.settings.generator.path, id.layer);
    switch (m.type) {
      case 'ready':
        if (kind === 'layer') post({ type: 'layer', view: layerView(webview, run, layer, hasSource) });
        else post({ type: 'unit', view: unitView(webview, run, layer, id.unit ?? 0, hasSource) });
        return;
      case 'openUnit':
        this.show('unit', { runId: id.runId, layer: m.layer, unit: m.unit });
        return;
      case 'goToSource':
        await vscode.commands.executeCommand('ganDissection.goToSource', { generator: run.result.settings.generator.path, layer: m.layer });
        return;
      case 'flagUnit':
        setFlag(id.runId, m.layer, m.unit, m.flagged);
        post({ type: 'flagged', layer: m.layer, unit: m.unit, flagged: m.flagged });
        return;
      case 'exportReport':
        await vscode.commands.executeCommand('ganDissection.exportReport', { runId: id.runId, format: m.format });
        return;
      case 'pickComparison': {
        const other = await this.pickLayer(`Compare ${id.layer} with…`, run, id.layer);
        if (other) post({ type: 'compare', view: layerView(webview, other.run, other.layer, await this.s.hasSource(other.run.result.settings.generator.path, other.layer.layer)) });
        return;
      }
      case 'request': {
        try {
          post({ type: 'response', id: m.id, result: await this.answer(webview, id, m.request) });
        } catch (e) {
          post({ type: 'response', id: m.id, error: (e as Error).message });
        }
        return;
      }
    }
  }

  private async answer(webview: vscode.Webview, id: PanelIdentity, r: WebviewRequest): Promise<ResponseResult> {
    switch (r.kind) {
      case 'heatmaps': {
        const res = await this.s.engine.heatmaps({ out: id.runId, layer: r.layer, unit: r.unit, count: r.count, seed: 1000 + Math.floor(Math.random() * 1e6), provider: settings().provider });
        const uri = (f: string) => webview.asWebviewUri(vscode.Uri.file(f)).toString();
        return { kind: 'heatmaps', heatmaps: { samples: res.samples.map((s) => ({ ...s, image: uri(s.image), heatmap: uri(s.heatmap) })) } };
      }
    }
  }

  /** A quick pick of dissected layers across the open models' runs (other than the one shown). */
  async pickLayer(title: string, current?: RunInfo, exclude?: string) {
    const items: (vscode.QuickPickItem & { run: RunInfo; layer: RunInfo['result']['layers'][number] })[] = [];
    for (const m of this.s.models.all()) {
      for (const run of listRuns(resultsRoot(this.s.context), m.project.generator.path)) {
        for (const l of run.result.layers) {
          if (current && run.out === current.out && l.layer === exclude) continue;
          items.push({ label: `${path.basename(run.result.settings.generator.path)} · ${l.layer}`, description: `${l.summary.interpretable}/${l.summary.units} interpretable · ${run.result.settings.threshold}, ${run.result.settings.samples} samples`, run, layer: l });
        }
      }
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No other dissected layer to compare with: dissect another layer or model first.');
      return undefined;
    }
    return vscode.window.showQuickPick(items, { title });
  }
}
