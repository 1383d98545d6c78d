/**
 * Legibility in every theme (issue 18, item 3): the WCAG 2 contrast ratio of each piece of visible text in a
 * webview (HTML text, and SVG text by its fill) against what is behind it (the nearest opaque background up
 * the composed tree, translucent ones composited over it). Pierces shadow roots, as Lit's elements use them.
 */
import * as assert from 'node:assert/strict';
import { THEMES, type Harness } from './harness';

export interface LowContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
  needed: number;
}

/** Text with a contrast below WCAG AA (4.5:1, or 3:1 for large text) in the page as it is now. */
export async function lowContrast(h: Harness): Promise<LowContrast[]> {
  return h.page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba | undefined => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return undefined;
      const p = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
    };
    const luminance = (c: Rgba) => {
      const ch = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    };
    const parentOf = (el: Element): Element | undefined =>
      el.parentElement ?? ((el.parentNode as ShadowRoot | null)?.host as Element | undefined) ?? undefined;
    /** What is behind an element: its and its ancestors' backgrounds, composited from the page's up. */
    const backgroundOf = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | undefined = el; e; e = parentOf(e)) {
        const s = getComputedStyle(e);
        if (s.backgroundImage !== 'none' && e !== el) return [-1, -1, -1, -1]; // over an image: not judged
        const bg = parse(s.backgroundColor);
        if (bg && bg[3] > 0) {
          layers.push(bg);
          if (bg[3] >= 1) break;
        }
      }
      let c: Rgba = [255, 255, 255, 1];
      for (const l of layers.reverse()) c = over(l, c);
      return c;
    };
    const out: { text: string; color: string; background: string; ratio: number; needed: number }[] = [];
    const visit = (root: Document | ShadowRoot) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.nodeType === Node.ELEMENT_NODE) {
          const sr = (n as Element).shadowRoot;
          if (sr) visit(sr);
          continue;
        }
        const text = (n.textContent ?? '').trim();
        const el = n.parentElement;
        if (!text || !el || ['STYLE', 'SCRIPT', 'TITLE', 'OPTION'].includes(el.tagName)) continue;
        const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || s.display === 'none') continue;
        if (el.closest('[disabled], [aria-disabled="true"], .visually-hidden')) continue; // inactive or for screen readers only
        let opacity = 1;
        for (let e: Element | undefined = el; e; e = parentOf(e)) opacity *= Number(getComputedStyle(e).opacity);
        if (opacity === 0) continue;
        const svg = el instanceof SVGElement;
        const fg = parse(svg ? s.fill : s.color);
        if (!fg) continue;
        const bg = backgroundOf(el);
        if (bg[0] < 0) continue;
        const c = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
        const [l1, l2] = [luminance(c), luminance(bg)].sort((a, b) => b - a);
        const ratio = (l1 + 0.05) / (l2 + 0.05);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        const needed = large ? 3 : 4.5;
        if (ratio < needed)
          out.push({
            text: text.slice(0, 40),
            color: svg ? s.fill : s.color,
            background: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
            ratio: Math.round(ratio * 100) / 100,
            needed,
          });
      }
    };
    visit(document);
    return out;
  });
}

/** Asserts that the page's text is legible in Dark Modern, Light Modern and Dark High Contrast; leaves it dark. */
export async function assertLegible(h: Harness, what: string): Promise<void> {
  const problems: string[] = [];
  for (const kind of THEMES) {
    await h.theme(kind);
    for (const p of await lowContrast(h)) problems.push(`${kind}: "${p.text}" ${p.color} on ${p.background}: ${p.ratio} < ${p.needed}`);
  }
  await h.theme('vscode-dark');
  assert.deepEqual(problems, [], `${what}: text below WCAG AA contrast`);
}
