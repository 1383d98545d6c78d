/**
 * The training folders being watched: each a SeriesWatchRequest in the engine process (which dissects every
 * checkpoint as it lands), with what it is doing now and its series so far. The status bar, the tree and the
 * Training panel listen to `onDidChange`; "Stop Watching Training Folder" cancels a watch, which answers with
 * the series as it is.
 */
import * as vscode from 'vscode';
import type { EngineClient, EngineError } from '../engine-process/client';
import type { SeriesWatchParams } from '../shared/engine-protocol';
import type { SeriesResult } from '../shared/run/schema';
import { SeriesFolder } from '../shared/run/folder';
import type { WatchStatus } from '../shared/webview/training';

export interface ActiveWatch {
  /** The series folder (the watch's identity). */
  out: string;
  pattern: string;
  /** The pattern as the user knows it ("ckpt/", "ckpt/G_*.onnx"). */
  display: string;
  /** The model whose settings every checkpoint is dissected with. */
  model: string;
  params: SeriesWatchParams;
  status: WatchStatus;
  /** The series so far (series.json as the engine last wrote it; no checkpoints before the first). */
  summary: SeriesResult;
}

/** A series with no checkpoint yet, as the watch will write it. */
function emptySeries(p: SeriesWatchParams): SeriesResult {
  return {
    formatVersion: 1,
    tool: 'gan-dissection-series',
    pattern: p.pattern,
    layers: p.dissect.layers ?? [],
    settings: {
      samples: p.dissect.samples ?? 0,
      seed: p.dissect.seed ?? 1,
      threshold: p.dissect.threshold ?? 'iqr',
      thresholdSamples: p.dissect.thresholdSamples ?? p.dissect.samples ?? 0,
    },
    checkpoints: [],
    updated: new Date().toISOString(),
  };
}

/** What changed: the watch started or stopped, a checkpoint started or ended, a new summary, or a checkpoint's progress. */
export interface WatchChange {
  watch: ActiveWatch;
  what: 'started' | 'stopped' | 'checkpoint' | 'summary' | 'progress';
}

interface Running {
  watch: ActiveWatch;
  source: vscode.CancellationTokenSource;
  /** The series when the watch ends (undefined when it failed). */
  ended: Promise<SeriesResult | undefined>;
}

export class TrainingWatches implements vscode.Disposable {
  private readonly running = new Map<string, Running>();
  private readonly changed = new vscode.EventEmitter<WatchChange>();
  readonly onDidChange = this.changed.event;
  private readonly failed = new vscode.EventEmitter<{ watch: ActiveWatch; error: EngineError }>();
  /** A watch ended with an error (not a stop); its 'stopped' change follows. */
  readonly onDidFail = this.failed.event;

  constructor(private readonly engine: EngineClient) {}

  get(out: string): ActiveWatch | undefined {
    return this.running.get(out)?.watch;
  }

  all(): ActiveWatch[] {
    return [...this.running.values()].map((r) => r.watch);
  }

  /** Starts watching (or returns the watch already writing into `params.out`). */
  start(params: SeriesWatchParams, display: string, model: string): ActiveWatch {
    const existing = this.running.get(params.out);
    if (existing) return existing.watch;
    const before = new SeriesFolder(params.out).readSummary();
    const watch: ActiveWatch = {
      out: params.out,
      pattern: params.pattern,
      display,
      model,
      params,
      status: { state: 'watching', checkpoints: before?.checkpoints.length ?? 0 },
      summary: before ?? emptySeries(params),
    };
    const source = new vscode.CancellationTokenSource();
    const fire = (what: WatchChange['what']) => this.changed.fire({ watch, what });
    const ended = this.engine
      .watchSeries(
        params,
        {
          onCheckpoint: (c) => {
            watch.status =
              c.state === 'dissecting'
                ? { state: 'dissecting', step: c.step, index: c.index, total: c.total, done: 0 }
                : { state: 'watching', checkpoints: Math.max(c.total, watch.summary.checkpoints.length) };
            fire('checkpoint');
          },
          onSummary: (s) => {
            watch.summary = s;
            if (watch.status.state === 'watching') watch.status = { state: 'watching', checkpoints: s.checkpoints.length };
            fire('summary');
          },
          onProgress: (p) => {
            if (watch.status.state !== 'dissecting') return;
            watch.status = { ...watch.status, done: p.phase === 'render' ? 1 : p.overallDone / Math.max(1, p.overallTotal) };
            fire('progress');
          },
        },
        source.token,
      )
      .then(
        (s) => s,
        (e: EngineError) => {
          // a stop that the engine honoured by being stopped: the series is as series.json has it
          if (e.code === 'cancelled' && source.token.isCancellationRequested) return new SeriesFolder(params.out).readSummary();
          this.failed.fire({ watch, error: e });
          return undefined;
        },
      )
      .then((s) => {
        if (s) watch.summary = s;
        watch.status = { state: 'stopped' };
        this.running.delete(params.out);
        source.dispose();
        fire('stopped');
        return s;
      });
    this.running.set(params.out, { watch, source, ended });
    fire('started');
    return watch;
  }

  /** Stops a watch; resolves with its series as it is then. */
  async stop(out: string): Promise<SeriesResult | undefined> {
    const r = this.running.get(out);
    if (!r) return undefined;
    r.source.cancel();
    return r.ended;
  }

  dispose(): void {
    for (const r of this.running.values()) r.source.cancel();
    this.changed.dispose();
    this.failed.dispose();
  }
}
