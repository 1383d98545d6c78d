/**
 * The parts of an artifacts run (engine/artifacts/): the feature extractors and their honest labels, real
 * images read and resized, the realistic-units summary, random units and intervals, and a run beside a
 * dissection (its thresholds and labels).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { loadModel } from '../../extension/engine/models/onnx/proto';
import { FeatureExtractor, penultimateTensor } from '../../extension/engine/artifacts/features';
import { resizeInto, realImageFiles, decodeImage } from '../../extension/engine/artifacts/real-images';
import { realisticSummary } from '../../extension/engine/artifacts/realistic';
import { meanInterval, randomUnits } from '../../extension/engine/artifacts/measure';
import { runArtifacts } from '../../extension/engine/artifacts/job';
import { dissect } from '../../extension/engine/dissect/dissect';
import { encodePng } from '../../extension/shared/png';
import { tmpDir, writeMaskModels } from '../fixtures/models';
import { writePlantedModels } from '../fixtures/artifact-models';
import type { LayerResult, UnitResult } from '../../extension/shared/run/schema';
import { RunFolder } from '../../extension/shared/run/folder';

const dir = tmpDir('gd-artifact-parts-');
const DEMO_SEG = path.resolve(__dirname, '..', '..', '..', 'media', 'demo', 'segmenter.onnx');
const cpu = { provider: 'cpu' as const };

test("the segmenter's features are its penultimate layer: the input of the classifier that makes the logits", () => {
  assert.equal(penultimateTensor(loadModel(DEMO_SEG).model, 'logits'), '/dec1/dec1.2/Relu_output_0');
  // a one-layer segmenter (its head reads the image): none, and the extractor falls back to its logits
  const mask = writeMaskModels(dir);
  assert.equal(penultimateTensor(loadModel(mask.segmenter).model, 'logits'), undefined);
});

test('the default features: the segmenter’s penultimate layer pooled over space, labelled as such', async () => {
  const m = writePlantedModels(dir);
  const f = await FeatureExtractor.open(undefined, { path: m.segmenter, labels: m.labels }, [16, 16], cpu);
  assert.equal(f.dims, 9);
  assert.equal(f.describe.kind, 'segmenter');
  assert.equal(f.describe.label, "Fréchet distance in the segmenter's features (hidden, 9-D, pooled over space)");
  // a flat image of value v: colour features relu(v + 1) inside, Laplacians 0 except at the zero-padded border
  const img = new Float32Array(3 * 16 * 16).fill(0.25);
  const x = await f.features(img, 1, [3, 16, 16], [-1, 1]);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(x[c] - 1.25) < 1e-6);
  // the negative Laplacian −(4v − neighbours) is positive nowhere: inside 0, at the border −v·(missing neighbours) < 0
  for (let c = 6; c < 9; c++) assert.equal(x[c], 0);
  // Laplacian at the border: 60 border pixels lose 1 neighbour, 4 corners 2 → mean 0.25·(56·1 + 4·2)/256
  for (let c = 3; c < 6; c++) assert.ok(Math.abs(x[c] - (0.25 * (56 + 8)) / 256) < 1e-6, `${x[c]}`);
});

/** A feature model: image [B, 3, 16, 16] → mean colour per channel times (1, 2) → [B, 6] (B fixed when given). */
function featureModel(batch = -1): Uint8Array {
  const b = new GraphBuilder();
  b.input('pixels', [batch, 3, 16, 16]);
  const pooled = b.node('GlobalAveragePool', ['pixels'], { name: '/pool' });
  const flat = b.node('Flatten', [pooled], { name: '/flat' });
  const w = new Float32Array(3 * 6);
  for (let c = 0; c < 3; c++) {
    w[c * 6 + c] = 1;
    w[c * 6 + 3 + c] = 2;
  }
  b.node('MatMul', [flat, b.floats('w', w, [3, 6])], { name: '/fc', out: 'pool3' });
  b.output('pool3', [batch, 6]);
  return b.build();
}

