/**
 * gan-dissect: the engine from a terminal (headless runs, CI, clusters).
 * Progress goes to stderr, the summary to stdout. Exit codes: 0 ok, 1 failed, 2 bad usage, 130 cancelled.
 */
import { saveRepaired, repairDifference } from './engine/artifacts/repair';
import { ensureFolder } from './shared/run/lock';
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { Generator } from './engine/models/contract';
import type { GeneratorSpec, InputChoice, SegmenterSpec } from './shared/models';
import { dissect, defaultLayers, type DissectOptions } from './engine/dissect/dissect';
import { mergeShards } from './engine/dissect/merge';
import { loadProject, demoProjectFile, type Project } from './shared/project';
import { CancelledError, DissectError, fileSystemError } from './shared/errors';
import { seededLatents } from './engine/models/latents';
import { writeNpy } from './engine/data/npy';
import { PHASE_TITLES, type Progress } from './shared/progress';
import type { ArtifactsResult, DissectResult } from './shared/run/schema';
import { RunFolder, JobFolder, ClassSeriesFolder, SeriesFolder } from './shared/run/folder';
import type { ProviderRequest } from './shared/models';
import { runIntervene, runAce, runCausal, runContext, runTrace } from './engine/intervene/jobs';
import { runArtifacts } from './engine/artifacts/job';
import { runSeries } from './engine/series/series';
import { layerFigures, diffLayers } from './shared/run/compare';
import { seriesText, compareText, comparisonHtml } from './shared/report/compare';
import { writeAtomic } from './shared/run/blob';

const USAGE = `gan-dissect — GAN Dissection (Bau et al., ICLR 2019) of ONNX generators

  gan-dissect layers  --generator G.onnx [--all] [--json]
  gan-dissect dissect --generator G.onnx --segmenter S.onnx --labels L.json --out DIR
                      [--layer NAME]... [--samples 1000] [--seed 1] [--latents Z.npy]
                      [--threshold-latents Z2.npy] [--threshold-samples N] [--threshold-seed 2]
                      [--threshold iqr|quantile] [--quantile 0.99] [--topk 20] [--batch N]
                      [--provider auto|cpu|cuda|webgpu] [--threads N] [--workers N] [--shard I/N]
                      [--resume] [--force]
  gan-dissect merge   --out DIR SHARD_DIR... [--force]
  gan-dissect series  --generator 'ckpt/G_*.onnx' --out DIR [--watch] [any dissect option]
                      (every checkpoint dissected with the same latents and settings: DIR/step-S/ and
                       DIR/series.json; the step from the file name's number or a sidecar G.onnx.json
                       {"step": N}; done checkpoints are not redone; --watch takes new ones as they land)
  gan-dissect compare RUN_DIR... [--layer L] [--json] [--html FILE]
                      (runs side by side: interpretable units, concepts, units per concept, mean IoU,
                       realism where measured; with two runs, the diff of each shared layer's units)
  gan-dissect latents --generator G.onnx --samples N [--seed 1] --out Z.npy
  gan-dissect demo    [--out gan-dissect-demo] [--samples 1000] [any dissect option]

Interventions (--from DIR: an earlier dissection of the layer, for rankings and insertion constants):
  gan-dissect intervene --layer L (--units 3,17,40 | --concept C --ranking iou|ace --count N)
                        --mode ablate|insert [--value K] [--region x0,y0,x1,y1] [--samples 8] --out DIR
  gan-dissect ace       --layer L --concept C (--units ... | --ranking iou|ace --count N) [--samples 200] [--json]
  gan-dissect causal    --layer L --concept C [--count 20] [--samples 200] [--search-samples 32] --out DIR
  gan-dissect context   --layer L --concept C [--samples 100] [--grid 8] --out DIR
  gan-dissect trace     --layer L --concept C [--samples 20] [--grid 8] --out DIR
                        (the concept's units inserted at each grid location; every later layer's mean
                         change, each channel over its mean |activation|: the paper's Fig. 17)
  gan-dissect repair    --layer L (--units 3,17,40 | --flagged --from DIR) --out G_repaired.onnx
                        (a new generator with those units ablated: the paper's artifact repair, §4.2;
                         --flagged: the manual flags, else the automatic ones of \`artifacts\`)

Artifact units (the paper's S-6.1, §4.2; results into DIR/artifacts/LAYER/, beside a dissection in DIR):
  gan-dissect artifacts --layer L --out DIR [--samples 4000] [--top N (5%)] [--seed 1] [--flag N]
                        [--features F.onnx [--features-output NAME] [--features-range LO,HI]]
                        [--real DIR [--real-limit 10000]] [--repair-samples 500] [--draws 5]
                        [--no-repair] [--realistic-below D] [--json]
                        (each unit's realism: the Fréchet distance of its top samples' features to the
                         reference — real images, or the whole generated sample — in the segmenter's
                         features unless --features names a model; the --flag worst flagged; the
                         distance with them ablated against as many random units ablated, Table 1)
  (also --from DIR, --seed 3, --batch N, --insertion high|concept|quantile|paper — high (default): k =
   the larger of the unit's 0.99 quantile and its mean activation where the concept is, inserted as
   max(r, k) so no unit is lowered; concept or quantile: one of them, as max(r, k); paper: the mean
   replacing r (r' = k), the paper's §3.2 edit — --strength S (0…10; 1 = k as it is, above 1
   multiplies k), and the model options below)

Model options (or --project P.dissect.json holding them):
  --latent-input NAME  --image-output NAME  --image-range LO,HI (default -1,1)
  --segmenter-range LO,HI  --segmenter-mean R,G,B  --segmenter-std R,G,B  --segmenter-bgr
  --segmenter-size H,W  --segmenter-output NAME...  --quad CONCEPT... | --quad all
  --input NAME=VALUE|V1,V2…|normal|zeros|class (each input besides z; detected by default: noise maps
  a normal draw per sample, classes a random class per sample)  --class K (every class input: class K;
  K1,K2,… or each: a dissection per class into OUT/class-K/, side by side in OUT/classes.json)
Without --generator (and --project), the bundled demo model is used.

--resume continues from the last checkpoint: checkpoints are written every 5 s of work and at the end of
each phase, so a run killed outright loses at most its last 5 s. --shard I/N counts from 1 (1/N … N/N).`;

