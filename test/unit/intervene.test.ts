import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeCausalModels, tmpDir } from '../fixtures/models';
import { InterventionModel, editFeaturemap, poolMask, rectMask, conceptFraction } from '../../extension/engine/intervene/edit';
import { averageCausalEffect, insertionValues, causalSearch, insertionContext, sampleSet, insertion } from '../../extension/engine/intervene/causal';
import { dissect } from '../../extension/engine/dissect/dissect';
import { seededLatents } from '../../extension/engine/models/latents';

const dir = tmpDir();
const m = writeCausalModels(dir);
const open = () =>
  InterventionModel.open({ generator: { path: m.generator }, segmenter: { path: m.segmenter, labels: m.labels }, layer: 'layer1', provider: 'cpu' });
const opts = { samples: 64, seed: 3, batch: 16 };

test("the edit r' = r(1 − a) + k·a touches only the chosen units, at the masked locations", () => {
  const fm = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i + 1);
  const mask = Float32Array.from([1, 0, 0.5, 0]);
  const out = editFeaturemap(fm, 2, [3, 2, 2], { units: [1], values: Float32Array.from([10]), mask });
  for (let i = 0; i < 2; i++) {
    for (let u = 0; u < 3; u++) {
      for (let p = 0; p < 4; p++) {
        const idx = (i * 3 + u) * 4 + p;
        const expected = u === 1 ? fm[idx] * (1 - mask[p]) + 10 * mask[p] : fm[idx];
        assert.equal(out[idx], expected);
      }
    }
  }
  assert.throws(() => editFeaturemap(fm, 2, [3, 2, 2], { units: [5], values: new Float32Array(1) }), /unit 5 is out of range/);
  // a mask painted at image resolution is averaged down to the featuremap
  const pooled = poolMask(rectMask(8, 8, [0, 0, 4, 2]), 8, 8, 2, 2);
  assert.deepEqual(Array.from(pooled), [0.5, 0, 0, 0]);
});

test('ablating the unit that draws trees removes ≥ 90% of the trees; the correlated unit removes none', async () => {
  const model = await open();
  const tree = model.concept('tree');
  const k = await insertionValues(model, tree, opts);
  const causal = await averageCausalEffect(model, tree, [0], k, opts);
  assert.ok(causal.base > 0);
  assert.ok(causal.removed >= 0.9, `removed ${causal.removed}`);
  const correlated = await averageCausalEffect(model, tree, [1], k, opts);
  assert.ok(Math.abs(correlated.removed) < 1e-9, `unit 1 removed ${correlated.removed}`);
  assert.ok(causal.ace > correlated.ace);
  assert.ok(causal.ci.removed[0] <= causal.removed && causal.removed <= causal.ci.removed[1]);
  // k for unit 0 is its mean activation where trees are (> 2 by construction)
  assert.ok(k[0] > 2, `k0 = ${k[0]}`);
});

test('inserting the tree unit in a region creates trees there', async () => {
  const model = await open();
  const tree = model.concept('tree');
  const k = await insertionValues(model, tree, opts);
  const z = seededLatents(9, model.gen.latentDims).batch(0, 8);
  const orig = await model.original(z, 8);
  // the region: featuremap rows 2–3, cols 2–5 (image = featuremap resolution here)
  const region = rectMask(8, 8, [2, 2, 6, 4]);
  const mask = poolMask(region, 8, 8, 8, 8);
  const after = await model.edited(orig.fm, z, 8, insertion([0], k, mask));
  let inside = 0,
    insideTree = 0,
    outsideChanged = 0;
  for (let i = 0; i < 8; i++) {
    for (let p = 0; p < 64; p++) {
      const t = after.seg.maps[0][i * 64 + p] === tree;
      if (region[p]) {
        inside++;
        if (t) insideTree++;
      } else if (t !== (orig.seg.maps[0][i * 64 + p] === tree)) outsideChanged++;
    }
  }
  assert.ok(insideTree / inside > 0.6, `trees in the region: ${insideTree}/${inside}`);
  assert.equal(outsideChanged, 0, 'nothing changes outside the region');
  assert.ok(conceptFraction(after.seg, 0, tree) >= conceptFraction(orig.seg, 0, tree));
});

