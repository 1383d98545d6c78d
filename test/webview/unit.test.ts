/** The unit panel's webview app (dist/webview/unit.js) in headless Chromium. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { UnitRequests } from '../../extension/shared/webview/unit';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';
import { TILE, fixtureImages, imagePath, makeHeatmaps, makeUnitView, makeUnits } from './fixtures';

let h: Harness;
const view = makeUnitView();
const unit = view.unit;

before(async () => {
  h = await startHarness(fixtureImages());
  await h.open('unit', { fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-unit-app ${sel}`);

/** The last heatmap request the app posted. */
async function lastRequest(): Promise<RequestMessage<UnitRequests>> {
  return eventually(async () => {
    const r = (await h.posted()).filter((m): m is RequestMessage<UnitRequests> => m.type === 'request').at(-1);
    assert.ok(r, 'a request was posted');
    return r;
  });
}

test('posts ready, then shows the unit: title, numbers, and its top images ×3, captioned', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'unit', view });
  await eventually(async () => assert.equal((await app('h1.title').textContent())?.trim(), 'unit 0 · tree'));
  assert.equal(await app('dd.iou').textContent(), '0.214');
  assert.equal(await app('dd.category').textContent(), 'object');
  assert.equal(await app('dd.iqr').textContent(), '0.5');
  assert.equal(await app('dd.threshold').textContent(), '3');
  const tiles = await app('figure.top-image').evaluateAll((figs) =>
    figs.map((f) => {
      const t = f.querySelector('.tile') as HTMLElement;
      const s = getComputedStyle(t);
      return {
        sample: f.getAttribute('data-sample'),
        caption: f.querySelector('figcaption')?.textContent,
        width: s.width,
        height: s.height,
        position: s.backgroundPosition,
        size: s.backgroundSize,
        rendering: s.imageRendering,
        image: s.backgroundImage,
      };
    }),
  );
  assert.equal(tiles.length, unit.top.length);
  tiles.forEach((t, i) => {
    assert.equal(t.sample, String(unit.top[i].sample));
    assert.equal(t.caption, `#${unit.top[i].sample} · max ${Number(unit.top[i].maxact.toPrecision(3))}`);
    assert.equal(t.width, `${TILE.width * 3}px`);
    assert.equal(t.height, `${TILE.height * 3}px`);
    assert.equal(t.position, `${-i * (TILE.width + TILE.gap) * 3}px 0px`);
    assert.equal(t.size, `${(4 * TILE.width + 3 * TILE.gap) * 3}px ${TILE.height * 3}px`);
    assert.equal(t.rendering, 'pixelated');
    assert.ok(t.image.endsWith(`${imagePath(0)}")`), t.image);
  });
  assert.equal(await app('vscode-button.flag').textContent(), 'Flag as artifact');
  await h.screenshot('unit');
});

test('the best concepts show as IoU bars, scaled to the best', async () => {
  const bars = await app('gd-concept-bars .bar').evaluateAll((bs) =>
    bs.map((b) => ({ label: b.getAttribute('data-label'), width: b.getBoundingClientRect().width, cls: b.getAttribute('class') })),
  );
  assert.deepEqual(
    bars.map((b) => b.label),
    unit.concepts.map((c) => c.label),
  );
  assert.ok(Math.abs(bars[1].width / bars[0].width - unit.concepts[1].iou / unit.concepts[0].iou) < 0.02, 'widths proportional to IoU');
  assert.ok(bars[0].cls?.includes('cat-object'));
  assert.match((await app('gd-concept-bars .rows').textContent()) ?? '', /IoU 0\.214[\s\S]*IoU 0\.051/);
});

test('Ablate… and Insert… open the intervention panel on this unit', async () => {
  await h.clearPosted();
  await app('vscode-button.ablate').click();
  await app('vscode-button.insert').click();
  assert.deepEqual(await h.posted(), [
    { type: 'intervene', layer: 'layer4', units: [0], mode: 'ablate' },
    { type: 'intervene', layer: 'layer4', units: [0], mode: 'insert' },
  ]);
});

