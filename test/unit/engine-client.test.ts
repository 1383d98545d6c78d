import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeMaskModels, tmpDir } from '../fixtures/models';
import { EngineClient, EngineError } from '../../extension/engine-process/client';
import type { Progress } from '../../extension/shared/progress';
import { tokenSource } from '../fixtures/cancellation';

const ENGINE = path.resolve(__dirname, '..', '..', '..', 'dist', 'engine.js');
const dir = tmpDir();
const m = writeMaskModels(dir);
const params = (out: string, samples = 60) => ({
  runId: out,
  generator: { path: m.generator },
  segmenter: { path: m.segmenter, labels: m.labels },
  out: path.join(dir, out),
  samples,
  provider: 'cpu' as const,
});

test('the engine process lists layers and dissects with progress', async () => {
  const client = new EngineClient(ENGINE);
  try {
    const layers = await client.layers({ generator: { path: m.generator } });
    assert.ok(layers.layers.some((l) => l.name === 'layer1'));
    const seen: Progress[] = [];
    const r = await client.dissect(params('run'), (p) => seen.push(p));
    assert.equal(r.result.layers[0].units[0].label, 'tree');
    assert.ok(seen.length > 0 && seen.some((p) => p.phase === 'iou'));
  } finally {
    client.dispose();
  }
});

test('engine errors keep their code', async () => {
  const client = new EngineClient(ENGINE);
  try {
    await assert.rejects(
      client.layers({ generator: { path: path.join(dir, 'nope.onnx') } }),
      (e: unknown) => e instanceof EngineError && e.code === 'file-missing' && /not found/.test(e.message),
    );
  } finally {
    client.dispose();
  }
});

test('cancelling a run stops it with its work saved; it resumes', async () => {
  const client = new EngineClient(ENGINE);
  try {
    const { token, cancel } = tokenSource();
    await assert.rejects(
      client.dissect(
        { ...params('cancel', 30000), batch: 4 },
        (p) => {
          if (p.phase === 'iou') cancel();
        },
        token,
      ),
      (e: unknown) => e instanceof EngineError && e.code === 'cancelled',
    );
    assert.ok(fs.existsSync(path.join(dir, 'cancel', 'state.bin')));
    const r = await client.dissect({ ...params('cancel', 30000), batch: 64, resume: true }, () => {});
    assert.equal(r.result.settings.samples, 30000);
  } finally {
    client.dispose();
  }
});

test('a crash of the engine process is a specific error, and the next request restarts it', async () => {
  const client = new EngineClient(ENGINE);
  try {
    await client.layers({ generator: { path: m.generator } });
    const pid = client.pid!;
    const run = client.dissect({ ...params('crash', 30000), batch: 4 }, (p) => {
      if (p.phase === 'iou' && client.pid === pid) process.kill(pid, 'SIGKILL');
    });
    await assert.rejects(run, (e: unknown) => e instanceof EngineError && e.code === 'crashed' && /killed by SIGKILL.*resume/.test(e.message));
    const layers = await client.layers({ generator: { path: m.generator } });
    assert.ok(layers.layers.length > 0);
    assert.notEqual(client.pid, pid);
    // the crashed run resumes from its checkpoint
    const r = await client.dissect({ ...params('crash', 30000), batch: 64, resume: true }, () => {});
    assert.equal(r.result.settings.samples, 30000);
  } finally {
    client.dispose();
  }
});
