/**
 * Artifact units (engine/artifacts/; the paper's S-6.1, §4.2 Table 1): on a generator with planted artifact
 * units — rare units that paint a checkerboard the data never has — and rare controls that paint ordinary
 * blobs, so that rarity alone cannot pass (fixtures/artifact-models.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../fixtures/models';
import { writePlantedModels, PLANTED, inBlock } from '../fixtures/artifact-models';
import { runArtifacts } from '../../extension/engine/artifacts/job';
import { InterventionModel, applyIntervention } from '../../extension/engine/intervene/edit';
import { latentsOf } from '../../extension/engine/artifacts/realism';
import { toRgbBytes } from '../../extension/engine/data/image';
import { encodePng } from '../../extension/shared/png';
import { RunFolder } from '../../extension/shared/run/folder';
import { CancelledError } from '../../extension/shared/errors';
import type { ArtifactsResult } from '../../extension/shared/run/schema';

const dir = tmpDir('gd-artifacts-');
const m = writePlantedModels(dir);
const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const base = {
  generator: { path: m.generator, range: [-1, 1] as [number, number] },
  segmenter: { path: m.segmenter, labels: m.labels },
  layer: 'layer1',
  provider: 'cpu' as const,
};

/** "Real" images: the planted generator's images with the artifact units ablated (the data has no checkerboard), as PNGs. */
async function writeRealImages(folder: string, n: number): Promise<void> {
  fs.mkdirSync(folder, { recursive: true });
  const model = await InterventionModel.open(base);
  const z = latentsOf(
    99,
    PLANTED.latent,
    Array.from({ length: n }, (_, i) => i),
  );
  const b = await model.captured(z, n);
  const clean = await model.rendered(applyIntervention(b.fm, n, model.shape, { units: PLANTED.artifacts, mode: 'ablate' }), z, n);
  for (let i = 0; i < n; i++)
    fs.writeFileSync(path.join(folder, `real-${String(i).padStart(4, '0')}.png`), encodePng(toRgbBytes(clean.image, i, 16, 16, [-1, 1]), 16, 16));
}

const real = path.join(dir, 'real');
let withReal: ArtifactsResult;

