/** The Training panel's webview app (dist/webview/training.js) in headless Chromium, against a test double of its host. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodePng } from '../../extension/shared/png';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { LayerFigures, StepStrip, TrainingCheckpoint, TrainingRequests, TrainingView } from '../../extension/shared/webview/training';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';

/** Strips: 4 tiles of 16 × 16, 2 px apart; the timeline shows them at ×4 (64 px tall). */
const STRIP = { width: 4 * 16 + 3 * 2, height: 16 };
const SCALE = 4;
const STEPS = [0, 1000, 2000, 3000, 4000];
const stripPath = (step: number, unit: number) => `/img/step-${step}/unit${String(unit).padStart(4, '0')}.png`;

function png(w: number, h: number, fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(fn(x, y), (y * w + x) * 3);
  return encodePng(rgb, w, h);
}

function images(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const s of [...STEPS, 5000])
    for (let u = 0; u < 6; u++)
      m.set(
        stripPath(s, u),
        png(STRIP.width, STRIP.height, (x, y) => ((x + y) % 4 < 2 ? [40 * u, s / 25, 90] : [30, 30, 30])),
      );
  return m;
}

/**
 * layer1's 6 units across the steps: unit 0 becomes tree at step 1000, unit 1 sky at 2000, unit 2 tree at
 * 3000 and grass at 4000 (a label that changes), unit 5 brick at 4000; units 3 and 4 stay noise.
 */
const LABELS: string[][] = [
  ['-', '-', '-', '-', '-', '-'],
  ['tree', '-', '-', '-', '-', '-'],
  ['tree', 'sky', '-', '-', '-', '-'],
  ['tree', 'sky', 'tree', '-', '-', '-'],
  ['tree', 'sky', 'grass', '-', '-', 'brick'],
];
const IOUS: number[][] = [
  [0.01, 0.02, 0.01, 0.03, 0.02, 0.01],
  [0.21, 0.03, 0.02, 0.02, 0.01, 0.02],
  [0.45, 0.31, 0.03, 0.02, 0.03, 0.02],
  [0.72, 0.58, 0.12, 0.01, 0.02, 0.03],
  [0.93, 0.88, 0.17, 0.02, 0.01, 0.09],
];
const CATEGORY: Record<string, string> = { tree: 'object', sky: 'object', grass: 'object', brick: 'material' };

/** A layer's figures as shared/run/compare.ts layerFigures makes them from these labels and IoUs. */
function figures(layer: string, labels: string[], ious: number[], realism?: LayerFigures['realism']): LayerFigures {
  const interp = labels.map((l, u) => ({ l, u })).filter((x) => x.l !== '-');
  const counts = new Map<string, number>();
  for (const x of interp) counts.set(x.l, (counts.get(x.l) ?? 0) + 1);
  const unitsPerConcept = [...counts.entries()]
    .map(([label, count]) => ({ label, category: CATEGORY[label] ?? 'object', count }))
    .sort((a, b) => b.count - a.count);
  const categories: Record<string, number> = {};
  for (const c of unitsPerConcept) categories[c.category] = (categories[c.category] ?? 0) + c.count;
  return {
    layer,
    units: labels.length,
    interpretable: interp.length,
    concepts: counts.size,
    unitsPerConcept,
    categories,
    meanIou: interp.length ? interp.reduce((a, x) => a + ious[x.u], 0) / interp.length : 0,
    ...(realism ? { realism } : {}),
    labels,
    ious,
  };
}

/** layer2: 10 concepts at the last step (one unit each, 'c0' … 'c9'), none before. */
function layer2(i: number): LayerFigures {
  const labels = Array.from({ length: 12 }, (_, u) => (i === 4 && u < 10 ? `c${u}` : i === 3 && u < 2 ? `c${u}` : '-'));
  return figures(
    'layer2',
    labels,
    labels.map((l) => (l === '-' ? 0.01 : 0.2)),
  );
}

const REALISM_LABEL = "Fréchet distance in the segmenter's features (layer4/Relu_output_0, pooled over space)";

function checkpoints(n = STEPS.length): TrainingCheckpoint[] {
  return STEPS.slice(0, n).map((step, i) => ({
    step,
    file: `G_${step}.onnx`,
    runId: `/series/step-${step}`,
    layers: [figures('layer1', LABELS[i], IOUS[i], i === 4 ? { distance: 43.16, label: REALISM_LABEL } : undefined), layer2(i)],
  }));
}

const COLOURS = { tree: '#1f77b4', sky: '#ff7f0e', grass: '#2ca02c', brick: '#d62728' };

