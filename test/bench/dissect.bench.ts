/**
 * Benchmark (printed, never asserted): on one model and N samples (default 1000, the product's default),
 * in one run,
 *   - the limit: one generator + segmenter pass over each distinct sample the method needs (in iqr mode the
 *     threshold-selection set and the dissection set, in quantile mode the dissection set), same sessions
 *     and batch: the least inference any implementation needs;
 *   - the full dissection (with its time per phase), and their ratio (target ≤ 1.25);
 *   - for continuity, the old denominator too: the G+S runs this implementation makes (it adds a
 *     generator pass over the threshold set for the quantiles);
 *   - peak memory (max RSS of a child process) at M and 4M samples (default M = N; ratio target ≤ 1.1).
 * Model (--model): `demo`, the bundled demo model (else a random DCGAN-shaped generator and segmenter);
 * `paper`, a paper-scale ProGAN 256×256 generator and a ResNet-18-style segmenter with random weights,
 * built on the fly (test/bench/paper-scale.ts), dissected at the paper's layer4, layer6 and layer8 by default.
 * Usage: npm run bench [-- --model demo|paper --samples N --memory-samples M (0: no memory runs)
 *                          --threshold iqr|quantile --layer NAME… --batch B
 *                          --workers W --threads T (ONNX Runtime's) --spin on|off --provider auto|cpu|cuda|webgpu]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { tmpDir, randomDcgan, randomSegmenter } from '../fixtures/models';
import { progan256, resnetSegmenter } from './paper-scale';
import { dissect, openRun, sampleRange, type DissectOptions } from '../../extension/engine/dissect/dissect';
import type { ProviderRequest } from '../../extension/shared/models';
import { loadProject } from '../../extension/shared/project';
import { defaultWorkers } from '../../extension/engine/parallel/stats-pool';
import * as os from 'node:os';

const { values } = parseArgs({
  options: {
    samples: { type: 'string' },
    'memory-samples': { type: 'string' },
    threshold: { type: 'string' },
    child: { type: 'string' },
    batch: { type: 'string' },
    workers: { type: 'string' },
    threads: { type: 'string' },
    spin: { type: 'string' },
    provider: { type: 'string' },
    model: { type: 'string' },
    layer: { type: 'string', multiple: true },
  },
});

const PAPER_LABELS = 32;
const PAPER_LAYERS = ['layer4', 'layer6', 'layer8'];

type BenchModels = Pick<DissectOptions, 'generator' | 'segmenter'> & { name: string };

function models(dir: string): BenchModels {
  if (values.model === 'paper') {
    const name = `paper-scale models (ProGAN 256×256, ResNet-18-style segmenter at 64×64, ${PAPER_LABELS} labels; random weights)`;
    return written(dir, name, progan256(), resnetSegmenter(PAPER_LABELS), PAPER_LABELS);
  }
  if (values.model !== undefined && values.model !== 'demo') throw new Error(`--model: demo or paper, not ${values.model}`);
  const demo = path.resolve(__dirname, '..', '..', '..', 'media', 'demo', 'demo.dissect.json');
  if (fs.existsSync(demo)) {
    const p = loadProject(demo);
    return { name: 'bundled demo model', generator: p.generator, segmenter: p.segmenter! };
  }
  return written(dir, 'random DCGAN (demo model absent)', randomDcgan(), randomSegmenter(13), 13);
}

/** Built models written to `dir`, with labels "-" (unlabeled) and concept1 … concept(C−1). */
function written(dir: string, name: string, generator: Uint8Array, segmenter: Uint8Array, C: number): BenchModels {
  const g = path.join(dir, 'g.onnx');
  const s = path.join(dir, 's.onnx');
  const l = path.join(dir, 'labels.json');
  fs.writeFileSync(g, generator);
  fs.writeFileSync(s, segmenter);
  fs.writeFileSync(l, JSON.stringify(['-', ...Array.from({ length: C - 1 }, (_, i) => `concept${i + 1}`)]));
  return { name, generator: { path: g }, segmenter: { path: s, labels: l } };
}

