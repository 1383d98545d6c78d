/**
 * The extension host's side of the engine process: starts it on first use, restarts it after a crash, and
 * turns a crash into a specific error (the run it was doing stays resumable from its checkpoint).
 * No `vscode` import here either: the client is tested in plain Node.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  CancellationTokenSource,
  ResponseError,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  CausalJobRequest,
  ContextJobRequest,
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
  type HeatmapResponse,
  type LayersParams,
  type LayersResult,
} from '../shared/engine-protocol';
import type { Progress } from '../shared/progress';

/** An error from the engine: `code` is the engine's error code, or 'crashed' / 'cancelled'. */
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

export class EngineClient {
  private child?: ChildProcess;
  private connection?: MessageConnection;
  /** Rejecters of the requests in flight: a crash rejects them all. */
  private inFlight = new Set<(e: EngineError) => void>();
  private progressListeners = new Map<string, (p: Progress) => void>();
  private jobListeners = new Map<string, (done: number, total: number, what: string) => void>();
  private stderrTail = '';

  constructor(
    private readonly script: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  private start(): MessageConnection {
    if (this.connection) return this.connection;
    const child = fork(this.script, [], {
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    child.stdout?.on('data', () => {});
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.onNotification(ProgressNotification, ({ runId, progress }) => this.progressListeners.get(runId)?.(progress));
    connection.onNotification(LogNotification, ({ line }) => this.log(line));
    connection.onNotification(JobProgressNotification, ({ jobId, done, total, what }) => this.jobListeners.get(jobId)?.(done, total, what));
    connection.listen();
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const hint = /out of memory|heap|bad_alloc/i.test(this.stderrTail) ? ' (out of memory)' : '';
      this.log(`engine process ${how}${hint}`);
      this.child = undefined;
      this.connection = undefined;
      const error = new EngineError(
        'crashed',
        `The engine process ${how}${hint}. Its work up to the last checkpoint is saved: resume the run to continue.`,
      );
      for (const reject of this.inFlight) reject(error);
      this.inFlight.clear();
      connection.dispose();
    });
    this.child = child;
    this.connection = connection;
    return connection;
  }

  /** Sends a request, rejecting with a specific error if the engine process dies meanwhile. */
  private async send<P, R>(type: import('vscode-jsonrpc').RequestType<P, R, EngineErrorData>, params: P, token?: Cancellable): Promise<R> {
    const connection = this.start();
    const source = new CancellationTokenSource();
    token?.onCancellationRequested(() => source.cancel());
    if (token?.isCancellationRequested) source.cancel();
    let rejecter: (e: EngineError) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      rejecter = reject;
      this.inFlight.add(reject);
    });
    crashed.catch(() => {});
    try {
      return await Promise.race([connection.sendRequest(type, params, source.token), crashed]);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (!(e instanceof ResponseError)) {
        // The connection closed under the request: wait for the process's exit to say how it died.
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new EngineError('crashed', `The engine process stopped answering (${(e as Error).message}).`)), 3000),
        );
        await Promise.race([crashed, timeout]);
      }
      if (e instanceof ResponseError) {
        const data = e.data as EngineErrorData | undefined;
        throw new EngineError(data?.code ?? 'internal', e.message);
      }
      throw new EngineError('internal', (e as Error).message);
    } finally {
      this.inFlight.delete(rejecter);
      source.dispose();
    }
  }

  layers(params: LayersParams): Promise<LayersResult> {
    return this.send(LayersRequest, params);
  }

  async dissect(params: DissectParams, onProgress: (p: Progress) => void, token?: Cancellable): Promise<DissectResponse> {
    this.progressListeners.set(params.runId, onProgress);
    try {
      return await this.send(DissectRequest, params, token);
    } finally {
      this.progressListeners.delete(params.runId);
    }
  }

  heatmaps(params: HeatmapParams): Promise<HeatmapResponse> {
    return this.send(HeatmapRequest, params);
  }

  previewOpen(params: PreviewOpenParams): Promise<PreviewOpenResult> {
    return this.send(PreviewOpenRequest, params);
  }

  preview(params: PreviewParams) {
    return this.send(PreviewRequest, params);
  }

  previewSave(params: PreviewParams & { sample: number; target: string }) {
    return this.send(PreviewSaveRequest, params);
  }

  previewClose(key: string): void {
    if (this.connection) void this.connection.sendNotification(PreviewCloseNotification, { key });
  }

  private async job<R>(run: () => Promise<R>, jobId: string, onProgress: (done: number, total: number, what: string) => void): Promise<R> {
    this.jobListeners.set(jobId, onProgress);
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
    return this.job(() => this.send(CausalJobRequest, params, token), params.jobId, onProgress);
  }

  context(params: JobParams & { grid: number }, onProgress: (done: number, total: number, what: string) => void, token?: Cancellable) {
    return this.job(() => this.send(ContextJobRequest, params, token), params.jobId, onProgress);
  }

  /** The engine process's pid, if running (tests kill it to check crash handling). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  dispose(): void {
    const child = this.child;
    this.child = undefined;
    this.connection?.dispose();
    this.connection = undefined;
    child?.kill();
  }
}
