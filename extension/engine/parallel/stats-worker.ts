/**
 * A statistics thread: holds the tallies of its units (ShardStats) and tallies each batch the main thread
 * puts in a shared slot; at the end of a run it writes its share of the top-image strips (strips.ts).
 * Messages: see WorkerRequest / WorkerReply.
 */
import { fileSystemError } from '../../shared/errors';
import { parentPort } from 'node:worker_threads';
import { BatchSlot, type SlotLayout } from './batch-slot';
import { ShardStats, type PhaseInit, type ShardState } from './shard-stats';
import { writeStrips, type StripJob } from '../output/strips';
import { lowerThreadPriority } from './thread-priority';

export type WorkerRequest =
  | { type: 'slots'; layout: SlotLayout; buffers: SharedArrayBuffer[] }
  | { type: 'phase'; init: PhaseInit }
  | { type: 'batch'; slot: number; n: number; first: number }
  | { type: 'state'; id: number }
  | { type: 'strips'; id: number; jobs: StripJob[]; tiles: [number, Uint8Array][]; th: number; tw: number };

export type WorkerReply =
  | { type: 'done'; slot: number }
  | { type: 'state'; id: number; state: (ShardState | undefined)[] }
  | { type: 'strips'; id: number; count: number }
  | { type: 'error'; message: string; code?: string };

if (parentPort) {
  const port = parentPort;
  lowerThreadPriority();
  let slots: BatchSlot[] = [];
  let stats: ShardStats | undefined;
  port.on('message', (m: WorkerRequest) => {
    try {
      if (m.type === 'slots') slots = m.buffers.map((b) => new BatchSlot(m.layout, b));
      else if (m.type === 'phase') stats = new ShardStats(m.init);
      else if (m.type === 'batch') {
        stats!.addBatch(slots[m.slot].view(m.n, m.first));
        port.postMessage({ type: 'done', slot: m.slot } satisfies WorkerReply);
      } else if (m.type === 'state') {
        port.postMessage({ type: 'state', id: m.id, state: stats ? stats.state() : [] } satisfies WorkerReply);
      } else if (m.type === 'strips') {
        writeStrips(m.jobs, new Map(m.tiles), m.th, m.tw);
        port.postMessage({ type: 'strips', id: m.id, count: m.jobs.length } satisfies WorkerReply);
      }
    } catch (e) {
      // A file-system error (a full disk while writing strips) as words naming the file; anything else with its stack.
      const fsError = fileSystemError(e);
      port.postMessage({
        type: 'error',
        message: fsError?.message ?? (e as Error).stack ?? String(e),
        ...(fsError ? { code: fsError.code } : {}),
      } satisfies WorkerReply);
    }
  });
}
