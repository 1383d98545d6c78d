/**
 * The trace job through the engine process (engine-process/main.ts TraceJobRequest, client.ts trace; the
 * causal panel's Trace): on a dissected chain (fixtures/models.ts chainGenerator: layer2 = layer1²,
 * layer3 = layer2², the image gated to its left half) it answers with the trace the engine wrote to the run's
 * trace/LAYER/CONCEPT/ folder, reports progress under the job id, passes the insertion on, and cancels.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chainGenerator, tmpDir, writeMaskModels } from '../fixtures/models';
import { EngineClient, EngineError } from '../../extension/engine-process/client';
import { RunFolder } from '../../extension/shared/run/folder';
import { toTraceView } from '../../extension/ui/panels/causal-views';
import { tokenSource } from '../fixtures/cancellation';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'dist', 'engine.js');
const dir = tmpDir('gd-trace-job-');
const m = writeMaskModels(dir);
const chain = path.join(dir, 'chain.onnx');
fs.writeFileSync(chain, chainGenerator());
const out = path.join(dir, 'run');

const job = (jobId: string, extra: { samples?: number; grid?: number; insertion?: 'paper' } = {}) => ({
  jobId,
  runId: out,
  layer: 'layer1',
  concept: 'tree',
  samples: extra.samples ?? 3,
  count: 1,
  grid: extra.grid ?? 4,
  provider: 'cpu' as const,
  ...(extra.insertion ? { insertion: extra.insertion } : {}),
});

test('a trace job runs in the engine process: progress under its id, the result as written to the run folder, the insertion passed on, cancellable', async () => {
  const client = new EngineClient(ENGINE);
  try {
    await client.dissect(
      {
        runId: 'dissect',
        generator: { path: chain },
        segmenter: { path: m.segmenter, labels: m.labels },
        layers: ['layer1'],
        out,
        samples: 40,
        provider: 'cpu',
      },
      () => {},
    );
    const seen: [number, number, string][] = [];
    const r = await client.trace(job('t1'), (done, total, what) => seen.push([done, total, what]));
    // the IoU ranking's first unit of layer1 for tree is unit 0 (R, the tree by construction)
    assert.deepEqual(r.units, [0]);
    assert.deepEqual(
      r.layers.map((l) => l.layer),
      ['layer1', 'layer2', 'layer3', 'to_rgb'],
    );
    assert.deepEqual(r.grid, [4, 4]);
    assert.equal(r.counts.visible + r.counts.invisible, 3 * 16);
    assert.ok(r.curves.all[0] < r.curves.all[1] && r.curves.all[1] < r.curves.all[2], r.curves.all.join(', '));
    // the gate: tree appears only when inserting on the left half
    r.visibleShare.forEach((s, g) => (g % 4 < 2 ? assert.ok(s > 0, `location ${g}`) : assert.equal(s, 0, `location ${g}`)));
    assert.deepEqual(seen.at(-1), [3, 3, 'tracing insertions']);
    // what the panel shows is what the engine wrote
    const folder = new RunFolder(out).jobFolder('trace', 'layer1', 'tree');
    assert.deepEqual(folder.readTrace(), r);
    const view = toTraceView(r, folder, (f) => `uri:${f}`);
    for (const f of [view.images!.sample, view.images!.heatmap]) assert.ok(fs.existsSync(f.slice(4)), f);
    // the paper's insertion (r' = k) is another edit than the default max(r, k): another trace
    const paper = await client.trace(job('t2', { insertion: 'paper' }), () => {});
    assert.notDeepEqual(paper.curves.all, r.curves.all);
    assert.deepEqual([r.insertion, paper.insertion], ['high', 'paper'], 'each trace records its insertion');
    // cancelled at its first progress: a cancelled error, and the engine takes the next job
    const t = tokenSource();
    await assert.rejects(
      client.trace(job('t3', { samples: 400, grid: 8 }), () => t.cancel(), t.token),
      (e: unknown) => e instanceof EngineError && e.code === 'cancelled',
    );
    const again = await client.trace(job('t4'), () => {});
    assert.deepEqual(again.curves, r.curves, 'the same job, the same trace');
  } finally {
    client.dispose();
  }
});
