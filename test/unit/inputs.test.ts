/**
 * Every generator input gets a value per sample, reproducibly (engine/models/inputs.ts): noise maps,
 * classes (int64 index and one-hot), fixed values; recorded in the results and the same in interventions.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputsMaskGenerator, inGraphNoiseMaskGenerator, writeMaskModels, tmpDir } from '../fixtures/models';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { decodeModel, encodeModel } from '../../extension/engine/models/onnx/proto';
import { randomOpsAsInputs } from '../../extension/engine/models/onnx/surgery';
import { createSession, runSession, floatTensor } from '../../extension/engine/models/onnx/session';
import { Generator } from '../../extension/engine/models/contract';
import { dissect } from '../../extension/engine/dissect/dissect';
import { InterventionModel } from '../../extension/engine/intervene/edit';
import { seededLatents } from '../../extension/engine/models/latents';
import { DissectError } from '../../extension/shared/errors';
import type { GeneratorSpec } from '../../extension/shared/models';

const dir = tmpDir();
const m = writeMaskModels(dir);
const write = (name: string, bytes: Uint8Array) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};
const noise = write('noise.onnx', inputsMaskGenerator());
const shared = write('noise1.onnx', inputsMaskGenerator({ noiseBatch: 1 }));
const int64 = write('class-int64.onnx', inputsMaskGenerator({ classInput: 'int64', classes: 7 }));
const onehot = write('class-onehot.onnx', inputsMaskGenerator({ classInput: 'onehot', classes: 7 }));
const open = (g: GeneratorSpec) => Generator.open(g, { provider: 'cpu' });

/** Each sample's values of input `name`, fed in one batch of n and one sample at a time. */
function perSample(g: Generator, name: string, n: number): { batch: number[][]; alone: number[][] } {
  const z = seededLatents(1, g.latentDims).batch(0, n);
  const rows = (t: { data: ArrayLike<number | bigint> }, k: number) => {
    const d = Array.from(t.data, Number);
    const per = d.length / k;
    return Array.from({ length: k }, (_, j) => d.slice(j * per, (j + 1) * per));
  };
  const batch = rows(g.feeds(z, n)[name] as never, n);
  const alone = Array.from({ length: n }, (_, j) => rows(g.feeds(z.subarray(j * g.latentDims, (j + 1) * g.latentDims), 1)[name] as never, 1)[0]);
  return { batch, alone };
}

test('a noise input is detected and gets a fresh normal draw per sample, whatever the batch', () => {
  const g = open({ path: noise });
  assert.deepEqual(g.inputChoices, { noise: 'normal' });
  const { batch, alone } = perSample(g, 'noise', 4);
  assert.deepEqual(batch, alone, 'a sample’s noise does not depend on its batch');
  assert.notDeepEqual(batch[0], batch[1], 'each sample its own');
  const mean = batch.flat().reduce((a, b) => a + b, 0) / batch.flat().length;
  assert.ok(Math.abs(mean) < 0.2, `N(0, 1): mean ${mean}`);
});

test('a noise map fixed at batch 1 still gets a draw per sample (the generator runs one sample at a time)', () => {
  const g = open({ path: shared });
  assert.equal(g.fixedBatch, 1);
  const z = seededLatents(1, g.latentDims).batch(0, 2);
  const a = Array.from(g.feeds(z.subarray(0, g.latentDims), 1).noise.data as Float32Array);
  const b = Array.from(g.feeds(z.subarray(g.latentDims), 1).noise.data as Float32Array);
  assert.notDeepEqual(a, b);
});

