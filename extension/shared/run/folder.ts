/**
 * The run folder: the one owner of its layout (every name in it) and of every read and write of its JSON.
 * The engine, the CLI and the extension host all go through it; no ONNX Runtime here (nor anything that
 * loads it), so the host can use it. The layout (old runs have the same; LAYER and CONCEPT are safeName()s):
 *
 *   dissect.json                     the result (schema.ts DissectResult), written last
 *   state.bin                        the checkpoint of an unfinished run (blob.ts)
 *   index.html                       the offline report
 *   request.json                     what the extension asked for (to resume an interrupted run)
 *   flags.json                       units flagged as artifacts, per layer
 *   dissect.lock                     the writer's lock while a dissection runs (lock.ts)
 *   failed.json                      why the last run failed ({code, message, at}), until one succeeds
 *   arrays/LAYER.iou.f32             the units × labels IoU matrix (float32, row-major); in `iqr` mode also
 *   arrays/LAYER.max_iqr*.f32        the per-pair arrays (PAIR_FILES)
 *   stats/LAYER.bin                  the exact counts (blob.ts), for merging shards (each shard is a run folder)
 *   images/LAYER/unitNNNN.png        the top-image strips
 *   heatmaps/LAYER/unitNNNN-seedS-I-{image,heat}.png    a unit's heatmaps on fresh samples
 *   interventions/LAYER/seedS-I-{before,seg}.png        the live preview's unedited samples
 *   insertion/LAYER/CONCEPT.json     cached insertion constants (`_quantile-0.99.json`: the 0.99 quantiles)
 *   rankings/LAYER/CONCEPT-ace.json  the ACE ranking of a `causal` run
 *   causal/LAYER/CONCEPT/, context/LAYER/CONCEPT/, trace/LAYER/CONCEPT/   job folders (JobFolder)
 *   artifacts/LAYER/artifacts.json   the realism of the layer's units, automatic flags, the repair's measure
 *   artifacts/LAYER/unitNNNN.png     a unit's top samples by spatial max (the realism score's samples)
 *   artifacts/LAYER/pair-I-{before,after}.png    sample I before and after the repair
 *
 * The files dissect.json names (arrays, stats, strips) are relative to the folder, '/'-separated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DissectError } from '../errors';
import { writeAtomic, makeFolder } from './blob';
import { safeName } from './safe-name';
import type { ArtifactsResult, SeriesResult, TraceResult, CausalResult, ContextResult, DissectResult, LayerResult, PairField } from './schema';

const RESULT = 'dissect.json';
const STATE = 'state.bin';
const REPORT = 'index.html';
const REQUEST = 'request.json';
const FLAGS = 'flags.json';
const LOCK = 'dissect.lock';
const FAILED = 'failed.json';
const ARRAYS = 'arrays';
const STATS = 'stats';
const IMAGES = 'images';
const HEATMAPS = 'heatmaps';
const INTERVENTIONS = 'interventions';
const INSERTION = 'insertion';
const RANKINGS = 'rankings';
const ARTIFACTS = 'artifacts';

/** File names of the pair arrays (arrays/LAYER.NAME.f32), after the reference's `iqr.npz` keys. */
export const PAIR_FILES: Record<PairField, string> = {
  iqr: 'max_iqr',
  level: 'max_iqr_level',
  fraction: 'max_iqr_quantile',
  iou: 'max_iqr_iou',
  agreement: 'max_iqr_agreement',
};

// LAYER and CONCEPT in the names below (safe-name.ts: never '..' nor a dot-name).
export { safeName };

/** "unit0042": a unit in file names. */
function unitName(unit: number): string {
  return `unit${String(unit).padStart(4, '0')}`;
}

/** A JSON file's value, or undefined where there is none. */
function readJson<T>(file: string): T | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;
}

/** Writes `data` to `file` atomically, making its folder first. */
function writeFile(file: string, data: Buffer | string): void {
  makeFolder(path.dirname(file));
  writeAtomic(file, data);
}

