/** The artifacts panel's webview app (dist/webview/artifacts.js) in headless Chromium, against a test double of its host. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodePng } from '../../extension/shared/png';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { ArtifactRow, ArtifactsRequests, ArtifactsResultView, ArtifactsView, RepairView } from '../../extension/shared/webview/artifacts';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';

/** Strips: 3 tiles of 16 × 16, 2 px apart; pairs: 24 × 24. */
const TILE = 16;
const STRIP = { width: 3 * TILE + 2 * 2, height: TILE };
const PAIR = 24;
/** The whole factor the app shows them at (160 px target): 10 and 6. */
const STRIP_SCALE = 10;
const PAIR_SCALE = 6;

function png(w: number, h: number, fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(fn(x, y), (y * w + x) * 3);
  return encodePng(rgb, w, h);
}

const stripPath = (u: number) => `/img/artifacts/unit${String(u).padStart(4, '0')}.png`;

function images(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (let u = 0; u < 8; u++)
    m.set(
      stripPath(u),
      png(STRIP.width, STRIP.height, (x, y) => ((x + y) % 4 < 2 ? [200, 30 * u, 60] : [40, 40, 40])),
    );
  for (const s of [11, 27]) {
    m.set(
      `/img/artifacts/pair-${s}-before.png`,
      png(PAIR, PAIR, (x) => (x < 12 ? [220, 40, 200] : [90, 150, 230])),
    );
    m.set(
      `/img/artifacts/pair-${s}-after.png`,
      png(PAIR, PAIR, () => [90, 150, 230]),
    );
  }
  return m;
}

/** Units least realistic first: 5, 2, 7 flagged automatically; 0 has no strip; 3 is unlabelled. */
const RANKING = [5, 2, 7, 1, 3, 6, 4, 0];
const DISTANCES = [81.25, 64.5, 59.125, 33.5, 31.25, 30.5, 29.75, 28.5];
const LABELS: Record<number, [string, string, boolean]> = {
  5: ['tree', 'object', true],
  2: ['window', 'part', true],
  7: ['sky', 'object', false],
  1: ['sky', 'object', true],
  6: ['brick', 'material', true],
  4: ['grass', 'object', true],
  0: ['door', 'part', true],
};

function rows(): ArtifactRow[] {
  return RANKING.map((unit, i) => {
    const l = LABELS[unit];
    return {
      rank: i + 1,
      unit,
      distance: DISTANCES[i],
      ...(l ? { label: l[0], category: l[1], interpretable: l[2] } : {}),
      auto: i < 3,
      ...(unit !== 0 ? { strip: { src: stripPath(unit), ...STRIP } } : {}),
    };
  });
}

const repair: RepairView = {
  units: [2, 5, 7],
  samples: 500,
  seed: 5,
  original: 43.16,
  repaired: 27.14,
  random: { draws: [43.01, 43.52, 42.8, 43.4, 43.12], mean: 43.17, ci95: [42.65, 43.69] },
  pairs: [11, 27].map((sample) => ({
    sample,
    before: { src: `/img/artifacts/pair-${sample}-before.png`, width: PAIR, height: PAIR },
    after: { src: `/img/artifacts/pair-${sample}-after.png`, width: PAIR, height: PAIR },
  })),
  unchanged: { share: 0.8125, meanShift: 0.000312, maxShift: 0.0041, movedShare: 0.0125, onShift: 0.213 },
};

const SEGMENTER_LABEL = "Fréchet distance in the segmenter's features (layer4/Relu_output_0, pooled over space)";

const result: ArtifactsResultView = {
  features: { kind: 'segmenter', model: 'seg.onnx', output: 'layer4/Relu_output_0', dims: 256, label: SEGMENTER_LABEL },
  reference: { kind: 'generated', count: 4000, label: 'the whole generated sample (4000 images)' },
  samples: 4000,
  seed: 1,
  top: 200,
  rows: rows(),
  flagged: [5, 2, 7],
  flagCount: 3,
  repair,
  realistic: {
    threshold: 59.125,
    rule: 'the 3 flagged units left out',
    kept: 5,
    total: 8,
    concepts: [
      { name: 'sky', category: 'object', all: 2, realistic: 1 },
      { name: 'tree', category: 'object', all: 1, realistic: 0 },
      { name: 'brick', category: 'material', all: 1, realistic: 1 },
    ],
  },
  provider: 'cpu',
  seconds: 94.4,
  created: '2026-01-01T00:00:00Z',
};