test('the automatic ranking puts the planted artifact units on top, the equally rare controls below them (real reference)', async () => {
  await writeRealImages(real, 300);
  const out = path.join(dir, 'run-real');
  new RunFolder(out).writeFlags({ layer1: [4, 6] });
  withReal = await runArtifacts({ ...base, out, samples: 600, real, flag: 2, repair: { samples: 300, draws: 5 } });
  assert.equal(withReal.reference.kind, 'real');
  assert.equal(withReal.reference.count, 300);
  assert.match(withReal.features.label, /^Fréchet distance in the segmenter's features \(hidden, 9-D, pooled over space\)$/);
  assert.deepEqual([...withReal.ranking.slice(0, 2)].sort(), PLANTED.artifacts);
  for (const c of PLANTED.controls) assert.ok(withReal.units[c].rank > 2, `control ${c} ranked ${withReal.units[c].rank}`);
  assert.deepEqual(withReal.flagged, PLANTED.artifacts);
  // against the hand flags 4 and 6: one of two right each way (the paper's Fig. 12 precision/recall)
  assert.deepEqual(withReal.manual, [4, 6]);
  assert.deepEqual(withReal.agreement, { precision: 0.5, recall: 0.5, both: 1 });
  // each unit's top samples are the ones that drive it hardest (z_u largest): by construction
  const z = latentsOf(
    1,
    PLANTED.latent,
    Array.from({ length: 600 }, (_, i) => i),
  );
  const byDrive = Array.from({ length: 600 }, (_, i) => i).sort((a, b) => z[b * PLANTED.latent + 4] - z[a * PLANTED.latent + 4] || a - b);
  assert.deepEqual(withReal.units[4].top.slice(0, 10), byDrive.slice(0, 10));
});

test('ablating the flagged units lowers the distance to the real images more than ablating as many random units', () => {
  const r = withReal.repair!;
  assert.deepEqual(r.units, PLANTED.artifacts);
  assert.equal(r.random.draws.length, 5);
  assert.ok(r.repaired < r.original, `repaired ${r.repaired} vs original ${r.original}`);
  assert.ok(r.repaired < r.random.mean, `repaired ${r.repaired} vs random ${r.random.mean}`);
  assert.ok(r.random.ci95[0] <= r.random.mean && r.random.mean <= r.random.ci95[1]);
  // the interval is the mean ± t(4, 0.975)·sd/√5, computed here independently
  const d = r.random.draws;
  const mean = d.reduce((a, b) => a + b, 0) / 5;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
  assert.ok(Math.abs(r.random.ci95[1] - (mean + (2.776 * sd) / Math.sqrt(5))) < 1e-9);
});

test('the repair leaves artifact-free pixels exactly as they were, and its pairs show the samples that had artifacts', () => {
  const r = withReal.repair!;
  assert.equal(r.unchanged.maxShift, 0);
  assert.equal(r.unchanged.movedShare, 0);
  assert.ok(r.unchanged.onShift > 0.05, `on-pixels moved ${r.unchanged.onShift}`);
  assert.ok(r.pairs.length > 0);
  const run = new RunFolder(path.join(dir, 'run-real'));
  for (const p of r.pairs) {
    assert.ok(fs.existsSync(run.file(p.before)) && fs.existsSync(run.file(p.after)));
  }
  // the pairs' samples are the artifact units' best: checkerboard in the block before, none after
  const first = r.pairs[0].sample;
  assert.ok(withReal.units[4].top[0] === first || withReal.units[5].top[0] === first);
  // the share of pixels off the ablated units: the pairs' samples have one or both blocks on
  assert.ok(r.unchanged.share >= 0.5 && r.unchanged.share < 1);
  for (let u = 0; u < PLANTED.units; u++) assert.ok(fs.existsSync(run.artifactStripFile('layer1', u)), `strip of unit ${u}`);
  assert.ok(inBlock(4, 0, 0) && !inBlock(4, 15, 15));
});

test('the whole generated sample as the reference also ranks the artifacts first, and says so', async () => {
  const r = await runArtifacts({ ...base, out: path.join(dir, 'run-gen'), samples: 600, flag: 2, repair: false });
  assert.equal(r.reference.kind, 'generated');
  assert.match(r.reference.label, /whole generated sample \(600 images\)/);
  assert.deepEqual([...r.ranking.slice(0, 2)].sort(), PLANTED.artifacts);
  assert.equal(r.repair, undefined);
  assert.equal(r.agreement, undefined);
});

test('pass 2 generating the top samples again gives the distances of the features pass 1 kept', async () => {
  const opts = { ...base, samples: 300, flag: 2, repair: false as const };
  const kept = await runArtifacts({ ...opts, out: path.join(dir, 'run-kept') });
  const again = await runArtifacts({ ...opts, out: path.join(dir, 'run-again'), featureCache: false });
  assert.deepEqual(
    again.units.map((u) => u.top),
    kept.units.map((u) => u.top),
  );
  for (let u = 0; u < PLANTED.units; u++)
    assert.ok(Math.abs(again.units[u].distance - kept.units[u].distance) < 1e-6 * Math.max(1, kept.units[u].distance));
});

test('a cancelled artifacts run stops with CancelledError and writes no result', async () => {
  const out = path.join(dir, 'run-cancel');
  const controller = new AbortController();
  await assert.rejects(
    runArtifacts({
      ...base,
      out,
      samples: 600,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 32) controller.abort();
      },
    }),
    CancelledError,
  );
  assert.equal(new RunFolder(out).readArtifacts('layer1'), undefined);
});

test('gan-dissect artifacts --json prints the scores, flags and Table 1; repair --flagged then takes the automatic flags', () => {
  const out = path.join(dir, 'cli-run');
  const args = [
    '--generator',
    m.generator,
    '--segmenter',
    m.segmenter,
    '--labels',
    m.labels,
    '--image-range',
    '-1,1',
    '--provider',
    'cpu',
    '--layer',
    'layer1',
  ];
  const r = spawnSync(
    process.execPath,
    [CLI, 'artifacts', ...args, '--samples', '400', '--flag', '2', '--repair-samples', '64', '--draws', '3', '--out', out, '--json', '--quiet'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { flagged: number[]; features: string; repair: { random: { draws: number[] } }; units: unknown[] };
  assert.deepEqual(j.flagged, PLANTED.artifacts);
  assert.match(j.features, /segmenter's features/);
  assert.equal(j.repair.random.draws.length, 3);
  assert.equal(j.units.length, PLANTED.units);
  const fixed = path.join(dir, 'repaired.onnx');
  const f = spawnSync(process.execPath, [CLI, 'repair', ...args, '--flagged', '--from', out, '--out', fixed], { encoding: 'utf8' });
  assert.equal(f.status, 0, f.stderr);
  assert.match(f.stdout, /with units 4,5 of layer1 ablated; its images equal the intervention's \(max \|Δ\| 0\.0e\+0/);
  // usage errors are named
  const bad = spawnSync(process.execPath, [CLI, 'artifacts', ...args, '--samples', '10', '--top', '11', '--out', out], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--top must be between 2 and the number of samples \(10\), got 11/);
  const noFolder = spawnSync(process.execPath, [CLI, 'artifacts', ...args, '--real', path.join(dir, 'nowhere'), '--out', out], { encoding: 'utf8' });
  assert.equal(noFolder.status, 1);
  assert.match(noFolder.stderr, /--real .*nowhere: no such folder/);
});
