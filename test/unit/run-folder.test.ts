/** shared/run/folder.ts against real run folders: every file it names is where a dissection and its jobs put it. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCausalModels, tmpDir } from '../fixtures/models';
import { dissect } from '../../extension/engine/dissect/dissect';
import { runCausal, runContext, runIntervene } from '../../extension/engine/intervene/jobs';
import { unitHeatmaps } from '../../extension/engine/output/heatmap';
import { PreviewSession } from '../../extension/engine/intervene/preview';
import { RunFolder, JobFolder } from '../../extension/shared/run/folder';
import { PAIR_FIELDS } from '../../extension/shared/run/schema';
import { DissectError } from '../../extension/shared/errors';

const dir = tmpDir();
const m = writeCausalModels(dir);
const run = new RunFolder(path.join(dir, 'run'));
const models = { generator: { path: m.generator }, segmenter: { path: m.segmenter, labels: m.labels }, provider: 'cpu' as const };
const effect = { ...models, layer: 'layer1', from: run.dir, concept: 'tree', seed: 3, batch: 16 };

/** Every file under `d`, as names relative to it. */
function files(d: string): string[] {
  return fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(d, f)).isFile());
}

const code = (c: string, re: RegExp) => (e: unknown) => e instanceof DissectError && e.code === c && re.test(e.message);

test('a finished run: the files RunFolder names are the ones dissect.json names, all there, and nothing else', async () => {
  const { result } = await dissect({ ...models, out: run.dir, samples: 40, threshold: 'iqr' });
  assert.deepEqual(run.result(), result);
  assert.equal(run.from('layer1').layer.layer, 'layer1');
  assert.ok(!run.hasCheckpoint(), 'no checkpoint once finished');
  const named = new Set([run.resultFile, run.reportFile]);
  for (const lr of result.layers) {
    assert.equal(run.file(lr.iouMatrix!.file), run.iouMatrixFile(lr.layer));
    named.add(run.iouMatrixFile(lr.layer));
    for (const f of PAIR_FIELDS) {
      assert.equal(run.file(lr.pairArrays![f].file), run.pairArrayFile(lr.layer, f));
      named.add(run.pairArrayFile(lr.layer, f));
    }
    assert.equal(run.file(lr.stats!), run.statsFile(lr.layer));
    named.add(run.statsFile(lr.layer));
    for (const u of lr.units) {
      if (!u.image) continue;
      assert.equal(run.file(u.image), run.stripFile(lr.layer, u.unit));
      named.add(run.stripFile(lr.layer, u.unit));
    }
    const K = result.labels.length;
    assert.equal(run.readArray(lr.iouMatrix!.file)!.length, lr.shape[0] * K);
  }
  for (const f of named) assert.ok(fs.existsSync(f), `${f} exists`);
  assert.deepEqual(files(run.dir).sort(), [...named].map((f) => run.name(f)).sort(), 'the folder holds what RunFolder names');
  // the layout itself, as old runs have it
  assert.equal(run.name(run.iouMatrixFile('layer1')), 'arrays/layer1.iou.f32');
  assert.equal(run.name(run.pairArrayFile('layer1', 'iou')), 'arrays/layer1.max_iqr_iou.f32');
  assert.equal(run.name(run.pairArrayFile('layer1', 'fraction')), 'arrays/layer1.max_iqr_quantile.f32');
  assert.equal(run.name(run.statsFile('layer1')), 'stats/layer1.bin');
  assert.equal(run.name(run.stripFile('layer1', 3)), 'images/layer1/unit0003.png');
  assert.equal(run.name(run.resultFile), 'dissect.json');
  assert.equal(run.name(run.stateFile), 'state.bin');
  assert.equal(run.name(run.reportFile), 'index.html');
});