/** CPU seconds of this process (every thread: ONNX Runtime's and the statistics threads) since `from`. */
function cpuSeconds(from?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

let lastPureCpu = 0;

/**
 * Pure inference over the samples: `limit`, one G+S pass over each distinct sample the method needs;
 * `passes`, the G and G+S runs this implementation makes.
 */
async function pureInference(opts: DissectOptions, which: 'limit' | 'passes' = 'limit'): Promise<number> {
  const ctx = await openRun(opts);
  const s = ctx.settings;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const iqr = s.threshold === 'iqr';
  const dissection = { latents: ctx.latents, first: sampleRange(s.samples)[0], count: s.samples, seg: true };
  const passes: { latents: typeof ctx.latents; first: number; count: number; seg: boolean }[] =
    which === 'limit'
      ? [...(iqr ? [{ latents: ctx.thresholdLatents, first: 0, count: s.thresholdSamples, seg: true }] : []), dissection]
      : [
          { latents: ctx.thresholdLatents, first: 0, count: s.thresholdSamples, seg: false },
          ...(iqr ? [{ latents: ctx.thresholdLatents, first: 0, count: s.thresholdSamples, seg: true }] : []),
          dissection,
        ];
  for (const p of passes) {
    for (let done = 0; done < p.count; done += ctx.batch) {
      const n = Math.min(ctx.batch, p.count - done);
      const b = await ctx.gen.run(ctx.session!, p.latents.batch(p.first + done, n), n, ctx.layers, 'bench', done);
      if (p.seg) await ctx.seg.segment(b.image, n, b.imageShape, ctx.gen.range, 'bench', done);
    }
  }
  lastPureCpu = cpuSeconds(c0);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** One dissection in this (child) process, for its peak memory. */
async function child(run: Omit<DissectOptions, 'generator' | 'segmenter' | 'out'>): Promise<void> {
  const dir = tmpDir('gd-bench-');
  const m = models(dir);
  const t0 = Date.now();
  await dissect({ ...m, out: path.join(dir, 'out'), ...run });
  process.stdout.write(JSON.stringify({ seconds: (Date.now() - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  const samples = Number(values.samples ?? 1000);
  const memorySamples = Number(values['memory-samples'] ?? samples);
  const threshold = (values.threshold ?? 'iqr') as 'iqr' | 'quantile';
  const batch = Number(values.batch ?? 16);
  const workers = values.workers !== undefined ? Number(values.workers) : undefined;
  const threads = values.threads !== undefined ? Number(values.threads) : undefined;
  const spin = values.spin !== undefined ? values.spin === 'on' : undefined;
  const provider = (values.provider ?? 'auto') as ProviderRequest;
  const layers = values.layer ?? (values.model === 'paper' ? PAPER_LAYERS : undefined);
  const run = {
    samples,
    ...(layers ? { layers } : {}),
    threshold,
    batch,
    provider,
    ...(workers !== undefined ? { workers } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(spin !== undefined ? { spin } : {}),
  };
  if (values.child) return child(run);
  const dir = tmpDir('gd-bench-');
  const m = models(dir);
  const w = workers ?? defaultWorkers();
  console.log(
    `model: ${m.name}${layers ? ` [${layers.join(', ')}]` : ''}; ${samples} samples; threshold ${threshold}; batch ${batch}; statistics threads ${w}, ONNX Runtime threads ${threads ?? "ONNX Runtime's default"}` +
      ` (spinning ${(spin ?? w === 0) ? 'on' : 'off'}) (${os.availableParallelism()} cores)`,
  );
  const timings: Record<string, number> = {};
  const phases = new Map<string, number>();
  let phaseStart = Date.now();
  let current = '';
  const opts: DissectOptions = {
    ...m,
    out: path.join(dir, 'out'),
    ...run,
    onLog: (line) => console.log(line),
    onProgress: (p) => {
      if (p.phase === current) return;
      if (current) phases.set(current, (Date.now() - phaseStart) / 1000);
      current = p.phase;
      phaseStart = Date.now();
    },
  };
  // warm-up (session creation, caches), then pure inference and the full dissection in this process.
  // Pure inference runs with ORT's own default (spinning threads), on the dissection's thread count and,
  // when --threads set another, on ORT's default count; the ratio is taken against the faster of the two.
  await pureInference({ ...opts, spin: true, samples: Math.min(samples, 32), thresholdSamples: Math.min(samples, 32) });
  const pureSame = await pureInference({ ...opts, spin: true });
  const pureCpu = lastPureCpu;
  // the same passes with ONNX Runtime's default threads, when the dissection was given another count
  const pureDefault = threads === undefined ? pureSame : await pureInference({ ...opts, workers: 0, threads: undefined, spin: true });
  const pure = Math.min(pureSame, pureDefault);
  const passesMade = await pureInference({ ...opts, spin: true }, 'passes');
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const { result } = await dissect({ ...opts, timings });
  const fullCpu = cpuSeconds(c0);
  const full = (Date.now() - t0) / 1000;
  phases.set(current, (Date.now() - phaseStart) / 1000);
  const distinct = (threshold === 'iqr' ? result.settings.thresholdSamples : 0) + samples;
  console.log(`the limit, one G+S pass per distinct sample: ${pure.toFixed(2)} s (${distinct} samples, ${(distinct / pure).toFixed(1)} samples/s)`);
  console.log(`the G and G+S runs of the two-pass implementation: ${passesMade.toFixed(2)} s (the old denominator)`);
  console.log(`full dissection:    ${full.toFixed(2)} s (incl. top-image rendering and report; ${(samples / full).toFixed(1)} dissected samples/s)`);
  console.log(`  by phase (from each phase's first batch to the next's): ${[...phases].map(([p, t]) => `${p} ${t.toFixed(2)} s`).join(', ')}`);
  if (threads !== undefined) {
    console.log(
      `  pure inference with ONNX Runtime on ${threads} threads: ${pureSame.toFixed(2)} s; on its default threads: ${pureDefault.toFixed(2)} s (the faster is the denominator)`,
    );
  }
  console.log(`RATIO dissection / the limit = ${(full / pure).toFixed(3)}  (target ≤ 1.25)  [provider ${result.provider.name}]`);
  console.log(`  (old ratio, dissection / the runs of the two-pass implementation = ${(full / passesMade).toFixed(3)})`);
  const fixed = Object.entries(timings).filter(([k]) => k.startsWith('fixed.'));
  const fixedTotal = fixed.reduce((a, [, v]) => a + v, 0);
  console.log(
    `fixed costs (s): ${fixed.map(([k, v]) => `${k.slice('fixed.'.length)} ${v.toFixed(2)}`).join(', ')}; total ${fixedTotal.toFixed(2)} s = ${((100 * fixedTotal) / full).toFixed(1)}% of the dissection` +
      `; without them the ratio would be ${((full - fixedTotal) / pure).toFixed(3)}`,
  );
  console.log(
    `CPU time (all threads): pure inference ${pureCpu.toFixed(1)} s, dissection ${fullCpu.toFixed(1)} s (ONNX Runtime's spinning threads count too)`,
  );
  console.log(
    `  calling thread, per phase and step (s): ${Object.entries(timings)
      .filter(([k]) => !k.startsWith('fixed.'))
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  );
  if (memorySamples <= 0) return;
  const mem = (n: number) => {
    const args = [
      __filename,
      '--child',
      '1',
      '--samples',
      String(n),
      '--model',
      values.model ?? 'demo',
      ...(layers ?? []).flatMap((l) => ['--layer', l]),
      '--threshold',
      threshold,
      '--batch',
      String(batch),
      '--provider',
      provider,
      ...(workers !== undefined ? ['--workers', String(workers)] : []),
      ...(threads !== undefined ? ['--threads', String(threads)] : []),
      ...(spin !== undefined ? ['--spin', spin ? 'on' : 'off'] : []),
    ];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMB: number };
  };
  const a = mem(memorySamples);
  const b = mem(4 * memorySamples);
  console.log(`peak RSS: ${a.maxRssMB.toFixed(0)} MB at M=${memorySamples}, ${b.maxRssMB.toFixed(0)} MB at 4M=${4 * memorySamples}`);
  console.log(`RATIO peak memory 4M / M = ${(b.maxRssMB / a.maxRssMB).toFixed(3)}  (target ≤ 1.1)`);
  console.log(
    `samples/s: ${(memorySamples / a.seconds).toFixed(1)} at M, ${((4 * memorySamples) / b.seconds).toFixed(1)} at 4M (whole run, child process)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
