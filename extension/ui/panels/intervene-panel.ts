/**
 * The intervention panel's host (the paper's §3.2): opens a preview session in the engine for a few fixed
 * samples of the layer, posts the view (rankings per concept, the unedited samples), renders each spec the
 * webview asks for (its insertion choice and strength go to the engine as they are), and saves or copies the
 * result (webview/intervene; protocol in extension/shared/webview/intervene.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import {
  defaultUnitCount,
  type InterveneProtocol,
  type InterveneRequests,
  type InterveneWebviewMessage,
  type InterventionSpec,
  type InterventionView,
} from '../../shared/webview/intervene';
import { settings } from '../config';
import { readRun, type RunInfo } from '../run-index';
import { RunFolder } from '../../shared/run/folder';
import { iouRanking, aceRanking } from '../../shared/run/rankings';
import type { MessageHandlers, PanelContext, PanelController, RequestHandlers } from './panel-host';

/** Samples shown in the intervention panel's grid, and their seed (not the dissection's). */
const PREVIEW_SAMPLES = 4;
const PREVIEW_SEED = 7;

let keys = 0;

export function interventionPanel(
  ctx: PanelContext<InterveneProtocol>,
  initial?: InterventionSpec,
): PanelController<InterveneProtocol, InterventionSpec> {
  const { id, services: s } = ctx;
  let previewKey: string | undefined;
  /** The spec of the last preview asked for: "Save after-image" saves that one. */
  let lastSpec: InterventionSpec | undefined;

  const interventionView = async (run: RunInfo, preset?: InterventionSpec): Promise<InterventionView> => {
    previewKey ??= `preview-${++keys}`;
    const opened = await s.engine.previewOpen({
      key: previewKey,
      runId: id.runId,
      layer: id.layer,
      samples: PREVIEW_SAMPLES,
      seed: PREVIEW_SEED,
      provider: settings().provider,
    });
    const from = new RunFolder(id.runId).from(id.layer);
    const rankings: InterventionView['rankings'] = {};
    // each ranking's head: enough for the default unit count (in proportion to the layer) and well past it
    const head = Math.max(64, 2 * defaultUnitCount(opened.shape[0]));
    for (const c of from.layer.summary.concepts.length > 0 ? from.layer.summary.concepts.map((x) => x.label) : []) {
      const ace = aceRanking(from, c);
      rankings[c] = { iou: iouRanking(from, c).slice(0, head), ...(ace ? { ace } : {}) };
    }
    // concepts with no interpretable unit still get an IoU ranking, so any concept can be intervened on
    for (const l of run.result.labels)
      if (l.category !== '-' && !rankings[l.name]) rankings[l.name] = { iou: iouRanking(from, l.name).slice(0, head) };
    return {
      runId: id.runId,
      model: path.basename(run.result.settings.generator.path),
      layer: id.layer,
      shape: opened.shape,
      image: { height: opened.image[0], width: opened.image[1] },
      labels: opened.labels.filter((l) => l.category !== '-' || l.name === '-'),
      units: from.layer.units.map((u) => ({ unit: u.unit, label: u.label, iou: u.iou })),
      rankings,
      samples: opened.samples.map((x) => ({ sample: x.sample, before: ctx.uri(x.before), segBefore: ctx.uri(x.segBefore) })),
      ...(preset ? { initial: preset } : {}),
    };
  };

  const postView = async (preset?: InterventionSpec): Promise<void> => {
    const run = readRun(id.runId);
    if (!run?.result.layers.some((l) => l.layer === id.layer)) return;
    ctx.post({ type: 'intervention', view: await interventionView(run, preset ?? initial) });
  };

  const messages: MessageHandlers<InterveneWebviewMessage> = {
    ready: () => postView(),
    copy: async (m) => {
      await vscode.env.clipboard.writeText(m.text);
      void vscode.window.setStatusBarMessage('GAN Dissection: intervention copied as JSON', 3000);
    },
    saveImage: async (m) => {
      if (!previewKey || !lastSpec) return;
      const target = await vscode.window.showSaveDialog({
        filters: { PNG: ['png'] },
        defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? id.runId, `${id.layer}-edited-${m.sample}.png`)),
      });
      if (target && previewKey && lastSpec) await s.engine.previewSave({ key: previewKey, spec: lastSpec, sample: m.sample, target: target.fsPath });
    },
  };

  const requests: RequestHandlers<InterveneRequests> = {
    preview: async ({ spec }) => {
      if (!previewKey) throw new Error('the intervention panel is not ready yet');
      lastSpec = spec;
      return s.engine.preview({ key: previewKey, spec });
    },
  };

  return {
    messages,
    requests,
    // asked for again with a preset ("ablate these units" in another panel): show it
    reveal: (preset) => {
      if (preset) void postView(preset);
    },
    dispose: () => {
      if (previewKey) s.engine.previewClose(previewKey);
    },
  };
}
