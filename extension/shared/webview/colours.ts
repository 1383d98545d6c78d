/**
 * The colours of concepts, in one place: the category colours of the charts and dots (the webviews themed
 * with VS Code's chart colours, the offline HTML report with fixed ones) and the segmentation palette of the
 * engine's pictures (one colour per segmenter label, also listed in the intervention panel's legend).
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

/** A fixed colour per label (label 0 black), for segmentation pictures: hues spaced by the golden ratio. */
export function labelColour(l: number): [number, number, number] {
  if (l === 0) return [0, 0, 0];
  const h = (l * 0.618033988749895) % 1;
  const s = 0.65;
  const v = 0.95;
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s),
    q = v * (1 - f * s),
    t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
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