test('Flag as artifact posts flagUnit and reflects the flagged reply; Unflag undoes it', async () => {
  await h.clearPosted();
  await app('vscode-button.flag').click();
  assert.deepEqual(await h.posted(), [{ type: 'flagUnit', layer: 'layer4', unit: 0, flagged: true }]);
  await h.push({ type: 'flagged', layer: 'layer4', unit: 1, flagged: true }); // another unit: ignored
  await h.push({ type: 'flagged', layer: 'layer4', unit: 0, flagged: true });
  await eventually(async () => assert.equal(await app('vscode-button.flag').textContent(), 'Unflag'));
  assert.equal(await app('.flagged').count(), 1);
  await h.clearPosted();
  await app('vscode-button.flag').click();
  assert.deepEqual(await h.posted(), [{ type: 'flagUnit', layer: 'layer4', unit: 0, flagged: false }]);
  await h.push({ type: 'flagged', layer: 'layer4', unit: 0, flagged: false });
  await eventually(async () => assert.equal(await app('vscode-button.flag').textContent(), 'Flag as artifact'));
});

test('Go to Source posts goToSource; hidden when the layer has no known source', async () => {
  await h.clearPosted();
  await app('vscode-button.source').click();
  assert.deepEqual(await h.posted(), [{ type: 'goToSource', layer: 'layer4' }]);
});

test('heatmaps: a request for 6 fresh samples, a loading state, then each image beside its heatmap', async () => {
  await h.clearPosted();
  await app('vscode-button.show-heatmaps').click();
  const req = await lastRequest();
  assert.deepEqual(req, { type: 'request', id: req.id, kind: 'heatmaps', params: { layer: 'layer4', unit: 0, count: 6 } });
  await eventually(async () => assert.equal(await app('section.heatmaps vscode-progress-ring').count(), 1));
  assert.equal(await app('vscode-button.show-heatmaps').getAttribute('disabled'), '');
  await h.screenshot('unit-loading');
  // an answer to some other request is not ours
  await h.push({ type: 'response', id: req.id + 100, error: 'not for you' });
  const set = makeHeatmaps(6);
  await h.push({ type: 'response', id: req.id, result: set });
  await eventually(async () => assert.equal(await app('gd-heatmaps figure.sample').count(), 6));
  const pairs = await app('gd-heatmaps figure.sample').evaluateAll((figs) =>
    figs.map((f) => [f.querySelector('img.image')?.getAttribute('src'), f.querySelector('img.heatmap')?.getAttribute('src')]),
  );
  assert.deepEqual(
    pairs,
    set.samples.map((s) => [s.image, s.heatmap]),
  );
  const side = await app('gd-heatmaps figure.sample')
    .first()
    .evaluate((f) => {
      const [a, b] = Array.from(f.querySelectorAll('img')).map((i) => i.getBoundingClientRect());
      return { sameRow: a.top === b.top, after: b.left >= a.right };
    });
  assert.deepEqual(side, { sameRow: true, after: true });
  await eventually(async () =>
    assert.ok(
      await app('gd-heatmaps img.heatmap')
        .last()
        .evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth === 32),
      'heatmap loaded',
    ),
  );
  assert.equal(await app('section.heatmaps .error').count(), 0);
  // one colour scale for all heatmaps: 0 … the unit's top activation, the threshold (the contour) marked at 1.25 / 5
  const marker = await app('gd-heatmaps .scale .threshold').evaluate((e: HTMLElement) => e.style.left);
  assert.equal(marker, '25%');
  assert.match(await app('gd-heatmaps .scale figcaption').innerText(), /threshold 1\.25.*white contour/s);
  await h.screenshot('unit-heatmaps');
});

