/** The hover's image strip (extension/ui/hover-strip.ts, issue 18 item 8): each unit's first top image, in order. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePng, encodePng } from '../../extension/shared/png';
import { RunFolder } from '../../extension/shared/run/folder';
import { GAP } from '../../extension/shared/run/strip-layout';
import { hoverStrip } from '../../extension/ui/hover-strip';
import { tmpDir } from '../fixtures/models';

/** A strip of `tiles` 8×6 tiles, tile k of unit u filled with the colour (u, k, 200). */
function writeStrip(run: RunFolder, layer: string, unit: number, tiles: number): void {
  const [tw, th] = [8, 6];
  const width = tiles * tw + (tiles - 1) * GAP;
  const rgb = new Uint8Array(width * th * 3);
  for (let k = 0; k < tiles; k++)
    for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) rgb.set([unit, k, 200], (y * width + k * (tw + GAP) + x) * 3);
  const file = run.stripFile(layer, unit);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng(rgb, width, th));
}

test("the first tile of each unit's strip, left to right, the strips' gap between; missing strips left out", () => {
  const dir = tmpDir('gd-hover-');
  const run = new RunFolder(dir);
  writeStrip(run, 'layer4', 7, 3);
  writeStrip(run, 'layer4', 2, 5);
  fs.writeFileSync(run.stripFile('layer4', 9), 'not a png');
  const s = hoverStrip(dir, 'layer4', [7, 3, 2, 9], { height: 6, width: 8 })!;
  assert.deepEqual(s.units, [7, 2]);
  assert.equal(s.tile, 8);
  assert.equal(s.height, 6);
  assert.equal(s.width, 2 * 8 + GAP);
  const png = decodePng(Buffer.from(s.uri.replace(/^data:image\/png;base64,/, ''), 'base64'));
  assert.deepEqual([png.width, png.height], [s.width, 6]);
  const at = (x: number, y: number) => [...png.rgb.subarray((y * png.width + x) * 3, (y * png.width + x) * 3 + 3)];
  assert.deepEqual(at(0, 0), [7, 0, 200]);
  assert.deepEqual(at(7, 5), [7, 0, 200]);
  assert.deepEqual(at(8, 0), [128, 128, 128]);
  assert.deepEqual(at(8 + GAP, 3), [2, 0, 200]);
  assert.equal(hoverStrip(dir, 'layer4', [3, 9], { height: 6, width: 8 }), undefined);
});