test('an int64 class index: classes from its embedding table, a class per sample, --class K fixes it', () => {
  const g = open({ path: int64 });
  assert.deepEqual(g.inputChoices, { noise: 'normal', y: { class: 'random', classes: 7 } });
  const { batch, alone } = perSample(g, 'y', 40);
  assert.deepEqual(batch, alone);
  const classes = batch.map((r) => r[0]);
  assert.ok(classes.every((c) => Number.isInteger(c) && c >= 0 && c < 7));
  assert.ok(new Set(classes).size >= 5, `uniform over 7: saw ${[...new Set(classes)]}`);
  const fixed = open({ path: int64, class: 3 });
  assert.deepEqual(fixed.inputChoices.y, { class: 3 });
  assert.ok(perSample(fixed, 'y', 6).batch.every((r) => r[0] === 3));
  assert.equal(g.feeds(new Float32Array(g.latentDims), 1).y.type, 'int64');
});

test('a one-hot class input: one 1 per sample, at a class uniform over its length', () => {
  const g = open({ path: onehot });
  assert.deepEqual(g.inputChoices.y, { class: 'random', classes: 7 });
  const { batch } = perSample(g, 'y', 30);
  for (const r of batch) assert.deepEqual([...r].sort(), [0, 0, 0, 0, 0, 0, 1]);
  assert.ok(new Set(batch.map((r) => r.indexOf(1))).size >= 4);
});

test('the choices are the user’s where given, checked against the input, and recorded in the results', async () => {
  assert.deepEqual(open({ path: noise, inputs: { noise: 'zeros' } }).inputChoices, { noise: 'zeros' });
  assert.throws(
    () => open({ path: int64, inputs: { y: { class: 9 } } }),
    (e: unknown) => e instanceof DissectError && /class 9 is not one of 0…6/.test(e.message),
  );
  assert.throws(
    () => open({ path: int64, inputs: { y: 'normal' } }),
    (e: unknown) => e instanceof DissectError && /holds integers/.test(e.message),
  );
  const base = { segmenter: { path: m.segmenter, labels: m.labels }, samples: 20, threshold: 'quantile' as const, provider: 'cpu' as const };
  const a = await dissect({ ...base, generator: { path: int64 }, out: path.join(dir, 'run-a') });
  assert.deepEqual(a.result.settings.generator.inputs, { noise: 'normal', y: { class: 'random', classes: 7 } });
  // deterministic: the same run twice gives the same numbers (noise and classes drawn from the latents)
  const b = await dissect({ ...base, generator: { path: int64 }, out: path.join(dir, 'run-b'), batch: 3 });
  assert.deepEqual(
    b.result.layers.map((l) => l.units.map((u) => [u.label, u.iou, u.threshold])),
    a.result.layers.map((l) => l.units.map((u) => [u.label, u.iou, u.threshold])),
  );
});

test('an intervention that changes nothing changes nothing: the same noise and class before and after', async () => {
  const model = await InterventionModel.open({
    generator: { path: int64 },
    segmenter: { path: m.segmenter, labels: m.labels },
    layer: 'layer1',
    provider: 'cpu',
  });
  const z = seededLatents(4, model.gen.latentDims).batch(0, 5);
  const orig = await model.original(z, 5);
  const noop = await model.edited(orig.fm, z, 5, { units: [], mode: 'ablate' });
  assert.deepEqual(noop.image, orig.image);
});

test('noise drawn inside the graph (RandomNormalLike) becomes an input: identical runs agree, a no-op edit changes nothing', async () => {
  const file = write('in-graph-noise.onnx', inGraphNoiseMaskGenerator());
  const g = open({ path: file });
  await g.layers();
  const plan = g.inputPlans.find((p) => p.name.includes('RandomNormalLike'));
  assert.equal(plan?.choice, 'normal');
  assert.match(plan!.why, /drawn inside the graph by RandomNormalLike/);
  const base = { segmenter: { path: m.segmenter, labels: m.labels }, samples: 24, threshold: 'quantile' as const, provider: 'cpu' as const };
  const numbers = (r: Awaited<ReturnType<typeof dissect>>) => r.result.layers.map((l) => l.units.map((u) => [u.label, u.iou, u.threshold]));
  const a = await dissect({ ...base, generator: { path: file }, out: path.join(dir, 'noise-a') });
  const b = await dissect({ ...base, generator: { path: file }, out: path.join(dir, 'noise-b'), batch: 5 });
  assert.deepEqual(numbers(b), numbers(a), 'two identical dissections (another batch size) agree');
  const model = await InterventionModel.open({
    generator: { path: file },
    segmenter: { path: m.segmenter, labels: m.labels },
    layer: 'layer1',
    provider: 'cpu',
  });
  const z = seededLatents(6, model.gen.latentDims).batch(0, 4);
  const orig = await model.original(z, 4);
  assert.deepEqual((await model.edited(orig.fm, z, 4, { units: [], mode: 'ablate' })).image, orig.image);
});

