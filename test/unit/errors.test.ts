import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeMaskModels, tmpDir, maskGenerator } from '../fixtures/models';
import { dissect, type DissectOptions } from '../../extension/engine/dissect/dissect';
import { Generator } from '../../extension/engine/models/contract';
import { DissectError } from '../../extension/shared/errors';
import { RunFolder } from '../../extension/shared/run/folder';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { onnx, decodeModel, encodeModel } from '../../extension/engine/models/onnx/proto';
import { writeNpy } from '../../extension/engine/data/npy';

const dir = tmpDir();
const m = writeMaskModels(dir);
const opts = (out: string, extra: Partial<DissectOptions> = {}): DissectOptions => ({
  generator: { path: m.generator },
  segmenter: { path: m.segmenter, labels: m.labels },
  out: path.join(dir, out),
  samples: 8,
  provider: 'cpu',
  ...extra,
});

function code(c: string, re: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof DissectError, `a DissectError, got ${String(e)}`);
    assert.equal(e.code, c);
    assert.match(e.message, re);
    return true;
  };
}

test('a missing generator file is named', async () => {
  await assert.rejects(
    dissect(opts('e1', { generator: { path: path.join(dir, 'nope.onnx') } })),
    code('file-missing', /generator not found: .*nope\.onnx/),
  );
});

test('a file that is not ONNX, and a truncated ONNX file, are told apart from other errors', async () => {
  const junk = path.join(dir, 'junk.onnx');
  fs.writeFileSync(junk, 'this is not a model at all, just some text that protobuf cannot read \xff\xff\xff');
  await assert.rejects(dissect(opts('e2', { generator: { path: junk } })), code('not-onnx', /junk\.onnx is not (a valid ONNX file|an ONNX model)/));
  const bytes = maskGenerator();
  const cut = path.join(dir, 'cut.onnx');
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(dissect(opts('e3', { generator: { path: cut } })), code('not-onnx', /cut\.onnx/));
});

test('a generator with no float input is refused with its inputs named', async () => {
  const b = new GraphBuilder();
  // an int64 input only
  b.node('Cast', ['idx'], { out: 'f', attrs: { to: 1 } });
  const g = path.join(dir, 'intin.onnx');
  const bytes = b.build();
  // add the int64 input by hand
  const { onnx } = await import('../../extension/engine/models/onnx/proto');
  const model = onnx.ModelProto.decode(bytes);
  model.graph!.input = [
    onnx.ValueInfoProto.create({
      name: 'idx',
      type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimValue: 1 }] } } },
    }),
  ];
  model.graph!.output = [onnx.ValueInfoProto.create({ name: 'f' })];
  fs.writeFileSync(g, onnx.ModelProto.encode(model).finish());
  assert.throws(() => Generator.open({ path: g }, { provider: 'cpu' }), code('bad-model', /no float input .*idx/));
});

test('an unknown layer name suggests the nearest', async () => {
  await assert.rejects(dissect(opts('e4', { layers: ['layr1'] })), code('bad-layer', /no layer "layr1".*did you mean "layer1"/));
});

test('a segmenter whose channel count does not match the labels says both numbers', async () => {
  const m5 = writeMaskModels(dir, { channels: 5 });
  await assert.rejects(
    dissect(opts('e5', { segmenter: { path: m5.segmenter, labels: m.labels } })),
    code('bad-labels', /5 channels \(logits: 5\) but the labels file .*labels\.json names 4/),
  );
});

test('an image size the segmenter cannot take is reported with the shapes', async () => {
  const fixed = writeMaskModels(dir, { fixedSize: 32 });
  await assert.rejects(
    dissect(opts('e6', { segmenter: { path: fixed.segmenter, labels: m.labels } })),
    code('bad-shape', /segmenter failed on inputs image\[\d+,3,16,16\]/),
  );
});

