/**
 * Saving a repaired generator (engine/artifacts/repair.ts; the paper's §4.2): the ablation baked into a new
 * ONNX file, whose images equal the intervention's — checked by running the file in ONNX Runtime directly.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { writeMaskModels, channelsLastMaskGenerator, maskGenerator, toFloat16, tmpDir, MASK } from '../fixtures/models';
import { saveRepaired } from '../../extension/engine/artifacts/repair';
import { InterventionModel } from '../../extension/engine/intervene/edit';
import { seededLatents } from '../../extension/engine/models/latents';
import { halfToFloat, floatToHalf } from '../../extension/engine/data/half';
import { RunFolder } from '../../extension/shared/run/folder';

const dir = tmpDir();
const m = writeMaskModels(dir);
const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** The repaired file's images, run in ONNX Runtime as a user would (no project code between). */
async function runFile(file: string, z: Float32Array, n: number, half = false): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file);
  const data = half ? new ort.Tensor('float16', floatToHalf(z), [n, z.length / n]) : new ort.Tensor('float32', z, [n, z.length / n]);
  const out = (await s.run({ z: data })).image;
  return half ? halfToFloat(out.data as Uint16Array) : (out.data as Float32Array);
}

for (const [name, make, half] of [
  ['channels-first', () => maskGenerator(), false],
  ['channels-last', () => channelsLastMaskGenerator(), false],
  ['fp16', () => toFloat16(maskGenerator()), true],
] as const) {
  test(`a repaired ${name} generator's images equal the intervention's`, async () => {
    const g = path.join(dir, `g-${name}.onnx`);
    fs.writeFileSync(g, make());
    const out = path.join(dir, `g-${name}-repaired.onnx`);
    const r = await saveRepaired({ path: g }, 'layer1', [1, 0], out);
    assert.deepEqual(r.units, [0, 1]);
    const n = 3;
    const model = await InterventionModel.open({
      generator: { path: g },
      segmenter: { path: m.segmenter, labels: m.labels },
      layer: 'layer1',
      provider: 'cpu',
    });
    const z = seededLatents(11, model.gen.latentDims)
      .batch(0, n)
      .map((v) => v * 3);
    const before = await model.original(z, n);
    const edited = await model.edited(before.fm, z, n, { units: [0, 1], mode: 'ablate' });
    const repaired = await runFile(out, z, n, half);
    assert.deepEqual(Array.from(repaired), Array.from(edited.image));
    // by construction: units 0 and 1 paint R and G, so the repaired image is black where it was not before
    assert.ok(repaired.every((v) => v === 0));
    assert.ok(before.image.some((v) => v > 0));
  });
}

test('gan-dissect repair writes the file and checks it against the intervention; --flagged takes the run’s flags', () => {
  const args = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu', '--layer', 'layer1'];
  const out = path.join(dir, 'cli-repaired.onnx');
  const r = spawnSync(process.execPath, [CLI, 'repair', ...args, '--units', '2', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /with units 2 of layer1 ablated; its images equal the intervention's \(max \|Δ\| 0\.0e\+0 over 4 samples\)/);
  assert.ok(fs.statSync(out).size > 0);
  // --flagged: the units flagged in a dissection's folder
  const run = path.join(dir, 'run');
  assert.equal(spawnSync(process.execPath, [CLI, 'dissect', ...args, '--samples', '12', '--out', run, '--quiet'], { encoding: 'utf8' }).status, 0);
  new RunFolder(run).writeFlags({ layer1: [3] });
  const f = spawnSync(process.execPath, [CLI, 'repair', ...args, '--flagged', '--from', run, '--out', path.join(dir, 'flagged.onnx')], {
    encoding: 'utf8',
  });
  assert.equal(f.status, 0, f.stderr);
  assert.match(f.stdout, /with units 3 of layer1 ablated/);
  const bad = spawnSync(process.execPath, [CLI, 'repair', ...args, '--units', String(MASK.units), '--out', path.join(dir, 'bad.onnx')], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /unit 4 is not in layer1 \(units 0…3\)/);
});
