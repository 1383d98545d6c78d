/**
 * The Training panel's host: posts a checkpoint series (the watch's latest summary while its training
 * folder is watched, else series.json) and what the watch is doing, live; answers the unit timeline's strips;
 * opens a checkpoint's layer panel, compares checkpoints, stops the watch (webview/training; protocol in
 * extension/shared/webview/training.ts).
 */
import * as vscode from 'vscode';
import type { TrainingProtocol, TrainingRequests, TrainingWebviewMessage, WatchStatus } from '../../shared/webview/training';
import { SeriesFolder } from '../../shared/run/folder';
import type { SeriesResult } from '../../shared/run/schema';
import { patternDisplay } from '../series-index';
import { compareIdentity } from './compare-panel';
import { stepStrips, trainingView } from './training-view';
import type { MessageHandlers, PanelContext, PanelController, RequestHandlers } from './panel-host';

export function trainingPanel(ctx: PanelContext<TrainingProtocol>): PanelController<TrainingProtocol> {
  const { id, services: s } = ctx;
  const dir = id.runId;

  /** The series now: the watch's (live) or the one on disk; undefined when there is none. */
  const series = (): { summary: SeriesResult; status: WatchStatus; display: string } | undefined => {
    const w = s.watches.get(dir);
    if (w) return { summary: w.summary, status: w.status, display: w.display };
    const summary = new SeriesFolder(dir).readSummary();
    return (
      summary && {
        summary,
        status: { state: 'stopped' },
        display: patternDisplay(summary.pattern, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
      }
    );
  };

  const postView = (): void => {
    const now = series();
    if (now) ctx.post({ type: 'training', view: trainingView(dir, now.summary, now.status, now.display) });
  };

  const sub = s.watches.onDidChange(({ watch, what }) => {
    if (watch.out !== dir) return;
    if (what === 'progress' || what === 'checkpoint') ctx.post({ type: 'watch', status: watch.status });
    else postView();
  });

  const messages: MessageHandlers<TrainingWebviewMessage> = {
    ready: () => postView(),
    openCheckpoint: (m) => void ctx.panels.show('layer', { runId: m.runId, layer: m.layer }),
    stopWatch: async () => {
      await vscode.commands.executeCommand('ganDissection.stopWatching', { out: dir });
    },
    compare: (m) => void ctx.panels.show('compare', compareIdentity(m.items)),
  };

  const requests: RequestHandlers<TrainingRequests> = {
    strips: async (p) => {
      const now = series();
      if (!now) throw new Error(`the series in ${dir} is no longer on disk`);
      return stepStrips(dir, now.summary, p.layer, p.units, ctx.uri);
    },
  };

  return { messages, requests, reveal: () => postView(), dispose: () => sub.dispose() };
}