class UsageError extends Error {}

const OPTIONS = {
  generator: { type: 'string' },
  segmenter: { type: 'string' },
  labels: { type: 'string' },
  project: { type: 'string' },
  out: { type: 'string' },
  layer: { type: 'string', multiple: true },
  samples: { type: 'string' },
  seed: { type: 'string' },
  latents: { type: 'string' },
  'threshold-latents': { type: 'string' },
  'threshold-samples': { type: 'string' },
  'threshold-seed': { type: 'string' },
  threshold: { type: 'string' },
  quantile: { type: 'string' },
  topk: { type: 'string' },
  batch: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  resume: { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'latent-input': { type: 'string' },
  'image-output': { type: 'string' },
  'image-range': { type: 'string' },
  'segmenter-range': { type: 'string' },
  'segmenter-mean': { type: 'string' },
  'segmenter-std': { type: 'string' },
  'segmenter-bgr': { type: 'boolean' },
  'segmenter-size': { type: 'string' },
  'segmenter-output': { type: 'string', multiple: true },
  quad: { type: 'string', multiple: true },
  input: { type: 'string', multiple: true },
  class: { type: 'string' },
  from: { type: 'string' },
  units: { type: 'string' },
  concept: { type: 'string' },
  ranking: { type: 'string' },
  count: { type: 'string' },
  mode: { type: 'string' },
  value: { type: 'string' },
  region: { type: 'string' },
  grid: { type: 'string' },
  'search-samples': { type: 'string' },
  insertion: { type: 'string' },
  strength: { type: 'string' },
  flagged: { type: 'boolean' },
  top: { type: 'string' },
  flag: { type: 'string' },
  watch: { type: 'boolean' },
  poll: { type: 'string' },
  html: { type: 'string' },
  features: { type: 'string' },
  'features-output': { type: 'string' },
  'features-range': { type: 'string' },
  real: { type: 'string' },
  'real-limit': { type: 'string' },
  'repair-samples': { type: 'string' },
  draws: { type: 'string' },
  'no-repair': { type: 'boolean' },
  'realistic-below': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/**
 * `--image-range -1,1` and `--seed -1` as the usage text writes them: node:util's parseArgs takes a value
 * that starts with "-" for an option, so a negative number after a string option is joined to it (`--x=-1`).
 */
function withNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const opt = name ? (OPTIONS as Record<string, { type: string }>)[name] : undefined;
    if (opt?.type === 'string' && i + 1 < args.length && /^-(\d|\.\d)/.test(args[i + 1])) {
      out.push(`${a}=${args[i + 1]}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function int(v: string | undefined, name: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function nums(v: string | undefined, name: string, count: number): number[] | undefined {
  if (v === undefined) return undefined;
  const a = v.split(',').map(Number);
  if (a.length !== count || a.some((x) => !Number.isFinite(x))) throw new UsageError(`--${name} needs ${count} comma-separated numbers, got "${v}"`);
  return a;
}

/**
 * --input NAME=VALUE|V1,V2,…|normal|zeros|class (repeatable): `class` is a random class per sample over
 * the input's classes.
 */
function inputChoices(v: Values): Record<string, InputChoice> {
  const out: Record<string, InputChoice> = {};
  for (const e of v.input ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(e);
    if (!m) throw new UsageError(`--input takes NAME=VALUE|normal|zeros|class, got "${e}"`);
    const [, name, val] = m;
    if (val === 'normal' || val === 'zeros') out[name] = val;
    else if (val === 'class') out[name] = { class: 'random', classes: 0 };
    else {
      const nums = val.split(',').map(Number);
      if (nums.some((x) => !Number.isFinite(x)))
        throw new UsageError(`--input ${name}= needs a number, numbers, normal, zeros or class, got "${val}"`);
      out[name] = nums.length === 1 ? nums[0] : nums;
    }
  }
  return out;
}

/** A value range LO,HI with LO < HI. */
function rangeOf(v: string | undefined, name: string): [number, number] | undefined {
  const r = nums(v, name, 2);
  if (r && !(r[0] < r[1])) throw new UsageError(`--${name} must be LO,HI with LO < HI, got "${v}"`);
  return r as [number, number] | undefined;
}

/** Generator and segmenter specs from --project, --generator etc., or the bundled demo. */
function modelSpecs(v: Values, needSegmenter: boolean): { generator: GeneratorSpec; segmenter?: SegmenterSpec; project?: Project } {
  let project: Project | undefined;
  if (v.project) project = loadProject(v.project);
  else if (!v.generator) project = loadProject(demoProjectFile());
  const generator: GeneratorSpec = project ? { ...project.generator } : { path: v.generator as string };
  if (v.generator) generator.path = path.resolve(v.generator);
  if (v['latent-input']) generator.latent = v['latent-input'];
  if (v['image-output']) generator.output = v['image-output'];
  for (const [name, choice] of Object.entries(inputChoices(v))) generator.inputs = { ...generator.inputs, [name]: choice };
  if (v.class !== undefined && v.class !== 'each' && !v.class.includes(',')) {
    const k = Number(v.class);
    if (!Number.isInteger(k) || k < 0) throw new UsageError(`--class must be a class number ≥ 0, a list K1,K2,… or each, got "${v.class}"`);
    generator.class = k;
  }
  const range = rangeOf(v['image-range'], 'image-range');
  if (range) generator.range = range as [number, number];
  if (!needSegmenter) return { generator, ...(project ? { project } : {}) };
  let segmenter: SegmenterSpec | undefined = project?.segmenter ? { ...project.segmenter, input: { ...project.segmenter.input } } : undefined;
  if (v.segmenter || v.labels) {
    if (!v.segmenter || !v.labels) throw new UsageError('--segmenter and --labels go together');
    segmenter = { path: path.resolve(v.segmenter), labels: path.resolve(v.labels), input: {} };
  }
  if (!segmenter) throw new UsageError('dissect needs --segmenter S.onnx --labels L.json (or a --project file naming them)');
  const input = segmenter.input ?? {};
  const sr = rangeOf(v['segmenter-range'], 'segmenter-range');
  if (sr) input.range = sr as [number, number];
  const mean = nums(v['segmenter-mean'], 'segmenter-mean', 3);
  if (mean) input.mean = mean as [number, number, number];
  const std = nums(v['segmenter-std'], 'segmenter-std', 3);
  if (std && std.some((x) => !(x > 0))) throw new UsageError(`--segmenter-std must be three positive numbers (R,G,B), got "${v['segmenter-std']}"`);
  if (std) input.std = std as [number, number, number];
  if (v['segmenter-bgr']) input.channels = 'BGR';
  const size = nums(v['segmenter-size'], 'segmenter-size', 2);
  if (size && size.some((x) => !Number.isInteger(x) || x < 1 || x > 8192))
    throw new UsageError(`--segmenter-size must be H,W: integers from 1 to 8192, got "${v['segmenter-size']}"`);
  if (size) input.size = size as [number, number];
  segmenter.input = input;
  if (v['segmenter-output']) segmenter.outputs = v['segmenter-output'];
  if (v.quad) segmenter.quad = v.quad.length === 1 && v.quad[0] === 'all' ? 'all' : v.quad;
  return { generator, segmenter, ...(project ? { project } : {}) };
}

function progressPrinter(quiet: boolean): (p: Progress) => void {
  let last = 0;
  const tty = process.stderr.isTTY;
  return (p) => {
    if (quiet) return;
    const now = Date.now();
    if (!tty && now - last < 2000 && p.done < p.total) return;
    last = now;
    const eta = p.phase === 'render' ? '' : ` · ETA ${formatSeconds(p.etaSeconds)}`;
    const what = p.phase === 'render' ? 'images' : 'samples';
    const line = `${PHASE_TITLES[p.phase]}: ${p.done}/${p.total} ${what} · ${p.samplesPerSecond.toFixed(1)} ${what}/s${eta}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}${p.done >= p.total ? '\n' : ''}`);
    else process.stderr.write(line + '\n');
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function summaryText(r: DissectResult, out: string): string {
  const lines = [
    `dissection of ${path.basename(r.settings.generator.path)} (${r.settings.samples} samples, ${r.settings.threshold} thresholds, ${r.provider.name})`,
  ];
  for (const l of r.layers) {
    const top = l.summary.concepts
      .slice(0, 6)
      .map((c) => `${c.label} ${c.count}`)
      .join(', ');
    lines.push(
      `  ${l.layer.padEnd(12)} [${l.shape.join('×')}]  ${String(l.summary.interpretable).padStart(4)}/${l.summary.units} interpretable${top ? `  ${top}` : ''}`,
    );
  }
  if (r.shard)
    lines.push(
      `shard ${r.shard.index + 1}/${r.shard.count} (samples ${r.shard.range[0]}–${r.shard.range[1] - 1}) written to ${out}; merge with: gan-dissect merge --out DIR SHARDS...`,
    );
  else lines.push(`report: ${new RunFolder(out).reportFile}`);
  return lines.join('\n');
}

/**
 * `--class each` (every class of the generator's class inputs) or `--class K1,K2,…`: a dissection per class,
 * into `OUT/class-K/`, and the classes side by side in `OUT/classes.json` and on stdout.
 */
async function dissectEachClass(opts: DissectOptions, spec: string, log: (line: string) => void): Promise<number> {
  let classes: number[];
  if (spec === 'each') {
    const counts = Generator.open(opts.generator, { provider: 'cpu' })
      .inputPlans.map((p) => (typeof p.choice === 'object' && !Array.isArray(p.choice) && p.choice.class === 'random' ? p.choice.classes : 0))
      .filter((k) => k > 0);
    if (counts.length === 0) throw new UsageError('--class each: the generator has no class input (an int64 index or a one-hot vector)');
    classes = Array.from({ length: Math.min(...counts) }, (_, k) => k);
  } else {
    classes = spec.split(',').map((x) => Number(x.trim()));
    if (classes.some((k) => !Number.isInteger(k) || k < 0)) throw new UsageError(`--class takes class numbers K1,K2,…, got "${spec}"`);
  }
  const series = new ClassSeriesFolder(opts.out);
  const rows: {
    class: number;
    out: string;
    layers: { layer: string; interpretable: number; units: number; concepts: { label: string; count: number }[] }[];
  }[] = [];
  for (const k of classes) {
    const out = series.run(k).dir;
    log(`class ${k} (${rows.length + 1} of ${classes.length})`);
    const { result } = await dissect({ ...opts, generator: { ...opts.generator, class: k }, out });
    rows.push({
      class: k,
      out,
      layers: result.layers.map((l) => ({
        layer: l.layer,
        interpretable: l.summary.interpretable,
        units: l.summary.units,
        concepts: l.summary.concepts.slice(0, 8),
      })),
    });
  }
  series.writeSummary({ classes: rows });
  const lines = [`dissection per class of ${path.basename(opts.generator.path)} (${classes.length} classes): ${series.summaryFile}`];
  for (const r of rows)
    for (const l of r.layers)
      lines.push(
        `  class ${String(r.class).padEnd(5)} ${l.layer.padEnd(12)} ${String(l.interpretable).padStart(4)}/${l.units} interpretable  ${l.concepts
          .slice(0, 5)
          .map((c) => `${c.label} ${c.count}`)
          .join(', ')}`,
      );
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** A dissection's options from the command line (dissect, demo, series). */
function dissectOptions(
  v: Values,
  generator: GeneratorSpec,
  segmenter: SegmenterSpec,
  project: Project | undefined,
  out: string,
  provider: ProviderRequest,
  threads: number | undefined,
  shard: { index: number; count: number } | undefined,
  signal: AbortSignal,
  log: (line: string) => void,
): DissectOptions {
  const threshold = v.threshold ?? project?.dissect?.threshold;
  if (threshold !== undefined && threshold !== 'iqr' && threshold !== 'quantile')
    throw new UsageError(`--threshold must be iqr or quantile, got "${threshold}"`);
  const quantile = v.quantile !== undefined ? Number(v.quantile) : undefined;
  if (quantile !== undefined && !(quantile > 0 && quantile < 1)) throw new UsageError(`--quantile must be in (0, 1), got "${v.quantile}"`);
  const d = project?.dissect ?? {};
  const layers = v.layer ?? d.layers;
  return {
    ...d,
    generator,
    segmenter: segmenter!,
    out,
    ...(layers ? { layers } : {}),
    ...(v.samples !== undefined ? { samples: int(v.samples, 'samples') } : {}),
    ...(v.seed !== undefined ? { seed: int(v.seed, 'seed', -(2 ** 31)) } : {}),
    ...(v.latents ? { latents: path.resolve(v.latents) } : {}),
    ...(v['threshold-latents'] ? { thresholdLatents: path.resolve(v['threshold-latents']) } : {}),
    ...(v['threshold-samples'] !== undefined ? { thresholdSamples: int(v['threshold-samples'], 'threshold-samples') } : {}),
    ...(v['threshold-seed'] !== undefined ? { thresholdSeed: int(v['threshold-seed'], 'threshold-seed', -(2 ** 31)) } : {}),
    ...(threshold ? { threshold } : {}),
    ...(quantile !== undefined ? { quantile } : {}),
    ...(v.topk !== undefined ? { topk: int(v.topk, 'topk') } : {}),
    ...(v.batch !== undefined ? { batch: int(v.batch, 'batch') } : {}),
    provider,
    ...(threads ? { threads } : {}),
    ...(v.workers !== undefined ? { workers: int(v.workers, 'workers', 0) } : {}),
    ...(shard ? { shard } : {}),
    resume: !!v.resume,
    force: !!v.force,
    signal,
    onProgress: progressPrinter(!!v.quiet),
    onLog: log,
  };
}

/** Seconds a cancelled run may take to stop at its next checkpoint before the CLI exits anyway. */
const CANCEL_GRACE_S = 10;

/**
 * SIGINT / SIGTERM cancel the run: it stops at its next checkpoint, keeping its work. A second signal,
 * or a cancel not honoured within CANCEL_GRACE_S, exits at once with 130 (the last checkpoint stays).
 */
function cancelOnSignals(log: (line: string) => void, doing: string): AbortController {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    log(`\ninterrupted: ${doing} (press Ctrl-C again to quit at once)…`);
    controller.abort();
    setTimeout(() => {
      log(`gan-dissect: the run did not stop within ${CANCEL_GRACE_S} s; exiting (the last checkpoint is kept)`);
      process.exit(130);
    }, CANCEL_GRACE_S * 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: withNegativeValues(rest), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const provider = (v.provider ?? 'auto') as ProviderRequest;
  if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(provider))
    throw new UsageError(`--provider must be auto, cpu, cuda or webgpu, got "${v.provider}"`);
  // --threads 0 (as the extension's setting): ONNX Runtime's default.
  const threads = int(v.threads, 'threads', 0);
  const log = (line: string) => process.stderr.write(line + '\n');

  switch (command) {
    case 'layers': {
      const { generator } = modelSpecs(v, false);
      const g = Generator.open(generator, { provider, ...(threads ? { threads } : {}) });
      const layers = await g.layers();
      if (v.json) {
        process.stdout.write(JSON.stringify({ generator: g.file, latent: { name: g.latent, shape: g.latentShape }, layers }, null, 1) + '\n');
      } else {
        const def = new Set(defaultLayers(layers).map((l) => l.name));
        // Module outputs (named by their PyTorch module path) first; raw op outputs only with --all.
        const modules = layers.filter((l) => l.name !== l.tensor);
        const shown = v.all || modules.length === 0 ? [...modules, ...layers.filter((l) => l.name === l.tensor)] : modules;
        const hidden = layers.length - shown.length;
        process.stdout.write(
          `${g.file}: latent ${g.latent} [${g.latentShape.join('×')}], ${layers.length} layers (* = dissected by default` +
            `${hidden > 0 ? `; ${hidden} raw op outputs not shown: --all lists them` : ''})\n`,
        );
        for (const l of shown) {
          const alias = (l.aliases.length > 0 ? ` (= ${l.aliases.join(', ')})` : '') + (l.layout === 'nhwc' ? ' [channels-last]' : '');
          process.stdout.write(`${def.has(l.name) ? '*' : ' '} ${l.name.padEnd(24)} ${l.shape.join('×').padEnd(14)} ${l.tensor}${alias}\n`);
        }
      }
      return 0;
    }
    case 'dissect':
    case 'demo': {
      if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
      const { generator, segmenter, project } = modelSpecs(v, true);
      const out = v.out ?? (command === 'demo' ? 'gan-dissect-demo' : undefined);
      if (!out) throw new UsageError('dissect needs --out DIR');
      let shard: { index: number; count: number } | undefined;
      if (v.shard) {
        const m = /^(\d+)\/(\d+)$/.exec(v.shard);
        // Shards count from 1, as Jest's, Vitest's and Playwright's --shard=I/N and cluster job arrays do.
        if (m && Number(m[1]) === 0)
          throw new UsageError(`--shard counts from 1: the shards of ${m[2]} are 1/${m[2]} … ${m[2]}/${m[2]}, got "${v.shard}"`);
        if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) < 1) throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N, got "${v.shard}"`);
        shard = { index: Number(m[1]) - 1, count: Number(m[2]) };
      }
      const controller = cancelOnSignals(log, 'saving what was computed');
      const opts = dissectOptions(v, generator, segmenter!, project, path.resolve(out), provider, threads, shard, controller.signal, log);
      if (v.class === 'each' || v.class?.includes(',')) return dissectEachClass(opts, v.class, log);
      const { result, cached } = await dissect(opts);
      if (cached) log(`${out} already holds this dissection (same models and settings): reusing it`);
      process.stdout.write(summaryText(result, out) + '\n');
      return 0;
    }
    case 'merge': {
      if (!v.out) throw new UsageError('merge needs --out DIR');
      const result = await mergeShards({
        out: path.resolve(v.out),
        shards: parsed.positionals.map((p) => path.resolve(p)),
        provider,
        ...(threads ? { threads } : {}),
        ...(v.batch ? { batch: int(v.batch, 'batch') } : {}),
        force: !!v.force,
        onProgress: progressPrinter(!!v.quiet),
        onLog: log,
      });
      process.stdout.write(summaryText(result, v.out) + '\n');
      return 0;
    }
    case 'latents': {
      const { generator } = modelSpecs(v, false);
      if (!v.out) throw new UsageError('latents needs --out Z.npy');
      const samples = int(v.samples, 'samples') ?? 1000;
      const g = Generator.open(generator, { provider: 'cpu' });
      const z = seededLatents(int(v.seed, 'seed', -(2 ** 31)) ?? 1, g.latentDims).batch(0, samples);
      writeNpy(v.out, z, [samples, ...g.latentShape]);
      process.stdout.write(`wrote ${samples} latents [${g.latentShape.join('×')}] to ${v.out}\n`);
      return 0;
    }
    case 'intervene':
    case 'ace':
    case 'causal':
    case 'context':
    case 'trace':
      return interventionCommand(command, v, provider, threads, log);
    case 'repair': {
      const { generator, segmenter } = modelSpecs(v, true);
      if (!v.layer || v.layer.length !== 1) throw new UsageError('repair needs exactly one --layer');
      if (!v.out || !/\.onnx$/i.test(v.out)) throw new UsageError('repair needs --out G_repaired.onnx');
      let units: number[];
      if (v.flagged) {
        if (!v.from) throw new UsageError('repair --flagged needs --from DIR (the dissection whose flags to use)');
        const run = new RunFolder(path.resolve(v.from));
        const layer = run.hasResult() ? run.from(v.layer[0]).layer.layer : v.layer[0];
        units = run.readFlags()[layer] ?? [];
        if (units.length === 0) units = run.readArtifacts(layer)?.flagged ?? [];
        if (units.length === 0) throw new UsageError(`no units of ${layer} are flagged in ${v.from} (by hand or by gan-dissect artifacts)`);
      } else {
        units = (v.units ?? '')
          .split(',')
          .filter((x) => x.trim() !== '')
          .map(Number);
        if (units.length === 0 || units.some((u) => !Number.isInteger(u) || u < 0))
          throw new UsageError(`repair needs --units 3,17,… or --flagged, got "${v.units ?? ''}"`);
      }
      const out = path.resolve(v.out);
      const r = await saveRepaired(generator, v.layer[0], units, out);
      const diff = await repairDifference({ generator, segmenter: segmenter!, layer: v.layer[0], provider }, out, r.units);
      process.stdout.write(
        `wrote ${out}: ${generator.path} with units ${r.units.join(',')} of ${r.layer.name} ablated; ` +
          `its images equal the intervention's (max |Δ| ${diff.toExponential(1)} over 4 samples)\n`,
      );
      return diff < 1e-4 ? 0 : 1;
    }
    case 'artifacts':
      return artifactsCommand(v, provider, threads, log);
    case 'series': {
      if (!v.generator) throw new UsageError("series needs --generator 'ckpt/G_*.onnx' (quoted: the CLI matches the glob), a folder, or a file");
      if (!v.out) throw new UsageError('series needs --out DIR');
      if (v.shard || v.class) throw new UsageError('series takes neither --shard nor --class');
      const { generator, segmenter, project } = modelSpecs(v, true);
      const controller = cancelOnSignals(log, v.watch ? 'stopping the watch' : 'saving what was computed');
      const out = path.resolve(v.out);
      const opts = dissectOptions(v, generator, segmenter!, project, out, provider, threads, undefined, controller.signal, log);
      const summary = await runSeries({
        pattern: v.generator,
        dissect: opts,
        out,
        watch: !!v.watch,
        ...(v.poll ? { pollMs: int(v.poll, 'poll') } : {}),
        signal: controller.signal,
        onLog: log,
        onSummary: (s) => {
          if (v.watch) process.stdout.write(seriesText(s, new SeriesFolder(out).summaryFile, true) + '\n');
        },
      });
      if (!v.watch) process.stdout.write(seriesText(summary, new SeriesFolder(out).summaryFile, false) + '\n');
      return 0;
    }
    case 'compare': {
      if (parsed.positionals.length === 0) throw new UsageError('compare needs the run folders: gan-dissect compare RUN_DIR…');
      const runs = parsed.positionals.map((p) => {
        const run = new RunFolder(path.resolve(p));
        return { name: p, result: run.result(`${p}: no dissect.json there (compare takes dissection run folders)`), run };
      });
      const rows = runs.flatMap((r) =>
        r.result.layers
          .filter((l) => !v.layer || v.layer.includes(l.layer))
          .map((l) => ({ run: r.name, model: path.basename(r.result.settings.generator.path), ...layerFigures(l, r.run.readArtifacts(l.layer)) })),
      );
      if (rows.length === 0) throw new UsageError(`none of the runs dissected ${v.layer?.join(', ')}`);
      const diffs =
        runs.length === 2
          ? runs[0].result.layers
              .filter(
                (a) =>
                  (!v.layer || v.layer.includes(a.layer)) &&
                  runs[1].result.layers.some((b) => b.layer === a.layer && b.units.length === a.units.length),
              )
              .map((a) =>
                diffLayers(
                  a,
                  runs[1].result.layers.find((b) => b.layer === a.layer)!,
                ),
              )
          : [];
      if (v.html) {
        writeAtomic(path.resolve(v.html), comparisonHtml(rows, diffs, [runs[0]?.name, runs[1]?.name]));
        log(`wrote ${path.resolve(v.html)}`);
      }
      if (v.json) process.stdout.write(JSON.stringify({ runs: rows.map(({ labels: _l, ious: _i, ...r }) => r), diffs }) + '\n');
      else process.stdout.write(compareText(rows, diffs) + '\n');
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function interventionCommand(
  command: 'intervene' | 'ace' | 'causal' | 'context' | 'trace',
  v: Values,
  provider: ProviderRequest,
  threads: number | undefined,
  log: (line: string) => void,
): Promise<number> {
  const { generator, segmenter } = modelSpecs(v, true);
  if (!v.layer || v.layer.length !== 1) throw new UsageError(`${command} needs exactly one --layer`);
  const units = v.units?.split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--units must be comma-separated unit numbers, got "${v.units}"`);
    return n;
  });
  const ranking = v.ranking as 'iou' | 'ace' | undefined;
  if (ranking && ranking !== 'iou' && ranking !== 'ace') throw new UsageError(`--ranking must be iou or ace, got "${v.ranking}"`);
  const region = nums(v.region, 'region', 4) as [number, number, number, number] | undefined;
  if (region && !(region.every((x) => Number.isInteger(x) && x >= 0) && region[0] < region[2] && region[1] < region[3]))
    throw new UsageError(`--region is x0,y0,x1,y1 in image pixels with 0 ≤ x0 < x1 and 0 ≤ y0 < y1, got "${v.region}"`);
  if (v.insertion && !['high', 'concept', 'quantile', 'paper'].includes(v.insertion))
    throw new UsageError(`--insertion must be high, concept, quantile or paper, got "${v.insertion}"`);
  const strength = v.strength !== undefined ? Number(v.strength) : undefined;
  if (strength !== undefined && !(strength >= 0 && strength <= 10)) throw new UsageError(`--strength must be between 0 and 10, got "${v.strength}"`);
  const base = {
    ...(v.insertion ? { insertion: v.insertion as 'high' | 'concept' | 'quantile' | 'paper' } : {}),
    generator,
    segmenter: segmenter!,
    layer: v.layer[0],
    provider,
    ...(threads ? { threads } : {}),
    ...(v.from ? { from: path.resolve(v.from) } : {}),
    ...(units ? { units } : {}),
    ...(v.concept ? { concept: v.concept } : {}),
    ...(ranking ? { ranking } : {}),
    ...(v.count ? { count: int(v.count, 'count') } : {}),
    seed: int(v.seed, 'seed', -(2 ** 31)) ?? 3,
    batch: int(v.batch, 'batch') ?? 16,
    ...(region ? { region } : {}),
  };
  const controller = cancelOnSignals(log, 'stopping');
  let last = 0;
  const onProgress = (done: number, total: number, what: string) => {
    if (v.quiet || (Date.now() - last < 1000 && done < total)) return;
    last = Date.now();
    process.stderr.write(`${what}: ${done}/${total}\n`);
  };
  const needConcept = () => {
    if (!v.concept) throw new UsageError(`${command} needs --concept C`);
    return v.concept;
  };
  const needOut = () => {
    if (!v.out) throw new UsageError(`${command} needs --out DIR`);
    // made (and so known to be writable) before any model is loaded
    ensureFolder(path.resolve(v.out));
    return path.resolve(v.out);
  };
  switch (command) {
    case 'intervene': {
      const mode = v.mode as 'ablate' | 'insert';
      if (mode !== 'ablate' && mode !== 'insert') throw new UsageError('intervene needs --mode ablate|insert');
      const value = v.value !== undefined ? Number(v.value) : undefined;
      // Far past any activation: a conv of it overflows float32 and the image comes out NaN, blamed on the model.
      if (value !== undefined && !(Math.abs(value) <= 1e6)) throw new UsageError(`--value must be a number between -1e6 and 1e6, got "${v.value}"`);
      const out = needOut();
      const r = await runIntervene({
        ...base,
        mode,
        ...(value !== undefined ? { value } : {}),
        ...(strength !== undefined ? { strength } : {}),
        samples: int(v.samples, 'samples') ?? 8,
        out,
      });
      process.stdout.write(
        `${mode} units ${r.units.join(',')} of ${r.layer}${r.region ? ` in ${r.region.join(',')}` : ''}: ${new JobFolder(out).file(r.image)}\n`,
      );
      return 0;
    }
    case 'ace': {
      const r = await runAce({ ...base, concept: needConcept(), samples: int(v.samples, 'samples') ?? 200, signal: controller.signal, onProgress });
      if (v.json)
        process.stdout.write(
          JSON.stringify({
            removed: r.removed,
            added: r.added,
            ace: r.ace,
            samples: r.samples,
            units: r.units,
            base: r.base,
            ci: r.ci,
            atLocation: r.atLocation,
          }) + '\n',
        );
      else
        process.stdout.write(
          `ACE of units ${r.units.join(',')} on ${v.concept}: ${r.ace.toFixed(3)} (removed ${r.removed.toFixed(3)}, added ${r.added.toFixed(3)} inserting everywhere; ${r.samples} samples)\n` +
            (r.atLocation
              ? `  the paper's protocol (insertion at one sampled location per sample): ACE ${r.atLocation.ace.toFixed(3)}, added ${r.atLocation.added.toFixed(3)}\n`
              : '') +
            (r.added < 0
              ? `  a negative "added": inserting these units lowered ${v.concept} (they draw something else where they are strongest)\n`
              : ''),
        );
      return 0;
    }
    case 'causal': {
      const out = needOut();
      const r = await runCausal({
        ...base,
        concept: needConcept(),
        count: int(v.count, 'count') ?? 20,
        samples: int(v.samples, 'samples') ?? 200,
        searchSamples: int(v['search-samples'], 'search-samples') ?? 32,
        out,
        signal: controller.signal,
        onProgress,
      });
      process.stdout.write(
        `causal units for ${r.concept} in ${r.layer}: ${r.units.join(',')}\n` +
          `ACE, the paper's protocol (whole-image ablation, insertion at one sampled location): ${r.ace.atLocation?.ace.toFixed(3)}${
            r.iouAce ? ` (IoU ranking: ${r.iouAce.atLocation?.ace.toFixed(3)})` : ''
          }\n` +
          `ACE inserting everywhere: ${r.ace.ace.toFixed(3)}${r.iouAce ? ` (IoU ranking: ${r.iouAce.ace.toFixed(3)})` : ''}; ${new JobFolder(out).causalFile}\n`,
      );
      return 0;
    }
    case 'context': {
      const out = needOut();
      const r = await runContext({
        ...base,
        concept: needConcept(),
        samples: int(v.samples, 'samples') ?? 100,
        grid: int(v.grid, 'grid') ?? 8,
        out,
        signal: controller.signal,
        onProgress,
      });
      const rows = Object.entries(r.by_class)
        .sort((a, b) => b[1] - a[1])
        .map(([k, x]) => `  ${k.padEnd(12)} ${(x * 100).toFixed(2)}% of the image (${r.counts[k]} locations)`);
      process.stdout.write(`inserting ${r.concept} units ${r.units.join(',')} of ${r.layer}, gain by class at the location:\n${rows.join('\n')}\n`);
      return 0;
    }
    case 'trace': {
      const out = needOut();
      const r = await runTrace({
        ...base,
        concept: needConcept(),
        samples: int(v.samples, 'samples') ?? 20,
        grid: int(v.grid, 'grid') ?? 8,
        out,
        signal: controller.signal,
        onProgress,
      });
      const f = (x: number) => x.toFixed(3);
      const rows = r.layers.map(
        (l, i) => `  ${l.layer.padEnd(16)} ${f(r.curves.all[i])}   visible ${f(r.curves.visible[i])}   not visible ${f(r.curves.invisible[i])}`,
      );
      process.stdout.write(
        `inserting ${r.concept} units ${r.units.join(',')} of ${r.layer} at ${r.grid.join('×')} locations × ${r.samples} samples (${r.counts.visible} made ${r.concept} appear, ${r.counts.invisible} did not); mean change per layer (channels over their mean |activation|):\n${rows.join('\n')}\n${new JobFolder(out).traceFile}\n`,
      );
      return 0;
    }
  }
  log('unreachable');
  return 1;
}

