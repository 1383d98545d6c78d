/**
 * The causal panel's views of the engine's results (extension/ui/panels/causal-views.ts): the ACE halves, the
 * single-location protocol and every interval pass through unchanged; context pictures and trace pictures
 * become webview URIs (trace names are relative to their job folder); nothing is made up where the engine gave nothing.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AceResult, CausalResult, ContextResult, TraceResult } from '../../extension/shared/run/schema';
import { JobFolder } from '../../extension/shared/run/folder';
import { toAceView, toCausalView, toContextView, toTraceView } from '../../extension/ui/panels/causal-views';

const ace: AceResult = {
  removed: 0.41,
  added: -0.02,
  ace: 0.39,
  samples: 200,
  base: 0.08,
  ci: { removed: [0.39, 0.43], added: [-0.03, -0.01], ace: [0.35, 0.43] },
  atLocation: { added: 0.006, ace: 0.416, ci: { added: [0.002, 0.01], ace: [0.39, 0.44] } },
};
const uri = (f: string) => `vscode-webview://x${f}`;

test('the ACE view keeps every measure and interval the engine gave, and adds none it did not', () => {
  assert.deepEqual(toAceView(ace), {
    ace: 0.39,
    removed: 0.41,
    added: -0.02,
    ci: { ace: [0.35, 0.43], removed: [0.39, 0.43], added: [-0.03, -0.01] },
    atLocation: { added: 0.006, ace: 0.416, ci: { added: [0.002, 0.01], ace: [0.39, 0.44] } },
  });
  assert.equal('atLocation' in toAceView({ ...ace, atLocation: undefined }), false);
  const r: CausalResult = {
    concept: 'door',
    layer: 'layer4',
    units: [3, 1],
    singleEffects: [0.2, 0.1],
    curves: { ace: [0.2, 0.3] },
    ace,
    method: 'm',
    searchSamples: 32,
    samples: 200,
  };
  const v = toCausalView(r, 'paper');
  assert.equal(v.insertion, 'paper');
  assert.deepEqual(v.ace, toAceView(ace));
  assert.equal('iouAce' in v, false);
  assert.equal('insertion' in toCausalView(r), false, 'a result read from disk does not say its insertion');
});

test('context pictures, yellow boxes included, and trace pictures become webview URIs', () => {
  const c: ContextResult = {
    concept: 'door',
    layer: 'layer4',
    units: [3],
    by_class: { sky: -0.001, building: 0.02 },
    counts: { sky: 10, building: 30 },
    grid: [8, 8],
    maps: [],
    visibleMin: 0.001,
    heatmaps: [
      { sample: 0, image: '/r/c-0-image.png', heatmap: '/r/c-0-heat.png', boxes: '/r/c-0-boxes.png' },
      { sample: 1, image: '/r/c-1-image.png', heatmap: '/r/c-1-heat.png' },
    ],
  };
  const cv = toContextView(c, uri);
  assert.deepEqual(cv.heatmaps, [
    { sample: 0, image: uri('/r/c-0-image.png'), heatmap: uri('/r/c-0-heat.png'), boxes: uri('/r/c-0-boxes.png') },
    { sample: 1, image: uri('/r/c-1-image.png'), heatmap: uri('/r/c-1-heat.png') },
  ]);
  assert.deepEqual(
    cv.byClass.map((b) => [b.label, b.count]),
    [
      ['building', 30],
      ['sky', 10],
    ],
  );
  const t: TraceResult = {
    concept: 'door',
    layer: 'layer4',
    units: [3],
    samples: 2,
    grid: [2, 2],
    layers: [
      { layer: 'layer4', shape: [4, 2, 2] },
      { layer: 'to_rgb', shape: [3, 8, 8] },
    ],
    curves: { all: [0.1, 0.3], visible: [0.1, 0.5], invisible: [0.1, 0.2] },
    counts: { visible: 3, invisible: 5 },
    heatmap: [0.1, 0.2, 0.3, 0.4],
    visibleShare: [0, 0.5, 1, 0],
    visibleMin: 0.001,
    images: { sample: 'trace-sample.png', heatmap: 'trace-heat.png' },
  };
  const folder = new JobFolder(path.join('/runs', 'r1', 'trace', 'layer4', 'door'));
  const tv = toTraceView(t, folder, uri, 'high');
  assert.deepEqual(tv.images, { sample: uri(folder.file('trace-sample.png')), heatmap: uri(folder.file('trace-heat.png')) });
  assert.deepEqual({ ...tv, images: t.images, insertion: undefined }, { ...t, insertion: undefined }, 'the rest as the engine gave it');
  assert.equal(tv.insertion, 'high');
  assert.equal('images' in toTraceView({ ...t, images: undefined }, folder, uri), false);
});
