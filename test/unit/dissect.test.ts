import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { writeMaskModels, tmpDir } from '../fixtures/models';
import { dissect, type DissectOptions } from '../../extension/engine/dissect/dissect';
import { mergeShards } from '../../extension/engine/dissect/merge';
import { CancelledError } from '../../extension/shared/errors';
import { decodePng } from '../../extension/shared/png';
import type { DissectResult } from '../../extension/shared/run/schema';

const dir = tmpDir();
const m = writeMaskModels(dir);
const base = (out: string, extra: Partial<DissectOptions> = {}): DissectOptions => ({
  generator: { path: m.generator },
  segmenter: { path: m.segmenter, labels: m.labels },
  out: path.join(dir, out),
  samples: 60,
  topk: 4,
  provider: 'cpu',
  ...extra,
});

/** The numbers of a result, without timings and paths. */
function numbers(r: DissectResult) {
  return r.layers.map((l) => l.units.map((u) => ({ ...u, image: undefined })));
}

for (const threshold of ['quantile', 'iqr'] as const) {
  test(`a unit that is on everywhere except where the sky is is not a sky detector (${threshold})`, async () => {
    // Mutual information is symmetric: without the reference's agreement rule (and its positive-level
    // rule), iqr mode gives this unit threshold 0 and the label sky.
    const n = writeMaskModels(dir, { notSky: true });
    const { result } = await dissect({ ...base(`not-sky-${threshold}`, { threshold }), generator: { path: n.generator } });
    const units = result.layers[0].units;
    assert.equal(units.length, 5);
    assert.equal(units[1].label, 'sky', 'unit 1 is the sky mask');
    assert.notEqual(units[4].label, 'sky', `unit 4 (not sky) is labelled ${units[4].label} (IoU ${units[4].iou}, threshold ${units[4].threshold})`);
    assert.ok(!units[4].interpretable);
    if (threshold === 'iqr') {
      const sky = result.labels.findIndex((l) => l.name === 'sky');
      // as a sky detector it has no qualified level: its best qualified IQR for sky is 0
      const raw = fs.readFileSync(path.join(dir, `not-sky-${threshold}`, result.layers[0].pairArrays!.iqr.file));
      const maxIqr = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
      assert.equal(maxIqr[4 * result.labels.length + sky], 0);
      assert.ok(maxIqr[1 * result.labels.length + sky] > 0.5, 'unit 1 is a sky detector');
    }
  });

  test(`units that are a class's mask get that label with IoU ≈ 1 (> 0.97: overlaps of the two masks are rare); noise units stay uninterpretable (${threshold})`, async () => {
    const { result } = await dissect(base(`known-${threshold}`, { threshold }));
    const units = result.layers[0].units;
    assert.equal(result.layers[0].layer, 'layer1');
    assert.equal(units[0].label, 'tree');
    assert.equal(units[0].category, 'object');
    assert.ok(units[0].iou > 0.97, `unit 0 IoU ${units[0].iou}`);
    assert.ok(units[0].interpretable);
    assert.equal(units[1].label, 'sky');
    assert.ok(units[1].iou > 0.97, `unit 1 IoU ${units[1].iou}`);
    for (const u of [units[2], units[3]]) {
      assert.ok(!u.interpretable, `noise unit ${u.unit} is uninterpretable (IoU ${u.iou})`);
      assert.ok(u.iou < 0.05);
    }
    if (threshold === 'quantile') {
      // "on" where the unit is positive: its threshold is 0 (≤ 0.99 quantile of a mostly-zero unit)
      assert.equal(units[0].threshold, 0);
    } else {
      // iqr: only positive levels qualify (the reference's rule), so "on" is above its smallest positive
      // candidate level that still covers the mask
      assert.ok(units[0].threshold > 0, `unit 0 threshold ${units[0].threshold}`);
    }
    assert.deepEqual(
      result.layers[0].summary.concepts.map((c) => [c.label, c.count]),
      [
        ['sky', 1],
        ['tree', 1],
      ],
    );
    assert.equal(result.layers[0].summary.interpretable, 2);
    // top images: a strip of topk tiles, each 16×16 with 2-pixel gaps
    const png = decodePng(fs.readFileSync(path.join(dir, `known-${threshold}`, units[0].image!)));
    assert.equal(png.height, 16);
    assert.equal(png.width, 4 * 16 + 3 * 2);
    // and the highlighted region of the top image is where unit 0 (red) is on: red stays bright
    let brightRed = 0;
    for (let p = 0; p < 16 * 16; p++) if (png.rgb[p * 3] === 255 && png.rgb[p * 3 + 1] === 255) brightRed++;
    assert.ok(brightRed > 0, 'the region has a yellow border');
    assert.ok(fs.existsSync(path.join(dir, `known-${threshold}`, 'index.html')));
    const raw = fs.readFileSync(path.join(dir, `known-${threshold}`, result.layers[0].iouMatrix!.file));
    const matrix = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    assert.equal(matrix.length, 4 * 4);
    assert.ok(Math.abs(matrix[0 * 4 + 1] - units[0].iou) < 1e-6);
  });
}

