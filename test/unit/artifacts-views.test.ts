/**
 * The artifacts panel's view model built from a run folder on disk (extension/ui/panels/artifacts-view.ts:
 * no `vscode` there), the flags the tree, the layer table and the unit panel read (run-index.ts), and the
 * agreement of automatic and manual flags the panel shows (shared/webview/artifacts.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../fixtures/models';
import { encodePng } from '../../extension/shared/png';
import { ARTIFACT_DEFAULTS } from '../../extension/engine/artifacts/options';
import { RunFolder } from '../../extension/shared/run/folder';
import type { ArtifactsResult, DissectResult, LayerResult, UnitResult } from '../../extension/shared/run/schema';
import { DEFAULT_ARTIFACT_SAMPLES, flagAgreement } from '../../extension/shared/webview/artifacts';
import { artifactsView } from '../../extension/ui/panels/artifacts-view';
import { pngSize } from '../../extension/ui/panels/png-size';
import { flagText, layerFlags, setFlag, type RunInfo } from '../../extension/ui/run-index';

const LAYER = 'layer/4';

function unit(u: number, label: string, category: string, interpretable: boolean): UnitResult {
  return { unit: u, label, category, iou: 0.1, iqr: 0.1, threshold: 1, interpretable, concepts: [], top: [] };
}

const layer: LayerResult = {
  layer: LAYER,
  tensor: '/layer4/Relu_output_0',
  aliases: [],
  shape: [4, 8, 8],
  units: [unit(0, 'tree', 'object', true), unit(1, '-', '-', false), unit(2, 'sky', 'object', false), unit(3, 'door', 'part', true)],
  summary: { units: 4, interpretable: 2, concepts: [], categories: {} },
};

/** A run as the index lists it: only the fields the view reads are real (the generator's path, the layer). */
function runInfo(out: string): RunInfo {
  const result = { settings: { generator: { path: '/models/church.onnx' } }, layers: [layer] } as unknown as DissectResult;
  return { out, result, mtime: 0 };
}

function writePng(file: string, w: number, h: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng(new Uint8Array(w * h * 3).fill(99), w, h));
}

function artifacts(run: RunFolder): ArtifactsResult {
  const pair = run.repairPairFiles(LAYER, 9);
  return {
    formatVersion: 1,
    layer: LAYER,
    tensor: layer.tensor,
    generator: { path: '/models/church.onnx', sha256: 'x' },
    features: { kind: 'segmenter', model: 'seg.onnx', output: 'f', dims: 16, label: "Fréchet distance in the segmenter's features" },
    reference: { kind: 'generated', count: 100, label: 'the whole generated sample' },
    samples: 100,
    seed: 1,
    top: 20,
    units: [
      { unit: 0, distance: 3, rank: 3, top: [] },
      { unit: 1, distance: 9, rank: 1, top: [] },
      { unit: 2, distance: 5, rank: 2, top: [] },
      { unit: 3, distance: 1, rank: 4, top: [] },
    ],
    ranking: [1, 2, 0, 3],
    flagged: [1, 2],
    flagCount: 2,
    manual: [],
    repair: {
      units: [1, 2],
      samples: 50,
      seed: 5,
      original: 10,
      repaired: 7,
      random: { draws: [10, 10.5], mean: 10.25, ci95: [7, 13.5] },
      pairs: [
        { sample: 9, before: run.name(pair.before), after: run.name(pair.after) },
        { sample: 12, before: 'artifacts/layer_4/pair-12-before.png', after: 'artifacts/layer_4/pair-12-after.png' },
      ],
      unchanged: { share: 0.9, meanShift: 0.001, maxShift: 0.01, movedShare: 0.02, onShift: 0.2 },
    },
    provider: 'cpu',
    timings: { seconds: 3, search: 1, features: 1, repair: 1 },
    created: '2026-01-01T00:00:00Z',
  };
}

