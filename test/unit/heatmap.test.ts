/** Legible heatmaps (engine/output/heatmap.ts; issue 18, item 3): the colour map over the image, and the threshold as a white contour. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { heatmapRgb, colourMap, COLOUR_STOPS } from '../../extension/engine/output/heatmap';

test('the unit’s threshold is a white contour: its pixels at or above it that touch one below', () => {
  const H = 6;
  const W = 6;
  const act = new Float32Array(H * W);
  // a 2×2 block at (2..3, 2..3) above the threshold 1, and one pixel at its level exactly
  for (const [y, x] of [
    [2, 2],
    [2, 3],
    [3, 2],
    [3, 3],
  ])
    act[y * W + x] = 2;
  act[0] = 1;
  const rgb = new Uint8Array(H * W * 3).fill(100);
  const out = heatmapRgb(rgb, act, H, W, 2, 1);
  const white = (y: number, x: number) => [0, 1, 2].every((k) => out[(y * W + x) * 3 + k] === 255);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inBlock = y >= 2 && y <= 3 && x >= 2 && x <= 3;
      assert.equal(white(y, x), inBlock || (y === 0 && x === 0), `(${y}, ${x})`);
    }
  // elsewhere: the colour map at 80% over the image at 20%
  const c = colourMap(0);
  assert.deepEqual(
    Array.from(out.subarray(3 * W * 3 + 5 * 3, 3 * W * 3 + 5 * 3 + 3)),
    [0, 1, 2].map((k) => Math.round(100 * 0.2 + c[k] * 0.8)),
  );
  assert.deepEqual(colourMap(1), COLOUR_STOPS[COLOUR_STOPS.length - 1]);
  // no threshold (0): no contour
  assert.ok(!Array.from(heatmapRgb(rgb, act, H, W, 2, 0)).every((v) => v === 255));
  assert.equal(Array.from(heatmapRgb(rgb, act, H, W, 2, 0)).filter((v) => v === 255).length, 0);
});
