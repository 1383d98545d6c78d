/**
 * The intervention panel's insertion choice and strength reach the engine: the live preview with
 * `insertion` X and strength s renders what the CLI's `intervene --insertion X --strength s` renders, and
 * each choice gives the edit its own constants k and combination (max(r, k) or the paper's r′ = k).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeCausalModels, tmpDir } from '../fixtures/models';
import { decodePng } from '../../extension/shared/png';
import { dissect } from '../../extension/engine/dissect/dissect';
import { PreviewSession } from '../../extension/engine/intervene/preview';
import { INSERTION_CHOICES, MAX_STRENGTH, defaultUnitCount, type InsertionChoice, type InterventionSpec } from '../../extension/shared/intervention';
import { MAX_STRENGTH as ENGINE_MAX_STRENGTH } from '../../extension/engine/intervene/edit';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = tmpDir();
const m = writeCausalModels(dir);
const models = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu', '--quiet'];
const SAMPLES = 4;
const SEED = 11;
const S = 8; // the causal generator's image is 8×8

function tile(grid: { width: number; rgb: Uint8Array }, row: number, col: number): Uint8Array {
  const out = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) {
    const start = ((row * (S + 2) + y) * grid.width + col * (S + 2)) * 3;
    out.set(grid.rgb.subarray(start, start + S * 3), y * S * 3);
  }
  return out;
}
const fromDataUri = (uri: string) => decodePng(Buffer.from(uri.split(',')[1], 'base64')).rgb;

let session: PreviewSession;

test('the shared types and limits are the engine’s', () => {
  // (a compile-time check both ways: the webview's choices are the engine's sources)
  const a: InsertionChoice[] = [...INSERTION_CHOICES];
  const b: InsertionChoice[] = a;
  assert.deepEqual(b, ['high', 'concept', 'quantile', 'paper']);
  assert.equal(MAX_STRENGTH, ENGINE_MAX_STRENGTH);
});

test('the default unit count: 20 per 512 units of the layer, at least 4, at most the layer', () => {
  assert.deepEqual([1, 3, 4, 9, 32, 64, 100, 128, 256, 512, 1024].map(defaultUnitCount), [1, 3, 4, 4, 4, 4, 4, 5, 10, 20, 40]);
});

test('setup: a dissection to open the live preview on', async () => {
  const out = path.join(dir, 'run');
  await dissect({
    generator: { path: m.generator },
    segmenter: { path: m.segmenter, labels: m.labels },
    out,
    samples: 60,
    threshold: 'quantile',
    provider: 'cpu',
  });
  session = await PreviewSession.open({ runId: out, layer: 'layer1', samples: SAMPLES, seed: SEED, provider: 'cpu' });
});

for (const c of [
  { insertion: 'paper', strength: 1, concept: 'tree' },
  { insertion: 'concept', strength: 3, concept: 'tree' },
  { insertion: 'quantile', strength: 2.5, concept: undefined },
  { insertion: 'high', strength: 10, concept: 'tree' },
] as const) {
  test(`the preview's insertion "${c.insertion}" at ${c.strength}× is the CLI's --insertion ${c.insertion} --strength ${c.strength}`, async () => {
    const out = path.join(dir, `cli-${c.insertion}`);
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'intervene',
        ...models,
        ...['--layer', 'layer1', '--units', '0', '--mode', 'insert', '--insertion', c.insertion, '--strength', String(c.strength)],
        ...(c.concept ? ['--concept', c.concept] : []),
        ...['--samples', String(SAMPLES), '--seed', String(SEED), '--out', out],
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const grid = decodePng(fs.readFileSync(path.join(out, 'intervention.png')));
    const spec: InterventionSpec = {
      units: [0],
      mode: 'insert',
      strength: c.strength,
      insertion: c.insertion,
      mask: null,
      ...(c.concept ? { concept: c.concept } : {}),
    };
    const p = await session.preview(spec);
    for (let i = 0; i < SAMPLES; i++) assert.deepEqual(tile(grid, i, 1), fromDataUri(p.after[i]), `sample ${i}: the same edited image`);
  });
}

test('each choice gives the engine its constants and combination; a choice the engine does not know is refused', async () => {
  const iv = (insertion: InsertionChoice, concept: string | undefined = 'tree') =>
    session.intervention({ units: [0, 1], mode: 'insert', strength: 2, insertion, mask: null, ...(concept ? { concept } : {}) });
  const k = (x: Awaited<ReturnType<typeof iv>>) => Array.from(x.k as Float32Array);
  const [high, concept, quantile, paper, none] = await Promise.all([
    iv('high'),
    iv('concept'),
    iv('quantile'),
    iv('paper'),
    iv('quantile', undefined),
  ]);
  assert.deepEqual(
    [high, concept, quantile, paper].map((x) => x.combine),
    ['max', 'max', 'max', 'replace'],
  );
  assert.ok([high, concept, quantile, paper].every((x) => x.strength === 2 && x.mode === 'insert'));
  // high = the larger of the 0.99 quantile and the mean where the concept is; paper uses that mean
  assert.deepEqual(
    k(high),
    k(quantile).map((q, u) => Math.max(q, k(concept)[u])),
  );
  assert.deepEqual(k(paper), k(concept));
  assert.notDeepEqual(k(quantile), k(concept), 'the two kinds of constants differ here');
  assert.deepEqual(k(none), k(quantile), 'the 0.99 quantile needs no concept');
  // absent: the default (high)
  const dflt = await session.intervention({ units: [0], mode: 'insert', strength: 1, concept: 'tree', mask: null });
  assert.deepEqual(Array.from(dflt.k as Float32Array), k(high));
  assert.equal(dflt.combine, 'max');
  await assert.rejects(
    session.preview({ units: [0], mode: 'insert', strength: 1, insertion: 'bogus' as InsertionChoice, concept: 'tree', mask: null }),
    /insertion must be high, concept, quantile, paper/,
  );
  await assert.rejects(session.preview({ units: [0], mode: 'insert', strength: 1, insertion: 'paper', mask: null }), /needs a concept/);
});
