import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../fixtures/models';
import { dissect } from '../../extension/engine/dissect/dissect';
import { loadProject, demoProjectFile } from '../../extension/shared/project';
import { Generator } from '../../extension/engine/models/contract';

const project = loadProject(demoProjectFile());

test('the bundled demo model is small, loads, and names its layers layer1…layer6 by module path', async () => {
  const sizes = ['generator.onnx', 'segmenter.onnx'].map((f) => fs.statSync(path.join(path.dirname(demoProjectFile()), f)).size);
  assert.ok(
    sizes.every((s) => s < 8 * 1024 * 1024),
    `sizes ${sizes}`,
  );
  const g = Generator.open(project.generator, { provider: 'cpu' });
  assert.deepEqual(g.latentShape, [128]);
  const layers = await g.layers();
  const top = layers.filter((l) => /^layer\d$/.test(l.name));
  assert.deepEqual(
    top.map((l) => l.name),
    ['layer1', 'layer2', 'layer3', 'layer4', 'layer5', 'layer6'],
  );
  // spatial resolution doubles layer by layer up to the 64×64 image
  assert.deepEqual(
    top.map((l) => l.shape[1]),
    [4, 8, 16, 32, 64, 64],
  );
});

test("a short dissection of the bundled demo model runs and labels units with its segmenter's concepts", async () => {
  const out = path.join(tmpDir(), 'demo');
  const { result } = await dissect({
    generator: project.generator,
    segmenter: project.segmenter!,
    out,
    samples: 24,
    layers: ['layer3'],
    threshold: 'quantile',
    topk: 4,
    provider: 'cpu',
  });
  const names = new Set(JSON.parse(fs.readFileSync(project.segmenter!.labels, 'utf8')).map((l: { name: string }) => l.name));
  const l3 = result.layers[0];
  assert.equal(l3.units.length, 64);
  assert.ok(l3.units.every((u) => u.label === '-' || names.has(u.label)));
  assert.ok(
    l3.units.some((u) => u.iou > 0),
    'some unit overlaps some concept',
  );
  assert.ok(fs.existsSync(path.join(out, 'index.html')));
});

test('the demo segmenter opened as the generator is refused as a segmenter, by name', () => {
  const project = loadProject(demoProjectFile());
  assert.throws(
    () => Generator.open({ path: project.segmenter!.path }, { provider: 'cpu' }),
    /segmenter\.onnx takes an image \[N, 3, 64, 64\] and outputs \[N, 13, …\]: it looks like a segmenter, not a generator/,
  );
});
