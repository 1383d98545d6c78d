/** The intervention panel's webview app (dist/webview/intervene.js) in headless Chromium. */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodePng } from '../../extension/shared/png';
import type { RequestMessage } from '../../extension/shared/webview/common';
import type { InterveneRequests, InterventionSpec, InterventionView, PreviewResult } from '../../extension/shared/webview/intervene';
import { eventually, startHarness, type Harness } from './harness';
import { assertLegible } from './contrast';
import { fixtureImages, makeUnits } from './fixtures';

const W = 24;
const H = 24;
const SAMPLES = [11, 12, 13];
const TAGS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const LABELS = [
  { name: 'tree', category: 'object', colour: '#2ca02c' },
  { name: 'sky', category: 'object', colour: '#1f77b4' },
  { name: 'building', category: 'object', colour: '#8c564b' },
  { name: 'grass', category: 'object', colour: '#98df8a' },
  { name: 'door', category: 'part', colour: '#d62728' },
];

function png(fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set(fn(x, y), (y * W + x) * 3);
  return encodePng(rgb, W, H);
}
const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

function images(): Map<string, Buffer> {
  const m = fixtureImages();
  const [tree, sky, building, , door] = LABELS.map((l) => hex(l.colour));
  SAMPLES.forEach((s, i) => {
    const scene =
      (edited: number) =>
      (x: number, y: number): [number, number, number] =>
        y < 8 ? [90, 140 + i * 20, 220] : x < 12 - edited * 3 ? [40, 120 + ((x + y) % 3) * 20, 50] : [150 + i * 20, 110, 90 - edited * 10];
    const seg = (edited: number) => (x: number, y: number) =>
      y < 8 ? sky : x < 12 - edited * 3 ? tree : x > 18 && y > 16 && edited ? door : building;
    m.set(`/img/iv/before${s}.png`, png(scene(0)));
    m.set(`/img/iv/seg${s}.png`, png(seg(0)));
    TAGS.forEach((t, k) => {
      m.set(`/img/iv/after-${t}-${s}.png`, png(scene(1 + (k % 3))));
      m.set(`/img/iv/segafter-${t}-${s}.png`, png(seg(1 + (k % 3))));
    });
  });
  return m;
}

function makeView(over: Partial<InterventionView> = {}): InterventionView {
  return {
    runId: 'run-1',
    model: 'church.onnx',
    layer: 'layer4',
    shape: [9, 8, 8],
    image: { width: W, height: H },
    labels: LABELS,
    units: makeUnits().map((u) => ({ unit: u.unit, label: u.label, iou: u.iou })),
    rankings: { tree: { iou: [0, 6, 4], ace: [6, 4, 0] }, sky: { iou: [1, 7] }, window: { iou: [2] } },
    samples: SAMPLES.map((s) => ({ sample: s, before: `/img/iv/before${s}.png`, segBefore: `/img/iv/seg${s}.png` })),
    ...over,
  };
}

function preview(tag: string, msPerImage = 12.5): PreviewResult {
  return {
    after: SAMPLES.map((s) => `/img/iv/after-${tag}-${s}.png`),
    segAfter: SAMPLES.map((s) => `/img/iv/segafter-${tag}-${s}.png`),
    changes: SAMPLES.map((s, i) => ({
      sample: s,
      before: { tree: 0.3, sky: 0.5, building: 0.2 - i * 0.01 },
      after: { tree: 0.3 * (1 - 0.83), sky: 0.55, building: (0.2 - i * 0.01) * 1.12, door: 0.02 },
    })),
    ms: msPerImage * SAMPLES.length,
    msPerImage,
  };
}

type Request = RequestMessage<InterveneRequests>;

let h: Harness;
const view = makeView();
const answered = new Set<number>();

/** The intervention page: the harness's page with the intervention bundle instead of the layer one. */
async function openApp(opts: { fresh?: boolean } = {}) {
  await h.open('intervene', opts);
  answered.clear();
}

