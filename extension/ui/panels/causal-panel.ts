/**
 * The causal panel's host (the paper's §3.2, Fig. 4 and Fig. 11): posts what was computed so far for the
 * layer, runs causal unit searches and insertion-context jobs in the engine with progress and cancellation
 * (webview/causal; protocol in extension/shared/webview/causal.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { CausalConceptResult, CausalProtocol, CausalRequests, CausalView, CausalWebviewMessage, ContextView } from '../../shared/webview/causal';
import type { CausalResult, ContextResult } from '../../shared/run/schema';
import { RunFolder } from '../../shared/run/folder';
import { settings } from '../config';
import { readRun, type RunInfo } from '../run-index';
import { openIntervention, type MessageHandlers, type PanelContext, type PanelController, type RequestHandlers } from './panel-host';

export function causalPanel(ctx: PanelContext<CausalProtocol>): PanelController<CausalProtocol> {
  const { id, services: s } = ctx;
  /** The jobs running for this panel, by the job id the webview chose. */
  const jobs = new Map<string, vscode.CancellationTokenSource>();

  const toContextView = (r: ContextResult): ContextView => ({
    concept: r.concept,
    units: r.units,
    byClass: Object.entries(r.by_class)
      .map(([label, gain]) => ({ label, gain, count: r.counts[label] }))
      .sort((a, b) => b.gain - a.gain),
    grid: r.grid,
    heatmaps: (r.heatmaps ?? []).map((h) => ({ sample: h.sample, image: ctx.uri(h.image), heatmap: ctx.uri(h.heatmap) })),
  });

  const causalView = (run: RunInfo, layer: string): CausalView => {
    const results: CausalConceptResult[] = [];
    const contexts: ContextView[] = [];
    const folder = new RunFolder(run.out);
    for (const l of run.result.labels) {
      if (l.category === '-') continue;
      const c = folder.jobFolder('causal', layer, l.name).readCausal();
      if (c) results.push(toCausalView(c));
      const x = folder.jobFolder('context', layer, l.name).readContext();
      if (x) contexts.push(toContextView(x));
    }
    return {
      runId: run.out,
      model: path.basename(run.result.settings.generator.path),
      layer,
      concepts: run.result.labels.filter((l) => l.category !== '-').map((l) => l.name),
      results,
      contexts,
    };
  };

  const postView = async (): Promise<void> => {
    const run = readRun(id.runId);
    if (!run?.result.layers.some((l) => l.layer === id.layer)) return;
    ctx.post({ type: 'causal', view: causalView(run, id.layer) });
  };

  /** Runs a long job under the webview's job id: progress as `progress` messages, cancelled by `cancelJob`. */
  const job = async <T>(
    jobId: string,
    f: (onProgress: (done: number, total: number, what: string) => void, token: vscode.CancellationToken) => Promise<T>,
  ) => {
    const source = new vscode.CancellationTokenSource();
    jobs.set(jobId, source);
    try {
      return await f((done, total, what) => ctx.post({ type: 'progress', job: jobId, done, total, what }), source.token);
    } finally {
      jobs.delete(jobId);
      source.dispose();
    }
  };

  const messages: MessageHandlers<CausalWebviewMessage> = {
    ready: () => postView(),
    cancelJob: (m) => jobs.get(m.job)?.cancel(),
    intervene: (m) => openIntervention(ctx, m),
  };

  const requests: RequestHandlers<CausalRequests> = {
    causal: (p) =>
      job(p.job, async (onProgress, token) => {
        const base = { jobId: p.job, runId: id.runId, layer: id.layer, concept: p.concept, samples: p.samples, provider: settings().provider };
        return toCausalView(await s.engine.causal({ ...base, count: p.count, searchSamples: Math.min(32, p.samples) }, onProgress, token));
      }),
    context: (p) =>
      job(p.job, async (onProgress, token) => {
        const base = { jobId: p.job, runId: id.runId, layer: id.layer, concept: p.concept, samples: p.samples, provider: settings().provider };
        return toContextView(await s.engine.context({ ...base, grid: 8 }, onProgress, token));
      }),
  };

  return {
    messages,
    requests,
    dispose: () => {
      for (const j of jobs.values()) j.cancel();
    },
  };
}

function toCausalView(r: CausalResult): CausalConceptResult {
  const brief = (a: CausalResult['ace']) => ({ ace: a.ace, removed: a.removed, added: a.added, ci: { ace: a.ci.ace } });
  return {
    concept: r.concept,
    units: r.units,
    ...(r.iouUnits ? { iouUnits: r.iouUnits } : {}),
    curves: r.curves,
    ace: brief(r.ace),
    ...(r.iouAce ? { iouAce: brief(r.iouAce) } : {}),
    samples: r.samples,
  };
}