test('the result does not depend on the batch size', async () => {
  const a = await dissect(base('batch3', { batch: 3 }));
  const b = await dissect(base('batch16', { batch: 16 }));
  assert.deepEqual(numbers(a.result), numbers(b.result));
});

test('the result does not depend on the number of statistics threads; a run cancelled with 3 resumes with 0', async () => {
  const quad = { segmenter: { path: m.segmenter, labels: m.labels, quad: ['tree'] } };
  const inline = await dissect(base('workers0', { ...quad, workers: 0, batch: 7 }));
  const three = await dissect(base('workers3', { ...quad, workers: 3, batch: 7 }));
  assert.deepEqual(numbers(three.result), numbers(inline.result));
  assert.deepEqual(
    fs.readFileSync(path.join(dir, 'workers3', 'arrays', fs.readdirSync(path.join(dir, 'workers3', 'arrays'))[0])),
    fs.readFileSync(path.join(dir, 'workers0', 'arrays', fs.readdirSync(path.join(dir, 'workers0', 'arrays'))[0])),
  );
  // iqr mode makes one pass over the threshold set (phase iqr), quantile mode one of its own (phase quantile)
  const inlineQuantile = await dissect(base('workers0-quantile', { ...quad, workers: 0, batch: 7, threshold: 'quantile' }));
  for (const [cancelIn, threshold] of [
    ['quantile', 'quantile'],
    ['iqr', 'iqr'],
    ['iou', 'iqr'],
  ] as const) {
    const controller = new AbortController();
    let batches = 0;
    const out = `workers-cancel-${cancelIn}`;
    const reference = threshold === 'iqr' ? { result: inline.result, run: 'workers0' } : { result: inlineQuantile.result, run: 'workers0-quantile' };
    await assert.rejects(
      dissect(
        base(out, {
          ...quad,
          threshold,
          workers: 3,
          batch: 7,
          checkpointSeconds: 0,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === cancelIn && ++batches === 4) controller.abort();
          },
        }),
      ),
      CancelledError,
    );
    const resumed = await dissect(base(out, { ...quad, threshold, workers: 0, batch: 7, resume: true }));
    assert.deepEqual(numbers(resumed.result), numbers(reference.result), `cancelled in ${cancelIn}`);
    // top images: kept during the IoU pass (top-cache.ts) or, for samples before the resume, generated
    // again — the same strips either way
    const strips = (run: string) => {
      const d = path.join(dir, run, 'images');
      return fs
        .readdirSync(d, { recursive: true })
        .filter((f) => String(f).endsWith('.png'))
        .sort()
        .map((f) => fs.readFileSync(path.join(d, String(f))));
    };
    const a = strips(out);
    assert.ok(a.length > 0);
    assert.deepEqual(a, strips(reference.run), `strips after a cancel in ${cancelIn}`);
  }
});

