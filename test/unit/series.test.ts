/**
 * Checkpoint series and comparisons (engine/series/, shared/run/compare.ts; the paper's S-6.6, Fig. 7, 18):
 * a series of generators built by the tests in which two units go from noise to the class masks step by
 * step (fixtures/models.ts seriesGenerator); a watch that takes a slowly written file only when it is
 * whole, and a restarted one that redoes nothing; the comparison and the diff against the runs' own numbers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { tmpDir, writeMaskModels, seriesGenerator } from '../fixtures/models';
import { runSeries } from '../../extension/engine/series/series';
import { matchCheckpoints, stepOf, parses, CompletionTracker } from '../../extension/engine/series/checkpoints';
import { SeriesFolder, RunFolder } from '../../extension/shared/run/folder';
import { diffLayers, layerFigures } from '../../extension/shared/run/compare';
import type { DissectResult, SeriesResult } from '../../extension/shared/run/schema';

const dir = tmpDir('gd-series-');
const m = writeMaskModels(dir);
const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const ALPHAS = [0, 0.25, 0.5, 0.75, 1];
const ckpt = path.join(dir, 'ckpt');
fs.mkdirSync(ckpt);
ALPHAS.forEach((a, i) => fs.writeFileSync(path.join(ckpt, `G_${i * 1000}.onnx`), seriesGenerator(a)));
const dissectOpts = {
  generator: { path: '' },
  segmenter: { path: m.segmenter, labels: m.labels },
  layers: ['layer1'],
  samples: 60,
  thresholdSamples: 60,
  provider: 'cpu' as const,
  workers: 0,
};

let series: SeriesResult;
test('a series shows the interpretable units and the planted units’ IoU rising in order', async () => {
  const lines: string[] = [];
  series = await runSeries({
    pattern: path.join(ckpt, 'G_*.onnx'),
    dissect: dissectOpts,
    out: path.join(dir, 'series'),
    onLog: (l) => lines.push(l),
  });
  assert.deepEqual(
    series.checkpoints.map((c) => c.step),
    [0, 1000, 2000, 3000, 4000],
  );
  const l1 = series.checkpoints.map((c) => c.layers[0]);
  assert.equal(l1[0].interpretable, 0);
  assert.equal(l1[4].interpretable, 2);
  for (let i = 1; i < l1.length; i++) assert.ok(l1[i].interpretable >= l1[i - 1].interpretable);
  // units 0 and 1: their IoU rises step by step, to the masks themselves at the end
  for (const u of [0, 1]) {
    const ious = l1.map((l) => l.ious[u]);
    for (let i = 1; i < ious.length; i++) assert.ok(ious[i] > ious[i - 1], `unit ${u}: ${ious.join(', ')}`);
    assert.ok(ious[0] < 0.05 && ious[4] > 0.9, ious.join(', '));
  }
  assert.deepEqual([l1[4].labels[0], l1[4].labels[1]], ['tree', 'sky']);
  assert.equal(l1[0].labels[0], '-');
  // the summary on disk is the one returned; each checkpoint has its run folder
  const folder = new SeriesFolder(path.join(dir, 'series'));
  assert.deepEqual(folder.readSummary()!.checkpoints, series.checkpoints);
  for (const c of series.checkpoints) assert.ok(folder.run(c.step).readResult()?.complete);
  assert.ok(lines.some((l) => /step 2000 \(G_2000\.onnx\) · 3 of 5/.test(l)));
});

test('a series run again redoes no checkpoint', async () => {
  const folder = new SeriesFolder(path.join(dir, 'series'));
  const before = series.checkpoints.map((c) => fs.statSync(folder.run(c.step).resultFile).mtimeMs);
  const lines: string[] = [];
  await runSeries({ pattern: ckpt, dissect: dissectOpts, out: folder.dir, onLog: (l) => lines.push(l) });
  assert.equal(lines.filter((l) => /dissected already/.test(l)).length, 5);
  assert.deepEqual(
    series.checkpoints.map((c) => fs.statSync(folder.run(c.step).resultFile).mtimeMs),
    before,
  );
});

test('steps come from a sidecar JSON or the last number of the name; globs match file names only; a cut file does not parse', () => {
  const f = path.join(dir, 'run7-G.onnx');
  fs.writeFileSync(f, seriesGenerator(1));
  assert.deepEqual(stepOf(f), { step: 7, stepFrom: 'name' });
  fs.writeFileSync(`${f}.json`, JSON.stringify({ step: 12000 }));
  assert.deepEqual(stepOf(f), { step: 12000, stepFrom: 'sidecar' });
  fs.writeFileSync(`${f}.json`, JSON.stringify({ step: -3 }));
  assert.throws(() => stepOf(f), /"step" must be an integer ≥ 0, got -3/);
  assert.equal(stepOf(path.join(dir, 'latest.onnx')), undefined);
  assert.deepEqual(
    matchCheckpoints(path.join(ckpt, 'G_?000.onnx')).map((x) => path.basename(x)),
    ['G_1000.onnx', 'G_2000.onnx', 'G_3000.onnx', 'G_4000.onnx'],
  );
  assert.throws(() => matchCheckpoints(path.join(dir, '*', 'G.onnx')), /wildcards go in the file name only/);
  const bytes = seriesGenerator(0.5);
  const cut = path.join(dir, 'cut.onnx');
  for (const n of [10, Math.floor(bytes.length / 2), bytes.length - 40]) {
    fs.writeFileSync(cut, bytes.subarray(0, n));
    assert.equal(parses(cut), false, `${n} of ${bytes.length} bytes`);
  }
  fs.writeFileSync(cut, bytes);
  assert.equal(parses(cut), true);
  // complete: the same size and time at two looks (or last written long enough ago) and whole
  const t = new CompletionTracker(60_000);
  assert.equal(t.complete(cut), false);
  assert.equal(t.complete(cut), true);
});

/** Resolves when `file` satisfies `ok`, polling; rejects after `ms`. */
async function until<T>(what: string, ms: number, get: () => T | undefined): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function watch(folder: string, out: string) {
  const args = ['series', '--generator', path.join(folder, 'G_*.onnx'), '--segmenter', m.segmenter, '--labels', m.labels, '--layer', 'layer1'];
  const p = spawn(
    process.execPath,
    [
      CLI,
      ...args,
      '--samples',
      '60',
      '--threshold-samples',
      '60',
      '--provider',
      'cpu',
      '--workers',
      '0',
      '--out',
      out,
      '--watch',
      '--poll',
      '150',
      '--quiet',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return { p, exited, log: () => stderr };
}

test('--watch takes a checkpoint written slowly, in pieces, only when it is whole; a restarted watch redoes nothing', async () => {
  const folder = path.join(dir, 'watched');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'G_100.onnx'), seriesGenerator(0));
  const out = path.join(dir, 'watch-out');
  const sf = new SeriesFolder(out);
  const w = watch(folder, out);
  await until('the first checkpoint', 20_000, () => (sf.readSummary()?.checkpoints.length === 1 ? true : undefined));
  // a second checkpoint, written in two pieces with a pause longer than the watch's looks
  const bytes = seriesGenerator(1);
  const f = path.join(folder, 'G_200.onnx');
  fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sf.readSummary()!.checkpoints.length, 1, 'a half-written file was dissected');
  assert.ok(!fs.existsSync(sf.run(200).dir) || !new RunFolder(sf.run(200).dir).hasResult());
  fs.appendFileSync(f, bytes.subarray(Math.floor(bytes.length / 2)));
  const s = await until('the second checkpoint', 20_000, () => {
    const r = sf.readSummary();
    return r?.checkpoints.length === 2 ? r : undefined;
  });
  assert.equal(s.checkpoints[1].layers[0].interpretable, 2);
  w.p.kill('SIGINT');
  assert.equal(await w.exited, 0, w.log());
  // restarted: both checkpoints are there already
  const again = watch(folder, out);
  await until('the restarted watch to look', 20_000, () => ((again.log().match(/dissected already/g) ?? []).length >= 2 ? true : undefined));
  again.p.kill('SIGINT');
  assert.equal(await again.exited, 0, again.log());
  assert.equal(new SeriesFolder(out).readSummary()!.checkpoints.length, 2);
});