async function artifactsCommand(v: Values, provider: ProviderRequest, threads: number | undefined, log: (line: string) => void): Promise<number> {
  const { generator, segmenter } = modelSpecs(v, true);
  if (!v.layer || v.layer.length !== 1) throw new UsageError('artifacts needs exactly one --layer');
  const outDir = v.out ?? v.from;
  if (!outDir) throw new UsageError('artifacts needs --out DIR (a dissection of the layer there gives its thresholds and labels)');
  const out = path.resolve(outDir);
  ensureFolder(out);
  if (v['features-output'] === '') throw new UsageError('--features-output needs a name');
  const featuresRange = rangeOf(v['features-range'], 'features-range') as [number, number] | undefined;
  const below = v['realistic-below'] !== undefined ? Number(v['realistic-below']) : undefined;
  if (below !== undefined && !Number.isFinite(below)) throw new UsageError(`--realistic-below must be a distance, got "${v['realistic-below']}"`);
  const controller = cancelOnSignals(log, 'stopping');
  let last = 0;
  const repairSamples = int(v['repair-samples'], 'repair-samples');
  const draws = int(v.draws, 'draws');
  const r = await runArtifacts({
    generator,
    segmenter: segmenter!,
    layer: v.layer[0],
    out,
    ...(v.samples ? { samples: int(v.samples, 'samples') } : {}),
    ...(v.top ? { top: int(v.top, 'top') } : {}),
    ...(v.seed ? { seed: int(v.seed, 'seed', -(2 ** 31)) } : {}),
    ...(v.flag ? { flag: int(v.flag, 'flag', 0) } : {}),
    ...(v.features || v['features-output'] || featuresRange
      ? {
          features: {
            ...(v.features ? { path: path.resolve(v.features) } : {}),
            ...(v['features-output'] ? { output: v['features-output'] } : {}),
            ...(featuresRange ? { range: featuresRange } : {}),
          },
        }
      : {}),
    ...(v.real ? { real: path.resolve(v.real) } : {}),
    ...(v['real-limit'] ? { realLimit: int(v['real-limit'], 'real-limit') } : {}),
    repair: v['no-repair'] ? false : { ...(repairSamples ? { samples: repairSamples } : {}), ...(draws ? { draws } : {}) },
    ...(below !== undefined ? { realisticBelow: below } : {}),
    ...(v.batch ? { batch: int(v.batch, 'batch') } : {}),
    provider,
    ...(threads ? { threads } : {}),
    signal: controller.signal,
    onLog: log,
    onProgress: (done, total, what) => {
      if (v.quiet || (Date.now() - last < 1000 && done < total)) return;
      last = Date.now();
      process.stderr.write(`${what}: ${done}/${total}\n`);
    },
  });
  if (v.json) {
    process.stdout.write(
      JSON.stringify({
        layer: r.layer,
        features: r.features.label,
        reference: r.reference.label,
        units: r.units.map((u) => ({ unit: u.unit, distance: u.distance, rank: u.rank })),
        ranking: r.ranking,
        flagged: r.flagged,
        manual: r.manual,
        agreement: r.agreement,
        repair: r.repair && {
          units: r.repair.units,
          samples: r.repair.samples,
          original: r.repair.original,
          repaired: r.repair.repaired,
          random: r.repair.random,
          unchanged: r.repair.unchanged,
        },
        realistic: r.realistic,
      }) + '\n',
    );
    return 0;
  }
  process.stdout.write(artifactsText(r, new RunFolder(out).artifactsFile(r.layer)) + '\n');
  return 0;
}