test('shards merge exactly into the whole run', async () => {
  const whole = await dissect(base('whole', { threshold: 'quantile' }));
  const s0 = await dissect(base('shard0', { threshold: 'quantile', shard: { index: 0, count: 2 }, batch: 7 }));
  const s1 = await dissect(base('shard1', { threshold: 'quantile', shard: { index: 1, count: 2 } }));
  assert.deepEqual(s0.result.shard?.range, [0, 30]);
  assert.deepEqual(s1.result.shard?.range, [30, 60]);
  const merged = await mergeShards({ out: path.join(dir, 'merged'), shards: [path.join(dir, 'shard1'), path.join(dir, 'shard0')], provider: 'cpu' });
  assert.deepEqual(numbers(merged), numbers(whole.result));
  await assert.rejects(
    mergeShards({ out: path.join(dir, 'merged2'), shards: [path.join(dir, 'shard0')], provider: 'cpu' }),
    /shards 2\/2 are missing/,
  );
});

test('merge guards its --out: never a shard, never an unrelated run without --force, never an unfinished shard', async () => {
  const shards = [path.join(dir, 'shard0'), path.join(dir, 'shard1')];
  const before = fs.readFileSync(path.join(shards[0], 'dissect.json'), 'utf8');
  await assert.rejects(mergeShards({ out: shards[0], shards, provider: 'cpu' }), /is one of the shards: merging there would destroy it/);
  await assert.rejects(mergeShards({ out: path.join(shards[1], 'inner'), shards, provider: 'cpu' }), /is inside the shard/);
  assert.equal(fs.readFileSync(path.join(shards[0], 'dissect.json'), 'utf8'), before, 'the shard is intact');
  // an unrelated earlier run (another sample count) in --out: refused, then replaced with --force, its files gone
  const other = path.join(dir, 'merge-over');
  await dissect(base('merge-over', { threshold: 'quantile', samples: 12, layers: ['layer1'] }));
  const otherResult = fs.readFileSync(path.join(other, 'dissect.json'), 'utf8');
  await assert.rejects(mergeShards({ out: other, shards, provider: 'cpu' }), /holds another run; choose another --out or pass --force/);
  assert.equal(fs.readFileSync(path.join(other, 'dissect.json'), 'utf8'), otherResult, 'nothing lost');
  const merged = await mergeShards({ out: other, shards, provider: 'cpu', force: true });
  assert.equal(merged.settings.samples, 60);
  // an unfinished shard is refused
  const unfinished = path.join(dir, 'shard-unfinished');
  fs.cpSync(shards[1], unfinished, { recursive: true });
  const j = JSON.parse(fs.readFileSync(path.join(unfinished, 'dissect.json'), 'utf8'));
  fs.writeFileSync(path.join(unfinished, 'dissect.json'), JSON.stringify({ ...j, complete: false }));
  await assert.rejects(
    mergeShards({ out: path.join(dir, 'merged3'), shards: [shards[0], unfinished], provider: 'cpu' }),
    /unfinished shard \(complete: false\)/,
  );
});

test('a shard whose statistics were cut short is refused by name, not merged into wrong IoUs', async () => {
  const cut = path.join(dir, 'shard-cut');
  fs.cpSync(path.join(dir, 'shard1'), cut, { recursive: true });
  const stats = path.join(cut, JSON.parse(fs.readFileSync(path.join(cut, 'dissect.json'), 'utf8')).layers[0].stats);
  const bytes = fs.readFileSync(stats);
  fs.writeFileSync(stats, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(
    mergeShards({ out: path.join(dir, 'merged-cut'), shards: [path.join(dir, 'shard0'), cut], provider: 'cpu' }),
    (e: unknown) =>
      e instanceof Error && (e as { code?: string }).code === 'corrupt-file' && e.message.includes(stats) && /truncated/.test(e.message),
  );
  assert.ok(!fs.existsSync(path.join(dir, 'merged-cut', 'dissect.json')));
});

test('a cancelled run resumes from its last batch and gives the same result', async () => {
  const full = await dissect(base('full', { batch: 5 }));
  const controller = new AbortController();
  let batches = 0;
  await assert.rejects(
    dissect(
      base('cancelled', {
        batch: 5,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'iou' && ++batches === 3) controller.abort();
        },
      }),
    ),
    CancelledError,
  );
  assert.ok(fs.existsSync(path.join(dir, 'cancelled', 'state.bin')), 'the checkpoint is saved');
  assert.ok(!fs.existsSync(path.join(dir, 'cancelled', 'dissect.json')));
  // without --resume the interrupted run is not silently overwritten
  await assert.rejects(dissect(base('cancelled', { batch: 5 })), /pass --resume/);
  let firstDone = -1;
  const resumed = await dissect(
    base('cancelled', {
      batch: 5,
      resume: true,
      onProgress: (p) => {
        if (firstDone < 0) firstDone = p.overallDone;
      },
    }),
  );
  // one pass of 60 threshold samples, then the IoU pass
  assert.ok(firstDone > 60, `resumed inside the IoU pass (first progress at ${firstDone})`);
  assert.deepEqual(numbers(resumed.result), numbers(full.result));
  assert.ok(!fs.existsSync(path.join(dir, 'cancelled', 'state.bin')), 'the checkpoint is removed when done');
});