before(async () => {
  h = await startHarness(images());
  await openApp({ fresh: true });
});
after(async () => h?.close());

const app = (sel: string) => h.page.locator(`gd-intervene-app ${sel}`);
const requests = async () => (await h.posted()).filter((m): m is Request => m.type === 'request');
/** The preview requests not answered yet. */
const open = async () => (await requests()).filter((r) => !answered.has(r.id));
async function reply(r: Request, p: PreviewResult) {
  answered.add(r.id);
  await h.push({ type: 'response', id: r.id, result: p });
}
/** The one open request (there is never more than one). */
async function pending(): Promise<Request> {
  return eventually(async () => {
    const o = await open();
    assert.equal(o.length, 1, `one request in flight: ${JSON.stringify(o.map((r) => r.id))}`);
    assert.equal(o[0].kind, 'preview');
    return o[0];
  });
}
const specOf = (r: Request): InterventionSpec => r.params.spec;
const afterSrcs = () => app('img.after').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
const chips = () => app('.chip').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-unit'))));
/** Answers the open request and waits until the app has nothing more to ask. */
async function settle(tag: string) {
  await reply(await pending(), preview(tag));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal((await open()).length, 0, 'nothing more to ask');
}
async function setRange(sel: string, value: number) {
  await app(sel).evaluate((el: HTMLInputElement, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}
function decode(mask: InterventionSpec['mask']): Uint8Array {
  assert.ok(mask, 'a mask');
  assert.equal(mask.width, W);
  assert.equal(mask.height, H);
  const bytes = new Uint8Array(Buffer.from(mask.data, 'base64'));
  assert.equal(bytes.length, W * H);
  return bytes;
}
const painted = (bytes: Uint8Array) => [...bytes].flatMap((v, i) => (v > 0 ? [[i % W, Math.floor(i / W)]] : []));
/** Page coordinates of the centre of image pixel (x, y) on the painting canvas. */
async function at(x: number, y: number): Promise<[number, number]> {
  const box = await app('gd-mask-painter canvas').boundingBox();
  assert.ok(box);
  return [box.x + ((x + 0.5) * box.width) / W, box.y + ((y + 0.5) * box.height) / H];
}

test('posts ready, shows the samples, and previews the default spec: the first concept’s top IoU units, everywhere', async () => {
  assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
  await h.push({ type: 'intervention', view });
  await eventually(async () => assert.equal(await app('h1.title').textContent(), 'Intervene · layer4'));
  const r = await pending();
  assert.deepEqual(specOf(r), { units: [0, 6, 4], mode: 'ablate', strength: 1, concept: 'tree', insertion: 'high', mask: null });
  assert.deepEqual(await chips(), [0, 6, 4]);
  assert.deepEqual(await app('tr.sample').evaluateAll((rs) => rs.map((x) => Number(x.getAttribute('data-sample')))), SAMPLES);
  assert.deepEqual(
    await app('img.before').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))),
    SAMPLES.map((s) => `/img/iv/before${s}.png`),
  );
  assert.equal(await app('img.after').count(), 0, 'no after-images before the answer');
  await reply(r, preview('a'));
  await eventually(async () =>
    assert.deepEqual(
      await afterSrcs(),
      SAMPLES.map((s) => `/img/iv/after-a-${s}.png`),
    ),
  );
  assert.deepEqual(
    await app('img.seg-after').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))),
    SAMPLES.map((s) => `/img/iv/segafter-a-${s}.png`),
  );
  assert.match((await app('.status .timing').textContent()) ?? '', /^12\.5 ms per image/);
  // changes as shares of the image's pixels (tree 30% → 5.1%), not relative to the label's own area (−83%)
  assert.deepEqual(await app('tr.sample[data-sample="11"] ul.changes li').allTextContents(), [
    'tree \u221224.9% of the image',
    'sky +5.0% of the image',
    'building +2.4% of the image',
    'door +2.0% of the image',
  ]);
  assert.deepEqual(await app('tr.sample[data-sample="11"] ul.changes li').evaluateAll((ls) => ls.map((l) => l.getAttribute('title'))), [
    'tree: 30.0% \u2192 5.1% of the image',
    'sky: 50.0% \u2192 55.0% of the image',
    'building: 20.0% \u2192 22.4% of the image',
    'door: 0.0% \u2192 2.0% of the image (new)',
  ]);
  assert.deepEqual(await app('tr.sample[data-sample="13"] ul.changes li').allTextContents(), [
    'tree \u221224.9% of the image',
    'sky +5.0% of the image',
    'building +2.2% of the image',
    'door +2.0% of the image',
  ]);
  const img = await app('img.after')
    .first()
    .evaluate((i: HTMLImageElement) => ({ w: getComputedStyle(i).width, rendering: getComputedStyle(i).imageRendering }));
  assert.deepEqual(img, { w: `${W * 3}px`, rendering: 'pixelated' });
  await eventually(async () =>
    assert.equal(
      await app('img.after')
        .first()
        .evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth),
      W,
    ),
  );
});

