/**
 * The engine process: runs the engine out of the extension host (DESIGN.md §2), so a native crash or an
 * out-of-memory in ONNX Runtime cannot take VS Code down. Talks vscode-jsonrpc over Node IPC.
 */
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { Generator } from '../engine/models';
import { dissect } from '../engine/dissect';
import { unitHeatmaps } from '../engine/heatmap';
import { CancelledError, DissectError } from '../engine/errors';
import { DissectRequest, HeatmapRequest, LayersRequest, LogNotification, ProgressNotification, type EngineErrorData } from './engine-protocol';

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

function toResponseError(e: unknown): ResponseError<EngineErrorData> {
  if (e instanceof CancelledError) return new ResponseError(-32800, e.message, { code: 'cancelled', cancelled: true });
  if (e instanceof DissectError) return new ResponseError(1, e.message, { code: e.code });
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

connection.onRequest(DissectRequest, (p, token) =>
  guarded(async () => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const { runId, ...opts } = p;
    let last = 0;
    return dissect({
      ...opts,
      signal: controller.signal,
      onProgress: (progress) => {
        const now = Date.now();
        if (now - last < 250 && progress.done < progress.total) return;
        last = now;
        void connection.sendNotification(ProgressNotification, { runId, progress });
      },
      onLog: (line) => void connection.sendNotification(LogNotification, { line }),
    });
  }),
);

connection.onRequest(HeatmapRequest, (p) => guarded(() => unitHeatmaps(p)));

connection.listen();
process.on('disconnect', () => process.exit(0));
