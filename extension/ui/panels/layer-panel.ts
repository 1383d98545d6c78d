/**
 * The layer panel's host: posts the layer's view (and a second layer to compare with), and answers what
 * its webview posts (webview/layer; protocol in extension/shared/webview/layer.ts).
 */
import * as vscode from 'vscode';
import type { LayerProtocol, LayerRequests, LayerWebviewMessage } from '../../shared/webview/layer';
import {
  flagUnit,
  goToSource,
  panelLayer,
  openArtifacts,
  openIntervention,
  type MessageHandlers,
  type PanelContext,
  type PanelController,
  type RequestHandlers,
} from './panel-host';
import { layerView } from './views';

export function layerPanel(ctx: PanelContext<LayerProtocol>): PanelController<LayerProtocol> {
  const { id, services: s } = ctx;

  const postView = async (): Promise<void> => {
    const found = await panelLayer(ctx);
    if (!found) return;
    const { run, layer, hasSource } = found;
    ctx.post({ type: 'layer', view: layerView(ctx.panel.webview, run, layer, hasSource) });
  };

  const messages: MessageHandlers<LayerWebviewMessage> = {
    ready: () => postView(),
    openUnit: (m) => void ctx.panels.show('unit', { runId: id.runId, layer: m.layer, unit: m.unit }),
    goToSource: (m) => goToSource(ctx, m.layer),
    flagUnit: (m) => flagUnit(ctx, m),
    intervene: (m) => openIntervention(ctx, m),
    openArtifacts: (m) => openArtifacts(ctx, m),
    compareLayers: async () => {
      await vscode.commands.executeCommand('ganDissection.compareLayers', { runId: id.runId });
    },
    exportReport: async (m) => {
      await vscode.commands.executeCommand('ganDissection.exportReport', { runId: id.runId, format: m.format });
    },
    pickComparison: async () => {
      const other = await ctx.panels.pickLayer(`Compare ${id.layer} with…`, ctx.run(), id.layer);
      if (!other) return;
      const hasSource = await s.hasSource(other.run.result.settings.generator.path, other.layer.layer);
      ctx.post({ type: 'compare', view: layerView(ctx.panel.webview, other.run, other.layer, hasSource) });
    },
  };

  const requests: RequestHandlers<LayerRequests> = {};

  return { messages, requests };
}
