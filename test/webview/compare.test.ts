/**
 * The compare panel's webview app (dist/webview/compare.js) in headless Chromium, against a test double of
 * its host. Its views are made as the host makes them: shared/run/compare.ts layerFigures and diffLayers of
 * layers built here, so what the panel lists is checked against the layers' own units.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffLayers, layerFigures } from '../../extension/shared/run/compare';
import type { ArtifactsResult, LayerResult, UnitResult } from '../../extension/shared/run/schema';
import type { ComparedRow, CompareView } from '../../extension/shared/webview/compare';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';

const CATEGORY: Record<string, string> = { tree: 'object', sky: 'object', grass: 'object', window: 'part', door: 'part', brick: 'material' };

/** A dissected layer whose unit u has label labels[u] ('-': uninterpretable) and IoU ious[u]. */
function layer(name: string, labels: string[], ious: number[]): LayerResult {
  const units: UnitResult[] = labels.map((l, unit) => ({
    unit,
    label: l === '-' ? 'tree' : l,
    category: l === '-' ? 'object' : CATEGORY[l],
    iou: ious[unit],
    iqr: 0.1,
    threshold: 1,
    interpretable: l !== '-',
    concepts: [],
    top: [],
  }));
  const counts = new Map<string, { label: string; category: string; count: number }>();
  const categories: Record<string, number> = {};
  for (const u of units.filter((x) => x.interpretable)) {
    const c = counts.get(u.label) ?? { label: u.label, category: u.category, count: 0 };
    c.count++;
    counts.set(u.label, c);
    categories[u.category] = (categories[u.category] ?? 0) + 1;
  }
  return {
    layer: name,
    tensor: `/${name}/Relu_output_0`,
    aliases: [],
    shape: [labels.length, 8, 8],
    units,
    summary: {
      units: units.length,
      interpretable: units.filter((u) => u.interpretable).length,
      concepts: [...counts.values()].sort((a, b) => b.count - a.count),
      categories,
    },
  };
}

// layer4 of three runs: from A to B unit 1 changes sky → window, unit 3 becomes door, unit 5 stops being brick;
// units 0 and 2 keep tree; unit 4 stays uninterpretable. C is B with unit 0 changed to grass.
const A = layer('layer4', ['tree', 'sky', 'tree', '-', '-', 'brick', '-', '-'], [0.31, 0.22, 0.18, 0.02, 0.01, 0.09, 0.02, 0.01]);
const B = layer('layer4', ['tree', 'window', 'tree', 'door', '-', '-', '-', '-'], [0.35, 0.14, 0.2, 0.11, 0.02, 0.03, 0.01, 0.01]);
const C = layer('layer4', ['grass', 'window', 'tree', 'door', '-', '-', '-', '-'], [0.12, 0.15, 0.21, 0.1, 0.02, 0.03, 0.01, 0.01]);
const OTHER = layer('layer3', ['sky', 'sky', '-', '-'], [0.4, 0.3, 0.01, 0.02]);

const LABEL = "Fréchet distance in the segmenter's features (layer4/Relu_output_0, pooled over space)";
const artifacts = { repair: { original: 43.16 }, features: { label: LABEL } } as unknown as ArtifactsResult;

function row(l: LayerResult, runId: string, run: string, model: string, a?: ArtifactsResult): ComparedRow {
  return { ...layerFigures(l, a), runId, run, model };
}

/** As ui/panels/compare-view.ts makes it: the diffs of every two rows of the same layer. */
function runsView(rows: { l: LayerResult; r: ComparedRow }[]): CompareView {
  const diffs: CompareView['diffs'] = [];
  for (let a = 0; a < rows.length; a++)
    for (let b = a + 1; b < rows.length; b++) if (rows[a].l.layer === rows[b].l.layer) diffs.push({ a, b, diff: diffLayers(rows[a].l, rows[b].l) });
  return {
    items: rows.map((x) => ({ runId: x.r.runId, layer: x.r.layer })),
    mode: 'runs',
    title: `${rows.length} layers side by side`,
    rows: rows.map((x) => x.r),
    diffs,
  };
}

const two = runsView([
  { l: A, r: row(A, '/runs/a', 'step 1000', 'G_1000.onnx', artifacts) },
  { l: B, r: row(B, '/runs/b', 'step 2000', 'G_2000.onnx') },
  { l: OTHER, r: row(OTHER, '/runs/o', 'bedroom.onnx · layer3-iqr-200', 'bedroom.onnx') },
]);

let h: Harness;