test('units from a ranking: concept, IoU or causal order, top n; one request in flight, the latest sent after the reply, stale replies dropped', async () => {
  assert.equal(await app('select').evaluateAll((ss) => ss.filter((x) => /concept/.test(x.className)).length), 1, 'one concept choice');
  assert.equal(await app('select.rank-concept').count(), 0);
  await app('select.concept').selectOption('sky');
  let r = await pending();
  assert.deepEqual(specOf(r).units, [1, 7]);
  assert.equal(specOf(r).concept, 'sky');
  assert.deepEqual(await chips(), [1, 7]);
  assert.equal(await app('select.rank-by option[value="ace"]').evaluate((o: HTMLOptionElement) => o.disabled), true, 'no causal ranking for sky');
  await reply(r, preview('b'));
  await eventually(async () => assert.equal((await afterSrcs())[0], '/img/iv/after-b-11.png'));

  await app('select.concept').selectOption('tree');
  r = await pending();
  assert.deepEqual(specOf(r).units, [0, 6, 4]);
  // more changes while that request is in flight: no new request
  await app('select.rank-by').selectOption('ace');
  await app('input.top').fill('2');
  await app('input.top').press('Enter');
  await app('input.top').blur();
  await eventually(async () => assert.deepEqual(await chips(), [6, 4]));
  assert.equal((await open()).length, 1, 'still one request in flight');
  // its (stale) answer is not shown; the latest spec goes out
  await reply(r, preview('c'));
  const latest = await pending();
  assert.notEqual(latest.id, r.id);
  assert.deepEqual(specOf(latest), { units: [6, 4], mode: 'ablate', strength: 1, concept: 'tree', insertion: 'high', mask: null });
  assert.equal((await afterSrcs())[0], '/img/iv/after-b-11.png', 'the stale answer was dropped');
  await reply(latest, preview('d', 7.25));
  assert.equal(await app('select.rank-by').inputValue(), 'ace');
  await eventually(async () => assert.equal((await afterSrcs())[0], '/img/iv/after-d-11.png'));
  assert.match((await app('.status .timing').textContent()) ?? '', /^7\.3 ms per image/);
  await new Promise((res) => setTimeout(res, 60));
  assert.equal((await open()).length, 0);
  // a concept without a causal ranking falls back to IoU
  await app('select.concept').selectOption('window');
  assert.deepEqual(specOf(await pending()).units, [2]);
  assert.equal(await app('select.rank-by').inputValue(), 'iou');
  await settle('d');
  await app('select.concept').selectOption('tree');
  await app('select.rank-by').selectOption('ace');
  await reply(await pending(), preview('d'));
  await app('input.top').fill('2');
  await app('input.top').blur();
  await settle('d');
  assert.deepEqual(await chips(), [6, 4]);
});

