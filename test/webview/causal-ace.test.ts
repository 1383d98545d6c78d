/**
 * The causal panel's ACE table (webview/causal/ace-table.ts) in headless Chromium: the ablation, insertion
 * everywhere and insertion at one sampled location as separate rows of each unit set's column, a negative
 * "added" flagged and explained for the insertion the search used, and the insertion choice sent with the request.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { CausalConceptResult, CausalRequests, CausalView } from '../../extension/shared/webview/causal';
import { eventually, startHarness, type Harness } from './harness';
import { fixtureImages } from './fixtures';
import { assertLegible } from './contrast';

const door: CausalConceptResult = {
  concept: 'door',
  units: [3, 9, 1],
  iouUnits: [9, 3, 4],
  curves: { ace: [0.2, 0.35, 0.41], iou: [0.1, 0.3, 0.33] },
  ace: {
    ace: 0.388,
    removed: 0.412,
    added: -0.024,
    ci: { ace: [0.35, 0.426], removed: [0.39, 0.434], added: [-0.031, -0.017] },
    atLocation: { added: 0.006, ace: 0.418, ci: { added: [0.002, 0.01], ace: [0.396, 0.44] } },
  },
  iouAce: {
    ace: 0.301,
    removed: 0.297,
    added: 0.004,
    ci: { ace: [0.27, 0.332], removed: [0.27, 0.324], added: [0.001, 0.007] },
    atLocation: { added: -0.003, ace: 0.294, ci: { added: [-0.005, -0.001], ace: [0.27, 0.318] } },
  },
  samples: 200,
  insertion: 'paper',
};

/** Read from disk: no insertion recorded; everything positive. */
const sky: CausalConceptResult = {
  concept: 'sky',
  units: [1, 7],
  curves: { ace: [0.25, 0.45] },
  ace: {
    ace: 0.61,
    removed: 0.5,
    added: 0.11,
    ci: { ace: [0.55, 0.67], removed: [0.46, 0.54], added: [0.09, 0.13] },
    atLocation: { added: 0.01, ace: 0.51, ci: { added: [0.005, 0.015], ace: [0.47, 0.55] } },
  },
  samples: 100,
};

const view: CausalView = {
  runId: 'run-a',
  model: 'church.onnx',
  layer: 'layer4',
  concepts: ['door', 'sky', 'tree'],
  results: [door, sky],
  contexts: [],
};

type Request = RequestMessage<CausalRequests>;
let h: Harness;

