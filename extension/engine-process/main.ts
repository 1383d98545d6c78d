/**
 * The engine process: runs the engine out of the extension host (README: "In VS Code"), so a native crash or an
 * out-of-memory in ONNX Runtime cannot take VS Code down. Talks vscode-jsonrpc over Node IPC.
 */
import { exportRun } from '../shared/report/export';
import { checkSection, DISSECT_JOB } from '../shared/settings-check';
import type { DissectJob } from '../shared/run/schema';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { Generator } from '../engine/models/contract';
import { dissect } from '../engine/dissect/dissect';
import { unitHeatmaps } from '../engine/output/heatmap';
import { CancelledError, DissectError, fileSystemError } from '../shared/errors';
import {
  ArtifactsJobRequest,
  CausalJobRequest,
  ContextJobRequest,
  DissectRequest,
  HeartbeatNotification,
  HEARTBEAT_MS,
  HeatmapRequest,
  ExportRequest,
  JobProgressNotification,
  LayersRequest,
  LogNotification,
  PreviewCloseNotification,
  PreviewOpenRequest,
  PreviewRequest,
  PreviewSaveRequest,
  ProgressNotification,
  RepairSaveRequest,
  SeriesCheckpointNotification,
  SeriesSummaryNotification,
  SeriesWatchRequest,
  TraceJobRequest,
  type EngineErrorData,
  type JobParams,
} from '../shared/engine-protocol';
import { PreviewSession } from '../engine/intervene/preview';
import { hexColour } from '../shared/webview/colours';
import { runCausal, runContext, runTrace } from '../engine/intervene/jobs';
import { RunFolder } from '../shared/run/folder';
import { generatorSpecOf, segmenterSpecOf } from '../shared/run/models-of';
import { writeAtomic } from '../shared/run/blob';
import { runArtifacts } from '../engine/artifacts/job';
import { repairDifference, saveRepaired } from '../engine/artifacts/repair';
import { runSeries, summaryOf } from '../engine/series/series';
import { SeriesFolder } from '../shared/run/folder';
import type { Progress } from '../shared/progress';

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

// The heartbeat (engine-process/client.ts stops an engine that goes silent while requests wait).
setInterval(() => void connection.sendNotification(HeartbeatNotification, {}), HEARTBEAT_MS).unref();

function toResponseError(e: unknown): ResponseError<EngineErrorData> {
  if (e instanceof CancelledError) return new ResponseError(-32800, e.message, { code: 'cancelled', cancelled: true });
  if (e instanceof DissectError) return new ResponseError(1, e.message, { code: e.code });
  const fsError = fileSystemError(e);
  if (fsError) return new ResponseError(1, fsError.message, { code: fsError.code });
  return new ResponseError(2, `engine error: ${(e as Error).message ?? String(e)}`, { code: 'internal' });
}

async function guarded<T>(f: () => Promise<T>): Promise<T | ResponseError<EngineErrorData>> {
  try {
    return await f();
  } catch (e) {
    return toResponseError(e);
  }
}

connection.onRequest(LayersRequest, (p) =>
  guarded(async () => {
    const g = Generator.open(p.generator, { provider: 'cpu' });
    const layers = await g.layers();
    return { latent: { name: g.latent, shape: g.latentShape }, layers, provider: { name: 'cpu', requested: 'cpu' } };
  }),
);

/** A dissection's progress as ProgressNotifications under `runId`, at most every 250 ms (and always the last of a phase). */
function dissectProgress(runId: string): (progress: Progress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 250 && progress.done < progress.total) return;
    last = now;
    void connection.sendNotification(ProgressNotification, { runId, progress });
  };
}

connection.onRequest(DissectRequest, (p, token) =>
  guarded(async () => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const { runId, ...job } = p;
    const opts = checkSection<DissectJob>(job, DISSECT_JOB, `the dissection request for ${p.out}`, undefined, ['generator', 'segmenter', 'out']);
    return dissect({
      ...opts,
      signal: controller.signal,
      onProgress: dissectProgress(runId),
      onLog: (line) => void connection.sendNotification(LogNotification, { line }),
    });
  }),
);

// A training folder's watch: runs until cancelled, then answers with the series as it is on disk.
connection.onRequest(SeriesWatchRequest, (p, token) =>
  guarded(async () => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const { watchId } = p;
    // checked as a dissection of its own (runSeries gives each checkpoint its generator path and run folder)
    const job = checkSection<DissectJob>({ ...p.dissect, out: p.out }, DISSECT_JOB, `the watch of ${p.pattern}`, undefined, [
      'generator',
      'segmenter',
    ]);
    const folder = new SeriesFolder(p.out);
    const stopped = () => folder.readSummary() ?? summaryOf({ pattern: p.pattern, dissect: job }, folder, []);
    try {
      const summary = await runSeries({
        pattern: p.pattern,
        dissect: { ...job, onProgress: dissectProgress(watchId) },
        out: p.out,
        watch: true,
        ...(p.pollMs !== undefined ? { pollMs: p.pollMs } : {}),
        signal: controller.signal,
        onLog: (line) => void connection.sendNotification(LogNotification, { line }),
        onCheckpoint: (checkpoint) => void connection.sendNotification(SeriesCheckpointNotification, { watchId, checkpoint }),
        onSummary: (summary) => void connection.sendNotification(SeriesSummaryNotification, { watchId, summary }),
      });
      // stopped while idle: the series as this watch saw it, or, when it saw no checkpoint yet, series.json's
      return summary.checkpoints.length > 0 ? summary : stopped();
    } catch (e) {
      // stopped during a checkpoint's dissection: it keeps its checkpoint (resumed by the next watch)
      if (e instanceof CancelledError && controller.signal.aborted) return stopped();
      throw e;
    }
  }),
);

