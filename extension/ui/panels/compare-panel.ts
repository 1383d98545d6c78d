/**
 * The compare panel's host: posts the comparison of its runs' layers (all layers of one run, or several
 * runs side by side with their diffs), opens a layer's panel, and saves the comparison as an HTML page
 * (webview/compare; protocol in extension/shared/webview/compare.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { CompareItem, PanelIdentity } from '../../shared/webview/common';
import type { CompareProtocol, CompareRequests, CompareView, CompareWebviewMessage } from '../../shared/webview/compare';
import { writeAtomic } from '../../shared/run/blob';
import { compareHtml, compareView } from './compare-view';
import type { MessageHandlers, PanelContext, PanelController, RequestHandlers } from './panel-host';

/** The compare panel's identity for these items: the first run and layer, and the items. */
export function compareIdentity(items: CompareItem[]): PanelIdentity {
  if (items.length === 0) throw new Error('nothing to compare');
  return { runId: items[0].runId, layer: items[0].layer ?? '', items };
}

/** The items a compare panel shows (its identity's, or its run and layer). */
export function compareItems(id: PanelIdentity): CompareItem[] {
  return id.items ?? [{ runId: id.runId, ...(id.layer ? { layer: id.layer } : {}) }];
}

export function comparePanel(ctx: PanelContext<CompareProtocol>): PanelController<CompareProtocol> {
  const items = compareItems(ctx.id);
  let view: CompareView | undefined;

  const postView = (): void => {
    view = compareView(items);
    ctx.post({ type: 'compare', view });
  };

  const messages: MessageHandlers<CompareWebviewMessage> = {
    ready: () => postView(),
    openLayer: (m) => void ctx.panels.show('layer', { runId: m.runId, layer: m.layer }),
    openUnit: (m) => void ctx.panels.show('unit', { runId: m.runId, layer: m.layer, unit: m.unit }),
    exportHtml: async (m) => {
      if (!view) return;
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(items[0].runId);
      const target = await vscode.window.showSaveDialog({
        title: 'Export the comparison as HTML',
        defaultUri: vscode.Uri.file(path.join(ws, 'comparison.html')),
        filters: { HTML: ['html'] },
      });
      if (!target) return;
      writeAtomic(target.fsPath, compareHtml(view, m.diff));
      void vscode.window.showInformationMessage(`Exported the comparison to ${path.basename(target.fsPath)}`, 'Open').then((c) => {
        if (c === 'Open') void vscode.env.openExternal(target);
      });
    },
  };

  const requests: RequestHandlers<CompareRequests> = {};

  return { messages, requests, reveal: () => postView() };
}
