/** The project file's "source" (extension/shared/project.ts, issue 18 item 1): relative to the file, checked, kept. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject, saveProject } from '../../extension/shared/project';
import { tmpDir } from '../fixtures/models';

test('"source" is read relative to the project file, written back relative, and checked', () => {
  const dir = tmpDir('gd-source-');
  fs.mkdirSync(path.join(dir, 'ckpt'));
  const file = path.join(dir, 'ckpt', 'G.dissect.json');
  fs.writeFileSync(file, JSON.stringify({ generator: { path: 'G.onnx' }, source: { file: '../models/gan.py', class: 'Generator' } }));
  const p = loadProject(file);
  assert.deepEqual(p.source, { file: path.join(dir, 'models', 'gan.py'), class: 'Generator' });
  const moved = path.join(dir, 'G.dissect.json');
  saveProject(moved, p);
  assert.deepEqual(JSON.parse(fs.readFileSync(moved, 'utf8')).source, { file: 'models/gan.py', class: 'Generator' });
  assert.deepEqual(loadProject(moved).source, p.source);
  fs.writeFileSync(file, JSON.stringify({ generator: { path: 'G.onnx' }, source: { file: 'gan.py' } }));
  assert.throws(() => loadProject(file), /"source\.class"/);
  fs.writeFileSync(file, JSON.stringify({ generator: { path: 'G.onnx' }, source: { file: 'gan.py', class: 'G', line: 3 } }));
  assert.throws(() => loadProject(file), /source\.line/);
});