/** A folder of results: its files by name. */
class Folder {
  constructor(readonly dir: string) {}

  /** The file a stored name (relative to the folder, '/'-separated) stands for. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The name to store for a file of this folder: relative to it, '/'-separated. */
  name(file: string): string {
    return path.relative(this.dir, file).split(path.sep).join('/');
  }
}

/** An earlier dissection of the layer: its result and folder. */
export interface FromRun {
  out: string;
  run: RunFolder;
  result: DissectResult;
  layer: LayerResult;
}

export type JobKind = 'causal' | 'context' | 'trace';

/** Insertion constants cached in a run folder (insertion/LAYER/…): for the generator of that hash. */
export interface InsertionCache {
  generator: string;
  concept?: string;
  samples: number;
  seed: number;
  values: number[];
}

/** A `causal` run's units ranked for a concept by ACE (rankings/LAYER/CONCEPT-ace.json). */
export interface AceRankingFile {
  concept: string;
  layer: string;
  units: number[];
  ace: number;
}

/** Which insertion constants: a concept's conditional mean (the paper), or each unit's 0.99 quantile. */
export type InsertionOf = { concept: string } | 'quantile';

/** A failed run's error (failed.json). */
export interface RunFailure {
  code: string;
  message: string;
  /** ISO time of the failure. */
  at: string;
}

export class RunFolder extends Folder {
  // ---- the dissection's files

  get resultFile(): string {
    return this.file(RESULT);
  }

  get stateFile(): string {
    return this.file(STATE);
  }

  get reportFile(): string {
    return this.file(REPORT);
  }

  get requestFile(): string {
    return this.file(REQUEST);
  }

  get flagsFile(): string {
    return this.file(FLAGS);
  }

  /** The writer's lock while a dissection or merge runs (lock.ts). */
  get lockFile(): string {
    return this.file(LOCK);
  }

  /** Why the last dissection into this folder failed (not cancelled): its error, until a run succeeds. */
  get failedFile(): string {
    return this.file(FAILED);
  }

  /** The units × labels IoU matrix of a layer (float32). */
  iouMatrixFile(layer: string): string {
    return this.file(path.join(ARRAYS, `${safeName(layer)}.iou.f32`));
  }

  /** One of a layer's per-pair arrays (`iqr` mode, float32). */
  pairArrayFile(layer: string, field: PairField): string {
    return this.file(path.join(ARRAYS, `${safeName(layer)}.${PAIR_FILES[field]}.f32`));
  }

  /** A layer's exact counts (for merging shards). */
  statsFile(layer: string): string {
    return this.file(path.join(STATS, `${safeName(layer)}.bin`));
  }

  /** The folder of a layer's top-image strips. */
  stripFolder(layer: string): string {
    return this.file(path.join(IMAGES, safeName(layer)));
  }

  /** A unit's top-image strip. */
  stripFile(layer: string, unit: number): string {
    return path.join(this.stripFolder(layer), `${unitName(unit)}.png`);
  }

  // ---- what the jobs on a dissected layer keep in its folder

  heatmapFolder(layer: string): string {
    return this.file(path.join(HEATMAPS, safeName(layer)));
  }

  /** Sample `sample` (of seed `seed`) and the unit's heatmap over it. */
  heatmapFiles(layer: string, unit: number, seed: number, sample: number): { image: string; heatmap: string } {
    const base = path.join(this.heatmapFolder(layer), `${unitName(unit)}-seed${seed}-${sample}`);
    return { image: `${base}-image.png`, heatmap: `${base}-heat.png` };
  }

  previewFolder(layer: string): string {
    return this.file(path.join(INTERVENTIONS, safeName(layer)));
  }

