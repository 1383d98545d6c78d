import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeMaskModels, tmpDir } from '../fixtures/models';
import { dissect } from '../../extension/engine/dissect/dissect';
import { listRuns, latestLayer, runFolder, modelFolder, setFlag, readFlags, layerSummaryLine, interruptedRuns } from '../../extension/ui/run-index';
import { exportRun, unitsCsv } from '../../extension/shared/report/export';

test('runs are found per model, newest first; flags and exports work on them', async () => {
  const dir = tmpDir();
  const m = writeMaskModels(dir);
  const root = path.join(dir, 'results');
  const out = runFolder(root, m.generator, ['layer1'], 'iqr', 30);
  assert.equal(path.dirname(out), modelFolder(root, m.generator));
  await dissect({ generator: { path: m.generator }, segmenter: { path: m.segmenter, labels: m.labels }, out, samples: 30, provider: 'cpu' });
  const runs = listRuns(root, m.generator);
  assert.equal(runs.length, 1);
  const found = latestLayer(runs, 'layer1');
  assert.equal(found?.layer.units[0].label, 'tree');
  assert.match(layerSummaryLine(found!.layer), /^2\/4 units interpretable · (sky 1, tree 1|tree 1, sky 1)$/);
  assert.deepEqual(interruptedRuns(root, m.generator), []);
  setFlag(out, 'layer1', 3, true);
  setFlag(out, 'layer1', 2, true);
  setFlag(out, 'layer1', 3, false);
  assert.deepEqual(readFlags(out), { layer1: [2] });
  // exports
  const csv = unitsCsv(found!.run.result);
  assert.equal(csv.trim().split('\n').length, 1 + 4);
  assert.match(csv.split('\n')[1], /^layer1,0,tree,object,/);
  const html = path.join(dir, 'report.html');
  exportRun(out, 'html', html);
  const text = fs.readFileSync(html, 'utf8');
  assert.match(text, /src="data:image\/png;base64,/);
  assert.doesNotMatch(text, /src="images\//);
});