test('re-running with the same models and settings reuses the result', async () => {
  const first = await dissect(base('cache'));
  assert.equal(first.cached, false);
  const again = await dissect(base('cache', { batch: 9 }));
  assert.equal(again.cached, true);
  assert.deepEqual(numbers(again.result), numbers(first.result));
});

test('latents from a .npy file reproduce the seeded run', async () => {
  const { Generator } = await import('../../extension/engine/models/contract');
  const { seededLatents } = await import('../../extension/engine/models/latents');
  const { writeNpy } = await import('../../extension/engine/data/npy');
  const g = Generator.open({ path: m.generator }, { provider: 'cpu' });
  const z = seededLatents(1, g.latentDims).batch(0, 60);
  const z2 = seededLatents(2, g.latentDims).batch(0, 60);
  writeNpy(path.join(dir, 'z.npy'), z, [60, g.latentDims]);
  writeNpy(path.join(dir, 'z2.npy'), z2, [60, g.latentDims]);
  const seeded = await dissect(base('seeded'));
  const fromFile = await dissect(base('npy', { samples: undefined, latents: path.join(dir, 'z.npy'), thresholdLatents: path.join(dir, 'z2.npy') }));
  assert.equal(fromFile.result.settings.samples, 60);
  assert.deepEqual(numbers(fromFile.result), numbers(seeded.result));
});

test('quad parts: concepts get c-t, c-b, c-l, c-r labels, and units are scored against them', async () => {
  const { result } = await dissect(base('quad', { segmenter: { path: m.segmenter, labels: m.labels, quad: ['tree'] } }));
  const names = result.labels.map((l) => l.name);
  assert.deepEqual(names.slice(4), ['tree-t', 'tree-b', 'tree-l', 'tree-r']);
  assert.equal(result.labels[4].category, 'part');
  // unit 0 is the tree mask, whose components are mostly single cells: one cell's bounding-box top and
  // left halves hold the cell, its bottom and right halves nothing
  const u0 = result.layers[0].units[0];
  const iouOf = (n: string) => u0.concepts.find((c) => c.label === n)?.iou ?? 0;
  assert.ok(iouOf('tree') > 0.97);
  assert.ok(iouOf('tree-t') > 0.5 && iouOf('tree-l') > 0.5, `${iouOf('tree-t')} ${iouOf('tree-l')}`);
  assert.ok(iouOf('tree-b') < iouOf('tree-t') && iouOf('tree-r') < iouOf('tree-l'));
});

test('a segmenter with several outputs gives one label per pixel from each (object + material)', async () => {
  const { twoHeadSegmenter, TWO_HEAD_LABELS } = await import('../fixtures/models');
  const seg = path.join(dir, 'two-head.onnx');
  const labels = path.join(dir, 'two-head-labels.json');
  fs.writeFileSync(seg, twoHeadSegmenter());
  fs.writeFileSync(labels, JSON.stringify(TWO_HEAD_LABELS));
  const { result } = await dissect(base('two-head', { segmenter: { path: seg, labels } }));
  assert.deepEqual(result.settings.segmenter.outputs, ['object', 'material']);
  assert.deepEqual(
    result.labels.map((l) => l.category),
    ['-', 'object', 'object', '-', 'material'],
  );
  const [u0, u1] = result.layers[0].units;
  assert.equal(u0.label, 'tree');
  assert.ok(u0.iou > 0.97);
  assert.equal(u1.label, 'sky');
  // brick is never present: no unit may be labelled with it
  assert.ok(result.layers[0].units.every((u) => u.label !== 'brick'));
  // with the labels of only one output, the channel count does not match
  await assert.rejects(
    dissect(base('two-head-bad', { segmenter: { path: seg, labels: m.labels } })),
    /5 channels \(object: 3, material: 2\) but the labels file .*labels\.json names 4/,
  );
});