const view: ArtifactsView = { runId: 'run-1', model: 'church.onnx', layer: 'layer4', units: 8, manual: [2], result };

type Request = RequestMessage<ArtifactsRequests>;

let h: Harness;

before(async () => {
  h = await startHarness(images());
  await h.open('artifacts', { fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-artifacts-app ${sel}`);
const row = (unit: number, sel = '') => app(`gd-artifact-ranking li.row[data-unit="${unit}"] ${sel}`);
const text = async (sel: string) => ((await app(sel).textContent()) ?? '').replace(/\s+/g, ' ').trim();
async function lastRequest(): Promise<Request> {
  return eventually(async () => {
    const r = (await h.posted()).filter((m): m is Request => m.type === 'request').at(-1);
    assert.ok(r, 'a request was posted');
    return r;
  });
}
const tab = async (t: 'ranking' | 'repair' | 'realistic') => app(`.tabs button[data-tab="${t}"]`).click();

test('posts ready; a layer with no run yet offers "Run"', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'artifacts', view: { runId: 'run-1', model: 'church.onnx', layer: 'layer4', units: 8, manual: [] } });
  await eventually(async () => assert.equal(await text('h1.title'), 'Artifact units · layer4'));
  assert.match(await text('.empty'), /No artifacts run for this layer yet/);
  assert.equal(await text('vscode-button.run'), 'Run');
  assert.equal(await app('input.samples').inputValue(), '4000');
  assert.equal(await app('gd-artifact-ranking').count(), 0);
});

test('the ranking: worst first, with the honest label, distances, labels, auto badges and strips scaled ×10, pixelated', async () => {
  await h.push({ type: 'artifacts', view });
  await eventually(async () => assert.equal(await app('gd-artifact-ranking li.row').count(), 8));
  assert.equal(await text('.measure .features'), SEGMENTER_LABEL);
  assert.equal(await text('.measure .reference'), 'the whole generated sample (4000 images)');
  const all = await h.page.locator('gd-artifacts-app').evaluate((el) => el.shadowRoot?.textContent ?? '');
  assert.doesNotMatch(all, /\bFID\b/, 'not called FID: the label does not say so');
  assert.match(await text('.facts'), /4000 samples searched \(seed 1\) · top 200 per unit · 3 flagged automatically · cpu · 94 s/);
  assert.equal(await text('vscode-button.run'), 'Run again');
  const got = await app('gd-artifact-ranking li.row').evaluateAll((lis) =>
    lis.map((li) => ({
      unit: Number(li.getAttribute('data-unit')),
      rank: li.querySelector('.rank')?.textContent?.trim(),
      distance: li.querySelector('.distance')?.textContent?.trim(),
      label: li.querySelector('.label')?.textContent?.trim(),
      auto: li.querySelector('.badge.auto') !== null,
    })),
  );
  assert.deepEqual(
    got.map((g) => g.unit),
    RANKING,
  );
  assert.deepEqual(
    got.map((g) => g.rank),
    RANKING.map((_, i) => `#${i + 1}`),
  );
  assert.deepEqual(
    got.map((g) => g.distance),
    ['81.25', '64.5', '59.13', '33.5', '31.25', '30.5', '29.75', '28.5'],
  );
  assert.deepEqual(
    got.map((g) => g.label),
    ['tree', 'window', 'sky', 'sky', 'unlabelled', 'brick', 'grass', 'door'],
  );
  assert.deepEqual(
    got.map((g) => g.auto),
    [true, true, true, false, false, false, false, false],
  );
  const img = row(5, '.strip img');
  await eventually(async () => assert.ok(await img.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)));
  assert.deepEqual(
    await img.evaluate((i) => {
      const im = i as HTMLImageElement;
      return { src: im.getAttribute('src'), w: im.width, h: im.height, natural: im.naturalWidth, rendering: getComputedStyle(im).imageRendering };
    }),
    { src: stripPath(5), w: STRIP.width * STRIP_SCALE, h: STRIP.height * STRIP_SCALE, natural: STRIP.width, rendering: 'pixelated' },
  );
  assert.equal(await row(0, '.strip img').count(), 0);
  assert.equal(await text('gd-artifact-ranking li.row[data-unit="0"] .noimage'), 'no top samples rendered');
  // zoom ×2 doubles the whole factor
  await app('select.zoom').selectOption('2');
  await eventually(async () => assert.equal(await img.evaluate((i) => (i as HTMLImageElement).height), STRIP.height * STRIP_SCALE * 2));
  await app('select.zoom').selectOption('1');
  await h.screenshot('artifacts');
});

