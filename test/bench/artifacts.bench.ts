/**
 * Artifacts benchmark (printed, never asserted), on the bundled demo model:
 *   - the realism scores (search, features, strips) against their limit: one generator + feature-model
 *     pass over each searched sample, with the same sessions and batch;
 *   - the repair's measure (Table 1) against its limit: the original's G + F pass over the fresh samples
 *     and one render + F pass per ablated variant (the repair and each random draw);
 *   - peak memory (max RSS of a child process) at N and 4N searched samples (target ≤ 1.1).
 * Usage: npm run bench [-- --artifacts-samples N --artifacts-memory-samples M (0: none) --artifacts-layer L]
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { tmpDir } from '../fixtures/models';
import { loadProject, demoProjectFile } from '../../extension/shared/project';
import { runArtifacts } from '../../extension/engine/artifacts/job';
import { InterventionModel, applyIntervention } from '../../extension/engine/intervene/edit';
import { FeatureExtractor } from '../../extension/engine/artifacts/features';
import { latentsOf } from '../../extension/engine/artifacts/realism';
import { randomUnits } from '../../extension/engine/artifacts/measure';
import { ARTIFACT_DEFAULTS } from '../../extension/engine/artifacts/options';

const { values } = parseArgs({
  options: {
    'artifacts-samples': { type: 'string' },
    'artifacts-memory-samples': { type: 'string' },
    'artifacts-layer': { type: 'string' },
    child: { type: 'string' },
  },
  strict: false,
});

const project = loadProject(demoProjectFile());
const layer = typeof values['artifacts-layer'] === 'string' ? values['artifacts-layer'] : 'layer4';
const batch = 16;
const models = { generator: project.generator, segmenter: project.segmenter!, layer, provider: 'cpu' as const };

/** Seconds of G (+ an edit's render) + F over n samples of a seed, in batches, with the run's sessions. */
async function limit(n: number, seed: number, variants: number[][] = []): Promise<number> {
  const model = await InterventionModel.open(models);
  const first = await model.captured(latentsOf(seed, model.gen.latentDims, [0]), 1);
  const f = await FeatureExtractor.open(undefined, models.segmenter, [first.imageShape[1], first.imageShape[2]], { provider: 'cpu' });
  const t0 = process.hrtime.bigint();
  for (let s = 0; s < n; s += batch) {
    const k = Math.min(batch, n - s);
    const z = latentsOf(
      seed,
      model.gen.latentDims,
      Array.from({ length: k }, (_, i) => s + i),
    );
    const b = await model.captured(z, k, s);
    await f.features(b.image, k, b.imageShape, model.gen.range);
    for (const units of variants) {
      const e = await model.rendered(applyIntervention(b.fm, k, model.shape, { units, mode: 'ablate' }), z, k);
      await f.features(e.image, k, e.imageShape, model.gen.range);
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function child(samples: number): Promise<void> {
  const t0 = Date.now();
  await runArtifacts({ ...models, out: path.join(tmpDir('gd-bench-art-'), 'run'), samples, repair: false, batch });
  process.stdout.write(JSON.stringify({ seconds: (Date.now() - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  if (values.child) return child(Number(values.child));
  const samples = Number(values['artifacts-samples'] ?? ARTIFACT_DEFAULTS.samples);
  const memorySamples = Number(values['artifacts-memory-samples'] ?? 1000);
  console.log(`artifacts: demo model ${layer}, ${samples} samples searched (top ${Math.round(samples * 0.05)} per unit), batch ${batch}, CPU`);

  const pure = await limit(samples, 1);
  let t0 = Date.now();
  const r = await runArtifacts({ ...models, out: path.join(tmpDir('gd-bench-art-'), 'run'), samples, batch, repair: false });
  const scores = (Date.now() - t0) / 1000;
  console.log(`  ${r.features.label}; ${r.units.length} units`);
  console.log(
    `realism scores: ${scores.toFixed(2)} s (search ${r.timings.search.toFixed(2)}, features+strips ${r.timings.features.toFixed(2)}); limit ${pure.toFixed(2)} s (G+F over ${samples} samples)`,
  );
  console.log(`RATIO artifacts scores / limit = ${(scores / pure).toFixed(2)}`);

  const M = ARTIFACT_DEFAULTS.repairSamples;
  const draws = ARTIFACT_DEFAULTS.draws;
  const flagged = r.flagged;
  const variants = [
    flagged,
    ...Array.from({ length: draws }, (_, k) => randomUnits(r.units.length, flagged.length, ARTIFACT_DEFAULTS.repairSeed, k)),
  ];
  const pureRepair = await limit(M, ARTIFACT_DEFAULTS.repairSeed, variants);
  t0 = Date.now();
  const withRepair = await runArtifacts({ ...models, out: path.join(tmpDir('gd-bench-art-'), 'run'), samples, batch });
  const repairS = withRepair.timings.repair;
  console.log(
    `repair measure: ${repairS.toFixed(2)} s (${M} samples × ${1 + variants.length} images); limit ${pureRepair.toFixed(2)} s; whole run ${((Date.now() - t0) / 1000).toFixed(2)} s`,
  );
  console.log(`RATIO repair measure / limit = ${(repairS / pureRepair).toFixed(2)}`);
  const m = withRepair.repair!;
  console.log(
    `  Table 1 (demo): original ${m.original.toFixed(3)}, repaired ${m.repaired.toFixed(3)}, ${m.units.length} random ${m.random.mean.toFixed(3)} [${m.random.ci95.map((x) => x.toFixed(3)).join(', ')}]`,
  );

  if (memorySamples <= 0) return;
  const mem = (n: number) => {
    const c = spawnSync(process.execPath, [__filename, '--child', String(n), '--artifacts-layer', layer], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(c.stderr);
    return JSON.parse(c.stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMB: number };
  };
  const a = mem(memorySamples);
  const b = mem(4 * memorySamples);
  console.log(`artifacts peak RSS: ${a.maxRssMB.toFixed(0)} MB at N=${memorySamples}, ${b.maxRssMB.toFixed(0)} MB at 4N=${4 * memorySamples}`);
  console.log(`RATIO artifacts peak memory 4N / N = ${(b.maxRssMB / a.maxRssMB).toFixed(3)}  (target ≤ 1.1)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
