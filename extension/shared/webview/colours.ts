/**
 * The colours of concepts, in one place: the category colours of the charts and dots (the webviews themed
 * with VS Code's chart colours, the offline HTML report with fixed ones) and the segmentation palette
 * (SEGMENTATION_PALETTE: one colour per segmenter label id, for the engine's pictures and every legend of them).
 * Plain data and functions (no DOM, no Node): imported by the webviews, the report and the engine.
 */

/** The categories that have a colour of their own; anything else is drawn as `other`. */
export const CATEGORIES = ['object', 'part', 'material', 'colour', 'scene', 'texture'] as const;

/** A category's name as the colours know it: `color` is `colour`; unknown → `other`. */
export function categoryKey(category: string): string {
  const c = category === 'color' ? 'colour' : category;
  return (CATEGORIES as readonly string[]).includes(c) ? c : 'other';
}

/** The CSS class of a category: `cat-object`, `cat-part`, …; `color` is `cat-colour`; unknown → `cat-other`. */
export function categoryClass(category: string): string {
  return `cat-${categoryKey(category)}`;
}

/** In the webviews: VS Code's chart colours (theme variables), with fallbacks. */
export const THEME_CATEGORY_COLOURS: Record<string, string> = {
  object: 'var(--vscode-charts-green, #89d185)',
  part: 'var(--vscode-charts-blue, #75beff)',
  material: 'var(--vscode-charts-orange, #d18616)',
  colour: 'var(--vscode-charts-purple, #b180d7)',
  scene: 'var(--vscode-charts-red, #f14c4c)',
  texture: 'var(--vscode-charts-yellow, #cca700)',
  other: 'var(--vscode-charts-foreground, #888888)',
};

/** CSS rules that set `--cat` to the category colour on any element with a category class. */
export function categoryCssRules(): string {
  return Object.entries(THEME_CATEGORY_COLOURS)
    .map(([c, v]) => `.cat-${c} { --cat: ${v}; }`)
    .join('\n');
}

/** In the offline HTML report (no theme): fixed colours per category. */
export const CATEGORY_COLOURS: Record<string, string> = {
  object: '#4e9a06',
  part: '#3465a4',
  material: '#c17d11',
  colour: '#75507b',
  color: '#75507b',
};

/** A category's colour in the offline report; grey for categories without one. */
export function reportCategoryColour(category: string): string {
  return CATEGORY_COLOURS[category] ?? '#888';
}

// ---- the segmentation palette -----------------------------------------------------------------------

/**
 * THE segmentation palette: one colour per segmenter label id, the same in every view that colours
 * segmentations (the engine's segmentation pictures, the intervention panel's legend, the training view's
 * concept bands), since they all call labelColour / hexColour with the label's id.
 *
 * The list is a categorical palette built for distinguishability (Glasbey et al. 2007's method): greedy
 * max–min CIEDE2000 over the sRGB grid in steps of 5, starting from black (label 0, unlabeled) and white,
 * each colour the grid point farthest from all colours chosen before it. So the first n colours are as
 * far apart as this greedy choice gets for n: the 12 labels of the demo are at least ΔE00 ≈ 29 apart
 * (and from black), 64 labels ≈ 14 (test/unit/palette.test.ts measures it). Labels past the list reuse
 * it with the lightness shifted, which keeps the colours stable but no longer guarantees distinctness.
 */
export const SEGMENTATION_PALETTE: readonly string[] = `
  be0aff dc3c00 008c00 008cd7 cda000 91ff00 695000 871441 fa8caa 00c3b9 00008c 005a5a 78737d b9b4fa ffa578 144100
  969b82 00508c 5a1e00 fff0a0 b9ffd2 87d7ff f00055 413750 a07855 7873c3 00c869 aa5a8c 91af0a beafb4 f578ff 46463c
  2d000f 5a878c 82198c 556e4b 2332ff 965046 877d00 ffcdf5 00002d 002319 379673 b4cdc8 91ffff dc7d00 ff6e64 d2bea0
  af7d7d 964b00 322300 aa8cb4 003241 410046 5a413c afc88c ff00b9 ffc3be 8c9baa 50646e 00aacd 6e5587 736950 a00000
`
  .trim()
  .split(/\s+/)
  .map((h) => `#${h}`);

const PALETTE_RGB: readonly [number, number, number][] = SEGMENTATION_PALETTE.map(
  (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number],
);

/** The colour of segmenter label `l` (label 0, unlabeled, is black), as RGB bytes: SEGMENTATION_PALETTE[l − 1]. */
export function labelColour(l: number): [number, number, number] {
  if (!(l > 0) || !Number.isInteger(l)) return [0, 0, 0];
  const n = PALETTE_RGB.length;
  const [r, g, b] = PALETTE_RGB[(l - 1) % n];
  const round = Math.floor((l - 1) / n);
  if (round === 0) return [r, g, b];
  // past the list: the same hues, alternately lighter and darker each time round
  const t = Math.min(0.75, 0.25 * Math.ceil(round / 2));
  const mix = (v: number) => Math.round(round % 2 === 1 ? v + (255 - v) * t : v * (1 - t));
  return [mix(r), mix(g), mix(b)];
}

/** labelColour as `#rrggbb`. */
export function hexColour(l: number): string {
  return (
    '#' +
    labelColour(l)
      .map((v) => v.toString(16).padStart(2, '0'))
      .join('')
  );
}
