import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { StatsPool } from '../../extension/engine/parallel/stats-pool';
import { ShardStats, assemble, sliceState, splitUnits } from '../../extension/engine/parallel/shard-stats';
import { DissectError } from '../../extension/shared/errors';
import { Xoshiro128 } from '../../extension/engine/data/rng';

const layout = { batch: 4, layerSizes: [5 * 2 * 2, 3 * 4 * 4], layerUnits: [5, 3], maps: 1, pixels: 8 * 8, categories: 2 };
const shapes: [number, number, number][] = [
  [5, 2, 2],
  [3, 4, 4],
];

function fill(seed: number) {
  const rng = new Xoshiro128(seed);
  return (slot: import('../../extension/engine/parallel/batch-slot').BatchSlot) => {
    slot.fms.forEach((a) => a.forEach((_, i) => (a[i] = rng.uniform() * 2 - 0.5)));
    slot.maps[0].forEach((_, i) => (slot.maps[0][i] = 1 + Math.floor(rng.uniform() * 3)));
    slot.present.fill(1);
  };
}

test('splitUnits covers every unit once, in order, in near-equal parts', () => {
  for (const [C, parts] of [
    [10, 3],
    [3, 8],
    [1, 1],
    [192, 7],
  ]) {
    const r = splitUnits(C, parts);
    assert.equal(r.length, parts);
    assert.equal(r[0][0], 0);
    assert.equal(r[parts - 1][1], C);
    r.forEach(([a, b], i) => {
      if (i > 0) assert.equal(a, r[i - 1][1]);
      assert.ok(b - a <= Math.ceil(C / parts) && b - a >= Math.floor(C / parts));
    });
  }
});

test('IoU statistics from 3 threads equal one inline tally; a state sliced and assembled is the same state', async () => {
  const thresholds = [Float32Array.from([0, 0.1, 0.2, 0.3, 0.4]), Float32Array.from([0.5, 0.6, 0.7])];
  const phase = {
    phase: 'iou' as const,
    H: 8,
    W: 8,
    K: 4,
    G: 2,
    topk: 3,
    sketchK: 64,
    layers: shapes.map((shape, i) => ({ shape, thresholds: thresholds[i] })),
  };
  const states = [];
  for (const workers of [0, 3]) {
    const pool = new StatsPool(workers, layout);
    try {
      await pool.phase(phase);
      // each batch's 'tallied' callback sees the spatial maxima the threads wrote, in submission order
      const seen: number[] = [];
      for (let b = 0; b < 5; b++) {
        let expected: number[][] = [];
        const filler = fill(b + 1);
        await pool.submit(
          (slot) => {
            filler(slot);
            expected = shapes.map(([C, h, w], li) =>
              Array.from({ length: 4 * C }, (_, k) => Math.max(...slot.fms[li].subarray(k * h * w, (k + 1) * h * w))),
            );
          },
          4,
          b * 4,
          (slot) => {
            seen.push(b);
            shapes.forEach(([C], li) => assert.deepEqual(Array.from(slot.maxima[li].subarray(0, 4 * C)), expected[li], `batch ${b}, layer ${li}`));
          },
        );
      }
      states.push(await pool.state());
      assert.deepEqual(seen, [0, 1, 2, 3, 4], `${workers} threads: callbacks once each, in order`);
    } finally {
      await pool.close();
    }
  }
  assert.deepEqual(states[1], states[0]);
  // whole → slices → assembled
  const whole = states[0][0];
  const parts = splitUnits(5, 3).map(([a, b]) => sliceState('iou', whole, 5, a, b));
  assert.deepEqual(assemble('iou', parts), whole);
  // a shard continues from its slice exactly as the whole would
  const shard = new ShardStats({ ...phase, layers: [{ shape: shapes[0], u0: 0, u1: 5, thresholds: thresholds[0], restored: whole }] });
  assert.deepEqual(shard.state()[0], whole);
});

test(
  'statistics threads run at a lower priority than the thread that calls ONNX Runtime (Linux)',
  { skip: process.platform !== 'linux' },
  async () => {
    const { Worker } = await import('node:worker_threads');
    const os = await import('node:os');
    const before = os.getPriority();
    const helper = require.resolve('../../extension/engine/parallel/thread-priority');
    const reply = await new Promise<{ lowered: boolean; nice: number }>((resolve, reject) => {
      const w = new Worker(
        `const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); const os = require('node:os');
       const { lowerThreadPriority, STATS_NICE } = require(${JSON.stringify(helper)});
       const lowered = lowerThreadPriority();
       const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
       parentPort.postMessage({ lowered, nice: os.getPriority(tid) - STATS_NICE });`,
        { eval: true },
      );
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    assert.equal(reply.lowered, true);
    assert.ok(reply.nice >= 0, 'the thread is at the statistics nice value or lower priority');
    assert.equal(os.getPriority(), before, 'the calling thread keeps its priority');
  },
);

test('a statistics thread that fails rejects the run with a specific error (and the pool closes)', async () => {
  const pool = new StatsPool(2, layout);
  try {
    // an IQR phase without its levels cannot be tallied
    await pool.phase({ phase: 'iqr', H: 8, W: 8, K: 4, G: 2, topk: 3, sketchK: 64, layers: shapes.map((shape) => ({ shape })) });
    await assert.rejects(
      (async () => {
        await pool.submit(fill(1), 4, 0);
        await pool.drain();
        await pool.state();
      })(),
      (e: unknown) => e instanceof DissectError && e.code === 'stats-thread' && /statistics thread failed/.test(e.message),
    );
    await assert.rejects(pool.submit(fill(2), 4, 4), DissectError, 'later calls fail too');
  } finally {
    await pool.close();
  }
});
