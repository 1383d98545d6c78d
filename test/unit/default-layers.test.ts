/** Default layers for the layouts people train (shared/run/layers.ts), and module paths under DataParallel. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { defaultLayers } from '../../extension/shared/run/layers';
import { moduleScopes } from '../../extension/engine/models/onnx/graph';

type L = { name: string; tensor: string; shape: [number, number, number] };
const mod = (name: string, shape: [number, number, number]): L => ({ name, tensor: `/${name.replace(/\./g, '/')}/Op_output_0`, shape });
const raw = (tensor: string, shape: [number, number, number]): L => ({ name: tensor, tensor, shape });
const names = (ls: L[]) => defaultLayers(ls).map((l) => l.name);

test('ProGAN / DCGAN: the top-level layers, as before', () => {
  const progan = [1, 2, 3, 4, 5].map((i) => mod(`layer${i}`, [512 >> i, 4 << i, 4 << i]));
  assert.deepEqual(names([...progan, mod('output', [3, 256, 256]), raw('/x/Mul_output_0', [64, 8, 8])]), [
    'layer1',
    'layer2',
    'layer3',
    'layer4',
    'layer5',
    'output',
  ]);
});

test('StyleGAN2: each synthesis block by its feature tensor (conv1), not its RGB skip', () => {
  const ls: L[] = [];
  for (const r of [4, 8, 16, 32]) {
    if (r > 4) ls.push(mod(`synthesis.b${r}.conv0`, [512, r, r]));
    ls.push(mod(`synthesis.b${r}.conv1`, [512, r, r]));
    ls.push(mod(`synthesis.b${r}.torgb`, [3, r, r]));
    ls.push(mod(`synthesis.b${r}`, [3, r, r])); // the block's last output: the RGB skip image
  }
  ls.push(mod('synthesis', [3, 32, 32]));
  assert.deepEqual(names(ls), ['synthesis.b4.conv1', 'synthesis.b8.conv1', 'synthesis.b16.conv1', 'synthesis.b32.conv1']);
});

test('BigGAN: the blocks of the block list, not the container nor the output layer', () => {
  const ls: L[] = [0, 1, 2, 3].map((k) => mod(`blocks.${k}`, [1024 >> k, 8 << k, 8 << k]));
  ls.push(mod('blocks', [128, 64, 64]), mod('output_layer', [3, 128, 128]));
  assert.deepEqual(names(ls), ['blocks.0', 'blocks.1', 'blocks.2', 'blocks.3']);
});

test('a model with one module: that module; no modules at all: every candidate', () => {
  assert.deepEqual(names([mod('layer1', [4, 16, 16]), raw('r', [4, 16, 16])]), ['layer1']);
  assert.deepEqual(names([raw('a', [8, 4, 4]), raw('b', [8, 8, 8])]), ['a', 'b']);
});

test('DataParallel’s `module.` prefix is not part of the module paths', () => {
  assert.deepEqual(moduleScopes('/module/layer4/conv/Conv'), ['layer4', 'layer4.conv']);
  assert.deepEqual(moduleScopes('/module/module.layer1/module.layer1.0/conv1/Conv'), ['layer1', 'layer1.0', 'layer1.0.conv1']);
  assert.deepEqual(moduleScopes('/layer4/conv/Conv'), ['layer4', 'layer4.conv']);
});
