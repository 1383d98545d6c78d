/**
 * The causal panel's Trace view (webview/causal/trace-*.ts; the paper's S-6.5, Fig. 17) in headless Chromium:
 * the request a Trace button sends, progress and cancel, the per-layer curves split by whether the concept
 * appeared, the numbers per layer, the heatmap over the insertion locations, and the theme's colours.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodePng } from '../../extension/shared/png';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { CausalRequests, CausalView, TraceView } from '../../extension/shared/webview/causal';
import { eventually, startHarness, THEMES, type Harness } from './harness';
import { assertLegible } from './contrast';
import { fixtureImages } from './fixtures';

const N = 32;
function png(fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(N * N * 3);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) rgb.set(fn(x, y), (y * N + x) * 3);
  return encodePng(rgb, N, N);
}

function images(): Map<string, Buffer> {
  const m = fixtureImages();
  m.set(
    '/img/trace/sample.png',
    png((x, y) => (y < 12 ? [90, 150, 230] : [160, 110, 90 + x])),
  );
  m.set(
    '/img/trace/heat.png',
    png((x) => [x * 8, 40, 255 - x * 8]),
  );
  return m;
}

// a 3×4 grid: the last layer changes most at location 5; the concept appears at locations 1, 5 and 6
const heatmap = [0.1, 0.4, 0.2, 0, 0.3, 1.6, 0.8, 0.1, 0.05, 0.2, 0.3, 0.12];
const visibleShare = [0, 0.25, 0, 0, 0, 1, 0.5, 0, 0, 0, 0, 0];
const doorTrace: TraceView = {
  concept: 'door',
  layer: 'layer4',
  units: [3, 9, 1],
  samples: 20,
  grid: [3, 4],
  layers: [
    { layer: 'layer4', shape: [512, 8, 8] },
    { layer: 'layer5', shape: [256, 16, 16] },
    { layer: 'layer6', shape: [128, 32, 32] },
    { layer: 'to_rgb', shape: [3, 64, 64] },
  ],
  curves: { all: [0.05, 0.21, 0.33, 0.41], visible: [0.05, 0.45, 0.8, 1.12], invisible: [0.05, 0.18, 0.27, 0.32] },
  counts: { visible: 27, invisible: 213 },
  heatmap,
  visibleShare,
  visibleMin: 0.001,
  images: { sample: '/img/trace/sample.png', heatmap: '/img/trace/heat.png' },
  insertion: 'high',
};

/** Stored for sky: no insertion made it appear. */
const skyTrace: TraceView = {
  ...doorTrace,
  concept: 'sky',
  units: [1, 7],
  curves: { all: [0.02, 0.06, 0.09, 0.1], visible: [0, 0, 0, 0], invisible: [0.02, 0.06, 0.09, 0.1] },
  counts: { visible: 0, invisible: 240 },
  visibleShare: heatmap.map(() => 0),
};
delete (skyTrace as Partial<TraceView>).images;
delete (skyTrace as Partial<TraceView>).insertion;

const view: CausalView = {
  runId: 'run-t',
  model: 'church.onnx',
  layer: 'layer4',
  concepts: ['door', 'sky', 'tree'],
  results: [],
  contexts: [],
  traces: [skyTrace],
};

type Request = RequestMessage<CausalRequests>;
let h: Harness;

before(async () => {
  h = await startHarness(images());
  await h.open('causal', { fresh: true });
  await h.push({ type: 'causal', view });
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
  card(concept, 'gd-trace-chart polyline').evaluateAll((ps) =>
    ps.map((p) => ({
      series: p.getAttribute('data-series'),
      stroke: getComputedStyle(p).stroke,
      dash: getComputedStyle(p).strokeDasharray,
      values: (p.getAttribute('data-points') ?? '').split(',').map(Number),
      points: (p.getAttribute('points') ?? '').split(' ').map((xy) => xy.split(',').map(Number)),
    })),
  );

test('"Trace" sends a trace request with the concept, unit count, samples, grid and insertion; progress shows; Cancel cancels', async () => {
  await app('select.concept').selectOption('door');
  await app('input.count').fill('3');
  await app('input.count').blur();
  await app('select.insertion').selectOption('paper');
  await h.clearPosted();
  await app('.form vscode-button.trace').click();
  const r = await lastRequest();
  assert.equal(r.kind, 'trace');
  const p = r.params as CausalRequests['trace']['params'];
  assert.ok(p.job.length > 0);
  assert.deepEqual({ ...p, job: '' }, { job: '', concept: 'door', count: 3, samples: 20, grid: 8, insertion: 'paper' });
  await h.push({ type: 'progress', job: p.job, done: 5, total: 20, what: 'tracing insertions' });
  const job = app(`.job[data-job="${p.job}"]`);
  await eventually(async () => assert.equal(await job.locator('.text').textContent(), 'Tracing door: tracing insertions (5/20)'));
  assert.equal(await job.getAttribute('data-kind'), 'trace');
  await job.locator('vscode-button.cancel').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'cancelJob', job: p.job });
  await eventually(async () => assert.equal(await app('.job').count(), 0));
  await h.push({ type: 'response', id: r.id, error: 'Cancelled.' });
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(await app('.error').count(), 0);
  // a failure is shown
  await app('.form vscode-button.trace').click();
  const bad = await lastRequest();
  assert.notEqual(bad.id, r.id);
  await h.push({ type: 'response', id: bad.id, error: 'layer4 is the last layer: nothing to trace.' });
  await eventually(async () => assert.equal(await app('.error').textContent(), 'Trace for door failed: layer4 is the last layer: nothing to trace.'));
});