test('a segmenter output that is not [N, C, H, W] logits is refused before any run', async () => {
  // a classifier head: logits [N, 4] (global average pool, flattened)
  const b = new GraphBuilder();
  b.input('image', [-1, 3, -1, -1]);
  const w = b.floats(
    'w',
    Array.from({ length: 12 }, (_, i) => i),
    [4, 3, 1, 1],
  );
  const c = b.node('Conv', ['image', w], { name: 'conv' });
  const p = b.node('GlobalAveragePool', [c], { name: 'pool' });
  b.node('Flatten', [p], { name: 'flat', out: 'logits' });
  b.output('logits', [-1, 4]);
  const file = path.join(dir, 'classifier.onnx');
  fs.writeFileSync(file, b.build());
  await assert.rejects(
    dissect(opts('e6b', { segmenter: { path: file, labels: m.labels } })),
    code('bad-shape', /segmenter output "logits" is \[\?, 4\]; expected float logits \[N, C, H, W\]/),
  );
});

/** The mask generator with its image cast to `type` under the same output name. */
function castImage(type: number, file: string): string {
  const model = decodeModel(maskGenerator(), file);
  const g = model.graph!;
  const image = g.output![0].name!;
  for (const n of g.node!) n.output = n.output!.map((o) => (o === image ? `${image}_f32` : o));
  g.node!.push(
    onnx.NodeProto.create({
      name: 'cast',
      opType: 'Cast',
      input: [`${image}_f32`],
      output: [image],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: type }],
    }),
  );
  g.output![0].type!.tensorType!.elemType = type;
  const out = path.join(dir, file);
  fs.writeFileSync(out, encodeModel(model));
  return out;
}

test('a generator whose image is an integer type is refused with the type named; a float16 image is read as float32', async () => {
  const int = castImage(onnx.TensorProto.DataType.INT32, 'g-int.onnx');
  await assert.rejects(
    dissect(opts('e6d', { generator: { path: int } })),
    code('bad-model', /output "image" holds INT32 values; expected a float \(float32\) image/),
  );
  const half = castImage(onnx.TensorProto.DataType.FLOAT16, 'g16.onnx');
  const r = await dissect(opts('e6d16', { generator: { path: half } }));
  const ref = await dissect(opts('e6d32'));
  assert.deepEqual(
    r.result.layers[0].units.map((u) => u.label),
    ref.result.layers[0].units.map((u) => u.label),
  );
});

/** A 4-label segmenter whose logits are cast to `type`. */
function castLogits(type: number, file: string): string {
  const b = new GraphBuilder();
  b.input('image', [-1, 3, -1, -1]);
  const w = b.floats(
    'w',
    Array.from({ length: 12 }, (_, i) => i),
    [4, 3, 1, 1],
  );
  const c = b.node('Conv', ['image', w], { name: 'conv' });
  b.node('Cast', [c], { name: 'cast', out: 'logits', attrs: { to: type } });
  b.output('logits', [-1, 4, -1, -1]);
  const model = decodeModel(b.build(), file);
  model.graph!.output![0].type!.tensorType!.elemType = type;
  const out = path.join(dir, file);
  fs.writeFileSync(out, encodeModel(model));
  return out;
}

test('a segmenter whose logits are an integer type is refused with the type named; float16 logits are read as float32', async () => {
  const int = castLogits(onnx.TensorProto.DataType.INT32, 'seg-int.onnx');
  await assert.rejects(
    dissect(opts('e6c', { segmenter: { path: int, labels: m.labels } })),
    code('bad-shape', /segmenter output "logits" holds INT32 values; expected float \(float32\) logits/),
  );
  const half = castLogits(onnx.TensorProto.DataType.FLOAT16, 'seg16.onnx');
  const r = await dissect(opts('e6c16', { segmenter: { path: half, labels: m.labels } }));
  assert.equal(r.result.layers[0].units.length, 4);
});

