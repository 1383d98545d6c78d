/**
 * The statistics threads of a dissection: the units of every layer are split across `workers` threads
 * (worker_threads, each running stats-worker.ts), batches go to them through two shared slots, and
 * their states are gathered into whole-layer arrays for checkpoints and for the end of a phase.
 * With 0 workers the same ShardStats runs on the calling thread (tests, tiny runs, single-core machines).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DissectError } from '../../shared/errors';
import { BatchSlot, type SlotLayout } from './batch-slot';
import { ShardStats, assemble, sliceState, splitUnits, type PhaseInit, type ShardState } from './shard-stats';
import type { WorkerReply, WorkerRequest } from './stats-worker';
import { writeStrips, type StripJob } from '../output/strips';

/** A layer of a phase, whole: levels / thresholds / restored state of all its units. */
export interface WholeLayer {
  shape: [number, number, number];
  levels?: Float32Array;
  thresholds?: Float32Array;
  restored?: ShardState;
}

export type WholePhase = Omit<PhaseInit, 'layers'> & { layers: WholeLayer[] };

/** The cores this process may use. */
export function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Statistics threads by default: every core but one (the one that calls ONNX Runtime), at most 8; on one
 * or two cores, one per core (measured on 2 cores, demo model, 400 samples: 2 threads + ONNX Runtime on
 * 1 thread 13.9 s; 1 + 1: 19.9 s; 1 + ONNX Runtime's own default: 21.3 s).
 */
export function defaultWorkers(): number {
  const n = cores();
  return n <= 2 ? n : Math.min(8, n - 1);
}

interface SlotState {
  slot: BatchSlot;
  pending: number;
  done?: Promise<void>;
  resolve?: () => void;
}

/** A submitted batch's `tallied` callback, due once its slot's batch is tallied and before the slot is reused. */
interface Due {
  slot: SlotState;
  tallied: (slot: BatchSlot) => void;
}

export class StatsPool {
  private readonly workers: Worker[] = [];
  private readonly slots: SlotState[];
  private next = 0;
  private local?: ShardStats;
  private phaseInit?: WholePhase;
  private failure?: Error;
  private closed = false;
  private readonly waiters = new Set<(e: Error) => void>();
  /** `tallied` callbacks in submission order. */
  private readonly due: Due[] = [];
  private requestId = 0;
  private readonly stripReplies = new Map<number, (count: number) => void>();
  private readonly stateReplies = new Map<number, { got: (ShardState | undefined)[][]; resolve: (s: (ShardState | undefined)[][]) => void }>();

  constructor(
    readonly workerCount: number,
    readonly layout: SlotLayout,
  ) {
    const shared = workerCount > 0;
    this.slots = Array.from({ length: shared ? 2 : 1 }, () => ({
      slot: new BatchSlot(layout, shared ? new SharedArrayBuffer(BatchSlot.bytes(layout)) : new ArrayBuffer(BatchSlot.bytes(layout))),
      pending: 0,
    }));
    for (let w = 0; w < workerCount; w++) {
      const worker = new Worker(path.join(__dirname, 'stats-worker.js'));
      worker.on('message', (m: WorkerReply) => this.onReply(w, m));
      worker.on('error', (e) => this.fail(new DissectError('stats-thread', `a statistics thread failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new DissectError('stats-thread', `a statistics thread exited with code ${code}`));
      });
      worker.postMessage({ type: 'slots', layout, buffers: this.slots.map((s) => s.slot.buffer as SharedArrayBuffer) } satisfies WorkerRequest);
      this.workers.push(worker);
    }
  }

  /** Starts a phase: each thread gets its units' levels / thresholds / restored state. */
  async phase(init: WholePhase): Promise<void> {
    await this.drain();
    this.phaseInit = init;
    const parts = Math.max(1, this.workerCount);
    const ranges = init.layers.map((l) => splitUnits(l.shape[0], parts));
    const shardInit = (w: number): PhaseInit => ({
      ...init,
      layers: init.layers.map((l, i) => {
        const [u0, u1] = ranges[i][w];
        const per = (a: Float32Array | undefined) => (a ? a.slice((u0 * a.length) / l.shape[0], (u1 * a.length) / l.shape[0]) : undefined);
        return {
          shape: l.shape,
          u0,
          u1,
          ...(l.levels ? { levels: per(l.levels) } : {}),
          ...(l.thresholds ? { thresholds: per(l.thresholds) } : {}),
          ...(l.restored && u1 > u0 ? { restored: sliceState(init.phase, l.restored, l.shape[0], u0, u1) } : {}),
        };
      }),
    });
    if (this.workerCount === 0) this.local = new ShardStats(shardInit(0));
    else this.workers.forEach((w, i) => w.postMessage({ type: 'phase', init: shardInit(i) } satisfies WorkerRequest));
  }

  /**
   * Fills a free slot with `fill` and hands it to the threads (returns once it is handed over).
   * `tallied(slot)` runs on this thread once the threads are done with the batch, before its slot is
   * filled again or any state is gathered (callbacks in submission order): it can read what the threads
   * wrote into the slot (the spatial maxima of the IoU pass).
   */
  async submit(fill: (slot: BatchSlot) => void, n: number, first: number, tallied?: (slot: BatchSlot) => void): Promise<void> {
    this.check();
    const s = this.slots[this.next];
    this.next = (this.next + 1) % this.slots.length;
    await this.settle(s);
    fill(s.slot);
    if (tallied) this.due.push({ slot: s, tallied });
    if (this.local) {
      this.local.addBatch(s.slot.view(n, first));
      return;
    }
    s.pending = this.workers.length;
    s.done = new Promise<void>((resolve) => (s.resolve = resolve));
    const index = this.slots.indexOf(s);
    for (const w of this.workers) w.postMessage({ type: 'batch', slot: index, n, first } satisfies WorkerRequest);
  }

  /** Waits until every submitted batch has been tallied (and its `tallied` callback has run). */
  async drain(): Promise<void> {
    for (const s of this.slots) await this.settle(s);
  }

  /** Waits until slot `s` is free; runs the `tallied` callbacks up to and including its batch's. */
  private async settle(s: SlotState): Promise<void> {
    if (s.done) await this.wait(s.done);
    const last = this.due.findIndex((d) => d.slot === s);
    if (last < 0) return;
    for (const d of this.due.splice(0, last + 1)) {
      if (d.slot.done) await this.wait(d.slot.done);
      d.tallied(d.slot.slot);
    }
  }

  /** Whole-layer states of the current phase (after every submitted batch). */
  async state(): Promise<ShardState[]> {
    await this.drain();
    const init = this.phaseInit!;
    let shards: (ShardState | undefined)[][];
    if (this.local) shards = [this.local.state()];
    else {
      const id = ++this.requestId;
      shards = await this.wait(
        new Promise<(ShardState | undefined)[][]>((resolve) => {
          this.stateReplies.set(id, { got: [], resolve });
          for (const w of this.workers) w.postMessage({ type: 'state', id } satisfies WorkerRequest);
        }),
      );
    }
    return init.layers.map((_, i) =>
      assemble(
        init.phase,
        shards.map((s) => s[i]),
      ),
    );
  }

  /**
   * Writes the strips on the threads (contiguous shares of the jobs, each with the tiles it needs), or
   * here when there are none; `done(n)` as each share finishes.
   */
  async writeStrips(jobs: StripJob[], tiles: Map<number, Uint8Array>, th: number, tw: number, done: (n: number) => void): Promise<void> {
    this.check();
    if (this.workerCount === 0) {
      writeStrips(jobs, tiles, th, tw);
      done(jobs.length);
      return;
    }
    const shares = splitUnits(jobs.length, this.workers.length).map(([a, b]) => jobs.slice(a, b));
    await this.wait(
      Promise.all(
        shares.map((share, w) => {
          const id = ++this.requestId;
          const needed = new Set(share.flatMap((j) => j.samples));
          return new Promise<void>((resolve) => {
            this.stripReplies.set(id, (count) => {
              done(count);
              resolve();
            });
            this.workers[w].postMessage({
              type: 'strips',
              id,
              jobs: share,
              tiles: [...needed].map((s) => [s, tiles.get(s)!]),
              th,
              tw,
            } satisfies WorkerRequest);
          });
        }),
      ),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private onReply(w: number, m: WorkerReply): void {
    if (m.type === 'error')
      return this.fail(
        m.code === 'fs-error'
          ? new DissectError('fs-error', m.message)
          : new DissectError('stats-thread', `a statistics thread failed: ${m.message}`),
      );
    if (m.type === 'done') {
      const s = this.slots[m.slot];
      if (--s.pending === 0) {
        s.done = undefined;
        s.resolve!();
      }
      return;
    }
    if (m.type === 'strips') {
      const r = this.stripReplies.get(m.id);
      this.stripReplies.delete(m.id);
      r?.(m.count);
      return;
    }
    const r = this.stateReplies.get(m.id);
    if (!r) return;
    r.got[w] = m.state;
    if (r.got.filter((x) => x !== undefined).length === this.workers.length) {
      this.stateReplies.delete(m.id);
      r.resolve(r.got);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const reject of this.waiters) reject(e);
    this.waiters.clear();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** Awaits `p`, or rejects as soon as a thread fails. */
  private wait<T>(p: Promise<T>): Promise<T> {
    this.check();
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      p.then(
        (v) => {
          this.waiters.delete(reject);
          resolve(v);
        },
        (e) => {
          this.waiters.delete(reject);
          reject(e);
        },
      );
    });
  }
}