connection.onRequest(HeatmapRequest, (p) => guarded(() => unitHeatmaps(p)));

connection.onRequest(ExportRequest, (p) =>
  guarded(async () => {
    exportRun(p.out, p.format, p.target);
    return null;
  }),
);

const previews = new Map<string, Promise<PreviewSession>>();

function preview(key: string): Promise<PreviewSession> {
  const p = previews.get(key);
  if (!p) throw new Error(`no preview session ${key} (was the engine restarted?)`);
  return p;
}

connection.onRequest(PreviewOpenRequest, (p) =>
  guarded(async () => {
    const opening = PreviewSession.open({
      runId: p.runId,
      layer: p.layer,
      samples: p.samples,
      seed: p.seed,
      ...(p.provider ? { provider: p.provider } : {}),
    });
    previews.set(p.key, opening);
    opening.catch(() => previews.delete(p.key));
    const s = await opening;
    return {
      shape: s.model.shape,
      image: s.imageSize,
      samples: s.files,
      labels: s.model.seg.space.labels.map((l, i) => ({ name: l.name, category: l.category, colour: hexColour(i) })),
    };
  }),
);
connection.onRequest(PreviewRequest, (p) => guarded(async () => (await preview(p.key)).preview(p.spec)));
connection.onRequest(PreviewSaveRequest, (p) =>
  guarded(async () => {
    writeAtomic(p.target, await (await preview(p.key)).afterPng(p.spec, p.sample));
    return null;
  }),
);
connection.onNotification(PreviewCloseNotification, ({ key }) => previews.delete(key));

/** An AbortSignal that the request's cancellation aborts. */
function cancelSignal(token: { onCancellationRequested(l: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** A job's progress as JobProgressNotifications under its id, at most every 200 ms (and always the last). */
function jobProgress(jobId: string): (done: number, total: number, what: string) => void {
  let last = 0;
  return (done, total, what) => {
    const now = Date.now();
    if (now - last < 200 && done < total) return;
    last = now;
    void connection.sendNotification(JobProgressNotification, { jobId, done, total, what });
  };
}

/** The generator and segmenter a run dissected `layer` with, and that layer's result (`bad-layer` where it did not). */
function runModels(runId: string, layer: string) {
  const from = new RunFolder(runId).from(layer);
  return { from, generator: generatorSpecOf(from.result.settings), segmenter: segmenterSpecOf(from.result.settings) };
}

function jobBase(p: JobParams, token: { onCancellationRequested(l: () => void): unknown }) {
  const { from, generator, segmenter } = runModels(p.runId, p.layer);
  return {
    generator,
    segmenter,
    layer: from.layer.tensor,
    from: p.runId,
    concept: p.concept,
    samples: p.samples,
    seed: 3,
    batch: 16,
    provider: p.provider ?? 'auto',
    ...(p.insertion ? { insertion: p.insertion } : {}),
    signal: cancelSignal(token),
    onProgress: jobProgress(p.jobId),
  };
}

connection.onRequest(CausalJobRequest, (p, token) =>
  guarded(() =>
    runCausal({
      ...jobBase(p, token),
      count: p.count,
      searchSamples: p.searchSamples,
      out: new RunFolder(p.runId).jobFolder('causal', p.layer, p.concept).dir,
    }),
  ),
);
connection.onRequest(ContextJobRequest, (p, token) =>
  guarded(() => runContext({ ...jobBase(p, token), grid: p.grid, out: new RunFolder(p.runId).jobFolder('context', p.layer, p.concept).dir })),
);

connection.onRequest(TraceJobRequest, (p, token) =>
  guarded(() =>
    runTrace({
      ...jobBase(p, token),
      count: p.count,
      grid: p.grid,
      out: new RunFolder(p.runId).jobFolder('trace', p.layer, p.concept).dir,
    }),
  ),
);

connection.onRequest(ArtifactsJobRequest, (p, token) =>
  guarded(async () => {
    const { generator, segmenter } = runModels(p.runId, p.layer);
    return runArtifacts({
      generator,
      segmenter,
      // the dissected name: the results go to artifacts/LAYER/ under the name the run (and its readers) know
      layer: p.layer,
      out: p.runId,
      ...(p.samples !== undefined ? { samples: p.samples } : {}),
      ...(p.top !== undefined ? { top: p.top } : {}),
      ...(p.flag !== undefined ? { flag: p.flag } : {}),
      provider: p.provider ?? 'auto',
      signal: cancelSignal(token),
      onProgress: jobProgress(p.jobId),
      onLog: (line) => void connection.sendNotification(LogNotification, { line }),
    });
  }),
);

connection.onRequest(RepairSaveRequest, (p) =>
  guarded(async () => {
    const { generator, segmenter } = runModels(p.runId, p.layer);
    const { units } = await saveRepaired(generator, p.layer, p.units, p.target);
    const maxDiff = await repairDifference({ generator, segmenter, layer: p.layer, provider: p.provider ?? 'auto' }, p.target, units);
    return { file: p.target, maxDiff };
  }),
);

connection.listen();
process.on('disconnect', () => process.exit(0));
