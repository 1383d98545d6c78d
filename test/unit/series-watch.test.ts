/**
 * Watching a training folder through the engine process (engine-process: SeriesWatchRequest; client.ts
 * watchSeries), as the extension does: each checkpoint written into the folder is reported as it starts and
 * ends, with the series after it; cancelling stops the watch, which answers with the series; a watch started
 * again redoes no finished checkpoint; a checkpoint that fails to dissect ends the watch with its error.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seriesGenerator, tmpDir, writeMaskModels } from '../fixtures/models';
import { EngineClient, EngineError, type SeriesWatchListeners } from '../../extension/engine-process/client';
import type { SeriesCheckpointEvent, SeriesWatchParams } from '../../extension/shared/engine-protocol';
import type { SeriesResult } from '../../extension/shared/run/schema';
import type { Progress } from '../../extension/shared/progress';
import { SeriesFolder } from '../../extension/shared/run/folder';
import { tokenSource } from '../fixtures/cancellation';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'dist', 'engine.js');
const dir = tmpDir('gd-series-watch-');
const m = writeMaskModels(dir);
const ckpt = path.join(dir, 'ckpt');
fs.mkdirSync(ckpt);
const out = path.join(dir, 'series');

const params: SeriesWatchParams = {
  watchId: 'watch-1',
  pattern: path.join(ckpt, 'G_*.onnx'),
  out,
  dissect: {
    generator: { path: m.generator },
    segmenter: { path: m.segmenter, labels: m.labels },
    layers: ['layer1'],
    samples: 40,
    thresholdSamples: 40,
    provider: 'cpu',
    workers: 0,
  },
  pollMs: 100,
};

function recorder() {
  const checkpoints: SeriesCheckpointEvent[] = [];
  const summaries: SeriesResult[] = [];
  const progress: Progress[] = [];
  const listeners: SeriesWatchListeners = {
    onCheckpoint: (c) => checkpoints.push(c),
    onSummary: (s) => summaries.push(s),
    onProgress: (p) => progress.push(p),
  };
  return { checkpoints, summaries, progress, listeners };
}

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes a checkpoint the way a training loop would: to a temporary name, then renamed into place. */
function land(step: number, alpha: number): void {
  const f = path.join(ckpt, `G_${step}.onnx`);
  fs.writeFileSync(`${f}.tmp`, seriesGenerator(alpha));
  fs.renameSync(`${f}.tmp`, f);
  // as if written a while ago: taken at the first look (a fresh file waits for a second look)
  const past = new Date(Date.now() - 5000);
  fs.utimesSync(f, past, past);
}

test('a watch reports each checkpoint as it lands, with the series after it; cancelling answers with the series', async () => {
  const client = new EngineClient(ENGINE);
  const r = recorder();
  const source = tokenSource();
  try {
    const watching = client.watchSeries(params, r.listeners, source.token);
    land(0, 0);
    await until('step 0', 30_000, () => r.summaries.length >= 1);
    assert.deepEqual(
      r.checkpoints.map((c) => [c.step, c.state, c.index, c.total]),
      [
        [0, 'dissecting', 1, 1],
        [0, 'done', 1, 1],
      ],
    );
    assert.ok(r.progress.length > 0, 'the dissection’s progress comes through');
    land(1000, 1);
    await until('step 1000', 30_000, () => r.summaries.length >= 2);
    const s = r.summaries[1];
    assert.deepEqual(
      s.checkpoints.map((c) => c.step),
      [0, 1000],
    );
    assert.equal(s.checkpoints[0].layers[0].interpretable, 0);
    assert.deepEqual(s.checkpoints[1].layers[0].labels.slice(0, 2), ['tree', 'sky']);
    assert.deepEqual(new SeriesFolder(out).readSummary()?.checkpoints, s.checkpoints);
    source.cancel();
    const final = await watching;
    assert.deepEqual(final.checkpoints, s.checkpoints);
  } finally {
    client.dispose();
  }
});

test('a watch started again redoes no finished checkpoint', async () => {
  const client = new EngineClient(ENGINE);
  const r = recorder();
  const source = tokenSource();
  const before = [0, 1000].map((s) => fs.statSync(new SeriesFolder(out).run(s).resultFile).mtimeMs);
  try {
    const watching = client.watchSeries({ ...params, watchId: 'watch-2' }, r.listeners, source.token);
    await until('the two checkpoints', 30_000, () => r.checkpoints.filter((c) => c.state !== 'dissecting').length >= 2);
    assert.deepEqual(
      r.checkpoints.filter((c) => c.state !== 'dissecting').map((c) => [c.step, c.state]),
      [
        [0, 'cached'],
        [1000, 'cached'],
      ],
    );
    assert.deepEqual(
      [0, 1000].map((s) => fs.statSync(new SeriesFolder(out).run(s).resultFile).mtimeMs),
      before,
    );
    source.cancel();
    assert.deepEqual(
      (await watching).checkpoints.map((c) => c.step),
      [0, 1000],
    );
  } finally {
    client.dispose();
  }
});

test('a watch stopped before it saw any checkpoint answers with the series as series.json has it', async () => {
  const client = new EngineClient(ENGINE);
  const source = tokenSource();
  try {
    const watching = client.watchSeries({ ...params, watchId: 'watch-4', pattern: path.join(ckpt, 'H_*.onnx') }, recorder().listeners, source.token);
    await new Promise((r) => setTimeout(r, 300));
    source.cancel();
    assert.deepEqual(
      (await watching).checkpoints.map((c) => c.step),
      [0, 1000],
    );
  } finally {
    client.dispose();
  }
});

test('a checkpoint that cannot be dissected ends the watch with its error', async () => {
  const client = new EngineClient(ENGINE);
  const r = recorder();
  try {
    const bad = { ...params, watchId: 'watch-3', dissect: { ...params.dissect, layers: ['no_such_layer'] }, out: path.join(dir, 'bad') };
    await assert.rejects(client.watchSeries(bad, r.listeners), (e: unknown) => e instanceof EngineError && e.code === 'bad-layer');
  } finally {
    client.dispose();
  }
});