test('the manual flag: the toggle posts flagUnit; the flagged reply updates it and the agreement with the automatic flags', async () => {
  // manual [2], automatic [5, 2, 7]: precision 1/3, recall 1/1
  assert.equal(await text('.agreement .precision'), '33.3%');
  assert.equal(await text('.agreement .recall'), '100.0%');
  assert.match(await text('.agreement'), /1 of 3 automatic flags are also yours.*1 of your 1 found/);
  assert.equal(await row(2, 'vscode-button.manual').getAttribute('aria-pressed'), 'true');
  assert.equal(await text('gd-artifact-ranking li.row[data-unit="1"] vscode-button.manual'), 'Flag');
  await h.clearPosted();
  await row(1, 'vscode-button.manual').click();
  assert.deepEqual(await h.posted(), [{ type: 'flagUnit', layer: 'layer4', unit: 1, flagged: true }]);
  assert.equal(await row(1, 'vscode-button.manual').getAttribute('aria-pressed'), 'false', 'unchanged until the host confirms');
  await h.push({ type: 'flagged', layer: 'other', unit: 1, flagged: true });
  await h.push({ type: 'flagged', layer: 'layer4', unit: 1, flagged: true });
  await eventually(async () => assert.equal(await row(1, 'vscode-button.manual').getAttribute('aria-pressed'), 'true'));
  assert.equal(await text('gd-artifact-ranking li.row[data-unit="1"] vscode-button.manual'), '⚑ Flagged by you');
  // manual [1, 2]: precision 1/3, recall 1/2
  assert.equal(await text('.agreement .recall'), '50.0%');
  await h.clearPosted();
  await row(2, 'vscode-button.manual').click();
  assert.deepEqual(await h.posted(), [{ type: 'flagUnit', layer: 'layer4', unit: 2, flagged: false }]);
  await h.push({ type: 'flagged', layer: 'layer4', unit: 2, flagged: false });
  // manual [1]: no unit both flagged
  await eventually(async () => assert.equal(await text('.agreement .precision'), '0.0%'));
  assert.equal(await text('.agreement .recall'), '0.0%');
  // "flagged only" keeps the automatic flags and the user's
  await app('input.flagged-only').check();
  await eventually(async () =>
    assert.deepEqual(
      await app('gd-artifact-ranking li.row').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-unit')))),
      [5, 2, 7, 1],
    ),
  );
  await app('input.flagged-only').uncheck();
  await eventually(async () => assert.equal(await app('gd-artifact-ranking li.row').count(), 8));
});

test('clicking a unit opens it in the unit panel', async () => {
  await h.clearPosted();
  await row(7, 'button.unit').click();
  assert.deepEqual(await h.posted(), [{ type: 'openUnit', layer: 'layer4', unit: 7 }]);
});

test('"Run again" requests a run with the sample count; progress shows as a bar; Cancel posts cancelJob', async () => {
  await h.clearPosted();
  await app('input.samples').fill('500');
  await app('input.samples').blur();
  await app('input.flag').fill('4');
  await app('input.flag').blur();
  await app('vscode-button.run').click();
  const r = await lastRequest();
  assert.equal(r.kind, 'run');
  const p = r.params as ArtifactsRequests['run']['params'];
  assert.deepEqual({ ...p, job: '' }, { job: '', samples: 500, flag: 4 });
  assert.ok(p.job.length > 0);
  await eventually(async () => assert.equal(await app('vscode-button.run').getAttribute('disabled'), ''));
  await h.push({ type: 'progress', job: p.job, done: 100, total: 400, what: 'top samples' });
  await h.push({ type: 'progress', job: 'someone-else', done: 1, total: 2, what: 'x' });
  const job = app(`.job[data-job="${p.job}"]`);
  await eventually(async () => assert.equal(await job.locator('.text').textContent(), 'Finding artifact units: top samples (100/400)'));
  assert.equal(await job.locator('[role="progressbar"]').getAttribute('aria-valuenow'), '100');
  assert.equal(await job.locator('.fill').evaluate((f) => (f as HTMLElement).style.width), '25%');
  await h.screenshot('artifacts-progress');
  await job.locator('vscode-button.cancel').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'cancelJob', job: p.job });
  await eventually(async () => assert.equal(await app('.job').count(), 0));
  await h.push({ type: 'response', id: r.id, error: 'artifacts cancelled' });
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(await app('.error').count(), 0, 'a cancelled run is no error');
  assert.equal(await app('gd-artifact-ranking li.row').count(), 8, 'the earlier result stays');
});

