import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeCausalModels, tmpDir } from '../fixtures/models';
import { decodePng } from '../../extension/shared/png';
import { dissect } from '../../extension/engine/dissect/dissect';
import { PreviewSession } from '../../extension/engine/intervene/preview';
import type { InterventionSpec } from '../../extension/shared/intervention';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = tmpDir();
const m = writeCausalModels(dir);
const models = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu', '--quiet'];
const SAMPLES = 6;
const SEED = 11;
const S = 8; // the causal generator's image (and layer1) is 8×8

/** One tile (row, column) of the CLI's intervention.png grid (tiles S×S, 2 px apart). */
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
  { name: 'ablate everywhere', args: ['--mode', 'ablate'], spec: { mode: 'ablate' } },
  {
    name: 'insert a concept in a region',
    args: ['--mode', 'insert', '--concept', 'tree', '--region', '2,1,6,5'],
    spec: { mode: 'insert', concept: 'tree' },
  },
] as const) {
  test(`the CLI's intervene and the live preview give the same edited images: ${c.name}`, () => runCase(c.args, c.spec));
}

async function runCase(args: readonly string[], spec: { mode: 'ablate' | 'insert'; concept?: string }): Promise<void> {
  // the CLI, in its own process and without --from: its insertion constants are computed afresh, not read from the preview's cache
  const out = path.join(dir, `cli-${spec.mode}`);
  const intervene = (a: readonly string[]) =>
    spawnSync(
      process.execPath,
      [CLI, 'intervene', ...models, '--layer', 'layer1', '--units', '0', ...a, '--samples', String(SAMPLES), '--seed', String(SEED), '--out', out],
      { encoding: 'utf8' },
    );
  const r = intervene(args);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'intervention.json'), 'utf8')) as {
    samples: { before: Record<string, number>; after: Record<string, number> }[];
  };
  const grid = decodePng(fs.readFileSync(path.join(out, 'intervention.png')));

  // the preview, with the region painted at image resolution as the webview sends it
  const region = args.includes('--region');
  const mask = region
    ? {
        width: S,
        height: S,
        data: Buffer.from(Uint8Array.from({ length: S * S }, (_, p) => (p % S >= 2 && p % S < 6 && p >= S && p < 5 * S ? 255 : 0))).toString(
          'base64',
        ),
      }
    : null;
  const full: InterventionSpec = { units: [0], mode: spec.mode, strength: 1, mask, ...(spec.concept ? { concept: spec.concept } : {}) };
  const p = await session.preview(full);

  let changed = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const before = decodePng(fs.readFileSync(session.files[i].before)).rgb;
    assert.deepEqual(tile(grid, i, 0), before, `sample ${i}: the same unedited image`);
    const after = fromDataUri(p.after[i]);
    assert.deepEqual(tile(grid, i, 1), after, `sample ${i}: the same edited image`);
    assert.deepEqual(tile(grid, i, 3), fromDataUri(p.segAfter[i]), `sample ${i}: the same edited segmentation`);
    assert.deepEqual(summary.samples[i].after, p.changes[i].after, `sample ${i}: the same label fractions after the edit`);
    if (!Buffer.from(after).equals(Buffer.from(before))) changed++;
  }
  assert.ok(changed > 0, 'the edit changes some image');
}
