/**
 * The extension host's side of the engine process: starts it on first use, and makes sure no request
 * waits for ever and no crash loops:
 *   - the engine sends a heartbeat; an engine silent for `silenceMs` while a request is in flight is hung,
 *     and is stopped;
 *   - short requests have a timeout; long ones (dissect, causal, context, trace, artifacts) a stall timeout that every
 *     progress report resets, so the limit rises with the work; a training folder's watch, idle for as long
 *     as no checkpoint lands, has none (the heartbeat still catches a hung engine);
 *   - a cancel that the engine does not honour within `cancelGraceMs` stops the engine (the run keeps
 *     its last checkpoint);
 *   - a crashed engine is restarted after a growing delay, and after `maxCrashes` crashes within
 *     `crashWindowMs` requests are refused with "the engine keeps crashing: see the log";
 *   - every error says what fits the request (resume a run; try again), and the engine's stderr goes to
 *     the log.
 * No `vscode` import here either: the client is tested in plain Node, with real and fake engines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  CancellationTokenSource,
  ResponseError,
  type MessageConnection,
  type RequestType,
} from 'vscode-jsonrpc/node';
import {
  ArtifactsJobRequest,
  RepairSaveRequest,
  type ArtifactsJobParams,
  type RepairSaveParams,
  type RepairSaveResult,
  CausalJobRequest,
  ContextJobRequest,
  TraceJobRequest,
  HeartbeatNotification,
  ExportRequest,
  type ExportParams,
  JobProgressNotification,
  PreviewCloseNotification,
  PreviewOpenRequest,
  PreviewRequest,
  PreviewSaveRequest,
  type JobParams,
  type PreviewOpenParams,
  type PreviewOpenResult,
  type PreviewParams,
  DissectRequest,
  HeatmapRequest,
  LayersRequest,
  LogNotification,
  ProgressNotification,
  type DissectParams,
  type DissectResponse,
  type EngineErrorData,
  type HeatmapParams,
  type LayersParams,
  type LayersResult,
  SeriesCheckpointNotification,
  SeriesSummaryNotification,
  SeriesWatchRequest,
  type SeriesCheckpointEvent,
  type SeriesWatchParams,
} from '../shared/engine-protocol';
import type { Progress } from '../shared/progress';
import type { HeatmapSet } from '../shared/heatmaps';
import type { ArtifactsResult, SeriesResult, TraceResult } from '../shared/run/schema';

/**
 * An error from the engine: `code` is the engine's error code, or one of the client's: 'crashed',
 * 'hung', 'timeout', 'cancelled', 'engine-missing', 'engine-failing'.
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface Cancellable {
  onCancellationRequested(listener: () => void): unknown;
  isCancellationRequested: boolean;
}

export interface EngineClientOptions {
  /** An engine that sends nothing (not even its heartbeat) for this long while a request waits is hung. */
  silenceMs?: number;
  /** A cancel the engine has not honoured after this long stops the engine. */
  cancelGraceMs?: number;
  /** After this many crashes within `crashWindowMs`, requests are refused until the window has passed. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** The first restart delay after a crash; each further crash in the window doubles it. */
  restartDelayMs?: number;
  /** Overrides of the requests' limits in ms (tests; see KINDS for the defaults). */
  limits?: Partial<Record<KindName, number>>;
}

type KindName = keyof typeof KINDS;

/** What a request is, for its limits and for messages that fit it. */
interface RequestKind {
  name: string;
  /** "listing the layers", "the dissection", …: what the messages call it. */
  what: string;
  /** A fixed limit for the whole request, a stall limit that progress resets, or none (a watch: only the heartbeat). */
  timeout: { totalMs: number } | { stallMs: number } | { none: true };
  /** Whether the request keeps checkpoints (a crash message then says to resume). */
  resumable?: boolean;
}

const KINDS = {
  layers: { name: 'layers', what: 'listing the layers', timeout: { totalMs: 120_000 } },
  dissect: { name: 'dissect', what: 'the dissection', timeout: { stallMs: 600_000 }, resumable: true },
  heatmaps: { name: 'heatmaps', what: 'the heatmaps', timeout: { totalMs: 600_000 } },
  export: { name: 'export', what: 'the export', timeout: { totalMs: 600_000 } },
  previewOpen: { name: 'previewOpen', what: 'opening the preview', timeout: { totalMs: 300_000 } },
  preview: { name: 'preview', what: 'the preview', timeout: { totalMs: 120_000 } },
  previewSave: { name: 'previewSave', what: 'saving the image', timeout: { totalMs: 120_000 } },
  causal: { name: 'causal', what: 'the causal search', timeout: { stallMs: 600_000 } },
  context: { name: 'context', what: 'the insertion context', timeout: { stallMs: 600_000 } },
  trace: { name: 'trace', what: 'the trace through the later layers', timeout: { stallMs: 600_000 } },
  artifacts: { name: 'artifacts', what: 'the search for artifact units', timeout: { stallMs: 600_000 } },
  repairSave: { name: 'repairSave', what: 'saving the repaired generator', timeout: { totalMs: 600_000 } },
  seriesWatch: { name: 'seriesWatch', what: 'the watch of the training folder', timeout: { none: true }, resumable: true },
} satisfies Record<string, RequestKind>;