test('a finished run replaces the result; an FID label is shown as given; a failed run shows its error', async () => {
  await app('vscode-button.run').click();
  const r = await lastRequest();
  const fid = 'FID (Inception-v3 pool_3, 2048 features)';
  const next: ArtifactsView = {
    ...view,
    manual: [1],
    result: {
      ...result,
      features: { kind: 'model', model: 'inception.onnx', output: 'pool_3', dims: 2048, label: fid },
      reference: { kind: 'real', dir: '/data/church', count: 900, label: 'real images in /data/church (900)' },
      samples: 500,
      rows: rows().slice(0, 4),
      flagged: [5, 2, 7, 1],
      flagCount: 4,
    },
  };
  await h.push({ type: 'progress', job: (r.params as ArtifactsRequests['run']['params']).job, done: 400, total: 400, what: 'done' });
  await h.push({ type: 'response', id: r.id, result: next });
  await eventually(async () => assert.equal(await text('.measure .features'), fid));
  assert.equal(await text('.measure .reference'), 'real images in /data/church (900)');
  assert.equal(await app('gd-artifact-ranking li.row').count(), 4);
  assert.equal(await app('.job').count(), 0);
  await app('vscode-button.run').click();
  const bad = await lastRequest();
  assert.notEqual(bad.id, r.id);
  await h.push({ type: 'response', id: bad.id, error: 'no samples activate layer4' });
  await eventually(async () => assert.equal(await text('.error'), 'The artifacts run failed: no samples activate layer4'));
  await h.push({ type: 'artifacts', view: { ...view, manual: [2, 4] } });
  await eventually(async () => assert.equal(await text('.measure .features'), SEGMENTER_LABEL));
  assert.equal(await row(4, 'vscode-button.manual').getAttribute('aria-pressed'), 'true', 'the manual flags as the new view has them');
});

test('the repair: Table 1 with the random baseline, the unchanged pixels in words, before/after pairs ×6', async () => {
  await tab('repair');
  const cells = (cls: string) =>
    app(`gd-repair-view table.table1 tr.${cls}`).evaluate((tr) =>
      Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim()),
    );
  await eventually(async () => assert.deepEqual(await cells('original'), ['original', '0', '43.16', '']));
  assert.deepEqual(await cells('repaired'), ['repaired', '3', '27.14', '']);
  assert.deepEqual(await cells('random'), ['3 random units ablated (mean of 5 draws)', '3', '43.17 ± 0.52', '[42.65, 43.69]']);
  const caption = await text('gd-repair-view caption');
  assert.equal(caption, `${SEGMENTER_LABEL} to the whole generated sample (4000 images), each over 500 fresh samples (seed 5).`);
  assert.equal(await text('gd-repair-view .units'), 'Units ablated: 2, 5, 7');
  assert.equal(
    await text('gd-repair-view .unchanged'),
    "Pixels away from the ablated units (81.3% of the pixels of the before/after samples): mean shift 0.000312, max 0.0041 (in the image's range); " +
      '1.3% of them moved more than 1/255 of it. Where the ablated units are on: mean shift 0.213.',
  );
  const pairs = await app('gd-repair-view figure.repair-pair').evaluateAll((fs) =>
    fs.map((f) => ({
      sample: f.getAttribute('data-sample'),
      imgs: Array.from(f.querySelectorAll('img')).map((i) => [
        i.getAttribute('src'),
        (i as HTMLImageElement).width,
        getComputedStyle(i).imageRendering,
      ]),
    })),
  );
  assert.deepEqual(
    pairs,
    [11, 27].map((s) => ({
      sample: String(s),
      imgs: [
        [`/img/artifacts/pair-${s}-before.png`, PAIR * PAIR_SCALE, 'pixelated'],
        [`/img/artifacts/pair-${s}-after.png`, PAIR * PAIR_SCALE, 'pixelated'],
      ],
    })),
  );
  await h.screenshot('artifacts-repair');
});

