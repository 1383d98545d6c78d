import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deepGenerator, tmpDir } from '../fixtures/models';
import { Generator } from '../../extension/engine/models/contract';
import { decodeModel, encodeModel } from '../../extension/engine/models/onnx/proto';
import { renderModel } from '../../extension/engine/models/onnx/surgery';
import { createSession, runSession, floatTensor } from '../../extension/engine/models/onnx/session';
import { moduleScopes } from '../../extension/engine/models/onnx/graph';
import { seededLatents } from '../../extension/engine/models/latents';

test('module scopes follow PyTorch export names, old and new style', () => {
  assert.deepEqual(moduleScopes('/layer4/conv/Conv'), ['layer4', 'layer4.conv']);
  assert.deepEqual(moduleScopes('/layer1/layer1.0/conv1/Conv_3'), ['layer1', 'layer1.0', 'layer1.0.conv1']);
  assert.deepEqual(moduleScopes('Conv_12'), []);
  assert.deepEqual(moduleScopes('/Tanh'), []);
});

test('layers are internal spatial tensors named by module path', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'deep.onnx');
  fs.writeFileSync(file, deepGenerator());
  const g = Generator.open({ path: file }, { provider: 'cpu' });
  const layers = await g.layers();
  const byName = new Map(layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.get('layer1')?.shape, [8, 4, 4]);
  assert.deepEqual(byName.get('layer1')?.aliases, ['layer1.act']);
  assert.deepEqual(byName.get('layer2')?.shape, [8, 8, 8]);
  assert.deepEqual(byName.get('layer2.conv')?.shape, [8, 8, 8]);
  assert.ok(!layers.some((l) => l.tensor === 'image'), 'graph outputs are not layers');
  // the Gemm output [N,128] and the skip reshape [N,3,1,1] are not spatial
  assert.ok(!layers.some((l) => l.tensor.startsWith('layer1/fc')));
  assert.ok(!layers.some((l) => l.name.startsWith('skip')));
  const [viaAlias] = await g.resolveLayers(['layer2.act']);
  assert.equal(viaAlias.name, 'layer2');
});

test('render(capture(z).layer, z) equals generator(z) (graph surgery)', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'deep.onnx');
  fs.writeFileSync(file, deepGenerator());
  const g = Generator.open({ path: file }, { provider: 'cpu' });
  const n = 5;
  const z = seededLatents(7, g.latentDims).batch(0, n);
  for (const name of ['layer1', 'layer2', 'layer2.conv']) {
    const [layer] = await g.resolveLayers([name]);
    const cap = await g.session([layer.tensor]);
    const out = await g.run(cap, z, n, [layer], 'test', 0);
    const render = await g.renderSession(layer);
    // z still feeds the output through the skip path, so the render model keeps it as an input
    assert.ok(render.inputNames.includes('z'), `render model of ${name} keeps z`);
    assert.ok(render.inputNames.includes(layer.tensor));
    const res = await runSession(
      render,
      { [layer.tensor]: floatTensor(out.layers.get(layer.tensor)!, [n, ...layer.shape]), z: floatTensor(z, [n, 16]) },
      ['image'],
      'render',
    );
    const img = res.image.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < img.length; i++) maxDiff = Math.max(maxDiff, Math.abs(img[i] - out.image[i]));
    assert.ok(maxDiff <= 1e-5, `${name}: max |render − G| = ${maxDiff}`);
    // and the render model really does depend on the layer: zeroing it changes the image
    const zero = await runSession(
      render,
      {
        [layer.tensor]: floatTensor(new Float32Array(n * layer.shape[0] * layer.shape[1] * layer.shape[2]), [n, ...layer.shape]),
        z: floatTensor(z, [n, 16]),
      },
      ['image'],
      'render',
    );
    const zi = zero.image.data as Float32Array;
    assert.ok(
      zi.some((v, i) => Math.abs(v - img[i]) > 1e-3),
      `${name}: zeroing the layer changes the image`,
    );
  }
});

test('render model prunes the nodes that only fed the layer', async () => {
  const model = decodeModel(deepGenerator(), 'deep');
  const m = renderModel(model, 'layer2/act/Relu_out5', [8, 8, 8]);
  const ops = m.graph!.node!.map((n) => n.name);
  assert.ok(!ops.includes('/layer1/fc/Gemm'));
  assert.ok(!ops.includes('/layer2/conv/Conv'));
  assert.ok(ops.includes('/to_rgb/Conv'));
  assert.ok(ops.includes('/skip/Gemm'));
  const inits = m.graph!.initializer!.map((t) => t.name);
  assert.ok(!inits.includes('layer1.fc.weight'), 'unused weights are dropped');
  // and it loads in ONNX Runtime
  const s = await createSession(encodeModel(m), 'render', { provider: 'cpu' });
  assert.deepEqual([...s.outputNames], ['image']);
});