test("a run that dies just after a phase ends (no checkpoint since) resumes with that phase's thresholds", async () => {
  const full = await dissect(base('full-iqr', { batch: 5, threshold: 'iqr' }));
  // a crash (here: an exception from the progress callback) in the first IoU batch, long before any
  // periodic checkpoint: the last checkpoint is the one written when the IQR phase ended
  await assert.rejects(
    dissect(
      base('died', {
        batch: 5,
        threshold: 'iqr',
        checkpointSeconds: 3600,
        onProgress: (p) => {
          if (p.phase === 'iou') throw new Error('simulated crash');
        },
      }),
    ),
    /simulated crash/,
  );
  const resumed = await dissect(base('died', { batch: 5, threshold: 'iqr', resume: true }));
  assert.deepEqual(numbers(resumed.result), numbers(full.result));
});

test('a generator exported with a fixed batch runs in chunks of it, with the same numbers as a dynamic one', async () => {
  const { maskGenerator } = await import('../fixtures/models');
  const fixed = path.join(dir, 'mask-batch4.onnx');
  fs.writeFileSync(fixed, maskGenerator({ fixedBatch: 4 }));
  const dynamic = await dissect(base('dyn-batch', { threshold: 'quantile', samples: 22, batch: 16, layers: ['layer1'] }));
  const chunked = await dissect(
    base('fixed-batch', { threshold: 'quantile', samples: 22, batch: 16, layers: ['layer1'], generator: { path: fixed } }),
  );
  assert.deepEqual(numbers(chunked.result), numbers(dynamic.result));
  // interventions render in chunks of it too (the last one padded): 6 samples through a batch-4 graph
  const { InterventionModel } = await import('../../extension/engine/intervene/edit');
  const open = (g: string) =>
    InterventionModel.open({ generator: { path: g }, segmenter: { path: m.segmenter, labels: m.labels }, layer: 'layer1', provider: 'cpu' });
  const [mf, md] = [await open(fixed), await open(m.generator)];
  const z = new Float32Array(6 * mf.gen.latentDims).map((_, i) => Math.cos(i * 0.37) * 4);
  const [of, od] = [await mf.original(z, 6), await md.original(z, 6)];
  const iv = { units: [1], mode: 'ablate' as const };
  assert.deepEqual((await mf.edited(of.fm, z, 6, iv)).image, (await md.edited(od.fm, z, 6, iv)).image);
});

test('an fp16 generator runs as it is: its layers are listed, dissected and intervened on as float32', async () => {
  const { maskGenerator, toFloat16 } = await import('../fixtures/models');
  const { Generator } = await import('../../extension/engine/models/contract');
  const half = path.join(dir, 'mask-fp16.onnx');
  fs.writeFileSync(half, toFloat16(maskGenerator()));
  const g = Generator.open({ path: half }, { provider: 'cpu' });
  const layers = await g.layers();
  assert.deepEqual(layers.find((l) => l.name === 'layer1')?.shape, [4, 16, 16]);
  const fp32 = await dissect(base('fp32-ref', { threshold: 'quantile', samples: 30 }));
  const fp16 = await dissect(base('fp16', { threshold: 'quantile', samples: 30, generator: { path: half } }));
  // the same concepts: the mask model's units are the masks themselves (half precision moves only the thresholds)
  const labels = (r: DissectResult) => r.layers[0].units.map((u) => [u.unit, u.label, u.interpretable]);
  assert.deepEqual(labels(fp16.result), labels(fp32.result));
  for (const [i, u] of fp16.result.layers[0].units.entries()) assert.ok(Math.abs(u.iou - fp32.result.layers[0].units[i].iou) < 0.02, `unit ${i}`);
  // the render model takes the float16 layer as float32: ablating every unit of layer1 blanks the image
  const { InterventionModel } = await import('../../extension/engine/intervene/edit');
  const model = await InterventionModel.open({
    generator: { path: half },
    segmenter: { path: m.segmenter, labels: m.labels },
    layer: 'layer1',
    provider: 'cpu',
  });
  const z = new Float32Array(2 * model.gen.latentDims).map((_, i) => Math.sin(i));
  const orig = await model.original(z, 2);
  const edited = await model.edited(orig.fm, z, 2, { units: [0, 1, 2, 3], mode: 'ablate' });
  assert.ok(edited.image.every((v) => v === 0));
});

