/**
 * The host's side of the Training and compare panels (ui/series-index.ts, ui/panels/training-view.ts,
 * ui/panels/compare-view.ts), on a real checkpoint series of generators whose planted units go from noise
 * to the masks (fixtures/models.ts seriesGenerator): where a series goes and how it is found, the panel's
 * figures and strips as the series and its run folders have them, and the comparison and diff as
 * shared/run/compare.ts computes them from the runs' own results.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MASK_LABELS, seriesGenerator, tmpDir, writeMaskModels } from '../fixtures/models';
import { runSeries } from '../../extension/engine/series/series';
import { RunFolder, SeriesFolder } from '../../extension/shared/run/folder';
import { diffLayers, layerFigures } from '../../extension/shared/run/compare';
import { hexColour } from '../../extension/shared/webview/colours';
import type { SeriesResult } from '../../extension/shared/run/schema';
import { listSeries, patternDisplay, readSeries, seriesFolder } from '../../extension/ui/series-index';
import { modelFolder } from '../../extension/ui/run-index';
import { stepStrips, trainingView } from '../../extension/ui/panels/training-view';
import { compareHtml, compareView, runName } from '../../extension/ui/panels/compare-view';
import { pngSize } from '../../extension/ui/panels/png-size';

const dir = tmpDir('gd-training-views-');
const m = writeMaskModels(dir);
const ws = path.join(dir, 'ws');
const ckpt = path.join(ws, 'ckpt');
fs.mkdirSync(ckpt, { recursive: true });
const ALPHAS = [0, 0.5, 1];
ALPHAS.forEach((a, i) => fs.writeFileSync(path.join(ckpt, `G_${i * 1000}.onnx`), seriesGenerator(a)));
const root = path.join(dir, 'results');
const out = seriesFolder(root, ckpt, ['layer1'], 'iqr', 40);
const uri = (f: string) => `webview:${f}`;

let series: SeriesResult;
test('a series goes beside the runs of a model of its folder’s name, and is found there', async () => {
  assert.equal(path.dirname(out), modelFolder(root, ckpt));
  assert.equal(path.basename(out), 'series-layer1-iqr-40');
  series = await runSeries({
    pattern: ckpt,
    dissect: {
      generator: { path: '' },
      segmenter: { path: m.segmenter, labels: m.labels },
      layers: ['layer1'],
      samples: 40,
      thresholdSamples: 40,
      provider: 'cpu',
      workers: 0,
    },
    out,
  });
  assert.deepEqual(
    series.checkpoints.map((c) => c.step),
    [0, 1000, 2000],
  );
  const found = listSeries(root);
  assert.deepEqual(
    found.map((s) => s.dir),
    [out],
  );
  assert.deepEqual(found[0].summary, series);
  assert.deepEqual(readSeries(out)?.summary, series);
  assert.equal(readSeries(path.join(dir, 'nowhere')), undefined);
  assert.equal(patternDisplay(ckpt, ws), 'ckpt/');
  assert.equal(patternDisplay(path.join(ckpt, 'G_*.onnx'), ws), path.join('ckpt', 'G_*.onnx'));
  assert.equal(patternDisplay(ckpt, path.join(dir, 'elsewhere')), ckpt + '/');
});

test('the Training view: the series’ figures per checkpoint, its run folders, and the concepts in their segmenter labels’ colours', () => {
  const v = trainingView(out, series, { state: 'watching', checkpoints: 3 }, 'ckpt/');
  assert.equal(v.seriesId, out);
  assert.deepEqual(v.layers, ['layer1']);
  assert.deepEqual(
    v.checkpoints.map((c) => [c.step, c.file, c.runId]),
    series.checkpoints.map((c) => [c.step, path.basename(c.file), new SeriesFolder(out).run(c.step).dir]),
  );
  assert.deepEqual(
    v.checkpoints.map((c) => c.layers),
    series.checkpoints.map((c) => c.layers),
  );
  // the last checkpoint is the masks: its units 0 and 1 are tree and sky (labels 1 and 2 of the segmenter)
  const last = v.checkpoints.at(-1)!.layers[0];
  assert.deepEqual(last.labels.slice(0, 2), ['tree', 'sky']);
  assert.equal(MASK_LABELS.length, 4);
  assert.deepEqual(v.colours, { tree: hexColour(1), sky: hexColour(2) });
  // the figures are the run folders' own
  const run = new RunFolder(v.checkpoints[2].runId).result();
  assert.deepEqual(last, layerFigures(run.layers[0]));
});

test('the timeline’s strips: each checkpoint’s images/LAYER/unitNNNN.png, with its size, where it exists', () => {
  const strips = stepStrips(out, series, 'layer1', [0, 1], uri);
  assert.deepEqual(
    strips.map((s) => [s.step, s.unit]),
    [
      [0, 0],
      [0, 1],
      [1000, 0],
      [1000, 1],
      [2000, 0],
      [2000, 1],
    ],
  );
  for (const s of strips) {
    const file = new SeriesFolder(out).run(s.step).stripFile('layer1', s.unit);
    assert.equal(s.strip.src, uri(file));
    assert.deepEqual({ width: s.strip.width, height: s.strip.height }, pngSize(file));
  }
  fs.rmSync(new SeriesFolder(out).run(1000).stripFile('layer1', 1));
  assert.deepEqual(
    stepStrips(out, series, 'layer1', [1], uri).map((s) => s.step),
    [0, 2000],
  );
  assert.deepEqual(stepStrips(out, series, 'no-such-layer', [0], uri), []);
});

test('comparing two checkpoints: their figures side by side and the diff of their layer, as the runs’ own results give them', () => {
  const a = new SeriesFolder(out).run(0);
  const b = new SeriesFolder(out).run(2000);
  const v = compareView([
    { runId: a.dir, layer: 'layer1' },
    { runId: b.dir, layer: 'layer1' },
  ]);
  assert.equal(v.mode, 'runs');
  assert.deepEqual(
    v.rows.map((r) => r.run),
    ['step 0', 'step 2000'],
  );
  const ra = a.result().layers[0];
  const rb = b.result().layers[0];
  assert.deepEqual(
    v.rows.map(({ runId: _r, run: _n, model: _m, ...f }) => f),
    [layerFigures(ra), layerFigures(rb)],
  );
  assert.deepEqual(v.diffs, [{ a: 0, b: 1, diff: diffLayers(ra, rb) }]);
  // noise to masks: units 0 and 1 became tree and sky
  const became = v.diffs[0].diff.became.map((x) => [x.unit, x.label]);
  assert.ok(
    became.some(([u, l]) => u === 0 && l === 'tree'),
    JSON.stringify(became),
  );
  assert.ok(became.some(([u, l]) => u === 1 && l === 'sky'));
  const html = compareHtml(v, { a: 0, b: 1 });
  assert.match(html, /layer1: step 0 → step 2000/);
  assert.match(html, /unit 0: became tree/);
  assert.doesNotMatch(compareHtml(v), /<section>/, 'no diff asked: none in the page');
});

test('all layers of one run; a run of a model is named by its generator and folder; a layer the run lacks is refused', () => {
  const b = new SeriesFolder(out).run(2000);
  const v = compareView([{ runId: b.dir }]);
  assert.equal(v.mode, 'layers');
  assert.deepEqual(v.diffs, []);
  assert.deepEqual(
    v.rows.map((r) => r.layer),
    ['layer1'],
  );
  assert.match(v.title, /^step 2000: all 1 layer$/);
  assert.equal(runName('/r/generator-1234/layer3-iqr-200', '/m/generator.onnx'), 'generator.onnx · layer3-iqr-200');
  assert.throws(() => compareView([{ runId: b.dir, layer: 'layer9' }]), /did not dissect layer9/);
  assert.throws(() => compareView([{ runId: path.join(dir, 'nowhere') }]), /holds no dissection/);
  // the same run and layer twice is one row
  assert.equal(
    compareView([
      { runId: b.dir, layer: 'layer1' },
      { runId: b.dir, layer: 'layer1' },
    ]).rows.length,
    1,
  );
});
