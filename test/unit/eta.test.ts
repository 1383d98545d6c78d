/** The time left over all phases of a dissection (engine/dissect/eta.ts; issue 18, item 6). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Eta, SEGMENTED_PRIOR } from '../../extension/engine/dissect/eta';

const phases = [
  { phase: 'quantile' as const, total: 1000 },
  { phase: 'iqr' as const, total: 1000 },
  { phase: 'iou' as const, total: 1000 },
];

test('during the generator-only pass, the segmented passes to come are priced by the prior', () => {
  const e = new Eta(phases, 200);
  e.measure('quantile', 100);
  // 500 left at 100/s, two segmented passes at 50/s, 200 top images at 100/s
  assert.equal(e.seconds('quantile', 500), 5 + 2 * (1000 / (100 * SEGMENTED_PRIOR)) + 2);
});

test('once a segmented pass runs, the IoU pass takes its measured rate', () => {
  const e = new Eta(phases, 200);
  e.measure('quantile', 100);
  e.measure('iqr', 20);
  assert.equal(e.seconds('iqr', 400), 400 / 20 + 1000 / 20 + 200 / 100);
  // the overall rate would have said (400 + 1000) / ((1000 + 600) / (10 + 30)): far less
  assert.ok(e.seconds('iqr', 400) > 1400 / (1600 / 40));
});

test('a resumed run in its last pass: the rest of it and the top images', () => {
  const e = new Eta([{ phase: 'iou', total: 1000 }], 100);
  e.measure('iou', 25);
  assert.equal(e.seconds('iou', 250), 10 + 100 / (25 / SEGMENTED_PRIOR));
});
