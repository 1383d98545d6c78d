/**
 * The causal panel's host (the paper's §3.2, Fig. 4, Fig. 11 and S-6.5): posts what was computed so far for the
 * layer, runs causal unit searches, insertion-context jobs and traces in the engine with progress and
 * cancellation (webview/causal; protocol in extension/shared/webview/causal.ts; views in causal-views.ts).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type {
  CausalConceptResult,
  CausalProtocol,
  CausalRequests,
  CausalView,
  CausalWebviewMessage,
  ContextView,
  TraceView,
} from '../../shared/webview/causal';
import { RunFolder } from '../../shared/run/folder';
import { settings } from '../config';
import { readRun, type RunInfo } from '../run-index';
import { openIntervention, type MessageHandlers, type PanelContext, type PanelController, type RequestHandlers } from './panel-host';
import { toCausalView, toContextView, toTraceView } from './causal-views';

export function causalPanel(ctx: PanelContext<CausalProtocol>): PanelController<CausalProtocol> {
  const { id, services: s } = ctx;
  const uri = (file: string) => ctx.uri(file);
  /** The jobs running for this panel, by the job id the webview chose. */
  const jobs = new Map<string, vscode.CancellationTokenSource>();

  const causalView = (run: RunInfo, layer: string): CausalView => {
    const results: CausalConceptResult[] = [];
    const contexts: ContextView[] = [];
    const traces: TraceView[] = [];
    const folder = new RunFolder(run.out);
    for (const l of run.result.labels) {
      if (l.category === '-') continue;
      const c = folder.jobFolder('causal', layer, l.name).readCausal();
      if (c) results.push(toCausalView(c, c.insertion));
      const x = folder.jobFolder('context', layer, l.name).readContext();
      if (x) contexts.push(toContextView(x, uri));
      const tf = folder.jobFolder('trace', layer, l.name);
      const t = tf.readTrace();
      if (t) traces.push(toTraceView(t, tf, uri, t.insertion));
    }
    return {
      runId: run.out,
      model: path.basename(run.result.settings.generator.path),
      layer,
      concepts: run.result.labels.filter((l) => l.category !== '-').map((l) => l.name),
      results,
      contexts,
      traces,
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

  /** What every engine job of this panel shares. */
  const base = (p: { job: string; concept: string; samples: number; insertion?: CausalRequests['causal']['params']['insertion'] }) => ({
    jobId: p.job,
    runId: id.runId,
    layer: id.layer,
    concept: p.concept,
    samples: p.samples,
    provider: settings().provider,
    ...(p.insertion ? { insertion: p.insertion } : {}),
  });

  const messages: MessageHandlers<CausalWebviewMessage> = {
    ready: () => postView(),
    cancelJob: (m) => jobs.get(m.job)?.cancel(),
    intervene: (m) => openIntervention(ctx, m),
  };

  const requests: RequestHandlers<CausalRequests> = {
    causal: (p) =>
      job(p.job, async (onProgress, token) => {
        const r = await s.engine.causal({ ...base(p), count: p.count, searchSamples: Math.min(32, p.samples) }, onProgress, token);
        return toCausalView(r, p.insertion ?? 'high');
      }),
    context: (p) => job(p.job, async (onProgress, token) => toContextView(await s.engine.context({ ...base(p), grid: 8 }, onProgress, token), uri)),
    trace: (p) =>
      job(p.job, async (onProgress, token) => {
        const r = await s.engine.trace({ ...base(p), count: p.count, grid: p.grid }, onProgress, token);
        return toTraceView(r, new RunFolder(id.runId).jobFolder('trace', id.layer, p.concept), uri, p.insertion ?? 'high');
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
