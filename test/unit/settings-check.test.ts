/**
 * One schema for project files and engine requests (shared/settings-check.ts): each bad key is refused
 * with the file and the key named, never spread into the engine to fail later or silently.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject, demoProjectFile } from '../../extension/shared/project';
import { checkSection, DISSECT_JOB } from '../../extension/shared/settings-check';
import { DissectError } from '../../extension/shared/errors';
import { tmpDir } from '../fixtures/models';

const dir = tmpDir();
const base = { generator: { path: 'g.onnx' }, segmenter: { path: 's.onnx', labels: 'l.json' } };

function projectError(body: unknown): string {
  const file = path.join(dir, `p${Math.random().toString(36).slice(2)}.dissect.json`);
  fs.writeFileSync(file, JSON.stringify(body));
  try {
    loadProject(file);
  } catch (e) {
    assert.ok(e instanceof DissectError && e.code === 'bad-usage', String(e));
    assert.ok(e.message.startsWith(`${file}: `), `names the file: ${e.message}`);
    return e.message.slice(file.length + 2);
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
}

const cases: [string, unknown, RegExp][] = [
  ['topk not a number', { ...base, dissect: { topk: 'abc' } }, /^"dissect\.topk" must be an integer from 1 to 10000, got "abc"$/],
  ['topk huge', { ...base, dissect: { topk: 1e9 } }, /"dissect\.topk" must be an integer from 1 to 10000/],
  ['iouMin not a number', { ...base, dissect: { iouMin: 'x' } }, /"dissect\.iouMin" must be a number between 0 and 1, got "x"/],
  ['layers a string', { ...base, dissect: { layers: 'layer2' } }, /"dissect\.layers" must be a list of names, got "layer2"/],
  ['layers twice', { ...base, dissect: { layers: ['layer2', 'layer2'] } }, /"dissect\.layers" names "layer2" twice/],
  ['unknown key', { ...base, dissect: { timings: 5 } }, /"dissect\.timings" is not a known key/],
  ['typo suggests', { ...base, dissect: { sampels: 5 } }, /"dissect\.sampels" is not a known key \(did you mean "samples"\?\)/],
  [
    'quad a string',
    { ...base, segmenter: { ...base.segmenter, quad: 'towel' } },
    /"segmenter\.quad" must be "all" or a list of concept names, got "towel"/,
  ],
  ['threshold mode', { ...base, dissect: { threshold: 'otsu' } }, /"dissect\.threshold" must be one of "iqr", "quantile", got "otsu"/],
  ['quantile 1', { ...base, dissect: { quantile: 1 } }, /"dissect\.quantile" must be a number strictly between 0 and 1/],
  ['samples 0', { ...base, dissect: { samples: 0 } }, /"dissect\.samples" must be an integer from 1/],
  ['samples fractional', { ...base, dissect: { samples: 10.5 } }, /"dissect\.samples" must be an integer/],
  ['image range empty', { ...base, generator: { path: 'g.onnx', range: [1, 1] } }, /"generator\.range" must be \[lo, hi\] with lo < hi, got \[1,1\]/],
  [
    'segmenter std 0',
    { ...base, segmenter: { ...base.segmenter, input: { std: [0, 0, 0] } } },
    /"segmenter\.input\.std" must be three positive numbers/,
  ],
  [
    'segmenter size huge',
    { ...base, segmenter: { ...base.segmenter, input: { size: [100000, 100000] } } },
    /"segmenter\.input\.size" must be \[height, width\]/,
  ],
  ['channels', { ...base, segmenter: { ...base.segmenter, input: { channels: 'rgb' } } }, /"segmenter\.input\.channels" must be one of "RGB", "BGR"/],
  [
    'inputs NaN-like',
    { ...base, generator: { path: 'g.onnx', inputs: { psi: 'x' } } },
    /^"generator\.inputs\.psi" must be a finite number, a list of them, "normal", "zeros", \{"class": "random", "classes": K\} or \{"class": k\}, got "x"$/,
  ],
  [
    'inputs class 1 of 1',
    { ...base, generator: { path: 'g.onnx', inputs: { y: { class: 'random', classes: 1 } } } },
    /"generator\.inputs\.y" must be/,
  ],
  ['no generator', { segmenter: base.segmenter }, /^"generator" is required$/],
  ['generator without path', { generator: {} }, /"generator\.path" is required/],
  ['segmenter without labels', { generator: base.generator, segmenter: { path: 's.onnx' } }, /"segmenter\.labels" is required/],
  ['not an object', [1, 2], /must be an object/],
  ['unknown section', { ...base, dissection: {} }, /"dissection" is not a known key \(did you mean "dissect"\?\)/],
];

for (const [name, body, re] of cases) test(`project file: ${name}`, () => assert.match(projectError(body), re));

test('every problem in a file is listed at once', () => {
  const msg = projectError({ ...base, dissect: { topk: 'abc', iouMin: 'x' } });
  assert.match(msg, /"dissect\.topk".*; "dissect\.iouMin"/);
});

test('the bundled demo project and a full valid one are accepted unchanged', () => {
  const demo = loadProject(demoProjectFile());
  assert.equal(demo.dissect?.threshold, 'iqr');
  const file = path.join(dir, 'full.dissect.json');
  const dissect = { layers: ['layer4'], samples: 200, seed: -1, threshold: 'quantile', quantile: 0.005, topk: 8, iouMin: 0.04, iqrMin: 0 };
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...base,
      generator: {
        path: 'g.onnx',
        latent: 'z',
        inputs: { psi: 0.7, y: [0, 1], noise0: 'normal', c: { class: 'random', classes: 10 }, k: { class: 3 } },
        range: [0, 1],
      },
      dissect,
    }),
  );
  assert.deepEqual(loadProject(file).dissect, dissect);
});

test('an engine request is checked with the same schema, naming the request', () => {
  const job = { generator: { path: 'g' }, segmenter: { path: 's', labels: 'l' }, out: '/o', workers: -3 };
  assert.throws(
    () => checkSection(job, DISSECT_JOB, 'the dissection request for /o'),
    (e: unknown) =>
      e instanceof DissectError && /^the dissection request for \/o: "workers" must be an integer from 0 to 1024, got -3$/.test(e.message),
  );
  assert.deepEqual(checkSection({ ...job, workers: 2 }, DISSECT_JOB, 'r'), { ...job, workers: 2 });
});
