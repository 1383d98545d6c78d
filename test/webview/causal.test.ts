/** The causal panel's webview app (dist/webview/causal.js) in headless Chromium (the ACE table: causal-ace.test.ts; traces: causal-trace.test.ts). */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodePng } from '../../extension/shared/png';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { CausalConceptResult, CausalRequests, CausalView, ContextView } from '../../extension/shared/webview/causal';
import { eventually, startHarness, type Harness } from './harness';
import { fixtureImages } from './fixtures';

const N = 24;

function png(fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(N * N * 3);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) rgb.set(fn(x, y), (y * N + x) * 3);
  return encodePng(rgb, N, N);
}

function images(): Map<string, Buffer> {
  const m = fixtureImages();
  for (let i = 0; i < 4; i++) {
    m.set(
      `/img/ctx/image${i}.png`,
      png((x, y) => (y < 9 ? [90, 150, 230] : x < 10 + i ? [50, 130, 60] : [160, 110, 90])),
    );
    m.set(
      `/img/ctx/heat${i}.png`,
      png((x, y) => {
        const v = Math.max(0, 255 - 20 * Math.hypot(x - 6 - i * 3, y - 16));
        return [v, v * 0.5, 255 - v];
      }),
    );
    // the engine's picture: the image with a one-pixel yellow box around the locations (3×3 px) that create the concept
    m.set(
      `/img/ctx/boxes${i}.png`,
      png((x, y) => {
        const inBox = x >= 9 && x < 12 && y >= 12 && y < 15 && (x === 9 || x === 11 || y === 12 || y === 14);
        return inBox ? [255, 224, 0] : y < 9 ? [90, 150, 230] : [160, 110, 90];
      }),
    );
  }
  return m;
}

const treeResult: CausalConceptResult = {
  concept: 'tree',
  units: [6, 0, 4, 2, 5],
  iouUnits: [0, 6, 4, 5, 1],
  curves: { ace: [0.31, 0.52, 0.66, 0.71, 0.74], iou: [0.12, 0.4, 0.49, 0.55, 0.58] },
  ace: {
    ace: 0.912,
    removed: 0.741,
    added: 0.171,
    ci: { ace: [0.853, 0.971], removed: [0.7, 0.782], added: [0.15, 0.192] },
    atLocation: { added: 0.042, ace: 0.783, ci: { added: [0.031, 0.053], ace: [0.74, 0.826] } },
  },
  iouAce: { ace: 0.702, removed: 0.583, added: 0.119, ci: { ace: [0.631, 0.773] } },
  samples: 200,
};

const skyResult: CausalConceptResult = {
  concept: 'sky',
  units: [1, 7, 3],
  curves: { ace: [0.25, 0.45, 0.5] },
  ace: { ace: 0.55, removed: 0.5, added: 0.05, ci: { ace: [0.5, 0.6] } },
  samples: 100,
};

const doorContext: ContextView = {
  concept: 'door',
  units: [7, 2],
  byClass: [
    { label: 'sky', gain: -0.0004, count: 40 },
    { label: 'building', gain: 0.0213, count: 120 },
    { label: 'tree', gain: 0.0031, count: 64 },
  ],
  grid: [8, 8],
  heatmaps: [0, 1, 2, 3].map((i) => ({
    sample: i,
    image: `/img/ctx/image${i}.png`,
    heatmap: `/img/ctx/heat${i}.png`,
    boxes: `/img/ctx/boxes${i}.png`,
  })),
};

const view: CausalView = {
  runId: 'run-1',
  model: 'church.onnx',
  layer: 'layer4',
  concepts: ['tree', 'sky', 'door', 'window'],
  results: [treeResult],
  contexts: [],
};

type Request = RequestMessage<CausalRequests>;

let h: Harness;