test('a failed heatmap request shows the error', async () => {
  await h.clearPosted();
  await app('vscode-button.show-heatmaps').click();
  const req = await lastRequest();
  await h.push({ type: 'response', id: req.id, error: 'the generator ran out of memory' });
  await eventually(async () =>
    assert.equal(await app('section.heatmaps .error').textContent(), 'Could not compute heatmaps: the generator ran out of memory'),
  );
  assert.equal(await app('gd-heatmaps').count(), 0);
  await h.screenshot('unit-error');
});

test('another unit replaces the view and drops the old heatmaps', async () => {
  const other = makeUnits()[8]; // no strip rendered
  await h.push({ type: 'unit', view: makeUnitView({ unit: other, hasSource: false }) });
  await eventually(async () => assert.equal((await app('h1.title').textContent())?.trim(), 'unit 8 · wood'));
  assert.equal(await app('section.heatmaps .error').count(), 0);
  assert.equal(await app('figure.top-image').count(), 0);
  assert.match((await app('section.top').textContent()) ?? '', /No top images/);
  assert.equal(await app('vscode-button.source').count(), 0);
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});

test('with a jackknife and per-concept thresholds: IoU ± its standard error, label stability, the unit as a detector of each concept', async () => {
  const u = {
    ...unit,
    stability: { iouSe: 0.0125, agree: 9, blocks: 10 },
    detectors: [
      { label: 'tree', category: 'object', iou: 0.31, iqr: 0.2, threshold: 1.25 },
      { label: 'grass', category: 'object', iou: 0.125, iqr: 0.05, threshold: 0.5 },
    ],
  };
  await h.push({ type: 'unit', view: { ...view, unit: u } });
  await eventually(async () => assert.equal(await app('dd.iou').textContent(), '0.214 ± 0.013'));
  assert.equal(await app('dd.stability').textContent(), 'in 9/10 blocks');
  const lines = await app('section.detectors li.detector').allTextContents();
  assert.deepEqual(lines, ['as a tree detector: IoU 0.310 at threshold 1.25', 'as a grass detector: IoU 0.125 at threshold 0.5']);
  // a run without them (older, or quantile mode without blocks) shows neither
  await h.push({ type: 'unit', view });
  await eventually(async () => assert.equal(await app('dd.iou').textContent(), '0.214'));
  assert.equal(await app('dd.stability').count(), 0);
  assert.equal(await app('section.detectors').count(), 0);
});

test('with an artifacts result: the realism score and rank with what it is measured in, the automatic flag, "Artifact units…"', async () => {
  const realism = { distance: 64.5, rank: 2, of: 9, label: "Fréchet distance in the segmenter's features", reference: 'the whole generated sample' };
  await h.push({ type: 'unit', view: { ...view, unit: { ...unit, autoFlagged: true }, realism } });
  await eventually(async () => assert.equal(await app('.realism .rank').textContent(), '2'));
  assert.equal(
    ((await app('.realism').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    "Realism: rank 2 of 9 (1 = least realistic), distance 64.5 — Fréchet distance in the segmenter's features to the whole generated sample",
  );
  assert.equal(await app('.auto-flagged').textContent(), '⚑ flagged automatically');
  assert.equal(await app('vscode-button.flag').textContent(), 'Flag as artifact', "the manual flag is the user's own");
  await h.clearPosted();
  await app('vscode-button.artifacts').click();
  assert.deepEqual(await h.posted(), [{ type: 'openArtifacts', layer: 'layer4' }]);
  await h.push({ type: 'unit', view });
  await eventually(async () => assert.equal(await app('.realism').count(), 0));
  assert.equal(await app('.auto-flagged').count(), 0);
});

test('legible in dark, light and high-contrast themes (WCAG AA contrast)', async () => {
  await h.push({ type: 'unit', view });
  await h.page.waitForTimeout(50);
  await assertLegible(h, 'unit panel');
});
