/** The batch's memory estimate (engine/dissect/memory.ts): a default batch that would not fit is lowered; an asked-for one warns. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bytesPerSample, fitBatch, BATCH_MEMORY_SHARE } from '../../extension/engine/dissect/memory';

const GB = 2 ** 30;

test('bytes per sample count the featuremaps, the image and the logits', () => {
  // one 4096×64×64 layer, a 3×256×256 image, 150 labels at 64×64
  const n = bytesPerSample([{ shape: [4096, 64, 64] }], [3, 256, 256], [64, 64], 150);
  assert.equal(n, 6 * 4096 * 64 * 64 * 4 + 2 * 3 * 256 * 256 * 4 + 2 * 150 * 64 * 64 * 4);
});

test('the default batch is lowered to fit the memory budget, and says so', () => {
  const perSample = 0.5 * GB;
  const r = fitBatch(undefined, 16, perSample, 16 * GB);
  assert.equal(r.batch, Math.floor((BATCH_MEMORY_SHARE * 16 * GB) / perSample));
  assert.ok(r.batch * perSample <= BATCH_MEMORY_SHARE * 16 * GB);
  assert.match(r.note!, /a batch of 16 would need about 8\.0 GB of 16\.0 GB: using batch 12 \(--batch overrides\)/);
});

test('a batch that fits is kept without a word; an asked-for batch is kept with a warning naming one that fits', () => {
  assert.deepEqual(fitBatch(undefined, 16, 1e6, 16 * GB), { batch: 16 });
  const r = fitBatch(64, 16, 0.5 * GB, 16 * GB);
  assert.equal(r.batch, 64);
  assert.match(r.note!, /--batch 64 needs about 32\.0 GB of this machine's 16\.0 GB; if it runs out of memory, use --batch 12/);
  assert.equal(fitBatch(undefined, 16, 100 * GB, 16 * GB).batch, 1, 'never below 1');
});