/** What a training folder's watch reports as it goes. */
export interface SeriesWatchListeners {
  onCheckpoint(c: SeriesCheckpointEvent): void;
  onSummary(s: SeriesResult): void;
  /** The progress of the checkpoint being dissected. */
  onProgress(p: Progress): void;
}

/** A request waiting for its answer: how to fail it, and what it is. */
interface Pending {
  reject: (e: EngineError) => void;
  kind: RequestKind;
  /** Called on each progress report (resets a stall timer). */
  touched: () => void;
}

export class EngineClient {
  private child?: ChildProcess;
  private connection?: MessageConnection;
  private pending = new Set<Pending>();
  private progressListeners = new Map<string, (p: Progress) => void>();
  private jobListeners = new Map<string, (done: number, total: number, what: string) => void>();
  private seriesListeners = new Map<string, SeriesWatchListeners>();
  private stderrTail = '';
  /** Set just before the client stops the engine on purpose: the error the requests in flight get. */
  private stopping?: (kind: RequestKind) => EngineError;
  private crashes: number[] = [];
  private lastHeard = Date.now();
  private watchdog?: NodeJS.Timeout;
  private readonly o: Required<EngineClientOptions>;

  constructor(
    private readonly script: string,
    private readonly log: (line: string) => void = () => {},
    options: EngineClientOptions = {},
  ) {
    this.o = { silenceMs: 60_000, cancelGraceMs: 5_000, maxCrashes: 3, crashWindowMs: 120_000, restartDelayMs: 500, limits: {}, ...options };
  }

  /** Crashes in the current window (oldest dropped). */
  private recentCrashes(): number {
    const since = Date.now() - this.o.crashWindowMs;
    this.crashes = this.crashes.filter((t) => t >= since);
    return this.crashes.length;
  }

  private async start(): Promise<MessageConnection> {
    if (this.connection) return this.connection;
    const n = this.recentCrashes();
    if (n >= this.o.maxCrashes) {
      throw new EngineError(
        'engine-failing',
        `The engine keeps crashing (${n} times in the last ${Math.round(this.o.crashWindowMs / 1000)} s), so it is not restarted for now: see the log (Output › GAN Dissection) for why.`,
      );
    }
    if (n > 0) await new Promise((r) => setTimeout(r, this.o.restartDelayMs * 2 ** (n - 1)));
    if (this.connection) return this.connection;
    if (!fs.existsSync(this.script)) {
      throw new EngineError('engine-missing', `The engine (${this.script}) is missing: rebuild the extension (npm run build) or reinstall it.`);
    }
    const child = fork(this.script, [], {
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) this.log(`[engine] ${line}`);
    });
    child.stdout?.on('data', () => {});
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const heard = () => (this.lastHeard = Date.now());
    connection.onNotification(HeartbeatNotification, heard);
    connection.onNotification(ProgressNotification, ({ runId, progress }) => {
      heard();
      this.progressListeners.get(runId)?.(progress);
    });
    connection.onNotification(LogNotification, ({ line }) => {
      heard();
      this.log(line);
    });
    connection.onNotification(JobProgressNotification, ({ jobId, done, total, what }) => {
      heard();
      this.jobListeners.get(jobId)?.(done, total, what);
    });
    connection.onNotification(SeriesCheckpointNotification, ({ watchId, checkpoint }) => {
      heard();
      this.seriesListeners.get(watchId)?.onCheckpoint(checkpoint);
    });
    connection.onNotification(SeriesSummaryNotification, ({ watchId, summary }) => {
      heard();
      this.seriesListeners.get(watchId)?.onSummary(summary);
    });
    connection.listen();
    const ended = (how: string) => {
      if (this.child !== child) return;
      const hint = /out of memory|heap|bad_alloc/i.test(this.stderrTail) ? ' (out of memory)' : '';
      this.log(`engine process ${how}${hint}`);
      this.child = undefined;
      this.connection = undefined;
      const stopping = this.stopping;
      this.stopping = undefined;
      if (!stopping) this.crashes.push(Date.now());
      for (const p of this.pending) {
        p.reject(
          stopping?.(p.kind) ??
            new EngineError(
              'crashed',
              `The engine process ${how}${hint} during ${p.kind.what}. ` +
                (p.kind.resumable
                  ? 'Its work up to the last checkpoint is saved: resume the run to continue.'
                  : 'Try again; see the log if it happens again.'),
            ),
        );
      }
      this.pending.clear();
      connection.dispose();
    };
    child.on('exit', (code, signal) => ended(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (e) => {
      ended(`could not run (${e.message})`);
      child.kill('SIGKILL');
    });
    this.child = child;
    this.connection = connection;
    this.lastHeard = Date.now();
    this.startWatchdog();
    return connection;
  }