function view(over: Partial<TrainingView> = {}): TrainingView {
  return {
    seriesId: '/series',
    pattern: '/ws/ckpt',
    display: 'ckpt/',
    settings: { samples: 60, seed: 1, threshold: 'iqr', thresholdSamples: 60 },
    layers: ['layer1', 'layer2'],
    checkpoints: checkpoints(),
    colours: COLOURS,
    watch: { state: 'watching', checkpoints: 5 },
    updated: '2026-01-01T00:00:00Z',
    ...over,
  };
}

type Request = RequestMessage<TrainingRequests>;

let h: Harness;

before(async () => {
  h = await startHarness(images());
  await h.open('training', { fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-training-app ${sel}`);
const text = async (sel: string) => ((await app(sel).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
const points = (chart: string) =>
  app(`gd-step-chart[name="${chart}"] circle.point`).evaluateAll((cs) =>
    cs.map((c) => ({ step: Number(c.getAttribute('data-step')), value: Number(c.getAttribute('data-value')), cy: Number(c.getAttribute('cy')) })),
  );
async function lastStrips(): Promise<Request> {
  return eventually(async () => {
    const r = (await h.posted()).filter((m): m is Request => m.type === 'request' && m.kind === 'strips').at(-1);
    assert.ok(r, 'a strips request was posted');
    return r;
  });
}
function answer(r: Request, steps = STEPS): Promise<void> {
  const strips: StepStrip[] = steps.flatMap((step) =>
    r.params.units.map((unit) => ({ step, unit, strip: { src: stripPath(step, unit), ...STRIP } })),
  );
  return h.push({ type: 'response', id: r.id, result: strips });
}
const timelineSteps = (unit: number) =>
  app(`gd-unit-timeline section[data-unit="${unit}"] li.step`).evaluateAll((lis) =>
    lis.map((li) => ({
      step: Number(li.getAttribute('data-step')),
      label: li.querySelector('.label')?.textContent?.trim(),
      iou: li.querySelector('.iou')?.textContent?.trim(),
      img: li.querySelector('img')?.getAttribute('src') ?? null,
    })),
  );

test('posts ready; the charts over the steps are the series’ own numbers, the higher the value the higher the point', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'training', view: view() });
  await eventually(async () => assert.equal(await text('h1.title'), 'Training · ckpt/'));
  assert.match(await text('.facts'), /5 checkpoints · 60 samples each \(seed 1\) · iqr threshold/);
  const interp = await eventually(async () => {
    const p = await points('interpretable');
    assert.equal(p.length, 5);
    return p;
  });
  assert.deepEqual(
    interp.map((p) => [p.step, p.value]),
    STEPS.map((s, i) => [s, LABELS[i].filter((l) => l !== '-').length]),
  );
  // rising values draw rising points (SVG y grows downwards)
  for (let i = 1; i < interp.length; i++) assert.ok(interp[i].cy <= interp[i - 1].cy, `${interp[i].cy} after ${interp[i - 1].cy}`);
  assert.ok(interp[4].cy < interp[0].cy);
  assert.deepEqual(
    (await points('concepts')).map((p) => p.value),
    [0, 1, 2, 2, 4],
  );
  const iou = await points('mean-iou');
  assert.deepEqual(
    iou.map((p) => p.value),
    checkpoints().map((c) => c.layers[0].meanIou),
  );
  assert.equal(iou[0].value, 0, 'no interpretable unit: mean IoU 0');
  assert.ok(Math.abs(iou[4].value - (0.93 + 0.88 + 0.17 + 0.09) / 4) < 1e-12);
  await h.screenshot('training');
});

test('units per concept: a stacked area of the concepts with their counts per step, in the concepts’ colours, named in a legend', async () => {
  const bands = await app('gd-concept-area path.band').evaluateAll((ps) =>
    ps.map((p) => ({ label: p.getAttribute('data-label'), counts: p.getAttribute('data-counts'), fill: getComputedStyle(p).fill })),
  );
  assert.deepEqual(
    bands.map((b) => [b.label, b.counts]),
    [
      ['tree', '0,1,1,2,1'],
      ['sky', '0,0,1,1,1'],
      ['grass', '0,0,0,0,1'],
      ['brick', '0,0,0,0,1'],
    ],
  );
  assert.deepEqual(
    bands.map((b) => b.fill),
    ['rgb(31, 119, 180)', 'rgb(255, 127, 14)', 'rgb(44, 160, 44)', 'rgb(214, 39, 40)'],
  );
  assert.deepEqual(await app('gd-concept-area .legend li').allTextContents(), ['tree', 'sky', 'grass', 'brick']);
  // the bands are outlined in the editor's background; a high-contrast theme's border replaces it
  const stroke = () =>
    app('gd-concept-area path.band')
      .first()
      .evaluate((p) => getComputedStyle(p).stroke);
  assert.equal(await stroke(), 'rgb(31, 31, 31)');
  await h.page.evaluate(() => document.documentElement.style.setProperty('--vscode-contrastBorder', '#6fc3df'));
  await eventually(async () => assert.equal(await stroke(), 'rgb(111, 195, 223)'));
  await h.page.evaluate(() => document.documentElement.style.removeProperty('--vscode-contrastBorder'));
});

test('the checkpoints table: step, file, interpretable units, concepts, mean IoU, and the quality with its label as the tooltip', async () => {
  const rows = await app('table.checkpoints tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      step: tr.getAttribute('data-step'),
      file: tr.querySelector('.file')?.textContent?.trim(),
      interpretable: tr.querySelector('.interpretable')?.textContent?.trim(),
      concepts: tr.querySelector('.concepts')?.textContent?.trim(),
      iou: tr.querySelector('.mean-iou')?.textContent?.trim(),
      quality: tr.querySelector('.quality')?.textContent?.trim(),
      tip: tr.querySelector('.quality span')?.getAttribute('title') ?? null,
    })),
  );
  assert.deepEqual(
    rows.map((r) => [r.step, r.file, r.interpretable, r.concepts]),
    [
      ['0', 'G_0.onnx', '0/6', '0'],
      ['1000', 'G_1000.onnx', '1/6', '1'],
      ['2000', 'G_2000.onnx', '2/6', '2'],
      ['3000', 'G_3000.onnx', '3/6', '2'],
      ['4000', 'G_4000.onnx', '4/6', '4'],
    ],
  );
  assert.deepEqual(
    rows.map((r) => r.iou),
    checkpoints().map((c) => c.layers[0].meanIou.toFixed(3)),
  );
  assert.deepEqual(
    rows.map((r) => r.quality),
    ['—', '—', '—', '—', '43.16'],
  );
  assert.equal(rows[4].tip, REALISM_LABEL);
  await app('table.checkpoints tr[data-step="2000"] button.open').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'openCheckpoint', runId: '/series/step-2000', layer: 'layer1' });
});

test('the unit timeline: the best units at the last step, their label and IoU at each step, and their strips pixelated at a whole scale', async () => {
  const r = await lastStrips();
  assert.deepEqual(r.params, { layer: 'layer1', units: [0, 1, 2, 5] });
  await answer(r);
  await eventually(async () => assert.equal(await app('gd-unit-timeline section.unit').count(), 4));
  for (const unit of [0, 2, 5]) {
    const steps = await timelineSteps(unit);
    assert.deepEqual(
      steps.map((s) => [s.step, s.label, s.iou]),
      STEPS.map((step, i) => [step, LABELS[i][unit] === '-' ? 'uninterpretable' : LABELS[i][unit], IOUS[i][unit].toFixed(3)]),
      `unit ${unit}`,
    );
    assert.deepEqual(
      steps.map((s) => s.img),
      STEPS.map((step) => stripPath(step, unit)),
    );
  }
  const img = app('gd-unit-timeline section[data-unit="2"] li.step[data-step="4000"] img');
  await eventually(async () => assert.ok(await img.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)));
  assert.deepEqual(
    await img.evaluate((i) => {
      const im = i as HTMLImageElement;
      return { w: im.width, h: im.height, natural: im.naturalWidth, rendering: getComputedStyle(im).imageRendering };
    }),
    { w: STRIP.width * SCALE, h: STRIP.height * SCALE, natural: STRIP.width, rendering: 'pixelated' },
  );
});

test('picking units (and filtering the list) asks for their strips; a step without its strip shows none', async () => {
  await h.clearPosted();
  await app('input.unit-filter').fill('sky');
  await eventually(async () =>
    assert.deepEqual(
      await app('select.units option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
      // the chosen units stay listed; of the others only the matching ones
      ['0', '1', '2', '5'],
    ),
  );
  await app('input.unit-filter').fill('4');
  await eventually(async () =>
    assert.deepEqual(await app('select.units option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['0', '1', '2', '5', '4']),
  );
  await app('select.units').selectOption(['4', '1']);
  const r = await lastStrips();
  assert.deepEqual(r.params, { layer: 'layer1', units: [1, 4] });
  await answer(r, [0, 1000]);
  await eventually(async () =>
    assert.deepEqual(await app('gd-unit-timeline section.unit').evaluateAll((ss) => ss.map((s) => s.getAttribute('data-unit'))), ['1', '4']),
  );
  await eventually(async () =>
    assert.deepEqual(
      (await timelineSteps(4)).map((s) => s.img),
      [stripPath(0, 4), stripPath(1000, 4), null, null, null],
    ),
  );
  assert.deepEqual(
    (await timelineSteps(4)).map((s) => s.label),
    STEPS.map(() => 'uninterpretable'),
  );
  await app('input.unit-filter').fill('');
});

test('a new checkpoint from the watch adds a point to every chart and asks for the strips again', async () => {
  await h.clearPosted();
  const next = checkpoints();
  next.push({
    step: 5000,
    file: 'G_5000.onnx',
    runId: '/series/step-5000',
    layers: [figures('layer1', ['tree', 'sky', 'grass', 'sky', '-', 'brick'], [0.95, 0.9, 0.3, 0.11, 0.02, 0.12]), layer2(4)],
  });
  await h.push({ type: 'training', view: view({ checkpoints: next, watch: { state: 'watching', checkpoints: 6 } }) });
  await eventually(async () => assert.equal((await points('interpretable')).length, 6));
  assert.equal((await points('interpretable')).at(-1)?.value, 5);
  assert.equal((await points('concepts')).at(-1)?.value, 4);
  const r = await lastStrips();
  assert.deepEqual(r.params, { layer: 'layer1', units: [1, 4] });
  await answer(r, [...STEPS, 5000]);
  await eventually(async () => assert.equal((await timelineSteps(1)).length, 6));
  assert.deepEqual((await timelineSteps(1)).at(-1), { step: 5000, label: 'sky', iou: '0.900', img: stripPath(5000, 1) });
});

test('what the watch does: "dissecting step 3000 · 4 of 5" with its progress; Stop posts stopWatch; not watching: no Stop', async () => {
  assert.equal(await text('.watch .status'), 'watching ckpt/ · 6 checkpoints');
  await h.push({ type: 'watch', status: { state: 'dissecting', step: 3000, index: 4, total: 5, done: 0.5 } });
  await eventually(async () => assert.equal(await text('.watch .status'), 'dissecting step 3000 · 4 of 5'));
  assert.equal(await app('.watch .fill').evaluate((f) => (f as HTMLElement).style.width), '50%');
  await h.clearPosted();
  await app('.watch vscode-button.stop').click();
  assert.deepEqual(await h.posted(), [{ type: 'stopWatch' }]);
  await h.push({ type: 'watch', status: { state: 'stopped' } });
  await eventually(async () => assert.equal(await app('.watch vscode-button.stop').count(), 0));
  assert.equal(await text('.watch .status'), 'Not watching: the series as it is on disk.');
});

test('ticked checkpoints open the compare panel, by step; the layer select shows another layer and its top concepts with the rest as one band', async () => {
  await h.clearPosted();
  await app('table.checkpoints tr[data-step="4000"] input.pick').check();
  assert.equal(await app('vscode-button.compare').getAttribute('disabled'), '');
  await app('table.checkpoints tr[data-step="1000"] input.pick').check();
  await app('vscode-button.compare').click();
  assert.deepEqual(await h.posted(), [
    {
      type: 'compare',
      items: [
        { runId: '/series/step-1000', layer: 'layer1' },
        { runId: '/series/step-4000', layer: 'layer1' },
      ],
    },
  ]);
  await app('select.layer').selectOption('layer2');
  const r = await lastStrips();
  assert.equal(r.params.layer, 'layer2');
  await eventually(async () => assert.equal(await app('gd-concept-area path.band').count(), 9));
  const bands = await app('gd-concept-area path.band').evaluateAll((ps) =>
    ps.map((p) => [p.getAttribute('data-label'), p.getAttribute('data-counts')]),
  );
  // c0 and c1 have units at two steps: first; then c2 … c7; the last two together
  assert.deepEqual(bands.slice(0, 3), [
    ['c0', '0,0,0,1,1,1'],
    ['c1', '0,0,0,1,1,1'],
    ['c2', '0,0,0,0,1,1'],
  ]);
  assert.deepEqual(bands.at(-1), ['2 other concepts', '0,0,0,0,2,2']);
  assert.deepEqual(
    (await points('interpretable')).map((p) => p.value),
    [0, 0, 0, 2, 10, 10],
  );
});

test('the panel keeps its identity, layer and units across a reload; no CSP violation, no error', async () => {
  const states = (await h.page.evaluate(() => window.__states)) as { runId?: string; layer?: string; shown?: string; units?: number[] }[];
  const last = states.at(-1)!;
  assert.equal(last.runId, '/series');
  assert.equal(last.layer, '');
  assert.equal(last.shown, 'layer2');
  await h.open('training');
  await h.push({ type: 'training', view: view() });
  await eventually(async () => assert.equal(await app('select.layer').inputValue(), 'layer2'));
  const r = await lastStrips();
  assert.deepEqual(r.params, { layer: 'layer2', units: last.units });
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});

test('legible in dark, light and high-contrast themes (WCAG AA contrast)', async () => {
  await h.push({ type: 'training', view: view() });
  await h.page.waitForTimeout(50);
  await assertLegible(h, 'training panel');
});