  /** The live preview's unedited sample and its segmentation. */
  previewFiles(layer: string, seed: number, sample: number): { before: string; segBefore: string } {
    const base = path.join(this.previewFolder(layer), `seed${seed}-${sample}`);
    return { before: `${base}-before.png`, segBefore: `${base}-seg.png` };
  }

  insertionFile(layer: string, of: InsertionOf): string {
    return this.file(path.join(INSERTION, safeName(layer), `${of === 'quantile' ? '_quantile-0.99' : safeName(of.concept)}.json`));
  }

  readInsertion(layer: string, of: InsertionOf): InsertionCache | undefined {
    return readJson<InsertionCache>(this.insertionFile(layer, of));
  }

  writeInsertion(layer: string, of: InsertionOf, cache: InsertionCache): void {
    writeFile(this.insertionFile(layer, of), JSON.stringify(cache));
  }

  rankingFile(layer: string, concept: string): string {
    return this.file(path.join(RANKINGS, safeName(layer), `${safeName(concept)}-ace.json`));
  }

  readAceRanking(layer: string, concept: string): AceRankingFile | undefined {
    return readJson<AceRankingFile>(this.rankingFile(layer, concept));
  }

  /** Stores a `causal` run's ranking (under its concept). */
  writeAceRanking(layer: string, ranking: AceRankingFile): void {
    writeFile(this.rankingFile(layer, ranking.concept), JSON.stringify(ranking));
  }

  /** Where a causal or context job on a dissected layer keeps its results. */
  jobFolder(kind: JobKind, layer: string, concept: string): JobFolder {
    return new JobFolder(path.join(this.dir, kind, safeName(layer), safeName(concept)));
  }

  /** The folder of a layer's artifact results. */
  artifactsFolder(layer: string): string {
    return this.file(path.join(ARTIFACTS, safeName(layer)));
  }

  artifactsFile(layer: string): string {
    return path.join(this.artifactsFolder(layer), 'artifacts.json');
  }

  /** A unit's top samples by spatial max, as a strip. */
  artifactStripFile(layer: string, unit: number): string {
    return path.join(this.artifactsFolder(layer), `${unitName(unit)}.png`);
  }

  /** Sample `sample` before and after the repair. */
  repairPairFiles(layer: string, sample: number): { before: string; after: string } {
    const base = path.join(this.artifactsFolder(layer), `pair-${sample}`);
    return { before: `${base}-before.png`, after: `${base}-after.png` };
  }

  /** A layer's artifact results (by its dissected name), or undefined where there are none or they are unreadable. */
  readArtifacts(layer: string): ArtifactsResult | undefined {
    try {
      const r = readJson<ArtifactsResult>(this.artifactsFile(layer));
      return r && Array.isArray(r.units) ? r : undefined;
    } catch {
      return undefined;
    }
  }

  writeArtifacts(r: ArtifactsResult): void {
    writeFile(this.artifactsFile(r.layer), JSON.stringify(r, null, 1));
  }

  /** Layers of this folder with artifact results. */
  artifactLayers(): string[] {
    const dir = this.file(ARTIFACTS);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map((d) => this.readArtifacts(d)?.layer)
      .filter((l): l is string => !!l);
  }

  // ---- reads and writes

  /** Whether the run has a result (finished, or a shard). */
  hasResult(): boolean {
    return fs.existsSync(this.resultFile);
  }

  /** Whether the run has a checkpoint to resume from. */
  hasCheckpoint(): boolean {
    return fs.existsSync(this.stateFile);
  }

  /** Whether the run is one the extension started and that was interrupted (a checkpoint and its request, no failure). */
  isInterrupted(): boolean {
    return this.hasCheckpoint() && fs.existsSync(this.requestFile) && !this.readFailure();
  }

  /** Records why a run failed (not a cancel), so the next look at the folder says "failed", not "interrupted". */
  writeFailure(failure: RunFailure): void {
    writeFile(this.failedFile, JSON.stringify(failure, null, 1));
  }

