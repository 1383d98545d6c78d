/** The contrast check (test/webview/contrast.ts) finds low-contrast text, in shadow roots and SVG too, and only that. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startHarness, type Harness } from './harness';
import { lowContrast } from './contrast';
import { fixtureImages } from './fixtures';

let h: Harness;
before(async () => {
  h = await startHarness(fixtureImages());
  await h.open('layer', { fresh: true });
});
after(async () => h?.close());

test('reports exactly the text below 4.5:1 (3:1 when large), composited over translucent backgrounds', async () => {
  await h.page.evaluate(() => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const add = (text: string, color: string, background?: string, size?: string) => {
      const d = document.createElement('div');
      d.textContent = text;
      d.style.color = color;
      if (background) d.style.background = background;
      if (size) d.style.fontSize = size;
      root.append(d);
    };
    add('grey on dark', '#777777'); // on the dark editor background #1f1f1f: 3.68 by WCAG's formula
    add('light grey on dark', '#9d9d9d'); // 6.2
    add('big grey', '#777777', undefined, '30px'); // 3.68 ≥ 3 for large text
    add('white on a translucent white', '#ffffff', 'rgba(255, 255, 255, 0.9)');
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    t.setAttribute('y', '12');
    t.textContent = 'svg label';
    t.style.fill = '#303030';
    svg.append(t);
    root.append(svg);
  });
  const found = (await lowContrast(h)).map((p) => [p.text, p.ratio]);
  assert.deepEqual(
    found.map(([t]) => t),
    ['grey on dark', 'white on a translucent white', 'svg label'],
  );
  const ratio = Object.fromEntries(found);
  assert.ok(Math.abs((ratio['grey on dark'] as number) - 3.68) < 0.01, String(ratio['grey on dark']));
});