test('a finished trace draws one curve per split over the layers, in the order of the layers, with the numbers beside', async () => {
  await card('sky').waitFor();
  await app('.form vscode-button.trace').click();
  const r = await lastRequest();
  await h.push({ type: 'response', id: r.id, result: doorTrace });
  const lines = await eventually(async () => {
    const l = await polylines('door');
    assert.equal(l.length, 2);
    return l;
  });
  assert.deepEqual(
    lines.map((l) => [l.series, l.values]),
    [
      ['visible', doorTrace.curves.visible],
      ['invisible', doorTrace.curves.invisible],
    ],
  );
  const [vis, inv] = lines;
  for (const l of lines) {
    assert.equal(l.points.length, 4);
    for (let i = 1; i < 4; i++) assert.ok(l.points[i][0] > l.points[i - 1][0], 'x follows the layers');
  }
  vis.points.forEach((pt, i) => {
    assert.equal(pt[0], inv.points[i][0], 'the same layer at the same x');
    const dv = vis.values[i] - inv.values[i];
    assert.ok(dv === 0 ? pt[1] === inv.points[i][1] : pt[1] < inv.points[i][1] === dv > 0, 'a bigger change is higher up');
  });
  // linear y: the pixel distance per unit of change is the same everywhere
  const perUnit = (a: number[], b: number[], va: number, vb: number) => (a[1] - b[1]) / (vb - va);
  const k = perUnit(vis.points[0], vis.points[3], 0.05, 1.12);
  assert.ok(k > 0 && Math.abs(perUnit(inv.points[0], inv.points[3], 0.05, 0.32) - k) < 0.01 * k);
  assert.notEqual(inv.dash, 'none', 'the no-effect curve is dashed (told apart without colour)');
  assert.deepEqual(await card('door', 'gd-trace-chart .tick.x text').allTextContents(), ['layer4', 'layer5', 'layer6', 'to_rgb']);
  assert.deepEqual(await card('door', 'gd-trace-chart .legend text').allTextContents(), [
    'door appeared (27 insertions)',
    'no visible effect (213 insertions)',
  ]);
  const ticks = (await card('door', 'gd-trace-chart .tick.y text').allTextContents()).map(Number);
  assert.equal(ticks[0], 0);
  assert.ok(ticks.at(-1)! >= 1.12 && ticks.length >= 3 && ticks.length <= 7, ticks.join(','));
  const rows = await card('door', 'gd-trace-view table.layers tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim())),
  );
  assert.deepEqual(rows, [
    ['layer4', '512×8×8', '0.050', '0.050', '0.050'],
    ['layer5', '256×16×16', '0.210', '0.450', '0.180'],
    ['layer6', '128×32×32', '0.330', '0.800', '0.270'],
    ['to_rgb', '3×64×64', '0.410', '1.120', '0.320'],
  ]);
  const summary = ((await card('door', 'gd-trace-view .summary').textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(summary, /Inserting units 3, 9, 1 of layer4 at each of 3×4 locations in 20 samples \(240 insertions: door appeared in 27, not in 213/);
  assert.match(summary, /insertion max\(r, k\), k high/);
  assert.equal(await card('door', 'vscode-button.trace').count(), 0, 'no Trace button once traced');
});

test("the heatmap has a cell per insertion location: opacity by the last layer's change, a dot where the concept appeared", async () => {
  const cells = await card('door', 'gd-trace-heatmap rect.cell').evaluateAll((rs) =>
    rs.map((r) => ({
      location: Number(r.getAttribute('data-location')),
      value: Number(r.getAttribute('data-value')),
      share: Number(r.getAttribute('data-share')),
      x: Number(r.getAttribute('x')),
      y: Number(r.getAttribute('y')),
      opacity: Number(getComputedStyle(r).fillOpacity),
    })),
  );
  assert.equal(cells.length, 12);
  assert.deepEqual(
    cells.map((c) => c.value),
    heatmap,
  );
  assert.deepEqual(
    cells.map((c) => c.share),
    visibleShare,
  );
  // row-major over 3 rows × 4 columns
  assert.deepEqual(
    cells.map((c) => [c.x, c.y]),
    cells.map((_, g) => [(g % 4) * cells[1].x, Math.floor(g / 4) * cells[4].y]),
  );
  assert.equal(cells[5].opacity, 1, 'the largest change is fully opaque');
  assert.equal(cells[3].opacity, 0, 'no change, no colour');
  assert.ok(Math.abs(cells[6].opacity - 0.8 / 1.6) < 1e-3);
  const dots = await card('door', 'gd-trace-heatmap g.location').evaluateAll((gs) =>
    gs.map((g) => Number(g.querySelector('circle.seen')?.getAttribute('r') ?? 0)),
  );
  assert.deepEqual(
    dots.map((r) => r > 0),
    visibleShare.map((s) => s > 0),
  );
  assert.ok(dots[5] > dots[6] && dots[6] > dots[1], 'the dot grows with the share');
  assert.match(
    (await card('door', 'gd-trace-heatmap rect.cell').nth(5).textContent()) ?? '',
    /change of to_rgb 1\.60; door appeared in 100% of samples/,
  );
  assert.match((await card('door', 'gd-trace-view h4').textContent()) ?? '', /Effect on to_rgb by insertion location/);
  // the engine's heatmap over the first sample, loaded
  const imgs = await card('door', 'gd-trace-view figure.engine-heatmap img').evaluateAll((is) =>
    is.map((i) => ({ src: i.getAttribute('src'), loaded: (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth })),
  );
  await eventually(async () =>
    assert.deepEqual(
      await card('door', 'gd-trace-view figure.engine-heatmap img').evaluateAll((is) => is.map((i) => (i as HTMLImageElement).naturalWidth)),
      [N, N],
    ),
  );
  assert.deepEqual(
    imgs.map((i) => i.src),
    ['/img/trace/sample.png', '/img/trace/heat.png'],
  );
});

test('a stored trace where the concept never appeared: one curve, dashes in the table, no dots, no engine picture', async () => {
  const lines = await polylines('sky');
  assert.deepEqual(
    lines.map((l) => [l.series, l.values]),
    [['invisible', skyTrace.curves.invisible]],
  );
  assert.deepEqual(await card('sky', 'gd-trace-view table.layers td.visible').allTextContents(), ['—', '—', '—', '—']);
  assert.equal(await card('sky', 'gd-trace-heatmap circle.seen').count(), 0);
  assert.equal(await card('sky', 'gd-trace-view figure.engine-heatmap').count(), 0);
});

test("the colours are the theme's, and every text is legible in dark, light and high contrast", async () => {
  const colours = () =>
    card('door', 'gd-trace-view').evaluate((el) => {
      const root = el.shadowRoot!;
      const chart = root.querySelector('gd-trace-chart')!.shadowRoot!;
      const heat = root.querySelector('gd-trace-heatmap')!.shadowRoot!;
      const probe = (v: string) => {
        const d = document.createElement('div');
        d.style.color = `var(${v})`;
        document.body.append(d);
        const c = getComputedStyle(d).color;
        d.remove();
        return c;
      };
      return {
        visible: getComputedStyle(chart.querySelector('polyline.visible')!).stroke,
        invisible: getComputedStyle(chart.querySelector('polyline.invisible')!).stroke,
        cell: getComputedStyle(heat.querySelector('rect.cell')!).fill,
        blue: probe('--vscode-charts-blue'),
        orange: probe('--vscode-charts-orange'),
      };
    });
  const seen = new Set<string>();
  for (const kind of THEMES) {
    await h.theme(kind);
    const c = await colours();
    assert.equal(c.visible, c.blue, `${kind}: the appeared curve is the theme's blue`);
    assert.equal(c.invisible, c.orange, `${kind}: the no-effect curve is the theme's orange`);
    assert.equal(c.cell, c.orange, `${kind}: the heatmap is the theme's orange`);
    seen.add(c.orange);
  }
  assert.ok(seen.size > 1, 'the themes differ');
  await assertLegible(h, 'the causal panel with traces');
  await h.screenshot('causal-trace');
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});