  readFailure(): RunFailure | undefined {
    try {
      return readJson<RunFailure>(this.failedFile);
    } catch {
      return { code: 'unknown', message: `${this.failedFile} is unreadable`, at: '' };
    }
  }

  clearFailure(): void {
    fs.rmSync(this.failedFile, { force: true });
  }

  /**
   * The run's dissect.json, or undefined where there is none. One that cannot be read (not JSON, or not
   * a result) is refused naming the file: as `corrupt-file`, or, for a dissection about to write here, as
   * `incompatible-out` (which --force replaces).
   */
  readResult(unreadable: 'corrupt-file' | 'incompatible-out' = 'corrupt-file'): DissectResult | undefined {
    const file = this.resultFile;
    if (!fs.existsSync(file)) return undefined;
    let why: string;
    try {
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as DissectResult | null;
      if (r && typeof r === 'object' && Array.isArray(r.layers)) return r;
      why = 'it holds no layers';
    } catch (e) {
      why = (e as Error).message;
    }
    const todo = unreadable === 'incompatible-out' ? 'choose another --out or pass --force' : 'delete it, or the run folder, and run again';
    throw new DissectError(unreadable, `${file} is not a readable result (${why}); ${todo}`);
  }

  /** The run's dissect.json, which must be there: `file-missing` (with `missing` as its message) where it is not. */
  result(missing = `${this.dir} holds no dissect.json`): DissectResult {
    const r = this.readResult();
    if (!r) throw new DissectError('file-missing', missing);
    return r;
  }

  /** The run's result and the result of `layer` in it (by name, tensor or alias), for `--from DIR`. */
  from(layer: string): FromRun {
    const result = this.result(`--from ${this.dir}: no dissect.json there`);
    const l = result.layers.find((x) => x.layer === layer || x.tensor === layer || x.aliases.includes(layer));
    if (!l)
      throw new DissectError(
        'bad-layer',
        `--from ${this.dir} did not dissect layer ${layer} (it has ${result.layers.map((x) => x.layer).join(', ')})`,
      );
    return { out: this.dir, run: this, result, layer: l };
  }

  writeResult(result: DissectResult): void {
    writeFile(this.resultFile, JSON.stringify(result, null, 1));
  }

  writeReport(html: string): void {
    writeFile(this.reportFile, html);
  }

  /** Writes one of the files named above (arrays, statistics), atomically. */
  write(file: string, data: Buffer | string): void {
    writeFile(file, data);
  }

  /** A float32 array the result names (`iouMatrix`, `pairArrays`), or undefined where it is gone. */
  readArray(name: string): Float32Array | undefined {
    const file = this.file(name);
    if (!fs.existsSync(file)) return undefined;
    const raw = fs.readFileSync(file);
    return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  }

  writeArray(file: string, a: Float32Array): void {
    writeFile(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  }

  /** Units flagged as artifacts, per layer (none where the file is missing or unreadable). */
  readFlags(): Record<string, number[]> {
    try {
      return JSON.parse(fs.readFileSync(this.flagsFile, 'utf8')) as Record<string, number[]>;
    } catch {
      return {};
    }
  }

  writeFlags(flags: Record<string, number[]>): void {
    writeFile(this.flagsFile, JSON.stringify(flags, null, 1));
  }

  /** The request an interrupted run was started with. */
  readRequest<T>(): T {
    return JSON.parse(fs.readFileSync(this.requestFile, 'utf8')) as T;
  }

  writeRequest(request: unknown): void {
    writeFile(this.requestFile, JSON.stringify(request, null, 1));
  }

  /** Removes the files of an earlier dissection (only those a dissection writes: not the jobs' files, flags or caches). */
  clear(): void {
    for (const f of [RESULT, STATE, REPORT]) fs.rmSync(this.file(f), { force: true });
    for (const d of [IMAGES, STATS, ARRAYS]) fs.rmSync(this.file(d), { recursive: true, force: true });
  }
}

/**
 * A job's folder: inside a run folder (RunFolder.jobFolder) or given with --out. intervention.json and
 * intervention.png; causal.json; context.json and context-I-{image,heat,boxes}.png; trace.json and trace-{sample,heat}.png.
 */
export class JobFolder extends Folder {
  get interventionFile(): string {
    return this.file('intervention.json');
  }