test('a named feature model: its output taken as is, its name in the label (FID only for an Inception model), a fixed batch run in chunks', async () => {
  const m = writePlantedModels(dir);
  const seg = { path: m.segmenter, labels: m.labels };
  const plain = path.join(dir, 'features.onnx');
  fs.writeFileSync(plain, featureModel());
  const f = await FeatureExtractor.open({ path: plain, range: [0, 1] }, seg, [16, 16], cpu);
  assert.equal(f.describe.label, "Fréchet distance in features.onnx's pool3 features (6-D)");
  const img = new Float32Array(3 * 3 * 256);
  for (let i = 0; i < 3; i++) for (let c = 0; c < 3; c++) img.fill(-1 + 0.5 * (i + c), (i * 3 + c) * 256, (i * 3 + c + 1) * 256);
  const x = await f.features(img, 3, [3, 16, 16], [-1, 1]);
  // image range [-1, 1] → the model's [0, 1]: v ↦ (v + 1) / 2
  for (let i = 0; i < 3; i++)
    for (let c = 0; c < 3; c++) {
      const v = (0.5 * (i + c)) / 2;
      assert.ok(Math.abs(x[i * 6 + c] - v) < 1e-6 && Math.abs(x[i * 6 + 3 + c] - 2 * v) < 1e-6);
    }
  const inception = path.join(dir, 'inception-v3.onnx');
  fs.writeFileSync(inception, featureModel(2));
  const g = await FeatureExtractor.open({ path: inception, range: [0, 1] }, seg, [16, 16], cpu);
  assert.match(g.describe.label, /^FID: Fréchet distance in inception-v3\.onnx's pool3 features \(6-D\)$/);
  assert.deepEqual(Array.from(await g.features(img, 3, [3, 16, 16], [-1, 1])), Array.from(x));
  await assert.rejects(
    FeatureExtractor.open({ path: plain, output: 'nope' }, seg, [16, 16], cpu),
    /features\.onnx has no output or tensor "nope"; its outputs: pool3/,
  );
});

test('real images: centre-cropped to the aspect ratio, area-averaged down, mapped to the range; PNG and JPEG; bad files named', () => {
  // 6×4 (w×h): columns 0 and 5 are cropped away; 4×4 left of 2×2 blocks of colours → 2×2
  const w = 6;
  const h = 4;
  const rgba = new Uint8Array(w * h * 4);
  const colour = (x: number, y: number) => (x === 0 || x === 5 ? 255 : ((x - 1) >> 1) * 100 + (y >> 1) * 50);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([colour(x, y), 0, 0, 255], (y * w + x) * 4);
  const out = new Float32Array(3 * 4);
  resizeInto({ width: w, height: h, rgba }, 2, 2, [0, 255], out, 0);
  assert.deepEqual(Array.from(out.subarray(0, 4)), [0, 100, 50, 150]);
  // PNG and JPEG decode
  const folder = path.join(dir, 'real');
  fs.mkdirSync(folder, { recursive: true });
  const rgb = new Uint8Array(8 * 8 * 3).fill(200);
  fs.writeFileSync(path.join(folder, 'a.png'), encodePng(rgb, 8, 8));
  const j = jpeg.encode({ data: new Uint8Array(8 * 8 * 4).fill(120), width: 8, height: 8 }, 100);
  fs.writeFileSync(path.join(folder, 'b.JPG'), j.data);
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
  const files = realImageFiles(folder, 10);
  assert.deepEqual(
    files.map((f) => path.basename(f)),
    ['a.png', 'b.JPG'],
  );
  assert.equal(decodeImage(files[0]).rgba[0], 200);
  assert.ok(Math.abs(decodeImage(files[1]).rgba[0] - 120) <= 2);
  fs.writeFileSync(path.join(folder, 'c.png'), 'broken');
  assert.throws(() => decodeImage(path.join(folder, 'c.png')), /c\.png is not a readable PNG image/);
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  assert.throws(() => realImageFiles(empty, 10), /holds no PNG or JPEG images/);
});

function unit(u: number, label: string, interpretable: boolean): UnitResult {
  return { unit: u, label, category: 'object', iou: 0.1, iqr: 0, threshold: 0, interpretable, concepts: [], top: [] };
}

test('realistic units only: the flagged (or above-threshold) units leave the concept counts', () => {
  const layer = {
    units: [unit(0, 'tree', true), unit(1, 'tree', true), unit(2, 'sky', true), unit(3, 'sky', false), unit(4, 'grass', true)],
  } as LayerResult;
  const d = [0.1, 0.9, 0.2, 0.95, 0.5];
  const byFlags = realisticSummary(layer, d, [1, 3]);
  assert.equal(byFlags.threshold, 0.5);
  assert.equal(byFlags.kept, 3);
  assert.deepEqual(
    byFlags.concepts.map((c) => [c.name, c.all, c.realistic]),
    [
      ['tree', 2, 1],
      ['grass', 1, 1],
      ['sky', 1, 1],
    ],
  );
  const byThreshold = realisticSummary(layer, d, [1, 3], 0.3);
  assert.equal(byThreshold.kept, 2);
  assert.deepEqual(
    byThreshold.concepts.find((c) => c.name === 'grass'),
    { name: 'grass', category: 'object', all: 1, realistic: 0 },
  );
  assert.match(byThreshold.rule, /above 0\.3/);
});

test('random units are distinct, in range and reproducible; the 95% interval is t-based', () => {
  for (let draw = 0; draw < 20; draw++) {
    const u = randomUnits(10, 4, 3, draw);
    assert.equal(new Set(u).size, 4);
    assert.ok(u.every((x) => x >= 0 && x < 10));
    assert.deepEqual(randomUnits(10, 4, 3, draw), u);
  }
  assert.notDeepEqual(randomUnits(100, 5, 3, 0), randomUnits(100, 5, 3, 1));
  // every unit is drawn about equally often
  const counts = new Array<number>(10).fill(0);
  for (let draw = 0; draw < 2000; draw++) for (const x of randomUnits(10, 3, 1, draw)) counts[x]++;
  for (const c of counts) assert.ok(Math.abs(c - 600) < 90, `${c}`);
  const r = meanInterval([1, 2, 3]);
  assert.equal(r.mean, 2);
  assert.ok(Math.abs(r.ci95[1] - (2 + 4.303 / Math.sqrt(3))) < 1e-12);
  assert.deepEqual(meanInterval([5]), { mean: 5, ci95: [5, 5] });
});

test('beside a dissection of the same generator: its thresholds, and the realistic-units summary of its labels; another generator is refused', async () => {
  const m = writePlantedModels(dir);
  const out = path.join(dir, 'dissected');
  const spec = { generator: { path: m.generator, range: [-1, 1] as [number, number] }, segmenter: { path: m.segmenter, labels: m.labels } };
  await dissect({ ...spec, out, layers: ['layer1'], samples: 200, thresholdSamples: 200, provider: 'cpu', workers: 0 });
  const r = await runArtifacts({ ...spec, layer: 'layer1', out, samples: 400, flag: 2, repair: false, provider: 'cpu' });
  assert.ok(r.realistic);
  assert.equal(r.realistic.total, 8);
  assert.equal(r.realistic.kept, 6);
  // the dissection's report now shows the layer's artifact units: the honest label, the flags, the realistic-only chart
  const html = fs.readFileSync(new RunFolder(out).reportFile, 'utf8');
  assert.ok(html.includes('Fréchet distance in the segmenter&#39;s features (hidden, 9-D, pooled over space)'));
  assert.ok(html.includes(`Flagged automatically: ${r.flagged.join(', ')}`));
  assert.ok(html.includes('Realistic units only'));
  assert.equal((html.match(/ ⚑<\/td>/g) ?? []).length, 2);
  // a re-dissection into the folder (--force: other settings) keeps the artifact results and the hand flags
  new RunFolder(out).writeFlags({ layer1: [3] });
  await dissect({ ...spec, out, layers: ['layer1'], samples: 150, thresholdSamples: 150, provider: 'cpu', workers: 0, force: true });
  assert.deepEqual(new RunFolder(out).readArtifacts('layer1')?.flagged, r.flagged);
  assert.deepEqual(new RunFolder(out).readFlags(), { layer1: [3] });
  const mask = writeMaskModels(dir);
  await assert.rejects(
    runArtifacts({
      generator: { path: mask.generator },
      segmenter: { path: mask.segmenter, labels: mask.labels },
      layer: 'layer1',
      out,
      samples: 50,
      provider: 'cpu',
    }),
    /holds a dissection of another generator/,
  );
});