test('a random op becomes an input scaled to its distribution (mean + scale·x; low + (high − low)·x)', async () => {
  const b = new GraphBuilder();
  b.input('x', [-1, 3]);
  b.node('RandomNormalLike', ['x'], { name: 'n', out: 'normal', attrs: { mean: 5.0, scale: 2.0 } });
  b.node('RandomUniformLike', ['x'], { name: 'u', out: 'uniform', attrs: { low: -1.0, high: 3.0 } });
  b.output('normal');
  b.output('uniform');
  const dims = new Map([
    ['normal', [-1, 3]],
    ['uniform', [-1, 3]],
  ]);
  const { model, inputs } = randomOpsAsInputs(decodeModel(b.build(), 'r.onnx'), dims);
  assert.deepEqual(
    inputs.map((i) => [i.op, i.kind, i.input]),
    [
      ['RandomNormalLike', 'normal', 'normal::draw'],
      ['RandomUniformLike', 'uniform', 'uniform::draw'],
    ],
  );
  const s = await createSession(encodeModel(model), 'r', { provider: 'cpu' });
  const one = floatTensor(Float32Array.of(1, 0, -1, 0.5, 0.25, 0), [2, 3]);
  const res = await runSession(
    s,
    { x: floatTensor(new Float32Array(6), [2, 3]), 'normal::draw': one, 'uniform::draw': one },
    ['normal', 'uniform'],
    'r',
  );
  assert.deepEqual(Array.from(res.normal.data as Float32Array), [7, 5, 3, 6, 5.5, 5]);
  assert.deepEqual(Array.from(res.uniform.data as Float32Array), [3, -1, -5, 1, 0, -1]);
});

test('--class each: a dissection per class, each with its class recorded, side by side in classes.json', async () => {
  const { spawnSync } = await import('node:child_process');
  const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
  const three = write('class3.onnx', inputsMaskGenerator({ classInput: 'int64', classes: 3 }));
  const out = path.join(dir, 'each-class');
  const args = [
    'dissect',
    '--generator',
    three,
    '--segmenter',
    m.segmenter,
    '--labels',
    m.labels,
    '--provider',
    'cpu',
    '--samples',
    '12',
    '--threshold',
    'quantile',
    '--quiet',
  ];
  const r = spawnSync(process.execPath, [CLI, ...args, '--out', out, '--class', 'each'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'classes.json'), 'utf8')) as { classes: { class: number; out: string }[] };
  assert.deepEqual(
    summary.classes.map((c) => c.class),
    [0, 1, 2],
  );
  for (const c of summary.classes) {
    const j = JSON.parse(fs.readFileSync(path.join(c.out, 'dissect.json'), 'utf8'));
    assert.deepEqual(j.settings.generator.inputs.y, { class: c.class });
  }
  assert.match(r.stdout, /class 2\s+layer1\s+\d+\/4 interpretable/);
  const some = spawnSync(process.execPath, [CLI, ...args, '--out', path.join(dir, 'some-classes'), '--class', '2,0'], { encoding: 'utf8' });
  assert.equal(some.status, 0, some.stderr);
  assert.deepEqual(
    JSON.parse(fs.readFileSync(path.join(dir, 'some-classes', 'classes.json'), 'utf8')).classes.map((c: { class: number }) => c.class),
    [2, 0],
  );
});