  /** Stops a hung engine: one that sent nothing for silenceMs while requests wait. */
  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(
      () => {
        if (!this.child) return;
        if (this.pending.size === 0) {
          this.lastHeard = Date.now();
          return;
        }
        const silent = Date.now() - this.lastHeard;
        if (silent < this.o.silenceMs) return;
        this.log(`engine process silent for ${Math.round(silent / 1000)} s: stopping it`);
        this.stop(
          (kind) =>
            new EngineError(
              'hung',
              `The engine stopped answering during ${kind.what} (nothing for ${Math.round(silent / 1000)} s), so it was stopped.` +
                (kind.resumable
                  ? ' Its work up to the last checkpoint is saved: resume the run to continue.'
                  : ' Try again; see the log if it happens again.'),
            ),
          true,
        );
      },
      Math.min(1000, this.o.silenceMs / 4),
    );
    this.watchdog.unref();
  }

  /** Kills the engine; the requests in flight get `error`. `crash`: counts toward the crash limit. */
  private stop(error: (kind: RequestKind) => EngineError, crash: boolean): void {
    if (!this.child) return;
    if (crash) this.crashes.push(Date.now());
    this.stopping = error;
    this.child.kill('SIGKILL');
  }

  /** Sends a request under its kind's limits; rejects with a specific error if the engine dies meanwhile. */
  private async send<P, R>(type: RequestType<P, R, EngineErrorData>, params: P, kind: RequestKind, token?: Cancellable): Promise<R> {
    const connection = await this.start();
    const source = new CancellationTokenSource();
    let pending: Pending | undefined;
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      const arm = () => {
        clearTimeout(timer);
        if ('none' in kind.timeout) return;
        const ms = this.o.limits[kind.name as KindName] ?? ('totalMs' in kind.timeout ? kind.timeout.totalMs : kind.timeout.stallMs);
        timer = setTimeout(() => {
          const stalled = 'stallMs' in kind.timeout;
          this.log(`${kind.what}: no ${stalled ? 'progress' : 'answer'} after ${Math.round(ms / 1000)} s: stopping the engine`);
          this.stop(
            (k) =>
              k === kind
                ? new EngineError(
                    'timeout',
                    `${capital(kind.what)} ${stalled ? 'made no progress' : 'got no answer'} for ${Math.round(ms / 1000)} s, so the engine was stopped.` +
                      (kind.resumable ? ' Its work up to the last checkpoint is saved: resume the run to continue.' : ''),
                  )
                : new EngineError('crashed', `The engine was stopped (${kind.what} timed out) during ${k.what}: try again.`),
            true,
          );
        }, ms);
        timer.unref();
      };
      arm();
      pending = {
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        kind,
        touched: 'stallMs' in kind.timeout ? arm : () => {},
      };
      this.pending.add(pending);
      source.token.onCancellationRequested(() => {
        // The engine stops at its next checkpoint; one that does not within the grace period is stopped.
        const grace = setTimeout(() => {
          if (!pending || !this.pending.has(pending)) return;
          this.log(`${kind.what}: the engine did not stop within ${this.o.cancelGraceMs / 1000} s of the cancel: stopping it`);
          this.stop(
            (k) =>
              k === kind
                ? new EngineError(
                    'cancelled',
                    `${capital(kind.what)} was cancelled (the engine was stopped to honour it; it restarts on the next request).`,
                  )
                : new EngineError('crashed', `The engine was stopped to cancel ${kind.what} during ${k.what}: try again.`),
            false,
          );
        }, this.o.cancelGraceMs);
        grace.unref();
      });
    });
    failed.catch(() => {});
    token?.onCancellationRequested(() => source.cancel());
    if (token?.isCancellationRequested) source.cancel();
    try {
      return await Promise.race([connection.sendRequest(type, params, source.token), failed]);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (!(e instanceof ResponseError)) {
        // The connection closed under the request: wait for the process's exit to say how it died.
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new EngineError('crashed', `The engine process stopped answering during ${kind.what} (${(e as Error).message}).`)),
            3000,
          ),
        );
        await Promise.race([failed, timeout]);
      }
      if (e instanceof ResponseError) {
        const data = e.data as EngineErrorData | undefined;
        throw new EngineError(data?.code ?? 'internal', e.message);
      }
      throw new EngineError('internal', (e as Error).message);
    } finally {
      clearTimeout(timer);
      if (pending) this.pending.delete(pending);
      source.dispose();
    }
  }

  /** Marks the requests of this kind as progressing (resets their stall timers). */
  private progressed(kind: RequestKind): void {
    for (const p of this.pending) if (p.kind === kind) p.touched();
  }

  layers(params: LayersParams): Promise<LayersResult> {
    return this.send(LayersRequest, params, KINDS.layers);
  }

  async dissect(params: DissectParams, onProgress: (p: Progress) => void, token?: Cancellable): Promise<DissectResponse> {
    this.progressListeners.set(params.runId, (p) => {
      this.progressed(KINDS.dissect);
      onProgress(p);
    });
    try {
      return await this.send(DissectRequest, params, KINDS.dissect, token);
    } finally {
      this.progressListeners.delete(params.runId);
    }
  }

  heatmaps(params: HeatmapParams): Promise<HeatmapSet> {
    return this.send(HeatmapRequest, params, KINDS.heatmaps);
  }

  exportRun(params: ExportParams): Promise<null> {
    return this.send(ExportRequest, params, KINDS.export);
  }

  previewOpen(params: PreviewOpenParams): Promise<PreviewOpenResult> {
    return this.send(PreviewOpenRequest, params, KINDS.previewOpen);
  }

  preview(params: PreviewParams) {
    return this.send(PreviewRequest, params, KINDS.preview);
  }

  previewSave(params: PreviewParams & { sample: number; target: string }) {
    return this.send(PreviewSaveRequest, params, KINDS.previewSave);
  }

  previewClose(key: string): void {
    if (this.connection) void this.connection.sendNotification(PreviewCloseNotification, { key });
  }

  private async job<R>(
    kind: RequestKind,
    run: () => Promise<R>,
    jobId: string,
    onProgress: (done: number, total: number, what: string) => void,
  ): Promise<R> {
    this.jobListeners.set(jobId, (done, total, what) => {
      this.progressed(kind);
      onProgress(done, total, what);
    });
    try {
      return await run();
    } finally {
      this.jobListeners.delete(jobId);
    }
  }

  causal(
    params: JobParams & { count: number; searchSamples: number },
    onProgress: (done: number, total: number, what: string) => void,
    token?: Cancellable,
  ) {
    return this.job(KINDS.causal, () => this.send(CausalJobRequest, params, KINDS.causal, token), params.jobId, onProgress);
  }

  context(params: JobParams & { grid: number }, onProgress: (done: number, total: number, what: string) => void, token?: Cancellable) {
    return this.job(KINDS.context, () => this.send(ContextJobRequest, params, KINDS.context, token), params.jobId, onProgress);
  }

  /** Traces the concept's units inserted over a grid through the later layers (the paper's S-6.5). */
  trace(
    params: JobParams & { grid: number; count: number },
    onProgress: (done: number, total: number, what: string) => void,
    token?: Cancellable,
  ): Promise<TraceResult> {
    return this.job(KINDS.trace, () => this.send(TraceJobRequest, params, KINDS.trace, token), params.jobId, onProgress);
  }

  artifacts(
    params: ArtifactsJobParams,
    onProgress: (done: number, total: number, what: string) => void,
    token?: Cancellable,
  ): Promise<ArtifactsResult> {
    return this.job(KINDS.artifacts, () => this.send(ArtifactsJobRequest, params, KINDS.artifacts, token), params.jobId, onProgress);
  }

  /**
   * Watches a training folder, dissecting each checkpoint as it lands, until `token` is cancelled; resolves
   * with the series as it is then.
   */
  async watchSeries(params: SeriesWatchParams, listeners: SeriesWatchListeners, token?: Cancellable): Promise<SeriesResult> {
    this.seriesListeners.set(params.watchId, listeners);
    this.progressListeners.set(params.watchId, (p) => listeners.onProgress(p));
    try {
      return await this.send(SeriesWatchRequest, params, KINDS.seriesWatch, token);
    } finally {
      this.seriesListeners.delete(params.watchId);
      this.progressListeners.delete(params.watchId);
    }
  }

  /** Writes the repaired generator and checks it against the intervention. */
  saveRepaired(params: RepairSaveParams): Promise<RepairSaveResult> {
    return this.send(RepairSaveRequest, params, KINDS.repairSave);
  }

  /** The engine process's pid, if running (tests kill it to check crash handling). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  dispose(): void {
    const child = this.child;
    this.child = undefined;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.connection?.dispose();
    this.connection = undefined;
    child?.kill();
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