test('a channels-last layer is found as such and dissected with its last axis as the units', async () => {
  const { channelsLastMaskGenerator } = await import('../fixtures/models');
  const { Generator } = await import('../../extension/engine/models/contract');
  const file = path.join(dir, 'mask-nhwc.onnx');
  fs.writeFileSync(file, channelsLastMaskGenerator());
  const layers = await Generator.open({ path: file }, { provider: 'cpu' }).layers();
  const l1 = layers.find((l) => l.name === 'layer1');
  assert.deepEqual(l1 && { shape: l1.shape, layout: l1.layout }, { shape: [4, 16, 16], layout: 'nhwc' });
  // by construction units 0 and 1 are the tree and sky masks, as in the channels-first mask model
  const nhwc = await dissect(base('nhwc', { threshold: 'quantile', samples: 30, generator: { path: file } }));
  const nchw = await dissect(base('nchw-ref', { threshold: 'quantile', samples: 30 }));
  // (units 2 and 3 are noise: their weak labels depend on which z entries they read, which the layouts order differently)
  const labels = (r: DissectResult) => r.layers[0].units.map((u) => [u.unit, u.interpretable ? u.label : '(none)', u.interpretable]);
  assert.deepEqual(labels(nhwc.result), labels(nchw.result));
  assert.deepEqual(labels(nhwc.result).slice(0, 2), [
    [0, 'tree', true],
    [1, 'sky', true],
  ]);
  // an edit goes back in channels-last: ablating unit 0 (R) blanks the red channel and leaves green as it was
  const { InterventionModel } = await import('../../extension/engine/intervene/edit');
  const model = await InterventionModel.open({
    generator: { path: file },
    segmenter: { path: m.segmenter, labels: m.labels },
    layer: 'layer1',
    provider: 'cpu',
  });
  const z = new Float32Array(2 * model.gen.latentDims).map((_, i) => Math.sin(i * 1.7) * 4);
  const orig = await model.original(z, 2);
  const edited = await model.edited(orig.fm, z, 2, { units: [0], mode: 'ablate' });
  const P = 16 * 16;
  for (let i = 0; i < 2; i++) {
    const base3 = i * 3 * P;
    assert.ok(
      edited.image.subarray(base3, base3 + P).every((v) => v === 0),
      'red blank',
    );
    assert.deepEqual(edited.image.subarray(base3 + P, base3 + 2 * P), orig.image.subarray(base3 + P, base3 + 2 * P), 'green unchanged');
  }
  assert.ok(
    orig.image.subarray(0, P).some((v) => v > 0),
    'red was not blank before',
  );
});

test('a channels-last image output [N, H, W, 3] is read as NCHW: the same numbers as the channels-first model', async () => {
  const { maskGenerator } = await import('../fixtures/models');
  const file = path.join(dir, 'mask-nhwc-image.onnx');
  fs.writeFileSync(file, maskGenerator({ nhwcImage: true }));
  const nhwc = await dissect(base('nhwc-image', { threshold: 'quantile', samples: 24, layers: ['layer1'], generator: { path: file } }));
  const nchw = await dissect(base('nchw-image', { threshold: 'quantile', samples: 24, layers: ['layer1'] }));
  assert.deepEqual(numbers(nhwc.result), numbers(nchw.result));
});

