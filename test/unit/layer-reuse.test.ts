/**
 * Reuse per layer (extension/ui/layer-reuse.ts; issue 18): a layer in any earlier run of the same model and
 * settings is reused; other settings, another segmenter, or a generator saved since do not count.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reusableLayers, dissectedWith } from '../../extension/ui/layer-reuse';
import type { RunInfo } from '../../extension/ui/run-index';
import type { DissectResult } from '../../extension/shared/run/schema';
import { tmpDir } from '../fixtures/models';

const dir = tmpDir('gd-reuse-');
const G = path.join(dir, 'g.onnx');
fs.writeFileSync(G, 'x');
const S = path.join(dir, 's.onnx');
const genTime = fs.statSync(G).mtimeMs;

function run(
  out: string,
  layers: string[],
  o: { samples?: number; threshold?: 'iqr' | 'quantile'; segmenter?: string; mtime?: number } = {},
): RunInfo {
  const result = {
    settings: {
      generator: { path: G },
      segmenter: { path: o.segmenter ?? S },
      samples: o.samples ?? 1000,
      threshold: o.threshold ?? 'iqr',
      topk: 20,
    },
    layers: layers.map((layer) => ({ layer })),
  } as unknown as DissectResult;
  return { out, result, mtime: o.mtime ?? genTime + 1000 };
}

const settings = { generator: G, segmenter: S, threshold: 'iqr', samples: 1000, topk: 20 };

test('a layer of an earlier run with the same settings is reused, the newest run first; the rest are missing', () => {
  const runs = [run('a', ['layer4', 'layer5'], { mtime: genTime + 10 }), run('b', ['layer4'], { mtime: genTime + 20 })];
  const r = reusableLayers(runs, ['layer4', 'layer5', 'layer6'], settings);
  assert.equal(r.reuse.get('layer4')!.out, 'b');
  assert.equal(r.reuse.get('layer5')!.out, 'a');
  assert.deepEqual(r.missing, ['layer6']);
});

test('other samples, threshold or segmenter, or a generator saved after the run, are not reused', () => {
  for (const other of [
    run('x', ['layer4'], { samples: 500 }),
    run('x', ['layer4'], { threshold: 'quantile' }),
    run('x', ['layer4'], { segmenter: path.join(dir, 'other.onnx') }),
    run('x', ['layer4'], { mtime: genTime - 1000 }),
  ])
    assert.deepEqual(reusableLayers([other], ['layer4'], settings).missing, ['layer4']);
});

test('the picker says which layers were dissected, with which settings', () => {
  const d = dissectedWith([run('a', ['layer4', 'layer5']), run('b', ['layer4'], { samples: 200, threshold: 'quantile' })], G);
  assert.deepEqual(d.get('layer5'), ['1000 samples, iqr']);
  assert.equal(d.get('layer4')!.length, 2);
  assert.equal(d.get('layer6'), undefined);
});
