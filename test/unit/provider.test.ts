import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createSession, ort } from '../../extension/engine/models/onnx/session';
import { deepGenerator } from '../fixtures/models';

const cudaBundled = ort.listSupportedBackends?.().some((b) => b.name === 'cuda' && b.bundled) ?? false;

test('auto and cuda fall back to the CPU with the reason recorded when CUDA cannot load', async () => {
  for (const provider of ['auto', 'cuda'] as const) {
    const s = await createSession(deepGenerator(), 'generator', { provider });
    assert.equal(s.provider.requested, provider);
    if (s.provider.name === 'cuda') {
      assert.equal(s.provider.fallback, undefined);
    } else {
      assert.equal(s.provider.name, 'cpu');
      assert.match(s.provider.fallback ?? '', /CUDA unavailable/);
      assert.ok(!cudaBundled || s.provider.fallback, 'a failed CUDA load says why');
    }
  }
});

test('cpu is used as asked, with no fallback note', async () => {
  const s = await createSession(deepGenerator(), 'generator', { provider: 'cpu', threads: 1 });
  assert.deepEqual(s.provider, { name: 'cpu', requested: 'cpu' });
});

test('webgpu runs on a GPU adapter, or falls back to the CPU with the reason, the same numbers within float tolerance', async () => {
  const z = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i * 1.3)),
    [2, 16],
  );
  const run = async (provider: 'cpu' | 'webgpu') => {
    const s = await createSession(deepGenerator(), 'generator', { provider });
    const out = await s.ort.run({ [s.inputNames[0]]: z });
    return { provider: s.provider, image: out[s.outputNames[0]].data as Float32Array };
  };
  const cpu = await run('cpu');
  for (let attempt = 0; attempt < 2; attempt++) {
    // the second attempt reuses the remembered failure (no second adapter request)
    const gpu = await run('webgpu');
    assert.equal(gpu.provider.requested, 'webgpu');
    if (gpu.provider.name === 'webgpu') assert.equal(gpu.provider.fallback, undefined);
    else {
      assert.equal(gpu.provider.name, 'cpu');
      assert.match(gpu.provider.fallback ?? '', /^WebGPU unavailable: \S/);
      assert.doesNotMatch(gpu.provider.fallback ?? '', /onnxruntime_src/, 'the reason without the source location');
    }
    let diff = 0;
    for (let i = 0; i < cpu.image.length; i++) diff = Math.max(diff, Math.abs(cpu.image[i] - gpu.image[i]));
    assert.ok(diff < 1e-3, `max |cpu − ${gpu.provider.name}| = ${diff}`);
  }
});