  get interventionImage(): string {
    return this.file('intervention.png');
  }

  get causalFile(): string {
    return this.file('causal.json');
  }

  get contextFile(): string {
    return this.file('context.json');
  }

  /** Sample `sample` of a context run, its per-location gain as a heatmap, and boxes where the concept is created. */
  contextImages(sample: number): { image: string; heatmap: string; boxes: string } {
    return {
      image: this.file(`context-${sample}-image.png`),
      heatmap: this.file(`context-${sample}-heat.png`),
      boxes: this.file(`context-${sample}-boxes.png`),
    };
  }

  get traceFile(): string {
    return this.file('trace.json');
  }

  /** The first sample of a trace run and the last layer's change over the grid, as a heatmap. */
  traceImages(): { sample: string; heatmap: string } {
    return { sample: this.file('trace-sample.png'), heatmap: this.file('trace-heat.png') };
  }

  readTrace(): TraceResult | undefined {
    return readJson<TraceResult>(this.traceFile);
  }

  writeTrace(r: TraceResult): void {
    writeFile(this.traceFile, JSON.stringify(r, null, 1));
  }

  writeIntervention(summary: unknown): void {
    writeFile(this.interventionFile, JSON.stringify(summary, null, 1));
  }

  readCausal(): CausalResult | undefined {
    return readJson<CausalResult>(this.causalFile);
  }

  writeCausal(r: CausalResult): void {
    writeFile(this.causalFile, JSON.stringify(r, null, 1));
  }

  readContext(): ContextResult | undefined {
    return readJson<ContextResult>(this.contextFile);
  }

  writeContext(r: ContextResult): void {
    writeFile(this.contextFile, JSON.stringify(r, null, 1));
  }
}

/**
 * A dissection per class of a class-conditional generator (`--class each` or a list): one run folder per
 * class, `class-K/`, under `dir`, and `classes.json`, the classes side by side.
 */
export class ClassSeriesFolder {
  constructor(readonly dir: string) {}

  run(k: number): RunFolder {
    return new RunFolder(path.join(this.dir, `class-${k}`));
  }

  get summaryFile(): string {
    return path.join(this.dir, 'classes.json');
  }

  writeSummary(summary: unknown): void {
    writeFile(this.summaryFile, JSON.stringify(summary, null, 1));
  }
}

/**
 * A checkpoint series (`gan-dissect series`): one run folder per checkpoint, `step-S/`, under `dir`, and
 * `series.json` (SeriesResult), the checkpoints side by side.
 */
export class SeriesFolder {
  constructor(readonly dir: string) {}

  /** The run folder of the checkpoint at `step`. */
  run(step: number): RunFolder {
    return new RunFolder(path.join(this.dir, this.runName(step)));
  }

  /** The run folder's name, as series.json stores it. */
  runName(step: number): string {
    return `step-${step}`;
  }

  get summaryFile(): string {
    return path.join(this.dir, 'series.json');
  }

  /** The series so far, or undefined where there is none (or it is unreadable: it is rebuilt from the run folders). */
  readSummary(): SeriesResult | undefined {
    try {
      const r = readJson<SeriesResult>(this.summaryFile);
      return r && Array.isArray(r.checkpoints) ? r : undefined;
    } catch {
      return undefined;
    }
  }

  writeSummary(summary: SeriesResult): void {
    writeFile(this.summaryFile, JSON.stringify(summary, null, 1));
  }

  /** Whether `dir` holds a series. */
  static isSeries(dir: string): boolean {
    return fs.existsSync(path.join(dir, 'series.json'));
  }
}