before(async () => {
  h = await startHarness(new Map());
  await h.open('compare', { fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-compare-app ${sel}`);
const text = async (sel: string) => ((await app(sel).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
const units = (section: string) =>
  app(`gd-diff-view section.${section} li`).evaluateAll((lis) => lis.map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim()));

test('posts ready; runs side by side: each row’s interpretable units, concepts, mean IoU, quality (its label as tooltip) and units per concept', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'compare', view: two });
  await eventually(async () => assert.equal(await app('table.figures tbody tr').count(), 3));
  const rows = await app('table.figures tbody tr').evaluateAll((trs) =>
    trs.map((tr) =>
      ['run', 'model', 'open', 'interpretable', 'concepts', 'mean-iou', 'quality', 'per-concept'].map((c) =>
        tr.querySelector(`.${c}`)?.textContent?.trim(),
      ),
    ),
  );
  assert.deepEqual(rows, [
    ['step 1000', 'G_1000.onnx', 'layer4', '4/8', '3', ((0.31 + 0.22 + 0.18 + 0.09) / 4).toFixed(3), '43.16', 'tree 2, sky 1, brick 1'],
    ['step 2000', 'G_2000.onnx', 'layer4', '4/8', '3', ((0.35 + 0.14 + 0.2 + 0.11) / 4).toFixed(3), '—', 'tree 2, window 1, door 1'],
    ['bedroom.onnx · layer3-iqr-200', 'bedroom.onnx', 'layer3', '2/4', '1', '0.350', '—', 'sky 2'],
  ]);
  assert.equal(await app('table.figures tr[data-row="0"] .quality span').getAttribute('title'), LABEL);
  // a concept chart per row, its bars the row's units per concept
  const charts = await app('gd-summary-chart.row-chart').evaluateAll((cs) =>
    cs.map((c) => ({
      caption: c.shadowRoot?.querySelector('.caption')?.textContent?.trim(),
      bars: Array.from(c.shadowRoot?.querySelectorAll('rect.bar') ?? [], (b) => `${b.getAttribute('data-label')} ${b.getAttribute('data-count')}`),
    })),
  );
  assert.deepEqual(charts, [
    { caption: 'step 1000 · layer4', bars: ['tree 2', 'sky 1', 'brick 1'] },
    { caption: 'step 2000 · layer4', bars: ['tree 2', 'window 1', 'door 1'] },
    { caption: 'bedroom.onnx · layer3-iqr-200 · layer3', bars: ['sky 2'] },
  ]);
  assert.equal(await app('gd-category-fractions').count(), 0, 'runs, not the layers of one run');
  await h.screenshot('compare-runs');
});

test('the diff of the two runs of layer4 lists the units whose label changed, that became and that stopped being interpretable', async () => {
  // the only pair of the same layer: no pair select
  assert.equal(await app('select.diff-pair').count(), 0);
  await eventually(async () =>
    assert.match(
      await text('gd-diff-view .summary'),
      /layer4, step 1000 → step 2000: 2 units kept their label, 1 changed, 1 became interpretable, 1 stopped\./,
    ),
  );
  assert.deepEqual(await units('changed'), ['unit 1: sky 0.220 → window 0.140']);
  assert.deepEqual(await units('became'), ['unit 3: door 0.110']);
  assert.deepEqual(await units('stopped'), ['unit 5: was brick 0.090']);
  // the same as the layers' own units say
  const d = diffLayers(A, B);
  assert.deepEqual(
    await app('gd-diff-view section.changed li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-unit')))),
    d.changed.map((c) => c.unit),
  );
  await h.clearPosted();
  await app('gd-diff-view section.became li[data-unit="3"] button.unit').click();
  assert.deepEqual(await h.posted(), [{ type: 'openUnit', runId: '/runs/b', layer: 'layer4', unit: 3 }]);
  await h.clearPosted();
  await app('vscode-button.export-html').click();
  assert.deepEqual(await h.posted(), [{ type: 'exportHtml', diff: { a: 0, b: 1 } }]);
  await app('table.figures tr[data-row="2"] button.open').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'openLayer', runId: '/runs/o', layer: 'layer3' });
});

test('with three runs of a layer, a select picks the pair; its diff is listed and kept in the state', async () => {
  const three = runsView([
    { l: A, r: row(A, '/runs/a', 'step 1000', 'G.onnx') },
    { l: B, r: row(B, '/runs/b', 'step 2000', 'G.onnx') },
    { l: C, r: row(C, '/runs/c', 'step 3000', 'G.onnx') },
  ]);
  await h.push({ type: 'compare', view: three });
  await eventually(async () =>
    assert.deepEqual(await app('select.diff-pair option').allTextContents(), [
      'step 1000 · layer4 → step 2000 · layer4',
      'step 1000 · layer4 → step 3000 · layer4',
      'step 2000 · layer4 → step 3000 · layer4',
    ]),
  );
  await app('select.diff-pair').selectOption('2');
  await eventually(async () => assert.deepEqual(await units('changed'), ['unit 0: tree 0.350 → grass 0.120']));
  assert.deepEqual(await units('became'), []);
  assert.deepEqual(await units('stopped'), []);
  assert.match(await text('gd-diff-view .summary'), /3 units kept their label, 1 changed, 0 became interpretable, 0 stopped/);
  await app('select.diff-pair').selectOption('1');
  await eventually(async () => assert.deepEqual(await units('changed'), ['unit 0: tree 0.310 → grass 0.120', 'unit 1: sky 0.220 → window 0.150']));
  const state = (await h.page.evaluate(() => window.__states)).at(-1) as { diff?: number; items?: unknown[]; runId?: string };
  assert.equal(state.diff, 1);
  assert.equal(state.runId, '/runs/a');
  assert.deepEqual(state.items, three.items);
  await h.clearPosted();
  await app('vscode-button.export-html').click();
  assert.deepEqual(await h.posted(), [{ type: 'exportHtml', diff: { a: 0, b: 2 } }]);
});

test('all layers of one run: a concept chart per layer and the fraction of units per category by layer', async () => {
  const l1 = layer('layer1', ['-', '-', '-', '-'], [0.01, 0.02, 0.01, 0.01]);
  const l2 = layer('layer2', ['tree', 'window', '-', '-'], [0.2, 0.1, 0.01, 0.01]);
  const l3 = layer('layer3', ['tree', 'sky', 'door', 'brick', 'tree', '-', '-', '-'], [0.3, 0.2, 0.1, 0.1, 0.2, 0.01, 0.01, 0.01]);
  const rows = [l1, l2, l3].map((l) => row(l, '/runs/all', 'G.onnx · all', 'G.onnx'));
  await h.push({ type: 'compare', view: { items: [{ runId: '/runs/all' }], mode: 'layers', title: 'G.onnx · all: all 3 layers', rows, diffs: [] } });
  await eventually(async () => assert.equal(await text('h1.title'), 'G.onnx · all: all 3 layers'));
  assert.equal(await app('table.figures .run').count(), 0, 'one run: no run column');
  assert.deepEqual(
    await app('gd-summary-chart.row-chart').evaluateAll((cs) => cs.map((c) => c.shadowRoot?.querySelector('.caption')?.textContent?.trim())),
    ['layer1', 'layer2', 'layer3'],
  );
  assert.equal(await app('gd-diff-view').count(), 0);
  const segments = await app('gd-category-fractions tr[data-layer] rect.bar').evaluateAll((rs) =>
    rs.map((r) => [r.closest('tr')?.getAttribute('data-layer'), r.getAttribute('data-category'), Number(r.getAttribute('data-fraction'))]),
  );
  // categories, most units first: object (4), part (2), material (1)
  assert.deepEqual(segments, [
    ['layer1', 'object', 0],
    ['layer1', 'part', 0],
    ['layer1', 'material', 0],
    ['layer2', 'object', 1 / 4],
    ['layer2', 'part', 1 / 4],
    ['layer2', 'material', 0],
    ['layer3', 'object', 3 / 8],
    ['layer3', 'part', 1 / 8],
    ['layer3', 'material', 1 / 8],
  ]);
  assert.deepEqual(await app('gd-category-fractions tr[data-layer="layer3"] td.share').allTextContents(), ['37.5%', '12.5%', '12.5%']);
  // each segment is as wide as its fraction of the bar
  const widths = await app('gd-category-fractions tr[data-layer="layer3"] rect.bar').evaluateAll((rs) =>
    rs.map((r) => Number(r.getAttribute('width'))),
  );
  assert.deepEqual(widths, [(3 / 8) * 260, (1 / 8) * 260, (1 / 8) * 260]);
  assert.equal(
    await app('gd-category-fractions rect.bar[data-category="object"]')
      .first()
      .evaluate((r) => getComputedStyle(r).fill),
    'rgb(137, 209, 133)',
    "object in the theme's green",
  );
  await h.screenshot('compare-layers');
});

test('no CSP violation, no error', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});

test('legible in dark, light and high-contrast themes (WCAG AA contrast)', async () => {
  await h.push({ type: 'compare', view: two });
  await h.page.waitForTimeout(50);
  await assertLegible(h, 'compare panel');
});
