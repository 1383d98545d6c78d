import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { writeMaskModels, tmpDir } from '../fixtures/models';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = tmpDir();
const m = writeMaskModels(dir);
const models = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu'];

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

test('the CLI is built', () => assert.ok(fs.existsSync(CLI), `${CLI} (npm run build)`));

test('usage errors exit 2 with the usage text', () => {
  const none = cli([]);
  assert.equal(none.status, 2);
  const noOut = cli(['dissect', ...models]);
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /dissect needs --out DIR/);
  const badFlag = cli(['dissect', '--frobnicate']);
  assert.equal(badFlag.status, 2);
  const badShard = cli(['dissect', ...models, '--out', path.join(dir, 'x'), '--shard', '3/2']);
  assert.equal(badShard.status, 2);
  assert.match(badShard.stderr, /--shard must be I\/N with 1 ≤ I ≤ N/);
  const zeroShard = cli(['dissect', ...models, '--out', path.join(dir, 'x'), '--shard', '0/2']);
  assert.equal(zeroShard.status, 2);
  assert.match(zeroShard.stderr, /--shard counts from 1: the shards of 2 are 1\/2 … 2\/2/);
  const badWorkers = cli(['dissect', ...models, '--out', path.join(dir, 'x'), '--workers=-1']);
  assert.equal(badWorkers.status, 2);
  assert.match(badWorkers.stderr, /--workers must be an integer ≥ 0/);
});

