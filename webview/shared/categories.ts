/** Concept categories → CSS classes and theme colours (VS Code chart colours, with fallbacks). */
import { css, unsafeCSS } from 'lit';

const KNOWN = ['object', 'part', 'material', 'colour', 'scene', 'texture'] as const;

/** The CSS class of a category: `cat-object`, `cat-part`, …; `color` is `cat-colour`; unknown → `cat-other`. */
export function categoryClass(category: string): string {
  const c = category === 'color' ? 'colour' : category;
  return (KNOWN as readonly string[]).includes(c) ? `cat-${c}` : 'cat-other';
}

const COLOURS: Record<string, string> = {
  object: 'var(--vscode-charts-green, #89d185)',
  part: 'var(--vscode-charts-blue, #75beff)',
  material: 'var(--vscode-charts-orange, #d18616)',
  colour: 'var(--vscode-charts-purple, #b180d7)',
  scene: 'var(--vscode-charts-red, #f14c4c)',
  texture: 'var(--vscode-charts-yellow, #cca700)',
  other: 'var(--vscode-charts-foreground, #888888)',
};

/** `--cat` is the category colour on any element with a category class (fill for SVG, background for dots). */
export const categoryStyles = css`
  ${unsafeCSS(
    Object.entries(COLOURS)
      .map(([c, v]) => `.cat-${c} { --cat: ${v}; }`)
      .join('\n'),
  )}
  rect.bar {
    fill: var(--cat);
  }
  .dot {
    display: inline-block;
    width: 0.7em;
    height: 0.7em;
    border-radius: 50%;
    margin-right: 0.35em;
    background: var(--cat);
    vertical-align: baseline;
  }
`;