test('NaN in an output names the batch and the sample', async () => {
  const nan = writeMaskModels(dir, { nanAt: true });
  await assert.rejects(
    dissect(opts('e7', { generator: { path: nan.generator } })),
    code('non-finite', /(generator output "image"|layer layer1) is NaN in the probe batch \(threshold sample 0\), sample 0: the model produced NaN/),
  ); // The failure is recorded in the folder (not left to look "interrupted"), and cleared by a run that succeeds.
  const folder = new RunFolder(path.join(dir, 'e7'));
  assert.equal(folder.readFailure()?.code, 'non-finite');
  assert.match(folder.readFailure()!.message, /is NaN in the probe batch/);
  assert.equal(folder.isInterrupted(), false);
  await dissect(opts('e7', { force: true }));
  assert.equal(folder.readFailure(), undefined);
});

test('a latents file of the wrong shape says what is needed', async () => {
  const bad = path.join(dir, 'bad.npy');
  writeNpy(bad, new Float32Array(10 * 7), [10, 7]);
  await assert.rejects(dissect(opts('e8', { latents: bad })), code('bad-latents', /shape \(10, 7\); the generator's latent needs \(N, 1024\)/));
  const short = path.join(dir, 'short.npy');
  writeNpy(short, new Float32Array(4 * 1024), [4, 1024]);
  await assert.rejects(dissect(opts('e9', { latents: short, samples: 8 })), code('bad-latents', /holds 4 latents but --samples is 8/));
});

test('an out directory holding an incompatible earlier run is not overwritten', async () => {
  await dissect(opts('e10'));
  const before = fs.readFileSync(path.join(dir, 'e10', 'dissect.json'), 'utf8');
  await assert.rejects(dissect(opts('e10', { samples: 9 })), code('incompatible-out', /differs in samples 8 → 9.*--force/));
  assert.equal(fs.readFileSync(path.join(dir, 'e10', 'dissect.json'), 'utf8'), before, 'nothing lost');
  const forced = await dissect(opts('e10', { samples: 9, force: true }));
  assert.equal(forced.result.settings.samples, 9);
});

test('a NaN or Inf in --latents is named by file, row and column, not blamed on the generator', async () => {
  const { fileLatents } = await import('../../extension/engine/models/latents');
  const dir = tmpDir();
  for (const [value, shown] of [
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ] as const) {
    const data = Float32Array.from({ length: 3 * 4 }, (_, i) => i / 10);
    data[2 * 4 + 1] = value;
    const file = path.join(dir, `z-${shown}.npy`);
    writeNpy(file, data, [3, 4]);
    assert.throws(
      () => fileLatents(file, [4]),
      (e: unknown) =>
        e instanceof DissectError && e.code === 'bad-latents' && e.message.includes(file) && e.message.includes(`(${shown}) at row 2, column 1`),
    );
  }
});

test('a file-system error mid-run names the file and says what to do (no stack trace)', async () => {
  const { fileSystemError } = await import('../../extension/shared/errors');
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    syscall: 'write',
    path: '/runs/a/images/layer4/unit0003.png',
  });
  const e = fileSystemError(enospc);
  assert.ok(e instanceof DissectError && e.code === 'fs-error');
  assert.equal(e.message, 'write /runs/a/images/layer4/unit0003.png failed: the disk is full: free some space or choose another --out');
  assert.equal(fileSystemError(new Error('not a file-system error')), undefined);
  assert.equal(fileSystemError(new DissectError('bad-usage', 'x')), undefined);
});

test('writeAtomic on a full disk leaves neither a half-written file nor its temporary file', { skip: !fs.existsSync('/dev/full') }, async () => {
  const { writeAtomic } = await import('../../extension/shared/run/blob');
  const d = tmpDir();
  const target = path.join(d, 'strip.png');
  // The temporary file is a link to /dev/full, where every write fails with ENOSPC: a full disk.
  fs.symlinkSync('/dev/full', `${target}.tmp-${process.pid}`);
  assert.throws(
    () => writeAtomic(target, Buffer.alloc(10)),
    (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOSPC',
  );
  assert.ok(!fs.existsSync(target), 'no half-written file');
  assert.deepEqual(fs.readdirSync(d), [], 'no temporary file');
});