test('compare and diff agree with the runs’ own numbers', () => {
  const folder = new SeriesFolder(path.join(dir, 'series'));
  const a = folder.run(1000);
  const b = folder.run(4000);
  const r = spawnSync(process.execPath, [CLI, 'compare', a.dir, b.dir, '--json', '--html', path.join(dir, 'compare.html')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    runs: { layer: string; interpretable: number; concepts: number; meanIou: number }[];
    diffs: { changed: unknown[]; became: { unit: number }[]; stopped: unknown[]; same: number }[];
  };
  const results = [a, b].map((x) => x.readResult() as DissectResult);
  results.forEach((res, i) => {
    const l = res.layers[0];
    const interp = l.units.filter((u) => u.interpretable);
    assert.equal(j.runs[i].interpretable, l.summary.interpretable);
    assert.equal(j.runs[i].concepts, new Set(interp.map((u) => u.label)).size);
    assert.ok(Math.abs(j.runs[i].meanIou - interp.reduce((s, u) => s + u.iou, 0) / interp.length) < 1e-12);
  });
  // the diff, unit by unit
  const [la, lb] = results.map((res) => res.layers[0]);
  const d = diffLayers(la, lb);
  let same = 0;
  la.units.forEach((u, i) => {
    const v = lb.units[i];
    if (u.interpretable && v.interpretable && u.label === v.label) same++;
  });
  assert.equal(d.same, same);
  assert.deepEqual(j.diffs[0], JSON.parse(JSON.stringify(d)));
  assert.ok(fs.readFileSync(path.join(dir, 'compare.html'), 'utf8').includes('runs side by side'));
  assert.deepEqual(layerFigures(lb).labels.slice(0, 2), ['tree', 'sky']);
  // a diff needs the same units
  assert.throws(() => diffLayers(la, { ...lb, units: lb.units.slice(1) }), /a diff needs the same units/);
});