test('--workers 0 and --workers 3 give the same dissect.json numbers', () => {
  const run = (workers: string) => {
    const out = path.join(dir, `w${workers}`);
    const r = cli(['dissect', ...models, '--out', out, '--samples', '24', '--workers', workers, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
    return j.layers.map((l: { units: object[] }) => l.units);
  };
  assert.deepEqual(run('3'), run('0'));
});

test('failures exit 1 with a specific message', () => {
  const r = cli([
    'dissect',
    '--generator',
    path.join(dir, 'missing.onnx'),
    '--segmenter',
    m.segmenter,
    '--labels',
    m.labels,
    '--out',
    path.join(dir, 'y'),
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error: generator not found: .*missing\.onnx/);
});

test('layers lists module paths with shapes, as text and JSON', () => {
  const r = cli(['layers', '--generator', m.generator, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { layers: { name: string; shape: number[] }[] };
  const l1 = j.layers.find((l) => l.name === 'layer1');
  assert.deepEqual(l1?.shape, [4, 16, 16]);
  const t = cli(['layers', '--generator', m.generator]);
  assert.match(t.stdout, /\* layer1\s+4×16×16/);
  // raw op outputs (named by their tensor) only with --all
  assert.match(t.stdout, /3 layers \(\* = dissected by default; 2 raw op outputs not shown: --all lists them\)/);
  assert.doesNotMatch(t.stdout, /layer1\/Sub_out1/);
  const all = cli(['layers', '--generator', m.generator, '--all']);
  assert.match(all.stdout, /layer1\/Sub_out1/);
  assert.ok(all.stdout.indexOf('layer1 ') < all.stdout.indexOf('layer1/Sub_out1'), 'module outputs first');
});

test('dissect prints progress on stderr and the summary on stdout; a re-run reuses the result', () => {
  const out = path.join(dir, 'run');
  const r = cli(['dissect', ...models, '--out', out, '--samples', '40', '--threshold', 'quantile']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /samples\/s/);
  assert.match(r.stdout, /layer1\s+\[4×16×16\]\s+2\/4 interpretable\s+sky 1, tree 1/);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  assert.equal(j.settings.samples, 40);
  assert.equal(j.provider.name, 'cpu');
  const again = cli(['dissect', ...models, '--out', out, '--samples', '40', '--threshold', 'quantile']);
  assert.equal(again.status, 0);
  assert.match(again.stderr, /reusing it/);
});

test('SIGINT stops with exit 130, keeps the work, and --resume finishes it', async () => {
  const out = path.join(dir, 'interrupted');
  const args = ['dissect', ...models, '--out', out, '--samples', '8000', '--batch', '2', '--threshold', 'quantile', '--threshold-samples', '50'];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/quantiles: 50\/50/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /resume with --resume/);
  assert.ok(fs.existsSync(path.join(out, 'state.bin')));
  const resumed = cli([...args, '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const whole = cli([
    'dissect',
    ...models,
    '--out',
    path.join(dir, 'uninterrupted'),
    '--samples',
    '8000',
    '--batch',
    '50',
    '--threshold',
    'quantile',
    '--threshold-samples',
    '50',
  ]);
  assert.equal(whole.status, 0, whole.stderr);
  const a = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  const b = JSON.parse(fs.readFileSync(path.join(dir, 'uninterrupted', 'dissect.json'), 'utf8'));
  assert.deepEqual(a.layers[0].units, b.layers[0].units);
});

test('latents writes a .npy that dissect accepts', () => {
  const z = path.join(dir, 'z.npy');
  const r = cli(['latents', '--generator', m.generator, '--samples', '12', '--seed', '1', '--out', z]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.statSync(z).size, 128 + 12 * 1024 * 4);
  const d = cli(['dissect', ...models, '--out', path.join(dir, 'fromz'), '--latents', z, '--threshold-samples', '12']);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /12 samples/);
});

test('a layer named twice is dissected once; --workers is capped at the cores; --topk at the samples', () => {
  const out = path.join(dir, 'bounds');
  const r = cli([
    'dissect',
    ...models,
    '--out',
    out,
    '--samples',
    '12',
    '--layer',
    'layer1',
    '--layer',
    'layer1.relu',
    '--layer',
    'layer1',
    '--workers',
    '1000',
    '--topk',
    '1000000000',
    '--quiet',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /--workers 1000: this machine has \d+ cores; using \d+ statistics threads/);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  assert.deepEqual(
    j.layers.map((l: { layer: string }) => l.layer),
    ['layer1'],
  );
  assert.equal(j.settings.topk, 12);
  for (const u of j.layers[0].units) assert.ok(u.top.length <= 12);
});

test('negative numbers are option values (--image-range -1,1, --seed -1); --threads 0 is the default', () => {
  const out = path.join(dir, 'negative');
  const r = cli(['dissect', ...models, '--out', out, '--samples', '12', '--image-range', '-1,1', '--seed', '-1', '--threads', '0', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  assert.deepEqual(j.settings.generator.range, [-1, 1]);
  assert.deepEqual(j.settings.latents, { seed: -1 });
  const bad = cli(['dissect', ...models, '--out', path.join(dir, 'neg2'), '--image-range', '-1', '--quiet']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--image-range needs 2 comma-separated numbers, got "-1"/);
});

test('--region that is inverted, negative or outside the image is refused', () => {
  for (const region of ['0,0,1.5,1', '8,0,2,16', '-1,0,4,4']) {
    const r = cli([
      'intervene',
      ...models,
      '--layer',
      'layer1',
      '--units',
      '0',
      '--mode',
      'ablate',
      '--region',
      region,
      '--out',
      path.join(dir, 'reg'),
    ]);
    assert.equal(r.status, 2, `${region}: ${r.stderr}`);
    assert.match(r.stderr, /--region is x0,y0,x1,y1 in image pixels with 0 ≤ x0 < x1 and 0 ≤ y0 < y1/);
  }
  const outside = cli([
    'intervene',
    ...models,
    '--layer',
    'layer1',
    '--units',
    '0',
    '--mode',
    'ablate',
    '--region',
    '0,0,4,999',
    '--samples',
    '1',
    '--out',
    path.join(dir, 'reg'),
  ]);
  assert.equal(outside.status, 2, outside.stderr);
  assert.match(outside.stderr, /--region 0,0,4,999 lies outside the \d+×\d+ image/);
});

test('artifact flags in a run folder survive a re-dissection of the same model into it (--force)', async () => {
  const { RunFolder } = await import('../../extension/shared/run/folder');
  const out = path.join(dir, 'flags-survive');
  assert.equal(cli(['dissect', ...models, '--out', out, '--samples', '12', '--quiet']).status, 0);
  new RunFolder(out).writeFlags({ layer1: [2, 3] });
  const again = cli(['dissect', ...models, '--out', out, '--samples', '16', '--force', '--quiet']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8')).settings.samples, 16);
  assert.deepEqual(new RunFolder(out).readFlags(), { layer1: [2, 3] });
});