test('"Save repaired generator…" requests the chosen units; the answer names the file and the max |Δ|', async () => {
  const save = app('gd-save-repaired vscode-button.save');
  await h.clearPosted();
  await save.click();
  let r = await lastRequest();
  assert.deepEqual({ kind: r.kind, params: r.params }, { kind: 'save', params: { units: [2, 5, 7] } });
  await eventually(async () => assert.equal(await app('gd-save-repaired [role="status"]').count(), 1), 2000);
  await h.push({ type: 'response', id: r.id, result: { saved: true, file: '/models/church-repaired.onnx', units: [2, 5, 7], maxDiff: 2.4e-7 } });
  await eventually(async () =>
    assert.equal(
      await text('gd-save-repaired .saved'),
      "Saved /models/church-repaired.onnx with 3 units ablated. Its images equal the intervention's (max |Δ| 2.4e-7).",
    ),
  );
  // the user's flags only; a save dialog closed: nothing to say
  await app('gd-save-repaired input[value="manual"]').check();
  await h.clearPosted();
  await save.click();
  r = await lastRequest();
  assert.deepEqual(r.params, { units: [2, 4] });
  await h.push({ type: 'response', id: r.id, result: { saved: false } });
  await eventually(async () => assert.equal(await app('gd-save-repaired .saved').count(), 0));
  // all flagged units: automatic and the user's
  await app('gd-save-repaired input[value="flagged"]').check();
  await h.clearPosted();
  await save.click();
  r = await lastRequest();
  assert.deepEqual(r.params, { units: [2, 4, 5, 7] });
  await h.push({ type: 'response', id: r.id, result: { saved: true, file: '/tmp/g.onnx', units: [2, 4, 5, 7], maxDiff: 0.02 } });
  await eventually(async () => assert.match(await text('gd-save-repaired .warning'), /differ from the intervention's by up to 2\.0e-2/));
  await app('gd-save-repaired vscode-button.intervene').click();
  assert.deepEqual((await h.posted()).at(-1), { type: 'intervene', layer: 'layer4', units: [2, 4, 5, 7], mode: 'ablate' });
});

test('realistic units only: per concept all vs realistic, the rule, concepts that lose units marked', async () => {
  await tab('realistic');
  await eventually(async () => assert.equal(await app('gd-realistic-summary tr.concept').count(), 3));
  assert.equal(await text('gd-realistic-summary .rule'), '5 of 8 units kept: those at distance ≤ 59.13 (the 3 flagged units left out).');
  const got = await app('gd-realistic-summary tr.concept').evaluateAll((trs) =>
    trs.map((tr) => [
      tr.getAttribute('data-concept'),
      tr.querySelector('.all')?.textContent,
      tr.querySelector('.realistic')?.textContent,
      tr.classList.contains('fewer'),
    ]),
  );
  assert.deepEqual(got, [
    ['sky', '2', '1', true],
    ['tree', '1', '0', true],
    ['brick', '1', '1', false],
  ]);
});

test('the identity, sample count and tab persist; another layer starts over', async () => {
  const state = (await h.page.evaluate(() => window.__states)).at(-1) as { runId: string; layer: string; samples: number; tab: string };
  assert.deepEqual([state.runId, state.layer, state.samples, state.tab], ['run-1', 'layer4', 500, 'realistic']);
  await h.open('artifacts');
  await h.push({ type: 'artifacts', view });
  await eventually(async () => assert.equal(await app('gd-realistic-summary tr.concept').count(), 3));
  assert.equal(await app('input.samples').inputValue(), '500');
  await h.push({ type: 'artifacts', view: { runId: 'run-1', model: 'church.onnx', layer: 'layer5', units: 4, manual: [] } });
  await eventually(async () => assert.equal(await text('h1.title'), 'Artifact units · layer5'));
  assert.equal(await app('gd-artifact-ranking').count(), 0);
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});

test('legible in dark, light and high-contrast themes (WCAG AA contrast)', async () => {
  await h.push({ type: 'artifacts', view });
  await h.page.waitForTimeout(50);
  await assertLegible(h, 'artifacts panel');
});