before(async () => {
  h = await startHarness(images());
  await h.open('causal', { fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-causal-app ${sel}`);
const card = (concept: string, sel = '') => app(`section.card[data-concept="${concept}"] ${sel}`);
async function lastRequest(): Promise<Request> {
  return eventually(async () => {
    const r = (await h.posted()).filter((m): m is Request => m.type === 'request').at(-1);
    assert.ok(r, 'a request was posted');
    return r;
  });
}
const polylines = (concept: string) =>
  card(concept, 'gd-ace-chart polyline').evaluateAll((ps) =>
    ps.map((p) => ({
      series: p.getAttribute('data-series'),
      fill: getComputedStyle(p).fill,
      values: (p.getAttribute('data-points') ?? '').split(',').map(Number),
      points: (p.getAttribute('points') ?? '').split(' ').map((xy) => xy.split(',').map(Number)),
    })),
  );

test('posts ready, then shows each result: the Fig. 4 chart with both rankings, the ACE table, the units', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'causal', view });
  await eventually(async () => assert.equal(await app('h1.title').textContent(), 'Causal units · layer4'));
  const lines = await eventually(async () => {
    const l = await polylines('tree');
    assert.equal(l.length, 2);
    return l;
  });
  type Line = (typeof lines)[number];
  const bySeries: Record<string, Line> = Object.fromEntries(lines.map((l) => [l.series, l]));
  assert.deepEqual(bySeries.ace.values, treeResult.curves.ace);
  assert.deepEqual(bySeries.iou.values, treeResult.curves.iou);
  assert.deepEqual(
    lines.map((l) => l.fill),
    ['none', 'none'],
    'lines, not areas',
  );
  for (const s of ['ace', 'iou'] as const) {
    const pts = bySeries[s].points;
    const values = treeResult.curves[s]!;
    assert.equal(pts.length, values.length);
    for (let i = 1; i < pts.length; i++) {
      assert.ok(pts[i][0] > pts[i - 1][0], 'x grows with the number of units');
      assert.ok(Math.sign(pts[i - 1][1] - pts[i][1]) === Math.sign(values[i] - values[i - 1]), 'higher value, higher point');
    }
  }
  // the same k at the same x; a bigger fraction is higher up
  bySeries.ace.points.forEach((p: number[], i: number) => {
    assert.equal(p[0], bySeries.iou.points[i][0]);
    assert.ok(p[1] < bySeries.iou.points[i][1]);
  });
  // the y axis is linear in the fraction: (y0 - y1) / (v1 - v0) is the same for all pairs
  const slope = (a: number[], b: number[], va: number, vb: number) => (a[1] - b[1]) / (vb - va);
  const k = slope(bySeries.ace.points[0], bySeries.ace.points[4], 0.31, 0.74);
  assert.ok(Math.abs(slope(bySeries.iou.points[0], bySeries.iou.points[4], 0.12, 0.58) - k) < 0.5);
  assert.deepEqual(await card('tree', 'gd-ace-chart .tick.x text').allTextContents(), ['1', '2', '3', '4', '5']);
  assert.deepEqual(await card('tree', 'gd-ace-chart .tick.y text').allTextContents(), ['0%', '25%', '50%', '75%', '100%']);
  assert.deepEqual(await card('tree', 'gd-ace-chart .legend text').allTextContents(), ['causal ranking', 'IoU ranking']);

  const column = (cls: string) =>
    card('tree', `gd-ace-table table.ace td.${cls} .value`).evaluateAll((vs) => vs.map((v) => v.closest('tr')?.className + ' ' + v.textContent));
  assert.deepEqual(await column('causal'), ['removed 0.741', 'added 0.171', 'ace 0.912', 'added-at 0.042', 'ace-at 0.783']);
  // the IoU set's result has no single-location measures: no number there
  assert.deepEqual(await column('iou'), ['removed 0.583', 'added 0.119', 'ace 0.702']);
  assert.equal((await card('tree', '.causal-units').textContent())?.replace(/\s+/g, ' ').trim(), 'Causal units: 6, 0, 4, 2, 5');
  assert.equal((await card('tree', '.iou-units').textContent())?.replace(/\s+/g, ' ').trim(), 'IoU units: 0, 6, 4, 5, 1');
});

test('"Open in intervention panel" posts intervene with the causal units, ablated', async () => {
  await h.clearPosted();
  await card('tree', 'vscode-button.intervene').click();
  assert.deepEqual(await h.posted(), [{ type: 'intervene', layer: 'layer4', units: [6, 0, 4, 2, 5], mode: 'ablate' }]);
});

test('"Find causal units" requests a job; progress shows as a bar; Cancel posts cancelJob and drops the job', async () => {
  await h.clearPosted();
  await app('select.concept').selectOption('sky');
  await app('input.count').fill('3');
  await app('input.count').blur();
  await app('input.samples').fill('100');
  await app('input.samples').blur();
  await app('.form vscode-button.find').click();
  const r = await lastRequest();
  assert.equal(r.kind, 'causal');
  const req = r.params as CausalRequests['causal']['params'];
  assert.deepEqual(
    { kind: r.kind, params: { ...req, job: '' } },
    { kind: 'causal', params: { job: '', concept: 'sky', count: 3, samples: 100, insertion: 'high' } },
  );
  assert.ok(req.job.length > 0);
  await h.push({ type: 'progress', job: req.job, done: 30, total: 120, what: 'single-unit effects' });
  const job = app(`.job[data-job="${req.job}"]`);
  await eventually(async () => assert.equal(await job.locator('.text').textContent(), 'Finding causal units for sky: single-unit effects (30/120)'));
  assert.equal(await job.locator('[role="progressbar"]').getAttribute('aria-valuenow'), '30');
  assert.equal(await job.locator('.fill').evaluate((f) => (f as HTMLElement).style.width), '25%');
  await h.push({ type: 'progress', job: 'someone-else', done: 1, total: 2, what: 'x' });
  await h.push({ type: 'progress', job: req.job, done: 90, total: 120, what: 'greedy selection' });
  await eventually(async () => assert.equal(await job.locator('.fill').evaluate((f) => (f as HTMLElement).style.width), '75%'));
  assert.equal(await app('.job').count(), 1);
  await h.screenshot('causal-progress');
  await job.locator('vscode-button.cancel').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'cancelJob', job: req.job });
  await eventually(async () => assert.equal(await app('.job').count(), 0));
  // the host answers the cancelled job with an error: not shown
  await h.push({ type: 'response', id: r.id, error: 'Cancelled.' });
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(await app('.error').count(), 0);
});

test('a finished search adds its result first; an error is shown', async () => {
  await app('.form vscode-button.find').click();
  const r = await lastRequest();
  const req = r.params as CausalRequests['causal']['params'];
  await h.push({ type: 'progress', job: req.job, done: 120, total: 120, what: 'done' });
  await h.push({ type: 'response', id: r.id, result: skyResult });
  await eventually(async () =>
    assert.deepEqual(await app('section.card').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-concept'))), ['sky', 'tree']),
  );
  assert.equal(await app('.job').count(), 0);
  const lines = await polylines('sky');
  assert.deepEqual(
    lines.map((l) => [l.series, l.values]),
    [['ace', skyResult.curves.ace]],
  );
  assert.equal(await card('sky', 'table.ace tr.iou').count(), 0);
  assert.deepEqual(await card('sky', 'gd-ace-chart .legend text').allTextContents(), ['causal ranking']);
  // an error
  await app('select.concept').selectOption('window');
  await app('.form vscode-button.find').click();
  const bad = await lastRequest();
  assert.notEqual(bad.id, r.id);
  assert.notEqual(bad.params.job, req.job, 'a fresh job id');
  await h.push({ type: 'response', id: bad.id, error: 'No pixels of "window" in the samples.' });
  await eventually(async () =>
    assert.equal(await app('.error').textContent(), 'Causal search for window failed: No pixels of "window" in the samples.'),
  );
});

test('"Where can it be inserted?" requests the context; its bars match byClass; heatmaps pair the yellow-box image (Fig. 11) and the gain', async () => {
  await app('select.concept').selectOption('door');
  await app('.form vscode-button.where').click();
  const r = await lastRequest();
  const req = r.params as CausalRequests['context']['params'];
  assert.deepEqual(
    { kind: r.kind, params: { ...req, job: '' } },
    { kind: 'context', params: { job: '', concept: 'door', samples: 20, insertion: 'high' } },
  );
  await h.push({ type: 'progress', job: req.job, done: 5, total: 20, what: 'inserting' });
  await eventually(async () =>
    assert.match((await app(`.job[data-job="${req.job}"] .text`).textContent()) ?? '', /Insertion context of door: inserting \(5\/20\)/),
  );
  await h.push({ type: 'response', id: r.id, result: doorContext });
  const bars = card('door', 'gd-context-view rect.bar');
  await eventually(async () => assert.equal(await bars.count(), 3));
  const got = await bars.evaluateAll((rs) =>
    rs.map((b) => ({
      label: b.getAttribute('data-label'),
      gain: Number(b.getAttribute('data-gain')),
      count: Number(b.getAttribute('data-count')),
      width: Number(b.getAttribute('width')),
    })),
  );
  const sorted = [...doorContext.byClass].sort((a, b) => b.gain - a.gain);
  assert.deepEqual(
    got.map(({ label, gain, count }) => ({ label, gain, count })),
    sorted,
  );
  assert.ok(got[0].width > got[1].width && got[1].width > got[2].width, 'bars scale with the gain');
  assert.deepEqual(await card('door', 'gd-context-view text.value').allTextContents(), ['+2.13% · 120', '+0.31% · 64', '\u22120.04% · 40']);
  const figs = await card('door', 'gd-context-view figure.heatmap').evaluateAll((fs) =>
    fs.map((f) => Array.from(f.querySelectorAll('img')).map((i) => i.getAttribute('src'))),
  );
  // the engine's yellow boxes (the paper's Fig. 11) stand in for the plain image, beside the gain heatmap
  assert.deepEqual(
    figs,
    doorContext.heatmaps.map((m) => [m.boxes, m.heatmap]),
  );
  assert.match(
    (await card('door', 'gd-context-view .boxes-note').textContent()) ?? '',
    /Yellow boxes: the locations where inserting the units creates door/,
  );
  const yellow = await card('door', 'gd-context-view img.boxes')
    .first()
    .evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return Array.from(g.getImageData(9, 12, 1, 1).data.slice(0, 3));
    });
  assert.deepEqual(yellow, [255, 224, 0], 'the boxes picture is the one loaded');
  assert.equal(await card('door', 'table.ace').count(), 0, 'no causal result for door');
  // the tree card's own button asks for tree
  await card('tree', 'vscode-button.where').click();
  const t = await lastRequest();
  assert.equal(t.params.concept, 'tree');
  // a context without boxes (an older run) shows the plain image and no note
  await h.push({
    type: 'response',
    id: t.id,
    result: { ...doorContext, concept: 'tree', units: [6, 0], heatmaps: doorContext.heatmaps.slice(0, 2).map(({ boxes: _, ...m }) => m) },
  });
  await eventually(async () => assert.equal(await card('tree', 'gd-context-view rect.bar').count(), 3));
  assert.deepEqual(await card('tree', 'gd-context-view img.image').evaluateAll((is) => is.map((i) => i.getAttribute('src'))), [
    doorContext.heatmaps[0].image,
    doorContext.heatmaps[1].image,
  ]);
  assert.equal(await card('tree', 'gd-context-view .boxes-note').count(), 0);
  assert.equal(await card('tree', 'vscode-button.where').count(), 0);
  await h.page.locator('gd-causal-app').evaluate(() => window.scrollTo(0, 0));
  await h.screenshot('causal');
});

test('a later causal view adds its results; another layer starts over; the identity persists', async () => {
  await h.push({ type: 'causal', view: { ...view, results: [treeResult, { ...skyResult, samples: 300 }] } });
  await eventually(async () => assert.match((await card('sky', 'header .muted').textContent()) ?? '', /300 samples/));
  assert.deepEqual(await app('section.card').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-concept'))), ['tree', 'door', 'sky']);
  const state = (await h.page.evaluate(() => window.__states)).at(-1) as { runId: string; layer: string };
  assert.equal(state.runId, 'run-1');
  assert.equal(state.layer, 'layer4');
  await h.push({ type: 'causal', view: { ...view, layer: 'layer5', results: [], contexts: [] } });
  await eventually(async () => assert.equal(await app('section.card').count(), 0));
  assert.equal(await app('.empty').count(), 1);
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});