test('causal search finds the unit that causes trees, beating the IoU ranking misled by a correlated unit', async () => {
  const model = await open();
  const tree = model.concept('tree');
  // the IoU ranking from a real dissection: unit 1 (on exactly where trees are) has the best IoU
  const { result } = await dissect({
    generator: { path: m.generator },
    segmenter: { path: m.segmenter, labels: m.labels },
    out: path.join(dir, 'd'),
    samples: 100,
    threshold: 'quantile',
    provider: 'cpu',
  });
  const treeIdx = result.labels.findIndex((l) => l.name === 'tree');
  const iouOf = (u: number) => result.layers[0].units[u].concepts.find((c) => c.label === 'tree')?.iou ?? 0;
  const iouRanking = [0, 1, 2, 3].sort((a, b) => iouOf(b) - iouOf(a));
  assert.equal(iouRanking[0], 1, `IoU ranking ${iouRanking} (label index ${treeIdx})`);
  const k = await insertionValues(model, tree, opts);
  const r = await causalSearch(model, tree, { ...opts, count: 1, searchSamples: 32, iouRanking, k });
  assert.deepEqual(r.units, [0]);
  assert.ok(r.ace.ace >= r.iouAce!.ace, `causal ACE ${r.ace.ace} vs IoU ACE ${r.iouAce!.ace}`);
  // the paper's protocol too (insertion at one sampled location per sample)
  assert.ok(r.ace.atLocation!.ace >= r.iouAce!.atLocation!.ace, `${r.ace.atLocation!.ace} vs ${r.iouAce!.atLocation!.ace}`);
  assert.match(r.method, /swaps from the IoU start \(Eq\. 7\)/);
  assert.ok(r.ace.ace > r.iouAce!.ace + 0.5);
  assert.ok(r.curves.ace[0] >= 0.9 && r.curves.iou![0] < 0.05, JSON.stringify(r.curves));
  assert.equal(r.singleEffects.length, 4);
  // with two units, the search still puts the causal unit first
  const seen: { done: number; total: number; what: string }[] = [];
  const r2 = await causalSearch(model, tree, {
    ...opts,
    count: 2,
    searchSamples: 32,
    iouRanking,
    k,
    onProgress: (done, total, what) => seen.push({ done, total, what }),
  });
  // one bar for the whole search: never going back, one total, ending full
  assert.ok(seen.length > 5);
  assert.ok(seen.every((p, i) => p.total === seen[0].total && (i === 0 || p.done >= seen[i - 1].done)));
  assert.equal(seen[seen.length - 1].done, seen[0].total);
  assert.deepEqual(
    [...new Set(seen.map((p) => p.what))],
    ['search samples', 'single-unit effects', 'swaps from the IoU start', 'greedy selection', 'curves and ACE'],
  );
  assert.equal(r2.units[0], 0);
  assert.ok(r2.ace.ace >= r2.iouAce!.ace - 1e-9);
  assert.ok(r2.ace.atLocation!.ace >= r2.iouAce!.atLocation!.ace - 1e-9);
});

test('insertion context: doors appear only where a building is', async () => {
  const model = await open();
  const door = model.concept('door');
  const set = await sampleSet(model, door, { ...opts, samples: 64 });
  const k = await insertionValues(model, door, opts, set);
  const r = await insertionContext(model, door, [3], k, { samples: 12, seed: 4, batch: 64, grid: 8 });
  assert.ok((r.by_class.building ?? 0) > 0.005, JSON.stringify(r.by_class));
  for (const cls of ['-', 'tree']) if (cls in r.by_class) assert.ok(Math.abs(r.by_class[cls]) < 1e-9, `${cls}: ${r.by_class[cls]}`);
  assert.equal(r.maps.length, 12);
  assert.equal(r.maps[0].gain.length, 64);
});

test('live preview: a session keeps the samples; each edit renders them (mask painted at image resolution)', async () => {
  const { PreviewSession } = await import('../../extension/engine/intervene/preview');
  const out = path.join(dir, 'preview-run');
  await dissect({
    generator: { path: m.generator },
    segmenter: { path: m.segmenter, labels: m.labels },
    out,
    samples: 60,
    threshold: 'quantile',
    provider: 'cpu',
  });
  const s = await PreviewSession.open({ runId: out, layer: 'layer1', samples: 32, seed: 11, provider: 'cpu' });
  assert.equal(s.files.length, 32);
  const ablateAll = await s.preview({ units: [0], mode: 'ablate', strength: 1, mask: null });
  assert.equal(ablateAll.after.length, 32);
  assert.match(ablateAll.after[0], /^data:image\/png;base64,/);
  for (const c of ablateAll.changes) assert.equal(c.after.tree ?? 0, 0, `sample ${c.sample}: trees remain`);
  // a mask over the left half only: trees on the right half survive where there were some
  const W = s.imageSize[1];
  const H = s.imageSize[0];
  const left = Buffer.from(Uint8Array.from({ length: H * W }, (_, p) => (p % W < W / 2 ? 255 : 0))).toString('base64');
  const half = await s.preview({ units: [0], mode: 'ablate', strength: 1, mask: { width: W, height: H, data: left } });
  const sum = (r: typeof half, k: 'before' | 'after') => r.changes.reduce((a, c) => a + (c[k].tree ?? 0), 0);
  assert.ok(sum(half, 'after') > 0 && sum(half, 'after') < sum(half, 'before'), `${sum(half, 'after')} vs ${sum(half, 'before')}`);
  // strength 0 changes nothing
  const none = await s.preview({ units: [0], mode: 'ablate', strength: 0, mask: null });
  assert.equal(sum(none, 'after'), sum(none, 'before'));
  assert.ok(none.msPerImage > 0);
  await assert.rejects(s.preview({ units: [9], mode: 'ablate', strength: 1, mask: null }), /unit 9 is out of range/);
  await assert.rejects(s.preview({ units: [0], mode: 'insert', strength: 1, mask: null }), /needs a concept/);
});

test("the alternative insertion constants are each unit's 0.99 quantile (known here in closed form)", async () => {
  const { quantileValues } = await import('../../extension/engine/intervene/causal');
  const model = await open();
  const q = await quantileValues(model, { samples: 200, seed: 5, batch: 50 });
  // c0 = relu(x − 0.5), x ~ N(0, 1): its 0.99 quantile is Φ⁻¹(0.99) − 0.5 = 1.826
  assert.ok(Math.abs(q[0] - 1.826) < 0.12, `q0 = ${q[0]}`);
  // c1 = 10·relu(c0 − 2) is non-zero in 0.6% < 1% of cells: its 0.99 quantile is 0
  assert.equal(q[1], 0);
});
