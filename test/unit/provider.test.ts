import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createSession, ort } from '../../extension/engine/onnx/session';
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
