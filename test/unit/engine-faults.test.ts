/**
 * The engine client against engines that misbehave on purpose (fake engine scripts): a silent engine,
 * one that crashes at start, one that ignores a cancel, one that never answers, a missing engine.js.
 * No request may wait for ever, no crash may loop, and every message fits its request.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineClient, EngineError } from '../../extension/engine-process/client';
import { tmpDir } from '../fixtures/models';

const dir = tmpDir();
const RPC = require.resolve('vscode-jsonrpc/node');

/** A fake engine: `body` runs with `c` (the connection) and `rpc` in scope; pids are appended to `pids`. */
function fakeEngine(name: string, body: string): { script: string; pids: () => number[] } {
  const script = path.join(dir, `${name}.js`);
  const pidFile = path.join(dir, `${name}.pids`);
  fs.writeFileSync(
    script,
    `const fs = require('fs');
fs.appendFileSync(${JSON.stringify(pidFile)}, process.pid + '\\n');
const rpc = require(${JSON.stringify(RPC)});
const c = rpc.createMessageConnection(new rpc.IPCMessageReader(process), new rpc.IPCMessageWriter(process));
${body}
c.listen();
`,
  );
  return {
    script,
    pids: () => (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim().split('\n').map(Number) : []),
  };
}

const heartbeat = `setInterval(() => c.sendNotification('engine/heartbeat', {}), 100);`;
const gen = { generator: { path: '/x.onnx' } };
const isError = (code: string, re: RegExp) => (e: unknown) => e instanceof EngineError && e.code === code && re.test(e.message);
function tokenSource() {
  const listeners: (() => void)[] = [];
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => listeners.push(l) };
  return { token, cancel: () => ((token.isCancellationRequested = true), listeners.forEach((l) => l())) };
}

test('a silent engine (no answer, no heartbeat) is stopped after silenceMs, and the request says so', async () => {
  const f = fakeEngine('silent', `c.onRequest('engine/layers', () => new Promise(() => {}));`);
  const log: string[] = [];
  const client = new EngineClient(f.script, (l) => log.push(l), { silenceMs: 400 });
  try {
    const t0 = Date.now();
    await assert.rejects(client.layers(gen), isError('hung', /stopped answering during listing the layers .*Try again/));
    assert.ok(Date.now() - t0 < 5000);
    assert.match(log.join('\n'), /silent for \d+ s: stopping it/);
  } finally {
    client.dispose();
  }
});

test('a slow engine that keeps its heartbeat is waited for', async () => {
  const f = fakeEngine('slow', `${heartbeat}\nc.onRequest('engine/layers', () => new Promise((r) => setTimeout(() => r({ layers: [] }), 1200)));`);
  const client = new EngineClient(f.script, () => {}, { silenceMs: 400 });
  try {
    assert.deepEqual(await client.layers(gen), { layers: [] });
  } finally {
    client.dispose();
  }
});

test('a request past its limit is stopped with a message that names it', async () => {
  const f = fakeEngine('never', `${heartbeat}\nc.onRequest('engine/layers', () => new Promise(() => {}));`);
  const client = new EngineClient(f.script, () => {}, { limits: { layers: 500 } });
  try {
    await assert.rejects(client.layers(gen), isError('timeout', /^Listing the layers got no answer for 1 s, so the engine was stopped\.$/));
  } finally {
    client.dispose();
  }
});

test('a cancel the engine ignores stops the engine within the grace period', async () => {
  const f = fakeEngine('stubborn', `${heartbeat}\nc.onRequest('engine/dissect', () => new Promise(() => {}));`);
  const client = new EngineClient(f.script, () => {}, { cancelGraceMs: 300 });
  try {
    const { token, cancel } = tokenSource();
    const run = client.dissect({ runId: 'r' } as never, () => {}, token);
    await new Promise((r) => setTimeout(r, 300));
    const pid = client.pid!;
    const t0 = Date.now();
    cancel();
    await assert.rejects(run, isError('cancelled', /the engine was stopped to honour it/));
    assert.ok(Date.now() - t0 < 3000);
    await new Promise((r) => setTimeout(r, 100));
    assert.throws(() => process.kill(pid, 0), 'the stubborn engine is gone');
  } finally {
    client.dispose();
  }
});

test('an engine that crashes at start: specific errors, a growing delay, then a stop with "see the log"', async () => {
  const f = fakeEngine('crasher', `process.stderr.write('boom: cannot load the native addon\\n'); process.exit(3);`);
  const log: string[] = [];
  const client = new EngineClient(f.script, (l) => log.push(l), { maxCrashes: 2, restartDelayMs: 50 });
  try {
    await assert.rejects(client.layers(gen), isError('crashed', /exited with code 3 during listing the layers\. Try again/));
    await assert.rejects(client.layers(gen), isError('crashed', /exited with code 3/));
    for (let i = 0; i < 10; i++) await assert.rejects(client.layers(gen), isError('engine-failing', /keeps crashing \(2 times .*see the log/));
    assert.equal(f.pids().length, 2, 'forked only twice for 12 requests');
    assert.match(log.join('\n'), /\[engine\] boom: cannot load the native addon/);
  } finally {
    client.dispose();
  }
});

test('a crash during a dissection says to resume it; during other work, to try again', async () => {
  const f = fakeEngine('dies', `c.onRequest('engine/dissect', () => process.exit(9)); c.onRequest('engine/layers', () => process.exit(9));`);
  const client = new EngineClient(f.script, () => {});
  try {
    await assert.rejects(
      client.dissect({ runId: 'r' } as never, () => {}),
      isError('crashed', /during the dissection\. .*resume the run/),
    );
    await assert.rejects(client.layers(gen), (e: unknown) => isError('crashed', /Try again/)(e) && !/resume/.test((e as Error).message));
  } finally {
    client.dispose();
  }
});

test('a missing engine.js is named, not a silent failure', async () => {
  const client = new EngineClient(path.join(dir, 'no-such-engine.js'));
  await assert.rejects(client.layers(gen), isError('engine-missing', /no-such-engine\.js\) is missing: rebuild/));
  client.dispose();
});
