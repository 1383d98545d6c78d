/**
 * Tracing an intervention (engine/intervene/trace.ts; the paper's S-6.5, Fig. 17) on a chain whose gain is
 * known (fixtures/models.ts chainGenerator: layer2 = layer1², layer3 = layer2², the image gated to its left
 * half): the per-layer change equals a computation of the chain done here, grows along it, and the concept
 * appears only where the gate lets it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { InterventionModel } from '../../extension/engine/intervene/edit';
import { traceIntervention, gridCell } from '../../extension/engine/intervene/trace';
import { seededLatents } from '../../extension/engine/models/latents';
import { chainGenerator, tmpDir, writeMaskModels } from '../fixtures/models';
import { JobFolder } from '../../extension/shared/run/folder';

const dir = tmpDir('gd-trace-');
const m = writeMaskModels(dir);
const chain = path.join(dir, 'chain.onnx');
fs.writeFileSync(chain, chainGenerator());
const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

test('the traced change equals the chain computed by hand, grows along it, and is visible only where the gate is open', async () => {
  const model = await InterventionModel.open({
    generator: { path: chain },
    segmenter: { path: m.segmenter, labels: m.labels },
    layer: 'layer1',
    provider: 'cpu',
  });
  const k = Float32Array.from([2, 0]);
  const o = { samples: 6, seed: 4, batch: 16, grid: 4 };
  const r = await traceIntervention(model, model.concept('tree'), [0], k, o);
  assert.deepEqual(
    r.layers.map((l) => l.layer),
    ['layer1', 'layer2', 'layer3', 'to_rgb'],
  );
  // by hand: the samples' layer1 (relu z), the chain's powers, the edit max(r, k) on unit 0 at each cell
  const z = seededLatents(o.seed, 128).batch(0, o.samples);
  const r1 = Float32Array.from(z, (v) => Math.max(0, v));
  const power = [1, 2, 4, 4]; // layer1, layer2, layer3, to_rgb's R (= layer3's unit 0)
  const channels = [2, 2, 2, 3];
  const expected = power.map((p, li) => {
    // channel magnitudes: mean |r^p| over samples and space (to_rgb: R only; G = B = 0 are skipped)
    const mag = [0, 1].map((ch) => {
      let s = 0;
      for (let i = 0; i < o.samples; i++) for (let q = 0; q < 64; q++) s += Math.abs(r1[(i * 2 + ch) * 64 + q]) ** p;
      return s / o.samples / 64;
    });
    let total = 0;
    for (let i = 0; i < o.samples; i++)
      for (let g = 0; g < 16; g++) {
        const cell = gridCell(g, 4, 4, 8, 8);
        let d = 0;
        for (let q = 0; q < 64; q++) if (cell[q]) d += Math.max(r1[i * 128 + q], 2) ** p - r1[i * 128 + q] ** p;
        total += d / 64 / mag[0] / channels[li];
      }
    return total / (o.samples * 16);
  });
  r.curves.all.forEach((v, li) => assert.ok(Math.abs(v - expected[li]) < 1e-4 * expected[li], `layer ${li}: ${v} vs ${expected[li]}`));
  assert.ok(r.curves.all[0] < r.curves.all[1] && r.curves.all[1] < r.curves.all[2], r.curves.all.join(', '));
  // the gate: visible on the left half of the grid only
  for (let g = 0; g < 16; g++) {
    if (g % 4 < 2) assert.ok(r.visibleShare[g] > 0, `location ${g}`);
    else assert.equal(r.visibleShare[g], 0, `location ${g}`);
  }
  assert.equal(r.counts.visible + r.counts.invisible, 6 * 16);
  assert.ok(r.counts.invisible >= 6 * 8);
  // the heatmap is the last layer's change per location, the same on both halves (the gate is after it)
  const left = r.heatmap.filter((_, g) => g % 4 < 2).reduce((a, b) => a + b, 0);
  const right = r.heatmap.filter((_, g) => g % 4 >= 2).reduce((a, b) => a + b, 0);
  assert.ok(left > 0 && right > 0);
});

test('gan-dissect trace writes trace.json and the heatmap; context writes yellow-box images', () => {
  const args = [
    '--generator',
    chain,
    '--segmenter',
    m.segmenter,
    '--labels',
    m.labels,
    '--provider',
    'cpu',
    '--layer',
    'layer1',
    '--concept',
    'tree',
  ];
  const out = path.join(dir, 'trace-out');
  const r = spawnSync(process.execPath, [CLI, 'trace', ...args, '--units', '0', '--samples', '3', '--grid', '4', '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /layer3 +\d\.\d{3} +visible/);
  const job = new JobFolder(out);
  const t = job.readTrace()!;
  assert.equal(t.grid.join('x'), '4x4');
  assert.ok(fs.existsSync(job.file(t.images!.heatmap)));
  const ctxOut = path.join(dir, 'context-out');
  const c = spawnSync(process.execPath, [CLI, 'context', ...args, '--units', '0', '--samples', '2', '--grid', '4', '--out', ctxOut], {
    encoding: 'utf8',
  });
  assert.equal(c.status, 0, c.stderr);
  const ctx = new JobFolder(ctxOut).readContext()!;
  assert.ok(ctx.heatmaps!.every((h) => h.boxes && fs.existsSync(h.boxes)));
});
