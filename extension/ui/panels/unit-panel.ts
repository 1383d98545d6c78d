/**
 * The unit panel's host: posts the unit's view, flags it, and computes its heatmaps on fresh samples in the
 * engine (webview/unit; protocol in extension/shared/webview/unit.ts).
 */
import type { UnitProtocol, UnitRequests, UnitWebviewMessage } from '../../shared/webview/unit';
import { settings } from '../config';
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
import { unitView } from './views';

export function unitPanel(ctx: PanelContext<UnitProtocol>): PanelController<UnitProtocol> {
  const { id, services: s } = ctx;

  const postView = async (): Promise<void> => {
    const found = await panelLayer(ctx);
    if (!found) return;
    const { run, layer, hasSource } = found;
    ctx.post({ type: 'unit', view: unitView(ctx.panel.webview, run, layer, id.unit ?? 0, hasSource) });
  };

  const messages: MessageHandlers<UnitWebviewMessage> = {
    ready: () => postView(),
    goToSource: (m) => goToSource(ctx, m.layer),
    flagUnit: (m) => flagUnit(ctx, m),
    intervene: (m) => openIntervention(ctx, m),
    openArtifacts: (m) => openArtifacts(ctx, m),
  };

  const requests: RequestHandlers<UnitRequests> = {
    heatmaps: async (p) => {
      const res = await s.engine.heatmaps({
        out: id.runId,
        layer: p.layer,
        unit: p.unit,
        count: p.count,
        seed: 1000 + Math.floor(Math.random() * 1e6),
        provider: settings().provider,
      });
      return {
        samples: res.samples.map((x) => ({ ...x, image: ctx.uri(x.image), heatmap: ctx.uri(x.heatmap) })),
        ...(res.scale ? { scale: res.scale } : {}),
      };
    },
  };

  return { messages, requests };
}
