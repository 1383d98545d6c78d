/** The geometry of a top-image strip (its tiles and the gap between them): the engine draws it, the panels lay it out. */

/** Largest tile side in pixels; bigger images are subsampled. */
export const TILE_MAX = 128;

/** Pixels between tiles in a strip. */
export const GAP = 2;

/** Tile size of the strips for an H×W image: subsampled by an integer stride to at most TILE_MAX. */
export function tileSize(H: number, W: number): { width: number; height: number; stride: number } {
  const stride = Math.max(1, Math.ceil(Math.max(H, W) / TILE_MAX));
  return { width: Math.ceil(W / stride), height: Math.ceil(H / stride), stride };
}
