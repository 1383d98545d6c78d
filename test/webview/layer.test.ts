/** The layer panel's webview app (dist/webview/layer.js) in headless Chromium. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { LayerPanelState, UnitRow } from '../../extension/shared/webview/layer';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';
import { STRIP_WIDTH, TILE, fixtureImages, imagePath, makeCompareView, makeLayerView, makeUnits } from './fixtures';

let h: Harness;
const view = makeLayerView();
const units = makeUnits();

before(async () => {
  h = await startHarness(fixtureImages());
  await h.open('layer', { fresh: true });
});
after(async () => h?.close());

const rowUnits = () => h.page.locator('gd-units-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-unit'))));
const cardUnits = () => h.page.locator('gd-units-gallery .card').evaluateAll((cards) => cards.map((c) => Number(c.getAttribute('data-unit'))));
const header = (column: string) => h.page.locator(`gd-units-table th[data-column="${column}"]`);
const tab = (name: string) => h.page.locator(`vscode-panel-tab#tab-${name}`);
const by = (key: (u: UnitRow) => number | string, descending: boolean) => (list: UnitRow[]) =>
  [...list]
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
      return (descending ? -c : c) || a.unit - b.unit;
    })
    .map((u) => u.unit);
const lastPosted = async () => (await h.posted()).at(-1);

async function setFilter(text: string) {
  await h.page.locator('vscode-text-field.filter input').fill(text);
}

test('posts ready, then shows the layer with the units sorted by IoU, best first', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'layer', view });
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.iou, true)(units)));
  assert.equal(await h.page.locator('gd-layer-app h1.title').textContent(), 'church.onnx · layer4');
  assert.equal(await header('iou').getAttribute('aria-sort'), 'descending');
  assert.equal(await header('label').getAttribute('aria-sort'), 'none');
  assert.equal(await tab('table').getAttribute('aria-selected'), 'true');
  await h.screenshot('layer-table');
});

test('each row has a thumbnail: tile 0 of the unit strip, cropped with CSS', async () => {
  const row = h.page.locator('gd-units-table tbody tr[data-unit="2"]');
  const thumb = await row.locator('.thumb').evaluate((el) => {
    const s = getComputedStyle(el);
    return { image: s.backgroundImage, size: s.backgroundSize, position: s.backgroundPosition, width: s.width, height: s.height };
  });
  const scale = 40 / TILE.height;
  assert.match(thumb.image, new RegExp(`url\\("http://127\\.0\\.0\\.1:\\d+${imagePath(2)}"\\)`));
  assert.equal(thumb.size, `${STRIP_WIDTH * scale}px ${TILE.height * scale}px`);
  assert.equal(thumb.position, '0px 0px');
  assert.equal(thumb.width, `${TILE.width * scale}px`);
  assert.equal(await h.page.locator('gd-units-table tbody tr[data-unit="8"] .thumb:not(.none)').count(), 0, 'no strip, no thumbnail');
});

test('sorts by IoU both ways (click, Enter, Space on the header) and by label', async () => {
  await header('iou').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.iou, false)(units)));
  assert.equal(await header('iou').getAttribute('aria-sort'), 'ascending');
  await header('iou').focus();
  await h.page.keyboard.press('Enter');
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.iou, true)(units)));
  assert.equal(await header('iou').getAttribute('aria-sort'), 'descending');
  await h.page.keyboard.press(' ');
  await eventually(async () => assert.equal(await header('iou').getAttribute('aria-sort'), 'ascending'));
  await header('label').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.label, false)(units)));
  assert.equal(await header('label').getAttribute('aria-sort'), 'ascending');
  assert.equal(await header('iou').getAttribute('aria-sort'), 'none');
  await header('label').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.label, true)(units)));
  await header('threshold').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.threshold, true)(units)));
  await header('unit').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), [0, 1, 2, 3, 4, 5, 6, 7, 8]));
});

test('the filter (label or any concept, any case) and "interpretable only" narrow the rows', async () => {
  await setFilter('TREE');
  // units 0 and 6 are labelled tree/Tree; unit 4 has "tree" among its concepts
  await eventually(async () => assert.deepEqual(await rowUnits(), [0, 4, 6]));
  assert.equal(await h.page.locator('gd-layer-app .count').textContent(), '3 of 9 units');
  await h.page.locator('vscode-checkbox.interpretable').click();
  await eventually(async () => assert.deepEqual(await rowUnits(), [0, 6]));
  await setFilter('');
  await eventually(async () =>
    assert.deepEqual(
      await rowUnits(),
      units.filter((u) => u.interpretable).map((u) => u.unit),
    ),
  );
  await setFilter('zebra');
  await eventually(async () => assert.equal(await h.page.locator('gd-units-table .empty').count(), 1));
  await setFilter('');
  await h.page.locator('vscode-checkbox.interpretable').click();
  await eventually(async () => assert.equal((await rowUnits()).length, units.length));
});

test('↓/↑ move focus between rows and Enter opens the focused unit', async () => {
  await header('iou').click(); // IoU, best first: 1, 0, 6, 2, …
  await eventually(async () => assert.deepEqual(await rowUnits(), by((u) => u.iou, true)(units)));
  const order = await rowUnits();
  await h.clearPosted();
  await h.page.locator('gd-units-table tbody tr').first().focus();
  await h.page.keyboard.press('ArrowDown');
  await h.page.keyboard.press('ArrowDown');
  await h.page.keyboard.press('ArrowDown');
  await h.page.keyboard.press('ArrowUp');
  const focused = await h.page.evaluate(() => {
    const table = document.querySelector('gd-layer-app')?.shadowRoot?.querySelector('gd-units-table');
    return table?.shadowRoot?.activeElement?.getAttribute('data-unit');
  });
  assert.equal(Number(focused), order[2]);
  await h.page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(), { type: 'openUnit', layer: 'layer4', unit: order[2] });
  // only the focused row is in the tab order
  assert.deepEqual(
    await h.page.locator('gd-units-table tbody tr[tabindex="0"]').evaluateAll((r) => r.map((x) => Number(x.getAttribute('data-unit')))),
    [order[2]],
  );
  await h.page.locator(`gd-units-table tbody tr[data-unit="${order[4]}"]`).click();
  assert.deepEqual(await lastPosted(), { type: 'openUnit', layer: 'layer4', unit: order[4] });
});

test('the gallery shows exactly the filtered units with their strips; a click opens the unit', async () => {
  await setFilter('o'); // labels or concepts containing "o"
  await tab('gallery').click();
  const expected = by(
    (u) => u.iou,
    true,
  )(units.filter((u) => [u.label, ...u.concepts.map((c) => c.label)].some((l) => l.toLowerCase().includes('o'))));
  await eventually(async () => assert.deepEqual(await cardUnits(), expected));
  const srcs = await h.page
    .locator('gd-units-gallery .card')
    .evaluateAll((cards) => cards.map((c) => c.querySelector('img')?.getAttribute('src') ?? null));
  assert.deepEqual(
    srcs,
    expected.map((u) => (u === 8 ? null : imagePath(u))),
  );
  const first = units[expected[0]];
  assert.equal(
    (await h.page.locator('gd-units-gallery .card .caption').first().textContent())?.replace(/\s+/g, ' ').trim(),
    `unit ${first.unit} · ${first.label} · IoU ${first.iou.toFixed(3)}`,
  );
  await eventually(async () =>
    assert.equal(
      await h.page
        .locator('gd-units-gallery img')
        .first()
        .evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth),
      STRIP_WIDTH,
    ),
  );
  // the size control: a whole multiple of the strip's native pixels, never shrunk to fit
  await h.page.locator('gd-units-gallery select.zoom').selectOption('3');
  await eventually(async () => {
    const r = await h.page
      .locator('gd-units-gallery img')
      .first()
      .evaluate((i: HTMLImageElement) => ({ w: i.getBoundingClientRect().width, natural: i.naturalWidth }));
    assert.equal(r.w, 3 * r.natural);
  });
  await h.page.locator('vscode-checkbox.interpretable').click();
  await eventually(async () =>
    assert.deepEqual(
      await cardUnits(),
      expected.filter((u) => units[u].interpretable),
    ),
  );
  await h.screenshot('layer-gallery');
  await h.clearPosted();
  await h.page.locator(`gd-units-gallery .card[data-unit="${expected[1]}"]`).click();
  assert.deepEqual(await h.posted(), [{ type: 'openUnit', layer: 'layer4', unit: expected[1] }]);
});

test('the summary chart has one bar per concept, most first, coloured by category, with counts', async () => {
  await tab('summary').click();
  const bars = h.page.locator('gd-summary-chart rect.bar');
  await eventually(async () => assert.equal(await bars.count(), view.summary.concepts.length));
  const got = await bars.evaluateAll((rs) =>
    rs.map((r) => ({
      label: r.getAttribute('data-label'),
      count: Number(r.getAttribute('data-count')),
      cls: r.getAttribute('class'),
      height: Number(r.getAttribute('height')),
      fill: getComputedStyle(r).fill,
    })),
  );
  assert.deepEqual(
    got.map((b) => ({ label: b.label, count: b.count })),
    view.summary.concepts.map((c) => ({ label: c.label, count: c.count })),
  );
  const cls = { object: 'cat-object', part: 'cat-part', material: 'cat-material', colour: 'cat-colour' } as Record<string, string>;
  view.summary.concepts.forEach((c, i) => assert.ok(got[i].cls?.split(' ').includes(cls[c.category]), `${c.label}: ${got[i].cls}`));
  const fills: Record<string, string> = { object: 'rgb(137, 209, 133)', part: 'rgb(55, 148, 255)', material: 'rgb(209, 134, 22)' };
  view.summary.concepts.forEach((c, i) => assert.equal(got[i].fill, fills[c.category], `fill of ${c.label}`));
  assert.ok(got[0].height > got[1].height, 'taller bar for more units');
  for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].count >= got[i].count, 'most first');
  assert.deepEqual(
    await h.page.locator('gd-summary-chart text.count').allTextContents(),
    view.summary.concepts.map((c) => String(c.count)),
  );
  assert.deepEqual(
    await h.page.locator('gd-summary-chart text.name').allTextContents(),
    view.summary.concepts.map((c) => c.label),
  );
  assert.equal(await h.page.locator('gd-summary-chart .summary-line').textContent(), '6/9 units interpretable · object 4 · part 1 · material 1');
  await h.screenshot('layer-summary');
});

test('sort, filter, interpretable-only and tab persist across a reload', async () => {
  const states = (await h.page.evaluate(() => window.__states)) as LayerPanelState[];
  assert.deepEqual(states.at(-1), {
    sort: { column: 'iou', descending: true },
    filter: 'o',
    interpretableOnly: true,
    tab: 'summary',
    runId: view.runId,
    layer: view.layer,
  });
  await tab('table').click();
  await header('label').click();
  await h.open('layer');
  await h.push({ type: 'layer', view });
  await eventually(async () => assert.equal(await tab('table').getAttribute('aria-selected'), 'true'));
  assert.equal(await header('label').getAttribute('aria-sort'), 'ascending');
  assert.equal(await h.page.locator('vscode-text-field.filter').evaluate((f: HTMLInputElement) => f.value), 'o');
  assert.equal(await h.page.locator('vscode-checkbox.interpretable').evaluate((c: HTMLInputElement) => c.checked), true);
  const expected = by(
    (u) => u.label,
    false,
  )(units.filter((u) => u.interpretable && [u.label, ...u.concepts.map((c) => c.label)].some((l) => l.toLowerCase().includes('o'))));
  await eventually(async () => assert.deepEqual(await rowUnits(), expected));
  // A reload straight into another tab.
  await tab('gallery').click();
  await h.open('layer');
  await h.push({ type: 'layer', view });
  await eventually(async () => assert.equal(await tab('gallery').getAttribute('aria-selected'), 'true'));
  await eventually(async () => assert.deepEqual(await cardUnits(), expected));
  await setFilter('');
  await h.page.locator('vscode-checkbox.interpretable').click();
});

test('compare: "Compare with…" asks the host, then both layers show side by side', async () => {
  await tab('compare').click();
  await h.clearPosted();
  await h.page.locator('gd-compare-view vscode-button.pick').click();
  assert.deepEqual(await h.posted(), [{ type: 'pickComparison' }]);
  const other = makeCompareView();
  await h.push({ type: 'compare', view: other });
  await eventually(async () => assert.equal(await h.page.locator('gd-compare-view gd-summary-chart').count(), 2));
  assert.deepEqual(await h.page.locator('gd-compare-view gd-summary-chart h3.caption').allTextContents(), [
    'church.onnx · layer4',
    'bedroom.onnx · layer6',
  ]);
  const labels = (side: string) =>
    h.page.locator(`gd-compare-view gd-summary-chart.${side} rect.bar`).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-label')));
  assert.deepEqual(
    await labels('left'),
    view.summary.concepts.map((c) => c.label),
  );
  assert.deepEqual(
    await labels('right'),
    other.summary.concepts.map((c) => c.label),
  );
  const boxes = await h.page.locator('gd-compare-view gd-summary-chart').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  assert.equal(boxes[0], boxes[1], 'side by side');
  const rows = await h.page
    .locator('gd-compare-view table.concepts tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-label'),
        Number(tr.querySelector('.left')?.textContent),
        Number(tr.querySelector('.right')?.textContent),
      ]),
    );
  assert.deepEqual(rows, [
    ['window', 1, 3],
    ['sky', 1, 2],
    ['tree', 2, 0],
    ['brick', 1, 0],
    ['grass', 1, 0],
    ['red', 0, 1],
    ['wood', 0, 1],
  ]);
  await h.screenshot('layer-compare');
});

test('a compare message switches to the compare tab', async () => {
  await tab('table').click();
  await h.push({ type: 'compare', view: makeCompareView() });
  await eventually(async () => assert.equal(await tab('compare').getAttribute('aria-selected'), 'true'));
  await tab('table').click();
});

test('toolbar: Go to Source and Export post their messages; no source, no button', async () => {
  await h.clearPosted();
  await h.page.locator('gd-layer-app vscode-button.source').click();
  for (const f of ['html', 'csv', 'json']) await h.page.locator(`gd-layer-app vscode-button.export[data-format="${f}"]`).click();
  assert.deepEqual(await h.posted(), [
    { type: 'goToSource', layer: 'layer4' },
    { type: 'exportReport', format: 'html' },
    { type: 'exportReport', format: 'csv' },
    { type: 'exportReport', format: 'json' },
  ]);
  await h.push({ type: 'layer', view: makeLayerView({ hasSource: false }) });
  await eventually(async () => assert.equal(await h.page.locator('gd-layer-app vscode-button.source').count(), 0));
});

test('"Ablate shown units…" sends the first 20 units in table order to the intervention panel', async () => {
  await tab('table').click();
  await eventually(async () => assert.ok((await rowUnits()).length > 0));
  const shown = await rowUnits();
  await h.clearPosted();
  await h.page.locator('gd-layer-app vscode-button.intervene').click();
  assert.deepEqual(await h.posted(), [{ type: 'intervene', layer: 'layer4', units: shown.slice(0, 20), mode: 'ablate' }]);
});

test('a flagged reply marks the unit in the table', async () => {
  await h.push({ type: 'flagged', layer: 'layer4', unit: 3, flagged: true });
  await eventually(async () => assert.equal(await h.page.locator('gd-units-table tr[data-unit="3"] .flag').count(), 1));
  await h.push({ type: 'flagged', layer: 'other', unit: 5, flagged: true });
  await h.push({ type: 'flagged', layer: 'layer4', unit: 3, flagged: false });
  await eventually(async () => assert.equal(await h.page.locator('gd-units-table .flag').count(), 0));
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});

test('the table shows each IoU with its jackknife standard error and how many blocks agree with the label', async () => {
  await h.open('layer', { fresh: true });
  const withStability = units.map((u, i) => (i === 0 ? { ...u, stability: { iouSe: 0.0125, agree: 7, blocks: 10 } } : u));
  await h.push({ type: 'layer', view: { ...view, units: withStability } });
  const row = (unit: number) => h.page.locator(`gd-units-table tbody tr[data-unit="${unit}"]`);
  await eventually(async () => assert.equal(await row(units[0].unit).locator('td.iou').textContent(), `${units[0].iou.toFixed(3)} ± 0.013`));
  assert.equal(await row(units[0].unit).locator('td.stability').textContent(), '7/10');
  // a unit without them (an older run) shows the bare IoU and a dash
  assert.equal(await row(units[1].unit).locator('td.iou').textContent(), units[1].iou.toFixed(3));
  assert.equal(await row(units[1].unit).locator('td.stability').textContent(), '–');
});

test('artifact flags: the user\'s ⚑ and the automatic "⚑ auto" are told apart in the table and the gallery; "Find artifact units…" opens the panel', async () => {
  await h.open('layer', { fresh: true });
  const flagged = units.map((u) =>
    u.unit === 1
      ? { ...u, flagged: true }
      : u.unit === 2
        ? { ...u, autoFlagged: true }
        : u.unit === 5
          ? { ...u, flagged: true, autoFlagged: true }
          : u,
  );
  await h.push({ type: 'layer', view: { ...view, units: flagged } });
  const cell = (unit: number, sel: string) => h.page.locator(`gd-units-table tbody tr[data-unit="${unit}"] ${sel}`);
  await eventually(async () => assert.equal(await h.page.locator('gd-units-table .auto-flag').count(), 2));
  assert.deepEqual([await cell(1, '.flag').count(), await cell(1, '.auto-flag').count()], [1, 0]);
  assert.deepEqual([await cell(2, '.flag').count(), await cell(2, '.auto-flag').count()], [0, 1]);
  assert.deepEqual([await cell(5, '.flag').count(), await cell(5, '.auto-flag').count()], [1, 1]);
  assert.equal(await cell(2, '.auto-flag').textContent(), '⚑ auto');
  await tab('gallery').click();
  const caption = async (unit: number) => ((await h.page.locator(`gd-units-gallery .card[data-unit="${unit}"] .caption`).textContent()) ?? '').trim();
  await eventually(async () => assert.match(await caption(2), /· ⚑ auto$/));
  assert.doesNotMatch(await caption(1), /auto/);
  assert.match(await caption(5), /⚑ flagged · ⚑ auto$/);
  await tab('table').click();
  await h.clearPosted();
  await h.page.locator('gd-layer-app vscode-button.artifacts').click();
  assert.deepEqual(await h.posted(), [{ type: 'openArtifacts', layer: 'layer4' }]);
});

test('"Compare Layers" asks for all layers of this run side by side', async () => {
  await h.clearPosted();
  await h.page.locator('gd-layer-app vscode-button.compare-layers').click();
  assert.deepEqual(await h.posted(), [{ type: 'compareLayers' }]);
});

test('every tab is legible in dark, light and high-contrast themes (WCAG AA contrast)', async () => {
  // with a flag of each kind, whose marks are in the warning colour
  const flagged = view.units.map((u, i) => (i === 0 ? { ...u, flagged: true } : i === 1 ? { ...u, autoFlagged: true } : u));
  await h.push({ type: 'layer', view: { ...view, units: flagged } });
  for (const name of ['table', 'gallery', 'summary']) {
    await tab(name).click();
    await h.page.waitForTimeout(50);
    await assertLegible(h, `layer panel, ${name} tab`);
  }
});