test('the image range is read off the op that makes the image: Sigmoid, Tanh, Clip; else the default', async () => {
  const { GraphBuilder } = await import('../../extension/engine/models/onnx/builder');
  const { decodeModel } = await import('../../extension/engine/models/onnx/proto');
  const { imageRange } = await import('../../extension/engine/models/onnx/graph');
  const graph = (last: (b: InstanceType<typeof GraphBuilder>, x: string) => void) => {
    const b = new GraphBuilder();
    b.input('z', [-1, 3, 4, 4]);
    last(b, 'z');
    b.output('image');
    return decodeModel(b.build(), 'g').graph!;
  };
  assert.deepEqual(
    imageRange(
      graph((b, x) => b.node('Sigmoid', [x], { out: 'image' })),
      'image',
    )?.range,
    [0, 1],
  );
  assert.deepEqual(
    imageRange(
      graph((b, x) => b.node('Tanh', [x], { out: 'image' })),
      'image',
    )?.range,
    [-1, 1],
  );
  const viaTranspose = graph((b, x) => b.node('Transpose', [b.node('Sigmoid', [x])], { out: 'image', attrs: { perm: [0, 2, 3, 1] } }));
  assert.deepEqual(imageRange(viaTranspose, 'image')?.range, [0, 1]);
  const clip = graph((b, x) => b.node('Clip', [x, b.floats('lo', [0], []), b.floats('hi', [255], [])], { out: 'image' }));
  assert.deepEqual(imageRange(clip, 'image')?.range, [0, 255]);
  assert.equal(
    imageRange(
      graph((b, x) => b.node('Relu', [x], { out: 'image' })),
      'image',
    ),
    undefined,
  );
  const { Generator } = await import('../../extension/engine/models/contract');
  const sig = path.join(dir, 'sigmoid-image.onnx');
  const b = new GraphBuilder();
  b.input('z', [-1, 48]);
  b.node('Sigmoid', [b.node('Reshape', ['z', b.ints('s', [-1, 3, 4, 4])])], { out: 'image' });
  b.output('image', [-1, 3, 4, 4]);
  fs.writeFileSync(sig, b.build());
  const g = Generator.open({ path: sig }, { provider: 'cpu' });
  assert.deepEqual([g.range, g.rangeWhy], [[0, 1], "the image is a Sigmoid's output"]);
  assert.deepEqual(Generator.open({ path: sig, range: [-1, 1] }, { provider: 'cpu' }).range, [-1, 1], 'given wins');
});

test('a model with external data (weights in a file beside it) loads whatever the working directory', async () => {
  const { maskGenerator } = await import('../fixtures/models');
  const { onnx, decodeModel, encodeModel } = await import('../../extension/engine/models/onnx/proto');
  const ext = path.join(dir, 'external');
  fs.mkdirSync(ext, { recursive: true });
  const model = decodeModel(maskGenerator(), 'mask');
  const w = model.graph!.initializer!.find((t) => t.name === 'to_rgb.weight')!;
  fs.writeFileSync(path.join(ext, 'weights.bin'), Buffer.from(w.rawData!));
  w.externalData = [
    { key: 'location', value: 'weights.bin' },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(w.rawData!.length) },
  ];
  w.rawData = new Uint8Array(0);
  w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  const file = path.join(ext, 'mask-external.onnx');
  fs.writeFileSync(file, encodeModel(model));
  const cwd = process.cwd();
  process.chdir(os.tmpdir()); // not the model's folder
  try {
    const withExternal = await dissect(base('external-data', { threshold: 'quantile', samples: 20, generator: { path: file } }));
    const inline = await dissect(base('inline-data', { threshold: 'quantile', samples: 20 }));
    assert.deepEqual(numbers(withExternal.result), numbers(inline.result));
  } finally {
    process.chdir(cwd);
  }
  // past the inline limit (a model over 2 GB), the model is staged beside its data and loaded from there
  const { staged } = await import('../../extension/engine/models/onnx/session');
  const big = staged(encodeModel(model), ext, 0);
  assert.equal(typeof big.source, 'string');
  assert.equal(path.dirname(big.source as string), ext);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(big.source as string);
  big.done();
  assert.ok(!fs.existsSync(big.source as string), 'the staged file is removed');
  const z = new Float32Array(1024).fill(3);
  const out = await session.run({ z: new ort.Tensor('float32', z, [1, 1024]) });
  assert.equal((out.image.data as Float32Array)[0], 0.5, 'relu(3 − 2.5) through the external weight 1');
  fs.rmSync(path.join(ext, 'weights.bin'));
  await assert.rejects(dissect(base('external-missing', { samples: 8, generator: { path: file } })), /external data file .*weights\.bin is missing/);
});
