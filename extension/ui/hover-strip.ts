/**
 * The hover's picture of a layer (issue 18, item 8): the first top image of each of its best units, side by
 * side in one small PNG, for a data-URI image in the hover's MarkdownString. Read from the run folder's
 * strips (RunFolder owns where they are); no `vscode` here, so it is tested in plain Node.
 */
import * as fs from 'node:fs';
import { decodePng, encodePng } from '../shared/png';
import { RunFolder } from '../shared/run/folder';
import { GAP, tileSize } from '../shared/run/strip-layout';

export interface HoverStrip {
  /** `data:image/png;base64,…` */
  uri: string;
  width: number;
  height: number;
  /** The units shown, left to right (those whose strip could be read). */
  units: number[];
  /** Each tile's width, for laying out labels under them. */
  tile: number;
}

/**
 * The first tile of each unit's strip (a run's `images/LAYER/unitNNNN.png`), joined with the strips' gap
 * on the editor's hover background (transparent pixels are not in an RGB PNG: a mid grey). Units without a
 * readable strip are left out; undefined when none is left.
 */
export function hoverStrip(
  runDir: string,
  layer: string,
  units: readonly number[],
  image: { height: number; width: number },
): HoverStrip | undefined {
  const { width: tw, height: th } = tileSize(image.height, image.width);
  const folder = new RunFolder(runDir);
  const tiles: { unit: number; rgb: Uint8Array }[] = [];
  for (const unit of units) {
    const file = folder.stripFile(layer, unit);
    try {
      const png = decodePng(fs.readFileSync(file));
      if (png.height < th || png.width < tw) continue;
      const rgb = new Uint8Array(tw * th * 3);
      for (let y = 0; y < th; y++) rgb.set(png.rgb.subarray(y * png.width * 3, (y * png.width + tw) * 3), y * tw * 3);
      tiles.push({ unit, rgb });
    } catch {
      // no strip (a run without images), or a damaged one: that unit is left out
    }
  }
  if (tiles.length === 0) return undefined;
  const width = tiles.length * tw + (tiles.length - 1) * GAP;
  const out = new Uint8Array(width * th * 3).fill(128);
  tiles.forEach((t, k) => {
    const x0 = k * (tw + GAP);
    for (let y = 0; y < th; y++) out.set(t.rgb.subarray(y * tw * 3, (y + 1) * tw * 3), (y * width + x0) * 3);
  });
  const png = encodePng(out, width, th);
  return { uri: `data:image/png;base64,${png.toString('base64')}`, width, height: th, units: tiles.map((t) => t.unit), tile: tw };
}