test('units by hand: a filterable checklist (unit · label · IoU) and removable chips', async () => {
  await app('input[name="pick"][value="hand"]').check();
  await app('vscode-text-field.unit-filter input').fill('gr');
  await eventually(async () => assert.deepEqual(await app('.checklist li[data-unit]').allTextContents(), ['5 · grass · 0.093']));
  await app('.checklist li[data-unit="5"] input').check();
  let r = await pending();
  assert.deepEqual(specOf(r).units, [6, 4, 5]);
  await reply(r, preview('e'));
  await app('vscode-text-field.unit-filter input').fill('');
  await eventually(async () => assert.equal(await app('.checklist li[data-unit]').count(), 9));
  assert.deepEqual(
    await app('.checklist input:checked').evaluateAll((is) => is.map((i) => Number(i.closest('li')?.getAttribute('data-unit')))),
    [4, 5, 6],
  );
  await app('.chip[data-unit="6"] button.remove').click();
  r = await pending();
  assert.deepEqual(specOf(r).units, [4, 5]);
  assert.deepEqual(await chips(), [4, 5]);
  await settle('e');
});

test('painting: requests go out as the brush moves, and the mask bytes are where the brush went', async () => {
  await setRange('input.brush', 1);
  assert.equal(await app('vscode-checkbox.whole').evaluate((c: HTMLInputElement) => c.checked), true);
  await h.page.mouse.move(...(await at(4, 4)));
  await h.page.mouse.down();
  const first = await pending();
  assert.deepEqual(painted(decode(specOf(first).mask)), [[4, 4]]);
  await h.page.mouse.move(...(await at(8, 4)), { steps: 4 });
  // the first answer arrives mid-stroke: it is stale, so the stroke so far goes out
  await reply(first, preview('f'));
  const mid = await pending();
  assert.deepEqual(
    painted(decode(specOf(mid).mask)),
    [4, 5, 6, 7, 8].map((x) => [x, 4]),
  );
  await h.page.mouse.move(...(await at(8, 10)), { steps: 6 });
  await h.page.mouse.up();
  assert.equal((await open()).length, 1, 'still one in flight');
  await reply(mid, preview('f'));
  const last = await pending();
  const bytes = decode(specOf(last).mask);
  const expected = [...[4, 5, 6, 7, 8].map((x) => [x, 4]), ...[5, 6, 7, 8, 9, 10].map((y) => [8, y])].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  assert.deepEqual(painted(bytes), expected);
  assert.ok(painted(bytes).every(([x, y]) => bytes[y * W + x] === 255));
  assert.equal(await app('vscode-checkbox.whole').evaluate((c: HTMLInputElement) => c.checked), false, 'painting turns "whole image" off');
  await reply(last, preview('g'));
  await eventually(async () => assert.equal((await afterSrcs())[0], '/img/iv/after-g-11.png'));

  // a wide brush: a disc around the point
  await setRange('input.brush', 5);
  await h.page.mouse.move(...(await at(18, 18)));
  await h.page.mouse.down();
  await h.page.mouse.up();
  const disc = painted(decode(specOf(await pending()).mask)).filter(([x, y]) => !expected.some(([a, b]) => a === x && b === y));
  assert.ok(disc.some(([x, y]) => x === 18 && y === 18));
  assert.ok(
    disc.every(([x, y]) => Math.hypot(x - 18, y - 18) <= 2.6),
    JSON.stringify(disc),
  );
  assert.equal(disc.length, 21, 'a disc of diameter 5');
  await settle('g');
  await h.screenshot('intervene-painted');
});

