/**
 * The artifacts panel's host (the paper's S-6.1, §4.2 Table 1, S-6.3): posts the layer's last artifacts
 * result with the user's flags, runs a new one in the engine with progress and cancellation, flags units by
 * eye, and saves the repaired generator (webview/artifacts; protocol in extension/shared/webview/artifacts.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import {
  REPAIR_TOLERANCE,
  type ArtifactsProtocol,
  type ArtifactsRequests,
  type ArtifactsView,
  type ArtifactsWebviewMessage,
} from '../../shared/webview/artifacts';
import type { ArtifactsResult } from '../../shared/run/schema';
import { settings } from '../config';
import { layerFlags, readRun } from '../run-index';
import { artifactsView } from './artifacts-view';
import { flagUnit, openIntervention, type MessageHandlers, type PanelContext, type PanelController, type RequestHandlers } from './panel-host';

/** "3, 17, 42" (the first `max` units, then "…"). */
function unitList(units: readonly number[], max = 12): string {
  return units.length > max ? `${units.slice(0, max).join(', ')}, …` : units.join(', ');
}

export function artifactsPanel(ctx: PanelContext<ArtifactsProtocol>): PanelController<ArtifactsProtocol> {
  const { id, services: s } = ctx;
  /** The runs going on for this panel, by the job id the webview chose. */
  const jobs = new Map<string, vscode.CancellationTokenSource>();

  /** The view as it is on disk now (with `result` instead of the stored one, when given); undefined if the layer is gone. */
  const view = (result?: ArtifactsResult): ArtifactsView | undefined => {
    const run = readRun(id.runId);
    const layer = run?.result.layers.find((l) => l.layer === id.layer);
    if (!run || !layer) return undefined;
    const flags = layerFlags(run.out, id.layer);
    return artifactsView(run, layer, result ?? flags.artifacts, flags.manual, ctx.uri);
  };

  const postView = (): void => {
    const v = view();
    if (v) ctx.post({ type: 'artifacts', view: v });
  };

  // flags may have changed in another panel while this one was hidden
  const visible = ctx.panel.onDidChangeViewState((e) => {
    if (e.webviewPanel.visible) postView();
  });

  const messages: MessageHandlers<ArtifactsWebviewMessage> = {
    ready: () => postView(),
    cancelJob: (m) => jobs.get(m.job)?.cancel(),
    flagUnit: (m) => flagUnit(ctx, m),
    intervene: (m) => openIntervention(ctx, m),
    openUnit: (m) => void ctx.panels.show('unit', { runId: id.runId, layer: m.layer, unit: m.unit }),
  };

  const requests: RequestHandlers<ArtifactsRequests> = {
    run: async (p) => {
      const source = new vscode.CancellationTokenSource();
      jobs.set(p.job, source);
      try {
        const result = await s.engine.artifacts(
          {
            jobId: p.job,
            runId: id.runId,
            layer: id.layer,
            samples: p.samples,
            ...(p.top !== undefined ? { top: p.top } : {}),
            ...(p.flag !== undefined ? { flag: p.flag } : {}),
            provider: settings().provider,
          },
          (done, total, what) => ctx.post({ type: 'progress', job: p.job, done, total, what }),
          source.token,
        );
        s.flagsChanged();
        const v = view(result);
        if (!v) throw new Error(`the dissection in ${id.runId} is no longer on disk`);
        return v;
      } finally {
        jobs.delete(p.job);
        source.dispose();
      }
    },
    save: async (p) => {
      const generator = ctx.run().result.settings.generator.path;
      const stem = path.basename(generator).replace(/\.onnx$/i, '');
      const target = await vscode.window.showSaveDialog({
        title: `Save ${path.basename(generator)} with ${p.units.length} units of ${id.layer} ablated`,
        defaultUri: vscode.Uri.file(path.join(path.dirname(generator), `${stem}-repaired.onnx`)),
        filters: { 'ONNX model': ['onnx'] },
      });
      if (!target) return { saved: false };
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `GAN Dissection: saving the repaired generator…` },
        () => s.engine.saveRepaired({ runId: id.runId, layer: id.layer, units: p.units, target: target.fsPath, provider: settings().provider }),
      );
      const units = [...p.units].sort((a, b) => a - b);
      const what = `${r.file}: ${path.basename(generator)} with units ${unitList(units)} of ${id.layer} ablated`;
      if (r.maxDiff < REPAIR_TOLERANCE) {
        void vscode.window.showInformationMessage(`Saved ${what}. Its images equal the intervention's (max |Δ| ${r.maxDiff.toExponential(1)}).`);
      } else {
        void vscode.window.showWarningMessage(`Saved ${what}, but its images differ from the intervention's by up to ${r.maxDiff.toExponential(1)}.`);
      }
      return { saved: true, file: r.file, units, maxDiff: r.maxDiff };
    },
  };

  return {
    messages,
    requests,
    reveal: () => postView(),
    dispose: () => {
      visible.dispose();
      for (const j of jobs.values()) j.cancel();
    },
  };
}
