import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeCausalModels, tmpDir } from '../fixtures/models';
import { decodePng } from '../../extension/shared/png';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = tmpDir();
const m = writeCausalModels(dir);
const models = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu', '--quiet'];
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const from = path.join(dir, 'dissection');

test('setup: a dissection of layer1 to take rankings from', () => {
  const r = cli(['dissect', ...models, '--out', from, '--samples', '100', '--threshold', 'quantile']);
  assert.equal(r.status, 0, r.stderr);
});

test('ace --json prints removed/added/ace fractions for given units', () => {
  const r = cli(['ace', ...models, '--layer', 'layer1', '--concept', 'tree', '--units', '0', '--samples', '48', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.removed >= 0.9, JSON.stringify(j));
  assert.ok(j.ace > 0.9);
  assert.equal(j.samples, 48);
  const none = JSON.parse(cli(['ace', ...models, '--layer', 'layer1', '--concept', 'tree', '--units', '1', '--samples', '48', '--json']).stdout);
  assert.ok(Math.abs(none.removed) < 1e-9);
});

test('causal writes causal.json and stores the <concept>-ace ranking that ace --ranking ace then uses', () => {
  const out = path.join(dir, 'causal');
  const r = cli([
    'causal',
    ...models,
    '--layer',
    'layer1',
    '--concept',
    'tree',
    '--count',
    '2',
    '--samples',
    '48',
    '--search-samples',
    '24',
    '--from',
    from,
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'causal.json'), 'utf8'));
  assert.equal(j.units[0], 0);
  assert.equal(j.curves.ace.length, 2);
  assert.equal(j.curves.iou.length, 2);
  assert.ok(j.ace.ace >= j.iouAce.ace);
  assert.equal(j.insertion, 'high', 'the insertion the ACE used is recorded');
  assert.ok(fs.existsSync(path.join(from, 'rankings', 'layer1', 'tree-ace.json')));
  const a = cli([
    'ace',
    ...models,
    '--layer',
    'layer1',
    '--concept',
    'tree',
    '--ranking',
    'ace',
    '--count',
    '1',
    '--from',
    from,
    '--samples',
    '32',
    '--json',
  ]);
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(JSON.parse(a.stdout).units, [0]);
  const iou = cli([
    'ace',
    ...models,
    '--layer',
    'layer1',
    '--concept',
    'tree',
    '--ranking',
    'iou',
    '--count',
    '1',
    '--from',
    from,
    '--samples',
    '32',
    '--json',
  ]);
  assert.deepEqual(JSON.parse(iou.stdout).units, [1], 'the IoU ranking puts the correlated unit first');
});

test('intervene writes before/after/segmentation pictures and a JSON summary', () => {
  const out = path.join(dir, 'intervene');
  const r = cli([
    'intervene',
    ...models,
    '--layer',
    'layer1',
    '--units',
    '0',
    '--mode',
    'insert',
    '--concept',
    'tree',
    '--region',
    '0,0,4,4',
    '--samples',
    '3',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'intervention.json'), 'utf8'));
  assert.deepEqual(j.units, [0]);
  assert.equal(j.samples.length, 3);
  assert.ok(j.samples.every((s: { before: Record<string, number>; after: Record<string, number> }) => (s.after.tree ?? 0) > (s.before.tree ?? 0)));
  const png = decodePng(fs.readFileSync(path.join(out, 'intervention.png')));
  assert.equal(png.width, 4 * 8 + 3 * 2);
  assert.equal(png.height, 3 * 8 + 2 * 2);
});

test('context writes by_class: doors gained on buildings only', () => {
  const out = path.join(dir, 'context');
  const r = cli(['context', ...models, '--layer', 'layer1', '--concept', 'door', '--units', '3', '--samples', '8', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'context.json'), 'utf8'));
  assert.ok(j.by_class.building > 0);
  assert.ok(!j.by_class['-'] || Math.abs(j.by_class['-']) < 1e-9);
  assert.equal(j.maps.length, 8);
});

test('intervention usage errors exit 2; unknown concepts exit 1 naming the known ones', () => {
  assert.equal(cli(['ace', ...models, '--concept', 'tree', '--units', '0']).status, 2);
  const noRank = cli(['ace', ...models, '--layer', 'layer1', '--concept', 'tree', '--ranking', 'iou', '--count', '1']);
  assert.equal(noRank.status, 2);
  assert.match(noRank.stderr, /need --from DIR/);
  const bad = cli(['ace', ...models, '--layer', 'layer1', '--concept', 'window', '--units', '0', '--samples', '4']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no concept "window".*tree, building, door/);
});
