import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { quadParts, argmaxLabels } from '../../extension/engine/data/segment';
import { labelSpace, parseLabels } from '../../extension/engine/data/labels';

test('quad parts are the halves of each connected component\'s bounding box', () => {
  // two components of label 1: a 4×2 block (rows 0–3, cols 0–1) and a 1×3 bar (row 5, cols 3–5)
  const H = 6, W = 6;
  const map = new Uint16Array(H * W);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 2; x++) map[y * W + x] = 1;
  for (let x = 3; x < 6; x++) map[5 * W + x] = 1;
  map[0 * W + 4] = 2; // another label is untouched
  const tb = new Uint16Array(H * W);
  const lr = new Uint16Array(H * W);
  quadParts(map, H, W, [{ concept: 1, t: 10, b: 11, l: 12, r: 13 }], tb, lr);
  const at = (a: Uint16Array, y: number, x: number) => a[y * W + x];
  assert.deepEqual([0, 1, 2, 3].map((y) => at(tb, y, 0)), [10, 10, 11, 11]);
  assert.deepEqual([0, 1].map((x) => at(lr, 0, x)), [12, 13]);
  // the bar: one row (all top), three columns: left half = columns before the middle (3, 4), right = 5
  assert.deepEqual([3, 4, 5].map((x) => at(tb, 5, x)), [10, 10, 10]);
  assert.deepEqual([3, 4, 5].map((x) => at(lr, 5, x)), [12, 12, 13]);
  assert.equal(at(tb, 0, 4), 0);
  assert.equal(at(tb, 4, 4), 0);
});

test('argmax gives global label indices with the output\'s offset', () => {
  // N=1, C=3, P=2: pixel 0 → channel 2, pixel 1 → channel 0
  const logits = Float32Array.from([5, 9, 1, 1, 7, 2]);
  assert.deepEqual(Array.from(argmaxLabels(logits, 1, 3, 2, 10)), [12, 10]);
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