test('undo (button and Ctrl+Z) restores the previous spec; Reset goes back to the default', async () => {
  await app('vscode-button.undo').click();
  let r = await pending();
  assert.equal(painted(decode(specOf(r).mask)).length, 11, 'the disc is undone, the first stroke is kept');
  await reply(r, preview('h'));
  await h.page.locator('body').click({ position: { x: 5, y: 5 } });
  await h.page.keyboard.press('Control+z');
  r = await pending();
  assert.equal(specOf(r).mask, null, 'before the stroke: everywhere');
  assert.deepEqual(specOf(r).units, [4, 5]);
  await reply(r, preview('h'));
  await h.page.keyboard.press('Control+z');
  r = await pending();
  assert.deepEqual(specOf(r).units, [6, 4, 5]);
  await reply(r, preview('h'));
  await app('vscode-button.reset').click();
  r = await pending();
  assert.deepEqual(specOf(r), { units: [0, 6, 4], mode: 'ablate', strength: 1, concept: 'tree', insertion: 'high', mask: null });
  await reply(r, preview('a'));
  await h.page.keyboard.press('Control+z');
  r = await pending();
  assert.deepEqual(specOf(r).units, [6, 4, 5]);
  await settle('a');
});

test('mode, strength and the one concept (units by hand: it changes the insertion concept only); Copy as JSON and Save after-image post their messages', async () => {
  await app('input[name="pick"][value="hand"]').check();
  await app('input[name="mode"][value="insert"]').check();
  await reply(await pending(), preview('b'));
  await setRange('input.strength', 0.5);
  await reply(await pending(), preview('b'));
  await app('select.concept').selectOption('sky');
  const r = await pending();
  assert.deepEqual(specOf(r), { units: [6, 4, 5], mode: 'insert', strength: 0.5, concept: 'sky', insertion: 'high', mask: null });
  assert.equal(await app('output.strength-value').textContent(), '0.50×');
  await reply(r, preview('c'));
  await eventually(async () => assert.equal((await afterSrcs())[0], '/img/iv/after-c-11.png'));
  await h.clearPosted();
  answered.clear();
  await app('vscode-button.copy').click();
  await app('tr.sample[data-sample="12"] vscode-button.save').click();
  const posted = await h.posted();
  assert.equal(posted.length, 2);
  assert.equal(posted[0].type, 'copy');
  assert.deepEqual(JSON.parse((posted[0] as { text: string }).text), {
    layer: 'layer4',
    units: [6, 4, 5],
    mode: 'insert',
    strength: 0.5,
    concept: 'sky',
    insertion: 'high',
    mask: null,
  });
  assert.deepEqual(posted[1], { type: 'saveImage', sample: 12 });
  await app('select.concept').selectOption('tree');
  await settle('d');
  await h.screenshot('intervene');
});

