/**
 * The extension host's bundle (dist/extension.js, from `npm run build`) holds no ONNX Runtime: no
 * require("onnxruntime-node"), and none of the ONNX protobuf code (onnx-proto, protobufjs) that the engine's
 * model surgery bundles. esbuild names each bundled module in a `// node_modules/…` comment and in the source
 * map's `sources`; dist/engine.js, which does load them, shows that these markers are there to be found.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');
const ORT = /require\(\s*["']onnxruntime-node["']\s*\)/;
const PROTO = /\b(onnx-proto|protobufjs)\b/;
/** Sources that load ONNX Runtime, or the ONNX protobuf code (as esbuild's source map names them). */
const ONNX_SOURCES =
  /(^|\/)(node_modules\/(onnxruntime-node|onnxruntime-common|onnx-proto|protobufjs|@protobufjs)\/|extension\/engine\/(onnx\/|(dissect|interventions|models|causal|preview|intervene)\.ts$))/;

function bundle(name: string): { js: string; sources: string[] } {
  const file = path.join(DIST, name);
  assert.ok(fs.existsSync(file), `${file} (npm run build)`);
  const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return { js: fs.readFileSync(file, 'utf8'), sources: map.sources };
}

test('dist/extension.js does not require onnxruntime-node', () => {
  const { js } = bundle('extension.js');
  assert.doesNotMatch(js, ORT);
  assert.ok(!js.includes('onnxruntime-node'), 'no mention of onnxruntime-node at all');
});

test('dist/extension.js bundles neither onnx-proto nor protobufjs', () => {
  const { js } = bundle('extension.js');
  const hits = js.split('\n').filter((l) => PROTO.test(l));
  assert.deepEqual(hits.slice(0, 5), [], `${hits.length} lines name onnx-proto / protobufjs`);
});

test('dist/extension.js is built from no module that loads ONNX Runtime', () => {
  const { sources } = bundle('extension.js');
  assert.ok(
    sources.some((s) => s.endsWith('extension/extension.ts')),
    'the source map lists the sources',
  );
  assert.deepEqual(
    sources.filter((s) => ONNX_SOURCES.test(s)),
    [],
  );
});

test('the markers are real: dist/engine.js, which runs the models, has them all', () => {
  const { js, sources } = bundle('engine.js');
  assert.match(js, ORT);
  assert.match(js, /node_modules\/onnx-proto\//);
  assert.match(js, /node_modules\/protobufjs\//);
  assert.ok(sources.some((s) => ONNX_SOURCES.test(s)));
});