test('the jobs on a run: causal, context, heatmaps and the preview write where RunFolder and JobFolder name', async () => {
  const causal = run.jobFolder('causal', 'layer1', 'tree');
  assert.equal(run.name(causal.dir), 'causal/layer1/tree');
  const r = await runCausal({ ...effect, samples: 24, count: 2, searchSamples: 12, out: causal.dir });
  assert.deepEqual(causal.readCausal(), JSON.parse(JSON.stringify(r)));
  assert.equal(run.name(run.rankingFile('layer1', 'tree')), 'rankings/layer1/tree-ace.json');
  assert.deepEqual(run.readAceRanking('layer1', 'tree')?.units, r.units);
  assert.equal(run.name(run.insertionFile('layer1', { concept: 'tree' })), 'insertion/layer1/tree.json');
  assert.ok(run.readInsertion('layer1', { concept: 'tree' })!.values.length > 0);

  const context = run.jobFolder('context', 'layer1', 'tree');
  const c = await runContext({ ...effect, samples: 8, grid: 2, out: context.dir });
  assert.equal(context.readContext()?.heatmaps?.length, c.heatmaps!.length);
  c.heatmaps!.forEach((h, i) => {
    assert.deepEqual({ image: h.image, heatmap: h.heatmap, boxes: h.boxes }, context.contextImages(i));
    assert.ok(fs.existsSync(h.image) && fs.existsSync(h.heatmap) && fs.existsSync(h.boxes!));
  });

  const heat = await unitHeatmaps({ out: run.dir, layer: 'layer1', unit: 0, count: 2, seed: 7, provider: 'cpu' });
  heat.samples.forEach((s, i) => {
    assert.deepEqual({ image: s.image, heatmap: s.heatmap }, run.heatmapFiles('layer1', 0, 7, i));
    assert.ok(fs.existsSync(s.image) && fs.existsSync(s.heatmap));
  });
  assert.equal(run.name(run.heatmapFiles('layer1', 0, 7, 1).heatmap), 'heatmaps/layer1/unit0000-seed7-1-heat.png');

  const session = await PreviewSession.open({ runId: run.dir, layer: 'layer1', samples: 2, seed: 5, provider: 'cpu' });
  session.files.forEach((f, i) => {
    assert.deepEqual({ before: f.before, segBefore: f.segBefore }, run.previewFiles('layer1', 5, i));
    assert.ok(fs.existsSync(f.before) && fs.existsSync(f.segBefore));
  });
  assert.equal(run.name(run.previewFiles('layer1', 5, 0).segBefore), 'interventions/layer1/seed5-0-seg.png');

  const job = new JobFolder(path.join(dir, 'intervene'));
  const s = await runIntervene({ ...models, layer: 'layer1', units: [0], mode: 'ablate', samples: 2, seed: 1, batch: 4, out: job.dir });
  assert.equal(job.file(s.image), job.interventionImage);
  assert.ok(fs.existsSync(job.interventionImage));
  assert.deepEqual(JSON.parse(fs.readFileSync(job.interventionFile, 'utf8')), JSON.parse(JSON.stringify(s)));
});

test('a missing dissect.json is file-missing; a damaged one is refused naming it', () => {
  const empty = new RunFolder(path.join(dir, 'empty'));
  fs.mkdirSync(empty.dir);
  assert.equal(empty.readResult(), undefined);
  assert.ok(!empty.hasResult());
  assert.throws(() => empty.result(), code('file-missing', /empty holds no dissect\.json/));
  assert.throws(() => empty.from('layer1'), code('file-missing', /--from .*empty: no dissect\.json there/));
  assert.throws(() => run.from('layer9'), code('bad-layer', /did not dissect layer layer9 \(it has layer1/));

  const bad = new RunFolder(path.join(dir, 'bad'));
  fs.mkdirSync(bad.dir);
  const text = fs.readFileSync(run.resultFile, 'utf8');
  fs.writeFileSync(bad.resultFile, text.slice(0, text.length / 2));
  const named = (re: RegExp) =>
    new RegExp(`${bad.resultFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a readable result \\(.*\\); ${re.source}`);
  assert.throws(() => bad.result(), code('corrupt-file', named(/delete it/)));
  assert.throws(() => bad.readResult('incompatible-out'), code('incompatible-out', named(/choose another --out or pass --force/)));
  fs.writeFileSync(bad.resultFile, 'null');
  assert.throws(() => bad.result(), code('corrupt-file', /it holds no layers/));
});

test('flags and the request round-trip; clear() removes only what a dissection writes', () => {
  assert.deepEqual(run.readFlags(), {});
  run.writeFlags({ layer1: [1, 2] });
  assert.deepEqual(run.readFlags(), { layer1: [1, 2] });
  assert.equal(run.name(run.flagsFile), 'flags.json');
  assert.ok(!run.isInterrupted());
  run.writeRequest({ samples: 40 });
  assert.deepEqual(run.readRequest(), { samples: 40 });
  run.clear();
  assert.ok(!run.hasResult());
  assert.deepEqual(
    files(run.dir)
      .map((f) => f.split(path.sep)[0])
      .filter((f, i, a) => a.indexOf(f) === i)
      .sort(),
    ['causal', 'context', 'flags.json', 'heatmaps', 'insertion', 'interventions', 'rankings', 'request.json'],
  );
});
