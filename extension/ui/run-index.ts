/**
 * The dissections on disk: one folder per run under the results folder, grouped by model. Reads them
 * through shared/run/folder.ts (no `vscode` import).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import type { ArtifactsResult, DissectResult, LayerResult } from '../shared/run/schema';
import { RunFolder } from '../shared/run/folder';

export interface RunInfo {
  out: string;
  result: DissectResult;
  mtime: number;
}

/** The folder for a model's runs: its file name plus a hash of its path (two models may share a name). */
export function modelFolder(resultsRoot: string, generatorPath: string): string {
  const stem = path
    .basename(generatorPath)
    .replace(/\.onnx$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
  const hash = crypto.createHash('sha256').update(path.resolve(generatorPath)).digest('hex').slice(0, 8);
  return path.join(resultsRoot, `${stem}-${hash}`);
}

/** The folder of a run of `layers` with given settings. */
export function runFolder(resultsRoot: string, generatorPath: string, layers: string[], threshold: string, samples: number): string {
  const name = `${[...layers]
    .sort()
    .join('+')
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .slice(0, 80)}-${threshold}-${samples}`;
  return path.join(modelFolder(resultsRoot, generatorPath), name);
}

/** Finished runs of a model, newest first. */
export function listRuns(resultsRoot: string, generatorPath: string): RunInfo[] {
  const dir = modelFolder(resultsRoot, generatorPath);
  if (!fs.existsSync(dir)) return [];
  const runs: RunInfo[] = [];
  for (const name of fs.readdirSync(dir)) {
    const run = new RunFolder(path.join(dir, name));
    try {
      const result = run.readResult();
      if (result?.complete && !result.shard) runs.push({ out: run.dir, result, mtime: fs.statSync(run.resultFile).mtimeMs });
    } catch {
      // a half-written or foreign file: not a run
    }
  }
  return runs.sort((a, b) => b.mtime - a.mtime);
}

/** Interrupted runs (a checkpoint but no result) of a model. */
export function interruptedRuns(resultsRoot: string, generatorPath: string): string[] {
  const dir = modelFolder(resultsRoot, generatorPath);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((n) => path.join(dir, n))
    .filter((d) => new RunFolder(d).isInterrupted());
}

/** The newest run holding `layer`, with that layer's result. */
export function latestLayer(runs: RunInfo[], layer: string): { run: RunInfo; layer: LayerResult } | undefined {
  for (const run of runs) {
    const l = run.result.layers.find((x) => x.layer === layer);
    if (l) return { run, layer: l };
  }
  return undefined;
}

/** The run at `out`, or undefined where it has no result (an unreadable one is refused: `corrupt-file`). */
export function readRun(out: string): RunInfo | undefined {
  const run = new RunFolder(out);
  const result = run.readResult();
  return result && { out, result, mtime: fs.statSync(run.resultFile).mtimeMs };
}

/** Units flagged as artifacts, per layer, kept in the run's folder. */
export function readFlags(out: string): Record<string, number[]> {
  return new RunFolder(out).readFlags();
}

export function setFlag(out: string, layer: string, unit: number, flagged: boolean): void {
  const run = new RunFolder(out);
  const flags = run.readFlags();
  const set = new Set(flags[layer] ?? []);
  if (flagged) set.add(unit);
  else set.delete(unit);
  flags[layer] = [...set].sort((a, b) => a - b);
  run.writeFlags(flags);
}

/** A layer's artifact flags: the user's (flags.json) and the automatic ones of its last artifacts run, with that run. */
export interface LayerFlags {
  manual: Set<number>;
  auto: Set<number>;
  artifacts?: ArtifactsResult;
}

export function layerFlags(out: string, layer: string): LayerFlags {
  const run = new RunFolder(out);
  const artifacts = run.readArtifacts(layer);
  return { manual: new Set(run.readFlags()[layer] ?? []), auto: new Set(artifacts?.flagged ?? []), ...(artifacts ? { artifacts } : {}) };
}

/** How a unit is flagged as an artifact, for one-line displays: "⚑ artifact", "⚑ artifact (auto)", "⚑ artifact (manual, auto)"; '' if not. */
export function flagText(f: Pick<LayerFlags, 'manual' | 'auto'>, unit: number): string {
  const manual = f.manual.has(unit);
  const auto = f.auto.has(unit);
  if (manual && auto) return '⚑ artifact (manual, auto)';
  if (auto) return '⚑ artifact (auto)';
  return manual ? '⚑ artifact' : '';
}

/** One-line summary of a layer: "71/512 units interpretable · tree 12, sky 9, …". */
export function layerSummaryLine(l: LayerResult, concepts = 4): string {
  const top = l.summary.concepts
    .slice(0, concepts)
    .map((c) => `${c.label} ${c.count}`)
    .join(', ');
  const more = l.summary.concepts.length > concepts ? ', …' : '';
  return `${l.summary.interpretable}/${l.summary.units} units interpretable${top ? ` · ${top}${more}` : ''}`;
}
