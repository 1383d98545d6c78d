/**
 * The checkpoint series on disk: a series folder (shared/run/folder.ts SeriesFolder: step-S/ per checkpoint
 * and series.json) sits where runs do, in the results folder under the folder of its glob, as a run sits
 * under its model's (run-index.ts modelFolder). Found by looking one level below each model folder. No
 * `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeriesResult } from '../shared/run/schema';
import { SeriesFolder } from '../shared/run/folder';
import { runFolder } from './run-index';

export interface SeriesInfo {
  dir: string;
  summary: SeriesResult;
  mtime: number;
}

/** The folder of a series of `pattern`'s checkpoints dissected with these settings (beside the runs of a model of that name). */
export function seriesFolder(resultsRoot: string, pattern: string, layers: string[], threshold: string, samples: number): string {
  const run = runFolder(resultsRoot, pattern, layers, threshold, samples);
  return path.join(path.dirname(run), `series-${path.basename(run)}`);
}

/** The series at `dir`, or undefined where it has no readable series.json. */
export function readSeries(dir: string): SeriesInfo | undefined {
  const folder = new SeriesFolder(dir);
  const summary = folder.readSummary();
  if (!summary) return undefined;
  return { dir, summary, mtime: fs.statSync(folder.summaryFile).mtimeMs };
}

/** Every series under the results folder, newest first. */
export function listSeries(resultsRoot: string): SeriesInfo[] {
  const found: SeriesInfo[] = [];
  const dirs = (d: string) => {
    try {
      return fs
        .readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => path.join(d, e.name));
    } catch {
      return [];
    }
  };
  for (const model of dirs(resultsRoot))
    for (const dir of dirs(model)) {
      if (!SeriesFolder.isSeries(dir)) continue;
      const s = readSeries(dir);
      if (s) found.push(s);
    }
  return found.sort((a, b) => b.mtime - a.mtime);
}

/** A pattern as the user knows it: relative to the workspace folder where inside it, a folder with a trailing '/'. */
export function patternDisplay(pattern: string, workspace?: string): string {
  const rel = workspace && !path.relative(workspace, pattern).startsWith('..') ? path.relative(workspace, pattern) || '.' : pattern;
  const isFolder = !/[*?]/.test(pattern) && fs.existsSync(pattern) && fs.statSync(pattern).isDirectory();
  return isFolder ? `${rel.replace(/[\\/]+$/, '')}/` : rel;
}