before(async () => {
  h = await startHarness(fixtureImages());
  await h.open('causal', { fresh: true });
  await h.push({ type: 'causal', view });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-causal-app ${sel}`);
const table = (concept: string, sel = '') => app(`section.card[data-concept="${concept}"] gd-ace-table ${sel}`);
const texts = (concept: string, sel: string) => table(concept, sel).evaluateAll((es) => es.map((e) => e.textContent?.replace(/\s+/g, ' ').trim()));

test('one row per measure, one column per unit set: ablation, insertion everywhere, insertion at one sampled location', async () => {
  await eventually(async () => assert.equal(await table('door', 'tbody tr').count(), 5));
  assert.deepEqual(await texts('door', 'tbody th'), [
    'Removed · ablation, whole image',
    'Added · insertion everywhere',
    'ACE · insertion everywhere − ablation',
    'Added · insertion at one sampled location',
    "ACE · one sampled location − ablation (the paper's protocol)",
  ]);
  assert.deepEqual(await texts('door', 'thead th'), ['Measure (fraction of door)', 'causal ranking · 3 units', 'IoU ranking · 3 units']);
  const values = (cls: string) => table('door', `td.${cls}`).evaluateAll((ts) => ts.map((t) => Number(t.getAttribute('data-value'))));
  const a = door.ace;
  const i = door.iouAce!;
  assert.deepEqual(await values('causal'), [a.removed, a.added, a.ace, a.atLocation!.added, a.atLocation!.ace]);
  assert.deepEqual(await values('iou'), [i.removed, i.added, i.ace, i.atLocation!.added, i.atLocation!.ace]);
  // each value with its 95% interval, negative numbers with a minus sign
  assert.deepEqual(await texts('door', 'tr.added td.causal .ci'), ['[−0.031, −0.017]']);
  assert.deepEqual(await texts('door', 'tr.ace-at td .ci'), ['[0.396, 0.440]', '[0.270, 0.318]']);
  assert.deepEqual(await texts('door', 'tr.removed td .value'), ['0.412', '0.297']);
});

test('a negative "added" is flagged in its cells and explained for the insertion used (r′ = k lowers units above k)', async () => {
  const flagged = await table('door', 'td.negative').evaluateAll((ts) => ts.map((t) => `${t.closest('tr')?.className} ${t.classList[0]}`));
  assert.deepEqual(flagged, ['added causal', 'added-at iou'], 'only the negative "added" cells');
  const tip = await table('door', 'tr.added td.causal').getAttribute('title');
  assert.match(tip ?? '', /r′ = k\): units that were already above k were lowered/);
  const note = table('door', '.note.negative-added');
  assert.equal(await note.getAttribute('role'), 'note');
  const text = ((await note.textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(text, /inserting the units lowered door \(causal ranking, everywhere: −0\.024; IoU ranking, at one location: −0\.003\)/);
  assert.match(text, /units that were already above k were lowered — often where door was/);
  assert.match(text, /Insertion: r′ = k \(the paper's §3\.2\) — choose another under Insertion above and search again/);
  // all positive: no flag and no note
  assert.equal(await table('sky', 'td.negative').count(), 0);
  assert.equal(await table('sky', '.note').count(), 0);
  assert.equal(await table('sky', 'td.iou').count(), 0, 'no IoU column without an IoU result');
});

test('with max(r, k) the note says the pixels were replaced; unrecorded insertion gives both reasons', async () => {
  await h.push({
    type: 'causal',
    view: {
      ...view,
      results: [
        { ...door, insertion: 'high' },
        { ...sky, ace: { ...sky.ace, added: -0.01 } },
      ],
    },
  });
  await eventually(async () =>
    assert.match((await table('door', '.note .reason').textContent()) ?? '', /max\(r, k\), so no unit was lowered: door's pixels were replaced/),
  );
  assert.match((await table('door', '.note .insertion').textContent()) ?? '', /max\(r, k\), k high \(default\)/);
  const skyNote = ((await table('sky', '.note').textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(skyNote, /does not record its insertion/);
  assert.match(skyNote, /Insertion: not recorded/);
  // a result from before the single-location measure: a dash, not a number
  const old = { ...sky.ace };
  delete old.atLocation;
  await h.push({ type: 'causal', view: { ...view, results: [door, { ...sky, ace: old }] } });
  await eventually(async () => assert.deepEqual(await texts('sky', 'tr.added-at td'), ['—']));
  assert.equal(await table('sky', 'tr.added-at td').getAttribute('data-value'), null);
  assert.match((await table('sky', 'tr.added-at td').getAttribute('title')) ?? '', /Not in this result/);
});

test('the insertion chosen in the toolbar goes with the search, and persists', async () => {
  await h.clearPosted();
  await app('select.insertion').selectOption('quantile');
  await app('select.concept').selectOption('tree');
  await app('.form vscode-button.find').click();
  const r = await eventually(async () => {
    const m = (await h.posted()).filter((x): x is Request => x.type === 'request').at(-1);
    assert.ok(m);
    return m;
  });
  assert.equal(r.kind, 'causal');
  assert.deepEqual({ ...r.params, job: '' }, { job: '', concept: 'tree', count: 20, samples: 200, insertion: 'quantile' });
  const state = (await h.page.evaluate(() => window.__states)).at(-1) as { insertion?: string };
  assert.equal(state.insertion, 'quantile');
  await h.open('causal');
  await h.push({ type: 'causal', view });
  await eventually(async () => assert.equal(await app('select.insertion').inputValue(), 'quantile'));
  await eventually(async () => assert.equal(await table('door', '.note.negative-added').count(), 1));
  await assertLegible(h, 'the ACE table with a negative-added note');
  await app('section.card[data-concept="door"]').scrollIntoViewIfNeeded();
  await h.screenshot('causal-ace');
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});
