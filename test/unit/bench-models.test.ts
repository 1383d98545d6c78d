import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../fixtures/models';
import { progan256, resnetSegmenter, PROGAN_CHANNELS } from '../bench/paper-scale';
import { Generator, Segmenter } from '../../extension/engine/models/contract';
import { seededLatents } from '../../extension/engine/models/latents';

// The bench's paper-scale models (npm run bench -- --model paper) are not run by CI's bench; this keeps
// them valid: the paper's layer names and shapes, and one sample through both models.
test('paper-scale bench models: ProGAN layers 1–14 at the paper’s shapes, a 256×256 image, 64×64 labels', async () => {
  const dir = tmpDir();
  const gFile = path.join(dir, 'g.onnx');
  const sFile = path.join(dir, 's.onnx');
  const lFile = path.join(dir, 'labels.json');
  fs.writeFileSync(gFile, progan256());
  fs.writeFileSync(sFile, resnetSegmenter(8));
  fs.writeFileSync(lFile, JSON.stringify(['-', 'a', 'b', 'c', 'd', 'e', 'f', 'g']));
  const g = Generator.open({ path: gFile }, { provider: 'cpu' });
  const layers = await g.resolveLayers(PROGAN_CHANNELS.map((_, i) => `layer${i + 1}`));
  const sides = [4, 4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128, 256, 256];
  assert.deepEqual(
    layers.map((l) => l.shape),
    PROGAN_CHANNELS.map((c, i) => [c, sides[i], sides[i]]),
  );
  const wanted = await g.resolveLayers(['layer4']);
  const session = await g.session(wanted.map((l) => l.tensor));
  const b = await g.run(session, seededLatents(1, g.latentDims).batch(0, 1), 1, wanted, 'test', 0);
  assert.deepEqual(b.imageShape, [3, 256, 256]);
  assert.ok(b.image.every((v) => Number.isFinite(v) && Math.abs(v) <= 1));
  const s = await Segmenter.open({ path: sFile, labels: lFile }, { provider: 'cpu' });
  const seg = await s.segment(b.image, 1, b.imageShape, g.range, 'test', 0);
  assert.deepEqual([seg.H, seg.W], [64, 64]);
  // the random segmenter is not degenerate: more than one label appears
  assert.ok(new Set(seg.maps[0]).size > 1);
});