test('pngSize reads a PNG header; anything else is no PNG', () => {
  const dir = tmpDir();
  writePng(path.join(dir, 'a.png'), 52, 16);
  assert.deepEqual(pngSize(path.join(dir, 'a.png')), { width: 52, height: 16 });
  fs.writeFileSync(path.join(dir, 'b.png'), 'not a png at all, but long enough');
  assert.equal(pngSize(path.join(dir, 'b.png')), undefined);
  assert.equal(pngSize(path.join(dir, 'missing.png')), undefined);
});

test('the view: units least realistic first, with strips and their sizes, dissection labels, automatic flags; the repair pairs resolved in the run folder', () => {
  const out = tmpDir();
  const run = new RunFolder(out);
  const r = artifacts(run);
  run.writeArtifacts(r);
  for (const u of [1, 2, 3]) writePng(run.artifactStripFile(LAYER, u), 3 * 16 + 4, 16);
  const pair = run.repairPairFiles(LAYER, 9);
  writePng(pair.before, 24, 24);
  writePng(pair.after, 24, 24);
  setFlag(out, LAYER, 3, true);
  const flags = layerFlags(out, LAYER);
  assert.deepEqual([...flags.manual], [3]);
  assert.deepEqual([...flags.auto], [1, 2]);
  const v = artifactsView(runInfo(out), layer, flags.artifacts, flags.manual, (f) => `uri:${f}`);
  assert.equal(v.model, 'church.onnx');
  assert.equal(v.units, 4);
  assert.deepEqual(v.manual, [3]);
  const res = v.result!;
  assert.equal(res.features.label, "Fréchet distance in the segmenter's features");
  assert.deepEqual(
    res.rows.map((x) => [x.rank, x.unit, x.distance, x.label ?? null, x.auto]),
    [
      [1, 1, 9, null, true],
      [2, 2, 5, 'sky', true],
      [3, 0, 3, 'tree', false],
      [4, 3, 1, 'door', false],
    ],
  );
  assert.deepEqual(res.rows[0].strip, { src: `uri:${run.artifactStripFile(LAYER, 1)}`, width: 52, height: 16 });
  assert.equal(res.rows[2].strip, undefined, 'unit 0 has no strip on disk');
  assert.equal(res.rows[1].interpretable, false);
  // the pair whose files are there, by their names relative to the folder; the other is left out
  assert.deepEqual(res.repair?.pairs, [
    { sample: 9, before: { src: `uri:${pair.before}`, width: 24, height: 24 }, after: { src: `uri:${pair.after}`, width: 24, height: 24 } },
  ]);
  assert.deepEqual(res.repair?.random, r.repair!.random);
  assert.equal(res.seconds, 3);
  // no result yet: only the flags
  assert.equal(artifactsView(runInfo(tmpDir()), layer, undefined, [], String).result, undefined);
});

test('flag texts for the tree; agreement of automatic and manual flags (precision over the automatic, recall over the manual)', () => {
  const f = { manual: new Set([1, 4]), auto: new Set([1, 2, 3]) };
  assert.deepEqual(
    [0, 1, 2, 4].map((u) => flagText(f, u)),
    ['', '⚑ artifact (manual, auto)', '⚑ artifact (auto)', '⚑ artifact'],
  );
  assert.deepEqual(flagAgreement([1, 2, 3], [1, 4]), { precision: 1 / 3, recall: 1 / 2, both: 1 });
  assert.equal(flagAgreement([1, 2], []), undefined);
  assert.equal(flagAgreement([], [1]), undefined);
  const none = layerFlags(tmpDir(), LAYER);
  assert.equal(none.artifacts, undefined);
  assert.equal(none.auto.size + none.manual.size, 0);
});

test("the panel's default sample count is the engine's", () => {
  assert.equal(DEFAULT_ARTIFACT_SAMPLES, ARTIFACT_DEFAULTS.samples);
});
