import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quadParts } from '../../extension/engine/data/segment';
import { labelSpace, parseLabels } from '../../extension/engine/data/labels';
import { Segmenter } from '../../extension/engine/models/contract';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { tmpDir } from '../fixtures/models';

test("quad parts are the halves of each connected component's bounding box", () => {
  // two components of label 1: a 4×2 block (rows 0–3, cols 0–1) and a 1×3 bar (row 5, cols 3–5)
  const H = 6,
    W = 6;
  const map = new Uint16Array(H * W);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 2; x++) map[y * W + x] = 1;
  for (let x = 3; x < 6; x++) map[5 * W + x] = 1;
  map[0 * W + 4] = 2; // another label is untouched
  const tb = new Uint16Array(H * W);
  const lr = new Uint16Array(H * W);
  quadParts(map, H, W, [{ concept: 1, t: 10, b: 11, l: 12, r: 13 }], tb, lr);
  const at = (a: Uint16Array, y: number, x: number) => a[y * W + x];
  assert.deepEqual(
    [0, 1, 2, 3].map((y) => at(tb, y, 0)),
    [10, 10, 11, 11],
  );
  assert.deepEqual(
    [0, 1].map((x) => at(lr, 0, x)),
    [12, 13],
  );
  // the bar: one row (all top), three columns: left half = columns before the middle (3, 4), right = 5
  assert.deepEqual(
    [3, 4, 5].map((x) => at(tb, 5, x)),
    [10, 10, 10],
  );
  assert.deepEqual(
    [3, 4, 5].map((x) => at(lr, 5, x)),
    [12, 12, 13],
  );
  assert.equal(at(tb, 0, 4), 0);
  assert.equal(at(tb, 4, 4), 0);
});

/** Reference: per-pixel argmax over channels by a strict > scan (the first of equal maxima wins). */
function argmaxReference(logits: Float64Array | Float32Array, N: number, C: number, P: number, offset: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      let best = -Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) {
        const v = logits[(n * C + c) * P + p];
        if (v > best) {
          best = v;
          arg = c;
        }
      }
      out.push(offset + arg);
    }
  }
  return out;
}

test('label maps computed in the segmenter session equal a strict-> argmax scan, ties to the first channel, per output offset', async () => {
  // Two outputs: A = [r, r, g, −r] (channels 0 and 1 always tie; r = g ties 0 and 2), B = [b, −b] after A's 4.
  const b = new GraphBuilder();
  b.input('image', [-1, 3, -1, -1]);
  const wa = b.floats('wa', [1, 0, 0, 1, 0, 0, 0, 1, 0, -1, 0, 0], [4, 3, 1, 1]);
  const wb = b.floats('wb', [0, 0, 1, 0, 0, -1], [2, 3, 1, 1]);
  b.node('Conv', ['image', wa], { name: 'convA', out: 'A' });
  b.node('Conv', ['image', wb], { name: 'convB', out: 'B' });
  b.output('A', [-1, 4, -1, -1]);
  b.output('B', [-1, 2, -1, -1]);
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 's.onnx'), b.build());
  fs.writeFileSync(path.join(dir, 'l.json'), JSON.stringify(['-', 'a1', 'a2', 'a3', 'b0', 'b1']));
  const seg = await Segmenter.open({ path: path.join(dir, 's.onnx'), labels: path.join(dir, 'l.json') }, { provider: 'cpu' });
  // values on a grid of halves: exact in float32, so r = g ties happen and the logits are known exactly
  const N = 3,
    H = 5,
    W = 7,
    P = H * W;
  const image = new Float32Array(N * 3 * P);
  let x = 12345;
  for (let i = 0; i < image.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    image[i] = ((x >> 8) % 5) / 2 - 1; // −1, −0.5, 0, 0.5, 1
  }
  const A = new Float64Array(N * 4 * P);
  const B = new Float64Array(N * 2 * P);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      const [r, g, bl] = [0, 1, 2].map((c) => image[(n * 3 + c) * P + p]);
      [r, r, g, -r].forEach((v, c) => (A[(n * 4 + c) * P + p] = v));
      [bl, -bl].forEach((v, c) => (B[(n * 2 + c) * P + p] = v));
    }
  }
  const out = await seg.segment(image, N, [3, H, W], [-1, 1], 'test batch', 0);
  assert.deepEqual(Array.from(out.maps[0]), argmaxReference(A, N, 4, P, 0));
  assert.deepEqual(Array.from(out.maps[1]), argmaxReference(B, N, 2, P, 4));
  const counts = [0, 0, 0, 0];
  for (const l of out.maps[0]) counts[l]++;
  assert.equal(counts[1], 0, 'channel 1 always ties channel 0 and never wins');
  assert.ok(counts[0] > 0 && counts[2] > 0 && counts[3] > 0, `every other channel wins somewhere: ${counts}`);
});

test('labels: entry 0 and "-" are unlabeled; categories default to object; quad labels are parts', () => {
  const labels = parseLabels(['-', 'sky', { name: 'window', category: 'part' }, { name: 'brick', category: 'material' }], 'l.json');
  const space = labelSpace(labels, ['sky']);
  assert.deepEqual(space.categories, ['object', 'part', 'material']);
  assert.deepEqual(Array.from(space.categoryOf), [-1, 0, 1, 2, 1, 1, 1, 1]);
  assert.equal(space.labels[4].name, 'sky-t');
  assert.throws(() => labelSpace(labels, ['cloud']), /no concept named "cloud"/);
  assert.throws(() => parseLabels(['-'], 'l.json'), /at least one concept/);
  assert.throws(() => parseLabels(['-', 3], 'l.json'), /entry 1/);
});