/** The artifacts run for a terminal: the worst units, the flags, Table 1. */
function artifactsText(r: ArtifactsResult, file: string): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `${r.layer}: ${r.features.label}`,
    `reference: ${r.reference.label}; each unit's top ${r.top} of ${r.samples} samples`,
    `least realistic units: ${r.ranking
      .slice(0, 10)
      .map((u) => `${u} (${f(r.units[u].distance)})`)
      .join(', ')}`,
    `flagged automatically (worst ${r.flagCount}): ${r.flagged.join(',') || 'none'}`,
  ];
  if (r.agreement)
    lines.push(`against the ${r.manual.length} flagged by hand: precision ${f(r.agreement.precision)}, recall ${f(r.agreement.recall)}`);
  if (r.repair) {
    const m = r.repair;
    lines.push(
      `ablating units ${m.units.join(',')} (${m.samples} fresh samples):`,
      `  original  ${f(m.original)}`,
      `  repaired  ${f(m.repaired)}`,
      `  ${m.units.length} random units ablated  ${f(m.random.mean)} (95% interval ${f(m.random.ci95[0])}…${f(m.random.ci95[1])}, ${m.random.draws.length} draws)`,
      `  pixels away from the ablated units (${(m.unchanged.share * 100).toFixed(1)}% of them): mean change ${m.unchanged.meanShift.toExponential(2)}, largest ${m.unchanged.maxShift.toExponential(2)}; where they are on: ${m.unchanged.onShift.toExponential(2)}`,
    );
  }
  if (r.realistic) lines.push(`realistic units only (${r.realistic.rule}): ${r.realistic.kept} of ${r.realistic.total} units kept`);
  lines.push(file);
  return lines.join('\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`gan-dissect: ${e.message}\n\n${USAGE}\n`);
        process.exit(2);
      } else if (e instanceof CancelledError) {
        process.stderr.write(`gan-dissect: ${e.message}\n`);
        process.exit(130);
      } else if (e instanceof DissectError) {
        process.stderr.write(`gan-dissect: error: ${e.message}\n`);
        process.exit(e.code === 'bad-usage' ? 2 : 1);
      } else if (fileSystemError(e)) {
        process.stderr.write(`gan-dissect: error: ${fileSystemError(e)!.message}\n`);
        process.exit(1);
      } else {
        process.stderr.write(`gan-dissect: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
        process.exit(1);
      }
    },
  );
}

export { main };
