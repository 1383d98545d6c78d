/**
 * Crops one tile out of a unit's top-image strip (tiles of tile.width × tile.height, `gap` px apart) with CSS
 * background positioning, so a single strip URI serves as thumbnail and as per-tile images. Returned as a
 * map of CSS properties (applied through CSSOM by the cssProps directive, which a strict CSP allows).
 */
export interface Tile {
  width: number;
  height: number;
  gap: number;
}

export function stripWidth(tile: Tile, tiles: number): number {
  return tiles * tile.width + Math.max(0, tiles - 1) * tile.gap;
}

/** Styles for an element showing tile `index` of `strip` scaled by `scale`. */
export function tileStyle(strip: string, tile: Tile, tiles: number, index: number, scale: number): Record<string, string> {
  return {
    'background-image': `url("${strip.replace(/["\\\n]/g, (c) => encodeURIComponent(c))}")`,
    'background-size': `${stripWidth(tile, tiles) * scale}px ${tile.height * scale}px`,
    'background-position': `${-index * (tile.width + tile.gap) * scale}px 0px`,
    'background-repeat': 'no-repeat',
    width: `${tile.width * scale}px`,
    height: `${tile.height * scale}px`,
  };
}