test('strength goes to 10× in insert mode and says what 1× is; the insertion choice goes out with the spec', async () => {
  const range = () => app('input.strength').evaluate((i: HTMLInputElement) => [i.min, i.max, i.step]);
  const help = async () => (await app('.strength-help').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
  assert.deepEqual(await range(), ['0', '10', '0.05']);
  assert.equal(await app('.strength-range').textContent(), '0 … 10×');
  assert.equal(
    await help(),
    "1× = the unit's 99th-percentile activation or its mean where the concept is, whichever is higher; units are raised to it, never lowered (max(r, k)). Above 1 multiplies it (up to 10×); below 1 blends the edit in partly.",
  );
  assert.equal(await app('input.strength').getAttribute('aria-describedby'), 'strength-help');
  assert.equal(await app('select.insertion').inputValue(), 'high');
  const options = await app('select.insertion option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent?.trim()]));
  assert.deepEqual(options, [
    ['high', 'higher of 99th percentile and concept mean (default)'],
    ['concept', 'concept mean'],
    ['quantile', '99th percentile (no concept needed)'],
    ['paper', "paper's choice: concept mean, replacing r"],
  ]);
  await setRange('input.strength', 7.5);
  let r = await pending();
  assert.equal(specOf(r).strength, 7.5);
  assert.equal(await app('output.strength-value').textContent(), '7.50×');
  await reply(r, preview('e'));
  await app('select.insertion').selectOption('paper');
  r = await pending();
  assert.deepEqual(specOf(r), { units: [6, 4, 5], mode: 'insert', strength: 7.5, concept: 'tree', insertion: 'paper', mask: null });
  await eventually(async () =>
    assert.match(await help(), /^1× = the unit's mean activation where the concept is, replacing its value \(r′ = k, the paper's §3\.2 edit\)/),
  );
  await reply(r, preview('e'));
  await app('select.insertion').selectOption('concept');
  r = await pending();
  assert.equal(specOf(r).insertion, 'concept');
  await eventually(async () => assert.match(await help(), /^1× = the unit's mean activation where the concept is; units are raised to it/));
  await reply(r, preview('e'));
  // ablation: 0…1 (above 1 would change nothing), the strength clamped
  await app('input[name="mode"][value="ablate"]').check();
  r = await pending();
  assert.deepEqual(specOf(r), { units: [6, 4, 5], mode: 'ablate', strength: 1, concept: 'tree', insertion: 'concept', mask: null });
  await eventually(async () => assert.deepEqual(await range(), ['0', '1', '0.05']));
  assert.equal(await app('output.strength-value').textContent(), '1.00');
  assert.equal(await app('.strength-range').textContent(), '0 … 1');
  assert.match(await help(), /^1 = the units set to 0/);
  await reply(r, preview('e'));
  await app('input[name="mode"][value="insert"]').check();
  await reply(await pending(), preview('e'));
  await setRange('input.strength', 10);
  await reply(await pending(), preview('e'));
  await app('select.insertion').selectOption('paper');
  r = await pending();
  assert.deepEqual(specOf(r), { units: [6, 4, 5], mode: 'insert', strength: 10, concept: 'tree', insertion: 'paper', mask: null });
  await settle('e');
  await h.screenshot('intervene-insert');
});

test('the legend sits beside the grid, lists the labels of these samples with their colours, and stays in view', async () => {
  // in the DOM: the grid and the legend side by side in one row
  const dom = await app('.results').evaluate((el) => Array.from(el.children).map((c) => c.tagName.toLowerCase() + '.' + c.className));
  assert.deepEqual(dom, ['div.grid-scroll', 'aside.labels']);
  const grid = await app('table.grid').boundingBox();
  const legend = await app('aside.labels').boundingBox();
  assert.ok(grid && legend);
  assert.ok(legend.x >= grid.x + grid.width, `legend at x=${legend.x}, grid ends at ${grid.x + grid.width}`);
  assert.ok(Math.abs(legend.y - grid.y) < 40, `legend top ${legend.y} near the grid's ${grid.y}`);
  assert.ok(legend.y + legend.height <= grid.y + grid.height, 'not below the grid');
  // the labels the samples hold (the preview's before/after), not grass, in the segmenter's order
  const shown = await app('.legend .label').evaluateAll((ls) =>
    ls.map((l) => [l.getAttribute('data-label'), getComputedStyle(l.querySelector('.swatch')!).backgroundColor]),
  );
  assert.deepEqual(
    shown,
    LABELS.filter((l) => l.name !== 'grass').map((l) => [l.name, `rgb(${hex(l.colour).join(', ')})`]),
  );
  assert.equal(await app('.legend-note').textContent(), '4 of 5 labels: those in these samples');
  // sticky: scrolled down the grid, the legend is still on screen
  await h.page.setViewportSize({ width: 1000, height: 420 });
  await app('tr.sample[data-sample="13"]').scrollIntoViewIfNeeded();
  await h.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const box = await app('aside.labels').evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
  assert.ok(box.top >= 0 && box.top < 420, `legend on screen: top ${box.top}`);
  await h.screenshot('intervene-legend-scrolled');
  await h.page.setViewportSize({ width: 1000, height: 760 });
  await h.page.evaluate(() => window.scrollTo(0, 0));
});

test('legible in dark, light and high-contrast themes (WCAG AA contrast), the grid and its changes included', async () => {
  await assertLegible(h, 'intervention panel');
});

test('the spec and the view identity persist; a reload restores them (insertion and strength included), a new preset replaces them', async () => {
  const state = (await h.page.evaluate(() => window.__states)).at(-1) as { runId: string; layer: string; spec: InterventionSpec };
  assert.equal(state.runId, 'run-1');
  assert.equal(state.layer, 'layer4');
  assert.deepEqual(state.spec, { units: [6, 4, 5], mode: 'insert', strength: 10, concept: 'tree', insertion: 'paper', mask: null });
  await openApp();
  await h.push({ type: 'intervention', view });
  let r = await pending();
  assert.deepEqual(specOf(r), state.spec);
  assert.deepEqual(await chips(), [6, 4, 5]);
  assert.equal(await app('input[name="mode"][value="insert"]').isChecked(), true);
  assert.equal(await app('select.insertion').inputValue(), 'paper');
  assert.equal(await app('select.concept').inputValue(), 'tree');
  assert.equal(await app('input.strength').inputValue(), '10');
  assert.equal(await app('output.strength-value').textContent(), '10.00×');
  await reply(r, preview('e'));
  const mask = { width: W, height: H, data: Buffer.from(new Uint8Array(W * H).fill(255, 0, W)).toString('base64') };
  const initial: InterventionSpec = { units: [2, 3], mode: 'ablate', strength: 0.75, mask };
  await h.push({ type: 'intervention', view: makeView({ initial }) });
  r = await pending();
  assert.deepEqual(specOf(r), { ...initial, insertion: 'high' }, 'the preset, with the insertion named');
  await reply(r, preview('e'));
  await eventually(async () => assert.deepEqual(await chips(), [2, 3]));
  // another layer: its own default
  await h.push({ type: 'intervention', view: makeView({ layer: 'layer5', rankings: { sky: { iou: [7, 1] } } }) });
  r = await pending();
  assert.deepEqual(specOf(r), { units: [7, 1], mode: 'ablate', strength: 1, concept: 'sky', insertion: 'high', mask: null });
  await reply(r, preview('e'));
});

test('insert mode needs a concept except with the 99th-percentile insertion', async () => {
  const initial: InterventionSpec = { units: [2, 3], mode: 'insert', strength: 1, mask: null };
  await h.push({ type: 'intervention', view: makeView({ layer: 'layer6', initial }) });
  await eventually(async () => assert.match((await app('.status .hint').textContent()) ?? '', /concept to insert/));
  await new Promise((res) => setTimeout(res, 60));
  assert.equal((await open()).length, 0, 'no request without a concept');
  assert.equal(await app('select.concept').inputValue(), '');
  await app('select.insertion').selectOption('quantile');
  const r = await pending();
  assert.deepEqual(specOf(r), { units: [2, 3], mode: 'insert', strength: 1, insertion: 'quantile', mask: null });
  await settle('f');
});

test('the default unit count is in proportion to the layer: 20 per 512 units, at least 4', async () => {
  const ranked = Array.from({ length: 64 }, (_, i) => (i * 37) % 1024);
  for (const [C, n] of [
    [9, 4],
    [32, 4],
    [256, 10],
    [512, 20],
    [1024, 40],
  ] as const) {
    const units = Array.from({ length: C }, (_, u) => ({ unit: u, label: 'tree', iou: 0.1 }));
    const iou = ranked.filter((u) => u < C);
    await h.push({ type: 'intervention', view: makeView({ layer: `wide${C}`, shape: [C, 8, 8], units, rankings: { tree: { iou } } }) });
    const r = await pending();
    assert.deepEqual(specOf(r).units, iou.slice(0, n), `${C} units`);
    assert.equal(await app('input.top').inputValue(), String(n));
    await reply(r, preview('a'));
  }
  await new Promise((res) => setTimeout(res, 60));
  assert.equal((await open()).length, 0);
});

test('no CSP violations and no page errors', async () => {
  assert.deepEqual(await h.csp(), []);
  assert.deepEqual(h.errors, []);
});
